import Database from 'better-sqlite3';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { databaseFilePath, restrictToOwner } from '@aidwatch/event-store';
import {
  CheckpointStore,
  INCREMENTAL,
  isIncremental,
  type Checkpoint,
  type IncrementalHead,
} from './checkpoint-store';
import { CheckpointWriterThread, type WriterRow } from './checkpoint-writer-thread';
import type { SnapshotChanges } from './projection';
import { checkpointWrites, configureCheckpointConnection, copyWalPast } from './sqlite-checkpoint-writes';

/**
 * The checkpoint port on a local SQLite file beside the service (the default; see CheckpointStore for the
 * model of whole and incremental checkpoints, parts and slots). A checkpoint in parts is written on a worker
 * thread with a connection of its own (`CheckpointWriterThread`): the thread that detects builds each part's rows,
 * and the inserts, the commit's fsync and the WAL's copy into the database file run beside it. Everything else
 * (loads, whole checkpoints, erasure) runs on the caller's thread once the writer has nothing in flight. The
 * port's promises resolve once their writes are committed.
 */
export class SqliteCheckpointStore extends CheckpointStore {
  private readonly db: Database.Database;
  /** Per projection: the slot holding each subject's committed value (learnt by `load`, kept by commits). */
  private readonly committedSlots = new Map<string, Map<string, number>>();
  /** Per projection: the slots written by parts not committed yet. */
  private readonly pendingSlots = new Map<string, Map<string, number>>();
  /** Per projection: the newest generation written (read from the file once: it takes a scan of the rows). */
  private readonly newestGenerations = new Map<string, number>();
  private readonly statements: ReturnType<SqliteCheckpointStore['prepare']>;
  private readonly saveWhole: (name: string, position: string, snapshot: string, at: string) => void;
  private readonly writeRows: (name: string, generation: number, rows: readonly WriterRow[]) => void;
  private readonly commitHead: (
    name: string,
    position: string,
    head: string,
    at: string,
    dropBefore: number | null,
  ) => void;
  private readonly removeAll: (name: string) => void;
  private readonly file: string;
  /**
   * Parts, their commits and the WAL checkpoints, on a thread of their own (none for a private database, which
   * another connection cannot open; the writes then run on the caller's thread, as they do when no worker
   * thread can be started).
   */
  private readonly writer: CheckpointWriterThread | undefined;
  private closed = false;

  constructor(databaseFile: string) {
    super();
    if (databaseFile !== ':memory:') fs.mkdirSync(path.dirname(databaseFile), { recursive: true });
    this.db = new Database(databaseFile);
    // A symlinked file: its WAL is beside the target, where the WAL's size is read and its fsync made.
    const file = databaseFilePath(databaseFile);
    restrictToOwner(file);
    // Commits are written under FULL here by `durably`, as the writer's thread does.
    configureCheckpointConnection(this.db, file);
    this.file = file;
    this.db.exec(
      `CREATE TABLE IF NOT EXISTS checkpoints (
         name TEXT PRIMARY KEY, position TEXT NOT NULL, snapshot TEXT NOT NULL, updated_at TEXT NOT NULL);
       CREATE TABLE IF NOT EXISTS checkpoint_slots (
         name TEXT NOT NULL, key TEXT NOT NULL, slot INTEGER NOT NULL, generation INTEGER NOT NULL, value TEXT,
         UNIQUE (name, key, slot))`,
    );
    migrateEntries(this.db);
    const s = (this.statements = this.prepare());
    const writes = checkpointWrites(this.db);
    this.saveWhole = this.durably(
      this.db.transaction((name: string, position: string, snapshot: string, at: string) => {
        s.deleteRows.run(name);
        writes.upsertCheckpoint.run(name, position, snapshot, at);
      }),
    );
    this.writeRows = writes.writeRows;
    this.commitHead = this.durably(writes.commitHead);
    this.removeAll = this.durably(
      this.db.transaction((name: string) => {
        s.deleteRows.run(name);
        s.deleteCheckpoint.run(name);
      }),
    );
    this.writer = file === ':memory:' ? undefined : new CheckpointWriterThread(file, WAL_CHECKPOINT_BYTES);
  }

