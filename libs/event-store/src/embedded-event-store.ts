import Database from 'better-sqlite3';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EventIdConflictError, planAppend, prepareEvents, type PreparedEvent } from './append-policy';
import { linkEvent } from './chain';
import { CatchUpSubscription, type Page } from './catch-up-subscription';
import type {
  AppendResult,
  EventStore,
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
import { SqliteEventLog } from './sqlite-event-log';

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

/**
 * The default event store: one SQLite file in WAL mode with synchronous=FULL, so an append is on disk
 * before it is acknowledged. Appends take the write lock up front (BEGIN IMMEDIATE), which keeps commits
 * in position order even with several processes writing to the file.
 */
export class EmbeddedEventStore implements EventStore {
  readonly name = 'embedded';
  private readonly db: Database.Database;
  private readonly log: SqliteEventLog;
  private readonly channel: string;
  private readonly subscriptions = new Set<Subscription>();
  private readonly clock: () => Date;
  private readonly appendInTransaction: (
    streamId: string,
    events: PreparedEvent[],
    expected: ExpectedRevision,
  ) => AppendResult;
  private readonly appendManyInTransaction: (
    writes: ReadonlyArray<{
      streamId: string;
      events: PreparedEvent[];
      expected: ExpectedRevision;
      rejectChangedRepeats?: boolean;
    }>,
  ) => AppendResult[];
  private readonly readPageInSnapshot: (after: number, limit: number, filter: NormalizedFilter) => Page;
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
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.log = new SqliteEventLog(this.db);
    this.channel = file === ':memory:' ? `:memory:${++privateDatabases}` : path.resolve(file);
    this.clock = options.clock ?? (() => new Date());
    this.appendInTransaction = this.db.transaction(
      (streamId: string, events: PreparedEvent[], expected: ExpectedRevision) =>
        this.write(streamId, events, expected),
    ).immediate;
    this.appendManyInTransaction = this.db.transaction(
      (
        writes: ReadonlyArray<{
          streamId: string;
          events: PreparedEvent[];
          expected: ExpectedRevision;
          rejectChangedRepeats?: boolean;
        }>,
      ) => writes.map((w) => this.write(w.streamId, w.events, w.expected, w.rejectChangedRepeats)),
    ).immediate;
    // The page and the head it reports come from one read snapshot.
    this.readPageInSnapshot = this.db.transaction(
      (after: number, limit: number, filter: NormalizedFilter) => {
        const events = this.log.readAfter(after, limit, filter);
        if (events.length === limit) return { events, scannedTo: Number(events[events.length - 1].position) };
        return { events, scannedTo: Math.max(this.log.head() ?? 0, after) };
      },
    ).deferred;
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
    const result = this.appendInTransaction(streamId, prepareEvents(streamId, events), expected);
    if (result.appended > 0) appendListeners.get(this.channel)?.forEach((listener) => listener());
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
    const results = this.appendManyInTransaction(prepared);
    if (results.some((r) => r.appended > 0))
      appendListeners.get(this.channel)?.forEach((listener) => listener());
    return results;
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
    await Promise.all([...this.subscriptions].map((subscription) => subscription.close()));
    this.closed = true;
    this.db.close();
    this.onClosed?.();
  }

  private write(
    streamId: string,
    events: PreparedEvent[],
    expected: ExpectedRevision,
    rejectChangedRepeats = false,
  ): AppendResult {
    const head = this.log.streamHead(streamId);
    let revision = head?.revision ?? -1;
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
    if (fresh.length === 0) {
      return { nextExpectedRevision: revision, position: head ? String(head.position) : null, appended: 0 };
    }
    const recordedAt = this.clock().toISOString();
    let position = 0;
    let previous = head?.hash ?? null;
    for (const event of fresh) {
      const link = linkEvent(previous, streamId, ++revision, event);
      position = this.log.insert(streamId, revision, { ...event, metadata: link.metadata }, recordedAt);
      previous = link.hash;
    }
    return { nextExpectedRevision: revision, position: String(position), appended: fresh.length };
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('The event store is closed');
  }
}
