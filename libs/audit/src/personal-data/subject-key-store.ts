import Database from 'better-sqlite3';
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { restrictToOwner } from '@aidwatch/event-store';

/** The id a subject's key is filed under: SHA-256 of the subject, so the key table names nobody. */
export const subjectKeyId = (subject: string): string =>
  createHash('sha256').update(subject, 'utf8').digest('hex');

/**
 * One AES-256 key per data subject, in a SQLite file of its own (never in the event log). Forgetting a
 * subject destroys its key: what was encrypted with it can no longer be read, while the log stays as it was.
 */
export class SubjectKeyStore {
  private readonly db: Database.Database;
  private readonly cache = new Map<string, Buffer | null>();

  constructor(file: string) {
    if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    this.db = new Database(file, { timeout: 5000 });
    restrictToOwner(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.exec(
      `CREATE TABLE IF NOT EXISTS subject_keys (
         key_id TEXT PRIMARY KEY, key BLOB, created_at TEXT NOT NULL, forgotten_at TEXT) STRICT`,
    );
  }

  /** The subject's key, created on first use; null once the subject was forgotten. */
  keyFor(keyId: string, now: () => Date = () => new Date()): Buffer | null {
    const known = this.lookup(keyId);
    if (known !== undefined) return known;
    this.db
      .prepare('INSERT OR IGNORE INTO subject_keys (key_id, key, created_at) VALUES (?, ?, ?)')
      .run(keyId, randomBytes(32), now().toISOString());
    this.cache.delete(keyId);
    return this.lookup(keyId) ?? null;
  }

  /** The key if the subject has one (null: forgotten; undefined: never seen). Other processes' changes are seen. */
  lookup(keyId: string): Buffer | null | undefined {
    const row = this.db.prepare('SELECT key FROM subject_keys WHERE key_id = ?').get(keyId) as
      { key: Buffer | null } | undefined;
    return row ? row.key : undefined;
  }

  /** Destroys the subject's key. Returns false when no data was ever stored for it. */
  forget(subject: string, now: () => Date = () => new Date()): boolean {
    const result = this.db
      .prepare(
        'UPDATE subject_keys SET key = NULL, forgotten_at = coalesce(forgotten_at, ?) WHERE key_id = ?',
      )
      .run(now().toISOString(), subjectKeyId(subject));
    this.db.pragma('wal_checkpoint(TRUNCATE)'); // the destroyed key must not linger in the write-ahead log
    return result.changes > 0;
  }

  close(): void {
    this.db.close();
  }
}
