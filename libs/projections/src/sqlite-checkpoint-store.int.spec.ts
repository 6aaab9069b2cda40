import Database from 'better-sqlite3';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SqliteCheckpointStore } from './sqlite-checkpoint-store';
import { describeCheckpointStoreContract } from './testing';

describeCheckpointStoreContract('SqliteCheckpointStore', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aidwatch-checkpoints-'));
  return {
    open: () => new SqliteCheckpointStore(path.join(dir, 'checkpoints.sqlite')),
    dispose: async () => fs.rmSync(dir, { recursive: true, force: true }),
  };
});

describe('SqliteCheckpointStore', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aidwatch-checkpoints-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('carries over the per-subject rows of a file written with the earlier WITHOUT ROWID table', async () => {
    const file = path.join(dir, 'old.sqlite');
    const old = new Database(file);
    old.exec(`CREATE TABLE checkpoints (
                name TEXT PRIMARY KEY, position TEXT NOT NULL, snapshot TEXT NOT NULL, updated_at TEXT NOT NULL);
              CREATE TABLE checkpoint_entries (
                name TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (name, key)) WITHOUT ROWID;
              INSERT INTO checkpoints VALUES
                ('p', '7', '{"aidwatch.checkpoint.incremental":true,"head":{"n":1}}', '2026-06-01T00:00:00.000Z');
              INSERT INTO checkpoint_entries VALUES ('p', 'vessel:1', '{"x":1}'), ('p', 'vessel:2', '{"x":2}');`);
    old.close();

    const store = new SqliteCheckpointStore(file);
    expect(await store.load('p')).toMatchObject({
      position: '7',
      snapshot: { head: { n: 1 }, entries: { 'vessel:1': { x: 1 }, 'vessel:2': { x: 2 } } },
    });
    const tables = new Database(file)
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      .pluck()
      .all();
    expect(tables).toEqual(['checkpoint_slots', 'checkpoints']);
    await store.close();
  });
});
