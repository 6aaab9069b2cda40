import { setImmediate as nextTurn } from 'node:timers/promises';
import Database from 'better-sqlite3';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Worker } from 'node:worker_threads';
import { startModuleWorker } from './module-worker';
import { prepareEvents } from './append-policy';
import { fromWire, SqliteAppender, type GroupOutcome, type PreparedWrite } from './sqlite-appender';
import type { WriterReply, WriterRequest } from './embedded-writer.worker';
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
import { SqliteEventLog } from './sqlite-event-log';
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
  /**
   * Where appends are written (chain hash, canonical JSON, insert, fsync): `inline` on the calling thread (the
   * default), or `worker`, on a worker thread of this store with a connection of its own, so the thread that
   * consumes, validates and detects goes on meanwhile (what the services use: `EMBEDDED_WRITER`). A
   * ':memory:' database is always written inline (a worker cannot open it).
   */
  writer?: 'inline' | 'worker';
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

interface QueuedAppend {
  writes: PreparedWrite[];
  resolve: (results: AppendResult[]) => void;
  reject: (error: unknown) => void;
}

/**
 * Events one group commit takes before it leaves the rest to the next turn of the event loop. A transaction
 * blocks the thread while it runs (about 25 µs an event with its chain hash, and one fsync), so this bounds the block to
 * tens of milliseconds while keeping the fsync shared by many appends. One append larger than this is
 * still committed whole (it is atomic).
 */
export const GROUP_COMMIT_MAX_EVENTS = 500;

/**
 * Events one group commit takes with the writer on a worker thread: the transaction blocks only the worker, so
 * a group is bounded by the size of the message sent to it rather than by the time it holds the thread.
 */
export const WORKER_GROUP_COMMIT_MAX_EVENTS = 5000;

/**
 * The default event store: one SQLite file in WAL mode with synchronous=FULL, so an append is on disk
 * before it is acknowledged. Appends take the write lock up front (BEGIN IMMEDIATE), which keeps commits
 * in position order even with several processes writing to the file.
 *
 * Group commit: appends requested during one turn of the event loop (e.g. the batches of several Kafka
 * partitions) are written in one transaction, so they share one fsync; each caller's promise resolves only
 * after that commit. A group stops at `GROUP_COMMIT_MAX_EVENTS` events; the appends left wait for the next
 * turn, so other work (HTTP, Kafka heartbeats, a projection's slice) runs in between. With `writer: 'worker'`
 * the writing (`SqliteAppender`) runs on a worker thread of the store: one group at a time is sent to it, and
 * the appends requested meanwhile form the next (up to `WORKER_GROUP_COMMIT_MAX_EVENTS` events). Reads,
 * subscriptions and `prune` stay on the calling thread's own connection. See `SqliteAppender` for conflicts
 * and idempotency.
 */
