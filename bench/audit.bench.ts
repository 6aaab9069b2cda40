// Audit trail speeds on one embedded store, each against the raw read of the same store in the same run: read
// model rebuild vs raw read of its events, chain verification, NDJSON export and its offline verification.
// Run: npm run bench:audit
//
// Env: BENCH_AUDIT_COPIES (copies of the demo's consignment stories, 50), BENCH_AUDIT_POSITIONS (simulated AIS
// events, 200000), BENCH_DIR (temp dir: the disk measured).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { performance } from 'node:perf_hooks';
import { randomUUID } from 'node:crypto';
import { storeEventId, streamOf, type AidEvent, type CloudEvent } from '@aidwatch/domain';
import { detectionConfigFrom } from '@aidwatch/detection';
import { EmbeddedEventStore, type StreamWrite } from '@aidwatch/event-store';
import { defaultPorts, portDeclaredEvents, simulateTraffic } from '@aidwatch/maritime';
import {
  SqliteCheckpointStore,
  DetectionProjection,
  ProjectionRunner,
  ReadModelProjection,
} from '@aidwatch/projections';
import {
  exportLines,
  rawReadSpeed,
  readAllInPages,
  rebuildFromZero,
  verifyExport,
  verifyStore,
  writeCheckpoint,
} from '@aidwatch/audit';
import { demoScenario } from '../apps/aidwatch/src/demo/demo-scenario';

const COPIES = Number(process.env.BENCH_AUDIT_COPIES ?? 50);
const POSITIONS = Number(process.env.BENCH_AUDIT_POSITIONS ?? 200_000);
const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const line = (name: string, value: string, note = '') =>
  console.log(`${name.padEnd(52)} ${value.padStart(20)}  ${note}`);

/** The demo's facts (no AIS), copy `k` with its consignment, exemption and event ids made its own. */
function demoCopy(facts: readonly AidEvent[], k: number): AidEvent[] {
  if (k === 0) return [...facts];
  return facts.map((event) => {
    const text = JSON.stringify(event)
      .replace(/"(CSG-[^"]+)"/g, `"$1-${k}"`)
      .replace(/"(EX-[^"]+)"/g, `"$1-${k}"`)
      .replace(/"(1718\/[^"]+)"/g, `"$1-${k}"`);
    const copy = JSON.parse(text) as AidEvent;
    return { ...copy, id: `${event.id}-${k}` } as AidEvent;
  });
}

async function appendAll(store: EmbeddedEventStore, events: Iterable<AidEvent>): Promise<number> {
  let writes: StreamWrite[] = [];
  let count = 0;
  for (const event of events) {
    writes.push({
      streamId: streamOf(event),
      events: [{ id: storeEventId(event), type: event.type, data: event }],
    });
    count++;
    if (writes.length >= 2000) {
      await store.appendMany(writes);
      writes = [];
    }
  }
  await store.appendMany(writes);
  return count;
}

