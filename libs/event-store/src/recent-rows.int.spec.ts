import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { EmbeddedEventStore } from './embedded-event-store';
import type { AllFilter, StoredEvent } from './event-store.port';

// Subscriptions that follow the head are fed from the rows this store's writer committed last (`RecentRows`).
// Whatever the interleaving of this store's appends, another connection's appends to the same file (gaps in
// what this store wrote), retention's prune and a tail smaller than the backlog, a subscription must hand over
// exactly what a read of the file gives: the same events, in the same order, equal field by field.

// A lone surrogate: SQLite stores the stream id altered, and a read gives it so altered.
const STREAMS = ['vessel-1', 'vessel-2', 'consignment-1', 'risk-1', 'vessel-\uD800x'];
const TYPES = [
  'aidwatch.vessel.position.v1',
  'aidwatch.consignment.registered.v1',
  'aidwatch.flag.raised.v2',
];
const FILTERS: Array<AllFilter | undefined> = [
  undefined,
  { streamPrefixes: ['vessel-'] },
  { eventTypePrefixes: ['aidwatch.flag.'] },
  {
    streamPrefixes: ['consignment-', 'risk-'],
    eventTypePrefixes: ['aidwatch.consignment.', 'aidwatch.flag.'],
  },
];

type Step =
  | { kind: 'append'; by: 'this' | 'other'; stream: number; count: number; type: number }
  | { kind: 'prune'; by: 'this' | 'other'; every: number }
  | { kind: 'follow'; filter: number; from: number; pageSize: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('append' as const),
      by: fc.constantFrom('this' as const, 'this' as const, 'other' as const),
      stream: fc.nat(STREAMS.length - 1),
      count: fc.integer({ min: 1, max: 7 }),
      type: fc.nat(TYPES.length - 1),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('prune' as const),
      // A prune by another connection (`aidwatch archive` on a running deployment's file) too.
      by: fc.constantFrom('this' as const, 'other' as const),
      every: fc.integer({ min: 2, max: 4 }),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('follow' as const),
      filter: fc.nat(FILTERS.length - 1),
      from: fc.nat(40),
      pageSize: fc.integer({ min: 1, max: 9 }),
    }),
  },
);

/** Reads a subscription until it has handed over `count` events (bounded: a broken feed fails, not hangs). */
async function follow(
  store: EmbeddedEventStore,
  after: string | undefined,
  filter: AllFilter | undefined,
  count: number,
): Promise<StoredEvent[]> {
  const subscription = store.subscribeToAll({ after, filter });
  const got: StoredEvent[] = [];
  const timer = setTimeout(() => void subscription.close(), 5_000);
  try {
    if (count > 0) {
      for await (const event of subscription) {
        got.push(event);
        if (got.length >= count) break;
      }
    }
  } finally {
    clearTimeout(timer);
    await subscription.close();
  }
  return got;
}

