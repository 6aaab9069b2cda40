import { randomUUID } from 'node:crypto';
// Not the @aidwatch/testing barrel: that one also loads the whole application for the e2e helpers.
import {
  describeWithLocalBroker,
  startRestartableBroker,
  type RestartableBroker,
} from '../../../test/support/kafka-broker';
import { createKafkaClient, ensureTopics, KafkaInbound, type InboundMessage } from '@aidwatch/messaging';

// A broker outage as the ingestor lives it: health turns degraded while the broker does not answer, and
// clears — without the outage's error — once it is back and consumption goes on.

const runId = randomUUID().slice(0, 8);
const topic = `test.${runId}.outage`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(probe: () => boolean, timeoutMs: number, what: string): Promise<number> {
  const started = Date.now();
  while (!probe()) {
    if (Date.now() - started > timeoutMs)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(200);
  }
  return Date.now() - started;
}

describeWithLocalBroker('Kafka intake health through a broker outage (a broker of its own)', () => {
  let broker: RestartableBroker;
  let inbound: KafkaInbound;
  const received: InboundMessage[] = [];

  beforeAll(async () => {
    broker = await startRestartableBroker();
    const admin = createKafkaClient(
      { brokers: broker.brokers, clientId: 'outage-admin' },
      { logLevel: 'nothing' },
    ).admin();
    await admin.connect();
    await ensureTopics(admin, [
      { topic, partitions: 2 },
      { topic: `${topic}.dlq`, partitions: 1 },
    ]);
    await admin.disconnect();
    inbound = new KafkaInbound(
      createKafkaClient({ brokers: broker.brokers, clientId: 'outage-test' }, { logLevel: 'nothing' }),
      {
        groupId: `outage-${runId}`,
        topics: [topic],
        dlqTopic: `${topic}.dlq`,
        handler: async (messages) => {
          received.push(...messages);
          return messages.map(() => ({ kind: 'ok' as const }));
        },
        maxWaitMs: 500,
        sessionTimeoutMs: 10_000,
        heartbeatIntervalMs: 1000,
        unreachableAfterMs: 3000,
      },
    );
    await inbound.start();
  }, 180_000);

  afterAll(async () => {
    await inbound?.stop().catch(() => undefined);
    await broker?.stop();
  }, 120_000);

  it('is degraded while the broker is down and ok again, without the old error, once it is back', async () => {
    await until(() => inbound.health().ok, 30_000, 'healthy intake');

    await broker.pause();
    const degradedAfter = await until(() => !inbound.health().ok, 30_000, 'degraded health');
    expect(degradedAfter).toBeLessThan(30_000);
    expect(inbound.health().detail.brokerUnreachableForMs ?? Infinity).toBeGreaterThanOrEqual(3000);

    await broker.resume();
    await until(() => inbound.health().ok, 90_000, 'health after the broker came back');
    expect(inbound.health().detail.brokerUnreachableForMs).toBeUndefined();
    expect(inbound.health().detail.lastError).toBeUndefined();

    // And it consumes again.
    const producer = createKafkaClient(
      { brokers: broker.brokers, clientId: 'outage-producer' },
      { logLevel: 'nothing' },
    ).producer({ idempotent: false });
    await producer.connect();
    await producer.send([{ topic, key: 'k', value: Buffer.from('{"after":"outage"}') }]);
    await producer.disconnect();
    await until(() => received.length > 0, 60_000, 'a message after the outage');
  }, 240_000);
});
