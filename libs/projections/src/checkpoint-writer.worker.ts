// The SQLite checkpoint store's writes of a checkpoint in parts, on a worker thread with a connection of its own
// (see `CheckpointWriterThread`): the rows of each part, the commit and the WAL checkpoints. The thread that
// detects only builds the rows; the inserts, the commit's fsync and the copy of the WAL into the database file
// happen here, one request at a time, in the order they were sent.
import * as fs from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import type { WriterReply, WriterRequest } from './checkpoint-writer-thread';
import { checkpointWrites, configureCheckpointConnection, copyWalPast } from './sqlite-checkpoint-writes';

const { file, walCheckpointBytes } = workerData as { file: string; walCheckpointBytes: number };
const db = new Database(file, { timeout: 5000 });
configureCheckpointConnection(db, file);
const { writeRows, commitHead } = checkpointWrites(db);
const checkpointWal = () => copyWalPast(db, file, walCheckpointBytes);

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
