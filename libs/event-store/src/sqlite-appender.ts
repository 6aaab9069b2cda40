import type Database from 'better-sqlite3';
import {
  EventContentConflictError,
  EventIdConflictError,
  planAppend,
  type PreparedEvent,
} from './append-policy';
import { linkEvent } from './chain';
import { WrongExpectedRevisionError, type AppendResult, type ExpectedRevision } from './event-store.port';
import type { SqliteEventLog, StreamHead } from './sqlite-event-log';

/** One stream's part of an append, prepared (`prepareEvents`) for the embedded store's writer. */
export interface PreparedWrite {
  streamId: string;
  events: PreparedEvent[];
  expected: ExpectedRevision;
  rejectChangedRepeats?: boolean;
}

/** Stream heads remembered between appends; past this many the memory starts over (they are re-read on demand). */
const MAX_REMEMBERED_HEADS = 1_000_000;

/** One append's outcome in a group commit: its results, or the error that failed it alone. */
export type GroupOutcome = { results: AppendResult[] } | { error: unknown };

/**
 * The embedded store's writer: chains each event to its stream (`linkEvent`: canonical JSON and SHA-256) and
 * inserts it, for a group of appends in one `BEGIN IMMEDIATE` transaction (one fsync with synchronous=FULL).
 * Runs on the store's own thread or on a worker thread of its own (`EmbeddedEventStore`'s `writer`), with a
 * connection of its own. Idempotency for `expected: 'any'` goes through the unique index on the event id (an
 * insert that conflicts is a repeat), not through a lookup per event; stream heads are kept in memory and
 * dropped whenever another connection has committed to the file (`PRAGMA data_version`).
 */
export class SqliteAppender {
  private readonly heads = new Map<string, StreamHead | null>();
  private dataVersion: number | undefined;
  private readonly inTransaction: (
    groups: ReadonlyArray<readonly PreparedWrite[]>,
    recordedAt: string | undefined,
  ) => AppendResult[][];

  /** `clock`: when events are recorded, read once the transaction holds the write lock. */
  constructor(
    db: Database.Database,
    private readonly log: SqliteEventLog,
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.inTransaction = db.transaction(
      (groups: ReadonlyArray<readonly PreparedWrite[]>, stamp: string | undefined) => {
        this.forgetHeadsIfOthersWrote();
        // Read under the write lock, so recording times follow positions across processes too.
        const recordedAt = stamp ?? this.clock().toISOString();
        return groups.map((writes) =>
          writes.map((w) => this.write(w.streamId, w.events, w.expected, recordedAt, w.rejectChangedRepeats)),
        );
      },
    ).immediate;
  }

  /**
   * Commits every group (one caller's append each) in one transaction; if that fails, each group in its own,
   * so one caller's conflict never fails another's write. `recordedAt` (ISO 8601, stored with every event):
   * the clock's time under the write lock unless given.
   */
  commitGroups(groups: ReadonlyArray<readonly PreparedWrite[]>, recordedAt?: string): GroupOutcome[] {
    try {
      return this.commit(groups, recordedAt).map((results) => ({ results }));
    } catch (error) {
      // The file stayed locked by another connection for the whole busy timeout: each group alone would wait
      // as long again, so they all fail with it.
      if (groups.length === 1 || (error as { code?: unknown }).code === 'SQLITE_BUSY')
        return groups.map(() => ({ error }));
      return groups.map((group) => {
        try {
          return { results: this.commit([group], recordedAt)[0] };
        } catch (own) {
          return { error: own };
        }
      });
    }
  }

  private commit(
    groups: ReadonlyArray<readonly PreparedWrite[]>,
    recordedAt: string | undefined,
  ): AppendResult[][] {
    try {
      return this.inTransaction(groups, recordedAt);
    } catch (error) {
      // The remembered heads may include writes that were just rolled back.
      this.heads.clear();
      throw error;
    }
  }

  private forgetHeadsIfOthersWrote(): void {
    const version = this.log.dataVersion();
    if (version !== this.dataVersion || this.heads.size > MAX_REMEMBERED_HEADS) this.heads.clear();
    this.dataVersion = version;
  }

