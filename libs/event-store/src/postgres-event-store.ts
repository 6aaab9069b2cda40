import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import type { Pool, PoolClient } from 'pg';
import { EventIdConflictError, planAppend, prepareEvents, type PreparedEvent } from './append-policy';
import { CatchUpSubscription, type Page } from './catch-up-subscription';
import { linkEvent } from './chain';
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
import { START_POSITION } from './event-store.port';
import { createPool, isConnectionError, isTransactionRetry, withReconnect } from './postgres/connection';
import { migrate, type Migration } from './postgres/migrations';
import { PRUNE_BATCH_ROWS, PruneHeadError, type PrunableEventStore } from './prunable';
import { checkCount, checkStreamRead, normalizeFilter, type NormalizedFilter } from './read-options';

/**
 * A place in the PostgreSQL store's global order: the id of the transaction that wrote the event (xid8),
 * then the event's sequence number. Written `<transaction>/<sequence>` in the port's opaque positions, so
 * `comparePositions` (component by component) orders them as the store does.
 */
export interface TransactionPosition {
  transaction: bigint;
  sequence: bigint;
}

const MAX_SEQUENCE = 9_223_372_036_854_775_807n;

export function formatTransactionPosition(position: TransactionPosition): Position {
  return `${position.transaction}/${position.sequence}`;
}

/**
 * Parses `<transaction>/<sequence>`; undefined or `0` gives the start of the log (`0` is "before the first event"
 * on every store, as on the embedded one). TypeError for anything else.
 */
export function parseTransactionPosition(position: Position | undefined): TransactionPosition {
  if (position === undefined || position === START_POSITION) return { transaction: 0n, sequence: 0n };
  const match = /^(\d{1,20})\/(\d{1,19})$/.exec(position);
  if (!match) throw new TypeError(`Not a position of this store: ${JSON.stringify(position)}`);
  const parsed = { transaction: BigInt(match[1]), sequence: BigInt(match[2]) };
  if (parsed.transaction >= 2n ** 64n || parsed.sequence > MAX_SEQUENCE)
    throw new TypeError(`Not a position of this store: ${JSON.stringify(position)}`);
  return parsed;
}

/** Advisory lock class of stream locks (pg_advisory_xact_lock's first word): "AWES". */
export const STREAM_LOCK_CLASS = 0x41574553;

export const EVENT_STORE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'events table ordered by transaction id, stream locks',
    sql: `
      CREATE TABLE aidwatch_events (
        position       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        transaction_id xid8        NOT NULL DEFAULT pg_current_xact_id(),
        id             uuid        NOT NULL UNIQUE,
        stream_id      text        NOT NULL,
        revision       bigint      NOT NULL CHECK (revision >= 0),
        type           text        NOT NULL,
        data           text        NOT NULL,
        metadata       text        NOT NULL,
        chain_hash     text,
        recorded_at    timestamptz NOT NULL,
        UNIQUE (stream_id, revision)
      );
      CREATE INDEX aidwatch_events_global_order ON aidwatch_events (transaction_id, position);
      CREATE FUNCTION aidwatch_lock_streams(streams text[]) RETURNS void LANGUAGE plpgsql AS $$
      DECLARE
        k integer;
      BEGIN
        -- One lock per stream, always taken in the same order, so two appenders never deadlock.
        FOR k IN SELECT DISTINCT hashtext(s) FROM unnest(streams) AS s ORDER BY 1 LOOP
          PERFORM pg_advisory_xact_lock(${STREAM_LOCK_CLASS}, k);
        END LOOP;
      END $$;`,
  },
];

/** Raised at start-up when the events hold transaction ids the server has not reached (a logical restore). */
export class TransactionIdsBehindError extends Error {
  constructor(
    readonly newestStored: string,
    readonly serverNext: string,
  ) {
    super(
      `The events table holds transaction id ${newestStored} but this server's next is ${serverNext}: the data was ` +
        'restored from a logical dump into another cluster, and new events would sort before old ones. Restore ' +
        'from a physical backup, or advance the server past that id (docs/postgres-store.md, "Backups").',
    );
    this.name = 'TransactionIdsBehindError';
  }
}

