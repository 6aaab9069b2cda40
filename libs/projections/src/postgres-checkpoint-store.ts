import { createPool, migrate, withReconnect, type Fence, type Migration } from '@aidwatch/event-store';
import type { Pool, PoolClient } from 'pg';
import {
  CheckpointStore,
  INCREMENTAL,
  isIncremental,
  type Checkpoint,
  type IncrementalHead,
} from './checkpoint-store';
import type { SnapshotChanges } from './projection';

export const CHECKPOINT_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'checkpoints, per-subject slots, active versions',
    sql: `
      CREATE TABLE aidwatch_checkpoints (
        name       text PRIMARY KEY,
        position   text NOT NULL,
        snapshot   text NOT NULL,
        updated_at text NOT NULL
      );
      CREATE TABLE aidwatch_checkpoint_slots (
        name       text     NOT NULL,
        key        text     NOT NULL,
        slot       smallint NOT NULL CHECK (slot IN (0, 1)),
        generation bigint   NOT NULL,
        value      text,
        PRIMARY KEY (name, key, slot)
      );
      CREATE INDEX aidwatch_checkpoint_slots_generation ON aidwatch_checkpoint_slots (name, generation);
      CREATE TABLE aidwatch_active_versions (
        name    text PRIMARY KEY,
        version text NOT NULL
      );`,
  },
];

export interface PostgresCheckpointStoreOptions {
  /** libpq connection URI (DATABASE_URL). */
  connectionString: string;
  /** Connections of this store's pool (default 2). */
  maxConnections?: number;
  applicationName?: string;
}

type Queryable = Pick<PoolClient, 'query'>;

interface SlotRow {
  key: string;
  slot: number;
  generation: string;
  value: string | null;
}

/**
 * The checkpoint port on PostgreSQL (EVENT_STORE=postgres), so a detector or API on any machine finds its
 * checkpoints without a shared filesystem. The same model and rules as the SQLite adapter (see
 * CheckpointStore): tables `aidwatch_checkpoints`, `aidwatch_checkpoint_slots`, `aidwatch_active_versions`,
 * created by versioned migrations (component `checkpoints`) under the migration advisory lock. `load` reads
 * the head and its subject rows in one REPEATABLE READ snapshot; each write is one transaction, which first
 * checks the projection's fence when it has one (`fenceWith`: a FencedError refuses the write). Broken
 * connections are retried for up to 30 s (every write is idempotent: an upsert of the same rows).
 */
export class PostgresCheckpointStore extends CheckpointStore {
  private readonly pool: Pool;
  private readonly ready: Promise<void>;
  private readonly committedSlots = new Map<string, Map<string, number>>();
  private readonly pendingSlots = new Map<string, Map<string, number>>();
  private readonly newestGenerations = new Map<string, number>();
  private readonly fences = new Map<string, Fence>();

  constructor(options: PostgresCheckpointStoreOptions) {
    super();
    this.pool = createPool({
      connectionString: options.connectionString,
      applicationName: options.applicationName ?? 'aidwatch-checkpoints',
      maxConnections: options.maxConnections ?? 2,
    });
    this.ready = withReconnect(() =>
      migrate(this.pool, 'checkpoints', CHECKPOINT_MIGRATIONS).then(() => undefined),
    );
    this.ready.catch(() => undefined);
  }

  override fenceWith(fence: Fence | undefined, names: readonly string[]): void {
    for (const name of names) {
      if (fence) this.fences.set(name, fence);
      else this.fences.delete(name);
      // A new fence is a new writer generation: since this process last wrote, another may have committed,
      // so which slot of each subject is committed is read afresh at the next write (`begin`).
      this.forgetSlots(name);
    }
  }

  async activeVersion(name: string): Promise<string | undefined> {
    const { rows } = await this.query<{ version: string }>(
      'SELECT version FROM aidwatch_active_versions WHERE name = $1',
      [name],
    );
    return rows[0]?.version;
  }

  async activate(name: string, version: string): Promise<void> {
    await this.query(
      `INSERT INTO aidwatch_active_versions (name, version) VALUES ($1, $2)
       ON CONFLICT (name) DO UPDATE SET version = excluded.version`,
      [name, version],
    );
  }

