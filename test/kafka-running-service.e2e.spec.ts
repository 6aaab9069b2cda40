import { Kafka, logLevel } from 'kafkajs';
import { EventTypes, Topics, type AidEvent, type CloudEvent, type FlagRaised } from '@aidwatch/domain';
import { DetectionEngine, detectionConfigFrom } from '@aidwatch/detection';
import { EmbeddedEventStore } from '@aidwatch/event-store';
import { EventIntake } from '@aidwatch/intake';
import { defaultPorts, portDeclaredEvents, simulateTraffic } from '@aidwatch/maritime';
import { createKafkaClient, KafkaInbound } from '@aidwatch/messaging';
import { AidwatchMetrics } from '@aidwatch/observability';
import { DetectionProjection, ProjectionRunner, SqliteCheckpointStore } from '@aidwatch/projections';
import {
  describeWithKafka,
  ensurePartitions,
  getKafkaBroker,
  type KafkaBroker,
  takeTurnsOnSharedTopics,
} from './support/kafka-broker';
import { eventually } from './support/aidwatch-process';

// Data produced into services that are already running — the normal case — with the partitions as uneven
// as they get: one vessel's whole track first, then its partner's, hours behind in event time, and no
// partition alignment at all. Detection must still find the ship-to-ship meeting and the designated
// partner, with the very flag ids of the same events judged in event-time order.

const HOUR = 3_600_000;
const START = '2026-03-02T00:00:00Z';

describeWithKafka('Kafka into a running service: arrival order does not change the flags', () => {
  takeTurnsOnSharedTopics();
  jest.setTimeout(240_000);
  const tag = `running${Date.now().toString(36)}`;
  let broker: KafkaBroker;
  let kafka: Kafka;

  beforeAll(async () => {
    broker = await getKafkaBroker();
    kafka = new Kafka({ clientId: tag, brokers: broker.brokers, logLevel: logLevel.NOTHING });
    await ensurePartitions(kafka, [
      { topic: Topics.positions, partitions: 2 },
      { topic: Topics.reference, partitions: 1 },
    ]);
  });
  afterAll(async () => broker?.stop());

  it('finds the encounter and the designated partner when one track arrives after the other', async () => {
    const sim = simulateTraffic({ vessels: 7, hours: 30, seed: 5, start: START, anomalySets: 1 });
    const planted = sim.manifest.find((a) => a.rule === 'encounter');
    if (!planted) throw new Error('the simulator planted no encounter');
    const [carrier, partner] = planted.mmsis;
    const events = [...sim.events()] as CloudEvent[];
    const from = Date.parse(planted.from) - 2 * HOUR;
    const until = Date.parse(planted.to) + 6 * HOUR;
    const trackOf = (mmsi: string) =>
      events.filter((e) => e.subject === mmsi && Date.parse(e.time) >= from && Date.parse(e.time) <= until);
    const first = trackOf(carrier);
    const second = trackOf(partner);
    const designation: CloudEvent = {
      specversion: '1.0',
      id: `${tag}-designated-${partner}`,
      source: `/test/${tag}/un`,
      type: EventTypes.VesselDesignated,
      time: START,
      datacontenttype: 'application/json',
      data: { listRef: 'UNSC-1718', name: 'LISTED PARTNER', mmsi: partner, at: START },
    };

    // The services run first; the group starts at today's end of the topics.
    const groupId = `${tag}-ingestor`;
    const admin = kafka.admin();
    await admin.connect();
    for (const topic of [Topics.positions, Topics.reference]) {
      const ends = await admin.fetchTopicOffsets(topic);
      await admin.setOffsets({
        groupId,
        topic,
        partitions: ends.map((p) => ({ partition: p.partition, offset: p.high })),
      });
    }
    await admin.disconnect();

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
        topics: [Topics.positions, Topics.reference],
        handler: (messages) => intake.ingestKafkaBatch(messages),
        maxWaitMs: 100,
      },
    );
    runner.start();
    await inbound.start();
    try {
      const producer = kafka.producer();
      await producer.connect();
      const record = (partition: number) => (e: CloudEvent) => ({
        partition,
        key: e.subject ?? null,
        value: JSON.stringify(e),
        headers: { 'content-type': 'application/cloudevents+json' },
      });
      await producer.send({ topic: Topics.reference, messages: [record(0)(designation)] });
      // The carrier's whole track, then — once it is stored — the partner's, hours behind in event time.
      for (let i = 0; i < first.length; i += 200)
        await producer.send({ topic: Topics.positions, messages: first.slice(i, i + 200).map(record(0)) });
      await eventually(
        async () => ((await store.readAll()).length >= first.length + 1 ? true : undefined),
        120_000,
        'the carrier track stored',
      );
      for (let i = 0; i < second.length; i += 50)
        await producer.send({ topic: Topics.positions, messages: second.slice(i, i + 50).map(record(1)) });
      await producer.disconnect();
      await eventually(
        async () => ((await store.readAll()).length >= first.length + second.length + 1 ? true : undefined),
        120_000,
        'both tracks stored',
      );
      await runner.caughtUp();

      // The same events judged in event-time order, by the same engine.
      const engine = new DetectionEngine(detectionConfigFrom({}), defaultPorts());
      const inOrder: FlagRaised['data'][] = [];
      for (const e of [...portDeclaredEvents(), designation, ...first, ...second].sort(
        (a, b) => Date.parse(a.time) - Date.parse(b.time),
      ) as AidEvent[])
        inOrder.push(...engine.handle(e).raised);

      const idsOf = (flags: { rule: string; flagId: string }[], rule: string) =>
        flags
          .filter((f) => f.rule === rule)
          .map((f) => f.flagId)
          .sort();
      const live = raised.map((f) => f.data);
      expect(idsOf(live, 'encounter').length).toBeGreaterThanOrEqual(2);
      expect(idsOf(live, 'encounter')).toEqual(idsOf(inOrder, 'encounter'));
      // One designated-partner flag per encounter: raised when it qualifies, then given its final figures
      // (the same fingerprint, superseded) once it ends.
      const met = live.filter((f) => f.rule === 'designated-vessel' && f.subject.id === carrier);
      expect(met.length).toBeGreaterThanOrEqual(1);
      expect(new Set(met.map((f) => f.fingerprint)).size).toBe(1);
      expect(idsOf(live, 'designated-vessel')).toEqual(idsOf(inOrder, 'designated-vessel'));
    } finally {
      await inbound.stop();
      await runner.stop();
      await store.close();
      await checkpoints.close();
    }
  });
});
