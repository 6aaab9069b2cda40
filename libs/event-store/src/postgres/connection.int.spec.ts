import { Client } from 'pg';
import { createTestDatabase, describeWithPostgres, type TestDatabase } from '../testing/postgres-database';
import { createPool, isConnectionError } from './connection';

describeWithPostgres('createPool', () => {
  let database: TestDatabase;
  beforeEach(async () => (database = await createTestDatabase('pool')));
  afterEach(async () => database.drop());

  it('survives a checked-out connection terminated under it: the next query fails as a connection error, the pool goes on', async () => {
    const pool = createPool({ connectionString: database.url, applicationName: 'aidwatch-pool-test' });
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown) => uncaught.push(error);
    process.on('uncaughtException', onUncaught);
    try {
      const client = await pool.connect();
      const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      // Another session terminates the backend while the client is checked out and between queries.
      const admin = new Client({ connectionString: database.url });
      await admin.connect();
      await admin.query('SELECT pg_terminate_backend($1)', [rows[0].pid]);
      await admin.end();
      await new Promise((r) => setTimeout(r, 300));
      expect(uncaught).toEqual([]);
      const failed = await client.query('SELECT 1').then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(isConnectionError(failed)).toBe(true);
      client.release(failed as Error);
      expect((await pool.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    } finally {
      process.off('uncaughtException', onUncaught);
      await pool.end();
    }
  });
});
