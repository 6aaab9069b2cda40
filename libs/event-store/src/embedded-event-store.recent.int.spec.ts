import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EmbeddedEventStore } from './embedded-event-store';
import type { NewEvent, StoredEvent } from './event-store.port';

/*
 * A subscription of the embedded store takes the events its own commits just wrote from memory
 * (`RecentAppends`), and hands over exactly what reading the file gives: with another store on the same file
 * writing in between, with repeats skipped, with expected revisions, and with events pruned under it.
 */

const events = (count: number, tag: string): NewEvent[] =>
  Array.from({ length: count }, (_, i) => ({
    id: randomUUID(),
    type: 'aidwatch.test.recent.v1',
    data: { tag, i, text: `ünïcode ${i}`, nested: { list: [i, null, true] } },
    metadata: { lane: tag },
  }));

async function take(iterator: AsyncIterator<StoredEvent>, count: number): Promise<StoredEvent[]> {
  const taken: StoredEvent[] = [];
  while (taken.length < count) {
    const next = await iterator.next();
    if (next.done) break;
    taken.push(next.value);
  }
  return taken;
}

describe.each(['inline', 'worker'] as const)('EmbeddedEventStore, recent appends (writer %s)', (writer) => {
  let dir: string;
  let file: string;
  const opened: EmbeddedEventStore[] = [];
  const open = (options: { recentAppends?: { maxEvents: number; maxChars: number } } = {}) => {
    const store = new EmbeddedEventStore({ path: file, writer, pollIntervalMs: 20, pageSize: 2, ...options });
    opened.push(store);
    return store;
  };

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aidwatch-recent-'));
    file = path.join(dir, 'events.sqlite');
  });

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((store) => store.close()));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('hands over what the file holds, in its order, with another store writing between its commits', async () => {
    const ours = open();
    const theirs = open();
    const subscription = ours.subscribeToAll();
    const iterator = subscription[Symbol.asyncIterator]();
    const seen: StoredEvent[] = [];
    for (let round = 0; round < 8; round++) {
      const batch = events(3, `ours-${round}`);
      await ours.append(`vessel-${round % 3}`, batch);
      // A repeat of the same events is skipped by the store: nothing new to hand over.
      await ours.append(`vessel-${round % 3}`, batch);
      if (round % 3 === 1) await theirs.append('other-1', events(2, `theirs-${round}`));
      await ours.appendMany([
        { streamId: `consignment-${round}`, events: events(1, `new-${round}`), expected: 'no_stream' },
        { streamId: 'vessel-9', events: events(2, `many-${round}`) },
      ]);
      const stored = await ours.readAll();
      seen.push(...(await take(iterator, stored.length - seen.length)));
      expect(seen).toEqual(stored);
    }
    expect(ours.eventsFromMemory).toBeGreaterThan(30);
    // The other store's events came from the file.
    expect(ours.eventsFromMemory).toBeLessThan(seen.length);
    await subscription.close();
  });

  it('never hands over an event pruned after it was kept', async () => {
    const store = open();
    await store.append('vessel-1', events(10, 'a'));
    const subscription = store.subscribeToAll();
    const iterator = subscription[Symbol.asyncIterator]();
    const first = await take(iterator, 3);
    const stored = await store.readAll();
    await store.prune([stored[4].id, stored[6].id]);
    const rest = await take(iterator, 5);
    expect([...first, ...rest]).toEqual(await store.readAll());
    await subscription.close();
  });

  it('never hands over an event another store or process pruned', async () => {
    const ours = open();
    const archiver = open();
    await ours.append('vessel-1', events(6, 'a'));
    const stored = await ours.readAll();
    await archiver.prune([stored[1].id, stored[2].id]);
    const fromStart = ours.subscribeToAll();
    expect(await take(fromStart[Symbol.asyncIterator](), 4)).toEqual(await ours.readAll());
    const fromFirst = ours.subscribeToAll({ after: stored[0].position });
    const iterator = fromFirst[Symbol.asyncIterator]();
    expect(await take(iterator, 3)).toEqual((await ours.readAll()).slice(1));
    // Kept again from the next commit on.
    const before = ours.eventsFromMemory;
    await ours.append('vessel-1', events(2, 'b'));
    expect(await take(iterator, 2)).toEqual((await ours.readAll()).slice(4));
    expect(ours.eventsFromMemory).toBe(before + 2);
    await fromStart.close();
    await fromFirst.close();
  });

  it('counts deletions in a file written before the count was kept', async () => {
    const first = open();
    await first.append('vessel-1', events(4, 'old'));
    await first.close();
    const old = new Database(file);
    old.exec('DROP TRIGGER count_event_deletions; DROP TABLE event_deletions;');
    old.close();
    const ours = open();
    const archiver = open();
    await ours.append('vessel-1', events(4, 'new'));
    const stored = await ours.readAll();
    const subscription = ours.subscribeToAll({ after: stored[3].position });
    await archiver.prune([stored[5].id]);
    expect(await take(subscription[Symbol.asyncIterator](), 3)).toEqual((await ours.readAll()).slice(4));
    await subscription.close();
  });

  it('reads from the file a subscription further behind than what is kept', async () => {
    const store = open({ recentAppends: { maxEvents: 4, maxChars: 1_000_000 } });
    for (let i = 0; i < 5; i++) await store.append(`vessel-${i}`, events(3, `r${i}`));
    const subscription = store.subscribeToAll();
    const got = await take(subscription[Symbol.asyncIterator](), 15);
    expect(got).toEqual(await store.readAll());
    // Only the last four were kept, and the read from the file ran on past the first of them.
    expect(store.eventsFromMemory).toBeLessThanOrEqual(4);
    await subscription.close();
  });
});
