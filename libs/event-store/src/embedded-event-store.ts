import { setImmediate as nextTurn } from 'node:timers/promises';
import Database from 'better-sqlite3';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  EventContentConflictError,
  EventIdConflictError,
  planAppend,
  prepareEvents,
  type PreparedEvent,
} from './append-policy';
import { linkEvent } from './chain';
import { CatchUpSubscription, type Page } from './catch-up-subscription';
import type {
  AppendResult,
  ExpectedRevision,
  NewEvent,
  Position,
  ReadAllOptions,
  ReadStreamOptions,
  StoredEvent,
  StreamWrite,
  SubscribeOptions,
  Subscription,
} from './event-store.port';
import {
  checkCount,
  checkStreamRead,
  normalizeFilter,
  parseSequencePosition,
  type NormalizedFilter,
} from './read-options';
import { PRUNE_BATCH_ROWS, PruneHeadError, type PrunableEventStore } from './prunable';
import { SqliteEventLog, type StreamHead } from './sqlite-event-log';
import { restrictToOwner } from './owner-only-file';

export interface EmbeddedEventStoreOptions {
  /** A file path, or ':memory:' for a private, non-durable database. */
  path: string;
  /** How often a caught-up subscription looks for appends made by other processes. */
  pollIntervalMs?: number;
  /** Events a subscription reads per page. */
  pageSize?: number;
  /** How long a writer waits for another process's write lock. */
  busyTimeoutMs?: number;
  clock?: () => Date;
}

// Stores opened on the same file in one process wake each other's subscriptions without waiting for a poll.
const appendListeners = new Map<string, Set<() => void>>();
let privateDatabases = 0;

function listen(channel: string, listener: () => void): () => void {
  const listeners = appendListeners.get(channel) ?? new Set();
  appendListeners.set(channel, listeners.add(listener));
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0 && appendListeners.get(channel) === listeners) appendListeners.delete(channel);
  };
}

const unlimited = (count: number) => (Number.isFinite(count) ? count : -1);

interface PreparedWrite {
  streamId: string;
  events: PreparedEvent[];
  expected: ExpectedRevision;
  rejectChangedRepeats?: boolean;
}

interface QueuedAppend {
  writes: PreparedWrite[];
  resolve: (results: AppendResult[]) => void;
  reject: (error: unknown) => void;
}

/** Stream heads remembered between appends; past this many the memory starts over (they are re-read on demand). */
const MAX_REMEMBERED_HEADS = 1_000_000;

/**
 * Events one group commit takes before it leaves the rest to the next turn of the event loop. A transaction
 * blocks the thread while it runs (about 25 µs an event with its chain hash, and one fsync), so this bounds the block to
 * tens of milliseconds while keeping the fsync shared by many appends. One append larger than this is
 * still committed whole (it is atomic).
 */
export const GROUP_COMMIT_MAX_EVENTS = 500;

/**
 * The default event store: one SQLite file in WAL mode with synchronous=FULL, so an append is on disk
 * before it is acknowledged. Appends take the write lock up front (BEGIN IMMEDIATE), which keeps commits
 * in position order even with several processes writing to the file.
 *
 * Group commit: appends requested during one turn of the event loop (e.g. the batches of several Kafka
 * partitions) are written in one transaction, so they share one fsync; each caller's promise resolves only
 * after that commit. A group stops at `GROUP_COMMIT_MAX_EVENTS` events; the appends left wait for the next
 * turn, so other work (HTTP, Kafka heartbeats, a projection's slice) runs in between. When the group fails, each append is retried in its own transaction, so one caller's
 * conflict never fails another's write. Idempotency for `expected: 'any'` goes through the unique index on
 * the event id (an insert that conflicts is a repeat), not through a lookup per event; stream heads are kept
 * in memory and dropped whenever another connection has committed to the file (`PRAGMA data_version`).
 */
export class EmbeddedEventStore implements PrunableEventStore {
  readonly name = 'embedded';
  private readonly db: Database.Database;
  private readonly log: SqliteEventLog;
  private readonly channel: string;
  private readonly subscriptions = new Set<Subscription>();
  private readonly clock: () => Date;
  private readonly commitInTransaction: (groups: ReadonlyArray<PreparedWrite[]>) => AppendResult[][];
  private readonly heads = new Map<string, StreamHead | null>();
  private dataVersion: number | undefined;
  private queue: QueuedAppend[] = [];
  private flushScheduled = false;
  private readonly readPageInSnapshot: (after: number, limit: number, filter: NormalizedFilter) => Page;
  private readonly pruneInTransaction: (ids: readonly string[]) => number;
  private onClosed: (() => void) | undefined;
  private closed = false;