export interface PostgresEventStoreOptions {
  /** libpq connection URI (DATABASE_URL). */
  connectionString: string;
  /** Connections of this store's pool (default 4). */
  maxConnections?: number;
  /** How often a caught-up subscription looks for appends by other processes (default 100 ms). */
  pollIntervalMs?: number;
  /** Events a subscription reads per page (default 500). */
  pageSize?: number;
  /**
   * How long `readAll` and `headPosition` wait for write transactions older than the newest committed event
   * to end (default 10 s); past it they answer from what is settled, never with a gap.
   */
  settleTimeoutMs?: number;
  applicationName?: string;
  clock?: () => Date;
  /**
   * Runs inside each append transaction just before COMMIT, after its events are inserted: fault injection
   * for tests (a long transaction, a crash between insert and commit). Not for production use.
   */
  beforeCommit?: () => Promise<void>;
}

/** Events one append transaction takes before the rest waits for the next (a single append is never split). */
export const POSTGRES_GROUP_COMMIT_MAX_EVENTS = 2000;

/** Attempts of one append transaction after deadlocks, serialization failures or a concurrent equal id. */
const MAX_TRANSACTION_ATTEMPTS = 8;

const COLUMNS = `e.position::text AS position, e.transaction_id::text AS transaction_id, e.id::text AS id,
  e.stream_id, e.revision::text AS revision, e.type, e.data, e.metadata,
  to_char(e.recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS recorded_at`;

interface EventRow {
  position: string;
  transaction_id: string;
  id: string;
  stream_id: string;
  revision: string;
  type: string;
  data: string;
  metadata: string;
  recorded_at: string;
}

function toStored(row: EventRow): StoredEvent {
  return {
    id: row.id,
    type: row.type,
    streamId: row.stream_id,
    revision: Number(row.revision),
    position: `${row.transaction_id}/${row.position}`,
    data: JSON.parse(row.data),
    metadata: JSON.parse(row.metadata),
    recordedAt: row.recorded_at,
  };
}

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

/** A stream's newest event: its position is known, or is that of an event inserted in this transaction. */
interface Head {
  revision: number;
  hash: string | null;
  position: { known: Position } | { insertedId: string } | null;
}

interface Holder {
  streamId: string;
  revision: number;
  data: string;
}

interface NewRow {
  id: string;
  streamId: string;
  revision: number;
  type: string;
  data: string;
  metadata: string;
  hash: string;
}

const ORDER_QUERY = `
  SELECT s.xmin::text AS xmin, n.transaction_id::text AS newest, e.*
  FROM (SELECT pg_snapshot_xmin(pg_current_snapshot()) AS xmin) AS s
  LEFT JOIN LATERAL (
    SELECT transaction_id FROM aidwatch_events ORDER BY transaction_id DESC, position DESC LIMIT 1
  ) AS n ON true
  LEFT JOIN LATERAL (
    SELECT ${COLUMNS} FROM aidwatch_events e
    WHERE (e.transaction_id, e.position) > ($1::xid8, $2::bigint)
      AND e.transaction_id < s.xmin
      AND ($3::text[] IS NULL OR EXISTS (SELECT 1 FROM unnest($3::text[]) AS p WHERE starts_with(e.type, p)))
      AND ($4::text[] IS NULL OR EXISTS (SELECT 1 FROM unnest($4::text[]) AS p WHERE starts_with(e.stream_id, p)))
    ORDER BY e.transaction_id, e.position
    LIMIT $5
  ) AS e ON true`;

