// The PostgreSQL event store against the bare limits of the same database, on the same rows (issue #18).
// Run: npm run bench:postgres   (PostgreSQL at AIDWATCH_TEST_POSTGRES_URL or postgres://postgres@127.0.0.1:5432)
//
// Env: BENCH_EVENTS (events per phase, 60000), BENCH_VESSELS (streams, 2000), BENCH_BATCH (events per append,
// 500, like one Kafka slice), BENCH_IN_FLIGHT (appends in flight per process, 4).
//
// Phases, each on a fresh database:
// - ingest with one writer process, then with two (each half the events), through PostgresEventStore.appendMany;
// - the limit: the same rows with a bare batched INSERT … SELECT FROM unnest(…) (no locks, heads, chain, ids);
// - rebuild: readAll from zero in pages of 2,000, against a bare SELECT of the log in the same pages;
// - a checkpoint of 20,000 subjects written in parts (PostgresCheckpointStore).
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import { PostgresEventStore, type StreamWrite } from '@aidwatch/event-store';
import { createTestDatabase, type TestDatabase } from '../libs/event-store/src/testing/postgres-database';
import { PostgresCheckpointStore } from '@aidwatch/projections';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 60_000);
const VESSELS = Number(process.env.BENCH_VESSELS ?? 2000);
const BATCH = Number(process.env.BENCH_BATCH ?? 500);
const IN_FLIGHT = Number(process.env.BENCH_IN_FLIGHT ?? 4);

/** A position report as the ingestor stores it (a CloudEvent of about 400 bytes). */
function position(i: number) {
  const mmsi = 412_000_000 + (i % VESSELS);
  return {
    streamId: `vessel-${mmsi}`,
    event: {
      id: randomUUID(),
      type: 'aidwatch.vessel.position.reported.v1',
      data: {
        specversion: '1.0',
        id: randomUUID(),
        source: 'ais/bench',
        type: 'aidwatch.vessel.position.reported.v1',
        time: new Date(Date.UTC(2026, 5, 1) + i * 1000).toISOString(),
        data: {
          mmsi: String(mmsi),
          lat: 39 + (i % 100) / 100,
          lon: 124 + (i % 77) / 100,
          sog: 11.2,
          cog: 84,
        },
      },
    },
  };
}

function writes(from: number, count: number): StreamWrite[][] {
  const batches: StreamWrite[][] = [];
  for (let start = from; start < from + count; start += BATCH) {
    const byStream = new Map<string, StreamWrite>();
    for (let i = start; i < Math.min(start + BATCH, from + count); i++) {
      const { streamId, event } = position(i);
      const write = byStream.get(streamId) ?? { streamId, events: [] };
      write.events.push(event);
      byStream.set(streamId, write);
    }
    batches.push([...byStream.values()]);
  }
  return batches;
}

/** Writer mode: appends its share and prints the seconds it took. */
async function writer(url: string, from: number, count: number): Promise<void> {
  const store = new PostgresEventStore({ connectionString: url });
  await store.whenReady();
  const batches = writes(from, count);
  const started = performance.now();
  let next = 0;
  const lane = async () => {
    while (next < batches.length) await store.appendMany(batches[next++]);
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, lane));
  process.stdout.write(`${(performance.now() - started) / 1000}\n`);
  await store.close();
}

function runWriters(url: string, processes: number): Promise<number> {
  const share = EVENTS / processes;
  const started = performance.now();
  return Promise.all(
    Array.from(
      { length: processes },
      (_, p) =>
        new Promise<void>((resolve, reject) => {
          const child = spawn(
            process.execPath,
            ['-r', '@swc-node/register', __filename, 'writer', url, String(p * share), String(share)],
            { stdio: ['ignore', 'ignore', 'inherit'], env: process.env },
          );
          child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`writer exited ${code}`))));
        }),
    ),
  ).then(() => EVENTS / ((performance.now() - started) / 1000));
}

async function fresh<T>(label: string, work: (db: TestDatabase) => Promise<T>): Promise<T> {
  const db = await createTestDatabase(label);
  try {
    return await work(db);
  } finally {
    await db.drop();
  }
}

