import type { Pool, PoolClient } from 'pg';
import { createPool, withReconnect } from './connection';
import { migrate, type Migration } from './migrations';

export const LEASE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'leases',
    sql: `
      CREATE TABLE aidwatch_leases (
        name       text        PRIMARY KEY,
        holder     text        NOT NULL,
        generation bigint      NOT NULL,
        acquired_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL
      );`,
  },
];

/** A lease as held: who, its generation (one more at every change of holder), until when (server clock). */
export interface LeaseState {
  name: string;
  holder: string;
  generation: number;
  expiresAt: string;
}

/** Raised inside a fenced write when the writer's lease generation is no longer the current one. */
export class FencedError extends Error {
  constructor(
    readonly lease: string,
    readonly generation: number,
    readonly current: { holder: string; generation: number } | undefined,
  ) {
    super(
      `Lease ${lease} generation ${generation} is no longer current` +
        (current ? ` (now ${current.holder}, generation ${current.generation})` : ' (no lease)') +
        ': the write is refused',
    );
    this.name = 'FencedError';
  }
}

/** What a fenced write checks, inside its own transaction, before it commits. */
export interface Fence {
  /** Throws FencedError unless the lease is still at the generation this fence was made for. */
  check(client: Pick<PoolClient, 'query'>): Promise<void>;
}

/**
 * A named lease in PostgreSQL (table `aidwatch_leases`): one holder at a time, taken over only once it has
 * expired, with a generation that grows at every change of holder. Times are the database server's, so the
 * machines' clocks do not matter. The holder renews well within the time to live; a holder that stops
 * (killed, paused, cut off) loses it after `ttlMs`, and a standby takes it then.
 *
 * Fencing: `fence(generation)` gives a check that a write transaction runs before committing. It reads the
 * lease row FOR SHARE, so a takeover (an UPDATE of that row) waits for the write's commit, and a write that
 * starts after the takeover sees the new generation and is refused: once a takeover has committed, nothing
 * the former holder writes under the fence can commit, however long it was paused.
 */
export class PostgresLease {
  private readonly pool: Pool;
  private readonly ready: Promise<void>;

  constructor(
    private readonly options: {
      connectionString: string;
      name: string;
      /** This process, as other processes see it (host, pid, a random suffix). */
      holder: string;
      /** How long the lease lasts after each renewal (default 10 s). */
      ttlMs?: number;
    },
  ) {
    this.pool = createPool({
      connectionString: options.connectionString,
      applicationName: `aidwatch-lease-${options.name}`,
      maxConnections: 1,
    });
    this.ready = withReconnect(() => migrate(this.pool, 'leases', LEASE_MIGRATIONS).then(() => undefined));
    this.ready.catch(() => undefined);
  }

  get name(): string {
    return this.options.name;
  }

  get holder(): string {
    return this.options.holder;
  }

  get ttlMs(): number {
    return this.options.ttlMs ?? 10_000;
  }

  /**
   * Takes the lease if it is free, expired, or already ours (then it is renewed, same generation).
   * Returns the lease held afterwards, ours or another's.
   */
  async acquire(): Promise<LeaseState> {
    await this.ready;
    const { rows } = await this.pool.query<Row>(
      `INSERT INTO aidwatch_leases AS l (name, holder, generation, acquired_at, expires_at)
       VALUES ($1, $2, 1, clock_timestamp(), clock_timestamp() + $3 * interval '1 millisecond')
       ON CONFLICT (name) DO UPDATE SET
         holder = excluded.holder,
         generation = CASE WHEN l.holder = excluded.holder THEN l.generation ELSE l.generation + 1 END,
         acquired_at = CASE WHEN l.holder = excluded.holder THEN l.acquired_at ELSE clock_timestamp() END,
         expires_at = excluded.expires_at
       WHERE l.holder = excluded.holder OR l.expires_at < clock_timestamp()
       RETURNING ${RETURNED}`,
      [this.options.name, this.options.holder, this.ttlMs],
    );
    return rows[0] ? toState(rows[0]) : ((await this.current()) as LeaseState);
  }

  /**
   * Extends our lease at `generation` by the TTL from now (server clock). Returns the lease as renewed (its new
   * `expiresAt`), or undefined when it is no longer ours (taken over).
   */
  async renew(generation: number): Promise<LeaseState | undefined> {
    await this.ready;
    const { rows } = await this.pool.query<Row>(
      `UPDATE aidwatch_leases SET expires_at = clock_timestamp() + $4 * interval '1 millisecond'
       WHERE name = $1 AND holder = $2 AND generation = $3
       RETURNING ${RETURNED}`,
      [this.options.name, this.options.holder, generation, this.ttlMs],
    );
    return rows[0] ? toState(rows[0]) : undefined;
  }

  /** Ends our lease now (graceful stop), so a standby takes over at its next look instead of after the TTL. */
  async release(generation: number): Promise<void> {
    await this.ready;
    await this.pool.query(
      `UPDATE aidwatch_leases SET expires_at = clock_timestamp() - interval '1 millisecond'
       WHERE name = $1 AND holder = $2 AND generation = $3`,
      [this.options.name, this.options.holder, generation],
    );
  }

  async current(): Promise<LeaseState | undefined> {
    await this.ready;
    const { rows } = await this.pool.query<Row>(`SELECT ${RETURNED} FROM aidwatch_leases WHERE name = $1`, [
      this.options.name,
    ]);
    return rows[0] ? toState(rows[0]) : undefined;
  }

  /** The check a write at `generation` runs in its transaction (see the class comment). */
  fence(generation: number): Fence {
    const name = this.options.name;
    const holder = this.options.holder;
    return {
      async check(client) {
        const { rows } = await client.query<{ holder: string; generation: string }>(
          'SELECT holder, generation::text AS generation FROM aidwatch_leases WHERE name = $1 FOR SHARE',
          [name],
        );
        const row = rows[0];
        if (!row || row.holder !== holder || Number(row.generation) !== generation)
          throw new FencedError(
            name,
            generation,
            row ? { holder: row.holder, generation: Number(row.generation) } : undefined,
          );
      },
    };
  }

  async close(): Promise<void> {
    await this.ready.catch(() => undefined);
    await this.pool.end();
  }
}

const RETURNED = `name, holder, generation::text AS generation,
  to_char(expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS expires_at`;

interface Row {
  name: string;
  holder: string;
  generation: string;
  expires_at: string;
}

const toState = (row: Row): LeaseState => ({
  name: row.name,
  holder: row.holder,
  generation: Number(row.generation),
  expiresAt: row.expires_at,
});
