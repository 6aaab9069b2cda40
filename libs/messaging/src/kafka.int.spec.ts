import { randomUUID } from 'node:crypto';
import { EventTypes, type FlagRaised } from '@aidwatch/domain';
// Not the @aidwatch/testing barrel: that one also loads the whole application for the e2e helpers.
import { describeWithKafka, getKafkaBroker, type KafkaBroker } from '../../../test/support/kafka-broker';
import {
  CLOUDEVENTS_JSON,
  createKafkaClient,
  DeadLetterHeaders,
  ensureTopics,
  KafkaInbound,
  KafkaPublisher,
  type InboundHooks,
  type InboundHandler,
  type InboundMessage,
  type KafkaAdminPort,
  type KafkaClient,
  type KafkaInboundOptions,
  type KafkaProducerPort,
  type MessageOutcome,
  type RetryScheduled,
} from '@aidwatch/messaging';

// Unique names per run: the broker may be shared with other runs and keeps what they left behind.
const runId = randomUUID().slice(0, 8);
const topic = (name: string) => `test.${runId}.${name}`;
const T = {
  good: topic('good'),
  mixed: topic('mixed'),
  mixedDlq: topic('mixed-dlq'),
  flaky: topic('flaky'),
  stuck: topic('stuck'),
  slow: topic('slow'),
  alerts: topic('alerts'),
  caughtUp: topic('caught-up'),
};

const ok: MessageOutcome = { kind: 'ok' };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function eventually<T>(
  probe: () => Promise<T | undefined>,
  what: string,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await sleep(100);
  }
}

