import { KafkaInbound } from './inbound-consumer';
import type {
  BatchControl,
  BatchHandler,
  InboundMessage,
  KafkaAdminPort,
  KafkaClient,
  KafkaConsumerPort,
  PartitionBatch,
  PartitionOffset,
  TopicPartition,
} from './kafka-client.port';

// A burst produced into a running service: every partition was caught up, then new records reach two
// partitions, and the batch of the one far ahead in event time is handed over first. The consumer asks the
// broker which partitions got new records, and the older records go first (time model 5: alignment whenever
// partitions drift apart, not only at start-up).

const DAY = 86_400_000;
const T0 = Date.parse('2026-04-01T00:00:00Z');
const TOPIC = 'aid.test.v1';

/** A client whose broker, group and fetches the test drives by hand. */
class FakeKafka implements KafkaClient {
  ends = new Map<number, number>();
  endOffsetQuestions = 0;
  /** While set, the broker's answer to an end-offsets question waits for it. */
  answerGate?: Promise<void>;
  onBatch?: BatchHandler;
  private joined?: (assigned: TopicPartition[]) => void;

  admin(): KafkaAdminPort {
    return {
      connect: async () => undefined,
      disconnect: async () => undefined,
      listTopics: async () => [TOPIC],
      createTopics: async () => undefined,
      committedOffsets: async (): Promise<PartitionOffset[]> =>
        [...this.ends.keys()].map((partition) => ({ partition, offset: '0' })),
      endOffsets: async (): Promise<PartitionOffset[]> => {
        this.endOffsetQuestions++;
        await this.answerGate;
        return [...this.ends].map(([partition, end]) => ({ partition, offset: String(end) }));
      },
    } as KafkaAdminPort;
  }

  producer() {
    return { connect: async () => undefined, send: async () => undefined, disconnect: async () => undefined };
  }

  consumer(): KafkaConsumerPort {
    return {
      start: async (onBatch) => {
        this.onBatch = onBatch;
      },
      stop: async () => undefined,
      onCrash: () => undefined,
      onJoin: (listener) => {
        this.joined = listener;
      },
      onFetch: () => undefined,
    };
  }

  join(partitions: number[]): void {
    this.joined?.(partitions.map((partition) => ({ topic: TOPIC, partition })));
  }
}

const message = (partition: number, offset: number, at: number): InboundMessage => ({
  topic: TOPIC,
  partition,
  offset: String(offset),
  key: null,
  value: Buffer.from(JSON.stringify({ at })),
  headers: {},
  timestamp: at,
});

const batch = (partition: number, ats: number[], from = 0): PartitionBatch => ({
  topic: TOPIC,
  partition,
  messages: ats.map((at, i) => message(partition, from + i, at)),
  highWatermark: String(from + ats.length),
});

/** A batch's control that records a pause (the partition is then fetched again once resumed). */
function control(): BatchControl & { paused: boolean; resumed: boolean } {
  const c = {
    paused: false,
    resumed: false,
    heartbeat: async () => undefined,
    commit: async () => undefined,
    retryLater: () => undefined,
    pause: () => {
      c.paused = true;
      return () => {
        c.resumed = true;
      };
    },
    isActive: () => true,
  };
  return c;
}

async function setUp(idleAfterMs = 3000, partitions = [0, 1]) {
  const kafka = new FakeKafka();
  for (const p of partitions) kafka.ends.set(p, 0);
  const handed: number[] = [];
  const inbound = new KafkaInbound(kafka, {
    groupId: 'g',
    topics: [TOPIC],
    handler: async (messages) => {
      for (const m of messages) handed.push(JSON.parse(String(m.value)).at);
      return messages.map(() => ({ kind: 'ok' as const }));
    },
    eventTimeOf: (m) => JSON.parse(String(m.value)).at,
    alignment: { maxDriftMs: 300_000, idleAfterMs },
  });
  await inbound.start();
  kafka.join(partitions);
  // The assignment is read (both partitions empty, caught up).
  await new Promise((resolve) => setTimeout(resolve, 20));
  return { kafka, inbound, handed };
}