interface OrderedRead {
  events: StoredEvent[];
  /** Every transaction below it has ended: the events below it are all there and will stay as they are. */
  xmin: bigint;
  /** Committed events exist that cannot be read in order yet (an older transaction is still running). */
  pending: boolean;
}

// Stores of one database in one process wake each other's subscriptions without waiting for a poll.
const appendListeners = new Map<string, Set<() => void>>();

function listen(channel: string, listener: () => void): () => void {
  const listeners = appendListeners.get(channel) ?? new Set();
  appendListeners.set(channel, listeners.add(listener));
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0 && appendListeners.get(channel) === listeners) appendListeners.delete(channel);
  };
}

/**
 * The event store on PostgreSQL (EVENT_STORE=postgres, DATABASE_URL), for several writer processes on one
 * database (docs/postgres-store.md).
 *
 * Order: each event row carries the id of the transaction that wrote it (`pg_current_xact_id()`, xid8) and a
 * sequence number; the global order is (transaction id, sequence), and readers take only rows whose
 * transaction id is below `pg_snapshot_xmin(pg_current_snapshot())`: every transaction below that is over,
 * so the rows there are final and a later commit can never land behind a reader's cursor (Emmett's
 * PostgreSQL store reads the same way). Sequence numbers alone would not do: they are taken at insert, and a
 * transaction that inserted earlier may commit later. A write transaction that stays open delays delivery
 * of everything newer (it is never skipped).
 *
 * Appends: a transaction locks its streams (transaction-level advisory locks, taken in hash order), reads
 * their heads and the holders of its ids, plans with the shared append policy (idempotent ids, expected
 * revisions, per-stream hash chain), inserts all rows in one statement and commits. Appends requested while
 * one commits are grouped into the next transaction (up to POSTGRES_GROUP_COMMIT_MAX_EVENTS events); if a
 * group fails, each append is retried alone so one caller's conflict never fails another's. Deadlocks,
 * serialization failures and an id inserted concurrently by another process are retried; a broken
 * connection too (for up to 30 s), which is safe because a repeated append is recognised by its ids.
 *
 * Schema: created and migrated on first use (versioned, under an advisory lock: instances may start together).
 */
export class PostgresEventStore implements PrunableEventStore {
  readonly name = 'postgres';
  private readonly pool: Pool;
  private readonly ready: Promise<void>;
  private readonly channel: string;
  private readonly clock: () => Date;
  private readonly subscriptions = new Set<Subscription>();
  private queue: QueuedAppend[] = [];
  private flushing = false;
  private flushScheduled = false;
  private drained: Array<() => void> = [];
  private closed = false;

  constructor(private readonly options: PostgresEventStoreOptions) {
    this.pool = createPool({
      connectionString: options.connectionString,
      applicationName: options.applicationName ?? 'aidwatch-event-store',
      maxConnections: options.maxConnections,
    });
    this.channel = options.connectionString;
    this.clock = options.clock ?? (() => new Date());
    this.ready = withReconnect(() => this.initialise());
    this.ready.catch(() => undefined);
  }

  /** Resolves once the schema is in place; rejects with the reason the store cannot be used. */
  whenReady(): Promise<void> {
    return this.ready;
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
    await this.ready;
    const limit = Number.isFinite(maxCount) ? maxCount : null;
    const { rows } = await withReconnect(() =>
      this.pool.query<EventRow>(
        backwards
          ? `SELECT ${COLUMNS} FROM aidwatch_events e WHERE stream_id = $1 AND revision <= $2
             ORDER BY e.revision DESC LIMIT $3`
          : `SELECT ${COLUMNS} FROM aidwatch_events e WHERE stream_id = $1 AND revision >= $2
             ORDER BY e.revision LIMIT $3`,
        [streamId, fromRevision ?? (backwards ? Number.MAX_SAFE_INTEGER : 0), limit],
      ),
    );
    return rows.map(toStored);
  }

