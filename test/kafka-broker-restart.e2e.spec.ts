// A Kafka broker restarted while two ingestors on PostgreSQL consume: a broker of the test's own (infra/kafka, never
// the shared one) is stopped and started again while simulated AIS is produced, by a producer that retries a batch
// until it is acknowledged; the ingestors are frozen (SIGSTOP) across the stop, so the broker holds records nobody has
// read when it goes away. At the end the broker's topics are read back from the beginning with a bare consumer and
// compared, by event id, with what was produced and with what the store holds: none lost, none stored twice.
// In every `npm test`; under CI=true a missing PostgreSQL or local broker fails loudly.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { Topics, type CloudEvent } from '@aidwatch/domain';
import { createTestDatabase, describeWithPostgres, type TestDatabase } from '@aidwatch/event-store/testing';
import { portDeclaredEvents, simulateTraffic } from '@aidwatch/maritime';
import { KafkaSink } from '../apps/simulator/src/event-sinks';
import { startService, waitForHealth, type AidwatchService } from './support/aidwatch-service';
import {
  describeWithLocalBroker,
  startRestartableBroker,
  type RestartableBroker,
} from './support/kafka-broker';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Every event id on the topics, read from the beginning by a consumer of a fresh group (no AidWatch code). */
async function idsOnBroker(brokers: string[], topics: string[]): Promise<string[]> {
  const kafka = new Kafka({ brokers, clientId: 'restart-readback', logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  let total = 0;
  for (const topic of topics) for (const p of await admin.fetchTopicOffsets(topic)) total += Number(p.high);
  await admin.disconnect();
  const consumer = kafka.consumer({ groupId: `restart-readback-${Date.now()}` });
  const ids: string[] = [];
  await consumer.connect();
  await consumer.subscribe({ topics, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      ids.push((JSON.parse(message.value!.toString()) as { id: string }).id);
    },
  });
  const deadline = Date.now() + 30_000;
  while (ids.length < total && Date.now() < deadline) await sleep(100);
  await consumer.disconnect();
  return ids;
}

/** Records on the topics past the group's committed offsets (all of a partition without one). */
async function unreadRecords(brokers: string[], groupId: string, topics: string[]): Promise<number> {
  const admin = new Kafka({ brokers, clientId: 'restart-backlog', logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    let unread = 0;
    for (const topic of topics) {
      const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
      const next = new Map(committed.partitions.map((p) => [p.partition, Math.max(0, Number(p.offset))]));
      for (const p of await admin.fetchTopicOffsets(topic))
        unread += Number(p.high) - (next.get(p.partition) ?? 0);
    }
    return unread;
  } finally {
    await admin.disconnect();
  }
}

describeWithLocalBroker('ingestors on PostgreSQL through a Kafka broker restart', () => {
  describeWithPostgres('a broker of its own, stopped and started mid-stream', () => {
    jest.setTimeout(180_000);
    let broker: RestartableBroker;
    let database: TestDatabase;
    let logDir: string;
    const services: AidwatchService[] = [];

    beforeAll(async () => {
      [broker, database] = await Promise.all([startRestartableBroker(), createTestDatabase('restart')]);
      logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aidwatch-restart-'));
    }, 180_000);
    afterAll(async () => {
      for (const s of services) await s.stop('SIGKILL');
      await broker?.stop();
      await database?.drop();
      if (process.env.AIDWATCH_KEEP_LOGS) process.stdout.write(`broker restart: logs in ${logDir}\n`);
      else if (logDir) fs.rmSync(logDir, { recursive: true, force: true });
    }, 120_000);

    it('stores every event the broker acknowledged exactly once', async () => {
      const started = Date.now();
      const sim = simulateTraffic({
        vessels: 12,
        hours: 8,
        seed: 58855,
        start: '2025-03-01T00:00:00Z',
        downsample: 4,
        anomalySets: 1,
      });
      const events: CloudEvent[] = [...portDeclaredEvents(), ...sim.events()];
      const produced = new Set(events.map((e) => e.id));
      expect(produced.size).toBe(events.length);

      const group = `aidwatch-restart-${database.name}`;
      for (const name of ['ingestor-1', 'ingestor-2'])
        services.push(
          startService({
            role: 'ingestor',
            name,
            databaseUrl: database.url,
            logFile: path.join(logDir, `${name}.log`),
            env: {
              KAFKA_BROKERS: broker.brokers.join(','),
              KAFKA_GROUP_ID: group,
              KAFKA_CLIENT_ID: name,
              KAFKA_COMMIT_INTERVAL_MS: '200',
              KAFKA_ALIGNMENT_MAX_DRIFT_MS: '0',
            },
          }),
        );
      await Promise.all(services.map((s) => waitForHealth(s)));

      // A producer that does not give up: a batch the broker did not acknowledge is sent again.
      const sink = new KafkaSink(broker.brokers);
      let resent = 0;
      const producing = (async () => {
        for (let i = 0; i < events.length; i += 100) {
          const batch = events.slice(i, i + 100);
          for (;;) {
            try {
              await sink.send(batch);
              break;
            } catch {
              resent++;
              await sleep(500);
            }
          }
          await sleep(100);
        }
        await sink.close();
      })();

      // Mid-stream: the ingestors freeze for a moment (SIGSTOP), so the broker holds records nobody has read yet,
      // then the broker goes away for a few seconds and comes back; the ingestors go on (SIGCONT) after it.
      await sleep(2500);
      for (const s of services) process.kill(s.pid, 'SIGSTOP');
      await sleep(1000);
      const backlog = await unreadRecords(broker.brokers, group, [Topics.reference, Topics.positions]);
      await broker.pause();
      await sleep(4000);
      await broker.resume();
      for (const s of services) process.kill(s.pid, 'SIGCONT');
      await producing;
      expect(backlog).toBeGreaterThan(0);

      const ids = [Topics.reference, Topics.positions];
      const onBroker = await idsOnBroker(broker.brokers, ids);
      const brokerDistinct = new Set(onBroker);
      const missingOnBroker = [...produced].filter((id) => !brokerDistinct.has(id)).length;

      const admin = new Client({ connectionString: database.url });
      await admin.connect();
      let stored = { distinct: 0, rows: 0 };
      try {
        const deadline = Date.now() + 45_000;
        for (;;) {
          const { rows } = await admin.query<{ distinct: string; rows: string }>(
            `SELECT count(DISTINCT data::json->>'id')::text AS distinct, count(*)::text AS rows
             FROM aidwatch_events WHERE data::json->>'id' = ANY($1::text[])`,
            [[...produced]],
          );
          stored = { distinct: Number(rows[0].distinct), rows: Number(rows[0].rows) };
          if (stored.distinct === produced.size || Date.now() > deadline) break;
          await sleep(500);
        }
      } finally {
        await admin.end();
      }
      process.stdout.write(
        `broker restart: ${backlog} records unread when the broker stopped; ${produced.size} produced (${resent} batches sent again), ${brokerDistinct.size} on the ` +
          `broker (${onBroker.length} records, ${missingOnBroker} missing), ${stored.distinct} stored ` +
          `(${stored.rows} rows): lost ${produced.size - stored.distinct}, stored twice ` +
          `${stored.rows - stored.distinct}; ${Math.round((Date.now() - started) / 1000)} s\n`,
      );
      expect(missingOnBroker).toBe(0);
      expect(stored).toEqual({ distinct: produced.size, rows: produced.size });
      for (const s of services) expect(s.running()).toBe(true);
    });
  });
});
