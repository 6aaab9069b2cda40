// End-to-end throughput of AidWatch through a real Kafka broker, each figure against a bare baseline measured in
// the same run on the same data (issue #9). Run: KAFKA_BROKERS=127.0.0.1:9092 npm run bench:pipeline
//
// Env: KAFKA_BROKERS (required), BENCH_EVENTS (events per fleet size, 100000), BENCH_FLEETS ("2000,20000"),
// BENCH_PARTITIONS (partitions of the AIS topic, 4), BENCH_RATE (events/s of the latency phase, 5000),
// BENCH_LATENCY_SECONDS (10), BENCH_LATENCY_WARMUP_SECONDS (5: paced traffic before the latency phase's
// steady state is measured; the whole run is reported too), BENCH_RSS_VESSELS (200000; 0 skips), BENCH_DIR (temp dir: the disk measured),
// BENCH_PHASES ("ingest,rebuild,latency,rss,postgres": drop some to profile one, e.g. with node --cpu-prof;
// "postgres" runs only when PostgreSQL answers at AIDWATCH_TEST_POSTGRES_URL, default postgres://postgres@127.0.0.1),
// BENCH_PG_EVENTS (events of the PostgreSQL phase, 50000),
// BENCH_KEEP (1 keeps the stores of the run in BENCH_DIR, for profiling a phase on them),
// BENCH_REBUILD_ROUNDS (3: bare read and rebuild pairs; the median ratio is reported),
// BENCH_CHECKPOINT_EVERY_EVENTS (10000: the ingest phases checkpoint this often, more often than the default
// CHECKPOINT_EVERY_EVENTS, so that checkpoints are measured and their cost is in the ingest rate).
//
// The bench produces to the contract topics (ais.positions.v1, aid.reference.v1) and reads them with new consumer
// groups whose offsets it sets to the end before producing, so earlier data on the broker is left alone.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { Kafka, logLevel } from 'kafkajs';
import { Topics, type CloudEvent } from '@aidwatch/domain';
import { detectionConfigFrom } from '@aidwatch/detection';
import { EmbeddedEventStore, type StoredEvent } from '@aidwatch/event-store';
import { EventIntake } from '@aidwatch/intake';
import { defaultPorts, portDeclaredEvents } from '@aidwatch/maritime';
import { createKafkaClient, KafkaInbound, KafkaPublisher, type InboundMessage } from '@aidwatch/messaging';
import { AidwatchMetrics } from '@aidwatch/observability';
import {
  SqliteCheckpointStore,
  DetectionProjection,
  inboundStreamPrefixes,
  ProjectionRunner,
} from '@aidwatch/projections';
import { loadConfig } from '@aidwatch/config';
import {
  createTestDatabase,
  postgresTestServerAvailable,
} from '../libs/event-store/src/testing/postgres-database';
import { Client } from 'pg';
import { startService, waitForHealth, type AidwatchService } from '../test/support/aidwatch-service';
import { FLEET_HOURS, FLEET_START, fleetEvents } from './fleet-events';

const brokers = (process.env.KAFKA_BROKERS ?? '').split(',').filter(Boolean);
const EVENTS = Number(process.env.BENCH_EVENTS ?? 100_000);
const FLEETS = (process.env.BENCH_FLEETS ?? '2000,20000').split(',').map(Number);
const PARTITIONS = Number(process.env.BENCH_PARTITIONS ?? 4);
const RATE = Number(process.env.BENCH_RATE ?? 5000);
const LATENCY_SECONDS = Number(process.env.BENCH_LATENCY_SECONDS ?? 10);
const LATENCY_WARMUP_SECONDS = Number(process.env.BENCH_LATENCY_WARMUP_SECONDS ?? 5);
const RSS_VESSELS = Number(process.env.BENCH_RSS_VESSELS ?? 200_000);
const CHECKPOINT_EVERY_EVENTS = Number(process.env.BENCH_CHECKPOINT_EVERY_EVENTS ?? 10_000);
const PHASES = new Set((process.env.BENCH_PHASES ?? 'ingest,rebuild,latency,rss,postgres').split(','));
const PG_EVENTS = Number(process.env.BENCH_PG_EVENTS ?? 50_000);
const START = FLEET_START;
const HOURS = FLEET_HOURS;
const run = `${Date.now().toString(36)}`;
const topics = [Topics.reference, Topics.positions];

