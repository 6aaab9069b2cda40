import type { CloudEvent } from '@aidwatch/domain';
import type { EventStore, Position, StoredEvent } from '@aidwatch/event-store';
import { comparePositions, readAllInPages } from './store-reading';

/** Where a replay starts and ends: a store position (inclusive) or an ISO 8601 recording time. */
export type ReplayBound = { position: Position } | { time: string };

export interface ReplayRange {
  from: ReplayBound;
  /** Inclusive position, or exclusive time; omitted: up to the head when the replay starts. */
  to?: ReplayBound;
  /** Only events whose type starts with one of these. */
  eventTypePrefixes?: string[];
}

/** Record headers that mark a replayed event, so downstream systems can tell it from a first delivery. */
export const ReplayHeaders = {
  replay: 'x-replay',
  replayId: 'x-replay-id',
  position: 'x-replay-position',
  stream: 'x-replay-stream',
  recordedAt: 'x-replay-recorded-at',
} as const;

/** `--from 42` / `--from 12/7` is a position, anything else an ISO 8601 time (else undefined). */
export function parseReplayBound(text: string): ReplayBound | undefined {
  if (/^\d+(\/\d+)?$/.test(text)) return { position: text };
  return Number.isNaN(Date.parse(text)) ? undefined : { time: new Date(Date.parse(text)).toISOString() };
}

export interface ReplayedEvent {
  event: CloudEvent;
  headers: Record<string, string>;
}

/**
 * The stored CloudEvents of a range in store order, with their replay headers, a page at a time. Events
 * stored without a CloudEvent (none today) are skipped.
 */
export async function* replayable(
  store: EventStore,
  range: ReplayRange,
  replayId: string,
): AsyncGenerator<ReplayedEvent> {
  const to = range.to ?? { position: (await store.headPosition()) ?? '0' };
  const from = range.from;
  // Numeric positions are dense: start right before `from`; otherwise read from the start and skip.
  const after =
    'position' in from && /^\d+$/.test(from.position) && from.position !== '0'
      ? String(BigInt(from.position) - 1n)
      : undefined;
  const filter = range.eventTypePrefixes ? { eventTypePrefixes: range.eventTypePrefixes } : undefined;
  for await (const stored of readAllInPages(store, { after, filter })) {
    if (!reached(stored, from)) continue;
    if (past(stored, to)) return;
    const event = stored.data as Partial<CloudEvent> | null;
    if (!event || event.specversion !== '1.0' || typeof event.type !== 'string') continue;
    yield {
      event: event as CloudEvent,
      headers: {
        [ReplayHeaders.replay]: 'true',
        [ReplayHeaders.replayId]: replayId,
        [ReplayHeaders.position]: stored.position,
        [ReplayHeaders.stream]: stored.streamId,
        [ReplayHeaders.recordedAt]: stored.recordedAt,
      },
    };
  }
}

const reached = (e: StoredEvent, from: ReplayBound) =>
  'position' in from ? comparePositions(e.position, from.position) >= 0 : e.recordedAt >= from.time;
const past = (e: StoredEvent, to: ReplayBound) =>
  'position' in to ? comparePositions(e.position, to.position) > 0 : e.recordedAt >= to.time;
