import { Kafka, logLevel } from 'kafkajs';
import {
  EventTypes,
  InboundTopics,
  Topics,
  topicOfType,
  type AidEvent,
  type FlagRaised,
} from '@aidwatch/domain';
import { detectionConfigFrom } from '@aidwatch/detection';
import { EmbeddedEventStore } from '@aidwatch/event-store';
import { EventIntake } from '@aidwatch/intake';
import { defaultPorts } from '@aidwatch/maritime';
import { AIDWATCH_TOPICS, createKafkaClient, ensureTopics, KafkaInbound } from '@aidwatch/messaging';
import { AidwatchMetrics } from '@aidwatch/observability';
import { DetectionProjection, ProjectionRunner, SqliteCheckpointStore } from '@aidwatch/projections';
import { DemoCast, demoScenario } from '../apps/aidwatch/src/demo/demo-scenario';
import { describeWithKafka, getKafkaBroker, type KafkaBroker } from './support/kafka-broker';
import { eventually } from './support/aidwatch-process';
import { EngineFeed } from './support/engine-feed';

// The demo produced into services that already run — each topic by a producer of its own, all at once, so
// the topics and their partitions reach the ingestor in whatever order the broker and the consumer make —
// must end with the flags of the demo judged in event-time order: the flagship ship-to-ship meeting of
// RYONG SONG 5 with the designated YU SON 8, aid on board, included.

describeWithKafka('the demo produced into running services', () => {
  jest.setTimeout(300_000);
  const tag = `demo${Date.now().toString(36)}`;
  let broker: KafkaBroker;

  beforeAll(async () => {
    broker = await getKafkaBroker();
    const admin = createKafkaClient(
      { brokers: broker.brokers, clientId: tag },
      { logLevel: 'nothing' },
    ).admin();
    await admin.connect();
    try {
      await ensureTopics(admin, AIDWATCH_TOPICS);
    } finally {
      await admin.disconnect();
    }
  });
  afterAll(async () => broker?.stop());

  it('raises the flagship encounter and the designated-vessel flags, with the ids of event-time order', async () => {
    const events = demoScenario() as AidEvent[];
    // Then time moves on: each receiver reports a vessel a week after the demo (silences can be judged).
    const later = ['/ais/coastal-receivers/yellow-sea', '/ais/coastal-receivers/east-sea'].map(
      (source, i): AidEvent =>
        ({
          specversion: '1.0',
          id: `${tag}-later-${i}`,
          source,
          type: EventTypes.VesselPositionReported,
          subject: `41299999${i}`,
          time: '2026-07-10T00:00:00.000Z',
          datacontenttype: 'application/json',
          data: {
            mmsi: `41299999${i}`,
            lat: 36.5 + i,
            lon: 123.5 + i,
            sog: 10,
            at: '2026-07-10T00:00:00.000Z',
          },
        }) as AidEvent,
    );
    const inOrder = new EngineFeed().feed([...events, ...later]);
    const kafka = new Kafka({ clientId: tag, brokers: broker.brokers, logLevel: logLevel.NOTHING });

    // The group starts at today's end of every inbound topic: only this run's messages are read.
    const groupId = `${tag}-ingestor`;
    const admin = kafka.admin();
    await admin.connect();
    for (const topic of InboundTopics) {
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
    const raised: FlagRaised['data'][] = [];
    const runner = new ProjectionRunner(
      store,
      checkpoints,
      new DetectionProjection(store, detectionConfigFrom({}), defaultPorts(), {
        onFlagEvents: (flags) =>
          raised.push(
            ...flags.filter((f): f is FlagRaised => f.type === EventTypes.FlagRaised).map((f) => f.data),
          ),
      }),
      { checkpointEveryEvents: 5000, checkpointEveryMs: 60_000 },
    );
    const intake = new EventIntake(store, new AidwatchMetrics());
    const inbound = new KafkaInbound(
      createKafkaClient({ brokers: broker.brokers, clientId: tag }, { logLevel: 'nothing' }),
      {
        groupId,
        topics: [...InboundTopics],
        handler: (messages) => intake.ingestKafkaBatch(messages),
        maxWaitMs: 100,
      },
    );
    runner.start();
    await inbound.start();
    try {
      // One producer per topic, all at once, each in small sends: the topics race each other. The designated
      // partner's positions come last, once everything else is stored — its partition consumed behind, or
      // its track relayed late by satellite — hours behind the carrier's in event time.
      const isPartnerTrack = (e: AidEvent) =>
        e.subject === DemoCast.designatedPartner && topicOfType(e.type) === Topics.positions;
      const produce = async (list: readonly AidEvent[]) => {
        const byTopic = new Map<string, AidEvent[]>();
        for (const e of list) {
          const topic = topicOfType(e.type);
          if (!topic) throw new Error(`no topic for ${e.type}`);
          byTopic.set(topic, [...(byTopic.get(topic) ?? []), e]);
        }
        await Promise.all(
          [...byTopic].map(async ([topic, events]) => {
            const producer = kafka.producer();
            await producer.connect();
            for (let i = 0; i < events.length; i += 25)
              await producer.send({
                topic,
                messages: events.slice(i, i + 25).map((e) => ({
                  key: e.subject ?? null,
                  value: JSON.stringify(e),
                  headers: { 'content-type': 'application/cloudevents+json' },
                })),
              });
            await producer.disconnect();
          }),
        );
      };
      const stored = (n: number, what: string) =>
        eventually(async () => ((await store.readAll()).length >= n ? true : undefined), 180_000, what);
      const partnerTrack = events.filter(isPartnerTrack);
      expect(partnerTrack.length).toBeGreaterThan(10);
      await produce(events.filter((e) => !isPartnerTrack(e)));
      await stored(events.length - partnerTrack.length, 'the demo but the partner track stored');
      await produce(partnerTrack);
      await stored(events.length, 'the whole demo stored');
      await produce(later);
      await stored(events.length + later.length, 'a week later');
      await runner.caughtUp();

      const ofCarrier = (rule: string) =>
        raised.filter((f) => f.rule === rule && f.subject.id === DemoCast.carrier);
      expect(ofCarrier('encounter').length).toBeGreaterThan(0);
      expect(ofCarrier('encounter').some((f) => f.observed.partnerMmsi === DemoCast.designatedPartner)).toBe(
        true,
      );
      expect(ofCarrier('designated-vessel').length).toBeGreaterThan(0);

      // The same encounter and designated-vessel flags, ids included, as the demo judged in event-time order.
      const ids = (flags: { rule: string; flagId: string }[], rule: string) =>
        [...new Set(flags.filter((f) => f.rule === rule).map((f) => f.flagId))].sort();
      for (const rule of ['encounter', 'designated-vessel'])
        expect(ids(raised, rule)).toEqual(ids(inOrder.raised, rule));
    } finally {
      await inbound.stop();
      await runner.stop();
      await store.close();
      await checkpoints.close();
    }
  });
});