interface Figure {
  name: string;
  value: string;
  target: string;
  pass: boolean | undefined;
}
const figures: Figure[] = [];
const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
function report(name: string, value: string, target = '', pass?: boolean): void {
  figures.push({ name, value, target, pass });
  const verdict = pass === undefined ? '' : pass ? '  PASS' : '  FAIL';
  console.log(`${name.padEnd(58)} ${value.padStart(22)}  ${target}${verdict}`);
}

const kafka = new Kafka({ brokers, clientId: `aidwatch-bench-${run}`, logLevel: logLevel.NOTHING });
const client = createKafkaClient({ brokers, clientId: `aidwatch-bench-${run}` }, { logLevel: 'nothing' });
const config = loadConfig({ ...process.env, KAFKA_BROKERS: undefined });
/** KafkaInbound's options as the Kafka intake service sets them from the configuration. */
const intakeOptions = (intake: EventIntake) => ({
  topics,
  handler: (messages: InboundMessage[]) => intake.ingestKafkaBatch(messages),
  commitIntervalMs: config.kafkaIntake.commitIntervalMs,
  partitionsConsumedConcurrently: config.kafkaIntake.partitionsConsumedConcurrently,
  ...(config.kafkaIntake.alignment
    ? { eventTimeOf: (m: InboundMessage) => intake.eventTimeOf(m), alignment: config.kafkaIntake.alignment }
    : {}),
});

async function ensureTopics(): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    await admin.createTopics({
      waitForLeaders: true,
      topics: topics
        .filter((t) => !existing.has(t))
        .map((topic) => ({ topic, numPartitions: topic === Topics.positions ? PARTITIONS : 1 })),
    });
    const [meta] = (await admin.fetchTopicMetadata({ topics: [Topics.positions] })).topics;
    if (meta.partitions.length < PARTITIONS)
      await admin.createPartitions({ topicPartitions: [{ topic: Topics.positions, count: PARTITIONS }] });
  } finally {
    await admin.disconnect();
  }
}

/** New consumer groups that start at today's end of the topics (so they read exactly what is produced next). */
async function groupsAtEnd(groupIds: string[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    for (const topic of topics) {
      const ends = await admin.fetchTopicOffsets(topic);
      for (const groupId of groupIds)
        await admin.setOffsets({
          groupId,
          topic,
          partitions: ends.map((p) => ({ partition: p.partition, offset: p.high })),
        });
    }
  } finally {
    await admin.disconnect();
  }
}

async function produce(events: readonly CloudEvent[]): Promise<number> {
  const reference = new KafkaPublisher(client, { topic: Topics.reference });
  const positions = new KafkaPublisher(client, { topic: Topics.positions });
  const started = performance.now();
  for (let i = 0; i < events.length; i += 2000) {
    const slice = events.slice(i, i + 2000);
    await reference.publish(slice.filter((e) => e.type === 'aidwatch.port.declared.v1'));
    await positions.publish(slice.filter((e) => e.type !== 'aidwatch.port.declared.v1'));
  }
  const seconds = (performance.now() - started) / 1000;
  await Promise.all([reference.stop(), positions.stop()]);
  return events.length / seconds;
}

/** kafkajs with nothing behind it: messages per second from the first batch to the last message. */
async function bareConsume(groupId: string, total: number): Promise<number> {
  const consumer = kafka.consumer({ groupId });
  await consumer.connect();
  await consumer.subscribe({ topics, fromBeginning: true });
  let count = 0;
  let bytes = 0;
  let first = 0;
  const seconds = await new Promise<number>((resolve) => {
    void consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        first ||= performance.now();
        for (const m of batch.messages) bytes += m.value?.length ?? 0;
        count += batch.messages.length;
        if (count >= total) resolve((performance.now() - first) / 1000);
      },
    });
  });
  await consumer.disconnect();
  if (bytes === 0) throw new Error('bare consumer read nothing');
  return total / seconds;
}

