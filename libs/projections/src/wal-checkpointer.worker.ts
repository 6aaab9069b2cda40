// The SQLite checkpoint store's WAL checkpoints on a worker thread of their own (see `SqliteCheckpointStore`):
// a PASSIVE checkpoint under synchronous = NORMAL, so SQLite syncs the WAL before copying and the database file
// after, and lets a writer (of any process) start the WAL over only once the copy is on disk; the thread that
// detects never waits for it.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

const { file } = workerData as { file: string };
const db = new Database(file);
db.pragma('synchronous = NORMAL');
// A WAL started over is truncated, so its size on disk says how much is left to copy.
db.pragma('journal_size_limit = 0');

parentPort!.on('message', (request: 'checkpoint' | 'close') => {
  if (request === 'close') {
    db.close();
    parentPort!.close();
    return;
  }
  let error: string | undefined;
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (e) {
    error = e instanceof Error ? e.message : String(e);
  }
  parentPort!.postMessage({ done: true, ...(error !== undefined && { error }) });
});