  /**
   * `transaction` committed under `synchronous = FULL` (the WAL is fsynced at its commit), unless called inside
   * another transaction (`saveChanges`), whose own commit is then the durable one.
   */
  private durably<A extends unknown[]>(transaction: (...args: A) => void): (...args: A) => void {
    return (...args: A) => {
      if (this.db.inTransaction) return transaction(...args);
      this.db.pragma('synchronous = FULL');
      try {
        transaction(...args);
      } finally {
        this.db.pragma('synchronous = NORMAL');
      }
    };
  }

  private prepare() {
    return {
      head: this.db.prepare(
        'SELECT position, snapshot, updated_at AS updatedAt FROM checkpoints WHERE name = ?',
      ),
      rows: this.db.prepare(
        'SELECT key, slot, generation, value FROM checkpoint_slots WHERE name = ? AND generation BETWEEN ? AND ?',
      ),
      // The slot of each key's newest row (SQLite takes a bare column from the row of max()).
      slots: this.db.prepare(
        'SELECT key, slot, max(generation) FROM checkpoint_slots WHERE name = ? AND generation BETWEEN ? AND ? GROUP BY key',
      ),
      newestGeneration: this.db
        .prepare('SELECT max(generation) FROM checkpoint_slots WHERE name = ?')
        .pluck(),
      deleteRows: this.db.prepare('DELETE FROM checkpoint_slots WHERE name = ?'),
      deleteRowsAfter: this.db.prepare('DELETE FROM checkpoint_slots WHERE name = ? AND generation > ?'),
      deleteCheckpoint: this.db.prepare('DELETE FROM checkpoints WHERE name = ?'),
    };
  }

  async activeVersion(name: string): Promise<string | undefined> {
    await this.writer?.idle();
    this.db.exec('CREATE TABLE IF NOT EXISTS active_versions (name TEXT PRIMARY KEY, version TEXT NOT NULL)');
    const row = this.db.prepare('SELECT version FROM active_versions WHERE name = ?').get(name) as
      { version: string } | undefined;
    return row?.version;
  }

  async activate(name: string, version: string): Promise<void> {
    await this.writer?.idle();
    this.db.exec('CREATE TABLE IF NOT EXISTS active_versions (name TEXT PRIMARY KEY, version TEXT NOT NULL)');
    const upsert = this.db.prepare(
      'INSERT INTO active_versions (name, version) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET version = excluded.version',
    );
    this.durably(() => upsert.run(name, version))();
  }

