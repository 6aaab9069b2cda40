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
import type { NewEvent, StreamWrite } from '@aidwatch/event-store';

export const DETECTOR_SOURCE = 'aidwatch/detector';

export function flagRaisedEvent(flag: Flag): FlagRaised {
  return {
    specversion: '1.0',
    // A flag raised again after a clear (`reopened`) is an event of its own, not a repeat of the first raise.
    id: `${flag.flagId}:raised${flag.reopened ? `:${flag.reopened}` : ''}`,
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
    id: `${cleared.flagId}:cleared${cleared.reopened ? `:${cleared.reopened}` : ''}`,
    source: DETECTOR_SOURCE,
    type: EventTypes.FlagCleared,
    subject: cleared.subject.id,
    time: cleared.clearedAt,
    datacontenttype: 'application/json',
    data: cleared,
  };
}

/**
 * The writes for a set of flag events, in their order (consecutive events of one risk stream share a write).
 * Ids follow the flag id, so replays repeat nothing. `cause`: the stream of the inbound event whose folding
 * raised or cleared them (metadata `cause`; absent for work a fan-out left for later), which tells whose
 * event a flag cost (`TenantUsage`).
 */
export function flagWrites(events: ReadonlyArray<FlagRaised | FlagCleared>, cause?: string): StreamWrite[] {
  const metadata = cause === undefined ? { causation: 'detection' } : { causation: 'detection', cause };
  const writes: StreamWrite[] = [];
  for (const event of events) {
    const streamId = StreamNames.risk(event.data.subject as FlagSubject);
    const stored: NewEvent = {
      id: storeEventId(event),
      type: event.type,
      data: event,
      metadata,
    };
    const last = writes.at(-1);
    if (last?.streamId === streamId) last.events.push(stored);
    else writes.push({ streamId, events: [stored], expected: 'any' });
  }
  return writes;
}
