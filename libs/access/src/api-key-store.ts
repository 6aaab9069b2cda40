import Database from 'better-sqlite3';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { issueApiKey } from './api-key';
import type { Role } from './roles';

/** What a key may do, as given to `POST /admin/keys` and `aidwatch keys create`. */
export interface ApiKeyGrant {
  role: Role;
  tenant?: string;
  sources?: string[];
  monitorId?: string;
  /** Free text shown in `aidwatch keys list` (e.g. who holds the key). */
  label?: string;
}

export interface ApiKeyRecord extends ApiKeyGrant {
  id: string;
  createdAt: string;
  revokedAt?: string;
}

export interface StoredKey extends ApiKeyRecord {
  salt: string;
  hash: string;
}

/**
 * Keys by id; the secret itself is never stored, only its salted hash. Adapters: in memory
 * (`EVENT_STORE=memory`), a SQLite file (`SqliteApiKeyStore`, the embedded store) and PostgreSQL
 * (`PostgresApiKeyStore`, `EVENT_STORE=postgres`: every service and replica shares the keys). All pass the
 * contract suite in `@aidwatch/access/testing`.
 */
export interface ApiKeyStore {
  /** Creates a key and resolves with the token once: it cannot be read back later. */
  create(grant: ApiKeyGrant): Promise<{ record: ApiKeyRecord; key: string }>;
  /** The record with its salt and hash, for verification; revoked keys included. */
  find(id: string): Promise<StoredKey | undefined>;
  /** Every key, revoked ones included, oldest first. */
  list(): Promise<ApiKeyRecord[]>;
  /** Marks a key revoked; false when no such key exists. Revoking twice is harmless (the first time stays). */
  revoke(id: string): Promise<boolean>;
  /**
   * `aidwatch forget monitor:<id>`: every key bound to that monitor is revoked and its `monitorId` replaced by
   * `FORGOTTEN_MONITOR`, and the storage is rewritten so no page keeps the old value. Resolves with the keys
   * changed (0 when none named it: idempotent).
   */
  forgetMonitor(monitorId: string): Promise<number>;
  close(): Promise<void> | void;
}

/** What a forgotten monitor's keys name instead of its id. */
export const FORGOTTEN_MONITOR = '[forgotten]';

/** The embedded adapters also create a key synchronously (test fixtures issue keys inline). */
export interface SyncKeyIssuer {
  createSync(grant: ApiKeyGrant): { record: ApiKeyRecord; key: string };
}

export function publicRecord(stored: StoredKey): ApiKeyRecord {
  const { salt: _salt, hash: _hash, ...record } = stored;
  return record;
}

export class InMemoryApiKeyStore implements ApiKeyStore, SyncKeyIssuer {
  private readonly keys = new Map<string, StoredKey>();

  constructor(private readonly clock: () => Date = () => new Date()) {}

  async create(grant: ApiKeyGrant): Promise<{ record: ApiKeyRecord; key: string }> {
    return this.createSync(grant);
  }

  createSync(grant: ApiKeyGrant): { record: ApiKeyRecord; key: string } {
    const issued = issueApiKey();
    const stored: StoredKey = {
      ...grant,
      id: issued.id,
      createdAt: this.clock().toISOString(),
      salt: issued.salt,
      hash: issued.hash,
    };
    this.keys.set(stored.id, stored);
    return { record: publicRecord(stored), key: issued.key };
  }

  async find(id: string): Promise<StoredKey | undefined> {
    const stored = this.keys.get(id);
    return stored && { ...stored };
  }

  async list(): Promise<ApiKeyRecord[]> {
    return [...this.keys.values()].map(publicRecord);
  }

  async revoke(id: string): Promise<boolean> {
    const stored = this.keys.get(id);
    if (!stored) return false;
    stored.revokedAt ??= this.clock().toISOString();
    return true;
  }

  async forgetMonitor(monitorId: string): Promise<number> {
    let changed = 0;
    for (const stored of this.keys.values()) {
      if (stored.monitorId !== monitorId) continue;
      stored.revokedAt ??= this.clock().toISOString();
      stored.monitorId = FORGOTTEN_MONITOR;
      changed++;
    }
    return changed;
  }

  close(): void {}
}

interface Row {
  id: string;
  grant_json: string;
  salt: string;
  hash: string;
  created_at: string;
  revoked_at: string | null;
}

