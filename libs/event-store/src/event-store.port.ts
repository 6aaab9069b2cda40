/**
 * The event store port (DESIGN.md §6). Adapters: embedded (SQLite, default), KurrentDB/EventStoreDB,
 * in-memory (unit tests). Every adapter passes the same contract suite (event-store.contract.ts).
 */

/** Opaque, adapter-specific global position. Only the adapter that produced it can interpret it. */
export type Position = string;

/**
 * The position before the first event, understood by every adapter (`after=0` in the HTTP API): reading or
 * subscribing after it starts at the beginning of the log, as omitting `after` does.
 */
export const START_POSITION: Position = '0';

/**
 * Orders two positions of one store as it orders its events (negative, zero or positive). Every adapter
 * writes them as whole numbers (`<sequence>`: SQLite, in-memory) or whole numbers joined by `/`
 * (`<transaction>/<sequence>`: PostgreSQL; `<commit>/<prepare>`: KurrentDB), compared component by component.
 * Throws a `SyntaxError` on a component that is not a whole number.
 */
export function comparePositions(a: Position, b: Position): number {
  const left = a.split('/');
  const right = b.split('/');
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    const x = BigInt(left[i] ?? 0);
    const y = BigInt(right[i] ?? 0);
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

export type ExpectedRevision = 'any' | 'no_stream' | 'stream_exists' | number;

export interface NewEvent {
  /** A UUID. Appending an id the stream already holds is a no-op (idempotent append). */
  id: string;
  type: string;
  data: unknown;
  metadata?: Record<string, unknown>;
}

export interface StoredEvent {
  id: string;
  type: string;
  streamId: string;
  /** 0-based revision within its stream. */
  revision: number;
  position: Position;
  data: unknown;
  metadata: Record<string, unknown>;
  /** When the store recorded it (wall clock of the store, ISO 8601). Never used by detection. */
  recordedAt: string;
}

export interface AppendResult {
  /** Revision of the last event in the stream after this append (-1 if it is still empty). */
  nextExpectedRevision: number;
  /** Position of the last event in this append or, if nothing new was written, of the stream's last event. */
  position: Position | null;
  /** How many events were new (the rest were idempotent repeats). */
  appended: number;
}

export interface ReadStreamOptions {
  direction?: 'forwards' | 'backwards';
  /** Inclusive start revision; defaults to the start (forwards) or end (backwards). */
  fromRevision?: number;
  maxCount?: number;
}

export interface AllFilter {
  /** Keep events whose type starts with one of these. */
  eventTypePrefixes?: string[];
  /** Keep events whose stream id starts with one of these. */
  streamPrefixes?: string[];
}

export interface ReadAllOptions {
  /** Exclusive: return events strictly after this position. Omitted or {@link START_POSITION}: from the beginning. */
  after?: Position;
  maxCount?: number;
  filter?: AllFilter;
}

export interface SubscribeOptions {
  /**
   * Exclusive: deliver events strictly after this position (history first, then live). Omitted or
   * {@link START_POSITION}: from the beginning.
   */
  after?: Position;
  filter?: AllFilter;
}

/** A catch-up subscription: async-iterate it; `close()` ends the iteration. */
export interface Subscription extends AsyncIterable<StoredEvent> {
  close(): Promise<void>;
  /**
   * The position up to which the store was examined and every matching event was handed over and taken (the
   * consumer asked for the next one after it): a read after it finds only what the consumer has not had.
   * Undefined before that is known (no page fully taken yet), and from stores that do not tell. A consumer
   * asking "is anything left for me?" reads after it rather than after its last event, which on a store full of
   * events it does not select (AIS beside consignment events) would examine all of them again at every ask.
   */
  settledPosition?(): Position | undefined;
  /**
   * The same events as iterating the subscription, in the same order, a page at a time (never an empty one), for
   * a consumer that takes many events a turn: one promise a page instead of one an event. The next page is read
   * when the consumer asks for it, so "taken" (`settledPosition`) means asked for the page after. A subscription
   * is iterated once, by events or by pages. Stores that do not offer it: iterate the events.
   */
  pages?(): AsyncIterable<readonly StoredEvent[]>;
  /**
   * True once the subscription is closed (by `close`, or by its store closing): a consumer part-way through a
   * page stops there, as iterating by events would.
   */
  isClosed?(): boolean;
}

export class WrongExpectedRevisionError extends Error {
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedRevision,
    readonly actual: number,
  ) {
    super(`Stream ${streamId}: expected revision ${String(expected)}, actual ${actual}`);
    this.name = 'WrongExpectedRevisionError';
  }
}

/** One stream's part of a multi-stream append. */
export interface StreamWrite {
  streamId: string;
  events: NewEvent[];
  expected?: ExpectedRevision;
  /** Refuse (EventContentConflictError) an id the stream holds with different data, instead of skipping it. */
  rejectChangedRepeats?: boolean;
}

export interface EventStore {
  readonly name: string;
  append(streamId: string, events: NewEvent[], expected?: ExpectedRevision): Promise<AppendResult>;
  /**
   * Appends to several streams, in the order given, so the global order of the events is the order of
   * the writes (a batch that interleaves streams keeps its interleaving). The embedded store does it in
   * one transaction (all or nothing); adapters without multi-stream transactions write one after the
   * other and may stop half-way (each write is idempotent, so a retry completes it).
   */
  appendMany(writes: readonly StreamWrite[]): Promise<AppendResult[]>;
  /** Events of one stream; an unknown stream reads as empty. */
  readStream(streamId: string, options?: ReadStreamOptions): Promise<StoredEvent[]>;
  readAll(options?: ReadAllOptions): Promise<StoredEvent[]>;
  subscribeToAll(options?: SubscribeOptions): Subscription;
  /** Position of the newest event in the store (null when empty), for lag metrics. */
  headPosition(): Promise<Position | null>;
  close(): Promise<void>;
}

export const EVENT_STORE = Symbol('EVENT_STORE');
