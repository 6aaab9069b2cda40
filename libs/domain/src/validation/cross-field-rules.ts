import type { FieldError } from '../cloud-event';
import { EventTypes } from '../event-types';
import { isInboundEventType, subjectOfEvent } from '../event-catalogue';
import type { AidEvent } from '../events';

/**
 * Rules between fields that a field's own schema cannot state, judged once the event is otherwise valid (by
 * both validators alike):
 * - `aidwatch.input.closed.v1`: `data.source` must be the event's own CloudEvents `source` — an input is
 *   closed only by its own producer, whose credential's `sources` are judged against the event's `source`;
 * - `subject`, when present, names what `data` is about (`subjectsOf`): an event whose subject names another
 *   consignment, exemption, port or vessel than its data is refused (CloudEvents 1.0 `subject`: "the subject
 *   of the event in the context of the event producer"), so a consumer routing by subject and one reading
 *   the data never disagree about which record the event changed.
 */
export function crossFieldProblems(event: Record<string, unknown>): FieldError[] {
  if (event.type === EventTypes.InputClosed || event.type === EventTypes.InputBounded) {
    const data = event.data as { source?: unknown } | undefined;
    if (data?.source !== event.source)
      return [
        {
          field: 'data.source',
          message:
            event.type === EventTypes.InputClosed
              ? 'data.source must be the event source: an input is closed only under its own source'
              : 'data.source must be the event source: an input is announced bounded only under its own source',
        },
      ];
  }
  const subject = subjectProblem(event);
  return subject ? [subject] : [];
}

/**
 * The values `subject` may take for an inbound event: the id of its catalogue row's subject (the
 * consignment id, the exemption id, the LOCODE, the MMSI, the closed input's source); for a designation or its revocation any
 * of the vessel's identifiers in data (IMO number, MMSI, name) or the list reference.
 */
export function subjectsOf(event: AidEvent): string[] {
  if (event.type === EventTypes.VesselDesignated || event.type === EventTypes.VesselDesignationRevoked) {
    const d = event.data as { imo?: string; mmsi?: string; name?: string; listRef?: string };
    return [d.imo, d.mmsi, d.name, d.listRef].filter((v): v is string => typeof v === 'string');
  }
  const subject = subjectOfEvent(event);
  return subject === undefined ? [] : [subject.id];
}

function subjectProblem(event: Record<string, unknown>): FieldError | undefined {
  const { subject, type } = event;
  if (typeof subject !== 'string' || typeof type !== 'string' || !isInboundEventType(type)) return undefined;
  const allowed = subjectsOf(event as unknown as AidEvent);
  if (allowed.includes(subject)) return undefined;
  return {
    field: 'subject',
    message: `subject ${JSON.stringify(subject)} disagrees with data (expected ${allowed.map((v) => JSON.stringify(v)).join(' or ')})`,
  };
}
