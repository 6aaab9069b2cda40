import { Kafka, logLevel, type Consumer, type Producer } from 'kafkajs';
import { EventTypes, Topics, type AidEvent } from '@aidwatch/domain';
import {
  describeWithKafka,
  getKafkaBroker,
  type KafkaBroker,
  createContractTopics,
  startGroupAtEnd,
  takeTurnsOnSharedTopics,
} from './support/kafka-broker';
import { eventually, startTestSystem, type TestSystem } from './support/aidwatch-process';
import { SseClient } from './support/sse-client';
import { shrinkageStory } from './support/stories';
import { DemoCast, demoScenario } from '../apps/aidwatch/src/demo/demo-scenario';

const topicOf = (event: AidEvent): string => {
  if (event.type.startsWith('aidwatch.exemption.')) return Topics.reference;
  if (event.type.startsWith('aidwatch.delivery.')) return Topics.deliveries;
  if (event.type.startsWith('aidwatch.verification.')) return Topics.verifications;
  if (event.type.startsWith('aidwatch.vessel.')) return Topics.positions;
  return Topics.consignments;
};

describeWithKafka('Kafka in → store → flags → alerts out', () => {
  takeTurnsOnSharedTopics();
  jest.setTimeout(240_000);
  const tag = `k${Date.now().toString(36)}`;
  const story = shrinkageStory(tag);
  let broker: KafkaBroker;
  let system: TestSystem;
  let producer: Producer;
  let dlqConsumer: Consumer;
  const deadLetters: Array<{ key: string | null; value: string; headers: Record<string, string> }> = [];

  beforeAll(async () => {
    broker = await getKafkaBroker();
    const kafka = new Kafka({ clientId: `e2e-${tag}`, brokers: broker.brokers, logLevel: logLevel.NOTHING });
    await createContractTopics(kafka);
    // Only this test's messages: other tests on the shared broker leave theirs in the same topics.
    await startGroupAtEnd(kafka, `e2e-ingestor-${tag}`);
    dlqConsumer = kafka.consumer({ groupId: `e2e-dlq-${tag}` });
    await dlqConsumer.connect();
    await dlqConsumer.subscribe({ topic: Topics.deadLetters, fromBeginning: true });
    await dlqConsumer.run({
      eachMessage: async ({ message }) => {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = String(v);
        deadLetters.push({
          key: message.key?.toString() ?? null,
          value: message.value?.toString() ?? '',
          headers,
        });
      },
    });
    producer = kafka.producer();
    await producer.connect();
    system = await startTestSystem({
      KAFKA_BROKERS: broker.brokers.join(','),
      KAFKA_GROUP_ID: `e2e-ingestor-${tag}`,
      KAFKA_CLIENT_ID: `e2e-${tag}`,
      // The story's field and monitors' partitions fall silent while its logistics feed moves on: they are
      // released once their caught-up markers say they stopped (10 min by default; 3 s here).
      DETECTION_INPUT_END_QUIET_MINUTES: '0.05',
    });
  });

  afterAll(async () => {
    await system?.stop();
    await producer?.disconnect();
    await dlqConsumer?.disconnect();
    await broker?.stop();
  });

  it('ingests contract events from Kafka, raises quantity-shrinkage on /flags and the SSE stream, and dead-letters bad input', async () => {
    const sse = new SseClient(`${system.url}/alerts/stream?after=0`, system.auth());
    await sse.open();

    // Structured mode for most events; binary mode (ce_* headers) for the delivery.
    for (const event of story.events) {
      const binary = event.type === EventTypes.DeliveryRecorded;
      const { data, ...envelope } = event;
      await producer.send({
        topic: topicOf(event),
        messages: [
          binary
            ? {
                key: story.consignmentId,
                value: JSON.stringify(data),
                headers: {
                  'content-type': 'application/json',
                  ...Object.fromEntries(Object.entries(envelope).map(([k, v]) => [`ce_${k}`, String(v)])),
                },
              }
            : {
                key: story.consignmentId,
                value: JSON.stringify(event),
                headers: { 'content-type': 'application/cloudevents+json' },
              },
        ],
      });
    }
    const badKey = `bad-${tag}`;
    const badValue = JSON.stringify({
      specversion: '1.0',
      id: `${tag}-bad`,
      source: 'e2e',
      type: EventTypes.ConsignmentLoaded,
      time: 'yesterday',
      data: { consignmentId: story.consignmentId, items: [{ itemCode: 'RUTF', quantity: -5 }] },
    });
    await producer.send({
      topic: Topics.consignments,
      messages: [
        { key: badKey, value: badValue, headers: { 'content-type': 'application/cloudevents+json' } },
      ],
    });

    // (a) the events are in the store, one stream per consignment.
    const consignmentEvents = story.events.filter(
      (e) => topicOf(e) !== Topics.reference && e.subject === story.consignmentId,
    );
    const stream = await eventually(
      async () => {
        const res = await system.fetch(`${system.url}/streams/consignment-${story.consignmentId}`);
        const body = (await res.json()) as { events: Array<{ event: AidEvent }> };
        return body.events.length === consignmentEvents.length ? body : undefined;
      },
      60_000,
      'the consignment stream',
    );
    // Events of one consignment come over several topics, so their arrival order is not guaranteed.
    expect(stream.events.map((e) => e.event.id).sort()).toEqual(consignmentEvents.map((e) => e.id).sort());

    // (b) quantity-shrinkage on GET /flags ...
    const flag = await eventually(
      async () => {
        const res = await system.fetch(
          `${system.url}/flags?rule=quantity-shrinkage&consignmentId=${story.consignmentId}`,
        );
        const body = (await res.json()) as {
          items: Array<{ flagId: string; evidence: string[]; explanation: string }>;
        };
        return body.items[0];
      },
      30_000,
      'a quantity-shrinkage flag',
    );
    expect(flag.evidence).toEqual(expect.arrayContaining([`${tag}-delivered`]));
    expect(flag.explanation).toMatch(/8,400/);

    // ... and on the SSE alert stream.
    await sse.waitFor((frames) => frames.some((f) => JSON.parse(f.data).data.flagId === flag.flagId));
    await sse.close();

    // (c) the malformed message is in the DLQ with its reason; the service is still up.
    const dead = await eventually(
      async () => deadLetters.find((d) => d.key === badKey),
      90_000,
      'the dead letter',
    );
    expect(dead.value).toBe(badValue);
    expect(dead.headers['x-source-topic']).toBe(Topics.consignments);
    expect(dead.headers['x-dlq-reason']).toBeTruthy();
    const fieldErrors = JSON.parse(dead.headers['x-dlq-errors']) as Array<{ field: string }>;
    expect(fieldErrors.map((e) => e.field)).toEqual(expect.arrayContaining(['time']));
    const health = await system.fetch(`${system.url}/health`);
    expect(health.status).toBe(200);

    // Consumer lag: per partition in /metrics, summed in /health; nothing left once everything is stored.
    const metrics = await (await system.fetch(`${system.url}/metrics`)).text();
    expect(metrics).toMatch(
      new RegExp(
        `^aidwatch_kafka_consumer_lag_records\\{topic="${Topics.consignments}",partition="\\d+"\\} 0$`,
        'm',
      ),
    );
    const body = (await health.json()) as {
      checks: Record<string, { detail?: { pendingRecords?: number } }>;
    };
    expect(body.checks.kafkaIntake?.detail?.pendingRecords).toBe(0);
  });

  it('raises encounter on the consignment carried by a vessel that meets another at sea (AIS through Kafka)', async () => {
    const events = demoScenario() as AidEvent[];
    const structured = (event: AidEvent) => ({
      key: event.subject ?? null,
      value: JSON.stringify(event),
      headers: { 'content-type': 'application/cloudevents+json' },
    });
    // Registrations, loads and reference data first, as in life; then the voyages.
    const facts = events.filter((e) => topicOf(e) !== Topics.positions);
    for (const topic of new Set(facts.map(topicOf))) {
      await producer.send({ topic, messages: facts.filter((e) => topicOf(e) === topic).map(structured) });
    }
    await eventually(
      async () => {
        const res = await system.fetch(`${system.url}/consignments/${DemoCast.carriedConsignment}`);
        return res.status === 200 ? true : undefined;
      },
      60_000,
      'the carried consignment',
    );
    // One partition for the AIS of this test, so the two ships' reports reach the detector interleaved in
    // time as they were sent (across partitions the consumer may run one ship's track ahead of the other's).
    const positions = events.filter((e) => topicOf(e) === Topics.positions);
    for (let i = 0; i < positions.length; i += 250) {
      await producer.send({
        topic: Topics.positions,
        messages: positions.slice(i, i + 250).map((e) => ({ ...structured(e), partition: 0 })),
      });
    }

    const encounter = await eventually(
      async () => {
        const res = await system.fetch(
          `${system.url}/flags?rule=encounter&consignmentId=${DemoCast.carriedConsignment}`,
        );
        const body = (await res.json()) as {
          items: Array<{ subject: { id: string }; consignmentIds: string[] }>;
        };
        return body.items.find((f) => f.subject.id === DemoCast.carrier);
      },
      60_000,
      'an encounter flag on the carried consignment',
    );
    expect(encounter.consignmentIds).toContain(DemoCast.carriedConsignment);
    const consignment: any = await (
      await system.fetch(`${system.url}/consignments/${DemoCast.carriedConsignment}`)
    ).json();
    expect(consignment.flags.map((f: { rule: string }) => f.rule)).toEqual(
      expect.arrayContaining(['encounter']),
    );
    expect(['high', 'critical']).toContain(consignment.risk);
  });
});
