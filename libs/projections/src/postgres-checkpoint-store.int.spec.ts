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
