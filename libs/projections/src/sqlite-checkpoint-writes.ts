import type Database from 'better-sqlite3';
import * as fs from 'node:fs';
import type { WriterRow } from './checkpoint-writer-thread';

/**
 * A connection to a SQLite checkpoint file as the store and its writer thread both open it: WAL; rows written
 * without an fsync (NORMAL), every commit under FULL (`checkpointWrites`' callers), whose fsync of the WAL covers
 * the rows' frames before it; WAL checkpoints run by the writer's thread (`copyWalPast`), not by whichever commit
 * crosses SQLite's threshold, and a WAL started over truncated, so its size says how much is left to copy;
 * 16 MiB of page cache (SQLite's default is 2 MiB): a checkpoint rewrites rows all over the subjects' table,
 * which outgrows 2 MiB at a few thousand vessels.
 */
export function configureCheckpointConnection(db: Database.Database, file: string): void {
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  if (file !== ':memory:') {
    db.pragma('wal_autocheckpoint = 0');
    db.pragma('journal_size_limit = 0');
  }
  db.pragma('cache_size = -16384');
}

/**
 * The writes of a checkpoint in parts on `db` (its tables exist): `writeRows`, one part's rows in one
 * transaction; `commitHead`, the checkpoints row and, for a checkpoint that replaces all, the rows of
 * generations before `dropBefore`, in one transaction. Both join a transaction already open on `db`.
 */
export function checkpointWrites(db: Database.Database) {
  const upsertRow = db.prepare(
    `INSERT INTO checkpoint_slots (name, key, slot, generation, value) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT(name, key, slot) DO UPDATE SET generation = excluded.generation, value = excluded.value`,
  );
  const upsertCheckpoint = db.prepare(
    `INSERT INTO checkpoints (name, position, snapshot, updated_at) VALUES (?, ?, ?, ?)
     ON CONFLICT(name) DO UPDATE SET position = excluded.position, snapshot = excluded.snapshot,
     updated_at = excluded.updated_at`,
  );
  const deleteRowsBefore = db.prepare('DELETE FROM checkpoint_slots WHERE name = ? AND generation < ?');
  return {
    upsertCheckpoint,
    writeRows: db.transaction((name: string, generation: number, rows: readonly WriterRow[]) => {
      for (const [key, slot, value] of rows) upsertRow.run(name, key, slot, generation, value);
    }),
    commitHead: db.transaction(
      (name: string, position: string, head: string, at: string, dropBefore: number | null) => {
        upsertCheckpoint.run(name, position, head, at);
        if (dropBefore !== null) deleteRowsBefore.run(name, dropBefore);
      },
    ),
  };
}

/**
 * Past `bytes` of WAL, a PASSIVE WAL checkpoint under synchronous = NORMAL: SQLite syncs the WAL before copying
 * and the database file after, and the next write starts the WAL over once every frame is copied.
 */
export function copyWalPast(db: Database.Database, file: string, bytes: number): void {
  const walBytes = fs.statSync(`${file}-wal`, { throwIfNoEntry: false })?.size ?? 0;
  if (walBytes >= bytes) db.pragma('wal_checkpoint(PASSIVE)');
}
