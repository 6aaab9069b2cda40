// Importing a large sanctions list: the longest event-loop block while a 30+ MB OFAC SDN.CSV is parsed (on a
// worker thread) and its designations checked and appended in slices. Target: no block over 100 ms.
// Then the same file posted with curl to `POST /sanctions/import` of a running system in this process: the
// longest block of the server's loop from the request's first byte to the report (body read, parse, append).
// Run: npm run bench:sanctions   Env: BENCH_PEOPLE (120000), BENCH_VESSELS (3000).
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { EmbeddedEventStore } from '@aidwatch/event-store';
import { AidwatchMetrics } from '@aidwatch/observability';
import { EventIntake, importSanctionsList } from '@aidwatch/intake';
import { largeSdnCsv } from '../libs/intake/src/testing/large-sdn-csv';
import { startTestSystem } from '../test/support/aidwatch-process';

const TARGET_MS = 100;

async function main(): Promise<void> {
  const csv = largeSdnCsv(
    Number(process.env.BENCH_PEOPLE ?? 120_000),
    Number(process.env.BENCH_VESSELS ?? 3_000),
  );
  if (process.env.BENCH_HTTP_ONLY !== '1') await direct(csv);
  await overHttp(csv);
}

/** The import called directly, as the CLI does. */
async function direct(csv: string): Promise<void> {
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

/** The file posted to a running system in this process. */
async function overHttp(csv: string): Promise<void> {
  const system = await startTestSystem();
  try {
    // The client is another process (curl), so only the server's work shows in this loop.
    const file = path.join(system.dataDir, 'SDN.CSV');
    fs.writeFileSync(file, csv);
    const http = monitorEventLoopDelay({ resolution: 10 });
    http.enable();
    const posted = performance.now();
    const { status, answer } = await new Promise<{ status: number; answer: { imported?: number } }>(
      (resolve, reject) => {
        const [key, value] = Object.entries(system.auth())[0];
        execFile(
          'curl',
          [
            '-sS',
            '-o',
            '-',
            '-w',
            '\n%{http_code}',
            '-H',
            `${key}: ${value}`,
            '-H',
            'content-type: text/csv',
            '--data-binary',
            `@${file}`,
            `${system.url}/sanctions/import?format=ofac-sdn-csv`,
          ],
          { maxBuffer: 64 * 1024 * 1024 },
          (error, stdout) => {
            if (error) return reject(error);
            const cut = stdout.lastIndexOf('\n');
            resolve({ status: Number(stdout.slice(cut + 1)), answer: JSON.parse(stdout.slice(0, cut)) });
          },
        );
      },
    );
    const tookHttp = performance.now() - posted;
    http.disable();
    const httpMax = http.max / 1e6;
    console.log(
      `POST /sanctions/import: ${status}, ${answer.imported} imported in ${tookHttp.toFixed(0)} ms; ` +
        `event-loop delay: max ${httpMax.toFixed(1)} ms, p99 ${(http.percentile(99) / 1e6).toFixed(1)} ms ` +
        `(target ≤ ${TARGET_MS} ms): ${httpMax <= TARGET_MS ? 'PASS' : 'FAIL'}`,
    );
  } finally {
    await system.stop();
  }
}

void main();
