import type { AppConfig } from '@aidwatch/config';
import { PostgresWebhookStore } from './postgres-webhook-store';
import { SqliteWebhookStore } from './sqlite-webhook-store';
import type { WebhookStore } from './webhook-store.port';

/**
 * The webhook outbox the configuration names: PostgreSQL with `EVENT_STORE=postgres` (`DATABASE_URL`,
 * shared by every API replica), else the SQLite file `DATA_DIR/webhooks.sqlite` (in memory with
 * `EVENT_STORE=memory`).
 */
export function createWebhookStore(config: Pick<AppConfig, 'eventStore' | 'webhooks'>): WebhookStore {
  if (config.eventStore.kind === 'postgres')
    return new PostgresWebhookStore({ connectionString: config.eventStore.connectionString });
  return new SqliteWebhookStore(config.webhooks.path);
}
