import { randomUUID } from 'node:crypto';
import { UpcasterRegistry } from '@aidwatch/domain';
import { chainHash, chainLinkOf, unchainedMetadata } from './chain';
import type { EventStore, StoredEvent } from './event-store.port';
import { InMemoryEventStore } from './in-memory-event-store';
import { describeEventStoreContract } from './testing';
import { Collector } from './testing/contract-context';
import { storedFormOf, UpcastingEventStore, type LayeredEventStore } from './upcasting-event-store';

/** A type that changed twice: `note.v1` {text} → `note.v2` {body} → `memo.v3` {body, lang}. */
const registry = new UpcasterRegistry([
  {
    from: 'test.note.v1',
    to: 'test.note.v2',
    upcast: (data) => {
      const { text, ...rest } = data as { text?: unknown };
      return { ...rest, body: text };
    },
  },
  {
    from: 'test.note.v2',
    to: 'test.memo.v3',
    upcast: (data) => ({ ...(data as object), lang: 'en' }),
  },
]);

const event = (type: string, data: unknown) => ({ id: randomUUID(), type, data });

describe('UpcastingEventStore', () => {
  let stored: InMemoryEventStore;
  let store: UpcastingEventStore;

  beforeEach(async () => {
    stored = new InMemoryEventStore();
    store = new UpcastingEventStore(stored, registry);
    await stored.append('notes-1', [
      event('test.note.v1', { text: 'stored in 2024' }),
      event('test.note.v2', { body: 'stored in 2025' }),
      event('test.memo.v3', { body: 'stored now', lang: 'ko' }),
      event('test.other.v1', { text: 'not versioned' }),
    ]);
  });

  const shapes = (events: StoredEvent[]) => events.map((e) => [e.type, e.data]);
  const current = [
    ['test.memo.v3', { body: 'stored in 2024', lang: 'en' }],
    ['test.memo.v3', { body: 'stored in 2025', lang: 'en' }],
    ['test.memo.v3', { body: 'stored now', lang: 'ko' }],
    ['test.other.v1', { text: 'not versioned' }],
  ];

  it('reads every version as the current one through readStream and readAll, both directions', async () => {
    expect(shapes(await store.readStream('notes-1'))).toEqual(current);
    expect(shapes(await store.readStream('notes-1', { direction: 'backwards' }))).toEqual(
      [...current].reverse(),
    );
    expect(shapes(await store.readAll())).toEqual(current);
    expect(shapes(await store.readAll({ maxCount: 2 }))).toEqual(current.slice(0, 2));
  });

  it('keeps id, stream, revision, position, metadata (its chain link) and recording time', async () => {
    const [raw] = await stored.readStream('notes-1');
    const [read] = await store.readStream('notes-1');
    const { type: _t, data: _d, ...rest } = raw;
    expect(read).toMatchObject(rest);
    expect(chainLinkOf(read.metadata)).toEqual(chainLinkOf(raw.metadata));
  });

  it('upcasts what a catch-up subscription delivers, history and live', async () => {
    const subscription = store.subscribeToAll();
    const collector = new Collector(subscription);
    await stored.append('notes-2', [event('test.note.v1', { text: 'live' })]);
    const received = await collector.until(5);
    expect(shapes(received)).toEqual([...current, ['test.memo.v3', { body: 'live', lang: 'en' }]]);
    await subscription.close();
    await collector.finished;
  });

  it('upcasts the pages of a subscription as it does its events, and tells when it is closed', async () => {
    const subscription = store.subscribeToAll();
    const iterator = subscription.pages!()[Symbol.asyncIterator]();
    const first = await iterator.next();
    expect(shapes(first.value as StoredEvent[])).toEqual(current);
    expect(subscription.isClosed?.()).toBe(false);
    await subscription.close();
    expect(subscription.isClosed?.()).toBe(true);
    expect((await iterator.next()).done).toBe(true);
  });

  it('selects older versions with a filter on the current type (pages stay full)', async () => {
    const filter = { eventTypePrefixes: ['test.memo.'] };
    expect(shapes(await store.readAll({ filter }))).toEqual(current.slice(0, 3));
    expect(await store.readAll({ filter, maxCount: 2 })).toHaveLength(2);
    const subscription = store.subscribeToAll({ filter });
    const collector = new Collector(subscription);
    expect(shapes(await collector.until(3))).toEqual(current.slice(0, 3));
    await subscription.close();
    expect(shapes(await store.readAll({ filter: { eventTypePrefixes: ['test.other.'] } }))).toEqual([
      current[3],
    ]);
  });

  it('appends unchanged: an old version written through it is stored as it was given', async () => {
    await store.append('notes-3', [event('test.note.v1', { text: 'late producer' })]);
    const [raw] = await stored.readStream('notes-3');
    expect([raw.type, raw.data]).toEqual(['test.note.v1', { text: 'late producer' }]);
  });

  it('leaves the stored bytes alone: chain hashes verify on the log as stored, not on what readers get', async () => {
    const verifies = (e: StoredEvent) =>
      chainHash(chainLinkOf(e.metadata)!.previous, { ...e, metadata: unchainedMetadata(e.metadata) }) ===
      chainLinkOf(e.metadata)!.hash;
    expect((await stored.readStream('notes-1')).map(verifies)).toEqual([true, true, true, true]);
    // Upcast events no longer hash to their link: verification and export must read storedFormOf(store).
    expect((await store.readStream('notes-1')).map(verifies)).toEqual([false, false, true, true]);
  });

  it('storedFormOf unwraps every layer down to the log as stored', () => {
    const outer: LayeredEventStore = { ...wrap(store), storedForm: store };
    expect(storedFormOf(outer)).toBe(stored);
    expect(storedFormOf(store)).toBe(stored);
    expect(storedFormOf(stored)).toBe(stored);
  });
});

/** A bare delegate of a store (a decorator that changes nothing). */
function wrap(inner: EventStore): EventStore {
  return {
    name: inner.name,
    append: (...a) => inner.append(...a),
    appendMany: (...a) => inner.appendMany(...a),
    readStream: (...a) => inner.readStream(...a),
    readAll: (...a) => inner.readAll(...a),
    subscribeToAll: (...a) => inner.subscribeToAll(...a),
    headPosition: () => inner.headPosition(),
    close: () => inner.close(),
  };
}

// The decorator is transparent for types it does not know: the whole adapter contract holds through it.
describeEventStoreContract(
  'UpcastingEventStore over InMemoryEventStore',
  async () => ({ store: new UpcastingEventStore(new InMemoryEventStore(), registry) }),
  { durable: false, startsEmpty: true },
);
