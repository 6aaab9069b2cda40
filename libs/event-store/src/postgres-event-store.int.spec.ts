import { describeEventStoreContract } from './testing';
import { createTestDatabase, describeWithPostgres } from './testing/postgres-database';
import { createEventStore } from './event-store.factory';
import { PostgresEventStore } from './postgres-event-store';

// A long poll interval: within one process, live delivery must come from append notifications alone.
const inProcessOnly = { pollIntervalMs: 60_000 };

describeWithPostgres('PostgresEventStore', () => {
  describeEventStoreContract(
    'PostgresEventStore',
    async () => {
      const database = await createTestDatabase('contract');
      let store = new PostgresEventStore({ connectionString: database.url, ...inProcessOnly });
      return {
        store,
        reopen: async () => {
          await store.close();
          store = new PostgresEventStore({ connectionString: database.url, ...inProcessOnly });
          return store;
        },
        dispose: () => database.drop(),
      };
    },
    { durable: true, startsEmpty: true },
  );

  it('is what createEventStore gives for kind postgres, with the schema made on first use', async () => {
    const database = await createTestDatabase('factory');
    const store = createEventStore({ kind: 'postgres', connectionString: database.url });
    try {
      expect(store).toBeInstanceOf(PostgresEventStore);
      expect(store.name).toBe('postgres');
      expect(await store.headPosition()).toBeNull();
    } finally {
      await store.close();
      await database.drop();
    }
  });
});
