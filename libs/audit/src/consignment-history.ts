import type { EventStore, StoredEvent } from '@aidwatch/event-store';
import { chainLinkOf } from '@aidwatch/event-store';
import {
  consignmentDocument,
  evolve,
  initialConsignmentReadModel,
  type ConsignmentDocument,
} from '@aidwatch/projections';
import { consignmentTrail } from './consignment-trail';
import { comparePositions } from './store-reading';

/**
 * The consignment as AidWatch knew it at `asOf` (milliseconds): the same fold as the live read model over
 * its trail, stopped at the events recorded by then. Undefined if nothing about it was recorded by then.
 */
export async function consignmentAsOf(
  store: EventStore,
  consignmentId: string,
  asOf: number,
): Promise<ConsignmentDocument | undefined> {
  const { events } = await consignmentTrail(store, consignmentId);
  const state = events
    .filter((e) => Date.parse(e.recordedAt) <= asOf)
    .reduce(evolve, initialConsignmentReadModel());
  return consignmentDocument(state, consignmentId);
}

export interface TimelineEntry {
  position: string;
  streamId: string;
  revision: number;
  id: string;
  type: string;
  /** When the store recorded it. */
  recordedAt: string;
  /** When it happened (`data.at`, else the CloudEvent time). */
  time: string | null;
  hash: string | null;
  event: unknown;
}

export interface TimelinePage {
  consignmentId: string;
  items: TimelineEntry[];
  /** Pass as `after` for the next page (later events); null at the end. */
  next: string | null;
  /** Pass as `before` for the previous page (earlier events); null at the start. */
  previous: string | null;
}

export interface TimelineQuery {
  after?: string;
  before?: string;
  limit: number;
  /**
   * Most bytes of the page's stored events (their `data` as JSON); the page stops before the event that would
   * pass it, one event at least (`next` / `previous` then continue from there). Unbounded when absent.
   */
  maxBytes?: number;
}

/** Bytes of a stored event's data as JSON (what it adds to a page). */
export const storedBytesOf = (e: StoredEvent): number => JSON.stringify(e.data ?? null).length;

const entryOf = (e: StoredEvent): TimelineEntry => {
  const cloudEvent = e.data as { time?: string; data?: { at?: string } } | null;
  return {
    position: e.position,
    streamId: e.streamId,
    revision: e.revision,
    id: e.id,
    type: e.type,
    recordedAt: e.recordedAt,
    time: cloudEvent?.data?.at ?? cloudEvent?.time ?? null,
    hash: chainLinkOf(e.metadata)?.hash ?? null,
    event: e.data,
  };
};

/** One page of a trail in store order, forwards from `after` or backwards from `before` (both exclusive). */
export function pageOfTrail(
  consignmentId: string,
  events: readonly StoredEvent[],
  q: TimelineQuery,
): TimelinePage {
  let start: number;
  let end: number;
  const maxBytes = q.maxBytes ?? Number.POSITIVE_INFINITY;
  if (q.before !== undefined) {
    const before = q.before;
    end = events.findIndex((e) => comparePositions(e.position, before) >= 0);
    if (end === -1) end = events.length;
    start = end;
    for (let bytes = 0; start > 0 && end - start < q.limit; start--) {
      bytes += storedBytesOf(events[start - 1]);
      if (bytes > maxBytes && start < end) break;
    }
  } else {
    const after = q.after;
    start = after === undefined ? 0 : events.findIndex((e) => comparePositions(e.position, after) > 0);
    if (start === -1) start = events.length;
    end = start;
    for (let bytes = 0; end < events.length && end - start < q.limit; end++) {
      bytes += storedBytesOf(events[end]);
      if (bytes > maxBytes && end > start) break;
    }
  }
  const items = events.slice(start, end).map(entryOf);
  return {
    consignmentId,
    items,
    next: end < events.length && items.length > 0 ? items[items.length - 1].position : null,
    previous: start > 0 && items.length > 0 ? items[0].position : null,
  };
}

/** A consignment's timeline page, or undefined when the store holds nothing about it. */
export async function consignmentTimeline(
  store: EventStore,
  consignmentId: string,
  q: TimelineQuery,
): Promise<TimelinePage | undefined> {
  const trail = await consignmentTrail(store, consignmentId);
  if (!trail.events.some((e) => e.streamId === `consignment-${consignmentId}`)) return undefined;
  return pageOfTrail(consignmentId, trail.events, q);
}