/** One checkpoint: start to commit, the longest stretch it held the thread, and the subjects written. */
interface CheckpointFigures {
  durationMs: number;
  blockedMs: number;
  /** How long event handling waited for it. */
  heldMs: number;
  subjects: number;
}

interface Pipeline {
  store: EmbeddedEventStore;
  checkpointFile: string;
  runner: ProjectionRunner;
  inbound: KafkaInbound;
  processed: () => number;
  checkpointMs: CheckpointFigures[];
  onProcessed: (listener: ((event: StoredEvent) => void) | undefined) => void;
  /** Called with the CloudEvents ids of the inbound events whose flags were just stored. */
  onFlags: (listener: ((causes: readonly string[]) => void) | undefined) => void;
}

function detectionRunner(
  store: EmbeddedEventStore,
  checkpointFile: string,
  checkpointMs: CheckpointFigures[],
  processed: (event: StoredEvent) => void,
  checkpointEveryEvents = config.checkpointEveryEvents,
  flagged?: (causes: readonly string[]) => void,
) {
  const projection = new DetectionProjection(store, detectionConfigFrom(config.detection), defaultPorts(), {
    onFlagEvents: (events, causes) => {
      if (events.some((e) => e.type === 'aidwatch.flag.raised.v2')) flagged?.(causes ?? []);
    },
  });
  return new ProjectionRunner(store, new SqliteCheckpointStore(checkpointFile), projection, {
    checkpointEveryEvents,
    checkpointEveryMs: config.checkpointEveryMs,
    onCheckpoint: ({ durationMs, blockedMs, heldMs, subjects }) =>
      checkpointMs.push({ durationMs, blockedMs, heldMs, subjects: subjects ?? 0 }),
    onError: (error) => console.error('detection runner:', error),
    onProcessed: (event) => processed(event),
  });
}

/** AidWatch as `npm start` wires it: Kafka intake → embedded store → detection projection, one process. */
function pipeline(dir: string, groupId: string): Pipeline {
  const store = new EmbeddedEventStore({
    path: path.join(dir, 'events.sqlite'),
    writer: config.eventStore.kind === 'embedded' ? config.eventStore.writer : 'worker',
  });
  const checkpointFile = path.join(dir, 'checkpoints.sqlite');
  const checkpointMs: CheckpointFigures[] = [];
  let count = 0;
  let listener: ((event: StoredEvent) => void) | undefined;
  let flagListener: ((causes: readonly string[]) => void) | undefined;
  const runner = detectionRunner(
    store,
    checkpointFile,
    checkpointMs,
    (event) => {
      count += 1;
      listener?.(event);
    },
    CHECKPOINT_EVERY_EVENTS,
    (causes) => flagListener?.(causes),
  );
  const intake = new EventIntake(store, new AidwatchMetrics());
  const inbound = KafkaInbound.fromConfig(
    { brokers, clientId: `aidwatch-bench-${run}`, groupId },
    intakeOptions(intake),
    { logLevel: 'nothing' },
  );
  return {
    store,
    checkpointFile,
    runner,
    inbound,
    processed: () => count,
    checkpointMs,
    onProcessed: (l) => (listener = l),
    onFlags: (l) => (flagListener = l),
  };
}