describe.each([
  ['inline', 'inline' as const],
  ['on a worker thread', 'worker' as const],
])('Recent rows, writer %s', (_name, writer) => {
  let dir: string;
  beforeAll(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aidwatch-recent-'))));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('a subscription hands over what a read of the file gives, whatever wrote and pruned meanwhile', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(step, { minLength: 1, maxLength: 25 }),
        fc.integer({ min: 1, max: 12 }),
        async (steps, tail) => {
          const file = path.join(dir, `events-${++run}.sqlite`);
          // Page size 3 and a tail of a few rows: pages cross from the file into memory and back.
          const store = new EmbeddedEventStore({
            path: file,
            writer,
            recentRows: tail,
            pageSize: 3,
            pollIntervalMs: 20,
          });
          const other = new EmbeddedEventStore({ path: file });
          try {
            for (const s of steps) {
              if (s.kind === 'append') {
                const events = Array.from({ length: s.count }, (_, i) => ({
                  id: randomUUID(),
                  type: TYPES[s.type],
                  data: {
                    n: i,
                    text: 'é\u2028"\\',
                    nested: { at: new Date(0).toISOString(), list: [1.5, null, true] },
                  },
                  metadata: { by: s.by },
                }));
                await (s.by === 'this' ? store : other).append(STREAMS[s.stream], events);
              } else if (s.kind === 'prune') {
                const all = await store.readAll();
                const ids = all.filter((_, i) => i % s.every === 0).map((e) => e.id);
                // Stream heads are never pruned: prune the others one by one.
                const by = s.by === 'this' ? store : other;
                for (const id of ids) await by.prune([id]).catch(() => undefined);
              } else {
                const expected = (await store.readAll({ filter: FILTERS[s.filter] })).filter(
                  (e) => Number(e.position) > s.from,
                );
                const got = await follow(store, String(s.from), FILTERS[s.filter], expected.length);
                expect(got).toEqual(expected);
                // And nothing more: the next event would be past the file's end.
              }
            }
            // At the end, every filter from the start.
            for (const filter of FILTERS) {
              const expected = await store.readAll({ filter });
              expect(await follow(store, undefined, filter, expected.length)).toEqual(expected);
            }
          } finally {
            await other.close();
            await store.close();
          }
        },
      ),
      { numRuns: 25 },
    );
  }, 120_000);

  it('does not hand over a row pruned after its commit and before the commit was answered', async () => {
    const file = path.join(dir, `race-${writer}.sqlite`);
    const store = new EmbeddedEventStore({ path: file, writer, pollIntervalMs: 20 });
    const reader = new Database(file, { readonly: true, fileMustExist: false });
    try {
      await store.append('vessel-0', [{ id: randomUUID(), type: TYPES[0], data: { n: -1 } }]);
      const batch = Array.from({ length: 3000 }, (_, n) => ({
        id: randomUUID(),
        type: TYPES[0],
        data: { n },
      }));
      const appended = store.append('vessel-1', batch);
      // The writer's thread commits; its answer waits for this thread, which prunes one of the rows first.
      const victim = batch[2500].id;
      if (writer === 'worker') {
        // One turn: the group is sent to the writer's thread; from here this thread does not yield until the prune.
        await new Promise((resolve) => setImmediate(resolve));
        const held = reader.prepare('SELECT count(*) FROM events WHERE id = ?').pluck();
        const deadline = Date.now() + 10_000;
        while (held.get(victim) === 0 && Date.now() < deadline);
        expect(held.get(victim)).toBe(1);
      } else await appended;
      const pruned = store.prune([victim]);
      await pruned;
      await appended;
      const expected = await store.readAll();
      expect(expected.some((e) => e.id === victim)).toBe(false);
      expect(await follow(store, '0', undefined, expected.length)).toEqual(expected);
    } finally {
      reader.close();
      await store.close();
    }
  });

  it('feeds a subscription at the head from memory: the file can no longer be read, the events still come', async () => {
    const file = path.join(dir, `head-${writer}.sqlite`);
    const store = new EmbeddedEventStore({ path: file, writer, pollIntervalMs: 60_000 });
    try {
      await store.append('vessel-1', [{ id: randomUUID(), type: TYPES[0], data: { n: 0 } }]);
      const subscription = store.subscribeToAll({ after: (await store.headPosition()) ?? undefined });
      const iterator = subscription[Symbol.asyncIterator]();
      const next = iterator.next();
      // Reads of the file now fail: only memory can answer.
      const log = (store as unknown as { log: { readAfter: () => never } }).log;
      log.readAfter = () => {
        throw new Error('read from the file');
      };
      await store.append('vessel-2', [{ id: randomUUID(), type: TYPES[0], data: { n: 1 } }]);
      const { value } = await next;
      expect((value as StoredEvent).data).toEqual({ n: 1 });
      expect((value as StoredEvent).streamId).toBe('vessel-2');
      await subscription.close();
    } finally {
      await store.close();
    }
  });
});
