import type { AppConfig } from '@aidwatch/config';
import { InMemoryApiKeyStore, SqliteApiKeyStore, type ApiKeyStore } from './api-key-store';
import { PostgresApiKeyStore } from './postgres-api-key-store';

/**
 * The key store the configuration names: PostgreSQL with `EVENT_STORE=postgres` (shared by every service
 * and replica on `DATABASE_URL`), in memory with `EVENT_STORE=memory`, else the SQLite file
 * (`ACCESS_KEYS_FILE`, default `DATA_DIR/access.sqlite`).
 */
export function createApiKeyStore(config: AppConfig): ApiKeyStore {
  if (config.eventStore.kind === 'postgres')
    return new PostgresApiKeyStore({ connectionString: config.eventStore.connectionString });
  return config.access.keyStorePath === ':memory:'
    ? new InMemoryApiKeyStore()
    : new SqliteApiKeyStore(config.access.keyStorePath);
}