export class EmbeddedEventStore implements PrunableEventStore {
  readonly name = 'embedded';
  private readonly db: Database.Database;
  private readonly log: SqliteEventLog;
  private readonly channel: string;
  private readonly subscriptions = new Set<Subscription>();
  private readonly clock: () => Date;
  /** The writer on this thread (option `writer: 'inline'`), else undefined. */
  private readonly appender: SqliteAppender | undefined;
  /** The writer's worker thread (option `writer: 'worker'`), started on the first append. */
  private worker: Worker | undefined;
  /** The group commit sent to the worker and not answered yet (one at a time: the next group grows meanwhile). */
  private sent: { id: number; queued: QueuedAppend[] } | undefined;
  private sentCount = 0;
  /** Resolves when the group sent to the worker is answered (for `close`). */
  private sentDone: Promise<void> | undefined;
  private sentResolve: (() => void) | undefined;
  private queue: QueuedAppend[] = [];
  private flushScheduled = false;
  private readonly readPageInSnapshot: (after: number, limit: number, filter: NormalizedFilter) => Page;
  private readonly pruneInTransaction: (ids: readonly string[]) => number;
  private onClosed: (() => void) | undefined;
  private closing: Promise<void> | undefined;
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
    this.appender =
      options.writer === 'worker' && file !== ':memory:'
        ? undefined
        : new SqliteAppender(this.db, this.log, this.clock);
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
    const [result] = await this.enqueue([
      { streamId, events: prepareEvents(streamId, events, this.appender !== undefined), expected },
    ]);
    return result;
  }

  async appendMany(writes: readonly StreamWrite[]): Promise<AppendResult[]> {
    this.assertOpen();
    const prepared = writes.map((w) => ({
      streamId: w.streamId,
      events: prepareEvents(w.streamId, w.events, this.appender !== undefined),
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
    const subscription: CatchUpSubscription = new CatchUpSubscription(
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
        positionOf: (cursor: number) => String(cursor),
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

  /** Writes what is queued, ends the subscriptions and the writer thread; every call resolves after that. */
  close(): Promise<void> {
    this.closing ??= this.closeOnce();
    return this.closing;
  }

  private async closeOnce(): Promise<void> {
    if (this.appender) while (this.queue.length > 0) this.flush();
    else
      while (this.queue.length > 0 || this.sent) {
        this.flush();
        await this.sentDone;
      }
    await Promise.all([...this.subscriptions].map((subscription) => subscription.close()));
    this.closed = true;
    this.db.close();
    await this.stopWorker();
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
   * turn); if that fails, each in its own. With the writer on a worker thread, sends them to it instead, up to
   * `WORKER_GROUP_COMMIT_MAX_EVENTS`, one group at a time: the appends made while it commits form the next.
   */
  private flush(): void {
    this.flushScheduled = false;
    if (this.queue.length === 0 || this.sent) return;
    const max = this.appender ? GROUP_COMMIT_MAX_EVENTS : WORKER_GROUP_COMMIT_MAX_EVENTS;
    let take = 0;
    for (let events = 0; take < this.queue.length && (take === 0 || events < max); take++)
      for (const write of this.queue[take].writes) events += write.events.length;
    const queued = this.queue.slice(0, take);
    this.queue = this.queue.slice(take);
    if (this.closed) {
      for (const q of queued) q.reject(new Error('The event store is closed'));
      return;
    }
    const groups = queued.map((q) => q.writes);
    // The writer thread reads its own clock under the write lock; a clock of the options' is read here.
    const recordedAt = this.options.clock ? this.options.clock().toISOString() : undefined;
    if (!this.appender) return this.send(queued, { id: ++this.sentCount, groups, recordedAt });
    if (this.queue.length > 0) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
    this.settle(queued, this.appender.commitGroups(groups));
  }

  /** Answers each queued append from its outcome and tells the subscriptions when anything was appended. */
  private settle(queued: readonly QueuedAppend[], outcomes: readonly GroupOutcome[]): void {
    let appended = false;
    queued.forEach((q, i) => {
      const outcome = outcomes[i];
      if ('error' in outcome) return q.reject(outcome.error);
      appended ||= outcome.results.some((r) => r.appended > 0);
      q.resolve(outcome.results);
    });
    if (appended) appendListeners.get(this.channel)?.forEach((listener) => listener());
  }

  private send(queued: QueuedAppend[], request: WriterRequest): void {
    let worker: Worker;
    try {
      worker = this.startWorker();
    } catch (error) {
      for (const q of queued) q.reject(error);
      return;
    }
    this.sent = { id: request.id, queued };
    this.sentDone = new Promise((resolve) => (this.sentResolve = resolve));
    worker.ref();
    worker.postMessage(request);
  }

  /** The group sent is answered (or lost with the worker): the next one goes. */
  private answered(reply: WriterReply | Error): void {
    const sent = this.sent;
    if (!sent) return;
    this.sent = undefined;
    this.worker?.unref();
    this.sentResolve?.();
    if (reply instanceof Error) for (const q of sent.queued) q.reject(reply);
    else
      this.settle(
        sent.queued,
        reply.outcomes.map((o) => ('error' in o ? { error: fromWire(o.error) } : o)),
      );
    if (this.queue.length > 0 && !this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  private startWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = startModuleWorker(__dirname, 'embedded-writer.worker', {
      workerData: {
        file: path.resolve(this.options.path),
        busyTimeoutMs: this.options.busyTimeoutMs ?? 5000,
      },
    });
    worker.unref();
    worker.on('message', (reply: WriterReply) => {
      if (reply.id === this.sent?.id) this.answered(reply);
    });
    const lost = (error: Error) => {
      if (this.worker !== worker) return;
      // A worker that failed is replaced at the next append (stream heads are read again from the file).
      this.worker = undefined;
      this.answered(error);
    };
    worker.on('error', lost);
    worker.on('exit', (code) => lost(new Error(`The event store's writer stopped (exit ${code})`)));
    this.worker = worker;
    return worker;
  }

  private async stopWorker(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    this.worker = undefined;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    // Held until it has closed its connection: whoever awaits `close()` goes on after it.
    worker.ref();
    worker.postMessage('close');
    await exited;
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('The event store is closed');
  }
}
