import type { CheckpointStore } from '../checkpoint-store';

export interface CheckpointFixture {
  /** A new store on the fixture's data (as a restarted process would open it). */
  open(): CheckpointStore;
  /** Removes the data; called after every store opened is closed. */
  dispose(): Promise<void>;
}

/**
 * What every CheckpointStore adapter does, as a jest suite: `factory` gives fresh, empty data per case.
 * Stores a case opens are closed after it.
 */
export function describeCheckpointStoreContract(
  name: string,
  factory: () => Promise<CheckpointFixture>,
): void {
  describe(`${name} meets the checkpoint store contract`, () => {
    let fixture: CheckpointFixture;
    let opened: CheckpointStore[] = [];
    const open = () => {
      const store = fixture.open();
      opened.push(store);
      return store;
    };
    const at = new Date('2026-06-01T00:00:00Z');
    beforeEach(async () => {
      fixture = await factory();
      opened = [];
    });
    afterEach(async () => {
      for (const store of opened) await store.close();
      await fixture.dispose();
    });

    it('has no checkpoint for a projection never saved', async () => {
      const store = open();
      expect(await store.load('p')).toBeUndefined();
      expect(await store.positionOf('p')).toBeUndefined();
    });

    it('saves a whole state and gives it back after a restart, with its position and time', async () => {
      await open().save('p', '42', { vessels: { a: [1, 2] }, note: 'ü ✓' }, at);
      expect(await open().load('p')).toEqual({
        position: '42',
        snapshot: { vessels: { a: [1, 2] }, note: 'ü ✓' },
        updatedAt: at.toISOString(),
        incremental: false,
      });
    });

    it('saves incrementally: a later checkpoint rewrites only the changed subjects and deletes the gone ones', async () => {
      const store = open();
      const first = {
        head: { n: 1 },
        changes: [
          ['a', 1],
          ['b', 2],
          ['c', 3],
        ] as Array<[string, unknown]>,
      };
      await store.saveChanges('p', '10', first, at, true);
      await store.saveChanges(
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
      expect(await open().load('p')).toMatchObject({
        position: '20',
        incremental: true,
        snapshot: { head: { n: 2 }, entries: { a: 1, b: 20 } },
      });
    });

    it('tells the position a checkpoint reached without its snapshot', async () => {
      const store = open();
      await store.save('p', '42', { big: 'state' }, at);
      await store.saveChanges('q', '7', { head: {}, changes: [['a', 1]] }, at, true);
      expect(await store.positionOf('p')).toBe('42');
      expect(await store.positionOf('q')).toBe('7');
    });

    it('a whole save drops the subject rows of an earlier incremental checkpoint', async () => {
      const store = open();
      await store.saveChanges('p', '10', { head: 'h', changes: [['a', 1]] }, at, true);
      await store.save('p', '11', { whole: true }, at);
      await store.saveChanges('p', '12', { head: 'h2', changes: [['b', 2]] }, at, false);
      expect((await open().load('p'))?.snapshot).toEqual({ head: 'h2', entries: { b: 2 } });
    });

    it('deletes a checkpoint with its subjects, leaving others alone', async () => {
      const store = open();
      await store.saveChanges('p', '10', { head: 'h', changes: [['a', 1]] }, at, true);
      await store.save('q', '5', 'state', at);
      await store.delete('p');
      expect(await open().load('p')).toBeUndefined();
      expect(await open().positionOf('q')).toBe('5');
      await store.saveChanges('p', '1', { head: 'again', changes: [] }, at, false);
      expect((await open().load('p'))?.snapshot).toEqual({ head: 'again', entries: {} });
    });

    it('erasure drops the checkpoints holding a value (head or subject rows) and keeps the others', async () => {
      const store = open();
      await store.save('whole', '1', { visits: [{ monitorId: 'MON_1%"x' }] }, at);
      await store.saveChanges('parts', '2', { head: { n: 1 }, changes: [['a', { by: 'MON_1%"x' }]] }, at);
      await store.saveChanges('other', '3', { head: { n: 2 }, changes: [['a', { by: 'MON-1%"x' }]] }, at);
      await store.save('unrelated', '4', { note: 'no one' }, at);
      // `_` and `%` in the value are literal: MON-1 is another subject and is kept.
      expect(await store.dropHolding('MON_1%"x')).toEqual(['parts', 'whole']);
      const reopened = open();
      expect(await reopened.load('whole')).toBeUndefined();
      expect(await reopened.load('parts')).toBeUndefined();
      expect((await reopened.load('other'))?.snapshot).toEqual({
        head: { n: 2 },
        entries: { a: { by: 'MON-1%"x' } },
      });
      expect(await reopened.positionOf('unrelated')).toBe('4');
      expect(await reopened.dropHolding('MON_1%"x')).toEqual([]);
    });

    it('keeps the active version of a blue/green projection', async () => {
      const store = open();
      expect(await store.activeVersion('read-model')).toBeUndefined();
      await store.activate('read-model', 'green-1');
      await store.activate('read-model', 'green-2');
      expect(await open().activeVersion('read-model')).toBe('green-2');
    });

    describe('a checkpoint written in parts', () => {
      beforeEach(async () => {
        const store = fixture.open();
        await store.saveChanges(
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
        await store.close();
      });

      it('is invisible until committed, and a crash before the commit leaves the previous checkpoint whole', async () => {
        const store = open();
        await store.load('p');
        const generation = await store.beginParts('p');
        await store.writePart('p', generation, [['a', 100]]);
        await store.writePart('p', generation, [
          ['c', 300],
          ['b', undefined],
        ]);
        // A reader (a restart) sees the committed checkpoint only; the parts went to the other slots.
        expect(await open().load('p')).toMatchObject({
          position: '10',
          snapshot: { head: 'h1', entries: { a: 1, b: 2 } },
        });
      });

      it('shows every part once committed, deletions included', async () => {
        const store = open();
        await store.load('p');
        const generation = await store.beginParts('p');
        await store.writePart('p', generation, [['a', 100]]);
        await store.writePart('p', generation, [
          ['c', 300],
          ['b', undefined],
        ]);
        await store.commitParts('p', generation, '20', 'h2', at, false);
        expect(await open().load('p')).toMatchObject({
          position: '20',
          snapshot: { head: 'h2', entries: { a: 100, c: 300 } },
        });
      });

      it('never reuses the generation of parts left uncommitted by a crash', async () => {
        const crashed = open();
        await crashed.load('p');
        const lost = await crashed.beginParts('p');
        await crashed.writePart('p', lost, [['x', 'from a checkpoint that never committed']]);

        const store = open();
        await store.load('p');
        const generation = await store.beginParts('p');
        expect(generation).toBeGreaterThan(lost);
        await store.writePart('p', generation, [['a', 5]]);
        await store.commitParts('p', generation, '30', 'h3', at, false);
        const entries = ((await open().load('p'))?.snapshot as { entries: object }).entries;
        expect(entries).toEqual({ a: 5, b: 2 });
      });

      it('keeps alternating slots: many checkpoints in a row keep the newest value of each subject', async () => {
        const store = open();
        await store.load('p');
        for (let i = 1; i <= 5; i++) {
          const generation = await store.beginParts('p');
          const rows: Array<[string, unknown]> =
            i % 2 === 0
              ? [['a', i]]
              : [
                  ['a', i],
                  ['b', i],
                ];
          await store.writePart('p', generation, rows);
          await store.commitParts('p', generation, String(10 + i), `h${i}`, at, false);
        }
        expect((await open().load('p'))?.snapshot).toEqual({ head: 'h5', entries: { a: 5, b: 5 } });
      });

      it('with replace, drops every subject the parts did not write', async () => {
        const store = open();
        await store.load('p');
        const generation = await store.beginParts('p');
        await store.writePart('p', generation, [['z', 26]]);
        await store.commitParts('p', generation, '40', 'h4', at, true);
        expect((await open().load('p'))?.snapshot).toEqual({ head: 'h4', entries: { z: 26 } });
      });

      it('a subject written twice in one part keeps its last value', async () => {
        const store = open();
        await store.load('p');
        const generation = await store.beginParts('p');
        await store.writePart('p', generation, [
          ['a', 7],
          ['a', 8],
        ]);
        await store.commitParts('p', generation, '50', 'h5', at, false);
        expect((await open().load('p'))?.snapshot).toEqual({ head: 'h5', entries: { a: 8, b: 2 } });
      });
    });
  });
}
