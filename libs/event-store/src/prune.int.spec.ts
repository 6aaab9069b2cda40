import { randomUUID } from 'node:crypto';
import { EmbeddedEventStore } from './embedded-event-store';
import { PostgresEventStore } from './postgres-event-store';
import { PRUNE_BATCH_ROWS, PruneHeadError, type PrunableEventStore } from './prunable';
import { createTestDatabase, describeWithPostgres } from './testing';

/** What every PrunableEventStore does (storage retention deletes archived events through it). */
function describePrune(
  name: string,
  open: () => Promise<{ store: PrunableEventStore; dispose: () => Promise<void> }>,
) {
  describe(`${name}.prune`, () => {
    jest.setTimeout(60_000);
    let store: PrunableEventStore;
    let dispose: () => Promise<void>;
    const event = (n: number) => ({ id: randomUUID(), type: 'aidwatch.vessel.position.v1', data: { n } });

    beforeEach(async () => ({ store, dispose } = await open()));
    afterEach(() => dispose());

    it('deletes the given rows and leaves heads, revisions and positions of the rest as they were', async () => {
      await store.append('vessel-1', [event(0), event(1), event(2)]);
      await store.append('vessel-2', [event(0), event(1)]);
      const [a0, a1, a2] = await store.readStream('vessel-1');
      const [b0, b1] = await store.readStream('vessel-2');
      expect(await store.prune([a0.id, a1.id, b0.id])).toBe(3);
      expect((await store.readStream('vessel-1')).map((e) => [e.revision, e.position])).toEqual([
        [2, a2.position],
      ]);
      expect((await store.readStream('vessel-2')).map((e) => [e.revision, e.position])).toEqual([
        [1, b1.position],
      ]);
      expect((await store.readAll()).map((e) => e.id)).toEqual([a2.id, b1.id]);
      // Appends continue the chain after the head.
      const appended = await store.append('vessel-1', [event(3)]);
      expect(appended.nextExpectedRevision).toBe(3);
      const [head, next] = await store.readStream('vessel-1');
      expect((next.metadata.chain as { previous: string }).previous).toBe(
        (head.metadata.chain as { hash: string }).hash,
      );
    });

    it('is idempotent: ids already deleted or never stored are skipped', async () => {
      await store.append('vessel-1', [event(0), event(1)]);
      const [first] = await store.readStream('vessel-1');
      expect(await store.prune([first.id])).toBe(1);
      expect(await store.prune([first.id, randomUUID(), 'not-a-uuid'])).toBe(0);
    });

    it("refuses a stream's newest event and deletes nothing of its batch", async () => {
      await store.append('vessel-1', [event(0), event(1)]);
      const [first, head] = await store.readStream('vessel-1');
      await expect(store.prune([first.id, head.id])).rejects.toBeInstanceOf(PruneHeadError);
      expect(await store.readStream('vessel-1')).toHaveLength(2);
    });

    it('works in bounded transactions and lets the event loop run between them', async () => {
      const total = PRUNE_BATCH_ROWS * 3 + 1;
      const events = Array.from({ length: total + 1 }, (_, n) => event(n));
      for (let i = 0; i < events.length; i += 1000) await store.append('vessel-1', events.slice(i, i + 1000));
      let turns = 0;
      const ticker = setInterval(() => turns++, 0);
      const deleted = await store.prune(events.slice(0, total).map((e) => e.id));
      clearInterval(ticker);
      expect(deleted).toBe(total);
      expect(turns).toBeGreaterThanOrEqual(3); // the timer ran between the batches
      expect(await store.readStream('vessel-1')).toHaveLength(1);
    });
  });
}

describePrune('EmbeddedEventStore', async () => {
  const store = EmbeddedEventStore.temporary();
  return { store, dispose: () => store.close() };
});

describeWithPostgres('PostgresEventStore.prune', () => {
  describePrune('PostgresEventStore', async () => {
    const database = await createTestDatabase('prune');
    const store = new PostgresEventStore({ connectionString: database.url });
    return {
      store,
      dispose: async () => {
        await store.close();
        await database.drop();
      },
    };
  });
});

describe('EmbeddedEventStore.streamIdsStartingWith', () => {
  it('lists the streams of a prefix from the stream index, sorted, and nothing else', async () => {
    const store = EmbeddedEventStore.temporary();
    const e = () => ({ id: randomUUID(), type: 'aidwatch.flag.raised.v1', data: {} });
    for (const stream of [
      'risk-vessel-2',
      'risk-consignment-1',
      'riskier',
      'risk.',
      'vessel-1',
      'risk-vessel-2',
    ])
      await store.append(stream, [e()]);
    expect(await store.streamIdsStartingWith('risk-')).toEqual(['risk-consignment-1', 'risk-vessel-2']);
    const db = (store as unknown as { db: import('better-sqlite3').Database }).db;
    const plan = db
      .prepare(
        "EXPLAIN QUERY PLAN SELECT DISTINCT stream_id FROM events WHERE stream_id >= 'a' AND stream_id < 'b'",
      )
      .all() as Array<{ detail: string }>;
    expect(plan.map((p) => p.detail).join(' ')).toMatch(/USING COVERING INDEX/);
    await store.close();
  });
});
