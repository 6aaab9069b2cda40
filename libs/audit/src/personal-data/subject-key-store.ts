import Database from 'better-sqlite3';
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { restrictToOwner } from '@aidwatch/event-store';

/** The id a subject's key is filed under: SHA-256 of the subject, so the key table names nobody. */
export const subjectKeyId = (subject: string): string =>
  createHash('sha256').update(subject, 'utf8').digest('hex');

/**
 * The subject-key port: one AES-256 key (32 bytes) per data subject, kept apart from the event log.
 * Forgetting a subject destroys its key: what was encrypted with it can no longer be read, while the log
 * stays as it was. Adapters: a SQLite file (SqliteSubjectKeyStore) and PostgreSQL (PostgresSubjectKeyStore,
 * with EVENT_STORE=postgres, so every service and the CLI share one set of keys); one contract suite
 * (testing/subject-key-store.contract.ts). Keys are asked for a page of events at a time.
 */
export abstract class SubjectKeyStore {
  /**
   * The keys of these subjects (by `subjectKeyId`), each created on first use — concurrently by any number
   * of processes, one key wins; null for a subject forgotten.
   */
  abstract keysFor(keyIds: readonly string[], now?: () => Date): Promise<Map<string, Buffer | null>>;
  /** The keys these subjects have: null when forgotten, absent from the map when never seen. */
  abstract lookup(keyIds: readonly string[]): Promise<Map<string, Buffer | null>>;
  /** Destroys the subject's key (`monitor:MON-017`). True when a key was destroyed now; false when there was none (already forgotten, or no data was ever stored for it). */
  abstract forget(subject: string, now?: () => Date): Promise<boolean>;
  abstract close(): Promise<void>;
}

/** One stored subject key as `aidwatch migrate` copies it (key null: forgotten). */
export interface SubjectKeyRow {
  keyId: string;
  key: Buffer | null;
  createdAt: string;
  forgottenAt: string | null;
}

/** Subject keys in a SQLite file of their own (DATA_DIR/subject-keys.sqlite, mode 0600). Reads see other processes' changes. */
export class SqliteSubjectKeyStore extends SubjectKeyStore {
  private readonly db: Database.Database;
  private readonly create: (keyIds: readonly string[], at: string) => void;

  constructor(file: string) {
    super();
    if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    this.db = new Database(file, { timeout: 5000 });
    restrictToOwner(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.exec(
      `CREATE TABLE IF NOT EXISTS subject_keys (
         key_id TEXT PRIMARY KEY, key BLOB, created_at TEXT NOT NULL, forgotten_at TEXT) STRICT`,
    );
    const insert = this.db.prepare(
      'INSERT OR IGNORE INTO subject_keys (key_id, key, created_at) VALUES (?, ?, ?)',
    );
    this.create = this.db.transaction((keyIds: readonly string[], at: string) => {
      for (const keyId of keyIds) insert.run(keyId, randomBytes(32), at);
    });
  }

  async keysFor(
    keyIds: readonly string[],
    now: () => Date = () => new Date(),
  ): Promise<Map<string, Buffer | null>> {
    const known = this.read(keyIds);
    const missing = keyIds.filter((id) => !known.has(id));
    if (missing.length === 0) return known;
    this.create(missing, now().toISOString());
    return this.read(keyIds);
  }

  async lookup(keyIds: readonly string[]): Promise<Map<string, Buffer | null>> {
    return this.read(keyIds);
  }

  async forget(subject: string, now: () => Date = () => new Date()): Promise<boolean> {
    const result = this.db
      .prepare('UPDATE subject_keys SET key = NULL, forgotten_at = ? WHERE key_id = ? AND key IS NOT NULL')
      .run(now().toISOString(), subjectKeyId(subject));
    this.db.pragma('wal_checkpoint(TRUNCATE)'); // the destroyed key must not linger in the write-ahead log
    return result.changes > 0;
  }

  /** Every key row, forgotten ones included (to copy them into another store). */
  async exportKeys(): Promise<SubjectKeyRow[]> {
    const rows = this.db
      .prepare('SELECT key_id, key, created_at, forgotten_at FROM subject_keys ORDER BY key_id')
      .all() as Array<{
      key_id: string;
      key: Buffer | null;
      created_at: string;
      forgotten_at: string | null;
    }>;
    return rows.map((r) => ({
      keyId: r.key_id,
      key: r.key,
      createdAt: r.created_at,
      forgottenAt: r.forgotten_at,
    }));
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  private read(keyIds: readonly string[]): Map<string, Buffer | null> {
    const found = new Map<string, Buffer | null>();
    const unique = [...new Set(keyIds)];
    for (let from = 0; from < unique.length; from += 500) {
      const part = unique.slice(from, from + 500);
      const rows = this.db
        .prepare(`SELECT key_id, key FROM subject_keys WHERE key_id IN (${part.map(() => '?').join(',')})`)
        .all(...part) as Array<{ key_id: string; key: Buffer | null }>;
      for (const row of rows) found.set(row.key_id, row.key);
    }
    return found;
  }
}
