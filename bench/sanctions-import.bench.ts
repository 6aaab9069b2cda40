// Importing a large sanctions list: the longest event-loop block while a 30+ MB OFAC SDN.CSV is parsed (on a
// worker thread) and its designations checked and appended in slices. Target: no block over 100 ms.
// Run: npm run bench:sanctions   Env: BENCH_PEOPLE (120000), BENCH_VESSELS (3000).
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { EmbeddedEventStore } from '@aidwatch/event-store';
import { AidwatchMetrics } from '@aidwatch/observability';
import { EventIntake, importSanctionsList } from '@aidwatch/intake';
import { largeSdnCsv } from '../libs/intake/src/testing/large-sdn-csv';

const TARGET_MS = 100;

async function main(): Promise<void> {
  const csv = largeSdnCsv(
    Number(process.env.BENCH_PEOPLE ?? 120_000),
    Number(process.env.BENCH_VESSELS ?? 3_000),
  );
  const store = EmbeddedEventStore.temporary();
  const intake = new EventIntake(store, new AidwatchMetrics({ defaultMetrics: false }));
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  const started = performance.now();
  const report = await importSanctionsList(store, intake, csv, { format: 'ofac-sdn-csv' });
  const took = performance.now() - started;
  delay.disable();
  await store.close();
  const maxMs = delay.max / 1e6;
  console.log(
    `large list: ${(Buffer.byteLength(csv) / 1e6).toFixed(1)} MB, ${report.imported} imported in ${took.toFixed(0)} ms`,
  );
  console.log(
    `event-loop delay: max ${maxMs.toFixed(1)} ms, p99 ${(delay.percentile(99) / 1e6).toFixed(1)} ms ` +
      `(target ≤ ${TARGET_MS} ms): ${maxMs <= TARGET_MS ? 'PASS' : 'FAIL'}`,
  );
}

void main();
