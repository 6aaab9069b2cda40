import { createTestDatabase, describeWithPostgres } from '@aidwatch/event-store/testing';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describeApiKeyStoreContract } from './testing/api-key-store.contract';
import { SqliteApiKeyStore } from './api-key-store';
import { PostgresApiKeyStore } from './postgres-api-key-store';

describeApiKeyStoreContract('SqliteApiKeyStore', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aidwatch-api-keys-'));
  return {
    open: (clock) => new SqliteApiKeyStore(path.join(dir, 'access.sqlite'), clock),
    dispose: async () => fs.rmSync(dir, { recursive: true, force: true }),
  };
});

describeWithPostgres('PostgresApiKeyStore', () => {
  describeApiKeyStoreContract('PostgresApiKeyStore', async () => {
    const database = await createTestDatabase('apikeys');
    return {
      open: (clock) => new PostgresApiKeyStore({ connectionString: database.url, clock }),
      dispose: () => database.drop(),
    };
  });
});
