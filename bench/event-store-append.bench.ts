// Append and catch-up throughput of the embedded event store (SQLite, WAL, synchronous=FULL) on a temp file.
// Run: node -r @swc-node/register bench/event-store-append.bench.ts
// Env: BENCH_BATCHES (default 300), BENCH_DIR (default: the system temp dir, i.e. the disk being measured).
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { EventStore, NewEvent } from '../libs/event-store/src/event-store.port';
import { EmbeddedEventStore } from '../libs/event-store/src/embedded-event-store';
import { InMemoryEventStore } from '../libs/event-store/src/in-memory-event-store';

const BATCHES = Number(process.env.BENCH_BATCHES ?? 300);
const STREAMS = 50;

function loaded(sequence: number): NewEvent {
  return {
    id: randomUUID(),
    type: 'aidwatch.consignment.loaded.v1',
    data: {
      consignmentId: `C-2026-${String(sequence % STREAMS).padStart(5, '0')}`,
      port: 'CNDLC',
      vesselMmsi: '412345678',
      items: [
        { itemCode: 'RICE-25KG', quantity: 1200, unit: 'bag' },
        { itemCode: 'WHEAT-FLOUR-50KG', quantity: 800, unit: 'bag' },
        { itemCode: 'ORS-SACHET', quantity: 50000, unit: 'sachet' },
      ],
      at: '2026-11-20T08:00:00.000Z',
      remarks: 'Loaded under exemption 1718/2026/041; seals intact; tally sheet signed by the master.'.repeat(
        2,
      ),
    },
    metadata: { source: 'urn:aidwatch:bench', correlationId: randomUUID() },
  };
}

async function measureAppends(store: EventStore, batchSize: number, batches: number) {
  // Events are built before the clock starts: the figures are the store's, not the generator's.
  let sequence = 0;
  const work = Array.from({ length: batches }, (_, batch) => ({
    stream: `consignment-${batch % STREAMS}`,
    events: Array.from({ length: batchSize }, () => loaded(sequence++)),
  }));
  const revisions = new Map<string, number>();
  const started = process.hrtime.bigint();
  for (const { stream, events } of work) {
    const result = await store.append(stream, events, revisions.get(stream) ?? 'no_stream');
    revisions.set(stream, result.nextExpectedRevision);
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { appendsPerSecond: batches / seconds, eventsPerSecond: (batches * batchSize) / seconds, seconds };
}

async function measureCatchUp(store: EventStore, total: number) {
  const started = process.hrtime.bigint();
  const subscription = store.subscribeToAll();
  let count = 0;
  for await (const _event of subscription) if (++count === total) break;
  return { eventsPerSecond: total / (Number(process.hrtime.bigint() - started) / 1e9) };
}

const round = (value: number) => Math.round(value).toLocaleString('en-US');

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(process.env.BENCH_DIR ?? os.tmpdir(), 'aidwatch-bench-'));
  const sample = JSON.stringify(loaded(0).data).length;
  console.log(`event data ≈ ${sample} bytes of JSON; ${BATCHES} batches over ${STREAMS} streams; dir ${dir}`);
  try {
    for (const batchSize of [100, 10, 1]) {
      const batches = batchSize === 100 ? BATCHES : Math.min(BATCHES * 2, 600);
      const file = path.join(dir, `events-${batchSize}.sqlite`);
      const store = new EmbeddedEventStore({ path: file });
      const appends = await measureAppends(store, batchSize, batches);
      console.log(
        `embedded, batches of ${batchSize}: ${round(appends.appendsPerSecond)} appends/s, ` +
          `${round(appends.eventsPerSecond)} events/s (${appends.seconds.toFixed(2)} s)`,
      );
      if (batchSize === 100) {
        const catchUp = await measureCatchUp(store, batches * batchSize);
        console.log(`embedded, catch-up subscription: ${round(catchUp.eventsPerSecond)} events/s`);
        console.log(`embedded, file size: ${(fs.statSync(file).size / 1e6).toFixed(1)} MB`);
      }
      await store.close();
    }
    const memory = new InMemoryEventStore();
    const appends = await measureAppends(memory, 100, BATCHES);
    console.log(
      `memory, batches of 100: ${round(appends.appendsPerSecond)} appends/s, ${round(appends.eventsPerSecond)} events/s`,
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