describe('alignment of a burst reaching a running consumer', () => {
  it('a batch far ahead waits while another partition the broker says got new records shows its own', async () => {
    const { kafka, inbound, handed } = await setUp();
    try {
      // The burst: partition 0 gets records ten days ahead of partition 1's.
      kafka.ends.set(0, 2);
      kafka.ends.set(1, 2);
      const ahead = control();
      await kafka.onBatch?.(batch(0, [T0 + 10 * DAY, T0 + 10 * DAY + 1000]), ahead);
      expect(kafka.endOffsetQuestions).toBeGreaterThan(0);
      expect(handed).toEqual([]);
      expect(ahead.paused).toBe(true);
      // Partition 1's batch comes: its records go, and partition 0 is resumed to be fetched again.
      await kafka.onBatch?.(batch(1, [T0, T0 + 1000]), control());
      expect(handed).toEqual([T0, T0 + 1000]);
      expect(ahead.resumed).toBe(true);
    } finally {
      await inbound.stop();
    }
  });

  it('nothing new elsewhere: the batch goes at once', async () => {
    const { kafka, inbound, handed } = await setUp();
    try {
      kafka.ends.set(0, 2);
      const c = control();
      await kafka.onBatch?.(batch(0, [T0 + 10 * DAY, T0 + 10 * DAY + 1000]), c);
      expect(handed).toEqual([T0 + 10 * DAY, T0 + 10 * DAY + 1000]);
      expect(c.paused).toBe(false);
    } finally {
      await inbound.stop();
    }
  });

  it('within the drift of every other partition: the broker is not asked', async () => {
    const { kafka, inbound, handed } = await setUp();
    try {
      kafka.ends.set(0, 1);
      kafka.ends.set(1, 1);
      // Both partitions show their first records (the one fetched first waits for the other, not seen yet).
      const first = control();
      await kafka.onBatch?.(batch(1, [T0]), first);
      await kafka.onBatch?.(batch(0, [T0 + 1000]), control());
      expect(first.resumed).toBe(true);
      await kafka.onBatch?.(batch(1, [T0]), control());
      expect(handed).toEqual([T0 + 1000, T0]);
      // Then a minute later in event time, on partition 0 only: within the drift, nothing to ask.
      const asked = kafka.endOffsetQuestions;
      kafka.ends.set(0, 3);
      await new Promise((resolve) => setTimeout(resolve, 350));
      const c = control();
      await kafka.onBatch?.(batch(0, [T0 + 60_000, T0 + 61_000], 1), c);
      expect(kafka.endOffsetQuestions).toBe(asked);
      expect(c.paused).toBe(false);
      expect(handed).toEqual([T0 + 1000, T0, T0 + 60_000, T0 + 61_000]);
    } finally {
      await inbound.stop();
    }
  });

  it('new records the consumer never gets to hold the others for the idle period once, not at every question', async () => {
    const { kafka, inbound, handed } = await setUp(200);
    try {
      kafka.ends.set(0, 2);
      kafka.ends.set(1, 2);
      const first = control();
      await kafka.onBatch?.(batch(0, [T0 + 10 * DAY, T0 + 10 * DAY + 1000]), first);
      expect(first.paused).toBe(true);
      // Partition 1's batch never comes; its grace (10 × idle for a partition not seen yet) runs out.
      await new Promise((resolve) => setTimeout(resolve, 2500));
      expect(first.resumed).toBe(true);
      const again = control();
      await kafka.onBatch?.(batch(0, [T0 + 10 * DAY, T0 + 10 * DAY + 1000]), again);
      expect(again.paused).toBe(false);
      expect(handed).toEqual([T0 + 10 * DAY, T0 + 10 * DAY + 1000]);
    } finally {
      await inbound.stop();
    }
  });

  it('a partition already flowing asks without waiting for the answer, and is held by it from its next batch', async () => {
    const { kafka, inbound, handed } = await setUp();
    try {
      // Partition 0 starts a burst ten days ahead; partition 1 has nothing: it goes (after one question).
      kafka.ends.set(0, 2);
      await kafka.onBatch?.(batch(0, [T0 + 10 * DAY, T0 + 10 * DAY + 1000]), control());
      expect(handed).toEqual([T0 + 10 * DAY, T0 + 10 * DAY + 1000]);
      // Partition 1 then gets older records, and the broker is slow to say so.
      kafka.ends.set(0, 4);
      kafka.ends.set(1, 2);
      let answer!: () => void;
      kafka.answerGate = new Promise<void>((resolve) => (answer = resolve));
      await new Promise((resolve) => setTimeout(resolve, 350));
      const asked = kafka.endOffsetQuestions;
      // Partition 0 is flowing: its batch goes while the question is out.
      const flowing = control();
      await kafka.onBatch?.(batch(0, [T0 + 10 * DAY + 2000, T0 + 10 * DAY + 3000], 2), flowing);
      expect(kafka.endOffsetQuestions).toBe(asked + 1);
      expect(flowing.paused).toBe(false);
      expect(handed).toHaveLength(4);
      answer();
      await new Promise((resolve) => setTimeout(resolve, 20));
      // From the answer on, partition 1's new records go first.
      kafka.ends.set(0, 5);
      const next = control();
      await kafka.onBatch?.(batch(0, [T0 + 10 * DAY + 4000], 4), next);
      expect(next.paused).toBe(true);
      expect(handed).toHaveLength(4);
      await kafka.onBatch?.(batch(1, [T0, T0 + 1000]), control());
      expect(handed.slice(4)).toEqual([T0, T0 + 1000]);
      expect(next.resumed).toBe(true);
    } finally {
      kafka.answerGate = undefined;
      await inbound.stop();
    }
  });

  it("a burst's first batch waits for a question asked after it came, however recently the broker was asked", async () => {
    const { kafka, inbound, handed } = await setUp(3000, [0, 1, 2]);
    try {
      // Partition 0 starts a burst ten days ahead; nothing elsewhere: it goes after one question.
      kafka.ends.set(0, 2);
      await kafka.onBatch?.(batch(0, [T0 + 10 * DAY, T0 + 10 * DAY + 1000]), control());
      expect(handed).toHaveLength(2);
      const asked = kafka.endOffsetQuestions;
      // Within the interval between questions, partition 1 gets older records and partition 2 starts a burst.
      kafka.ends.set(1, 2);
      kafka.ends.set(2, 1);
      const burst = control();
      await kafka.onBatch?.(batch(2, [T0 + 10 * DAY + 5000]), burst);
      expect(kafka.endOffsetQuestions).toBe(asked + 1);
      expect(burst.paused).toBe(true);
      expect(handed).toHaveLength(2);
      await kafka.onBatch?.(batch(1, [T0, T0 + 1000]), control());
      expect(handed.slice(2)).toEqual([T0, T0 + 1000]);
      expect(burst.resumed).toBe(true);
    } finally {
      await inbound.stop();
    }
  });
});
