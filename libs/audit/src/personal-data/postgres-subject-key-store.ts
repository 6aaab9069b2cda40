import { randomBytes } from 'node:crypto';
import { createPool, migrate, withReconnect, type Migration } from '@aidwatch/event-store';
import type { Pool } from 'pg';
import { SubjectKeyStore, subjectKeyId, type SubjectKeyRow } from './subject-key-store';

export const SUBJECT_KEY_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'subject keys',
    sql: `
      CREATE TABLE aidwatch_subject_keys (
        key_id       text PRIMARY KEY,
        key          bytea CHECK (key IS NULL OR length(key) = 32),
        created_at   timestamptz NOT NULL,
        forgotten_at timestamptz
      );`,
  },
];

export interface PostgresSubjectKeyStoreOptions {
  /** libpq connection URI (DATABASE_URL). */
  connectionString: string;
  /**
   * How long a live key is reused from memory before it is read again (default 5,000 ms): the longest a
   * running service may still open a subject's data after `aidwatch forget`. A forgotten key stays forgotten.
   */
  cacheMs?: number;
  maxConnections?: number;
}

/**
 * Subject keys in PostgreSQL (table `aidwatch_subject_keys`, migrations of component `subject-keys`), so the
 * ingestor that seals, the API that opens and `aidwatch forget` share one key per person whatever machine
 * they run on. A key is created with `INSERT … ON CONFLICT DO NOTHING` and read back, so processes creating
 * the same subject's key at once all use the one that won. Forgetting sets the key to NULL (its bytes
 * leave the table; a physical backup still holds them until it expires — docs/postgres-store.md).
 */
export class PostgresSubjectKeyStore extends SubjectKeyStore {
  private readonly pool: Pool;
  private readonly ready: Promise<void>;
  private readonly cache = new Map<string, { key: Buffer | null; until: number }>();

  constructor(private readonly options: PostgresSubjectKeyStoreOptions) {
    super();
    this.pool = createPool({
      connectionString: options.connectionString,
      applicationName: 'aidwatch-subject-keys',
      maxConnections: options.maxConnections ?? 2,
    });
    this.ready = withReconnect(() =>
      migrate(this.pool, 'subject-keys', SUBJECT_KEY_MIGRATIONS).then(() => undefined),
    );
    this.ready.catch(() => undefined);
  }

  async keysFor(
    keyIds: readonly string[],
    now: () => Date = () => new Date(),
  ): Promise<Map<string, Buffer | null>> {
    const found = await this.lookup(keyIds);
    const missing = [...new Set(keyIds.filter((id) => !found.has(id)))];
    if (missing.length === 0) return found;
    await withReconnect(() =>
      this.pool.query(
        `INSERT INTO aidwatch_subject_keys (key_id, key, created_at)
         SELECT id, key, $3::timestamptz FROM unnest($1::text[], $2::bytea[]) AS t(id, key)
         ON CONFLICT (key_id) DO NOTHING`,
        [missing, missing.map(() => randomBytes(32)), now().toISOString()],
      ),
    );
    for (const [id, key] of await this.read(missing)) found.set(id, key);
    return found;
  }

  async lookup(keyIds: readonly string[]): Promise<Map<string, Buffer | null>> {
    const found = new Map<string, Buffer | null>();
    const now = Date.now();
    const stale: string[] = [];
    for (const id of new Set(keyIds)) {
      const cached = this.cache.get(id);
      if (cached && (cached.key === null || cached.until > now)) found.set(id, cached.key);
      else stale.push(id);
    }
    if (stale.length > 0) for (const [id, key] of await this.read(stale)) found.set(id, key);
    return found;
  }

  async forget(subject: string, now: () => Date = () => new Date()): Promise<boolean> {
    await this.ready;
    const keyId = subjectKeyId(subject);
    const { rowCount } = await withReconnect(() =>
      this.pool.query(
        `UPDATE aidwatch_subject_keys SET key = NULL, forgotten_at = $2::timestamptz
         WHERE key_id = $1 AND key IS NOT NULL`,
        [keyId, now().toISOString()],
      ),
    );
    this.cache.set(keyId, { key: null, until: Number.POSITIVE_INFINITY });
    return (rowCount ?? 0) > 0;
  }

  /**
   * Copies keys from another store (`aidwatch migrate`): a key not here is inserted as it is; a subject
   * forgotten on either side stays forgotten. Returns how many rows were inserted or forgotten.
   */
  async importKeys(rows: ReadonlyArray<SubjectKeyRow>): Promise<number> {
    if (rows.length === 0) return 0;
    await this.ready;
    const { rowCount } = await withReconnect(() =>
      this.pool.query(
        `INSERT INTO aidwatch_subject_keys AS k (key_id, key, created_at, forgotten_at)
         SELECT * FROM unnest($1::text[], $2::bytea[], $3::timestamptz[], $4::timestamptz[])
         ON CONFLICT (key_id) DO UPDATE SET key = NULL, forgotten_at = coalesce(k.forgotten_at, excluded.forgotten_at)
         WHERE excluded.key IS NULL AND k.key IS NOT NULL`,
        [
          rows.map((r) => r.keyId),
          rows.map((r) => r.key),
          rows.map((r) => r.createdAt),
          rows.map((r) => r.forgottenAt),
        ],
      ),
    );
    for (const row of rows) this.cache.delete(row.keyId);
    return rowCount ?? 0;
  }

  async close(): Promise<void> {
    await this.ready.catch(() => undefined);
    await this.pool.end();
  }

  private async read(keyIds: string[]): Promise<Map<string, Buffer | null>> {
    await this.ready;
    const { rows } = await withReconnect(() =>
      this.pool.query<{ key_id: string; key: Buffer | null }>(
        'SELECT key_id, key FROM aidwatch_subject_keys WHERE key_id = ANY($1::text[])',
        [keyIds],
      ),
    );
    const until = Date.now() + (this.options.cacheMs ?? 5000);
    const found = new Map<string, Buffer | null>();
    for (const row of rows) {
      found.set(row.key_id, row.key);
      this.cache.set(row.key_id, { key: row.key, until });
    }
    if (this.cache.size > 100_000) this.cache.clear();
    return found;
  }
}
