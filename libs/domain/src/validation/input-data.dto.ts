import type { InputBoundedData, InputClosedData } from '../events';
import { IsEventTime, IsNonEmptyString } from './field-rules';

/**
 * `aidwatch.input.closed.v1`: `source` is the input that ended (the event's own CloudEvents `source`, see
 * `crossFieldProblems`), `at` the end of its coverage (RFC 3339).
 */
export class InputClosedDataDto implements InputClosedData {
  @IsNonEmptyString()
  source!: string;

  @IsEventTime()
  at!: string;
}

/**
 * `aidwatch.input.bounded.v1`: `source` is the input announced as bounded (the event's own CloudEvents
 * `source`, see `crossFieldProblems`), `until` the newest event time it will deliver (RFC 3339).
 */
export class InputBoundedDataDto implements InputBoundedData {
  @IsNonEmptyString()
  source!: string;

  @IsEventTime()
  until!: string;
}
