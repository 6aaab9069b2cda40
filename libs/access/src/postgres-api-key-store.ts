import { createPool, migrate, withReconnect, type Migration } from '@aidwatch/event-store';
import type { Pool } from 'pg';
import { issueApiKey } from './api-key';
import {
  FORGOTTEN_MONITOR,
  publicRecord,
  storedKeyOf,
  type ApiKeyGrant,
  type ApiKeyRecord,
  type ApiKeyStore,
  type StoredKey,
} from './api-key-store';

export const API_KEY_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'api keys',
    sql: `
      CREATE TABLE aidwatch_api_keys (
        id         text PRIMARY KEY,
        grant_json text NOT NULL,
        salt       text NOT NULL,
        hash       text NOT NULL,
        created_at timestamptz NOT NULL,
        revoked_at timestamptz
      );`,
  },
];

export interface PostgresApiKeyStoreOptions {
  /** libpq connection URI (DATABASE_URL). */
  connectionString: string;
  clock?: () => Date;
  maxConnections?: number;
}

interface KeyRow {
  id: string;
  grant_json: string;
  salt: string;
  hash: string;
  created_at: Date;
  revoked_at: Date | null;
}

/**
 * API keys in PostgreSQL (table `aidwatch_api_keys`, migrations of component `api-keys`), so every service
 * and every API replica on the database shares them: a key created on one replica (or by `aidwatch keys
 * create`) authenticates on every other at once, and a revoked key is refused on the next request
 * anywhere. Every lookup reads the table (no cache), as the SQLite adapter reads its file. A lost
 * connection is retried for up to 30 s.
 */
export class PostgresApiKeyStore implements ApiKeyStore {
  private readonly pool: Pool;
  private readonly ready: Promise<void>;
  private readonly clock: () => Date;

  constructor(options: PostgresApiKeyStoreOptions) {
    this.clock = options.clock ?? (() => new Date());
    this.pool = createPool({
      connectionString: options.connectionString,
      applicationName: 'aidwatch-api-keys',
      maxConnections: options.maxConnections ?? 2,
    });
    this.ready = withReconnect(() =>
      migrate(this.pool, 'api-keys', API_KEY_MIGRATIONS).then(() => undefined),
    );
    this.ready.catch(() => undefined);
  }

  async create(grant: ApiKeyGrant): Promise<{ record: ApiKeyRecord; key: string }> {
    await this.ready;
    const issued = issueApiKey();
    const createdAt = this.clock().toISOString();
    await withReconnect(() =>
      this.pool.query(
        `INSERT INTO aidwatch_api_keys (id, grant_json, salt, hash, created_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (id) DO NOTHING`,
        [issued.id, JSON.stringify(grant), issued.salt, issued.hash, createdAt],
      ),
    );
    return { record: { ...grant, id: issued.id, createdAt }, key: issued.key };
  }

  async find(id: string): Promise<StoredKey | undefined> {
    await this.ready;
    const { rows } = await withReconnect(() =>
      this.pool.query<KeyRow>('SELECT * FROM aidwatch_api_keys WHERE id = $1', [id]),
    );
    return rows[0] && storedOf(rows[0]);
  }

  async list(): Promise<ApiKeyRecord[]> {
    await this.ready;
    const { rows } = await withReconnect(() =>
      this.pool.query<KeyRow>('SELECT * FROM aidwatch_api_keys ORDER BY created_at, id'),
    );
    return rows.map((row) => publicRecord(storedOf(row)));
  }

  async revoke(id: string): Promise<boolean> {
    await this.ready;
    const { rowCount } = await withReconnect(() =>
      this.pool.query(
        'UPDATE aidwatch_api_keys SET revoked_at = coalesce(revoked_at, $2::timestamptz) WHERE id = $1',
        [id, this.clock().toISOString()],
      ),
    );
    return (rowCount ?? 0) > 0;
  }

  async forgetMonitor(monitorId: string): Promise<number> {
    await this.ready;
    const { rowCount } = await withReconnect(() =>
      this.pool.query(
        `UPDATE aidwatch_api_keys
            SET grant_json = jsonb_set(grant_json::jsonb, '{monitorId}', to_jsonb($2::text))::text,
                revoked_at = coalesce(revoked_at, $3::timestamptz)
          WHERE grant_json::jsonb ->> 'monitorId' = $1`,
        [monitorId, FORGOTTEN_MONITOR, this.clock().toISOString()],
      ),
    );
    // The old row versions stay in the table's pages until it is rewritten.
    if ((rowCount ?? 0) > 0) await withReconnect(() => this.pool.query('VACUUM FULL aidwatch_api_keys'));
    return rowCount ?? 0;
  }

  /**
   * Copies keys from another store (`aidwatch migrate --to postgres`), salt and hash as they are; a key
   * already here is left as it is, except that a revocation is carried over. Returns the rows changed.
   */
  async importKeys(keys: readonly StoredKey[]): Promise<number> {
    if (keys.length === 0) return 0;
    await this.ready;
    let changed = 0;
    for (const k of keys) {
      const { salt, hash, id, createdAt, revokedAt, ...grant } = k;
      const { rowCount } = await withReconnect(() =>
        this.pool.query(
          `INSERT INTO aidwatch_api_keys AS k (id, grant_json, salt, hash, created_at, revoked_at)
           VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (id) DO UPDATE SET revoked_at = excluded.revoked_at
           WHERE k.revoked_at IS NULL AND excluded.revoked_at IS NOT NULL`,
          [id, JSON.stringify(grant), salt, hash, createdAt, revokedAt ?? null],
        ),
      );
      changed += rowCount ?? 0;
    }
    return changed;
  }

  async close(): Promise<void> {
    await this.ready.catch(() => undefined);
    await this.pool.end();
  }
}

function storedOf(row: KeyRow): StoredKey {
  return storedKeyOf({
    ...row,
    created_at: row.created_at.toISOString(),
    revoked_at: row.revoked_at ? row.revoked_at.toISOString() : null,
  });
}