async function until(condition: () => boolean, timeoutMs = 600_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

async function ingestPhase(vessels: number, dir: string) {
  const bareGroup = `bench-bare-${run}-${vessels}`;
  const aidwatchGroup = `bench-aidwatch-${run}-${vessels}`;
  await groupsAtEnd([bareGroup, aidwatchGroup]);
  // The dataset is let go once produced: the process measured holds what a service would, not the bench's copy
  // (a major GC marks every live object, so a bigger heap means longer pauses).
  const { events, produced } = await (async () => {
    const data = [...portDeclaredEvents(), ...fleetEvents(vessels, EVENTS, 11)];
    return { events: data.length, produced: await produce(data) };
  })();
  (globalThis as { gc?: () => void }).gc?.();
  console.log(`${fmt(vessels)} vessels: ${fmt(events)} events produced at ${fmt(produced)} events/s`);
  const bare = await bareConsume(bareGroup, events);

  const p = pipeline(dir, aidwatchGroup);
  const loop = monitorEventLoopDelay({ resolution: 10 });
  let first = 0;
  const started = performance.now();
  // CPU time rather than wall time: on a shared or noisy machine it says what the pipeline costs.
  const cpuBefore = process.cpuUsage();
  const eluBefore = performance.eventLoopUtilization();
  loop.enable();
  p.runner.start();
  await p.inbound.start();
  await until(() => {
    if (!first && p.processed() > 0) first = performance.now();
    return p.processed() >= events;
  });
  const seconds = (performance.now() - (first || started)) / 1000;
  loop.disable();
  const cpu = process.cpuUsage(cpuBefore);
  const elu = performance.eventLoopUtilization(eluBefore);
  const ingest = events / seconds;
  const late = p.checkpointMs.slice(Math.floor(p.checkpointMs.length / 2));
  return {
    events,
    bare,
    ingest,
    blockMs: loop.max / 1e6,
    /** CPU time of every thread of the process, and the service's thread busy, per event (µs). */
    cpuUsPerEvent: (cpu.user + cpu.system) / events,
    threadUsPerEvent: (elu.active * 1000) / events,
    checkpointMs: median(late.map((c) => c.blockedMs)),
    checkpointHeldMs: median(late.map((c) => c.heldMs)),
    checkpointTotalMs: median(late.map((c) => c.durationMs)),
    checkpointSubjects: median(late.map((c) => c.subjects)),
    p,
  };
}

async function main(): Promise<void> {
  if (brokers.length === 0)
    throw new Error('Set KAFKA_BROKERS (e.g. 127.0.0.1:9092) to the broker to measure');
  const root = fs.mkdtempSync(path.join(process.env.BENCH_DIR ?? os.tmpdir(), 'aidwatch-pipeline-'));
  console.log(
    `AidWatch pipeline bench — ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'}), node ${process.version}, ` +
      `broker ${brokers.join(',')}, ${PARTITIONS} AIS partitions, store in ${root}; ingest checkpoints every ` +
      `${fmt(CHECKPOINT_EVERY_EVENTS)} events, rebuild as configured (${fmt(config.checkpointEveryEvents)} events, ` +
      `${fmt(config.checkpointEveryMs)} ms)\n`,
  );
  await ensureTopics();
  if (PHASES.has('postgres')) {
    if (postgresTestServerAvailable()) await postgresPhase();
    else console.log('PostgreSQL phase skipped: no server answers at AIDWATCH_TEST_POSTGRES_URL');
  }
  const phases: Array<Awaited<ReturnType<typeof ingestPhase>>> = [];
  try {
    for (const vessels of PHASES.has('ingest') ? FLEETS : []) {
      const dir = path.join(root, String(vessels));
      fs.mkdirSync(dir);
      const phase = await ingestPhase(vessels, dir);
      phases.push(phase);
      report(`bare kafkajs consume, ${fmt(vessels)} vessels`, `${fmt(phase.bare)} ev/s`);
      report(
        `ingest → append → detect, ${fmt(vessels)} vessels`,
        `${fmt(phase.ingest)} ev/s`,
        `ratio ${fmt(phase.ingest / phase.bare, 3)} (≥ 0.5 × bare)`,
        phase.ingest / phase.bare >= 0.5,
      );
      report(
        `ingest CPU per event: all threads / the service's thread, ${fmt(vessels)} vessels`,
        `${fmt(phase.cpuUsPerEvent, 1)} / ${fmt(phase.threadUsPerEvent, 1)} µs`,
      );
      report(
        `checkpoint, thread held (median, later half), ${fmt(vessels)} vessels`,
        `${fmt(phase.checkpointMs, 1)} ms`,
      );
      report(
        `checkpoint, events held (median, later half), ${fmt(vessels)} vessels`,
        `${fmt(phase.checkpointHeldMs, 1)} ms`,
      );
      report(
        `checkpoint, start to commit / subjects written, ${fmt(vessels)} vessels`,
        `${fmt(phase.checkpointTotalMs, 1)} ms / ${fmt(phase.checkpointSubjects)}`,
      );
      report(
        `longest event-loop block during catch-up, ${fmt(vessels)} vessels`,
        `${fmt(phase.blockMs, 1)} ms`,
        '≤ 100 ms',
        phase.blockMs <= 100,
      );
      // Only the last fleet's pipeline goes on (rebuild, latency). An earlier one still running would consume the
      // next fleet's data too, under its own consumer group.
      if (vessels !== FLEETS.at(-1)) {
        await stopPipeline(phase.p);
        (phase as { p?: Pipeline }).p = undefined;
        (globalThis as { gc?: () => void }).gc?.();
      }
    }
    if (phases.length > 0) {
      const small = phases[0];
      const large = phases.at(-1)!;
      report(
        `ingest rate ${fmt(FLEETS.at(-1)!)} / ${fmt(FLEETS[0])} vessels`,
        fmt(large.ingest / small.ingest, 3),
        '≥ 0.8',
        large.ingest / small.ingest >= 0.8,
      );
      report(
        `checkpoint time (thread held) ${fmt(FLEETS.at(-1)!)} / ${fmt(FLEETS[0])} vessels`,
        fmt(large.checkpointMs / small.checkpointMs, 2),
        '≤ 1.5',
        large.checkpointMs / small.checkpointMs <= 1.5,
      );

      const stored = (await large.p.store.readAll()).length;
      const file = path.join(root, String(FLEETS.at(-1)), 'events.sqlite');
      const bytes = [file, `${file}-wal`].reduce(
        (sum, f) => sum + (fs.existsSync(f) ? fs.statSync(f).size : 0),
        0,
      );
      const perEvent = bytes / stored;
      report('store size per event (events, flags, index; WAL included)', `${fmt(perEvent)} B`);
      report('store growth at 6,000 positions/s', `${fmt((perEvent * 6000 * 86_400) / 1e9)} GB/day`);
      if (PHASES.has('rebuild')) await rebuildPhase(large.p, large.events);
      if (PHASES.has('latency')) await latencyPhase(large.p);
      await stopPipeline(large.p);
    }
  } finally {
    if (process.env.BENCH_KEEP === '1') console.log(`kept ${root}`);
    else fs.rmSync(root, { recursive: true, force: true });
  }
  if (RSS_VESSELS > 0 && PHASES.has('rss')) rssPhase();
  printVerdicts();
}

function printVerdicts(): void {
  const failed = figures.filter((f) => f.pass === false).length;
  console.log(`\n${figures.filter((f) => f.pass !== undefined).length - failed} PASS, ${failed} FAIL`);
}

/**
 * Ingestor processes (apps/ingestor, EVENT_STORE=postgres) draining a backlog into PostgreSQL: 1, then 2 in one
 * consumer group, each on a database of its own, against kafkajs alone reading the same records in the same run.
 * The ingestors start and join first, are frozen (SIGSTOP) while the backlog is produced, and are timed from
 * SIGCONT until the database holds every event. Returns the rates (events/s).
 */
async function postgresPhase(): Promise<void> {
  const vessels = FLEETS[0];
  const events = [...portDeclaredEvents(), ...fleetEvents(vessels, PG_EVENTS, 101)];
  const types = [...new Set(events.map((e) => e.type))];
  const rates = new Map<number, { ingest: number; bare: number }>();
  for (const count of [1, 2]) {
    const database = await createTestDatabase(`bench_pg${count}`);
    const group = `aidwatch-bench-pg${count}-${run}`;
    const bareGroup = `aidwatch-bench-pg-bare${count}-${run}`;
    await groupsAtEnd([group, bareGroup]);
    const ingestors: AidwatchService[] = [];
    const db = new Client({ connectionString: database.url });
    try {
      for (let i = 1; i <= count; i++)
        ingestors.push(
          startService({
            role: 'ingestor',
            name: `bench-ingestor-${i}`,
            databaseUrl: database.url,
            env: {
              KAFKA_BROKERS: brokers.join(','),
              KAFKA_GROUP_ID: group,
              KAFKA_CLIENT_ID: `bench-ingestor-${i}`,
              KAFKA_SESSION_TIMEOUT_MS: '120000',
              KAFKA_HEARTBEAT_INTERVAL_MS: '3000',
            },
          }),
        );
      await Promise.all(ingestors.map((s) => waitForHealth(s, 120_000)));
      for (const s of ingestors)
        for (const end = Date.now() + 60_000; ;) {
          const health = await s.health().catch(() => undefined);
          if (health?.checks.kafkaIntake?.ok) break;
          if (Date.now() > end) throw new Error(`${s.name}: Kafka intake not running within 60 s`);
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
      await new Promise((resolve) => setTimeout(resolve, 3000)); // the group settles its assignment
      for (const s of ingestors) process.kill(s.pid, 'SIGSTOP');
      await produce(events);
      const bare = await bareConsume(bareGroup, events.length);
      await db.connect();
      const stored = async () =>
        Number(
          (
            await db.query<{ n: string }>(
              'SELECT count(*)::text AS n FROM aidwatch_events WHERE type = ANY($1::text[])',
              [types],
            )
          ).rows[0].n,
        );
      const started = performance.now();
      for (const s of ingestors) process.kill(s.pid, 'SIGCONT');
      for (const end = Date.now() + 600_000; (await stored()) < events.length;) {
        if (Date.now() > end) throw new Error(`PostgreSQL phase: not every event stored within 600 s`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const ingest = events.length / ((performance.now() - started) / 1000);
      rates.set(count, { ingest, bare });
      report(`bare kafkajs consume (PostgreSQL phase, ${count} ingestor run)`, `${fmt(bare)} ev/s`);
      report(
        `Kafka → ${count} ingestor process${count > 1 ? 'es' : ''} → PostgreSQL, ${fmt(events.length)} events`,
        `${fmt(ingest)} ev/s`,
        `ratio ${fmt(ingest / bare, 3)} to bare`,
      );
    } finally {
      for (const s of ingestors) await s.stop('SIGTERM');
      await db.end().catch(() => undefined);
      await database.drop();
    }
  }
  const one = rates.get(1)!;
  const two = rates.get(2)!;
  report('PostgreSQL: 2 ingestor processes / 1', fmt(two.ingest / one.ingest, 2));
}

async function stopPipeline(p: Pipeline): Promise<void> {
  await p.inbound.stop();
  await p.runner.stop();
  await p.store.close();
}

/** Rounds of the rebuild phase: each a bare read then a rebuild; the median ratio is reported (one round varies by ±15 %). */
const REBUILD_ROUNDS = Number(process.env.BENCH_REBUILD_ROUNDS ?? 3);

async function rebuildPhase(p: Pipeline, total: number): Promise<void> {
  await p.inbound.stop();
  await p.runner.stop();
  const filter = { streamPrefixes: inboundStreamPrefixes };
  const rounds: Array<{ bare: number; rebuild: number; blockMs: number }> = [];
  let read = 0;
  for (let round = 0; round < REBUILD_ROUNDS; round++) {
    let started = performance.now();
    read = 0;
    for (let after: string | undefined; ;) {
      const page = await p.store.readAll({ after, maxCount: 500, filter });
      if (page.length === 0) break;
      read += page.length;
      after = page[page.length - 1].position;
    }
    const bare = read / ((performance.now() - started) / 1000);

    // A checkpoint file of its own, so the rebuild starts from position zero and the pipeline's runner resumes
    // from its own checkpoint afterwards.
    const checkpointMs: CheckpointFigures[] = [];
    let count = 0;
    const rebuildCheckpoints = path.join(
      path.dirname(p.checkpointFile),
      `rebuild-checkpoints-${round}.sqlite`,
    );
    const runner = detectionRunner(p.store, rebuildCheckpoints, checkpointMs, () => (count += 1));
    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    started = performance.now();
    runner.start();
    await until(() => count >= read);
    const rebuild = read / ((performance.now() - started) / 1000);
    loop.disable();
    await runner.stop();
    rounds.push({ bare, rebuild, blockMs: loop.max / 1e6 });
  }
  if (read !== total) console.log(`(store holds ${read} inbound events, ${total} were produced)`);
  const ratios = rounds.map((r) => r.rebuild / r.bare);
  const middle = rounds[ratios.indexOf(median(ratios))];
  console.log(`rebuild / bare by round: ${ratios.map((r) => fmt(r, 3)).join(', ')}`);
  report('bare readAll of the same store (median round)', `${fmt(middle.bare)} ev/s`);
  report(
    `rebuild of the detection projection (median of ${rounds.length} rounds)`,
    `${fmt(middle.rebuild)} ev/s`,
    `ratio ${fmt(middle.rebuild / middle.bare, 3)} (≥ 0.7)`,
    middle.rebuild / middle.bare >= 0.7,
  );
  const blockMs = Math.max(...rounds.map((r) => r.blockMs));
  report('longest event-loop block during rebuild', `${fmt(blockMs, 1)} ms`, '≤ 100 ms', blockMs <= 100);
  p.runner.start();
}

async function latencyPhase(p: Pipeline): Promise<void> {
  // The ingest phase's consumer would take these messages too, under its own group.
  await p.inbound.stop();
  const total = RATE * (LATENCY_WARMUP_SECONDS + LATENCY_SECONDS);
  const later = new Date(Date.parse(START) + HOURS * 3_600_000).toISOString();
  const groupId = `bench-latency-${run}`;
  await groupsAtEnd([groupId]);
  // Produced from a thread of its own (a live feed's producers are elsewhere): send times come from it, in
  // wall-clock milliseconds, and each event's latency is taken once both its send and its detection are known.
  const wallClock = () => performance.timeOrigin + performance.now();
  const sentAt = new Map<string, number>();
  /** Every event's send time, for the flags its judgement writes (stored after it is processed). */
  const sentTimes = new Map<string, number>();
  const detectedAt = new Map<string, number>();
  const latencies: number[] = [];
  const flagLatencies: number[] = [];
  /** Events sent from the end of the warm-up on: the steady state. */
  const steady: number[] = [];
  const steadyFlags: number[] = [];
  let measuring = false;
  let steadyFrom = Infinity;
  const record = (id: string, sent: number, detected: number) => {
    if (!measuring) return;
    latencies.push(detected - sent);
    if (sent >= steadyFrom) steady.push(detected - sent);
  };
  p.onFlags((causes) => {
    const at = wallClock();
    for (const id of new Set(causes)) {
      const sent = sentTimes.get(id);
      if (!measuring || sent === undefined) continue;
      flagLatencies.push(at - sent);
      if (sent >= steadyFrom) steadyFlags.push(at - sent);
    }
  });
  let warmDone = 0;
  p.onProcessed((event) => {
    const id = (event.data as CloudEvent).id;
    const detected = wallClock();
    const sent = sentAt.get(id);
    if (sent === undefined) return void detectedAt.set(id, detected);
    sentAt.delete(id);
    warmDone++;
    record(id, sent, detected);
  });
  const intake = new EventIntake(p.store, new AidwatchMetrics());
  const inbound = KafkaInbound.fromConfig(
    { brokers, clientId: `aidwatch-bench-${run}`, groupId },
    intakeOptions(intake),
    { logLevel: 'nothing' },
  );
  await inbound.start();
  const fromSource = __filename.endsWith('.ts');
  const producer = new Worker(path.join(__dirname, `latency-producer.worker.${fromSource ? 'ts' : 'js'}`), {
    workerData: {
      brokers,
      clientId: `aidwatch-bench-producer-${run}`,
      vessels: FLEETS.at(-1)!,
      total,
      start: later,
      rate: RATE,
      warm: 20,
    },
    execArgv: fromSource ? ['--require', '@swc-node/register'] : [],
  });
  let done: { sent: number; rate: number } | undefined;
  let ready = false;
  producer.on('message', (m: { kind: string; ids?: string[]; at?: number; sent?: number; rate?: number }) => {
    if (m.kind === 'ready') ready = true;
    else if (m.kind === 'done') done = { sent: m.sent!, rate: m.rate! };
    else if (m.kind === 'sent')
      for (const id of m.ids!) {
        sentTimes.set(id, m.at!);
        const detected = detectedAt.get(id);
        if (detected === undefined) sentAt.set(id, m.at!);
        else {
          detectedAt.delete(id);
          warmDone++;
          record(id, m.at!, detected);
        }
      }
  });
  await until(() => ready);
  // Warm-up: the group is joined once the first events come through.
  producer.postMessage({ kind: 'warm' });
  await until(() => warmDone >= 20);
  measuring = true;
  steadyFrom = wallClock() + LATENCY_WARMUP_SECONDS * 1000;
  producer.postMessage({ kind: 'go' });
  await until(() => done !== undefined, 600_000);
  const { sent, rate: achieved } = done!;
  await until(() => latencies.length >= sent, 120_000);
  // The flags of the last events are stored too.
  await p.runner.caughtUp(120_000);
  await producer.terminate();
  await inbound.stop();
  p.onProcessed(undefined);
  p.onFlags(undefined);
  const sorted = [...latencies].sort((a, b) => a - b);
  report(`produce rate of the latency phase`, `${fmt(achieved)} ev/s`, `(asked ${fmt(RATE)})`);
  const pct = (values: number[], q: number) =>
    percentile(
      [...values].sort((a, b) => a - b),
      q,
    );
  report(
    `produce → detected, p50, whole run (${fmt(sorted.length)} events)`,
    `${fmt(pct(sorted, 50), 1)} ms`,
  );
  report(
    'produce → detected, p99, whole run (joining and warm-up included)',
    `${fmt(pct(sorted, 99), 1)} ms`,
  );
  if (flagLatencies.length > 0)
    report(
      `produce → flag appended, p99, whole run (${flagLatencies.length} flags)`,
      `${fmt(pct(flagLatencies, 99), 1)} ms`,
    );
  const warm = `after ${LATENCY_WARMUP_SECONDS} s of ${fmt(RATE)} ev/s`;
  report(`produce → detected, p50, steady (${warm})`, `${fmt(pct(steady, 50), 1)} ms`);
  report(
    `produce → detected, p99, steady (${fmt(steady.length)} events)`,
    `${fmt(pct(steady, 99), 1)} ms`,
    '< 250 ms',
    steady.length > 0 && pct(steady, 99) < 250,
  );
  if (steadyFlags.length > 0)
    report(
      `produce → flag appended, p99, steady (${steadyFlags.length} flags)`,
      `${fmt(pct(steadyFlags, 99), 1)} ms`,
      '< 250 ms',
      pct(steadyFlags, 99) < 250,
    );
}

function rssPhase(): void {
  const child = spawnSync(
    process.execPath,
    // With the heap limit `npm start` and the Dockerfile set (--max-old-space-size=768).
    [
      '--max-old-space-size=768',
      '--expose-gc',
      '-r',
      '@swc-node/register',
      path.join(__dirname, 'pipeline-rss.bench.ts'),
    ],
    {
      env: { ...process.env, BENCH_RSS_VESSELS: String(RSS_VESSELS) },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const result = JSON.parse(child.stdout.trim().split('\n').at(-1) ?? '{}') as {
    peakRss?: number;
    vessels?: number;
  };
  if (!result.peakRss) throw new Error(`the RSS child failed: ${child.stdout}`);
  const mib = result.peakRss / 2 ** 20;
  report(
    `peak RSS tracking ${fmt(result.vessels ?? 0)} vessels`,
    `${fmt(mib)} MiB`,
    '< 1,024 MiB',
    mib < 1024,
  );
}

main()
  .then(() => process.exit(0))
  .catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
