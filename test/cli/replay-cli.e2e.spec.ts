import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { appendFacts, auditStory, raiseFlag } from '@aidwatch/audit/testing';
import { EmbeddedEventStore } from '@aidwatch/event-store';
import { createKafkaClient, ensureTopics, type InboundMessage, type KafkaClient } from '@aidwatch/messaging';
import { describeWithKafka, getKafkaBroker, type KafkaBroker } from '../support/kafka-broker';
import { runAidwatch } from '../support/aidwatch-cli';

const aidwatch = runAidwatch;

describeWithKafka('aidwatch replay to the real Kafka', () => {
  jest.setTimeout(120_000);
  let broker: KafkaBroker;
  let client: KafkaClient;
  let dataDir: string;
  const topic = `test.replay.${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    broker = await getKafkaBroker();
    client = createKafkaClient({ brokers: broker.brokers, clientId: 'replay-test' }, { logLevel: 'error' });
    const admin = client.admin();
    await admin.connect();
    await ensureTopics(admin, [{ topic, partitions: 1 }]);
    await admin.disconnect();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aidwatch-replay-'));
    const store = new EmbeddedEventStore({ path: path.join(dataDir, 'events.sqlite') });
    await appendFacts(store, auditStory());
    await raiseFlag(store);
    await store.close();
  });
  afterAll(async () => {
    await broker?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('re-publishes positions 2 to 6 in store order, as CloudEvents marked as replays', async () => {
    const env = { DATA_DIR: dataDir, KAFKA_BROKERS: broker.brokers.join(',') };
    const result = await aidwatch(['replay', '--from', '2', '--to', '6', '--topic', topic, '--json'], env);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const { replayId, events } = JSON.parse(result.stdout) as { replayId: string; events: number };
    expect(events).toBe(5);

    const got: InboundMessage[] = [];
    const reader = client.consumer({
      groupId: `reader-${topic}`,
      topics: [topic],
      fromBeginning: true,
      maxWaitMs: 200,
    });
    await reader.start(async (batch, control) => {
      got.push(...batch.messages);
      await control.commit(batch.messages[batch.messages.length - 1].offset);
    });
    const deadline = Date.now() + 30_000;
    while (got.length < 5 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    await reader.stop();

    expect(got.map((m) => m.headers['x-replay-position'])).toEqual(['2', '3', '4', '5', '6']);
    expect(got.every((m) => m.headers['x-replay'] === 'true' && m.headers['x-replay-id'] === replayId)).toBe(
      true,
    );
    expect(got[0].headers['content-type']).toBe('application/cloudevents+json');
    expect(JSON.parse(String(got[0].value))).toMatchObject({
      specversion: '1.0',
      type: 'aidwatch.consignment.registered.v1',
    });
    expect(got.map((m) => m.headers['x-replay-stream'])).toContain('vessel-445123000');
  });

  it('without brokers or with a bad bound it is a usage error (exit 2)', async () => {
    expect((await aidwatch(['replay', '--from', 'soon', '--topic', topic], { DATA_DIR: dataDir })).code).toBe(
      2,
    );
    expect(
      (await aidwatch(['replay', '--from', '1', '--topic', topic], { DATA_DIR: dataDir, KAFKA_BROKERS: '' }))
        .code,
    ).toBe(2);
  });

  it('with brokers nobody listens on: one readable line and exit 2, no client log', async () => {
    const result = await aidwatch(['replay', '--from', '1', '--topic', topic, '--brokers', '127.0.0.1:1'], {
      DATA_DIR: dataDir,
    });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^aidwatch: cannot reach Kafka at 127\.0\.0\.1:1 .*--brokers or KAFKA_BROKERS$/);
    expect(lines[0]).not.toMatch(/^\{/);
  });
});