  /** A store on a fresh file in the system's temp directory, deleted again by close(). */
  static temporary(options: Omit<EmbeddedEventStoreOptions, 'path'> = {}): EmbeddedEventStore {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aidwatch-events-'));
    const store = new EmbeddedEventStore({ ...options, path: path.join(dir, 'events.sqlite') });
    store.onClosed = () => fs.rmSync(dir, { recursive: true, force: true });
    return store;
  }

  static inMemory(options: Omit<EmbeddedEventStoreOptions, 'path'> = {}): EmbeddedEventStore {
    return new EmbeddedEventStore({ ...options, path: ':memory:' });
  }

  constructor(private readonly options: EmbeddedEventStoreOptions) {
    const file = options.path;
    if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    this.db = new Database(file, { timeout: options.busyTimeoutMs ?? 5000 });
    restrictToOwner(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    // 16 MiB of page cache (SQLite's default is 2 MiB): the id index takes inserts at random places, and a
    // cache smaller than the index turns each into page reads.
    this.db.pragma('cache_size = -16384');
    this.log = new SqliteEventLog(this.db);
    this.channel = file === ':memory:' ? `:memory:${++privateDatabases}` : path.resolve(file);
    this.clock = options.clock ?? (() => new Date());
    this.commitInTransaction = this.db.transaction((groups: ReadonlyArray<PreparedWrite[]>) => {
      this.forgetHeadsIfOthersWrote();
      const recordedAt = this.clock().toISOString();
      return groups.map((writes) =>
        writes.map((w) => this.write(w.streamId, w.events, w.expected, recordedAt, w.rejectChangedRepeats)),
      );
    }).immediate;
    // The page and the head it reports come from one read snapshot.
    this.readPageInSnapshot = this.db.transaction(
      (after: number, limit: number, filter: NormalizedFilter) => {
        const events = this.log.readAfter(after, limit, filter);
        if (events.length === limit) return { events, scannedTo: Number(events[events.length - 1].position) };
        return { events, scannedTo: Math.max(this.log.head() ?? 0, after) };
      },
    ).deferred;
    this.pruneInTransaction = this.db.transaction((ids: readonly string[]) => {
      let deleted = 0;
      for (const id of ids) {
        const outcome = this.log.deleteUnlessHead(id);
        if (outcome === 'deleted') deleted++;
        else if (outcome !== 'absent')
          throw new PruneHeadError(id, outcome.head.streamId, outcome.head.revision);
      }
      return deleted;
    }).immediate;
  }

  /** The database file (':memory:' for a private database). */
  get file(): string {
    return this.options.path;
  }

  async append(
    streamId: string,
    events: NewEvent[],
    expected: ExpectedRevision = 'any',
  ): Promise<AppendResult> {
    this.assertOpen();
    const [result] = await this.enqueue([{ streamId, events: prepareEvents(streamId, events), expected }]);
    return result;
  }

  async appendMany(writes: readonly StreamWrite[]): Promise<AppendResult[]> {
    this.assertOpen();
    const prepared = writes.map((w) => ({
      streamId: w.streamId,
      events: prepareEvents(w.streamId, w.events),
      expected: w.expected ?? 'any',
      rejectChangedRepeats: w.rejectChangedRepeats,
    }));
    return this.enqueue(prepared);
  }

  async readStream(streamId: string, options?: ReadStreamOptions): Promise<StoredEvent[]> {
    this.assertOpen();
    const { backwards, fromRevision, maxCount } = checkStreamRead(options);
    return this.log.readStream(streamId, backwards, fromRevision, unlimited(maxCount));
  }

  async readAll(options?: ReadAllOptions): Promise<StoredEvent[]> {
    this.assertOpen();
    const after = parseSequencePosition(options?.after);
    return this.log.readAfter(
      after,
      unlimited(checkCount(options?.maxCount)),
      normalizeFilter(options?.filter),
    );
  }

  /**
   * Deletes stored events by id, for storage retention once they are archived elsewhere (docs/audit.md,
   * "Retention of raw positions"); only this adapter can. Ids not stored are skipped (a repeated prune
   * completes an interrupted one). Works in transactions of `PRUNE_BATCH_ROWS` rows, in the order given,
   * yielding to the event loop between them, so a large prune never holds the thread for long; a crash
   * leaves a prefix deleted. Never deletes a stream's newest event: such an id fails its transaction with
   * PruneHeadError (the batches before it stay deleted). Stream heads, revisions and positions of the
   * events left are unchanged; the file keeps its size and reuses the freed pages. Returns how many rows
   * were deleted.
   */
  async prune(ids: readonly string[]): Promise<number> {
    this.assertOpen();
    let deleted = 0;
    for (let from = 0; from < ids.length; from += PRUNE_BATCH_ROWS) {
      if (from > 0) await nextTurn();
      this.assertOpen();
      deleted += this.pruneInTransaction(ids.slice(from, from + PRUNE_BATCH_ROWS));
    }
    return deleted;
  }

  /**
   * Ids of the streams whose id starts with `prefix`, sorted, read from the stream index (not the events):
   * e.g. every risk stream, to collect the evidence flags cite without reading the whole log.
   */
  async streamIdsStartingWith(prefix: string): Promise<string[]> {
    this.assertOpen();
    if (prefix === '') throw new RangeError('The prefix must not be empty');
    return this.log.streamIdsStartingWith(prefix);
  }

  subscribeToAll(options?: SubscribeOptions): Subscription {
    this.assertOpen();
    const filter = normalizeFilter(options?.filter);
    const subscription = new CatchUpSubscription(
      {
        readPage: (after, limit) =>
          this.closed ? { events: [], scannedTo: after } : this.readPageInSnapshot(after, limit, filter),
        onAppend: (listener) => listen(this.channel, listener),
      },
      parseSequencePosition(options?.after),
      {
        pageSize: this.options.pageSize ?? 500,
        pollIntervalMs: this.options.pollIntervalMs ?? 200,
        onClose: () => this.subscriptions.delete(subscription),
      },
    );
    this.subscriptions.add(subscription);
    return subscription;
  }

  async headPosition(): Promise<Position | null> {
    this.assertOpen();
    const head = this.log.head();
    return head === null ? null : String(head);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    while (this.queue.length > 0) this.flush();
    await Promise.all([...this.subscriptions].map((subscription) => subscription.close()));
    this.closed = true;
    this.db.close();
    this.onClosed?.();
  }

  private enqueue(writes: PreparedWrite[]): Promise<AppendResult[]> {
    return new Promise((resolve, reject) => {
      this.queue.push({ writes, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /**
   * Commits the queued appends in one transaction, up to `GROUP_COMMIT_MAX_EVENTS` events (the rest on the next
   * turn); if that fails, each in its own.
   */
  private flush(): void {
    this.flushScheduled = false;
    if (this.queue.length === 0) return;
    let take = 0;
    for (let events = 0; take < this.queue.length && (take === 0 || events < GROUP_COMMIT_MAX_EVENTS); take++)
      for (const write of this.queue[take].writes) events += write.events.length;
    const queued = this.queue.slice(0, take);
    this.queue = this.queue.slice(take);
    if (this.queue.length > 0 && !this.closed) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
    if (this.closed) {
      for (const q of queued) q.reject(new Error('The event store is closed'));
      return;
    }
    let appended = false;
    const settle = (q: QueuedAppend, results: AppendResult[]) => {
      appended ||= results.some((r) => r.appended > 0);
      q.resolve(results);
    };
    try {
      const results = this.commit(queued.map((q) => q.writes));
      queued.forEach((q, i) => settle(q, results[i]));
    } catch (error) {
      if (queued.length === 1) queued[0].reject(error);
      else
        for (const q of queued) {
          try {
            settle(q, this.commit([q.writes])[0]);
          } catch (own) {
            q.reject(own);
          }
        }
    }
    if (appended) appendListeners.get(this.channel)?.forEach((listener) => listener());
  }

  private commit(groups: ReadonlyArray<PreparedWrite[]>): AppendResult[][] {
    try {
      return this.commitInTransaction(groups);
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

  private assertOpen(): void {
    if (this.closed) throw new Error('The event store is closed');
  }
}
