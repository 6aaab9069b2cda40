import type { InputClosedData } from '../events';
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
