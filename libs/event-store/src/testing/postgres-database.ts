import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';

/**
 * The server tests create their databases on: AIDWATCH_TEST_POSTGRES_URL, else the development and CI
 * default (PostgreSQL on 127.0.0.1:5432, user postgres, trust authentication).
 */
export const POSTGRES_TEST_SERVER_URL =
  process.env.AIDWATCH_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

let availability: boolean | undefined;

/** Whether the test server answers (asked once per process, synchronously, so suites can be registered). */
export function postgresTestServerAvailable(): boolean {
  if (availability === undefined) {
    const probe = spawnSync(
      process.execPath,
      [
        '-e',
        `const { Client } = require('pg');
         const c = new Client({ connectionString: process.argv[1], connectionTimeoutMillis: 3000 });
         c.connect().then(() => c.end()).then(() => process.exit(0), () => process.exit(1));`,
        POSTGRES_TEST_SERVER_URL,
      ],
      { timeout: 10_000, cwd: __dirname },
    );
    availability = probe.status === 0;
  }
  return availability;
}

/**
 * `describe` for suites that need PostgreSQL. Without a server they are reported as skipped and said so on
 * stderr — except under CI=true, where the suite runs and fails loudly on its missing server.
 */
export function describeWithPostgres(name: string, body: () => void): void {
  if (postgresTestServerAvailable()) return describe(name, body);
  if (process.env.CI === 'true') {
    describe(name, () => {
      it('needs PostgreSQL', () => {
        throw new Error(
          `PostgreSQL is required under CI=true and does not answer at ${POSTGRES_TEST_SERVER_URL}`,
        );
      });
    });
    return;
  }
  process.stderr.write(
    `${name}: NOT RUN (reported as skipped): no PostgreSQL at ${POSTGRES_TEST_SERVER_URL}\n`,
  );
  describe.skip(`${name} — not run: no PostgreSQL`, body);
}

export interface TestDatabase {
  /** Connection URI of the new database. */
  url: string;
  name: string;
  /** Drops the database, ending any session still connected to it. */
  drop(): Promise<void>;
}

/** Creates a database with a name of its own (aidwatch_test_…) on the test server. */
export async function createTestDatabase(label = 'db'): Promise<TestDatabase> {
  const name = `aidwatch_test_${label
    .replace(/[^a-z0-9]/gi, '')
    .toLowerCase()
    .slice(0, 20)}_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(POSTGRES_TEST_SERVER_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

async function admin(sql: string): Promise<void> {
  const client = new Client({ connectionString: POSTGRES_TEST_SERVER_URL, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