  /**
   * Events after `after` in the global order. Waits (up to `settleTimeoutMs`) until the write transactions
   * older than the newest committed event have ended, so it returns everything committed before the call;
   * past the wait it returns the settled part only. Never leaves a gap that a later read would fill.
   */
  async readAll(options?: ReadAllOptions): Promise<StoredEvent[]> {
    this.assertOpen();
    const after = parseTransactionPosition(options?.after);
    const limit = checkCount(options?.maxCount);
    const filter = normalizeFilter(options?.filter);
    await this.ready;
    const deadline = Date.now() + (this.options.settleTimeoutMs ?? 10_000);
    for (let delay = 2; ; delay = Math.min(delay * 2, 50)) {
      const read = await this.readOrdered(after, Number.isFinite(limit) ? limit : null, filter);
      if (!read.pending || read.events.length === limit || Date.now() >= deadline) return read.events;
      await sleep(delay);
    }
  }

  subscribeToAll(options?: SubscribeOptions): Subscription {
    this.assertOpen();
    const filter = normalizeFilter(options?.filter);
    const subscription = new CatchUpSubscription<TransactionPosition>(
      {
        readPage: (after, limit) => this.readPage(after, limit, filter),
        onAppend: (listener) => listen(this.channel, listener),
      },
      parseTransactionPosition(options?.after),
      {
        pageSize: this.options.pageSize ?? 500,
        pollIntervalMs: this.options.pollIntervalMs ?? 100,
        onClose: () => this.subscriptions.delete(subscription),
        positionOf: formatTransactionPosition,
      },
    );
    this.subscriptions.add(subscription);
    return subscription;
  }

