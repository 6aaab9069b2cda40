import Database from 'better-sqlite3';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SnapshotChanges } from './projection';

/** Marks a checkpoint row whose state lives in `checkpoint_subjects` (one row per subject). */
const INCREMENTAL = 'aidwatch.checkpoint.incremental';

export interface Checkpoint {
  position: string;
  snapshot: unknown;
  updatedAt: string;
  /** Saved by `saveChanges` (head plus per-subject entries) rather than whole. */
  incremental: boolean;
}

/**
 * Projection checkpoints and state snapshots, kept beside the read model in a local SQLite file. A snapshot is
 * stored whole, or incrementally: a head in the checkpoint row and one row per subject in `checkpoint_subjects`,
 * of which a checkpoint rewrites only the changed ones, in the same transaction as the position.
 */
export class CheckpointStore {
  private readonly db: Database.Database;

  constructor(file: string) {
    if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    // 64 MiB of page cache (SQLite's default is 2 MiB): a checkpoint rewrites rows all over the subjects'
    // table, which outgrows 2 MiB at a few thousand vessels.
    this.db.pragma('cache_size = -65536');
    this.db.exec(
      `CREATE TABLE IF NOT EXISTS checkpoints (
         name TEXT PRIMARY KEY, position TEXT NOT NULL, snapshot TEXT NOT NULL, updated_at TEXT NOT NULL);
       CREATE TABLE IF NOT EXISTS checkpoint_subjects (
         name TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, UNIQUE (name, key))`,
    );
    migrateEntries(this.db);
    const upsertCheckpoint = this.db.prepare(
      `INSERT INTO checkpoints (name, position, snapshot, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT(name) DO UPDATE SET position = excluded.position, snapshot = excluded.snapshot,
       updated_at = excluded.updated_at`,
    );
    const upsertEntry = this.db.prepare(
      `INSERT INTO checkpoint_subjects (name, key, value) VALUES (?, ?, ?)
       ON CONFLICT(name, key) DO UPDATE SET value = excluded.value`,
    );
    const deleteEntry = this.db.prepare('DELETE FROM checkpoint_subjects WHERE name = ? AND key = ?');
    const deleteEntries = this.db.prepare('DELETE FROM checkpoint_subjects WHERE name = ?');
    this.saveWhole = this.db.transaction((name: string, position: string, snapshot: string, at: string) => {
      deleteEntries.run(name);
      upsertCheckpoint.run(name, position, snapshot, at);
    });
    this.saveIncrement = this.db.transaction(
      (name: string, position: string, changes: SnapshotChanges, at: string, replace: boolean) => {
        if (replace) deleteEntries.run(name);
        for (const [key, value] of changes.changes) {
          if (value === undefined) deleteEntry.run(name, key);
          else upsertEntry.run(name, key, JSON.stringify(value));
        }
        upsertCheckpoint.run(name, position, JSON.stringify({ [INCREMENTAL]: true, head: changes.head }), at);
      },
    );
    this.removeAll = this.db.transaction((name: string) => {
      deleteEntries.run(name);
      this.db.prepare('DELETE FROM checkpoints WHERE name = ?').run(name);
    });
  }

  private readonly saveWhole: (name: string, position: string, snapshot: string, at: string) => void;
  private readonly saveIncrement: (
    name: string,
    position: string,
    changes: SnapshotChanges,
    at: string,
    replace: boolean,
  ) => void;
  private readonly removeAll: (name: string) => void;

  /** The active version of a blue/green projection (undefined: the unversioned original). */
  activeVersion(name: string): string | undefined {
    this.db.exec('CREATE TABLE IF NOT EXISTS active_versions (name TEXT PRIMARY KEY, version TEXT NOT NULL)');
    const row = this.db.prepare('SELECT version FROM active_versions WHERE name = ?').get(name) as
      { version: string } | undefined;
    return row?.version;
  }

  /** Makes `version` the one a blue/green projection serves. */
  activate(name: string, version: string): void {
    this.db.exec('CREATE TABLE IF NOT EXISTS active_versions (name TEXT PRIMARY KEY, version TEXT NOT NULL)');
    this.db
      .prepare(
        'INSERT INTO active_versions (name, version) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET version = excluded.version',
      )
      .run(name, version);
  }

  load(name: string): Checkpoint | undefined {
    const row = this.db
      .prepare('SELECT position, snapshot, updated_at AS updatedAt FROM checkpoints WHERE name = ?')
      .get(name) as { position: string; snapshot: string; updatedAt: string } | undefined;
    if (!row) return undefined;
    let snapshot = JSON.parse(row.snapshot) as unknown;
    const incremental = isIncremental(snapshot);
    if (isIncremental(snapshot)) {
      const entries: Record<string, unknown> = {};
      const rows = this.db
        .prepare('SELECT key, value FROM checkpoint_subjects WHERE name = ?')
        .all(name) as Array<{ key: string; value: string }>;
      for (const entry of rows) entries[entry.key] = JSON.parse(entry.value);
      snapshot = { head: snapshot.head, entries };
    }
    return { position: row.position, snapshot, updatedAt: row.updatedAt, incremental };
  }

  /** Saves the whole state (dropping any per-subject entries of an earlier incremental checkpoint). */
  save(name: string, position: string, snapshot: unknown, at: Date): void {
    this.saveWhole(name, position, JSON.stringify(snapshot), at.toISOString());
  }

  /**
   * Saves the head and the changed entries with the position, in one transaction; `replace` first drops
   * every entry saved before (the state was not restored from this checkpoint).
   */
  saveChanges(name: string, position: string, changes: SnapshotChanges, at: Date, replace = false): void {
    this.saveIncrement(name, position, changes, at.toISOString(), replace);
  }

  delete(name: string): void {
    this.removeAll(name);
  }

  close(): void {
    this.db.close();
  }
}

function isIncremental(snapshot: unknown): snapshot is { head: unknown } {
  return typeof snapshot === 'object' && snapshot !== null && INCREMENTAL in snapshot;
}

/**
 * Files written before per-subject rows moved to a rowid table (`checkpoint_entries`, WITHOUT ROWID) are
 * carried over once. Subject rows are hundreds of bytes: SQLite keeps WITHOUT ROWID rows inside the primary
 * key's B-tree, which suits rows of a few dozen bytes and made each upsert of a large row several times dearer.
 */
function migrateEntries(db: Database.Database): void {
  const old = db
    .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'checkpoint_entries'")
    .get();
  if (!old) return;
  db.transaction(() => {
    db.exec(`INSERT OR REPLACE INTO checkpoint_subjects (name, key, value)
               SELECT name, key, value FROM checkpoint_entries;
             DROP TABLE checkpoint_entries;`);
  })();
}
