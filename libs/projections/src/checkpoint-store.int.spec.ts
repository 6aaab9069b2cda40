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

  it('tells the position a checkpoint reached without its snapshot', () => {
    const store = new CheckpointStore(path.join(dir, 'c.sqlite'));
    expect(store.positionOf('p')).toBeUndefined();
    store.save('p', '42', { big: 'state' }, new Date('2026-06-01T00:00:00Z'));
    store.saveChanges('q', '7', { head: {}, changes: [['a', 1]] }, new Date(), true);
    expect(store.positionOf('p')).toBe('42');
    expect(store.positionOf('q')).toBe('7');
    store.close();
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
    expect(tables).toEqual(['checkpoint_slots', 'checkpoints']);
  });

  describe('a checkpoint written in parts', () => {
    const at = new Date('2026-06-01T00:00:00Z');
    let file: string;
    beforeEach(() => {
      file = path.join(dir, 'parts.sqlite');
      const store = new CheckpointStore(file);
      store.saveChanges(
        'p',
        '10',
        {
          head: 'h1',
          changes: [
            ['a', 1],
            ['b', 2],
          ],
        },
        at,
        true,
      );
      store.close();
    });

    it('is invisible until committed, and a crash before the commit leaves the previous checkpoint whole', () => {
      const store = new CheckpointStore(file);
      store.load('p');
      const generation = store.beginParts('p');
      store.writePart('p', generation, [['a', 100]]);
      store.writePart('p', generation, [
        ['c', 300],
        ['b', undefined],
      ]);
      // A reader (a restart) sees the committed checkpoint only; the parts went to the other slots.
      const restarted = new CheckpointStore(file);
      expect(restarted.load('p')).toMatchObject({
        position: '10',
        snapshot: { head: 'h1', entries: { a: 1, b: 2 } },
      });
      restarted.close();
      store.close();
    });

    it('shows every part once committed, deletions included', () => {
      const store = new CheckpointStore(file);
      store.load('p');
      const generation = store.beginParts('p');
      store.writePart('p', generation, [['a', 100]]);
      store.writePart('p', generation, [
        ['c', 300],
        ['b', undefined],
      ]);
      store.commitParts('p', generation, '20', 'h2', at, false);
      expect(new CheckpointStore(file).load('p')).toMatchObject({
        position: '20',
        snapshot: { head: 'h2', entries: { a: 100, c: 300 } },
      });
    });

    it('never reuses the generation of parts left uncommitted by a crash', () => {
      const crashed = new CheckpointStore(file);
      crashed.load('p');
      const lost = crashed.beginParts('p');
      crashed.writePart('p', lost, [['x', 'from a checkpoint that never committed']]);
      crashed.close();

      const store = new CheckpointStore(file);
      store.load('p');
      const generation = store.beginParts('p');
      expect(generation).toBeGreaterThan(lost);
      store.writePart('p', generation, [['a', 5]]);
      store.commitParts('p', generation, '30', 'h3', at, false);
      const entries = (new CheckpointStore(file).load('p')?.snapshot as { entries: object }).entries;
      expect(entries).toEqual({ a: 5, b: 2 });
    });

    it('keeps alternating slots: many checkpoints in a row keep the newest value of each subject', () => {
      const store = new CheckpointStore(file);
      store.load('p');
      for (let i = 1; i <= 5; i++) {
        const generation = store.beginParts('p');
        store.writePart(
          'p',
          generation,
          i % 2 === 0
            ? [['a', i]]
            : [
                ['a', i],
                ['b', i],
              ],
        );
        store.commitParts('p', generation, String(10 + i), `h${i}`, at, false);
      }
      expect(new CheckpointStore(file).load('p')?.snapshot).toEqual({ head: 'h5', entries: { a: 5, b: 5 } });
    });

    it('with replace, drops every subject the parts did not write', () => {
      const store = new CheckpointStore(file);
      store.load('p');
      const generation = store.beginParts('p');
      store.writePart('p', generation, [['z', 26]]);
      store.commitParts('p', generation, '40', 'h4', at, true);
      expect(new CheckpointStore(file).load('p')?.snapshot).toEqual({ head: 'h4', entries: { z: 26 } });
    });
  });
});
