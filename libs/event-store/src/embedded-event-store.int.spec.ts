import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EventIdConflictError } from './append-policy';
import { EmbeddedEventStore } from './embedded-event-store';
import { createEventStore } from './event-store.factory';
import { describeEventStoreContract } from './testing';
import { Collector, ids } from './testing/contract-context';
import { startAppendProcess } from './testing/embedded-append.process';

function temporaryFile(): { file: string; remove: () => Promise<void> } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aidwatch-embedded-'));
  return {
    file: path.join(dir, 'events.sqlite'),
    remove: async () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

// A long poll interval: within one process, live delivery must come from append notifications alone.
const inProcessOnly = { pollIntervalMs: 60_000 };

describeEventStoreContract(
  'EmbeddedEventStore',
  async () => {
    const { file, remove } = temporaryFile();
    let store = new EmbeddedEventStore({ path: file, ...inProcessOnly });
    return {
      store,
      reopen: async () => {
        await store.close();
        store = new EmbeddedEventStore({ path: file, ...inProcessOnly });
        return store;
      },
      dispose: remove,
    };
  },
  { durable: true, startsEmpty: true },
);

describeEventStoreContract(
  'EmbeddedEventStore, writer on a worker thread',
  async () => {
    const { file, remove } = temporaryFile();
    const open = () => new EmbeddedEventStore({ path: file, writer: 'worker', ...inProcessOnly });
    let store = open();
    return {
      store,
      reopen: async () => {
        await store.close();
        store = open();
        return store;
      },
      dispose: remove,
    };
  },
  { durable: true, startsEmpty: true },
);

describe('EmbeddedEventStore on a file', () => {
  let file: string;
  let remove: () => Promise<void>;
  const stores: EmbeddedEventStore[] = [];
  const open = (options: { pollIntervalMs?: number } = {}) => {
    const store = new EmbeddedEventStore({ path: file, ...options });
    stores.push(store);
    return store;
  };
  const event = () => ({ id: randomUUID(), type: 'aidwatch.consignment.loaded.v1', data: { port: 'CNDLC' } });

  beforeEach(() => ({ file, remove } = temporaryFile()));
  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
    await remove();
  });

  it('keeps the file in WAL mode', async () => {
    await open().append('consignment-1', [event()]);

    const db = new Database(file, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });

  it('refuses an event id that another stream already holds', async () => {
    const store = open();
    const shared = event();
    await store.append('consignment-1', [shared]);

    await expect(store.append('consignment-2', [event(), shared])).rejects.toBeInstanceOf(
      EventIdConflictError,
    );
    expect(await store.readStream('consignment-2')).toEqual([]);
  });

  it('wakes subscribers of another store on the same file in this process without polling', async () => {
    const reader = open(inProcessOnly);
    const writer = open(inProcessOnly);
    const collector = new Collector(reader.subscribeToAll());
    const first = event();

    await writer.append('consignment-1', [first]);

    expect(ids(await collector.until(1, 2000))).toEqual([first.id]);
  });

  it('delivers, by polling, the events another process appends to the file', async () => {
    const store = open({ pollIntervalMs: 50 });
    await store.append('consignment-0', [event()]);
    const collector = new Collector(store.subscribeToAll({ filter: { streamPrefixes: ['vessel-'] } }));

    const writer = startAppendProcess(file, 'vessel-412345678', { count: 120, maxBatch: 7 });
    const status = await writer.exited;
    const received = await collector.until(120, 5000);

    expect(status).toMatchObject({ code: 0 });
    expect(ids(received)).toEqual(writer.acknowledged);
    expect(received.map((e) => e.revision)).toEqual(Array.from({ length: 120 }, (_, i) => i));
  });

  it('with the writer on a worker thread, acknowledges each append once written, and close() lets the process go on', async () => {
    const writer = startAppendProcess(file, 'vessel-412345679', { count: 60, maxBatch: 7, writer: 'worker' });
    const status = await writer.exited;

    expect(status).toMatchObject({ code: 0 });
    expect(status.stderr).toContain('closed');
    const store = open();
    const stored = await store.readStream('vessel-412345679');
    expect(ids(stored)).toEqual(writer.acknowledged);
    expect(stored).toHaveLength(60);
  });

  it('with the writer on a worker thread, records an append when it holds the write lock: times follow positions', async () => {
    const store = new EmbeddedEventStore({ path: file, writer: 'worker' });
    stores.push(store);
    await store.append('consignment-0', [event()]);
    // Another process holds the write lock and commits 300 ms later, stamped then.
    const other = new Database(file);
    other.exec('BEGIN IMMEDIATE');
    const committed = new Promise<void>((resolve) =>
      setTimeout(() => {
        other
          .prepare(
            'INSERT INTO events (id, stream_id, revision, type, data, metadata, recorded_at) VALUES (?, ?, 0, ?, ?, ?, ?)',
          )
          .run(randomUUID(), 'consignment-other', 't', '{}', '{}', new Date().toISOString());
        other.exec('COMMIT');
        resolve();
      }, 300),
    );
    await store.append('consignment-1', [event()]);
    await committed;
    other.close();
    const times = (await store.readAll()).map((e) => e.recordedAt);
    expect(times).toEqual([...times].sort());
  });

  it('with the writer on a worker thread, two close() calls both resolve once the writer has stopped', async () => {
    const store = new EmbeddedEventStore({ path: file, writer: 'worker' });
    await store.append('consignment-1', [event()]);
    const worker = (store as unknown as { worker: import('node:worker_threads').Worker }).worker;
    let exited = false;
    worker.once('exit', () => (exited = true));
    const first = store.close();
    await store.close();
    expect(exited).toBe(true);
    await first;
  });

  it('an in-memory database behaves the same and leaves no file behind', async () => {
    const store = EmbeddedEventStore.inMemory();
    stores.push(store);
    const first = event();

    await store.append('consignment-1', [first], 'no_stream');

    expect(ids(await store.readAll())).toEqual([first.id]);
    expect(await store.headPosition()).toBe('1');
  });

  it('is what createEventStore gives for an embedded config, on the file it names', async () => {
    const store = createEventStore({ kind: 'embedded', path: file });
    stores.push(store as EmbeddedEventStore);

    await store.append('consignment-1', [event()]);

    expect(store).toBeInstanceOf(EmbeddedEventStore);
    expect(fs.existsSync(file)).toBe(true);
  });

  it('a temporary store removes its file when closed', async () => {
    const store = EmbeddedEventStore.temporary();
    await store.append('consignment-1', [event()]);
    expect(fs.existsSync(store.file)).toBe(true);

    await store.close();

    expect(fs.existsSync(path.dirname(store.file))).toBe(false);
  });
});

