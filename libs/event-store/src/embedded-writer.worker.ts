// The embedded store's writer on a worker thread of its own (see `EmbeddedEventStore`, option `writer`): the
// chain hash, canonical JSON, inserts and the fsync of each group commit run here, beside the thread that
// consumes, validates and detects.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { SqliteAppender, toWire, type PreparedWrite } from './sqlite-appender';
import { SqliteEventLog } from './sqlite-event-log';

/** What the store sends: one group commit (`groups`: one caller's append each). */
export interface WriterRequest {
  id: number;
  groups: PreparedWrite[][];
  /** When the events are recorded (ISO 8601): the writer's clock under the write lock unless given. */
  recordedAt?: string;
}

/** What the writer answers, per group: its results or its error. */
export interface WriterReply {
  id: number;
  outcomes: Array<
    { results: import('./event-store.port').AppendResult[] } | { error: ReturnType<typeof toWire> }
  >;
}

const { file, busyTimeoutMs } = workerData as { file: string; busyTimeoutMs: number };
const db = new Database(file, { timeout: busyTimeoutMs });
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
db.pragma('cache_size = -16384');
const appender = new SqliteAppender(db, new SqliteEventLog(db));

parentPort!.on('message', (request: WriterRequest | 'close') => {
  if (request === 'close') {
    db.close();
    parentPort!.close();
    return;
  }
  const outcomes = appender
    .commitGroups(request.groups, request.recordedAt)
    .map((o) => ('error' in o ? { error: toWire(o.error) } : o));
  parentPort!.postMessage({ id: request.id, outcomes } satisfies WriterReply);
});