async function timed<T>(run: () => Promise<T>): Promise<{ value: T; seconds: number }> {
  const started = performance.now();
  const value = await run();
  return { value, seconds: (performance.now() - started) / 1000 };
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(process.env.BENCH_DIR ?? os.tmpdir(), 'aidwatch-audit-'));
  const store = new EmbeddedEventStore({ path: path.join(dir, 'events.sqlite') });
  try {
    const demo = demoScenario() as AidEvent[];
    const facts = demo.filter((e) => !e.type.startsWith('aidwatch.vessel.'));
    const ais = demo.filter((e) => e.type.startsWith('aidwatch.vessel.'));
    const sim = simulateTraffic({
      vessels: 2000,
      hours: 24,
      seed: 5,
      start: '2026-05-01T00:00:00.000Z',
      downsample: 1,
      anomalySets: 0,
    });
    const simulated: AidEvent[] = [];
    for (const event of sim.events() as Iterable<CloudEvent>) {
      if (simulated.length >= POSITIONS) break;
      simulated.push(event as unknown as AidEvent);
    }
    const ports = portDeclaredEvents() as unknown as AidEvent[];
    let appended = await appendAll(store, [...ports, ...ais, ...simulated]);
    for (let k = 0; k < COPIES; k++) appended += await appendAll(store, demoCopy(facts, k));

    // Flags, as the detector writes them (risk streams), so the trail holds what an operator exports.
    const checkpoints = new SqliteCheckpointStore(path.join(dir, 'checkpoints.sqlite'));
    const detection = new DetectionProjection(store, detectionConfigFrom({}), defaultPorts(), {
      onFlagEvents: () => undefined,
    });
    const runner = new ProjectionRunner(store, checkpoints, detection, {
      checkpointEveryEvents: 100_000,
      checkpointEveryMs: 10_000,
    });
    runner.start();
    await runner.caughtUp(600_000);
    await runner.stop();
    const head = await store.headPosition();
    const file = path.join(dir, 'events.sqlite');
    const bytes =
      fs.statSync(file).size + (fs.existsSync(`${file}-wal`) ? fs.statSync(`${file}-wal`).size : 0);
    console.log(
      `AidWatch audit bench — ${os.cpus().length} CPUs, node ${process.version}; store: ${fmt(appended)} events ` +
        `appended (${COPIES} copies of the demo's consignments, ${fmt(simulated.length)} simulated AIS events), ` +
        `${fmt(Number(head))} with flags, ${fmt(bytes / 2 ** 20, 1)} MiB\n`,
    );

    const raw = await timed(async () => {
      let n = 0;
      for await (const _ of readAllInPages(store)) n++;
      return n;
    });
    const rawRate = raw.value / raw.seconds;
    line('raw read of the whole store', `${fmt(rawRate)} ev/s`, `${fmt(raw.value)} events`);

    const green = new ReadModelProjection(`read-model-bench@${Date.now()}`);
    const rebuilt = await rebuildFromZero(store, green, { to: head });
    const rawOfModel = await rawReadSpeed(store, green, head);
    line(
      'read model rebuild (its streams)',
      `${fmt(rebuilt.eventsPerSecond)} ev/s`,
      `raw read of the same events ${fmt(rawOfModel.eventsPerSecond)} ev/s; ratio ${fmt(rebuilt.eventsPerSecond / rawOfModel.eventsPerSecond, 2)}`,
    );

    const verified = await timed(() => verifyStore(store));
    line(
      'aidwatch verify (every chain)',
      `${fmt(verified.value.events / verified.seconds)} ev/s`,
      `ok=${verified.value.ok}; ratio to raw read ${fmt(verified.value.events / verified.seconds / rawRate, 2)}`,
    );

    const exportFile = path.join(dir, 'export.ndjson');
    // As `aidwatch export` does: anchored to a checkpoint over the whole store (a Merkle root of every head).
    const checkpointed = await timed(() => writeCheckpoint(store, randomUUID, () => new Date()));
    line('audit checkpoint (Merkle root over every stream head)', `${fmt(checkpointed.seconds * 1000)} ms`);
    const exported = await timed(async () => {
      const out = fs.createWriteStream(exportFile);
      let n = 0;
      for await (const text of exportLines(
        store,
        { kind: 'range' },
        {
          format: 'ndjson',
          checkpoint: checkpointed.value,
          now: () => new Date(),
          newId: randomUUID,
        },
      )) {
        n++;
        if (!out.write(text)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
      }
      await new Promise<void>((resolve) => out.end(() => resolve()));
      return n;
    });
    const exportBytes = fs.statSync(exportFile).size;
    line(
      'export of the whole store (NDJSON)',
      `${fmt(exported.value / exported.seconds)} ev/s`,
      `${fmt(exportBytes / 2 ** 20 / exported.seconds, 1)} MiB/s; ratio to raw read ${fmt(exported.value / exported.seconds / rawRate, 2)}`,
    );

    const offline = await timed(() =>
      verifyExport(readline.createInterface({ input: fs.createReadStream(exportFile), crlfDelay: Infinity })),
    );
    line(
      'aidwatch verify --file (offline)',
      `${fmt(offline.value.events / offline.seconds)} ev/s`,
      `ok=${offline.value.ok}${offline.value.firstBroken ? ` first broken: ${JSON.stringify(offline.value.firstBroken)}` : ''}`,
    );
  } finally {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
