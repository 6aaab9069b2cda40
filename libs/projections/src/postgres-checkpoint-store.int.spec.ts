import { FencedError, PostgresLease } from '@aidwatch/event-store';
import { createTestDatabase, describeWithPostgres } from '@aidwatch/event-store/testing';
import type { Pool, PoolClient } from 'pg';
import { PostgresCheckpointStore } from './postgres-checkpoint-store';
import { describeCheckpointStoreContract } from './testing';

describeWithPostgres('PostgresCheckpointStore', () => {
  describeCheckpointStoreContract('PostgresCheckpointStore', async () => {
    const database = await createTestDatabase('checkpoints');
    return {
      open: () => new PostgresCheckpointStore({ connectionString: database.url }),
      dispose: () => database.drop(),
    };
  });
});

describeWithPostgres('PostgresCheckpointStore fenced by a lease', () => {
  it('commits only while the lease generation it was fenced with is current', async () => {
    const database = await createTestDatabase('fence');
    const leader = new PostgresLease({
      connectionString: database.url,
      name: 'detector',
      holder: 'a',
      ttlMs: 200,
    });
    const standby = new PostgresLease({
      connectionString: database.url,
      name: 'detector',
      holder: 'b',
      ttlMs: 200,
    });
    const former = new PostgresCheckpointStore({ connectionString: database.url });
    const successor = new PostgresCheckpointStore({ connectionString: database.url });
    const at = new Date('2026-06-01T00:00:00Z');
    try {
      former.fenceWith(leader.fence((await leader.acquire()).generation), ['detection']);
      await former.saveChanges('detection', '1/10', { head: 'h1', changes: [['a', 1]] }, at, true);
      await new Promise((resolve) => setTimeout(resolve, 300));
      successor.fenceWith(standby.fence((await standby.acquire()).generation), ['detection']);
      await former.load('detection');

      const generation = await successor.beginParts('detection');
      await successor.writePart('detection', generation, [['a', 2]]);
      await expect(former.beginParts('detection')).rejects.toBeInstanceOf(FencedError);
      await expect(former.save('detection', '1/99', { stale: true }, at)).rejects.toBeInstanceOf(FencedError);
      // Projections outside the fence (an all-in-one process's API) still write.
      await former.save('read-model', '1/99', { unfenced: true }, at);
      await successor.commitParts('detection', generation, '1/20', 'h2', at, false);

      expect(await successor.load('detection')).toMatchObject({
        position: '1/20',
        snapshot: { head: 'h2', entries: { a: 2 } },
      });
    } finally {
      for (const closing of [former, successor, leader, standby]) await closing.close();
      await database.drop();
    }
  });
});

describeWithPostgres('PostgresCheckpointStore when a COMMIT fails or its answer is lost', () => {
  /**
   * A store whose next COMMIT (once `fault` is set) either goes through and loses its answer (the connection
   * breaks: the store runs the transaction again on a new connection) or fails without committing.
   */
  async function storeWithFaultyCommit() {
    const database = await createTestDatabase('faulty-commit');
    const store = new PostgresCheckpointStore({ connectionString: database.url });
    const state: { fault: 'lost' | 'failed' | undefined } = { fault: undefined };
    const pool = (store as unknown as { pool: Pool }).pool;
    const connect = pool.connect.bind(pool) as () => Promise<PoolClient>;
    type Query = (...args: unknown[]) => Promise<unknown>;
    (pool as unknown as { connect: () => Promise<PoolClient> }).connect = async () => {
      const client = await connect();
      const query = client.query.bind(client) as Query;
      (client as unknown as { query: Query }).query = async (...args) => {
        const fault = args[0] === 'COMMIT' ? state.fault : undefined;
        state.fault = args[0] === 'COMMIT' ? undefined : state.fault;
        if (fault === 'failed') {
          await query('ROLLBACK');
          throw new Error('could not extend file: No space left on device (test)');
        }
        const result = await query(...args);
        if (fault === 'lost') throw new Error('Connection terminated unexpectedly');
        return result;
      };
      return client;
    };
    const at = new Date('2026-06-01T00:00:00Z');
    /** A checkpoint of `a = value` in parts; its commit meets `fault` (set after its parts are written). */
    const round = async (value: number, commit: boolean, replace = false, fault?: 'lost' | 'failed') => {
      const generation = await store.beginParts('detection');
      await store.writePart('detection', generation, [['a', value]]);
      state.fault = fault;
      if (commit) await store.commitParts('detection', generation, `1/${value}`, `h${value}`, at, replace);
    };
    const reopened = new PostgresCheckpointStore({ connectionString: database.url });
    const dispose = async () => {
      await store.close();
      await reopened.close();
      await database.drop();
    };
    return { state, round, reopened, dispose };
  }

  it.each([false, true])(
    'a COMMIT that failed: the next write keeps the committed value (replacing: %s)',
    async (replace) => {
      const { round, reopened, dispose } = await storeWithFaultyCommit();
      try {
        await round(1, true);
        await expect(round(2, true, replace, 'failed')).rejects.toThrow('No space left');
        // A write that never commits (the process dies): the committed checkpoint is still round 1's.
        await round(3, false);
        const loaded = await reopened.load('detection');
        expect(loaded?.position).toBe('1/1');
        expect(loaded?.snapshot).toEqual({ head: 'h1', entries: { a: 1 } });
      } finally {
        await dispose();
      }
    },
  );

  it.each([false, true])(
    'a COMMIT whose answer was lost: the next write keeps the committed value (replacing: %s)',
    async (replace) => {
      const { state, round, reopened, dispose } = await storeWithFaultyCommit();
      try {
        await round(1, true);
        await round(2, true, replace, 'lost');
        expect(state.fault).toBeUndefined();
        await round(3, false);
        const loaded = await reopened.load('detection');
        expect(loaded?.position).toBe('1/2');
        expect(loaded?.snapshot).toEqual({ head: 'h2', entries: { a: 2 } });
      } finally {
        await dispose();
      }
    },
  );
});