  /**
   * The newest event's position, once the older write transactions have ended (see `readAll`): a
   * subscription started after it misses nothing committed later.
   */
  async headPosition(): Promise<Position | null> {
    this.assertOpen();
    await this.ready;
    const deadline = Date.now() + (this.options.settleTimeoutMs ?? 10_000);
    for (let delay = 2; ; delay = Math.min(delay * 2, 50)) {
      const { rows } = await withReconnect(() =>
        this.pool.query<{ xmin: string; newest: string | null; settled: string | null }>(
          `SELECT s.xmin::text AS xmin,
             (SELECT transaction_id::text || '/' || position FROM aidwatch_events
               ORDER BY transaction_id DESC, position DESC LIMIT 1) AS newest,
             (SELECT transaction_id::text || '/' || position FROM aidwatch_events WHERE transaction_id < s.xmin
               ORDER BY transaction_id DESC, position DESC LIMIT 1) AS settled
           FROM (SELECT pg_snapshot_xmin(pg_current_snapshot()) AS xmin) AS s`,
        ),
      );
      const { newest, settled } = rows[0];
      if (newest === settled || Date.now() >= deadline) return settled;
      await sleep(delay);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    while (this.flushing || this.queue.length > 0) {
      await new Promise<void>((resolve) => {
        this.drained.push(resolve);
        this.scheduleFlush();
      });
    }
    await Promise.all([...this.subscriptions].map((subscription) => subscription.close()));
    this.closed = true;
    await this.pool.end();
  }

  private async initialise(): Promise<void> {
    await migrate(this.pool, 'event-store', EVENT_STORE_MIGRATIONS);
    const { rows } = await this.pool.query<{ newest: string | null; next: string }>(
      `SELECT (SELECT transaction_id::text FROM aidwatch_events ORDER BY transaction_id DESC LIMIT 1) AS newest,
              pg_snapshot_xmax(pg_current_snapshot())::text AS next`,
    );
    const { newest, next } = rows[0];
    if (newest !== null && BigInt(newest) >= BigInt(next)) throw new TransactionIdsBehindError(newest, next);
  }

  private async readOrdered(
    after: TransactionPosition,
    limit: number | null,
    filter: NormalizedFilter,
  ): Promise<OrderedRead> {
    const { rows } = await withReconnect(() =>
      this.pool.query<EventRow & { xmin: string; newest: string | null }>(ORDER_QUERY, [
        after.transaction.toString(),
        after.sequence.toString(),
        filter.eventTypePrefixes ?? null,
        filter.streamPrefixes ?? null,
        limit,
      ]),
    );
    const xmin = BigInt(rows[0].xmin);
    return {
      events: rows.filter((row) => row.id !== null).map(toStored),
      xmin,
      pending: rows[0].newest !== null && BigInt(rows[0].newest) >= xmin,
    };
  }

  private async readPage(
    after: TransactionPosition,
    limit: number,
    filter: NormalizedFilter,
  ): Promise<Page<TransactionPosition>> {
    if (this.closed) return { events: [], scannedTo: after };
    await this.ready;
    const read = await this.readOrdered(after, limit, filter);
    const last = read.events[read.events.length - 1];
    if (read.events.length === limit && last) {
      return { events: read.events, scannedTo: parseTransactionPosition(last.position) };
    }
    // Everything below xmin has been examined: the next page starts at the first transaction not yet over.
    const settled = read.xmin - 1n;
    const scannedTo = settled >= after.transaction ? { transaction: settled, sequence: MAX_SEQUENCE } : after;
    return { events: read.events, scannedTo, pending: read.pending };
  }

  private enqueue(writes: PreparedWrite[]): Promise<AppendResult[]> {
    return new Promise((resolve, reject) => {
      this.queue.push({ writes, resolve, reject });
      this.scheduleFlush();
    });
  }

  private scheduleFlush(): void {
    if (this.flushing || this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => void this.flush());
  }

  /** Commits the queued appends in one transaction, up to the group limit; if that fails, each alone. */
  private async flush(): Promise<void> {
    this.flushScheduled = false;
    if (this.flushing) return;
    if (this.queue.length === 0) {
      this.drained.splice(0).forEach((resolve) => resolve());
      return;
    }
    this.flushing = true;
    let take = 0;
    for (
      let events = 0;
      take < this.queue.length && (take === 0 || events < POSTGRES_GROUP_COMMIT_MAX_EVENTS);
      take++
    )
      for (const write of this.queue[take].writes) events += write.events.length;
    const queued = this.queue.slice(0, take);
    this.queue = this.queue.slice(take);
    let appended = false;
    const settle = (q: QueuedAppend, results: AppendResult[]) => {
      appended ||= results.some((r) => r.appended > 0);
      q.resolve(results);
    };
    try {
      await this.ready;
      const results = await this.commit(queued.map((q) => q.writes));
      queued.forEach((q, i) => settle(q, results[i]));
    } catch (error) {
      if (queued.length === 1) queued[0].reject(error);
      else
        for (const q of queued) {
          try {
            settle(q, (await this.commit([q.writes]))[0]);
          } catch (own) {
            q.reject(own);
          }
        }
    } finally {
      this.flushing = false;
      if (appended) appendListeners.get(this.channel)?.forEach((listener) => listener());
      this.scheduleFlush();
    }
  }

  /** One transaction, again after a retryable failure (see the class comment). */
  private async commit(groups: ReadonlyArray<PreparedWrite[]>): Promise<AppendResult[][]> {
    const reconnectUntil = Date.now() + 30_000;
    for (let attempt = 1, delay = 20; ; attempt++, delay = Math.min(delay * 2, 2000)) {
      try {
        return await this.commitOnce(groups);
      } catch (error) {
        const retryable =
          (attempt < MAX_TRANSACTION_ATTEMPTS && (isTransactionRetry(error) || isConcurrentInsert(error))) ||
          (isConnectionError(error) && Date.now() + delay < reconnectUntil);
        if (!retryable) throw error;
        await sleep(delay * (0.5 + Math.random()));
      }
    }
  }

  private async commitOnce(groups: ReadonlyArray<PreparedWrite[]>): Promise<AppendResult[][]> {
    const writes = groups.flat();
    const streamIds = [...new Set(writes.map((w) => w.streamId))];
    const ids = [...new Set(writes.flatMap((w) => w.events.map((e) => e.id)))];
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      await client.query('SELECT aidwatch_lock_streams($1::text[])', [streamIds]);
      const heads = await readHeads(client, streamIds);
      const holders = ids.length > 0 ? await readHolders(client, ids) : new Map<string, Holder>();
      const rows: NewRow[] = [];
      const planned = groups.map((group) => group.map((w) => planWrite(w, heads, holders, rows)));
      const inserted = new Map<string, Position>();
      if (rows.length > 0) {
        const result = await client.query<{ id: string; position: string; transaction_id: string }>(
          `INSERT INTO aidwatch_events (id, stream_id, revision, type, data, metadata, chain_hash, recorded_at)
           SELECT id, stream_id, revision, type, data, metadata, chain_hash, $8::timestamptz
           FROM unnest($1::uuid[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[])
             WITH ORDINALITY AS t(id, stream_id, revision, type, data, metadata, chain_hash, ord)
           ORDER BY ord
           RETURNING id::text AS id, position::text AS position, transaction_id::text AS transaction_id`,
          [
            rows.map((r) => r.id),
            rows.map((r) => r.streamId),
            rows.map((r) => r.revision),
            rows.map((r) => r.type),
            rows.map((r) => r.data),
            rows.map((r) => r.metadata),
            rows.map((r) => r.hash),
            this.clock().toISOString(),
          ],
        );
        for (const row of result.rows) inserted.set(row.id, `${row.transaction_id}/${row.position}`);
      }
      await this.options.beforeCommit?.();
      await client.query('COMMIT');
      return planned.map((group) =>
        group.map(({ revision, position, appended }) => ({
          nextExpectedRevision: revision,
          position:
            position === null
              ? null
              : 'known' in position
                ? position.known
                : inserted.get(position.insertedId)!,
          appended,
        })),
      );
    } catch (error) {
      if (isConnectionError(error)) broken = error as Error;
      else await client.query('ROLLBACK').catch((rollback: Error) => (broken = rollback));
      throw error;
    } finally {
      client.release(broken);
    }
  }