/**
 * Keys in a SQLite file (`DATA_DIR/access.sqlite`, created with mode 0600), shared by the server and the
 * `aidwatch keys` command: a key revoked from the command line is refused on the server's next request.
 */
export class SqliteApiKeyStore implements ApiKeyStore, SyncKeyIssuer {
  private readonly db: Database.Database;

  constructor(
    file: string,
    private readonly clock: () => Date = () => new Date(),
  ) {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    if (!fs.existsSync(file)) fs.closeSync(fs.openSync(file, 'a', 0o600));
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('busy_timeout = 2000');
    this.db.exec(`CREATE TABLE IF NOT EXISTS api_keys (
      id TEXT PRIMARY KEY, grant_json TEXT NOT NULL, salt TEXT NOT NULL, hash TEXT NOT NULL,
      created_at TEXT NOT NULL, revoked_at TEXT)`);
    for (const suffix of ['', '-wal', '-shm']) {
      if (fs.existsSync(file + suffix)) fs.chmodSync(file + suffix, 0o600);
    }
  }

  async create(grant: ApiKeyGrant): Promise<{ record: ApiKeyRecord; key: string }> {
    return this.createSync(grant);
  }

  createSync(grant: ApiKeyGrant): { record: ApiKeyRecord; key: string } {
    const issued = issueApiKey();
    const createdAt = this.clock().toISOString();
    this.db
      .prepare('INSERT INTO api_keys (id, grant_json, salt, hash, created_at) VALUES (?, ?, ?, ?, ?)')
      .run(issued.id, JSON.stringify(grant), issued.salt, issued.hash, createdAt);
    return { record: { ...grant, id: issued.id, createdAt }, key: issued.key };
  }

  async find(id: string): Promise<StoredKey | undefined> {
    const row = this.db.prepare('SELECT * FROM api_keys WHERE id = ?').get(id) as Row | undefined;
    return row ? this.fromRow(row) : undefined;
  }

  async list(): Promise<ApiKeyRecord[]> {
    const rows = this.db.prepare('SELECT * FROM api_keys ORDER BY created_at, id').all() as Row[];
    return rows.map((row) => publicRecord(this.fromRow(row)));
  }

  async revoke(id: string): Promise<boolean> {
    const result = this.db
      .prepare('UPDATE api_keys SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?')
      .run(this.clock().toISOString(), id);
    return result.changes > 0;
  }

  async forgetMonitor(monitorId: string): Promise<number> {
    const rows = this.db.prepare('SELECT * FROM api_keys').all() as Row[];
    const update = this.db.prepare(
      'UPDATE api_keys SET grant_json = ?, revoked_at = COALESCE(revoked_at, ?) WHERE id = ?',
    );
    const now = this.clock().toISOString();
    let changed = 0;
    this.db.transaction(() => {
      for (const row of rows) {
        const grant = JSON.parse(row.grant_json) as ApiKeyGrant;
        if (grant.monitorId !== monitorId) continue;
        update.run(JSON.stringify({ ...grant, monitorId: FORGOTTEN_MONITOR }), now, row.id);
        changed++;
      }
    })();
    if (changed > 0) {
      // The old rows stay in free pages and the write-ahead log until the file is rewritten.
      this.db.pragma('wal_checkpoint(TRUNCATE)');
      this.db.exec('VACUUM');
      this.db.pragma('wal_checkpoint(TRUNCATE)');
    }
    return changed;
  }

  /** Every key with its salt and hash (`aidwatch migrate --to postgres` copies them). */
  async exportKeys(): Promise<StoredKey[]> {
    const rows = this.db.prepare('SELECT * FROM api_keys ORDER BY created_at, id').all() as Row[];
    return rows.map((row) => this.fromRow(row));
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  private fromRow(row: Row): StoredKey {
    return storedKeyOf(row);
  }
}

/** A stored key from its columns (the SQLite and PostgreSQL tables have the same ones). */
export function storedKeyOf(row: {
  id: string;
  grant_json: string;
  salt: string;
  hash: string;
  created_at: string;
  revoked_at: string | null;
}): StoredKey {
  const grant = JSON.parse(row.grant_json) as ApiKeyGrant;
  return {
    ...grant,
    id: row.id,
    createdAt: row.created_at,
    ...(row.revoked_at ? { revokedAt: row.revoked_at } : {}),
    salt: row.salt,
    hash: row.hash,
  };
}
