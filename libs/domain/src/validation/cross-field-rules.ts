import type { FieldError } from '../cloud-event';
import { EventTypes } from '../event-types';

/**
 * Rules between fields that a field's own schema cannot state, judged once the event is otherwise valid (by
 * both validators alike):
 * - `aidwatch.input.closed.v1`: `data.source` must be the event's own CloudEvents `source` — an input is
 *   closed only by its own producer, whose credential's `sources` are judged against the event's `source`.
 */
export function crossFieldProblems(event: Record<string, unknown>): FieldError[] {
  if (event.type === EventTypes.InputClosed) {
    const data = event.data as { source?: unknown } | undefined;
    if (data?.source !== event.source)
      return [
        {
          field: 'data.source',
          message: 'data.source must be the event source: an input is closed only under its own source',
        },
      ];
  }
  return [];
}