describe('EmbeddedEventStore multi-stream append', () => {
  it('writes all streams or none: a conflict in the last write rolls back the earlier ones', async () => {
    const store = EmbeddedEventStore.temporary();
    try {
      await store.append('vessel-z', [{ id: randomUUID(), type: 'position', data: {} }]);
      const attempt = store.appendMany([
        { streamId: 'vessel-x', events: [{ id: randomUUID(), type: 'position', data: {} }] },
        {
          streamId: 'vessel-z',
          events: [{ id: randomUUID(), type: 'position', data: {} }],
          expected: 'no_stream',
        },
      ]);
      await expect(attempt).rejects.toMatchObject({ name: 'WrongExpectedRevisionError' });
      expect(await store.readStream('vessel-x')).toHaveLength(0);
      expect(await store.readAll()).toHaveLength(1);
    } finally {
      await store.close();
    }
  });
});

describe('EmbeddedEventStore group commit', () => {
  const event = (id = randomUUID()) => ({ id, type: 'position', data: {} });

  it('commits appends made in the same turn together, and one caller’s conflict does not fail the others', async () => {
    const store = EmbeddedEventStore.temporary();
    try {
      await store.append('vessel-z', [event()]);
      const [good, conflicting, other] = await Promise.allSettled([
        store.appendMany([{ streamId: 'vessel-a', events: [event(), event()] }]),
        store.append('vessel-z', [event()], 'no_stream'),
        store.append('vessel-b', [event()]),
      ]);

      expect(good).toMatchObject({ status: 'fulfilled', value: [{ appended: 2, nextExpectedRevision: 1 }] });
      expect(conflicting).toMatchObject({
        status: 'rejected',
        reason: { name: 'WrongExpectedRevisionError' },
      });
      expect(other).toMatchObject({ status: 'fulfilled', value: { appended: 1 } });
      expect((await store.readAll()).map((e) => e.streamId)).toEqual([
        'vessel-z',
        'vessel-a',
        'vessel-a',
        'vessel-b',
      ]);
    } finally {
      await store.close();
    }
  });

  it('skips ids it already holds through the unique index, and refuses an id held by another stream', async () => {
    const store = EmbeddedEventStore.temporary();
    try {
      const ids = [randomUUID(), randomUUID()];
      await store.append('vessel-a', ids.map(event));
      const again = await store.append('vessel-a', [event(ids[1]), event(), event(ids[0])]);
      expect(again).toMatchObject({ appended: 1, nextExpectedRevision: 2 });
      await expect(store.append('vessel-b', [event(ids[0])])).rejects.toBeInstanceOf(EventIdConflictError);
      expect((await store.readStream('vessel-a')).map((e) => e.revision)).toEqual([0, 1, 2]);
      expect(await store.readStream('vessel-b')).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('keeps revisions gapless when two connections take turns appending to one stream', async () => {
    const { file, remove } = temporaryFile();
    const first = new EmbeddedEventStore({ path: file });
    const second = new EmbeddedEventStore({ path: file });
    try {
      for (let i = 0; i < 6; i++) await (i % 2 === 0 ? first : second).append('vessel-a', [event(), event()]);
      const stored = await first.readStream('vessel-a');
      expect(stored.map((e) => e.revision)).toEqual([...Array(12).keys()]);
      expect(await second.append('vessel-a', [event()], 11)).toMatchObject({ nextExpectedRevision: 12 });
    } finally {
      await first.close();
      await second.close();
      await remove();
    }
  });
});
