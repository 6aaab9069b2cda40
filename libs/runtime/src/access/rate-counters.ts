import { createHash } from 'node:crypto';
import { RateLimiterMemory, RateLimiterPostgres, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { AppConfig } from '@aidwatch/config';
import { createPool, migrate, withReconnect, type Migration } from '@aidwatch/event-store';
import type { Pool } from 'pg';

/**
 * The table of `rate-limiter-flexible`'s PostgreSQL counters (its own layout: one row per counter key, the
 * points taken in the current fixed window and when it ends, ms since the epoch by the writer's clock).
 */
export const RATE_COUNTER_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'fixed-window rate counters shared by every process (rate-limiter-flexible)',
    sql: `
      CREATE TABLE aidwatch_rate_counters (
        key    varchar(255) PRIMARY KEY,
        points integer NOT NULL DEFAULT 0,
        expire bigint
      );`,
  },
];

/**
 * Where the deployment's fixed-window rate counters live (`rate-limiter-flexible`): each process's memory, or
 * PostgreSQL, where every process of the deployment counts against one budget — so the limits of an
 * organisation or an address hold whatever the number of ingestor and API replicas.
 */
export interface RateCounters {
  /** `shared`: one count for every process; `process`: each process counts on its own. */
  readonly scope: 'shared' | 'process';
  /** A counter family `name` of `points` per window of `durationSec` seconds. */
  limiter(name: string, points: number, durationSec: number): RateLimiterAbstract;
  close(): Promise<void>;
}

/** A counter key of at most 200 characters: the key itself, or `sha256:` and its digest when longer. */
export function counterKeyOf(key: string): string {
  return key.length <= 200 ? key : `sha256:${createHash('sha256').update(key).digest('hex')}`;
}

/** Counters in this process's memory (the embedded store, tests). */
export class ProcessRateCounters implements RateCounters {
  readonly scope = 'process' as const;

  limiter(name: string, points: number, durationSec: number): RateLimiterAbstract {
    return new RateLimiterMemory({ keyPrefix: name, points, duration: durationSec });
  }

  async close(): Promise<void> {}
}

/**
 * Counters in PostgreSQL (`aidwatch_rate_counters`, migrations of component `rate-counters`), shared by every
 * process on the database. Each counter has an insurance counter in memory (`insuranceLimiter`): while the
 * database does not answer (or before the table exists), each process counts on its own, so requests are still
 * judged, by per-process limits, rather than failing.
 */
export class PostgresRateCounters implements RateCounters {
  readonly scope = 'shared' as const;
  private readonly pool: Pool;
  /** Settles when the table exists (or creating it failed: the insurance counters judge meanwhile). */
  readonly ready: Promise<void>;

  constructor(connectionString: string) {
    this.pool = createPool({
      connectionString,
      applicationName: 'aidwatch-rate-counters',
      maxConnections: 3,
    });
    this.ready = withReconnect(() => migrate(this.pool, 'rate-counters', RATE_COUNTER_MIGRATIONS)).then(
      () => undefined,
      () => undefined,
    );
  }

  limiter(name: string, points: number, durationSec: number): RateLimiterAbstract {
    return new RateLimiterPostgres({
      storeClient: this.pool,
      storeType: 'pool',
      tableName: 'aidwatch_rate_counters',
      tableCreated: true,
      keyPrefix: name,
      points,
      duration: durationSec,
      insuranceLimiter: new RateLimiterMemory({ keyPrefix: name, points, duration: durationSec }),
    });
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

/** The counters the configuration names: shared in PostgreSQL with `EVENT_STORE=postgres`, else per process. */
export function createRateCounters(config: Pick<AppConfig, 'eventStore'>): RateCounters {
  return config.eventStore.kind === 'postgres'
    ? new PostgresRateCounters(config.eventStore.connectionString)
    : new ProcessRateCounters();
}
