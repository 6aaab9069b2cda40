// The SQLite checkpoint store's writes of a checkpoint in parts, on a worker thread with a connection of its own
// (see `CheckpointWriterThread`): the rows of each part, the commit and the WAL checkpoints. The thread that
// detects only builds the rows; the inserts, the commit's fsync and the copy of the WAL into the database file
// happen here, one request at a time, in the order they were sent.
import * as fs from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import type { WriterReply, WriterRequest } from './checkpoint-writer-thread';

const { file, walCheckpointBytes } = workerData as { file: string; walCheckpointBytes: number };
const db = new Database(file, { timeout: 5000 });
db.pragma('journal_mode = WAL');
// Parts are written without an fsync; the commit is written under FULL, whose fsync of the WAL covers the parts'
// frames before it (one connection), so a committed checkpoint is on disk with all its rows.
db.pragma('synchronous = NORMAL');
db.pragma('wal_autocheckpoint = 0');
// A WAL started over is truncated, so its size on disk says how much is left to copy.
db.pragma('journal_size_limit = 0');
db.pragma('cache_size = -16384');

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

const writeRows = db.transaction(
  (name: string, generation: number, rows: ReadonlyArray<[string, number, string | null]>) => {
    for (const [key, slot, value] of rows) upsertRow.run(name, key, slot, generation, value);
  },
);
const commitHead = db.transaction(
  (name: string, position: string, head: string, at: string, dropBefore: number | null) => {
    upsertCheckpoint.run(name, position, head, at);
    if (dropBefore !== null) deleteRowsBefore.run(name, dropBefore);
  },
);

/**
 * Past `walCheckpointBytes` of WAL, a PASSIVE checkpoint under synchronous = NORMAL: SQLite syncs the WAL before
 * copying and the database file after, and the next write (this thread's, as nothing writes beside it) starts
 * the WAL over once every frame is copied.
 */
function checkpointWal(): void {
  const walBytes = fs.statSync(`${file}-wal`, { throwIfNoEntry: false })?.size ?? 0;
  if (walBytes >= walCheckpointBytes) db.pragma('wal_checkpoint(PASSIVE)');
}

parentPort!.on('message', (request: WriterRequest | 'close') => {
  if (request === 'close') {
    db.close();
    parentPort!.close();
    return;
  }
  const reply: WriterReply = { id: request.id };
  try {
    switch (request.op) {
      case 'rows':
        writeRows(request.name, request.generation, request.rows);
        break;
      case 'commit':
        db.pragma('synchronous = FULL');
        try {
          commitHead(request.name, request.position, request.head, request.at, request.dropBefore);
        } finally {
          db.pragma('synchronous = NORMAL');
        }
        // The commit stands whatever the copy does: a failed one is tried again after the next commit.
        try {
          checkpointWal();
        } catch {
          // (nothing lost: the frames stay in the WAL)
        }
        break;
      case 'walCheckpoint':
        checkpointWal();
        break;
    }
  } catch (error) {
    reply.error = error instanceof Error ? error.message : String(error);
  }
  parentPort!.postMessage(reply);
});