  async load(name: string): Promise<Checkpoint | undefined> {
    await this.writer?.idle();
    const row = this.statements.head.get(name) as
      { position: string; snapshot: string; updatedAt: string } | undefined;
    this.pendingSlots.delete(name);
    this.newestGenerations.delete(name);
    if (!row) {
      this.committedSlots.delete(name);
      return undefined;
    }
    let snapshot = JSON.parse(row.snapshot) as unknown;
    const incremental = isIncremental(snapshot);
    if (isIncremental(snapshot)) {
      const generation = snapshot.generation ?? 0;
      const rows = this.statements.rows.all(name, snapshot.base ?? 0, generation) as Array<{
        key: string;
        slot: number;
        generation: number;
        value: string | null;
      }>;
      const newest = new Map<string, { slot: number; generation: number; value: string | null }>();
      for (const r of rows) {
        const seen = newest.get(r.key);
        if (!seen || r.generation > seen.generation) newest.set(r.key, r);
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
    return { position: row.position, snapshot, updatedAt: row.updatedAt, incremental };
  }

  /**
   * Every committed checkpoint: projection name, store position reached and when (ISO 8601), by name. What a
   * stopping process reports as committed.
   */
  async committed(): Promise<Array<{ name: string; position: string; updatedAt: string }>> {
    await this.writer?.idle();
    return this.db
      .prepare('SELECT name, position, updated_at AS updatedAt FROM checkpoints ORDER BY name')
      .all() as Array<{ name: string; position: string; updatedAt: string }>;
  }

  async positionOf(name: string): Promise<string | undefined> {
    await this.writer?.idle();
    const row = this.db.prepare('SELECT position FROM checkpoints WHERE name = ?').get(name) as
      { position: string } | undefined;
    return row?.position;
  }

  async save(name: string, position: string, snapshot: unknown, at: Date): Promise<void> {
    await this.writer?.idle();
    this.saveWhole(name, position, JSON.stringify(snapshot), at.toISOString());
    this.checkpointWal();
    this.forgetSlots(name);
  }

  async saveChanges(
    name: string,
    position: string,
    changes: SnapshotChanges,
    at: Date,
    replace = false,
  ): Promise<void> {
    await this.writer?.idle();
    try {
      this.durably(
        this.db.transaction(() => {
          const generation = this.begin(name);
          this.writeRows(name, generation, this.slotted(name, changes.changes));
          const { head, dropBefore } = this.headRow(name, generation, changes.head, replace);
          this.commitHead(name, position, head, at.toISOString(), dropBefore);
        }),
      )();
    } catch (error) {
      this.forgetSlots(name);
      throw error;
    }
    this.noteCommitted(name, replace);
    this.checkpointWal();
  }

  async beginParts(name: string): Promise<number> {
    await this.writer?.idle();
    return this.begin(name);
  }

  /**
   * Builds the part's rows here (each value as JSON, in the slot its committed value does not hold) and has the
   * writer's thread insert them, in one transaction without an fsync; resolves once they are written.
   */
  async writePart(
    name: string,
    generation: number,
    rows: Array<[key: string, value: unknown]>,
  ): Promise<void> {
    const slotted = this.slotted(name, rows);
    const sent = this.offThread({ op: 'rows', name, generation, rows: slotted });
    if (sent) return sent;
    this.writeRows(name, generation, slotted);
  }

  async commitParts(
    name: string,
    generation: number,
    position: string,
    head: unknown,
    at: Date,
    replace: boolean,
  ): Promise<void> {
    const row = this.headRow(name, generation, head, replace);
    const commit = { name, position, head: row.head, at: at.toISOString(), dropBefore: row.dropBefore };
    const sent = this.offThread({ op: 'commit', ...commit });
    try {
      if (sent) await sent;
      else this.commitHead(commit.name, commit.position, commit.head, commit.at, commit.dropBefore);
    } catch (error) {
      // Committed or not (a writer thread that died after its commit loses the answer): see `forgetSlots`.
      this.forgetSlots(name);
      throw error;
    }
    if (!sent) this.checkpointWal();
    this.noteCommitted(name, replace);
  }

  /** Resolves once the writer's thread has nothing in flight (the caller's thread is free meanwhile). */
  override async drain(): Promise<void> {
    await this.writer?.idle();
  }

  /** The request's promise on the writer's thread; undefined when there is none (write on this thread). */
  private offThread(request: Parameters<CheckpointWriterThread['call']>[0]): Promise<void> | undefined {
    if (!this.writer || this.closed) return undefined;
    try {
      return this.writer.call(request);
    } catch {
      return undefined; // No worker thread could be started.
    }
  }

  /** Rows with their slots (the one the committed value does not hold), noted as pending until the commit. */
  private slotted(name: string, rows: ReadonlyArray<[key: string, value: unknown]>): WriterRow[] {
    const committed = this.committedSlots.get(name);
    let pending = this.pendingSlots.get(name);
    if (!pending) this.pendingSlots.set(name, (pending = new Map()));
    const slotted: WriterRow[] = new Array(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const [key, value] = rows[i];
      const slot = committed?.get(key) === 0 ? 1 : 0;
      slotted[i] = [key, slot, value === undefined ? null : JSON.stringify(value)];
      pending.set(key, slot);
    }
    return slotted;
  }

  /**
   * Past `WAL_CHECKPOINT_BYTES` of WAL, has its frames copied into the database file by a PASSIVE checkpoint on
   * the writer's thread (after what it has in flight), so nothing here waits for it; on this thread when there
   * is no writer's thread. A failed one is tried again after the next commit.
   */
  private checkpointWal(): void {
    if (this.file === ':memory:' || this.closed) return;
    const sent = this.offThread({ op: 'walCheckpoint' });
    if (sent) {
      sent.catch(() => undefined);
      return;
    }
    copyWalPast(this.db, this.file, WAL_CHECKPOINT_BYTES);
  }

  /**
   * What this store knows of projection `name`'s slots is dropped after a commit that failed: whether it
   * committed is not known, so the next write reads the committed slots from the rows (`begin`) rather than
   * trust a record that may be stale, and never overwrites a value the committed head uses.
   */
  private forgetSlots(name: string): void {
    this.committedSlots.delete(name);
    this.pendingSlots.delete(name);
    this.newestGenerations.delete(name);
  }

  /**
   * Drops the parts of a checkpoint never committed (they sit in slots no committed value needs); the next
   * generation. The slot each subject's committed value is in is read from the rows when not known here (after
   * a failed commit, or without a `load`).
   */
  private begin(name: string): number {
    this.pendingSlots.delete(name);
    const row = this.statements.head.get(name) as { snapshot: string } | undefined;
    const head = row ? (JSON.parse(row.snapshot) as unknown) : undefined;
    const committed = isIncremental(head) ? (head.generation ?? 0) : 0;
    if (!this.committedSlots.has(name)) {
      const slots = new Map<string, number>();
      if (isIncremental(head))
        for (const r of this.statements.slots.all(name, head.base ?? 0, committed) as Array<{
          key: string;
          slot: number;
        }>)
          slots.set(r.key, r.slot);
      this.committedSlots.set(name, slots);
    }
    let written = this.newestGenerations.get(name);
    if (written === undefined) written = (this.statements.newestGeneration.get(name) as number | null) ?? 0;
    if (written > committed) this.statements.deleteRowsAfter.run(name, committed);
    const generation = Math.max(committed, written) + 1;
    this.newestGenerations.set(name, generation);
    return generation;
  }

  /** The checkpoints row that commits `generation` (JSON), and the generation before which rows are dropped. */
  private headRow(
    name: string,
    generation: number,
    head: unknown,
    replace: boolean,
  ): { head: string; dropBefore: number | null } {
    const previous = this.statements.head.get(name) as { snapshot: string } | undefined;
    const before = previous ? (JSON.parse(previous.snapshot) as unknown) : undefined;
    const base = replace || !isIncremental(before) ? generation : (before.base ?? 0);
    const row: IncrementalHead = { [INCREMENTAL]: true, head, generation, base };
    return { head: JSON.stringify(row), dropBefore: replace ? generation : null };
  }

  /** The slots of the rows just committed hold the subjects' committed values from now on. */
  private noteCommitted(name: string, replace: boolean): void {
    const pending = this.pendingSlots.get(name) ?? new Map<string, number>();
    this.pendingSlots.delete(name);
    let committed = this.committedSlots.get(name);
    if (replace || !committed) this.committedSlots.set(name, (committed = new Map()));
    for (const [key, slot] of pending) committed.set(key, slot);
  }

  /**
   * Erasure (see CheckpointStore.dropHolding); the freed pages are wiped here by `secure_delete`, `VACUUM`
   * and a truncated WAL, so no byte of the file still holds the value.
   */
  async dropHolding(value: string): Promise<string[]> {
    await this.writer?.idle();
    const needle = `%${JSON.stringify(value)
      .slice(1, -1)
      .replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const names = new Set<string>([
      ...(this.db
        .prepare("SELECT name FROM checkpoints WHERE snapshot LIKE ? ESCAPE '\\'")
        .pluck()
        .all(needle) as string[]),
      ...(this.db
        .prepare("SELECT DISTINCT name FROM checkpoint_slots WHERE value LIKE ? ESCAPE '\\'")
        .pluck()
        .all(needle) as string[]),
    ]);
    for (const name of names) {
      this.removeAll(name);
      this.forgetSlots(name);
    }
    this.db.pragma('secure_delete = ON');
    this.db.exec('VACUUM');
    this.db.pragma('wal_checkpoint(TRUNCATE)');
    return [...names].sort();
  }

  async delete(name: string): Promise<void> {
    await this.writer?.idle();
    this.removeAll(name);
    this.forgetSlots(name);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.writer?.close();
    if (this.db.open) this.db.close();
  }
}

/** WAL size past which the WAL is copied into the database file after a commit (SQLite's default is 1,000 pages). */
const WAL_CHECKPOINT_BYTES = 4 * 1024 * 1024;

/**
 * Files written before subjects had two slots (`checkpoint_entries`, one row per subject) are carried over
 * once: every row becomes slot 0 of generation 0, which the existing head (without a generation) commits.
 */
function migrateEntries(db: Database.Database): void {
  const old = db
    .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'checkpoint_entries'")
    .get();
  if (!old) return;
  db.transaction(() => {
    db.exec(`INSERT OR REPLACE INTO checkpoint_slots (name, key, slot, generation, value)
               SELECT name, key, 0, 0, value FROM checkpoint_entries;
             DROP TABLE checkpoint_entries;`);
  })();
}
