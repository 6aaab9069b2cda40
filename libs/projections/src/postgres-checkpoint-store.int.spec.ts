import { FencedError, PostgresLease } from '@aidwatch/event-store';
import { createTestDatabase, describeWithPostgres } from '@aidwatch/event-store/testing';
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
