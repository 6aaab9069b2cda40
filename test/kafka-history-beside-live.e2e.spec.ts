import { Kafka, logLevel } from 'kafkajs';
import { EventTypes, Topics, type CloudEvent, type FlagRaised } from '@aidwatch/domain';
import { detectionConfigFrom } from '@aidwatch/detection';
import { EmbeddedEventStore } from '@aidwatch/event-store';
import { EventIntake } from '@aidwatch/intake';
import { defaultPorts } from '@aidwatch/maritime';
import { createKafkaClient, KafkaInbound } from '@aidwatch/messaging';
import { AidwatchMetrics } from '@aidwatch/observability';
import { DetectionProjection, ProjectionRunner, SqliteCheckpointStore } from '@aidwatch/projections';
import { inputClosedEvent } from '../apps/cli/src/commands/import.command';
import { eventually } from './support/aidwatch-process';
import {
  byTime,
  fixes,
  HIST_END,
  HIST_START,
  HISTORY,
  HOUR,
  HQ,
  HV,
  LD,
  LIVE,
  LV,
  NOW,
  SILENCE,
} from './support/history-feeds';
import {
  describeWithKafka,
  ensurePartitions,
  getKafkaBroker,
  type KafkaBroker,
  takeTurnsOnSharedTopics,
} from './support/kafka-broker';

// The history-beside-live scenario (docs/time-model.md 5) through the real broker into running services: a
// month of AIS history produced with its `input.closed` after it, while a live feed that runs 10 days ahead
// of it keeps producing, both on one partition of the positions topic — one lane, where the live feed moving
// on would release the silent history as idle (time model 5) were it not closed. Detection raises the planted
// silence of the history and the live feed's dark vessel, and at no moment an `ais-gap` on the history's
// vessels because the live feed ran ahead (every flag raised along the way is counted).

describeWithKafka('a closed history import beside a live feed, through Kafka into running services', () => {
  takeTurnsOnSharedTopics();
  jest.setTimeout(240_000);
  const tag = `history${Date.now().toString(36)}`;
  let broker: KafkaBroker;
  let kafka: Kafka;

  beforeAll(async () => {
    broker = await getKafkaBroker();
    kafka = new Kafka({ clientId: tag, brokers: broker.brokers, logLevel: logLevel.NOTHING });
    await ensurePartitions(kafka, [{ topic: Topics.positions, partitions: 2 }]);
  });
  afterAll(async () => broker?.stop());

  it('flags the planted anomalies of both and never an ais-gap on the history vessels while the live feed runs ahead on their partition', async () => {
    // The sources are this run's own, so other runs' data on a shared broker moves none of their clocks.
    const history = byTime(
      fixes(HV, `${HISTORY}/${tag}`, HIST_START, HIST_END, 60, 37.0, SILENCE),
      fixes(HQ, `${HISTORY}/${tag}`, HIST_START, HIST_END, 60, 37.3),
    ).map((e) => ({ ...e, id: `${tag}-${e.id}` }));
    const close = inputClosedEvent(`${HISTORY}/${tag}`, HIST_END);
    const live = byTime(
      fixes(LV, `${LIVE}/${tag}`, NOW - 30 * HOUR, NOW, 10, 36.2),
      fixes(LD, `${LIVE}/${tag}`, NOW - 30 * HOUR, NOW - 28 * HOUR, 10, 36.6),
    ).map((e) => ({ ...e, id: `${tag}-${e.id}` }));

    const groupId = `${tag}-ingestor`;
    // The group starts at today's end of the topic: other runs' data on a shared broker is left alone.
    const admin = kafka.admin();
    await admin.connect();
    const ends = await admin.fetchTopicOffsets(Topics.positions);
    await admin.setOffsets({
      groupId,
      topic: Topics.positions,
      partitions: ends.map((p) => ({ partition: p.partition, offset: p.high })),
    });
    await admin.disconnect();
    const store = EmbeddedEventStore.temporary();
    const raised: FlagRaised[] = [];
    const runner = new ProjectionRunner(
      store,
      new SqliteCheckpointStore(':memory:'),
      new DetectionProjection(store, detectionConfigFrom({}), defaultPorts(), {
        onFlagEvents: (flags) =>
          raised.push(...flags.filter((f): f is FlagRaised => f.type === EventTypes.FlagRaised)),
      }),
      { checkpointEveryEvents: 5000, checkpointEveryMs: 60_000 },
    );
    const intake = new EventIntake(store, new AidwatchMetrics({ defaultMetrics: false }));
    const inbound = new KafkaInbound(
      createKafkaClient({ brokers: broker.brokers, clientId: tag }, { logLevel: 'nothing' }),
      {
        groupId,
        topics: [Topics.positions],
        handler: (messages) => intake.ingestKafkaBatch(messages),
        maxWaitMs: 100,
      },
    );
    runner.start();
    await inbound.start();
    const producer = kafka.producer();
    await producer.connect();
    const send = (partition: number, events: readonly CloudEvent[]) =>
      producer.send({
        topic: Topics.positions,
        messages: events.map((e) => ({
          partition,
          key: e.subject ?? null,
          value: JSON.stringify(e),
          headers: { 'content-type': 'application/cloudevents+json' },
        })),
      });
    try {
      // The live feed starts, then the history is produced in bursts while the live feed goes on (10 days
      // ahead in event time), then the close, then the rest of the live feed.
      await send(0, live.slice(0, 20));
      let next = 20;
      for (let i = 0; i < history.length; i += 200) {
        await send(0, history.slice(i, i + 200));
        await send(0, live.slice(next, (next += 2)));
        await new Promise((r) => setTimeout(r, 30));
      }
      await send(0, [close as CloudEvent]);
      for (; next < live.length; next += 50) await send(0, live.slice(next, next + 50));
      const total = history.length + live.length + 1;
      await eventually(
        async () => ((await store.readAll()).length >= total ? true : undefined),
        120_000,
        'every event stored',
      );
      await runner.caughtUp();
    } finally {
      await producer.disconnect();
      await inbound.stop();
      await runner.stop();
    }
    // Every ais-gap episode raised along the way (a distinct fingerprint per silence), by vessel.
    const episodes = (mmsi: string) =>
      new Set(
        raised
          .filter((f) => f.data.rule === 'ais-gap' && f.data.subject.id === mmsi)
          .map((f) => f.data.fingerprint),
      ).size;
    expect({ HV: episodes(HV), HQ: episodes(HQ), LD: episodes(LD), LV: episodes(LV) }).toEqual({
      HV: 1,
      HQ: 0,
      LD: 1,
      LV: 0,
    });
    // The planted silence, in the figures of the fix ending it (20 h without reports between hourly fixes).
    const silentHours = raised
      .filter((f) => f.data.rule === 'ais-gap' && f.data.subject.id === HV)
      .map((f) => (f.data.observed as { silentHours?: number }).silentHours ?? 0);
    expect(Math.max(...silentHours)).toBe(21);
    await store.close();
  });
});
