import { createTestDatabase, describeWithPostgres } from '@aidwatch/event-store/testing';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PostgresWebhookStore } from './postgres-webhook-store';
import { SqliteWebhookStore } from './sqlite-webhook-store';
import { describeWebhookStoreContract } from './testing/webhook-store.contract';

describeWebhookStoreContract('SqliteWebhookStore', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aidwatch-webhooks-'));
  return {
    open: () => new SqliteWebhookStore(path.join(dir, 'webhooks.sqlite')),
    dispose: async () => fs.rmSync(dir, { recursive: true, force: true }),
  };
});

describeWithPostgres('PostgresWebhookStore', () => {
  describeWebhookStoreContract('PostgresWebhookStore', async () => {
    const database = await createTestDatabase('webhooks');
    return {
      open: () => new PostgresWebhookStore({ connectionString: database.url }),
      dispose: () => database.drop(),
    };
  });
});
