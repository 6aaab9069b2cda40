import Database from 'better-sqlite3';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { restrictToOwner } from '@aidwatch/event-store';
import type { SnapshotChanges } from './projection';

/** Marks a checkpoint row whose state lives in `checkpoint_slots` (rows per subject). */
const INCREMENTAL = 'aidwatch.checkpoint.incremental';

export interface Checkpoint {
  position: string;
  snapshot: unknown;
  updatedAt: string;
  /** Saved by `saveChanges` or in parts (head plus per-subject entries) rather than whole. */
  incremental: boolean;
}

/** The head row of an incremental checkpoint: `generation` committed, rows older than `base` dropped. */
interface IncrementalHead {
  [INCREMENTAL]: true;
  head: unknown;
  generation?: number;
  base?: number;
}

/**
 * Projection checkpoints and state snapshots, kept beside the read model in a local SQLite file. A snapshot is
 * stored whole, or incrementally: a head in the checkpoint row and rows per subject, of which a checkpoint
 * writes only the changed ones.
 *
 * An incremental checkpoint can be written in parts (`writePart`, any number of transactions, with the event
 * loop free in between) and then made the checkpoint by `commitParts`, one small transaction. That is how a
 * checkpoint of tens of thousands of changed subjects never holds the thread for long. Each subject has two
 * slots: a part writes into the slot that does not hold the subject's committed value, stamped with the
 * checkpoint's generation; `load` takes, per subject, the newest row up to the committed generation. Rows of
 * a checkpoint that was never committed (a crash half-way) are newer than the committed generation: `load`
 * ignores them and the next `beginParts` deletes them; generations are never reused.
 */
export class CheckpointStore {
  private readonly db: Database.Database;
  /** Per projection: the slot holding each subject's committed value (learnt by `load`, kept by commits). */
  private readonly committedSlots = new Map<string, Map<string, number>>();
  /** Per projection: the slots written by parts not committed yet. */
  private readonly pendingSlots = new Map<string, Map<string, number>>();
  /** Per projection: the newest generation written (read from the file once: it takes a scan of the rows). */
  private readonly newestGenerations = new Map<string, number>();
  private readonly statements: ReturnType<CheckpointStore['prepare']>;
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

  constructor(file: string) {
    if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
    this.db = new Database(file);
    restrictToOwner(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
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
    this.saveWhole = this.db.transaction((name: string, position: string, snapshot: string, at: string) => {
      s.deleteRows.run(name);
      s.upsertCheckpoint.run(name, position, snapshot, at);
    });
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
    this.commitHead = this.db.transaction(
      (name: string, position: string, head: IncrementalHead, at: string, dropBefore: number | undefined) => {
        s.upsertCheckpoint.run(name, position, JSON.stringify(head), at);
        if (dropBefore !== undefined) s.deleteRowsBefore.run(name, dropBefore);
      },
    );
    this.removeAll = this.db.transaction((name: string) => {
      s.deleteRows.run(name);
      s.deleteCheckpoint.run(name);
    });
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

  /** The position a projection's checkpoint has reached, without reading its snapshot; undefined if none. */
  positionOf(name: string): string | undefined {
    const row = this.db.prepare('SELECT position FROM checkpoints WHERE name = ?').get(name) as
      { position: string } | undefined;
    return row?.position;
  }

  /**
   * Every committed checkpoint: projection name, store position reached and when (ISO 8601), by name. What a
   * stopping process reports as committed.
   */
  committed(): Array<{ name: string; position: string; updatedAt: string }> {
    return this.db
      .prepare('SELECT name, position, updated_at AS updatedAt FROM checkpoints ORDER BY name')
      .all() as Array<{ name: string; position: string; updatedAt: string }>;
  }

  /** Saves the whole state (dropping any per-subject entries of an earlier incremental checkpoint). */
  save(name: string, position: string, snapshot: unknown, at: Date): void {
    this.saveWhole(name, position, JSON.stringify(snapshot), at.toISOString());
    this.committedSlots.delete(name);
    this.pendingSlots.delete(name);
    this.newestGenerations.delete(name);
  }

  /**
   * Saves the head and the changed entries with the position, in one transaction; `replace` first drops
   * every entry saved before (the state was not restored from this checkpoint).
   */
  saveChanges(name: string, position: string, changes: SnapshotChanges, at: Date, replace = false): void {
    this.db.transaction(() => {
      const generation = this.beginParts(name);
      this.writePart(name, generation, changes.changes);
      this.commitParts(name, generation, position, changes.head, at, replace);
    })();
  }

  /**
   * Starts a checkpoint written in parts: drops the parts of a checkpoint that was never committed (a crash
   * half-way; they sit in slots no committed value needs) and returns the new generation, newer than any
   * written before.
   */
  beginParts(name: string): number {
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

  /** Writes some subjects' entries of checkpoint `generation` (undefined: the subject is gone); not visible until committed. */
  writePart(name: string, generation: number, rows: Array<[key: string, value: unknown]>): void {
    this.writeRows(name, generation, rows);
  }

  /**
   * Makes the parts written for `generation` the checkpoint at `position`, with `head`, in one transaction.
   * `replace`: the parts hold every subject (entries of earlier checkpoints are dropped).
   */
  commitParts(
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

  delete(name: string): void {
    this.removeAll(name);
    this.committedSlots.delete(name);
    this.pendingSlots.delete(name);
    this.newestGenerations.delete(name);
  }

  close(): void {
    this.db.close();
  }
}

function isIncremental(snapshot: unknown): snapshot is IncrementalHead {
  return typeof snapshot === 'object' && snapshot !== null && INCREMENTAL in snapshot;
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