  async load(name: string): Promise<Checkpoint | undefined> {
    this.pendingSlots.delete(name);
    this.newestGenerations.delete(name);
    const read = await this.transaction(
      async (client) => {
        const head = await readHead(client, name);
        if (!head) return undefined;
        const snapshot = JSON.parse(head.snapshot) as unknown;
        if (!isIncremental(snapshot)) return { head, snapshot, rows: [] as SlotRow[] };
        const { rows } = await client.query<SlotRow>(
          `SELECT key, slot, generation::text AS generation, value FROM aidwatch_checkpoint_slots
         WHERE name = $1 AND generation BETWEEN $2 AND $3`,
          [name, snapshot.base ?? 0, snapshot.generation ?? 0],
        );
        return { head, snapshot, rows };
      },
      undefined,
      'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY',
    );
    if (!read) {
      this.committedSlots.delete(name);
      return undefined;
    }
    const { head, rows } = read;
    let snapshot = read.snapshot;
    const incremental = isIncremental(snapshot);
    if (isIncremental(snapshot)) {
      const newest = new Map<string, { slot: number; generation: number; value: string | null }>();
      for (const r of rows) {
        const generation = Number(r.generation);
        const seen = newest.get(r.key);
        if (!seen || generation > seen.generation) newest.set(r.key, { ...r, generation });
      }
      const slots = new Map<string, number>();
      const entries: Record<string, unknown> = {};
      for (const [key, r] of newest) {
        slots.set(key, r.slot);
        if (r.value !== null) entries[key] = JSON.parse(r.value);
      }
      this.committedSlots.set(name, slots);
      snapshot = { head: snapshot.head, entries };
    } else {
      this.committedSlots.delete(name);
    }
    return { position: head.position, snapshot, updatedAt: head.updated_at, incremental };
  }

  async committed(): Promise<Array<{ name: string; position: string; updatedAt: string }>> {
    const { rows } = await this.query<{ name: string; position: string; updatedAt: string }>(
      'SELECT name, position, updated_at AS "updatedAt" FROM aidwatch_checkpoints ORDER BY name',
      [],
    );
    return rows;
  }

  async positionOf(name: string): Promise<string | undefined> {
    const { rows } = await this.query<{ position: string }>(
      'SELECT position FROM aidwatch_checkpoints WHERE name = $1',
      [name],
    );
    return rows[0]?.position;
  }

  async save(name: string, position: string, snapshot: unknown, at: Date): Promise<void> {
    const text = JSON.stringify(snapshot);
    await this.transaction(async (client) => {
      await client.query('DELETE FROM aidwatch_checkpoint_slots WHERE name = $1', [name]);
      await upsertHead(client, name, position, text, at);
    }, name);
    this.forgetSlots(name);
  }

  async saveChanges(
    name: string,
    position: string,
    changes: SnapshotChanges,
    at: Date,
    replace = false,
  ): Promise<void> {
    await this.committing(
      name,
      replace,
      this.transaction(async (client) => {
        const generation = await this.begin(client, name);
        await this.writeRows(client, name, generation, changes.changes);
        await this.commit(client, name, generation, position, changes.head, at, replace);
      }, name),
    );
  }

  async beginParts(name: string): Promise<number> {
    return this.transaction((client) => this.begin(client, name), name);
  }

  async writePart(
    name: string,
    generation: number,
    rows: Array<[key: string, value: unknown]>,
  ): Promise<void> {
    await this.transaction((client) => this.writeRows(client, name, generation, rows), name);
  }

  async commitParts(
    name: string,
    generation: number,
    position: string,
    head: unknown,
    at: Date,
    replace: boolean,
  ): Promise<void> {
    await this.committing(
      name,
      replace,
      this.transaction((client) => this.commit(client, name, generation, position, head, at, replace), name),
    );
  }