  private headOf(streamId: string): StreamHead | null {
    let head = this.heads.get(streamId);
    if (head === undefined) {
      head = this.log.streamHead(streamId) ?? null;
      this.heads.set(streamId, head);
    }
    return head;
  }

  private write(
    streamId: string,
    events: PreparedEvent[],
    expected: ExpectedRevision,
    recordedAt: string,
    rejectChangedRepeats = false,
  ): AppendResult {
    const head = this.headOf(streamId);
    let revision = head?.revision ?? -1;
    let position = head?.position ?? null;
    let previous = head?.hash ?? null;
    let appended = 0;
    if (expected === 'any') {
      // For 'any', planAppend keeps exactly the ids not held yet: the unique index tells, insert by insert.
      const written = new Set<string>();
      for (const event of events) {
        const link = linkEvent(previous, streamId, revision + 1, event);
        const at = this.log.insertUnlessHeld(
          streamId,
          revision + 1,
          { ...event, metadata: link.metadata },
          recordedAt,
        );
        if (at === undefined) {
          if (written.has(event.id)) continue; // a repeat within the batch
          const holder = this.log.holderOf(event.id);
          if (holder && holder.streamId !== streamId)
            throw new EventIdConflictError(event.id, streamId, holder.streamId);
          if (rejectChangedRepeats && holder && holder.data !== event.data)
            throw new EventContentConflictError(event.id, streamId);
          continue;
        }
        written.add(event.id);
        revision += 1;
        position = at;
        previous = link.hash;
        appended += 1;
      }
    } else {
      const holders = new Map<string, { data: string }>();
      const fresh = planAppend(
        streamId,
        events,
        expected,
        revision,
        (id) => {
          const holder = this.log.holderOf(id);
          if (holder && holder.streamId !== streamId)
            throw new EventIdConflictError(id, streamId, holder.streamId);
          if (holder) holders.set(id, holder);
          return holder?.revision;
        },
        rejectChangedRepeats ? (id) => holders.get(id)?.data : undefined,
      );
      for (const event of fresh) {
        const link = linkEvent(previous, streamId, ++revision, event);
        position = this.log.insert(streamId, revision, { ...event, metadata: link.metadata }, recordedAt);
        previous = link.hash;
      }
      appended = fresh.length;
    }
    if (appended > 0) this.heads.set(streamId, { revision, position: position as number, hash: previous });
    return {
      nextExpectedRevision: revision,
      position: position === null ? null : String(position),
      appended,
    };
  }
}

/** An error as it crosses from the writer's worker thread: the store's own errors keep their class and fields. */
export type WireError =
  | { kind: 'id-conflict'; eventId: string; streamId: string; heldByStreamId: string }
  | { kind: 'content-conflict'; eventId: string; streamId: string }
  | { kind: 'wrong-revision'; streamId: string; expected: ExpectedRevision; actual: number }
  | { kind: 'other'; name: string; message: string; code?: string };

export function toWire(error: unknown): WireError {
  if (error instanceof EventIdConflictError)
    return {
      kind: 'id-conflict',
      eventId: error.eventId,
      streamId: error.streamId,
      heldByStreamId: error.heldByStreamId,
    };
  if (error instanceof EventContentConflictError)
    return { kind: 'content-conflict', eventId: error.eventId, streamId: error.streamId };
  if (error instanceof WrongExpectedRevisionError)
    return {
      kind: 'wrong-revision',
      streamId: error.streamId,
      expected: error.expected,
      actual: error.actual,
    };
  const e = error instanceof Error ? error : new Error(String(error));
  const code = (e as { code?: unknown }).code;
  return { kind: 'other', name: e.name, message: e.message, ...(typeof code === 'string' && { code }) };
}

export function fromWire(wire: WireError): Error {
  switch (wire.kind) {
    case 'id-conflict':
      return new EventIdConflictError(wire.eventId, wire.streamId, wire.heldByStreamId);
    case 'content-conflict':
      return new EventContentConflictError(wire.eventId, wire.streamId);
    case 'wrong-revision':
      return new WrongExpectedRevisionError(wire.streamId, wire.expected, wire.actual);
    case 'other': {
      const error = new Error(wire.message);
      error.name = wire.name;
      if (wire.code !== undefined) (error as Error & { code: string }).code = wire.code;
      return error;
    }
  }
}
