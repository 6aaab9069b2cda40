import {
  EventTypes,
  StreamNames,
  storeEventId,
  type Flag,
  type FlagClearedData,
  type FlagCleared,
  type FlagRaised,
  type FlagSubject,
} from '@aidwatch/domain';
import type { NewEvent } from '@aidwatch/event-store';

export const DETECTOR_SOURCE = 'aidwatch/detector';

export function flagRaisedEvent(flag: Flag): FlagRaised {
  return {
    specversion: '1.0',
    id: `${flag.flagId}:raised`,
    source: DETECTOR_SOURCE,
    type: EventTypes.FlagRaised,
    subject: flag.subject.id,
    time: flag.raisedAt,
    datacontenttype: 'application/json',
    data: flag,
  };
}

export function flagClearedEvent(cleared: FlagClearedData): FlagCleared {
  return {
    specversion: '1.0',
    id: `${cleared.flagId}:cleared`,
    source: DETECTOR_SOURCE,
    type: EventTypes.FlagCleared,
    subject: cleared.subject.id,
    time: cleared.clearedAt,
    datacontenttype: 'application/json',
    data: cleared,
  };
}

/** Groups flag events by their risk stream, ready to append. Ids follow the flag id, so replays repeat nothing. */
export function flagAppends(events: ReadonlyArray<FlagRaised | FlagCleared>): Map<string, NewEvent[]> {
  const byStream = new Map<string, NewEvent[]>();
  for (const event of events) {
    const stream = StreamNames.risk(event.data.subject as FlagSubject);
    const batch = byStream.get(stream) ?? [];
    batch.push({
      id: storeEventId(event),
      type: event.type,
      data: event,
      metadata: { causation: 'detection' },
    });
    byStream.set(stream, batch);
  }
  return byStream;
}
