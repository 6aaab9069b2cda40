import { canonicalParts } from './chain';
import { WrongExpectedRevisionError, type ExpectedRevision, type NewEvent } from './event-store.port';

/** Raised by stores whose event ids are unique across all streams when an id is reused in another stream. */
export class EventIdConflictError extends Error {
  constructor(
    readonly eventId: string,
    readonly streamId: string,
    readonly heldByStreamId: string,
  ) {
    super(`Event ${eventId} cannot be appended to ${streamId}: stream ${heldByStreamId} already holds it`);
    this.name = 'EventIdConflictError';
  }
}

/**
 * Raised, for a write that asked for it (`StreamWrite.rejectChangedRepeats`), when an id the stream already
 * holds comes again with different data: a repeat must be byte-identical to be idempotent.
 */
export class EventContentConflictError extends Error {
  constructor(
    readonly eventId: string,
    readonly streamId: string,
  ) {
    super(`Event ${eventId} is already stored in ${streamId} with different content`);
    this.name = 'EventContentConflictError';
  }
}

/** An event as every adapter stores it: lower-case UUID, JSON-serialisable data, metadata object. */
export interface PreparedEvent {
  id: string;
  type: string;
  data: string;
  metadata: string;
  /** Their canonical (RFC 8785) text, for the chain hash (see `canonicalParts`). */
  canonical?: { data: string; metadata: string };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/**
 * A UTF-16 surrogate without its pair: no UTF-8 text holds it, so SQLite would store it altered and PostgreSQL
 * refuse it. The intake's twin is in `@aidwatch/domain`'s identifier rules; the store depends on no other library.
 */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Checks and serialises events for an append. `canonical` false leaves out their canonical text: the writer
 * then makes it from the stored JSON (`linkEvent`), e.g. on a thread of its own.
 */
export function prepareEvents(streamId: string, events: NewEvent[], canonical = true): PreparedEvent[] {
  if (typeof streamId !== 'string' || streamId.length === 0)
    throw new TypeError('streamId must be non-empty');
  if (LONE_SURROGATE.test(streamId))
    throw new TypeError(`streamId ${JSON.stringify(streamId)} is not valid Unicode text (a lone surrogate)`);
  return events.map((event) => {
    if (!UUID.test(event.id)) throw new TypeError(`Event id ${JSON.stringify(event.id)} is not a UUID`);
    if (typeof event.type !== 'string' || event.type.length === 0) {
      throw new TypeError(`Event ${event.id} has no type`);
    }
    if (LONE_SURROGATE.test(event.type))
      throw new TypeError(
        `Event ${event.id}: type ${JSON.stringify(event.type)} is not valid Unicode text (a lone surrogate)`,
      );
    const data = event.data === undefined ? null : event.data;
    const metadata = event.metadata ?? {};
    return {
      id: event.id.toLowerCase(),
      type: event.type,
      data: JSON.stringify(data),
      metadata: JSON.stringify(metadata),
      ...(canonical && { canonical: canonicalParts(data, metadata) }),
    };
  });
}

function expectationHolds(expected: ExpectedRevision, revision: number): boolean {
  if (expected === 'any') return true;
  if (expected === 'no_stream') return revision === -1;
  if (expected === 'stream_exists') return revision >= 0;
  return revision === expected;
}

/**
 * Decides which events of a batch are new, or throws on a concurrency conflict. The rules, shared by every
 * adapter and spelled out in the contract suite:
 * - a batch whose ids the stream holds, consecutively and in order, right after the revision the caller
 *   expected, is an exact retry: nothing is written and the expected revision is not checked again;
 * - otherwise the expected revision is checked against the stream's current revision;
 * - then ids the stream already holds (and repeats within the batch) are skipped; the rest are written.
 *
 * `revisionOf` answers, for an id, the revision the stream holds it at (undefined when it does not).
 */
export function planAppend<E extends { id: string; data?: string }>(
  streamId: string,
  events: E[],
  expected: ExpectedRevision,
  currentRevision: number,
  revisionOf: (id: string) => number | undefined,
  heldDataOf?: (id: string) => string | undefined,
): E[] {
  const held = events.map((event) => revisionOf(event.id));
  if (heldDataOf) {
    events.forEach((event, index) => {
      if (held[index] !== undefined && heldDataOf(event.id) !== event.data)
        throw new EventContentConflictError(event.id, streamId);
    });
  }
  const first = held[0];
  const exactRetry =
    first !== undefined &&
    held.every((revision, index) => revision === first + index) &&
    expectationHolds(expected, first - 1);
  if (exactRetry) return [];
  if (!expectationHolds(expected, currentRevision)) {
    throw new WrongExpectedRevisionError(streamId, expected, currentRevision);
  }
  const seen = new Set<string>();
  return events.filter((event, index) => {
    if (held[index] !== undefined || seen.has(event.id)) return false;
    seen.add(event.id);
    return true;
  });
}
