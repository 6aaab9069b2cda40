import { Kafka, logLevel } from 'kafkajs';
import {
  EventTypes,
  InboundTopics,
  Topics,
  topicOfType,
  PARTITION_STREAM_PREFIX,
  type AidEvent,
  type Flag,
  type FlagRaised,
} from '@aidwatch/domain';
import { DetectionEngine, detectionConfigFrom, eventTimeOf } from '@aidwatch/detection';
import { caughtUpMarkers, flagLine, laneOf, PositionLog } from '@aidwatch/detection/testing';
import { EmbeddedEventStore, type StoredEvent } from '@aidwatch/event-store';
import { EventIntake } from '@aidwatch/intake';
import { defaultPorts } from '@aidwatch/maritime';
import { AIDWATCH_TOPICS, createKafkaClient, ensureTopics, KafkaInbound } from '@aidwatch/messaging';
import { AidwatchMetrics } from '@aidwatch/observability';
import { DetectionProjection, ProjectionRunner, SqliteCheckpointStore } from '@aidwatch/projections';
import { DemoCast, demoScenario } from '../apps/aidwatch/src/demo/demo-scenario';
import {
  describeWithKafka,
  getKafkaBroker,
  startGroupAtEnd,
  type KafkaBroker,
  takeTurnsOnSharedTopics,
} from './support/kafka-broker';
import { eventually } from './support/aidwatch-process';
import { EngineFeed } from './support/engine-feed';

// The demo produced into services that already run — each topic by a producer of its own, all at once, so
// the topics and their partitions reach the ingestor in whatever order the broker and the consumer make —
// must end with the flags of the demo judged in event-time order: the flagship ship-to-ship meeting of
// RYONG SONG 5 with the designated YU SON 8, aid on board, included.

/** The quiet after which a partition counts as stopped in the end-of-delivery test (the default is 10 min). */
const END_QUIET_MS = 3000;

