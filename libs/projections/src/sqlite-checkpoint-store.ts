import Database from 'better-sqlite3';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Worker } from 'node:worker_threads';
import { restrictToOwner, startModuleWorker } from '@aidwatch/event-store';
import {
  CheckpointStore,
  INCREMENTAL,
  isIncremental,
  type Checkpoint,
  type IncrementalHead,
} from './checkpoint-store';
import type { SnapshotChanges } from './projection';

/**
 * The checkpoint port on a local SQLite file beside the service (the default; see CheckpointStore for the
 * model of whole and incremental checkpoints, parts and slots). The file's transactions are synchronous; the
 * port's promises resolve once they are committed.
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
  private readonly writeRows: (name: string, generation: number, rows: Array<[string, unknown]>) => void;
  private readonly commitHead: (
    name: string,
    position: string,
    head: IncrementalHead,
    at: string,
    dropBefore: number | undefined,
  ) => void;
  private readonly removeAll: (name: string) => void;
  private readonly file: string;
  /** The thread that runs the WAL checkpoints (see `checkpointWal`), started when the first is due. */
  private checkpointer: Worker | undefined;
  /**
   * A WAL checkpoint asked of the checkpointer and not answered yet. The next checkpoint waits for it before its
   * first write (the thread is free meanwhile): SQLite starts the WAL over only at a write that finds every
   * frame copied, which a WAL checkpoint running beside writes never sees.
   */
  private walCheckpoint: Promise<void> | undefined;
  private walCheckpointDone: (() => void) | undefined;
  /** The WAL's sync on the thread pool after parts (see `presync`). */
  private presyncing: Promise<void> | undefined;
  private presyncAgain = false;
  private closed = false;

  constructor(file: string) {
    super();
    if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
    this.db = new Database(file);
    restrictToOwner(file);
    this.db.pragma('journal_mode = WAL');
    // Parts are written without an fsync on this thread (NORMAL): the WAL is synced on the thread pool after
    // each part (`presync`), and every commit is written under FULL (see `durably`), whose fsync of the WAL then
    // has little left to flush and covers the parts' frames before it. So a committed checkpoint is on disk
    // with all its rows, and the thread does not wait for the disk while a part is written.
    this.db.pragma('synchronous = NORMAL');
    // WAL checkpoints are run on a thread of their own (`checkpointWal`), not by whichever part's commit
    // crosses the threshold; a WAL started over is truncated, so its size says how much is left to copy.
    if (file !== ':memory:') {
      this.db.pragma('wal_autocheckpoint = 0');
      this.db.pragma('journal_size_limit = 0');
    }
    this.file = file;
    // 16 MiB of page cache (SQLite's default is 2 MiB): a checkpoint rewrites rows all over the subjects'
    // table, which outgrows 2 MiB at a few thousand vessels.
    this.db.pragma('cache_size = -16384');
    this.db.exec(
      `CREATE TABLE IF NOT EXISTS checkpoints (
         name TEXT PRIMARY KEY, position TEXT NOT NULL, snapshot TEXT NOT NULL, updated_at TEXT NOT NULL);
       CREATE TABLE IF NOT EXISTS checkpoint_slots (
         name TEXT NOT NULL, key TEXT NOT NULL, slot INTEGER NOT NULL, generation INTEGER NOT NULL, value TEXT,
         UNIQUE (name, key, slot))`,
    );
    migrateEntries(this.db);
    const s = (this.statements = this.prepare());
    this.saveWhole = this.durably(
      this.db.transaction((name: string, position: string, snapshot: string, at: string) => {
        s.deleteRows.run(name);
        s.upsertCheckpoint.run(name, position, snapshot, at);
      }),
    );
    this.writeRows = this.db.transaction(
      (name: string, generation: number, rows: Array<[string, unknown]>) => {
        const committed = this.committedSlots.get(name);
        let pending = this.pendingSlots.get(name);
        if (!pending) this.pendingSlots.set(name, (pending = new Map()));
        for (const [key, value] of rows) {
          const slot = committed?.get(key) === 0 ? 1 : 0;
          s.upsertRow.run(name, key, slot, generation, value === undefined ? null : JSON.stringify(value));
          pending.set(key, slot);
        }
      },
    );
    this.commitHead = this.durably(
      this.db.transaction(
        (
          name: string,
          position: string,
          head: IncrementalHead,
          at: string,
          dropBefore: number | undefined,
        ) => {
          s.upsertCheckpoint.run(name, position, JSON.stringify(head), at);
          if (dropBefore !== undefined) s.deleteRowsBefore.run(name, dropBefore);
        },
      ),
    );
    this.removeAll = this.durably(
      this.db.transaction((name: string) => {
        s.deleteRows.run(name);
        s.deleteCheckpoint.run(name);
      }),
    );
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
      upsertCheckpoint: this.db.prepare(
        `INSERT INTO checkpoints (name, position, snapshot, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT(name) DO UPDATE SET position = excluded.position, snapshot = excluded.snapshot,
         updated_at = excluded.updated_at`,
      ),
      upsertRow: this.db.prepare(
        `INSERT INTO checkpoint_slots (name, key, slot, generation, value) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT(name, key, slot) DO UPDATE SET generation = excluded.generation, value = excluded.value`,
      ),
      head: this.db.prepare(
        'SELECT position, snapshot, updated_at AS updatedAt FROM checkpoints WHERE name = ?',
      ),
      rows: this.db.prepare(
        'SELECT key, slot, generation, value FROM checkpoint_slots WHERE name = ? AND generation BETWEEN ? AND ?',
      ),
      newestGeneration: this.db
        .prepare('SELECT max(generation) FROM checkpoint_slots WHERE name = ?')
        .pluck(),
      deleteRows: this.db.prepare('DELETE FROM checkpoint_slots WHERE name = ?'),
      deleteRowsBefore: this.db.prepare('DELETE FROM checkpoint_slots WHERE name = ? AND generation < ?'),
      deleteRowsAfter: this.db.prepare('DELETE FROM checkpoint_slots WHERE name = ? AND generation > ?'),
      deleteCheckpoint: this.db.prepare('DELETE FROM checkpoints WHERE name = ?'),
    };
  }

  async activeVersion(name: string): Promise<string | undefined> {
    this.db.exec('CREATE TABLE IF NOT EXISTS active_versions (name TEXT PRIMARY KEY, version TEXT NOT NULL)');
    const row = this.db.prepare('SELECT version FROM active_versions WHERE name = ?').get(name) as
      { version: string } | undefined;
    return row?.version;
  }

  async activate(name: string, version: string): Promise<void> {
    this.db.exec('CREATE TABLE IF NOT EXISTS active_versions (name TEXT PRIMARY KEY, version TEXT NOT NULL)');
    const upsert = this.db.prepare(
      'INSERT INTO active_versions (name, version) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET version = excluded.version',
    );
    this.durably(() => upsert.run(name, version))();
  }

  async load(name: string): Promise<Checkpoint | undefined> {
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
    return this.db
      .prepare('SELECT name, position, updated_at AS updatedAt FROM checkpoints ORDER BY name')
      .all() as Array<{ name: string; position: string; updatedAt: string }>;
  }

  async positionOf(name: string): Promise<string | undefined> {
    const row = this.db.prepare('SELECT position FROM checkpoints WHERE name = ?').get(name) as
      { position: string } | undefined;
    return row?.position;
  }

  async save(name: string, position: string, snapshot: unknown, at: Date): Promise<void> {
    if (this.walCheckpoint) await this.walCheckpoint;
    this.saveWhole(name, position, JSON.stringify(snapshot), at.toISOString());
    this.checkpointWal();
    this.committedSlots.delete(name);
    this.pendingSlots.delete(name);
    this.newestGenerations.delete(name);
  }

  async saveChanges(
    name: string,
    position: string,
    changes: SnapshotChanges,
    at: Date,
    replace = false,
  ): Promise<void> {
    if (this.walCheckpoint) await this.walCheckpoint;
    this.durably(
      this.db.transaction(() => {
        const generation = this.begin(name);
        this.writeRows(name, generation, changes.changes);
        this.commit(name, generation, position, changes.head, at, replace);
      }),
    )();
    this.checkpointWal();
  }

  async beginParts(name: string): Promise<number> {
    if (this.walCheckpoint) await this.walCheckpoint;
    return this.begin(name);
  }

  /**
   * Writes the rows in one transaction without an fsync, and has the WAL synced on the thread pool meanwhile
   * (`presync`), so the commit's own fsync is short.
   */
  async writePart(
    name: string,
    generation: number,
    rows: Array<[key: string, value: unknown]>,
  ): Promise<void> {
    this.writeRows(name, generation, rows);
    this.presync();
  }

  async commitParts(
    name: string,
    generation: number,
    position: string,
    head: unknown,
    at: Date,
    replace: boolean,
  ): Promise<void> {
    // Awaited only when there is something to wait for: otherwise the commit is made within the call.
    if (this.presyncing) await this.drain();
    this.commit(name, generation, position, head, at, replace);
    this.checkpointWal();
  }

  /**
   * Resolves once the syncs on the thread pool are done (the thread is free meanwhile), so the commit's fsync
   * flushes only its own frames, and a write called next runs within its call.
   */
  override async drain(): Promise<void> {
    while (this.presyncing) await this.presyncing;
  }

  /**
   * Has the WAL's frames written so far synced on the thread pool (nothing for a private database): one sync at
   * a time, and one more after it when parts were written meanwhile. `presyncing` resolves when none is left.
   * A failed sync is left to the commit's own fsync (under FULL), which then reports it.
   */
  private presync(): void {
    if (this.file === ':memory:') return;
    if (this.presyncing) {
      this.presyncAgain = true;
      return;
    }
    const wal = `${this.file}-wal`;
    this.presyncing = (async () => {
      do {
        this.presyncAgain = false;
        await fsyncFile(wal).catch(() => undefined);
      } while (this.presyncAgain);
    })().finally(() => (this.presyncing = undefined));
  }

  /**
   * Past `WAL_CHECKPOINT_BYTES` of WAL, has its frames copied into the database file by a PASSIVE checkpoint on
   * a worker thread with a connection of its own, under synchronous = NORMAL: SQLite syncs the WAL before the
   * copy and the database file after it, and no writer (of this process or another) starts the WAL over before
   * that, so nothing here waits for it. One at a time; a failed one is tried again after the next commit.
   */
  private checkpointWal(): void {
    if (this.file === ':memory:' || this.walCheckpoint || this.closed) return;
    const walBytes = fs.statSync(`${this.file}-wal`, { throwIfNoEntry: false })?.size ?? 0;
    if (walBytes < WAL_CHECKPOINT_BYTES) return;
    let worker: Worker;
    try {
      worker = this.checkpointer ??= this.startCheckpointer();
    } catch {
      return; // No thread to run it: the WAL is copied at the next commit, or when the file is closed.
    }
    this.walCheckpoint = new Promise<void>((resolve) => (this.walCheckpointDone = resolve));
    worker.ref();
    worker.postMessage('checkpoint');
  }

  private startCheckpointer(): Worker {
    const worker = startModuleWorker(__dirname, 'wal-checkpointer.worker', {
      workerData: { file: path.resolve(this.file) },
    });
    worker.unref();
    const answered = () => {
      this.walCheckpoint = undefined;
      this.walCheckpointDone?.();
    };
    worker.on('message', () => {
      worker.unref();
      answered();
    });
    const lost = () => {
      if (this.checkpointer !== worker) return;
      this.checkpointer = undefined;
      answered();
    };
    worker.on('error', lost);
    worker.on('exit', lost);
    return worker;
  }

  /** Drops the parts of a checkpoint never committed (they sit in slots no committed value needs); the next generation. */
  private begin(name: string): number {
    this.pendingSlots.delete(name);
    const row = this.statements.head.get(name) as { snapshot: string } | undefined;
    const head = row ? (JSON.parse(row.snapshot) as unknown) : undefined;
    const committed = isIncremental(head) ? (head.generation ?? 0) : 0;
    let written = this.newestGenerations.get(name);
    if (written === undefined) written = (this.statements.newestGeneration.get(name) as number | null) ?? 0;
    if (written > committed) this.statements.deleteRowsAfter.run(name, committed);
    const generation = Math.max(committed, written) + 1;
    this.newestGenerations.set(name, generation);
    return generation;
  }

  private commit(
    name: string,
    generation: number,
    position: string,
    head: unknown,
    at: Date,
    replace: boolean,
  ): void {
    const previous = this.statements.head.get(name) as { snapshot: string } | undefined;
    const before = previous ? (JSON.parse(previous.snapshot) as unknown) : undefined;
    const base = replace || !isIncremental(before) ? generation : (before.base ?? 0);
    const row: IncrementalHead = { [INCREMENTAL]: true, head, generation, base };
    this.commitHead(name, position, row, at.toISOString(), replace ? generation : undefined);
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
      this.committedSlots.delete(name);
      this.pendingSlots.delete(name);
      this.newestGenerations.delete(name);
    }
    this.db.pragma('secure_delete = ON');
    this.db.exec('VACUUM');
    this.db.pragma('wal_checkpoint(TRUNCATE)');
    return [...names].sort();
  }

  async delete(name: string): Promise<void> {
    this.removeAll(name);
    this.committedSlots.delete(name);
    this.pendingSlots.delete(name);
    this.newestGenerations.delete(name);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.presyncing;
    await this.walCheckpoint;
    const checkpointer = this.checkpointer;
    this.checkpointer = undefined;
    if (checkpointer) {
      const exited = new Promise<void>((resolve) => checkpointer.once('exit', () => resolve()));
      checkpointer.ref();
      checkpointer.postMessage('close');
      await exited;
    }
    if (this.db.open) this.db.close();
  }
}

/** WAL size past which a commit copies the WAL into the database file (SQLite's default is 1,000 pages). */
const WAL_CHECKPOINT_BYTES = 4 * 1024 * 1024;

/** fdatasync of a file on the thread pool (none when the file is absent). */
async function fsyncFile(file: string): Promise<void> {
  let handle: fs.promises.FileHandle;
  try {
    handle = await fs.promises.open(file, 'r+');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  try {
    await handle.datasync();
  } finally {
    await handle.close();
  }
}

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