  /**
   * Waits for a commit of projection `name`. Once it is committed, the slots its rows went to hold the committed
   * values. If it failed, whether it committed is not known (a broken connection may lose the answer to a COMMIT
   * that went through, and the transaction is then run again): what this store knows of the slots is dropped,
   * and the next write reads them from the rows (`begin`), so it never overwrites a value the committed head
   * uses.
   */
  /** Forgets what this store knows of projection `name`'s slots: the next write reads them from the rows (`begin`). */
  private forgetSlots(name: string): void {
    this.committedSlots.delete(name);
    this.pendingSlots.delete(name);
    this.newestGenerations.delete(name);
  }

  private async committing(name: string, replace: boolean, commit: Promise<void>): Promise<void> {
    try {
      await commit;
    } catch (error) {
      this.forgetSlots(name);
      throw error;
    }
    const pending = this.pendingSlots.get(name) ?? new Map<string, number>();
    this.pendingSlots.delete(name);
    let committed = this.committedSlots.get(name);
    if (replace || !committed) this.committedSlots.set(name, (committed = new Map()));
    for (const [key, slot] of pending) committed.set(key, slot);
  }

  async delete(name: string): Promise<void> {
    await this.transaction(async (client) => {
      await client.query('DELETE FROM aidwatch_checkpoint_slots WHERE name = $1', [name]);
      await client.query('DELETE FROM aidwatch_checkpoints WHERE name = $1', [name]);
    }, name);
    this.forgetSlots(name);
  }

  /**
   * Erasure (see CheckpointStore.dropHolding). The matching rows are deleted in one transaction, then both
   * tables are rewritten (`VACUUM FULL`, an exclusive lock for its duration), so no live or dead tuple of the
   * tables still holds the value. PostgreSQL's write-ahead log and any base backup keep the old pages until
   * they are recycled or expire; that is the operator's retention of those (docs/operations.md).
   */
  async dropHolding(value: string): Promise<string[]> {
    const needle = `%${escapeLike(JSON.stringify(value).slice(1, -1))}%`;
    const names = await this.transaction(async (client) => {
      const { rows } = await client.query<{ name: string }>(
        `SELECT name FROM aidwatch_checkpoints WHERE snapshot LIKE $1
         UNION SELECT DISTINCT name FROM aidwatch_checkpoint_slots WHERE value LIKE $1`,
        [needle],
      );
      const found = rows.map((r) => r.name).sort();
      if (found.length > 0) {
        await client.query('DELETE FROM aidwatch_checkpoint_slots WHERE name = ANY($1::text[])', [found]);
        await client.query('DELETE FROM aidwatch_checkpoints WHERE name = ANY($1::text[])', [found]);
      }
      return found;
    }, undefined);
    for (const name of names) {
      this.forgetSlots(name);
    }
    if (names.length > 0) await this.query('VACUUM FULL aidwatch_checkpoints, aidwatch_checkpoint_slots', []);
    return names;
  }

  async close(): Promise<void> {
    await this.ready.catch(() => undefined);
    await this.pool.end();
  }

  private async begin(client: Queryable, name: string): Promise<number> {
    this.pendingSlots.delete(name);
    const row = await readHead(client, name);
    const head = row ? (JSON.parse(row.snapshot) as unknown) : undefined;
    const committed = isIncremental(head) ? (head.generation ?? 0) : 0;
    if (!this.committedSlots.has(name)) {
      // Not known here (another writer committed last, or this process has not loaded it): the slot each
      // subject's committed value is in, so this write never overwrites a value the committed head still uses.
      const slots = new Map<string, number>();
      if (isIncremental(head)) {
        const { rows } = await client.query<{ key: string; slot: number }>(
          `SELECT DISTINCT ON (key) key, slot FROM aidwatch_checkpoint_slots
           WHERE name = $1 AND generation BETWEEN $2 AND $3 ORDER BY key, generation DESC`,
          [name, head.base ?? 0, committed],
        );
        for (const r of rows) slots.set(r.key, r.slot);
      }
      this.committedSlots.set(name, slots);
    }
    let written = this.newestGenerations.get(name);
    if (written === undefined) {
      const { rows } = await client.query<{ newest: string | null }>(
        'SELECT max(generation)::text AS newest FROM aidwatch_checkpoint_slots WHERE name = $1',
        [name],
      );
      written = Number(rows[0].newest ?? 0);
    }
    if (written > committed)
      await client.query('DELETE FROM aidwatch_checkpoint_slots WHERE name = $1 AND generation > $2', [
        name,
        committed,
      ]);
    const generation = Math.max(committed, written) + 1;
    this.newestGenerations.set(name, generation);
    return generation;
  }

