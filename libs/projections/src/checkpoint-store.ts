import Database from 'better-sqlite3';
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface Checkpoint {
  position: string;
  snapshot: unknown;
  updatedAt: string;
}

/** Projection checkpoints and state snapshots, kept beside the read model in a local SQLite file. */
export class CheckpointStore {
  private readonly db: Database.Database;

  constructor(file: string) {
    if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.exec(
      `CREATE TABLE IF NOT EXISTS checkpoints (
         name TEXT PRIMARY KEY, position TEXT NOT NULL, snapshot TEXT NOT NULL, updated_at TEXT NOT NULL)`,
    );
  }

  /** The active version of a blue/green projection (undefined: the unversioned original). */
  activeVersion(name: string): string | undefined {
    this.db.exec('CREATE TABLE IF NOT EXISTS active_versions (name TEXT PRIMARY KEY, version TEXT NOT NULL)');
    const row = this.db.prepare('SELECT version FROM active_versions WHERE name = ?').get(name) as
      { version: string } | undefined;
    return row?.version;
  }

  /** Makes `version` the one a blue/green projection serves. */
  activate(name: string, version: string): void {
    this.db.exec('CREATE TABLE IF NOT EXISTS active_versions (name TEXT PRIMARY KEY, version TEXT NOT NULL)');
    this.db
      .prepare(
        'INSERT INTO active_versions (name, version) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET version = excluded.version',
      )
      .run(name, version);
  }

  load(name: string): Checkpoint | undefined {
    const row = this.db
      .prepare('SELECT position, snapshot, updated_at AS updatedAt FROM checkpoints WHERE name = ?')
      .get(name) as { position: string; snapshot: string; updatedAt: string } | undefined;
    return row && { position: row.position, snapshot: JSON.parse(row.snapshot), updatedAt: row.updatedAt };
  }

  save(name: string, position: string, snapshot: unknown, at: Date): void {
    this.db
      .prepare(
        `INSERT INTO checkpoints (name, position, snapshot, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT(name) DO UPDATE SET position = excluded.position, snapshot = excluded.snapshot,
         updated_at = excluded.updated_at`,
      )
      .run(name, position, JSON.stringify(snapshot), at.toISOString());
  }

  delete(name: string): void {
    this.db.prepare('DELETE FROM checkpoints WHERE name = ?').run(name);
  }

  close(): void {
    this.db.close();
  }
}
