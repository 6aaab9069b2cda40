// Storage budget of raw AIS positions: what one simulated position costs in the embedded store, and in a
// retention archive (gzip NDJSON, the export format), and how fast retention moves them out.
// Run: npm run bench:archive
//
// Env: BENCH_EVENTS (about this many simulated AIS events, default 100000), BENCH_VESSELS (2000),
// BENCH_DIR (temp dir: the disk measured).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { archiveRawPositions } from '@aidwatch/audit';
import { storeEventId, streamOf, type AidEvent } from '@aidwatch/domain';
import { EmbeddedEventStore } from '@aidwatch/event-store';
import { simulateTraffic } from '@aidwatch/maritime';
import { SqliteCheckpointStore, DETECTION_PROJECTION } from '@aidwatch/projections';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 100_000);
const VESSELS = Number(process.env.BENCH_VESSELS ?? 2000);
const HOURS = 4;
const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** The simulator's fleet, thinned to about EVENTS events (as bench:pipeline does). */
function traffic(): AidEvent[] {
  const plan = (downsample: number) =>
    simulateTraffic({
      vessels: VESSELS,
      hours: HOURS,
      seed: 7,
      start: '2026-06-01T00:00:00Z',
      downsample,
      anomalySets: 0,
    });
  let downsample = Math.max(1, Math.round((VESSELS * HOURS * 140) / EVENTS));
  const count = plan(downsample).countEvents();
  downsample = Math.max(1, Math.round((downsample * count) / EVENTS));
  return [...plan(downsample).events()];
}

const sizeOf = (file: string) =>
  [file, `${file}-wal`].reduce((sum, f) => sum + (fs.existsSync(f) ? fs.statSync(f).size : 0), 0);

async function main(): Promise<void> {
  const root = fs.mkdtempSync(path.join(process.env.BENCH_DIR ?? os.tmpdir(), 'aidwatch-bench-archive-'));
  try {
    const file = path.join(root, 'events.sqlite');
    const store = new EmbeddedEventStore({ path: file });
    const events = traffic();
    for (let i = 0; i < events.length; i += 1000)
      await store.appendMany(
        events.slice(i, i + 1000).map((e) => ({
          streamId: streamOf(e),
          events: [{ id: storeEventId(e), type: e.type, data: e }],
        })),
      );
    const positions = events.filter((e) => e.type === 'aidwatch.vessel.position.v1').length;
    const storeBytes = sizeOf(file);
    console.log(`simulated AIS events stored                      ${fmt(events.length).padStart(12)}`);
    console.log(`  of which raw positions                          ${fmt(positions).padStart(12)}`);
    console.log(
      `store size per event (events, index; WAL)        ${fmt(storeBytes / events.length).padStart(12)} B`,
    );

    const checkpoints = new SqliteCheckpointStore(path.join(root, 'projections.sqlite'));
    await checkpoints.save(DETECTION_PROJECTION, (await store.headPosition()) as string, {}, new Date());
    const started = performance.now();
    const report = await archiveRawPositions(store, {
      archiveDir: path.join(root, 'archive'),
      olderThanDays: 0,
      judgedUpTo: await checkpoints.positionOf(DETECTION_PROJECTION),
      now: () => new Date(Date.now() + 60_000),
    });
    const seconds = (performance.now() - started) / 1000;
    const raw = report.files.reduce((n, f) => n + f.rawBytes, 0);
    const gz = report.files.reduce((n, f) => n + f.bytes, 0);
    console.log(
      `raw positions archived                            ${fmt(report.archived).padStart(12)}  (${report.files.length} file(s); kept ${report.kept.newest} stream heads)`,
    );
    console.log(
      `archive NDJSON per position (uncompressed)        ${fmt(raw / report.archived).padStart(12)} B`,
    );
    console.log(
      `archive gzip per position                         ${fmt(gz / report.archived).padStart(12)} B`,
    );
    console.log(`gzip ratio (NDJSON / gzip)                        ${fmt(raw / gz, 1).padStart(12)} : 1`);
    console.log(
      `store per event / archive per position            ${fmt(storeBytes / events.length / (gz / report.archived), 1).padStart(12)} : 1`,
    );
    console.log(
      `retention speed (write, record, delete)           ${fmt(report.archived / seconds).padStart(12)} positions/s`,
    );
    console.log(
      `6,000 positions/s archived                        ${fmt(((gz / report.archived) * 6000 * 86_400) / 1e9, 1).padStart(12)} GB/day`,
    );
    await checkpoints.close();
    await store.close();
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