  private async writeRows(
    client: Queryable,
    name: string,
    generation: number,
    rows: Array<[string, unknown]>,
  ): Promise<void> {
    if (rows.length === 0) return;
    const committed = this.committedSlots.get(name);
    // One statement cannot upsert a row twice: a key written twice in a part keeps its last value.
    const last = new Map<string, unknown>(rows);
    const keys = [...last.keys()];
    const slots = keys.map((key) => (committed?.get(key) === 0 ? 1 : 0));
    await client.query(
      `INSERT INTO aidwatch_checkpoint_slots (name, key, slot, generation, value)
       SELECT $1, key, slot, $2, value FROM unnest($3::text[], $4::smallint[], $5::text[]) AS t(key, slot, value)
       ON CONFLICT (name, key, slot) DO UPDATE SET generation = excluded.generation, value = excluded.value`,
      [
        name,
        generation,
        keys,
        slots,
        keys.map((key) => {
          const value = last.get(key);
          return value === undefined ? null : JSON.stringify(value);
        }),
      ],
    );
    let pending = this.pendingSlots.get(name);
    if (!pending) this.pendingSlots.set(name, (pending = new Map()));
    keys.forEach((key, i) => pending.set(key, slots[i]));
  }

  private async commit(
    client: Queryable,
    name: string,
    generation: number,
    position: string,
    head: unknown,
    at: Date,
    replace: boolean,
  ): Promise<void> {
    const previous = await readHead(client, name);
    const before = previous ? (JSON.parse(previous.snapshot) as unknown) : undefined;
    const base = replace || !isIncremental(before) ? generation : (before.base ?? 0);
    const row: IncrementalHead = { [INCREMENTAL]: true, head, generation, base };
    await upsertHead(client, name, position, JSON.stringify(row), at);
    if (replace)
      await client.query('DELETE FROM aidwatch_checkpoint_slots WHERE name = $1 AND generation < $2', [
        name,
        generation,
      ]);
  }

  private async query<R extends object>(sql: string, values: unknown[]): Promise<{ rows: R[] }> {
    await this.ready;
    return withReconnect(() => this.pool.query<R & Record<string, unknown>>(sql, values));
  }

  /**
   * Runs `work` in one transaction on one connection, first checking the fence of projection `name` if it
   * has one; a broken connection runs it again from the start.
   */
  private async transaction<T>(
    work: (client: PoolClient) => Promise<T>,
    name: string | undefined,
    begin = 'BEGIN',
  ): Promise<T> {
    await this.ready;
    return withReconnect(async () => {
      const client = await this.pool.connect();
      let broken: Error | undefined;
      try {
        await client.query(begin);
        if (name !== undefined) await this.fences.get(name)?.check(client);
        const result = await work(client);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        broken = error as Error;
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release(broken);
      }
    });
  }
}

/** `text` as a literal inside a LIKE pattern (backslash is PostgreSQL's default LIKE escape). */
function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

async function readHead(
  client: Queryable,
  name: string,
): Promise<{ position: string; snapshot: string; updated_at: string } | undefined> {
  const { rows } = await client.query<{ position: string; snapshot: string; updated_at: string }>(
    'SELECT position, snapshot, updated_at FROM aidwatch_checkpoints WHERE name = $1',
    [name],
  );
  return rows[0];
}

async function upsertHead(client: Queryable, name: string, position: string, snapshot: string, at: Date) {
  await client.query(
    `INSERT INTO aidwatch_checkpoints (name, position, snapshot, updated_at) VALUES ($1, $2, $3, $4)
     ON CONFLICT (name) DO UPDATE SET position = excluded.position, snapshot = excluded.snapshot,
       updated_at = excluded.updated_at`,
    [name, position, snapshot, at.toISOString()],
  );
}
