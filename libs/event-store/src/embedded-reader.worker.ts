// Read-ahead for the embedded store's subscriptions on a worker thread of its own (see `EmbeddedEventStore`):
// while a subscriber replays one page of a backlog, the next page is read here, in a read transaction of this
// thread's own connection, and handed over as stored rows (their JSON is parsed by the subscriber's thread).
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import type { NormalizedFilter } from './read-options';
import { SqliteEventLog, type EventRow } from './sqlite-event-log';

/** A page asked for: the matching rows after `after`, at most `limit`. */
export interface ReadRequest {
  id: number;
  after: number;
  limit: number;
  filter: NormalizedFilter;
}

/** The page read, as `Page` with rows (`scannedTo` as in `EmbeddedEventStore.readPageInSnapshot`), or why not. */
export type ReadReply = { id: number; rows: EventRow[]; scannedTo: number } | { id: number; error: string };

const { file, busyTimeoutMs } = workerData as { file: string; busyTimeoutMs: number };
// Opened for writing like the store's own connections (a WAL reader maps the shared-memory index), used only to read.
const db = new Database(file, { timeout: busyTimeoutMs });
const log = new SqliteEventLog(db);
const readPage = db.transaction((after: number, limit: number, filter: NormalizedFilter) => {
  const rows = log.readRowsAfter(after, limit, filter);
  if (rows.length === limit) return { rows, scannedTo: rows[rows.length - 1].position };
  return { rows, scannedTo: Math.max(log.head() ?? 0, after) };
}).deferred;

parentPort!.on('message', (request: ReadRequest | 'close') => {
  if (request === 'close') {
    db.close();
    parentPort!.close();
    return;
  }
  let reply: ReadReply;
  try {
    reply = { id: request.id, ...readPage(request.after, request.limit, request.filter) };
  } catch (error) {
    reply = { id: request.id, error: error instanceof Error ? error.message : String(error) };
  }
  parentPort!.postMessage(reply);
});