describeWithKafka('Kafka messaging against a real broker', () => {
  let broker: KafkaBroker;
  let client: KafkaClient;
  let admin: KafkaAdminPort;
  let producer: KafkaProducerPort;
  const running: Array<{ stop(): Promise<void> }> = [];

  beforeAll(async () => {
    broker = await getKafkaBroker();
    client = createKafkaClient(
      { brokers: broker.brokers, clientId: 'aidwatch-int' },
      { logLevel: 'nothing' },
    );
    admin = client.admin();
    await admin.connect();
    // One partition each, so offsets are predictable: 0, 1, 2…
    await ensureTopics(
      admin,
      Object.values(T).map((t) => ({ topic: t, partitions: 1 })),
    );
    producer = client.producer({ idempotent: false });
    await producer.connect();
  }, 180_000);

  afterEach(async () => {
    await Promise.all(running.splice(0).map((r) => r.stop()));
  });

  afterAll(async () => {
    await producer?.disconnect();
    await admin?.disconnect();
    await broker?.stop();
  }, 60_000);

  const groupOf = (name: string) => `test.${runId}.${name}`;

  async function startInbound(
    name: string,
    options: Omit<KafkaInboundOptions, 'groupId' | 'maxWaitMs' | 'retryDelayMs'>,
  ): Promise<KafkaInbound> {
    const inbound = new KafkaInbound(client, {
      groupId: groupOf(name),
      maxWaitMs: 200,
      retryDelayMs: { initial: 100, max: 400 },
      ...options,
    });
    running.push(inbound);
    await inbound.start();
    return inbound;
  }

  const committed = async (name: string, t: string) =>
    (await admin.committedOffsets(groupOf(name), t))[0]?.offset;

  async function readTopic(t: string, count: number): Promise<InboundMessage[]> {
    const got: InboundMessage[] = [];
    const reader = client.consumer({
      groupId: groupOf(`reader-${t}`),
      topics: [t],
      fromBeginning: true,
      maxWaitMs: 200,
    });
    running.push(reader);
    await reader.start(async (batch, control) => {
      got.push(...batch.messages);
      await control.commit(batch.messages[batch.messages.length - 1].offset);
    });
    await eventually(async () => (got.length >= count ? true : undefined), `${count} records on ${t}`);
    return got;
  }

  it('hands a good message to the handler and commits its offset only after the handler stored it', async () => {
    const stored: InboundMessage[] = [];
    const committedWhileStoring: Array<string | undefined> = [];
    const ingested: Array<[string, number]> = [];
    await producer.send([{ topic: T.good, key: 'C-1', value: '{"id":"e-1"}', headers: { ce_id: 'e-1' } }]);

    const inbound = await startInbound('good', {
      topics: [T.good],
      handler: async (messages) => {
        committedWhileStoring.push(await committed('good', T.good));
        stored.push(...messages);
        return messages.map(() => ok);
      },
      hooks: { ingested: (t, n) => ingested.push([t, n]) },
    });

    expect(
      await eventually(async () => ((await committed('good', T.good)) === '1' ? '1' : undefined), 'commit'),
    ).toBe('1');
    expect(stored.map((m) => [m.offset, m.key?.toString(), m.value?.toString(), m.headers.ce_id])).toEqual([
      ['0', 'C-1', '{"id":"e-1"}', 'e-1'],
    ]);
    expect(committedWhileStoring).toEqual(['-1']);
    // The hook runs once the consumer has seen its commit answered, which the broker may show a moment earlier.
    await eventually(async () => (ingested.length > 0 ? true : undefined), 'the ingested hook');
    expect(ingested).toEqual([[T.good, 1]]);
    expect(inbound.health().ok).toBe(true);
    await inbound.stop();
    expect(inbound.health()).toMatchObject({ ok: false, detail: { state: 'stopped' } });
  });

  it('dead-letters a bad message with its bytes, key and headers, and goes on with the next one', async () => {
    const badBytes = Buffer.from([0xff, 0xfe, 0x00, 0x7b]);
    await producer.send([
      { topic: T.mixed, key: 'C-42', value: badBytes, headers: { 'trace-id': 'abc', ce_type: 'odd' } },
      { topic: T.mixed, key: 'C-43', value: '{"id":"e-2"}' },
    ]);
    const seen: Array<[string, MessageOutcome['kind']]> = [];
    const rejected: Array<[string, number]> = [];
    const hooks: InboundHooks = { rejected: (t, n) => rejected.push([t, n]) };
    const validating: InboundHandler = async (messages) =>
      messages.map((m) => {
        let outcome: MessageOutcome = ok;
        try {
          JSON.parse(m.value?.toString('utf8') ?? '');
        } catch (e) {
          outcome = {
            kind: 'invalid',
            reason: 'not JSON',
            errors: [{ field: 'value', message: (e as Error).message }],
          };
        }
        seen.push([m.offset, outcome.kind]);
        return outcome;
      });

    await startInbound('mixed', { topics: [T.mixed], dlqTopic: T.mixedDlq, handler: validating, hooks });

    await eventually(async () => ((await committed('mixed', T.mixed)) === '2' ? true : undefined), 'commit');
    expect(seen).toEqual([
      ['0', 'invalid'],
      ['1', 'ok'],
    ]);
    expect(rejected).toEqual([[T.mixed, 1]]);

    const [dead, ...more] = await readTopic(T.mixedDlq, 1);
    expect(more).toEqual([]);
    expect(dead.value).toEqual(badBytes);
    expect(dead.key?.toString()).toBe('C-42');
    expect(dead.headers).toMatchObject({
      'trace-id': 'abc',
      ce_type: 'odd',
      [DeadLetterHeaders.reason]: 'not JSON',
      [DeadLetterHeaders.sourceTopic]: T.mixed,
      [DeadLetterHeaders.sourcePartition]: '0',
      [DeadLetterHeaders.sourceOffset]: '0',
    });
    const errors = JSON.parse(dead.headers[DeadLetterHeaders.errors] ?? 'null') as unknown;
    expect(errors).toEqual([{ field: 'value', message: expect.stringContaining('JSON') }]);
  });

  it('delivers the same messages again after a back-off when the handler fails, and never skips them', async () => {
    await producer.send([
      { topic: T.flaky, key: 'C-7', value: '{"n":0}' },
      { topic: T.flaky, key: 'C-7', value: '{"n":1}' },
    ]);
    const calls: Array<{ at: number; offsets: string[]; committed?: string }> = [];
    const retries: RetryScheduled[] = [];

    await startInbound('flaky', {
      topics: [T.flaky],
      handler: async (messages) => {
        calls.push({
          at: Date.now(),
          offsets: messages.map((m) => m.offset),
          committed: await committed('flaky', T.flaky),
        });
        if (calls.length <= 2) throw new Error('event store unavailable');
        return messages.map(() => ok);
      },
      hooks: { retrying: (r) => retries.push(r) },
    });

    await eventually(async () => ((await committed('flaky', T.flaky)) === '2' ? true : undefined), 'commit');
    expect(calls.map((c) => c.offsets)).toEqual([
      ['0', '1'],
      ['0', '1'],
      ['0', '1'],
    ]);
    expect(calls.map((c) => c.committed)).toEqual(['-1', '-1', '-1']);
    expect(retries.map((r) => [r.offset, r.attempt, r.delayMs])).toEqual([
      ['0', 1, 100],
      ['0', 2, 200],
    ]);
    expect(calls[1].at - calls[0].at).toBeGreaterThanOrEqual(90);
    expect(calls[2].at - calls[1].at).toBeGreaterThanOrEqual(190);
  });

  it('holds the offset back while the dead letter cannot be written', async () => {
    await producer.send([{ topic: T.stuck, key: 'C-9', value: 'not json' }]);
    let calls = 0;
    const retries: RetryScheduled[] = [];

    await startInbound('stuck', {
      topics: [T.stuck],
      // Kafka rejects this topic name, so every dead-letter write fails.
      dlqTopic: 'no such topic!',
      handler: async (messages) => {
        calls += 1;
        return messages.map(() => ({ kind: 'invalid', reason: 'not JSON', errors: [] }));
      },
      hooks: { retrying: (r) => retries.push(r) },
    });

    await eventually(async () => (retries.length >= 2 ? true : undefined), 'two retries');
    expect(calls).toBeGreaterThanOrEqual(2);
    expect(await committed('stuck', T.stuck)).toBe('-1');
    expect(retries.every((r) => r.offset === '0')).toBe(true);
  });

  it('keeps its place in the group while a batch takes longer than the session timeout', async () => {
    await producer.send([{ topic: T.slow, key: 'C-5', value: '{"n":0}' }]);
    let calls = 0;
    const crashes: Error[] = [];

    await startInbound('slow', {
      topics: [T.slow],
      // The broker's smallest allowed session; without heartbeats the member would be dropped mid-batch.
      sessionTimeoutMs: 6000,
      heartbeatEveryMs: 500,
      handler: async (messages) => {
        calls += 1;
        if (calls === 1) await sleep(7500);
        return messages.map(() => ok);
      },
      hooks: { crashed: (e) => crashes.push(e) },
    });

    await eventually(
      async () => ((await committed('slow', T.slow)) === '1' ? true : undefined),
      'commit',
      20_000,
    );
    expect(calls).toBe(1);
    expect(crashes).toEqual([]);
  }, 30_000);

  it('logs a consumer group rebalancing (a second member joining) at info, never at error', async () => {
    const entries: Array<{ level: string; message: string; fields: Record<string, unknown> }> = [];
    const capture = (level: string) => (fields: object, message: string) =>
      entries.push({ level, message, fields: fields as Record<string, unknown> });
    const logged = createKafkaClient(
      { brokers: broker.brokers, clientId: 'aidwatch-int-rebalance' },
      {
        logLevel: 'info',
        logger: {
          error: capture('error'),
          warn: capture('warn'),
          info: capture('info'),
          debug: capture('debug'),
        },
      },
    );
    const member = () =>
      logged.consumer({
        groupId: groupOf('rebalance'),
        topics: [T.good],
        fromBeginning: false,
        maxWaitMs: 200,
        heartbeatIntervalMs: 300,
      });
    const first = member();
    running.push(first);
    await first.start(async () => undefined);
    const second = member();
    running.push(second);
    await second.start(async () => undefined);
    const text = (e: (typeof entries)[number]) => `${e.message} ${String(e.fields.error ?? '')}`;
    const rebalancing = await eventually(
      async () => {
        const found = entries.filter((e) => /rebalancing/.test(text(e)));
        return found.length > 0 ? found : undefined;
      },
      'a rebalancing entry from the first member',
      20_000,
    );
    expect(rebalancing.map((e) => e.level)).not.toContain('error');
    expect(rebalancing.map((e) => e.level)).toContain('info');
    expect(entries.filter((e) => e.level === 'error').map(text)).toEqual([]);
  });

  it('writes a caught-up marker once a partition is stored to its end and quiet, repeats it at doubling intervals, and stores the next batch after it', async () => {
    const log: string[] = [];
    const markers: Array<{ endOffset: string; nth: number; at: number; quietMs: number }> = [];
    let slowMarker: (() => void) | undefined;
    const send = (n: number, from: number) =>
      producer.send(
        Array.from({ length: n }, (_, i) => ({
          topic: T.caughtUp,
          key: 'K',
          value: `{"n":${from + i}}`,
          headers: {},
        })),
      );
    await send(3, 0);
    await startInbound('caught-up', {
      topics: [T.caughtUp],
      handler: async (messages) => {
        log.push(...messages.map((m) => `record ${m.offset}`));
        return messages.map(() => ok);
      },
      caughtUp: {
        quietMs: 400,
        maxIntervalMs: 1600,
        checkEveryMs: 100,
        write: async ({ endOffset, atMs: at, nth, quietMs }) => {
          log.push(`marker ${endOffset}#${nth}`);
          markers.push({ endOffset, nth, at, quietMs });
          // The third marker is slow to store: records produced meanwhile must wait for it.
          if (nth === 3) await new Promise<void>((resolve) => (slowMarker = resolve));
        },
      },
    });
    await eventually(async () => (markers.length >= 1 ? true : undefined), 'the first marker');
    expect(log.slice(0, 4)).toEqual(['record 0', 'record 1', 'record 2', 'marker 3#1']);
    await eventually(async () => (slowMarker ? true : undefined), 'the third marker being written', 20_000);
    expect(markers.map((m) => `${m.endOffset}#${m.nth}`)).toEqual(['3#1', '3#2', '3#3']);
    // Repeats at doubling intervals: about 800 ms, then 1,600 ms (the cap) after the one before.
    expect(markers[2].at - markers[1].at).toBeGreaterThanOrEqual(1500);
    expect(markers[1].at - markers[0].at).toBeGreaterThanOrEqual(700);
    // Each says how long the partition has been quiet: at least the quiet period, growing with the repeats.
    expect(markers[0].quietMs).toBeGreaterThanOrEqual(400);
    expect(markers[2].quietMs - markers[1].quietMs).toBe(markers[2].at - markers[1].at);
    await send(2, 3);
    await sleep(1000);
    expect(log.filter((l) => l.startsWith('record')).length).toBe(3);
    slowMarker?.();
    await eventually(
      async () => (log.includes('marker 5#1') ? true : undefined),
      'the marker of the new end',
    );
    expect(log.slice(0, 9)).toEqual([
      'record 0',
      'record 1',
      'record 2',
      'marker 3#1',
      'marker 3#2',
      'marker 3#3',
      'record 3',
      'record 4',
      'marker 5#1',
    ]);
  }, 60_000);

  it('publishes CloudEvents in structured mode, keyed by subject', async () => {
    const event: FlagRaised = {
      specversion: '1.0',
      id: `flag-${runId}`,
      source: 'aidwatch/detector',
      type: EventTypes.FlagRaised,
      subject: 'C-100',
      time: '2026-03-01T10:00:00Z',
      datacontenttype: 'application/json',
      data: {
        flagId: `F-${runId}`,
        fingerprint: 'quantity-shrinkage:consignment:C-100:RUTF',
        rule: 'quantity-shrinkage',
        severity: 'high',
        subject: { kind: 'consignment', id: 'C-100' },
        consignmentIds: ['C-100'],
        observed: { lossPct: 12.5 },
        threshold: { tolerancePct: 2 },
        evidence: ['e-1', 'e-2'],
        explanation: '9,600 cartons discharged, 8,400 delivered (12.5 % lost; tolerance 2 %).',
        raisedAt: '2026-03-01T10:00:00Z',
      },
    };
    const publisher = new KafkaPublisher(client, { topic: T.alerts });
    running.push(publisher);

    await publisher.publish([event]);

    const [record] = await readTopic(T.alerts, 1);
    expect(record.key?.toString()).toBe('C-100');
    expect(record.headers['content-type']).toBe(CLOUDEVENTS_JSON);
    expect(JSON.parse(record.value?.toString('utf8') ?? '')).toEqual(event);
  });
});
