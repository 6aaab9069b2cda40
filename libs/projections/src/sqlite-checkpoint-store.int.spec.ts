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

  it.each(['a file', 'a symlink to a file elsewhere'])(
    'keeps its WAL bounded over many checkpoints in parts, and every commit reads back whole: %s',
    async (kind) => {
      // A symlinked file keeps its WAL beside its target (SQLite follows the link): that WAL is bounded too.
      const file = path.join(dir, 'checkpoints.sqlite');
      if (kind !== 'a file') {
        const target = path.join(dir, 'elsewhere', 'checkpoints.sqlite');
        fs.mkdirSync(path.dirname(target), { recursive: true });
        fs.symlinkSync(target, file);
      }
      const store = new SqliteCheckpointStore(file);
      const wal = `${fs.realpathSync(file)}-wal`;
      const value = (i: number, round: number) => ({ round, pad: `${i}`.padEnd(900, '.') });
      let largestWal = 0;
      // 20 checkpoints of about 1.8 MB each, back to back. Automatic WAL checkpoints are off: without the store's
      // own (on its worker thread, each awaited by the next checkpoint), the WAL would hold all of them (42 MB).
      for (let round = 1; round <= 20; round++) {
        const generation = await store.beginParts('p');
        for (let from = 0; from < 2000; from += 250) {
          const rows: Array<[string, unknown]> = [];
          for (let i = from; i < from + 250; i++) rows.push([`vessel:${i}`, value(i, round)]);
          await store.writePart('p', generation, rows);
        }
        await store.drain();
        await store.commitParts('p', generation, String(round), { round }, new Date(), round === 1);
        largestWal = Math.max(largestWal, fs.statSync(wal).size);
      }
      expect(largestWal).toBeLessThan(8 * 1024 * 1024);
      await store.close();
      const reopened = new SqliteCheckpointStore(file);
      const loaded = await reopened.load('p');
      expect(loaded?.position).toBe('20');
      const entries = (loaded?.snapshot as { entries: Record<string, { round: number }> }).entries;
      expect(Object.keys(entries)).toHaveLength(2000);
      expect(Object.values(entries).every((e) => e.round === 20)).toBe(true);
      await reopened.close();
    },
  );
});
