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
}

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
  if (q.before !== undefined) {
    const before = q.before;
    end = events.findIndex((e) => comparePositions(e.position, before) >= 0);
    if (end === -1) end = events.length;
    start = Math.max(0, end - q.limit);
  } else {
    const after = q.after;
    start = after === undefined ? 0 : events.findIndex((e) => comparePositions(e.position, after) > 0);
    if (start === -1) start = events.length;
    end = Math.min(events.length, start + q.limit);
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