async function bareInsert(url: string): Promise<number> {
  const store = new PostgresEventStore({ connectionString: url });
  await store.whenReady(); // the same table and indexes
  await store.close();
  const client = new Client({ connectionString: url });
  await client.connect();
  const rows = Array.from({ length: EVENTS }, (_, i) => position(i));
  const started = performance.now();
  for (let start = 0; start < EVENTS; start += BATCH) {
    const part = rows.slice(start, start + BATCH);
    await client.query(
      `INSERT INTO aidwatch_events (id, stream_id, revision, type, data, metadata, recorded_at)
       SELECT id, stream_id, revision, type, data, '{}', now()
       FROM unnest($1::uuid[], $2::text[], $3::bigint[], $4::text[], $5::text[]) AS t(id, stream_id, revision, type, data)`,
      [
        part.map((r) => r.event.id),
        part.map((r) => r.streamId),
        part.map((_, k) => Math.floor((start + k) / VESSELS)),
        part.map((r) => r.event.type),
        part.map((r) => JSON.stringify(r.event.data)),
      ],
    );
  }
  const rate = EVENTS / ((performance.now() - started) / 1000);
  await client.end();
  return rate;
}

async function rebuild(url: string): Promise<{ store: number; bare: number }> {
  const store = new PostgresEventStore({ connectionString: url });
  let started = performance.now();
  let after: string | undefined;
  let read = 0;
  for (;;) {
    const page = await store.readAll({ after, maxCount: 2000 });
    read += page.length;
    if (page.length < 2000) break;
    after = page[page.length - 1].position;
  }
  const storeRate = read / ((performance.now() - started) / 1000);
  await store.close();
  const client = new Client({ connectionString: url });
  await client.connect();
  started = performance.now();
  let cursor = '0';
  let bareRead = 0;
  for (;;) {
    const { rows } = await client.query<{ position: string; data: string }>(
      'SELECT position::text AS position, id, stream_id, revision, type, data, metadata FROM aidwatch_events WHERE position > $1 ORDER BY position LIMIT 2000',
      [cursor],
    );
    for (const row of rows) JSON.parse(row.data);
    bareRead += rows.length;
    if (rows.length < 2000) break;
    cursor = rows[rows.length - 1].position;
  }
  const bareRate = bareRead / ((performance.now() - started) / 1000);
  await client.end();
  return { store: storeRate, bare: bareRate };
}

async function checkpointCost(url: string): Promise<number> {
  const store = new PostgresCheckpointStore({ connectionString: url });
  const subjects = Array.from({ length: 20_000 }, (_, i): [string, unknown] => [
    `vessel:${i}`,
    { lat: 39.1, lon: 124.2, at: '2026-06-01T00:00:00Z', track: [1, 2, 3] },
  ]);
  const started = performance.now();
  const generation = await store.beginParts('bench');
  for (let i = 0; i < subjects.length; i += 1000)
    await store.writePart('bench', generation, subjects.slice(i, i + 1000));
  await store.commitParts('bench', generation, '1/1', { head: true }, new Date(), true);
  const ms = performance.now() - started;
  await store.close();
  return ms;
}

async function main(): Promise<void> {
  if (process.argv[2] === 'writer')
    return writer(process.argv[3], Number(process.argv[4]), Number(process.argv[5]));
  const fmt = (n: number) => Math.round(n).toLocaleString('en');
  process.stdout.write(
    `PostgreSQL store bench: ${fmt(EVENTS)} events, ${VESSELS} vessels, batches of ${BATCH}\n`,
  );
  const one = await fresh('bench1', (db) => runWriters(db.url, 1));
  const two = await fresh('bench2', (db) => runWriters(db.url, 2));
  const bare = await fresh('benchbare', (db) => bareInsert(db.url));
  const reads = await fresh('benchread', async (db) => {
    await runWriters(db.url, 2);
    return rebuild(db.url);
  });
  const checkpointMs = await fresh('benchckpt', (db) => checkpointCost(db.url));
  const rows = [
    [
      'ingest, 1 writer process',
      `${fmt(one)} events/s`,
      `${((one / bare) * 100).toFixed(0)}% of bare INSERT`,
    ],
    [
      'ingest, 2 writer processes',
      `${fmt(two)} events/s`,
      `${((two / bare) * 100).toFixed(0)}% of bare INSERT`,
    ],
    ['bare batched INSERT (limit)', `${fmt(bare)} events/s`, ''],
    [
      'rebuild: readAll from zero',
      `${fmt(reads.store)} events/s`,
      `${((reads.store / reads.bare) * 100).toFixed(0)}% of bare SELECT`,
    ],
    ['bare SELECT of the log (limit)', `${fmt(reads.bare)} events/s`, ''],
    ['checkpoint of 20,000 subjects in parts', `${checkpointMs.toFixed(0)} ms`, ''],
  ];
  for (const [what, value, note] of rows)
    process.stdout.write(`${what.padEnd(40)} ${value.padStart(16)}  ${note}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
