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

/**
 * The WAL synced on the thread pool after each part, while the next requests are handled: the commit's own fsync
 * (under FULL) then has little left to flush, and the events its checkpoint holds wait for less. One sync at a
 * time, and one more after it when parts were written meanwhile; a failed one is left to the commit's fsync,
 * which then reports it.
 */
let presyncing: Promise<void> | undefined;
let presyncAgain = false;
function presync(): void {
  if (presyncing) {
    presyncAgain = true;
    return;
  }
  presyncing = (async () => {
    do {
      presyncAgain = false;
      await fsyncFile(`${file}-wal`).catch(() => undefined);
    } while (presyncAgain);
  })().finally(() => (presyncing = undefined));
}

async function handle(request: WriterRequest): Promise<WriterReply> {
  const reply: WriterReply = { id: request.id };
  try {
    switch (request.op) {
      case 'rows':
        writeRows(request.name, request.generation, request.rows);
        presync();
        break;
      case 'commit':
        while (presyncing) await presyncing;
        db.pragma('synchronous = FULL');
        try {
          commitHead(request.name, request.position, request.head, request.at, request.dropBefore);
        } finally {
          db.pragma('synchronous = NORMAL');
        }
        break;
      case 'walCheckpoint':
        checkpointWal();
        break;
    }
  } catch (error) {
    reply.error = error instanceof Error ? error.message : String(error);
  }
  return reply;
}

/** fdatasync of a file on the thread pool (none when the file is absent). */
async function fsyncFile(path: string): Promise<void> {
  let handle: fs.promises.FileHandle;
  try {
    handle = await fs.promises.open(path, 'r+');
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

// One request at a time, in the order sent (a commit waits for the syncs of the parts before it).
let queue = Promise.resolve();
parentPort!.on('message', (request: WriterRequest | 'close') => {
  queue = queue.then(async () => {
    if (request === 'close') {
      await presyncing;
      db.close();
      parentPort!.close();
      return;
    }
    parentPort!.postMessage(await handle(request));
    // After the commit's answer, so the events its checkpoint holds do not wait for the copy. The commit stands
    // whatever the copy does: a failed one is tried again after the next commit (the frames stay in the WAL).
    if (request.op === 'commit')
      try {
        checkpointWal();
      } catch {
        // (see above)
      }
  });
});
