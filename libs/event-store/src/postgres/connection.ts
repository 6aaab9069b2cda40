import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'pg';

export interface PostgresConnectionOptions {
  /** A libpq connection URI, e.g. postgres://aidwatch@db:5432/aidwatch (DATABASE_URL). */
  connectionString: string;
  /** Shown in pg_stat_activity.application_name. */
  applicationName?: string;
  /** Connections this pool may open (default 4). */
  maxConnections?: number;
}

/**
 * A node-postgres pool. A connection that breaks (a restarted server, pg_terminate_backend), idle or checked
 * out, is dropped by the pool and reopened on next use; the error is not allowed to crash the process.
 */
export function createPool(options: PostgresConnectionOptions): Pool {
  const pool = new Pool({
    connectionString: options.connectionString,
    application_name: options.applicationName ?? 'aidwatch',
    max: options.maxConnections ?? 4,
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 30_000,
  });
  pool.on('error', () => undefined);
  // A connection that breaks while checked out (between `connect()` and `release()`, e.g. while the process
  // was stopped or its backend was terminated) emits 'error' on its client, which the pool does not listen
  // to then: without a listener that event would crash the process. The break surfaces instead as the
  // rejection of the client's next query, which `withReconnect` and the append retries handle.
  pool.on('connect', (client) => {
    client.on('error', () => undefined);
  });
  return pool;
}

const CONNECTION_CODES = new Set([
  '57P01', // admin_shutdown (pg_terminate_backend, server stopping)
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (server starting)
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
  '08P01',
]);
const SOCKET_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EHOSTUNREACH',
]);

/** The connection broke or could not be made: the same work may succeed on a new connection. */
export function isConnectionError(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: string; message?: string };
  if (code && (CONNECTION_CODES.has(code) || SOCKET_CODES.has(code))) return true;
  return (
    typeof message === 'string' &&
    /Connection terminated|connection timeout|Client has encountered a connection error|terminating connection/i.test(
      message,
    )
  );
}

/** A deadlock or serialization failure: PostgreSQL rolled the transaction back and asks for a retry. */
export function isTransactionRetry(error: unknown): boolean {
  const code = (error as { code?: string } | undefined)?.code;
  return code === '40P01' || code === '40001';
}

/**
 * Runs `work`, again after a broken connection, with exponential backoff from 50 ms up to 2 s, for at most
 * `forMs` (default 30 s); other errors and the last connection error are thrown.
 */
export async function withReconnect<T>(work: () => Promise<T>, forMs = 30_000): Promise<T> {
  const deadline = Date.now() + forMs;
  for (let delay = 50; ; delay = Math.min(delay * 2, 2000)) {
    try {
      return await work();
    } catch (error) {
      if (!isConnectionError(error) || Date.now() + delay > deadline) throw error;
      await sleep(delay);
    }
  }
}