  /**
   * Deletes archived events by id (PrunableEventStore): each batch of `PRUNE_BATCH_ROWS` ids is one
   * transaction that first looks for a stream's newest event among them (PruneHeadError, nothing of the
   * batch deleted), then deletes. Heads only move forward, so an append committed meanwhile cannot make a
   * deleted event a head. Catch-up subscribers never see a gap in the global order (they read by position;
   * a deleted row is simply not there). Ids that are not UUIDs cannot be stored and are skipped.
   */
  async prune(ids: readonly string[]): Promise<number> {
    this.assertOpen();
    await this.ready;
    const stored = ids.filter((id) => UUID.test(id));
    let deleted = 0;
    for (let from = 0; from < stored.length; from += PRUNE_BATCH_ROWS) {
      if (from > 0) await nextTurn();
      this.assertOpen();
      const batch = stored.slice(from, from + PRUNE_BATCH_ROWS);
      deleted += await withReconnect(async () => {
        const client = await this.pool.connect();
        let broken: Error | undefined;
        try {
          await client.query('BEGIN');
          const { rows: heads } = await client.query<{ id: string; stream_id: string; revision: string }>(
            `SELECT t.id::text AS id, t.stream_id, t.revision::text AS revision FROM aidwatch_events t
             WHERE t.id = ANY($1::uuid[])
               AND NOT EXISTS (SELECT 1 FROM aidwatch_events n WHERE n.stream_id = t.stream_id AND n.revision > t.revision)
             LIMIT 1`,
            [batch],
          );
          if (heads.length > 0)
            throw new PruneHeadError(heads[0].id, heads[0].stream_id, Number(heads[0].revision));
          const { rowCount } = await client.query('DELETE FROM aidwatch_events WHERE id = ANY($1::uuid[])', [
            batch,
          ]);
          await client.query('COMMIT');
          return rowCount ?? 0;
        } catch (error) {
          if (isConnectionError(error)) broken = error as Error;
          await client.query('ROLLBACK').catch(() => undefined);
          throw error;
        } finally {
          client.release(broken);
        }
      });
    }
    return deleted;
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('The event store is closed');
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Another process inserted one of our ids between our read of holders and our insert: re-plan. */
function isConcurrentInsert(error: unknown): boolean {
  const { code, table } = (error ?? {}) as { code?: string; table?: string };
  return code === '23505' && table === 'aidwatch_events';
}

async function readHeads(client: PoolClient, streamIds: string[]): Promise<Map<string, Head>> {
  const { rows } = await client.query<{
    stream_id: string;
    revision: string;
    position: string;
    chain_hash: string | null;
  }>(
    `SELECT s.stream_id, h.revision::text AS revision, h.transaction_id::text || '/' || h.position AS position,
            h.chain_hash
     FROM unnest($1::text[]) AS s(stream_id)
     CROSS JOIN LATERAL (
       SELECT revision, transaction_id, position, chain_hash FROM aidwatch_events e
       WHERE e.stream_id = s.stream_id ORDER BY revision DESC LIMIT 1
     ) AS h`,
    [streamIds],
  );
  return new Map(
    rows.map((row) => [
      row.stream_id,
      { revision: Number(row.revision), hash: row.chain_hash, position: { known: row.position } },
    ]),
  );
}

async function readHolders(client: PoolClient, ids: string[]): Promise<Map<string, Holder>> {
  const { rows } = await client.query<{ id: string; stream_id: string; revision: string; data: string }>(
    'SELECT id::text AS id, stream_id, revision::text AS revision, data FROM aidwatch_events WHERE id = ANY($1::uuid[])',
    [ids],
  );
  return new Map(
    rows.map((row) => [row.id, { streamId: row.stream_id, revision: Number(row.revision), data: row.data }]),
  );
}

/**
 * Plans one write against the heads and holders known in this transaction (updated for the writes before
 * it), adding its new rows to `rows`. The rules are the shared append policy's (`planAppend`).
 */
function planWrite(
  write: PreparedWrite,
  heads: Map<string, Head>,
  holders: Map<string, Holder>,
  rows: NewRow[],
): { revision: number; position: Head['position']; appended: number } {
  const { streamId } = write;
  const head = heads.get(streamId) ?? { revision: -1, hash: null, position: null };
  const fresh = planAppend(
    streamId,
    write.events,
    write.expected,
    head.revision,
    (id) => {
      const holder = holders.get(id);
      if (holder && holder.streamId !== streamId)
        throw new EventIdConflictError(id, streamId, holder.streamId);
      return holder?.revision;
    },
    write.rejectChangedRepeats ? (id) => holders.get(id)?.data : undefined,
  );
  if (fresh.length === 0) return { revision: head.revision, position: head.position, appended: 0 };
  let { revision, hash } = head;
  for (const event of fresh) {
    const link = linkEvent(hash, streamId, ++revision, event);
    rows.push({ ...event, streamId, revision, metadata: link.metadata, hash: link.hash });
    holders.set(event.id, { streamId, revision, data: event.data });
    hash = link.hash;
  }
  const position = { insertedId: fresh[fresh.length - 1].id };
  heads.set(streamId, { revision, hash, position });
  return { revision, position, appended: fresh.length };
}

/** A fresh pool-free check that a database answers, for start-up messages and tests. */
export async function postgresReachable(connectionString: string): Promise<boolean> {
  const pool = createPool({ connectionString, maxConnections: 1 });
  try {
    await pool.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await pool.end();
  }
}
