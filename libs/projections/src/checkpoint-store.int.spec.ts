import Database from 'better-sqlite3';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CheckpointStore } from './checkpoint-store';

describe('CheckpointStore', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aidwatch-checkpoints-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('saves incrementally: a later checkpoint rewrites only the changed subjects and deletes the gone ones', () => {
    const store = new CheckpointStore(path.join(dir, 'c.sqlite'));
    const at = new Date('2026-06-01T00:00:00Z');
    store.saveChanges(
      'p',
      '10',
      {
        head: { n: 1 },
        changes: [
          ['a', 1],
          ['b', 2],
          ['c', 3],
        ],
      },
      at,
      true,
    );
    store.saveChanges(
      'p',
      '20',
      {
        head: { n: 2 },
        changes: [
          ['b', 20],
          ['c', undefined],
        ],
      },
      at,
      false,
    );
    expect(store.load('p')).toMatchObject({
      position: '20',
      incremental: true,
      snapshot: { head: { n: 2 }, entries: { a: 1, b: 20 } },
    });
  });

  it('carries over the per-subject rows of a file written with the earlier WITHOUT ROWID table', () => {
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

    const store = new CheckpointStore(file);
    expect(store.load('p')).toMatchObject({
      position: '7',
      snapshot: { head: { n: 1 }, entries: { 'vessel:1': { x: 1 }, 'vessel:2': { x: 2 } } },
    });
    const tables = new Database(file)
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      .pluck()
      .all();
    expect(tables).toEqual(['checkpoint_subjects', 'checkpoints']);
  });
});