describeWithKafka('the demo produced into running services', () => {
  takeTurnsOnSharedTopics();
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
    await startGroupAtEnd(kafka, groupId);

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
        // As the ingestor runs by default (KAFKA_ALIGNMENT_MAX_DRIFT_MS, KAFKA_ALIGNMENT_IDLE_MS).
        eventTimeOf: (message) => intake.eventTimeOf(message),
        alignment: { maxDriftMs: 300_000, idleAfterMs: 3000 },
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
      const produce = (list: readonly AidEvent[]) => produceByTopic(kafka, list);
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

  it('with nothing after the demo, the caught-up markers release the partition consumed last: the open flags of event-time order', async () => {
    const events = (demoScenario() as AidEvent[]).map((e) => ({ ...e, id: `${tag}-end-${e.id}` }));
    const ports = events.filter((e) => e.type === EventTypes.PortDeclared);
    const rest = events.filter((e) => e.type !== EventTypes.PortDeclared);
    // Event-time order, one partition per topic, the markers after the last event (no later traffic).
    const reference = new DetectionEngine(detectionConfigFrom({}), defaultPorts());
    const referenceOpen = new Map<string, Flag>();
    const referenceRaised = new Set<string>();
    const referenceProblems = new Set<string>();
    const history = new PositionLog();
    const apply = (c: { raised: Flag[]; cleared: { flagId: string }[] }) => {
      for (const f of c.cleared) referenceOpen.delete(f.flagId);
      for (const f of c.raised) referenceOpen.set(f.flagId, f);
      for (const f of c.raised) referenceRaised.add(flagLine(f));
      for (const f of c.raised) referenceProblems.add(problemOf(f));
    };
    for (const e of ports) apply(reference.handle(e));
    const sorted = [...rest].sort((a, b) => eventTimeOf(a) - eventTimeOf(b));
    for (const e of sorted) {
      apply(reference.handle(e, laneOf(e, 1), 0));
      history.record(e);
      apply(reference.replayRoutes(history));
    }
    for (const d of caughtUpMarkers(new Set(sorted.map((e) => laneOf(e, 1)))))
      apply(reference.handle(d.event, d.lane, d.pending));
    const expected = [...referenceOpen.values()].map(flagLine).sort();
    expect(expected.some((l) => l.startsWith(`ais-gap vessel:${DemoCast.designatedPartner} `))).toBe(true);

    const kafka = new Kafka({ clientId: tag, brokers: broker.brokers, logLevel: logLevel.NOTHING });
    const groupId = `${tag}-end-ingestor`;
    await startGroupAtEnd(kafka, groupId);

    const store = EmbeddedEventStore.temporary();
    const checkpoints = new SqliteCheckpointStore(':memory:');
    const runner = new ProjectionRunner(
      store,
      checkpoints,
      new DetectionProjection(
        store,
        detectionConfigFrom({
          INPUT_END_QUIET_MINUTES: END_QUIET_MS / 60_000,
          RUN_END_QUIET_SECONDS: END_QUIET_MS / 1000,
        }),
        defaultPorts(),
      ),
      { checkpointEveryEvents: 5000, checkpointEveryMs: 60_000 },
    );
    const intake = new EventIntake(store, new AidwatchMetrics());
    const markers: string[] = [];
    const inbound = new KafkaInbound(
      createKafkaClient({ brokers: broker.brokers, clientId: tag }, { logLevel: 'nothing' }),
      {
        groupId,
        topics: [...InboundTopics],
        handler: (messages) => intake.ingestKafkaBatch(messages),
        maxWaitMs: 100,
        eventTimeOf: (message) => intake.eventTimeOf(message),
        alignment: { maxDriftMs: 300_000, idleAfterMs: 3000 },
        caughtUp: {
          quietMs: 500,
          maxIntervalMs: 4000,
          checkEveryMs: 200,
          write: async (marker) => {
            await intake.appendCaughtUp(marker);
            // A partition quiet this long has stopped delivering, for the detection below.
            if (marker.quietMs >= END_QUIET_MS) markers.push(`${marker.topic}/${marker.partition}`);
          },
        },
      },
    );
    runner.start();
    await inbound.start();
    try {
      // Ports first (the region's reference data), then every topic at once, then the tracks of the flagship
      // meeting's two vessels last, interleaved with each other (each in its own order), as a late batch
      // reaches a running service: their runs of reports end with the markers, not with each other's reports.
      const isLateTrack = (e: AidEvent) =>
        (e.subject === DemoCast.designatedPartner || e.subject === DemoCast.carrier) &&
        topicOfType(e.type) === Topics.positions;
      await produceByTopic(kafka, ports);
      await produceByTopic(
        kafka,
        rest.filter((e) => !isLateTrack(e)),
      );
      await produceByTopic(kafka, interleaveBySubject(rest.filter(isLateTrack), 7));
      const inbound = (stored: StoredEvent[]) =>
        stored.filter((e) => !e.streamId.startsWith(PARTITION_STREAM_PREFIX));
      await eventually(
        async () => (inbound(await store.readAll()).length >= events.length ? true : undefined),
        180_000,
        'the whole demo stored',
      );
      // Every partition that carried the demo has had a marker of a long enough quiet since.
      const lanes = new Set(
        (await store.readAll()).flatMap((e) =>
          e.metadata.partition === undefined ? [] : [`${e.metadata.channel}/${e.metadata.partition}`],
        ),
      );
      const since = markers.length;
      await eventually(
        async () => ([...lanes].every((l) => markers.slice(since).includes(l)) ? true : undefined),
        30_000,
        'a caught-up marker for every partition after the demo',
      );
      await runner.caughtUp();
      const open = new Map<string, Flag>();
      for (const e of await store.readAll()) {
        if (e.type === EventTypes.FlagRaised)
          open.set((e.data as FlagRaised).data.flagId, (e.data as FlagRaised).data);
        if (e.type === EventTypes.FlagCleared)
          open.delete((e.data as { data: { flagId: string } }).data.flagId);
      }
      expect([...open.values()].map(flagLine).sort()).toEqual(expected);
      // Nothing was judged missing from the late tracks while they still came: no AIS gap of theirs was
      // raised that event-time order does not raise.
      const lateGaps = (await store.readAll())
        .filter((e) => e.type === EventTypes.FlagRaised)
        .map((e) => (e.data as FlagRaised).data)
        .filter(
          (f) =>
            f.rule === 'ais-gap' &&
            (f.subject.id === DemoCast.carrier || f.subject.id === DemoCast.designatedPartner),
        )
        .map(flagLine);
      expect(lateGaps.filter((l) => !referenceRaised.has(l))).toEqual([]);
      // No consignment problem was raised on the way that event-time order does not raise (its evidence may
      // grow in another order, the problem may not): a monitors' or field partition still delivering what it
      // had pending holds every consignment (time model 5).
      const consignmentProblems = (await store.readAll())
        .filter((e) => e.type === EventTypes.FlagRaised)
        .map((e) => (e.data as FlagRaised).data)
        .filter((f) => f.subject.kind === 'consignment')
        .map(problemOf);
      expect([...new Set(consignmentProblems)].filter((l) => !referenceProblems.has(l))).toEqual([]);
    } finally {
      await inbound.stop();
      await runner.stop();
      await store.close();
      await checkpoints.close();
    }
  });
});

/** A flag's problem: rule, subject and fingerprint (its evidence may differ while paperwork comes in). */
const problemOf = (f: { rule: string; subject: { kind: string; id: string }; fingerprint: string }): string =>
  `${f.rule} ${f.subject.kind}:${f.subject.id} ${f.fingerprint}`;

/**
 * The events of each subject in their own order, the subjects merged in runs of 1 to 5 events drawn from
 * `seed`: another vessel's reports come between any two of a vessel's.
 */
function interleaveBySubject(list: readonly AidEvent[], seed: number): AidEvent[] {
  const queues = new Map<string, AidEvent[]>();
  for (const e of list) queues.set(e.subject ?? e.id, [...(queues.get(e.subject ?? e.id) ?? []), e]);
  const lanes = [...queues.values()];
  const out: AidEvent[] = [];
  let s = seed >>> 0;
  for (let k = 0; lanes.some((l) => l.length > 0); k++) {
    const lane = lanes[k % lanes.length];
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    out.push(...lane.splice(0, 1 + (s % 5)));
  }
  return out;
}

/** Produces the events, one producer per topic, all topics at once, each in sends of 25 (keyed by subject). */
async function produceByTopic(kafka: Kafka, list: readonly AidEvent[]): Promise<void> {
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
}
