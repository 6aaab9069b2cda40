import fc from 'fast-check';
import { CatchUpSubscription, type PageSource } from './catch-up-subscription';
import type { StoredEvent } from './event-store.port';

/** A log of `size` events that counts the pages read from it and can announce appends. */
function logOf(size: number) {
  const events: StoredEvent[] = [];
  const listeners = new Set<() => void>();
  const append = () =>
    events.push({
      id: `e${events.length + 1}`,
      type: 'aidwatch.test.appended',
      streamId: 'test-1',
      revision: events.length,
      position: String(events.length + 1),
      data: {},
      metadata: {},
      recordedAt: '2025-01-01T00:00:00.000Z',
    });
  for (let i = 0; i < size; i++) append();
  const source: PageSource & { pagesRead: number } = {
    pagesRead: 0,
    readPage(after, limit) {
      source.pagesRead += 1;
      const page = events.slice(after, after + limit);
      return { events: page, scannedTo: page.length === limit ? after + limit : events.length };
    },
    onAppend(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  return { source, append, announce: () => listeners.forEach((listener) => listener()) };
}

async function take(iterator: AsyncIterator<StoredEvent>, count: number): Promise<string[]> {
  const taken: string[] = [];
  while (taken.length < count) {
    const next = await iterator.next();
    if (next.done) break;
    taken.push(next.value.id);
  }
  return taken;
}

describe('CatchUpSubscription', () => {
  it('reads the next page only when the consumer has taken the previous one', async () => {
    const log = logOf(1000);
    const subscription = new CatchUpSubscription(log.source, 0, { pageSize: 10 });
    const iterator = subscription[Symbol.asyncIterator]();

    expect(await take(iterator, 15)).toHaveLength(15);
    expect(log.source.pagesRead).toBe(2);
    await subscription.close();
  });

  it('starts after the given position and, once caught up, waits for an append notification', async () => {
    const log = logOf(3);
    const subscription = new CatchUpSubscription(log.source, 1, { pageSize: 10 });
    const iterator = subscription[Symbol.asyncIterator]();
    expect(await take(iterator, 2)).toEqual(['e2', 'e3']);

    const pending = iterator.next();
    await new Promise((resolve) => setTimeout(resolve, 30));
    const readsWhileIdle = log.source.pagesRead;
    log.append();
    log.announce();

    expect((await pending).value?.id).toBe('e4');
    expect(readsWhileIdle).toBe(1);
    await subscription.close();
  });

  it('two notifications in one turn while idle (events of another filter) leave it woken by the next append and by close', async () => {
    const log = logOf(1);
    const subscription = new CatchUpSubscription(log.source, 0, { pageSize: 10 });
    const iterator = subscription[Symbol.asyncIterator]();
    await take(iterator, 1);
    const pending = iterator.next();
    await new Promise((resolve) => setTimeout(resolve, 10));
    // Appends this subscription does not see (another stream prefix), announced twice in one turn: the
    // second wake-up of the first wait must not forget the wait that follows it.
    log.announce();
    log.announce();
    await new Promise((resolve) => setTimeout(resolve, 20));
    log.append();
    log.announce();
    expect((await pending).value?.id).toBe('e2');
    const last = iterator.next();
    await new Promise((resolve) => setTimeout(resolve, 10));
    log.announce();
    log.announce();
    await new Promise((resolve) => setTimeout(resolve, 20));
    await subscription.close();
    expect((await last).done).toBe(true);
  });

  it('without a notification finds new events at the next poll', async () => {
    const log = logOf(1);
    const subscription = new CatchUpSubscription(log.source, 0, { pageSize: 10, pollIntervalMs: 20 });
    const iterator = subscription[Symbol.asyncIterator]();
    await take(iterator, 1);

    const pending = iterator.next();
    log.append();

    expect((await pending).value?.id).toBe('e2');
    await subscription.close();
  });

  it('can be iterated only once', () => {
    const subscription = new CatchUpSubscription(logOf(0).source, 0, { pageSize: 10 });
    subscription[Symbol.asyncIterator]();

    expect(() => subscription[Symbol.asyncIterator]()).toThrow('only once');
  });

  it('closes itself when the consumer stops early, having read no further page', async () => {
    const log = logOf(50);
    const onClose = jest.fn();
    const subscription = new CatchUpSubscription(log.source, 0, { pageSize: 10, onClose });

    for await (const event of subscription) if (event.id === 'e3') break;

    expect(onClose).toHaveBeenCalledTimes(1);
    expect(log.source.pagesRead).toBe(1);
  });
});

describe('CatchUpSubscription.pages', () => {
  async function allPages(subscription: CatchUpSubscription, count: number): Promise<string[][]> {
    const pages: string[][] = [];
    let taken = 0;
    if (count === 0) return pages;
    for await (const page of subscription.pages()) {
      pages.push(page.map((e) => e.id));
      taken += page.length;
      if (taken >= count) break;
    }
    return pages;
  }

  it('hands over the same events as iterating by events, in order, a page at a time and never an empty page', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 40 }),
        fc.integer({ min: 1, max: 12 }),
        fc.nat({ max: 45 }),
        async (size, pageSize, start) => {
          const after = Math.min(start, size);
          const byEvents = new CatchUpSubscription(logOf(size).source, after, { pageSize });
          const expected = await take(byEvents[Symbol.asyncIterator](), size - after);
          await byEvents.close();
          const byPages = new CatchUpSubscription(logOf(size).source, after, { pageSize });
          const pages = await allPages(byPages, size - after);
          await byPages.close();
          expect(pages.flat()).toEqual(expected);
          for (const page of pages) {
            expect(page.length).toBeGreaterThan(0);
            expect(page.length).toBeLessThanOrEqual(pageSize);
          }
        },
      ),
      { seed: 20261207, numRuns: 300 },
    );
  });

  it('settles a page once the next is asked for', async () => {
    const log = logOf(4);
    const subscription = new CatchUpSubscription(log.source, 0, { pageSize: 2, positionOf: String });
    const iterator = subscription.pages()[Symbol.asyncIterator]();
    expect((await iterator.next()).value?.map((e: StoredEvent) => e.id)).toEqual(['e1', 'e2']);
    expect(subscription.settledPosition()).toBeUndefined();
    expect((await iterator.next()).value?.map((e: StoredEvent) => e.id)).toEqual(['e3', 'e4']);
    expect(subscription.settledPosition()).toBe('2');
    const pending = iterator.next();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(subscription.settledPosition()).toBe('4');
    expect(subscription.isClosed()).toBe(false);
    await subscription.close();
    expect(subscription.isClosed()).toBe(true);
    expect((await pending).done).toBe(true);
  });

  it('is one way to iterate: pages after events, or events after pages, is refused', () => {
    const first = new CatchUpSubscription(logOf(0).source, 0, { pageSize: 10 });
    first[Symbol.asyncIterator]();
    expect(() => first.pages()).toThrow('only once');
    const second = new CatchUpSubscription(logOf(0).source, 0, { pageSize: 10 });
    second.pages();
    expect(() => second[Symbol.asyncIterator]()).toThrow('only once');
  });

  it('waits for an append once caught up, and closes itself when the consumer stops early', async () => {
    const log = logOf(2);
    const onClose = jest.fn();
    const subscription = new CatchUpSubscription(log.source, 0, { pageSize: 10, onClose });
    const iterator = subscription.pages()[Symbol.asyncIterator]();
    expect((await iterator.next()).value?.length).toBe(2);
    const pending = iterator.next();
    await new Promise((resolve) => setTimeout(resolve, 20));
    log.append();
    log.announce();
    expect((await pending).value?.map((e: StoredEvent) => e.id)).toEqual(['e3']);
    await iterator.return?.();
    expect(onClose).toHaveBeenCalledTimes(1);
    expect(subscription.isClosed()).toBe(true);
  });
});
