import { Kafka, logLevel } from 'kafkajs';
import { EventTypes, Topics, type CloudEvent, type FlagRaised } from '@aidwatch/domain';
import { detectionConfigFrom } from '@aidwatch/detection';
import { EmbeddedEventStore } from '@aidwatch/event-store';
import { EventIntake } from '@aidwatch/intake';
import { defaultPorts, simulateTraffic } from '@aidwatch/maritime';
import { createKafkaClient, KafkaInbound } from '@aidwatch/messaging';
import { AidwatchMetrics } from '@aidwatch/observability';
import { SqliteCheckpointStore, DetectionProjection, ProjectionRunner } from '@aidwatch/projections';
import {
  describeWithKafka,
  ensurePartitions,
  getKafkaBroker,
  type KafkaBroker,
  takeTurnsOnSharedTopics,
} from './support/kafka-broker';
import { eventually } from './support/aidwatch-process';

const HOUR = 3_600_000;

describeWithKafka('Kafka backlog: partitions aligned in event time', () => {
  takeTurnsOnSharedTopics();
  jest.setTimeout(180_000);
  const tag = `align${Date.now().toString(36)}`;
  let broker: KafkaBroker;
  let kafka: Kafka;

  beforeAll(async () => {
    broker = await getKafkaBroker();
    kafka = new Kafka({ clientId: tag, brokers: broker.brokers, logLevel: logLevel.NOTHING });
    await ensurePartitions(kafka, [{ topic: Topics.positions, partitions: 2 }]);
  });
  afterAll(async () => broker?.stop());

  it('finds an encounter of two vessels whose AIS sits on two partitions, one produced hours ahead, read as a backlog', async () => {
    // Two ships meeting at sea for hours (the simulator's planted encounter), each on its own partition.
    const sim = simulateTraffic({
      vessels: 7,
      hours: 30,
      seed: 5,
      start: '2026-03-02T00:00:00Z',
      anomalySets: 1,
    });
    const planted = sim.manifest.find((a) => a.rule === 'encounter');
    if (!planted) throw new Error('the simulator planted no encounter');
    const [first, second] = planted.mmsis;
    const events = [...sim.events()] as CloudEvent[];
    const of = (mmsi: string) => events.filter((e) => e.subject === mmsi);
    // Partition 0 runs hours past the meeting; partition 1 stops an hour after it.
    const slowEnd = Date.parse(planted.to) + HOUR;
    const from = Date.parse(planted.from) - 2 * HOUR;
    const ahead = of(first).filter((e) => Date.parse(e.time) >= from);
    const behind = of(second).filter((e) => Date.parse(e.time) >= from && Date.parse(e.time) <= slowEnd);
    expect(Date.parse(ahead.at(-1)!.time) - slowEnd).toBeGreaterThan(2 * HOUR);

    // The group starts at today's end of the topic, so only this test's messages form its backlog.
    const groupId = `${tag}-ingestor`;
    const admin = kafka.admin();
    await admin.connect();
    const ends = await admin.fetchTopicOffsets(Topics.positions);
    await admin.setOffsets({
      groupId,
      topic: Topics.positions,
      partitions: ends.map((p) => ({ partition: p.partition, offset: p.high })),
    });
    await admin.disconnect();
    const producer = kafka.producer();
    await producer.connect();
    const record = (partition: number) => (e: CloudEvent) => ({
      partition,
      key: e.subject ?? null,
      value: JSON.stringify(e),
      headers: { 'content-type': 'application/cloudevents+json' },
    });
    for (const [partition, track] of [ahead, behind].entries())
      for (let i = 0; i < track.length; i += 500)
        await producer.send({
          topic: Topics.positions,
          messages: track.slice(i, i + 500).map(record(partition)),
        });
    await producer.disconnect();

    // Consumer started afterwards: the whole story is a backlog.
    const store = EmbeddedEventStore.temporary();
    const checkpoints = new SqliteCheckpointStore(':memory:');
    const raised: FlagRaised[] = [];
    const runner = new ProjectionRunner(
      store,
      checkpoints,
      new DetectionProjection(store, detectionConfigFrom({}), defaultPorts(), {
        onFlagEvents: (flags) =>
          raised.push(...flags.filter((f): f is FlagRaised => f.type === EventTypes.FlagRaised)),
      }),
      { checkpointEveryEvents: 5000, checkpointEveryMs: 60_000 },
    );
    const intake = new EventIntake(store, new AidwatchMetrics());
    const inbound = new KafkaInbound(
      createKafkaClient({ brokers: broker.brokers, clientId: tag }, { logLevel: 'nothing' }),
      {
        groupId,
        topics: [Topics.positions],
        handler: (messages) => intake.ingestKafkaBatch(messages),
        eventTimeOf: (message) => intake.eventTimeOf(message),
        alignment: { maxDriftMs: 10 * 60_000, idleAfterMs: 3000 },
        // Short fetch waits: each alignment step is a fetch, and this backlog has only two partitions.
        maxWaitMs: 100,
      },
    );
    runner.start();
    await inbound.start();
    try {
      const total = ahead.length + behind.length;
      await eventually(
        async () => ((await store.readAll()).length >= total ? true : undefined),
        150_000,
        'the backlog stored',
      );
      await runner.caughtUp();
      const encounter = raised.find(
        (f) => f.data.rule === 'encounter' && [first, second].includes(f.data.subject.id),
      );
      expect(encounter).toBeDefined();
      // While both partitions had data, the two tracks were stored interleaved in event time.
      const stored = (await store.readAll({ filter: { streamPrefixes: ['vessel-'] } }))
        .map((e) => e.data as CloudEvent)
        .filter((e) => Date.parse(e.time) <= slowEnd);
      let lead = 0;
      const newest = new Map<string, number>();
      for (const e of stored) {
        newest.set(e.subject!, Date.parse(e.time));
        if (newest.size === 2) lead = Math.max(lead, Math.abs(newest.get(first)! - newest.get(second)!));
      }
      expect(lead).toBeLessThan(30 * 60_000);
    } finally {
      await inbound.stop();
      await runner.stop();
      await store.close();
      await checkpoints.close();
    }
  });
});
