import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { Topics } from '@aidwatch/domain';
import { eventually, startTestSystem, type TestSystem } from './support/aidwatch-process';
import {
  describeWithKafka,
  getKafkaBroker,
  type KafkaBroker,
  createContractTopics,
  startGroupAtEnd,
  takeTurnsOnSharedTopics,
} from './support/kafka-broker';
import { shrinkageStory } from './support/stories';

describeWithKafka('Alert lifecycle on the aidwatch.alerts.v1 topic', () => {
  takeTurnsOnSharedTopics();
  jest.setTimeout(120_000);
  const tag = `ak${Date.now().toString(36)}`;
  const story = shrinkageStory(tag);
  let broker: KafkaBroker;
  let system: TestSystem;
  let consumer: Consumer;
  const received: Array<{ key: string | null; type: string; data: any; event: any }> = [];

  beforeAll(async () => {
    broker = await getKafkaBroker();
    const kafka = new Kafka({ clientId: `e2e-${tag}`, brokers: broker.brokers, logLevel: logLevel.NOTHING });
    await createContractTopics(kafka);
    // Only this test's messages: other tests on the shared broker leave theirs in the same topics.
    await startGroupAtEnd(kafka, `e2e-ingestor-${tag}`);
    consumer = kafka.consumer({ groupId: `e2e-alerts-${tag}` });
    await consumer.connect();
    await consumer.subscribe({ topic: Topics.alerts, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const event = JSON.parse(message.value?.toString() ?? '{}');
        received.push({ key: message.key?.toString() ?? null, type: event.type, data: event.data, event });
      },
    });
    system = await startTestSystem({
      KAFKA_BROKERS: broker.brokers.join(','),
      KAFKA_GROUP_ID: `e2e-ingestor-${tag}`,
      KAFKA_CLIENT_ID: `e2e-${tag}`,
    });
  });
  afterAll(async () => {
    await system?.stop();
    await consumer?.disconnect();
    await broker?.stop();
  });

  it('publishes flag events and each lifecycle event keyed by the subject', async () => {
    const posted = await system.fetch(`${system.url}/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/cloudevents-batch+json' },
      body: JSON.stringify(story.events),
    });
    expect(posted.status).toBe(202);
    const alert = await eventually(
      async () => {
        const res = await system.fetch(
          `${system.url}/alerts?rule=access-denied&consignmentId=${story.consignmentId}`,
        );
        return ((await res.json()) as any).items[0];
      },
      30_000,
      'the access-denied alert',
    );
    for (const [action, body] of [
      ['acknowledge', {}],
      ['assign', { assignee: 'monitoring desk' }],
      ['comments', { comment: 'calling the site' }],
      ['resolve', { note: 'visit took place after all' }],
    ] as const) {
      const res = await system.fetch(`${system.url}/alerts/${alert.alertId}/${action}`, {
        as: system.keys.operator,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(res.status).toBe(action === 'comments' ? 201 : 200);
    }
    const lifecycle = await eventually(
      async () => {
        const mine = received.filter(
          (r) => r.type.startsWith('aidwatch.alert.') && r.data.alertId === alert.alertId,
        );
        return mine.length >= 4 ? mine : undefined;
      },
      30_000,
      'lifecycle events on Kafka',
    );
    expect(lifecycle.map((r) => [r.type, r.key, r.data.alert.status])).toEqual([
      ['aidwatch.alert.acknowledged.v1', story.consignmentId, 'acknowledged'],
      ['aidwatch.alert.assigned.v1', story.consignmentId, 'acknowledged'],
      ['aidwatch.alert.commented.v1', story.consignmentId, 'acknowledged'],
      ['aidwatch.alert.resolved.v1', story.consignmentId, 'resolved'],
    ]);
    expect(lifecycle[3].data.note).toBe('visit took place after all');
    expect(received.some((r) => r.type === 'aidwatch.flag.raised.v1' && r.key === story.consignmentId)).toBe(
      true,
    );
    // The relay reports its lag like every other projection (what the lagging alerts read).
    const metrics = await (await system.fetch(`${system.url}/metrics`, { as: system.keys.operator })).text();
    expect(metrics).toMatch(/^aidwatch_projection_lag_seconds\{projection="alert-relay-v1"\} \d/m);
  });

  it('every message on the topic matches its message in the served AsyncAPI document', async () => {
    const document = (await (await system.fetch(`${system.url}/docs/asyncapi`)).json()) as {
      components: { messages: Record<string, { title: string; payload: object }> };
    };
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats(ajv);
    const byType = new Map(
      Object.values(document.components.messages).map((m) => [m.title, ajv.compile(m.payload)]),
    );
    // This run's messages only: the topic of a shared broker holds other runs' too.
    const mine = received.filter(
      (r) => r.key === story.consignmentId || r.data?.consignmentIds?.includes(story.consignmentId),
    );
    expect(mine.length).toBeGreaterThan(4);
    const types = new Set(mine.map((r) => r.type));
    for (const type of [
      'aidwatch.flag.raised.v1',
      'aidwatch.alert.acknowledged.v1',
      'aidwatch.alert.assigned.v1',
      'aidwatch.alert.commented.v1',
      'aidwatch.alert.resolved.v1',
    ])
      expect(types).toContain(type);
    const failures = mine.flatMap((r) => {
      const validate = byType.get(r.type);
      if (!validate) return [`${r.type}: not in the AsyncAPI document`];
      return validate(r.event) ? [] : [`${r.type} ${r.event.id}: ${ajv.errorsText(validate.errors)}`];
    });
    expect(failures).toEqual([]);
  });
});
