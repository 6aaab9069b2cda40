import { CloudEvent, emitterFor, httpTransport, Kafka as CeKafka, Mode } from 'cloudevents';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { storeEventId, streamOf, Topics, topicOfType, type AidEvent } from '@aidwatch/domain';
import * as sample from '@aidwatch/domain/testing';
import { eventually, startTestSystem, type TestSystem } from './support/aidwatch-process';
import {
  describeWithKafka,
  getKafkaBroker,
  type KafkaBroker,
  createContractTopics,
  startGroupAtEnd,
  takeTurnsOnSharedTopics,
} from './support/kafka-broker';

// The official CloudEvents JavaScript SDK as a real producer: its HTTP emitter and its Kafka binding, in
// binary and structured mode, against the running system and the real broker.

const asSdkEvent = (event: AidEvent, extensions: Record<string, string> = {}) =>
  new CloudEvent({
    specversion: '1.0',
    id: event.id,
    source: event.source,
    type: event.type,
    subject: event.subject,
    time: event.time,
    datacontenttype: 'application/json',
    data: event.data,
    ...extensions,
  });

async function storedEvent(system: TestSystem, event: AidEvent) {
  const res = await system.fetch(`${system.url}/streams/${encodeURIComponent(streamOf(event))}`);
  const body = (await res.json()) as { events: Array<{ id: string; event: Record<string, unknown> }> };
  return body.events.find((e) => e.id === storeEventId(event))?.event;
}

const tagged = <T extends AidEvent>(event: T, tag: string): T => ({ ...event, id: `${event.id}-${tag}` });

describe('the CloudEvents SDK HTTP emitter → POST /events', () => {
  jest.setTimeout(60_000);
  let system: TestSystem;

  beforeAll(async () => {
    system = await startTestSystem();
  });
  afterAll(async () => {
    await system?.stop();
  });

  it.each([
    ['binary', Mode.BINARY],
    ['structured', Mode.STRUCTURED],
  ])('stores an event sent in %s mode, extensions included', async (name, mode) => {
    const event = tagged(sample.verificationReported(), `http-${name}`);
    const emit = emitterFor(httpTransport(`${system.url}/events`), {
      mode,
      headers: system.auth(system.keys.producer),
    });
    const response = (await emit(asSdkEvent(event, { traceparent: '00-4bf92f35-00f067aa-01' }), {
      headers: system.auth(system.keys.producer),
    })) as {
      body: string;
    };
    expect(JSON.parse(response.body)).toEqual({ accepted: [event.id] });
    expect(await storedEvent(system, event)).toMatchObject({
      id: event.id,
      type: event.type,
      subject: event.subject,
      traceparent: '00-4bf92f35-00f067aa-01',
      data: event.data,
    });
  });

  it('answers 400 naming the data field when an SDK binary-mode event carries bad data', async () => {
    const bad = tagged(sample.vesselPosition({ data: { lat: 95 } }), 'http-bad');
    const emit = emitterFor(httpTransport(`${system.url}/events`), { mode: Mode.BINARY });
    const response = (await emit(asSdkEvent(bad), { headers: system.auth(system.keys.producer) })) as {
      body: string;
    };
    const body = JSON.parse(response.body) as { details: Array<{ errors: Array<{ field: string }> }> };
    expect(body.details[0].errors.map((e) => e.field)).toEqual(['data.lat']);
    expect(await storedEvent(system, bad)).toBeUndefined();
  });
});

describeWithKafka('the CloudEvents SDK Kafka binding → the inbound topics', () => {
  takeTurnsOnSharedTopics();
  jest.setTimeout(120_000);
  const tag = `ce${Date.now().toString(36)}`;
  let broker: KafkaBroker;
  let system: TestSystem;
  let producer: Producer;

  beforeAll(async () => {
    broker = await getKafkaBroker();
    const kafka = new Kafka({ clientId: `sdk-${tag}`, brokers: broker.brokers, logLevel: logLevel.NOTHING });
    await createContractTopics(kafka);
    // Only this test's messages: other tests on the shared broker leave theirs in the same topics.
    await startGroupAtEnd(kafka, `sdk-ingestor-${tag}`);
    producer = kafka.producer();
    await producer.connect();
    system = await startTestSystem({
      KAFKA_BROKERS: broker.brokers.join(','),
      KAFKA_GROUP_ID: `sdk-ingestor-${tag}`,
      KAFKA_CLIENT_ID: `sdk-${tag}`,
    });
  });
  afterAll(async () => {
    await system?.stop();
    await producer?.disconnect();
    await broker?.stop();
  });

  it.each([
    ['binary', CeKafka.binary],
    ['structured', CeKafka.structured],
  ])('stores events the SDK serialises in %s mode', async (name, serialise) => {
    const events = [
      tagged(sample.consignmentLoaded(), `${tag}-${name}`),
      tagged(sample.vesselPosition(), `${tag}-${name}`),
    ];
    for (const event of events) {
      const message = serialise(asSdkEvent(event, { partitionkey: event.subject ?? event.id }));
      const value = typeof message.value === 'string' ? message.value : JSON.stringify(message.value);
      const headers = Object.fromEntries(
        Object.entries(message.headers)
          .filter(([, v]) => v !== undefined)
          .map(([k, v]) => [k, String(v)]),
      );
      await producer.send({
        topic: topicOfType(event.type) ?? Topics.consignments,
        messages: [{ key: message.key ?? null, value, headers }],
      });
    }
    for (const event of events) {
      const stored = await eventually(() => storedEvent(system, event), 60_000, `${event.id} stored`);
      expect(stored).toMatchObject({ id: event.id, type: event.type, data: event.data });
    }
  });
});
