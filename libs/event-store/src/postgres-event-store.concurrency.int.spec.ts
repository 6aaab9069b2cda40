import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { Client } from 'pg';
import type { StoredEvent } from './event-store.port';
import { PostgresEventStore, parseTransactionPosition } from './postgres-event-store';
import { Collector, ids, within } from './testing/contract-context';
import { createTestDatabase, describeWithPostgres, type TestDatabase } from './testing/postgres-database';

const repositoryRoot = path.resolve(__dirname, '../../..');
const worker = path.join(__dirname, 'testing', 'postgres-append.worker.ts');

/** Runs postgres-append.worker.ts in its own Node process; resolves with the ids it acknowledged. */
function runWriter(url: string, count: number, seed: number): Promise<string[]> {
  const child = spawn(
    process.execPath,
    ['-r', '@swc-node/register', worker, url, String(count), String(seed)],
    {
      cwd: repositoryRoot,
      env: { ...process.env, SWC_NODE_PROJECT: path.join(repositoryRoot, 'tsconfig.json') },
    },
  );
  const acknowledged: string[] = [];
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  readline.createInterface({ input: child.stdout }).on('line', (line) => acknowledged.push(line));
  return new Promise((resolve, reject) =>
    child.once('close', (code) =>
      code === 0 ? resolve(acknowledged) : reject(new Error(`writer exited with ${code}: ${stderr}`)),
    ),
  );
}

const compare = (a: StoredEvent, b: StoredEvent) => {
  const x = parseTransactionPosition(a.position);
  const y = parseTransactionPosition(b.position);
  return x.transaction === y.transaction
    ? Number(x.sequence - y.sequence)
    : x.transaction < y.transaction
      ? -1
      : 1;
};

/** The ordering this store avoids: by sequence number, cursor after the last row seen, every 2 ms. */
async function readBySequenceAlone(url: string, running: () => boolean): Promise<Set<string>> {
  const client = new Client({ connectionString: url });
  await client.connect();
  const seen = new Set<string>();
  try {
    let cursor = '0';
    while (running()) {
      const { rows } = await client
        .query<{ id: string; position: string }>(
          'SELECT id::text AS id, position::text AS position FROM aidwatch_events WHERE position > $1 ORDER BY position',
          [cursor],
        )
        .catch(() => ({ rows: [] })); // the table may not exist yet
      for (const row of rows) seen.add(row.id);
      if (rows.length > 0) cursor = rows[rows.length - 1].position;
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  } finally {
    await client.end();
  }
  return seen;
}

describeWithPostgres('PostgresEventStore with concurrent writers', () => {
  let database: TestDatabase;
  const stores: PostgresEventStore[] = [];
  const open = (options: Partial<ConstructorParameters<typeof PostgresEventStore>[0]> = {}) => {
    const store = new PostgresEventStore({ connectionString: database.url, pollIntervalMs: 20, ...options });
    stores.push(store);
    return store;
  };

  beforeEach(async () => (database = await createTestDatabase('concurrency')));
  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
    await database.drop();
  });

  it('delivers every event of four writer processes exactly once, in one order that a rebuild reads again', async () => {
    const seed = Number(process.env.AIDWATCH_TEST_SEED ?? Date.now() % 1_000_000);
    process.stdout.write(`concurrent writers: seed ${seed}\n`);
    // Started before the schema exists: the writers and this subscriber migrate at the same time.
    const live = open();
    const collector = new Collector(live.subscribeToAll());
    const perWriter = 400;
    let writing = true;
    const naive = readBySequenceAlone(database.url, () => writing);

    const acknowledged = (
      await Promise.all([0, 1, 2, 3].map((writer) => runWriter(database.url, perWriter, seed * 10 + writer)))
    ).flat();
    writing = false;
    const received = await collector.until(acknowledged.length, 30_000);
    // Anything repeated would arrive right after: give it the time of a few polls.
    await new Promise((resolve) => setTimeout(resolve, 200));

    expect(acknowledged).toHaveLength(4 * perWriter);
    expect(new Set(ids(collector.received)).size).toBe(collector.received.length);
    expect(new Set(ids(received))).toEqual(new Set(acknowledged));
    expect(collector.received).toHaveLength(acknowledged.length);
    const rebuilt = await open().readAll();
    expect(ids(rebuilt)).toEqual(ids(collector.received));
    expect([...collector.received].sort(compare)).toEqual(collector.received);
    for (const stream of new Set(received.map((e) => e.streamId))) {
      const revisions = received.filter((e) => e.streamId === stream).map((e) => e.revision);
      expect(revisions).toEqual(revisions.map((_, i) => i));
    }
    // The run did what it is for: transactions committed out of sequence order, so a reader that orders by
    // sequence alone and moves its cursor past what it has seen lost events.
    const naiveMissed = acknowledged.length - (await naive).size;
    process.stdout.write(
      `concurrent writers: ${received.length} events delivered once each; a reader by sequence alone missed ${naiveMissed}\n`,
    );
    expect(naiveMissed).toBeGreaterThan(0);
  }, 120_000);

  it('holds back a later commit until an older open transaction ends, then delivers both in transaction order', async () => {
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    let inserted: () => void = () => undefined;
    const insertedYet = new Promise<void>((resolve) => (inserted = resolve));
    const slow = open({
      beforeCommit: async () => {
        inserted();
        await held;
      },
    });
    const fast = open({ settleTimeoutMs: 300 });
    await Promise.all([slow.whenReady(), fast.whenReady()]);
    const reader = open({ pollIntervalMs: 20 });
    const collector = new Collector(reader.subscribeToAll());
    const first = { id: randomUUID(), type: 'aidwatch.test.slow', data: {} };
    const second = { id: randomUUID(), type: 'aidwatch.test.fast', data: {} };

    const slowAppend = slow.append('consignment-slow', [first]);
    await insertedYet;
    const fastResult = await fast.append('consignment-fast', [second]);
    await new Promise((resolve) => setTimeout(resolve, 300));

    // Committed, but behind a transaction that is still open: not delivered, not read, not the head yet.
    expect(collector.received).toEqual([]);
    expect(await fast.readAll()).toEqual([]);
    expect(await fast.headPosition()).toBeNull();
    release();
    const slowResult = await slowAppend;
    const received = await collector.until(2, 5000);

    expect(ids(received)).toEqual([first.id, second.id]);
    expect(received.map((e) => e.position)).toEqual([slowResult.position, fastResult.position]);
    // Its sequence number is the lower: a reader by sequence alone, having seen the second, would skip it.
    expect(parseTransactionPosition(slowResult.position!).sequence).toBeLessThan(
      parseTransactionPosition(fastResult.position!).sequence,
    );
    await within(reader.close(), 5000, 'closing the reader');
  });
});
