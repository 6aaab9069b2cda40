import type { Pool, PoolClient } from 'pg';

/** One versioned step of a component's schema. Versions start at 1 and never change once released. */
export interface Migration {
  version: number;
  /** What the step does, recorded beside its version. */
  name: string;
  /** SQL run in one transaction (several statements allowed). */
  sql: string;
}

/**
 * Advisory lock key (pg_advisory_lock's two-int form) every AidWatch migration takes: first word "AWMG".
 * The second word is 0, so the lock is the same for every component and instance.
 */
export const MIGRATION_LOCK: readonly [number, number] = [0x41574d47, 0];

const LEDGER = `
  CREATE TABLE IF NOT EXISTS aidwatch_schema_migrations (
    component  text        NOT NULL,
    version    integer     NOT NULL,
    name       text        NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (component, version)
  )`;

/** Raised when the database holds a newer schema of a component than this build knows. */
export class SchemaTooNewError extends Error {
  constructor(
    readonly component: string,
    readonly applied: number,
    readonly known: number,
  ) {
    super(
      `The database holds ${component} schema version ${applied}, newer than this build's ${known}: upgrade AidWatch`,
    );
    this.name = 'SchemaTooNewError';
  }
}

/**
 * Brings `component`'s schema to its newest version: the steps not yet recorded in
 * `aidwatch_schema_migrations` run in version order, each in its own transaction together with its ledger
 * row. Safe when several instances start at once: they serialise on a session advisory lock
 * (`MIGRATION_LOCK`), so the second finds the steps already applied. Throws SchemaTooNewError when the
 * database is ahead of `migrations`, and any SQL error of a step (that step is rolled back). Returns the
 * versions it applied.
 */
export async function migrate(
  pool: Pool,
  component: string,
  migrations: readonly Migration[],
): Promise<number[]> {
  const ordered = [...migrations].sort((a, b) => a.version - b.version);
  ordered.forEach((m, i) => {
    if (m.version !== i + 1)
      throw new Error(`${component} migrations must be numbered 1, 2, 3… without gaps`);
  });
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('SELECT pg_advisory_lock($1, $2)', [...MIGRATION_LOCK]);
    try {
      await client.query(LEDGER);
      return await applyPending(client, component, ordered);
    } finally {
      await client.query('SELECT pg_advisory_unlock($1, $2)', [...MIGRATION_LOCK]);
    }
  } catch (error) {
    broken = error as Error;
    throw error;
  } finally {
    client.release(broken);
  }
}

async function applyPending(client: PoolClient, component: string, ordered: readonly Migration[]) {
  const { rows } = await client.query<{ version: number }>(
    'SELECT coalesce(max(version), 0) AS version FROM aidwatch_schema_migrations WHERE component = $1',
    [component],
  );
  const current = rows[0].version;
  if (current > ordered.length) throw new SchemaTooNewError(component, current, ordered.length);
  const applied: number[] = [];
  for (const step of ordered.slice(current)) {
    await client.query('BEGIN');
    try {
      await client.query(step.sql);
      await client.query(
        'INSERT INTO aidwatch_schema_migrations (component, version, name) VALUES ($1, $2, $3)',
        [component, step.version, step.name],
      );
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
    applied.push(step.version);
  }
  return applied;
}
