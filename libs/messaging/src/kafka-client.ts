// The one file that knows the Kafka client library (kafkajs 2.2.4, no longer maintained). A replacement
// implements KafkaClient from kafka-client.port.ts here and nothing else changes.
import {
  Kafka,
  Partitioners,
  logLevel as KafkaJsLogLevel,
  type Admin,
  type Consumer,
  type EachBatchPayload,
  type IHeaders,
  type KafkaMessage,
  type LogEntry,
  type Producer,
  type SASLOptions,
} from 'kafkajs';
import type { ConnectionOptions } from 'node:tls';
import type {
  BatchHandler,
  ConsumerOptions,
  InboundMessage,
  KafkaAdminPort,
  KafkaClient,
  KafkaConsumerPort,
  KafkaProducerPort,
  OutboundRecord,
  PartitionBatch,
  PartitionOffset,
  ProducerOptions,
  TopicPartition,
  TopicSpec,
} from './kafka-client.port';
import type { KafkaClientOptions, KafkaConfig, KafkaLogLevel } from './kafka.config';

const levels: Record<KafkaLogLevel, KafkaJsLogLevel> = {
  nothing: KafkaJsLogLevel.NOTHING,
  error: KafkaJsLogLevel.ERROR,
  warn: KafkaJsLogLevel.WARN,
  info: KafkaJsLogLevel.INFO,
  debug: KafkaJsLogLevel.DEBUG,
};
const levelNames = new Map<KafkaJsLogLevel, Exclude<KafkaLogLevel, 'nothing'>>([
  [KafkaJsLogLevel.ERROR, 'error'],
  [KafkaJsLogLevel.WARN, 'warn'],
  [KafkaJsLogLevel.INFO, 'info'],
  [KafkaJsLogLevel.DEBUG, 'debug'],
]);

/**
 * What kafkajs reports while a consumer group changes members (an ingestor started, stopped or restarted):
 * a heartbeat or commit answered "rebalancing", or a member the coordinator no longer knows, which kafkajs
 * then re-joins by itself. kafkajs logs these at error level (`Response Heartbeat(…)`); they are normal
 * operation, not failures (Kafka protocol error codes REBALANCE_IN_PROGRESS 27, ILLEGAL_GENERATION 22,
 * UNKNOWN_MEMBER_ID 25).
 */
const GROUP_MEMBERSHIP_CHANGE: ReadonlyArray<{ pattern: RegExp; level: 'info' | 'warn' }> = [
  { pattern: /The group is rebalancing/, level: 'info' },
  { pattern: /Specified group generation id is not valid/, level: 'info' },
  { pattern: /The coordinator is not aware of this member/, level: 'warn' },
];

/**
 * Conditions the client recovers from by itself, which kafkajs also logs at error level: another ingestor
 * created a topic first (TOPIC_ALREADY_EXISTS 36), a new topic's partitions have no leader yet
 * (LEADER_NOT_AVAILABLE 5) or metadata is stale (UNKNOWN_TOPIC_OR_PARTITION 3, NOT_LEADER_FOR_PARTITION 6),
 * and a broker that cannot be reached (connection refused or timed out), which is retried with back-off and
 * shown as degraded by /health meanwhile. A consumer that stops for good is logged by AidWatch at error.
 */
const RECOVERABLE: ReadonlyArray<{ pattern: RegExp; level: 'info' | 'warn' }> = [
  { pattern: /Topic with this name already exists/, level: 'info' },
  { pattern: /There is no leader for this topic-partition/, level: 'info' },
  { pattern: /This server does not host this topic-partition/, level: 'warn' },
  { pattern: /This server is not the leader for that topic-partition/, level: 'warn' },
  { pattern: /Connection error|Connection timeout|ECONNREFUSED|ECONNRESET|Closed connection/, level: 'warn' },
];

/**
 * The level AidWatch logs a kafkajs log entry at: kafkajs's own, except that consumer-group rebalancing
 * (see GROUP_MEMBERSHIP_CHANGE) is `info` (or `warn` for a member that must re-join), and conditions the
 * client recovers from (RECOVERABLE) are `info` or `warn`, never `error`.
 */
export function kafkaLogLevelOf(
  level: KafkaJsLogLevel,
  message: string,
  fields: { error?: unknown } = {},
): Exclude<KafkaLogLevel, 'nothing'> {
  const named = levelNames.get(level) ?? 'info';
  if (named !== 'error' && named !== 'warn') return named;
  const text = `${message} ${typeof fields.error === 'string' ? fields.error : ''}`;
  const change =
    GROUP_MEMBERSHIP_CHANGE.find((c) => c.pattern.test(text)) ??
    (named === 'error' ? RECOVERABLE.find((c) => c.pattern.test(text)) : undefined);
  return change ? change.level : named;
}

export function createKafkaClient(
  config: Omit<KafkaConfig, 'groupId'>,
  options: KafkaClientOptions = {},
): KafkaClient {
  const logger = options.logger;
  const kafka = new Kafka({
    clientId: config.clientId,
    brokers: config.brokers,
    ssl: config.ssl === undefined || typeof config.ssl === 'boolean' ? config.ssl : tlsOptions(config.ssl),
    sasl: config.sasl as SASLOptions | undefined,
    logLevel: levels[options.logLevel ?? 'warn'],
    logCreator: logger
      ? () =>
          ({ namespace, level, log }: LogEntry) => {
            const { message, timestamp: _timestamp, ...fields } = log;
            logger[kafkaLogLevelOf(level, message, fields)]({ kafka: namespace, ...fields }, message);
          }
      : undefined,
  });
  return {
    admin: () => new KafkaJsAdmin(kafka.admin()),
    producer: (producerOptions) => new KafkaJsProducer(kafka, producerOptions),
    consumer: (consumerOptions) => new KafkaJsConsumer(kafka, consumerOptions),
  };
}

function tlsOptions(tls: Exclude<KafkaConfig['ssl'], boolean | undefined>): ConnectionOptions {
  return { ca: tls.ca, cert: tls.cert, key: tls.key, rejectUnauthorized: tls.rejectUnauthorized };
}

class KafkaJsAdmin implements KafkaAdminPort {
  constructor(private readonly admin: Admin) {}

  connect = () => this.admin.connect();
  disconnect = () => this.admin.disconnect();
  listTopics = () => this.admin.listTopics();

  async createTopics(topics: TopicSpec[]): Promise<void> {
    if (topics.length === 0) return;
    await this.admin.createTopics({
      waitForLeaders: true,
      topics: topics.map((t) => ({
        topic: t.topic,
        numPartitions: t.partitions,
        replicationFactor: t.replicationFactor,
        configEntries: Object.entries(t.config ?? {}).map(([name, value]) => ({ name, value })),
      })),
    });
  }

  async committedOffsets(groupId: string, topic: string): Promise<PartitionOffset[]> {
    const [found] = await this.admin.fetchOffsets({ groupId, topics: [topic] });
    return (found?.partitions ?? [])
      .map(({ partition, offset }) => ({ partition, offset }))
      .sort((a, b) => a.partition - b.partition);
  }

  async endOffsets(topic: string): Promise<PartitionOffset[]> {
    const offsets = await this.admin.fetchTopicOffsets(topic);
    return offsets
      .map(({ partition, high }) => ({ partition, offset: high }))
      .sort((a, b) => a.partition - b.partition);
  }
}

class KafkaJsProducer implements KafkaProducerPort {
  private readonly producer: Producer;

  constructor(kafka: Kafka, options: ProducerOptions) {
    this.producer = kafka.producer({
      idempotent: options.idempotent,
      // Ordering within a partition survives retries only with a single request in flight.
      maxInFlightRequests: options.idempotent ? 1 : undefined,
      // Java-compatible murmur2 partitioning, so other clients place the same key on the same partition.
      createPartitioner: Partitioners.DefaultPartitioner,
    });
  }

  connect = () => this.producer.connect();
  disconnect = () => this.producer.disconnect();

  async send(records: OutboundRecord[]): Promise<void> {
    if (records.length === 0) return;
    const byTopic = new Map<string, OutboundRecord[]>();
    for (const r of records) byTopic.set(r.topic, [...(byTopic.get(r.topic) ?? []), r]);
    await this.producer.sendBatch({
      acks: -1,
      topicMessages: [...byTopic].map(([topic, list]) => ({
        topic,
        messages: list.map((r) => ({ key: r.key, value: r.value, headers: r.headers })),
      })),
    });
  }
}

/** Back-off of a consumer started again after a crash kafkajs does not restart (ms). */
const RESTART_INITIAL_MS = 1000;
const RESTART_MAX_MS = 30_000;

class KafkaJsConsumer implements KafkaConsumerPort {
  private readonly consumer: Consumer;
  private readonly resumeTimers = new Set<NodeJS.Timeout>();
  /** Done offsets (the next offset to read) not yet committed, per topic/partition. */
  private readonly uncommitted = new Map<string, TopicPartition & { offset: string }>();
  private lastCommitAt = 0;
  private commitTimer: NodeJS.Timeout | undefined;
  private committing: Promise<void> | undefined;
  private stopping = false;
  /** The batch handler `start` was given, for starting again after a crash kafkajs does not restart. */
  private onBatch: BatchHandler | undefined;
  private restartTimer: NodeJS.Timeout | undefined;
  private restartDelayMs = RESTART_INITIAL_MS;

  constructor(
    kafka: Kafka,
    private readonly options: ConsumerOptions,
  ) {
    const session = options.sessionTimeoutMs;
    this.consumer = kafka.consumer({
      groupId: options.groupId,
      maxWaitTimeInMs: options.maxWaitMs,
      // kafkajs decodes a whole fetch response at once (CRCs, record batches): 10 MiB by default, over 100 ms
      // of one thread on a backlog. 2 MiB a fetch, 512 KiB a partition keep that to a few tens of ms.
      maxBytes: 2 * 1024 * 1024,
      maxBytesPerPartition: 512 * 1024,
      sessionTimeout: session,
      heartbeatInterval:
        options.heartbeatIntervalMs ??
        (session === undefined ? undefined : Math.min(3000, Math.floor(session / 3))),
    });
    // kafkajs restarts a crashed consumer only after errors it calls retriable; others — "Failed to find group
    // coordinator" while a restarted broker loads its group metadata, for one — leave it stopped for good, and
    // the service would consume nothing until restarted. Such a crash starts it again here, with back-off
    // (1 s doubling to 30 s); offsets resume from the group's committed ones, so nothing is skipped.
    this.consumer.on(this.consumer.events.CRASH, ({ payload }) => {
      if (!payload.restart) this.restartLater();
    });
    this.consumer.on(this.consumer.events.GROUP_JOIN, () => (this.restartDelayMs = RESTART_INITIAL_MS));
  }

  private restartLater(): void {
    if (this.stopping || this.restartTimer || !this.onBatch) return;
    const delay = this.restartDelayMs;
    this.restartDelayMs = Math.min(RESTART_MAX_MS, delay * 2);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      if (this.stopping || !this.onBatch) return;
      clearInterval(this.commitTimer);
      this.start(this.onBatch).catch(() => this.restartLater());
    }, delay);
  }

  async start(onBatch: BatchHandler): Promise<void> {
    this.onBatch = onBatch;
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: this.options.topics, fromBeginning: this.options.fromBeginning });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 1,
      eachBatch: (payload) => onBatch(toPartitionBatch(payload), this.control(payload)),
    });
    const every = this.options.commitIntervalMs ?? 0;
    if (every > 0) {
      // Offsets done during a quiet spell still reach the group.
      this.commitTimer = setInterval(() => void this.commitDone().catch(() => undefined), every);
      this.commitTimer.unref();
    }
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    clearInterval(this.commitTimer);
    for (const timer of this.resumeTimers) clearTimeout(timer);
    this.resumeTimers.clear();
    // Done offsets go to the group before it is left; a batch still in hand commits its own when it ends.
    await this.commitDone().catch(() => undefined);
    await this.consumer.disconnect();
  }

  onCrash(listener: (error: Error, restarting: boolean) => void): void {
    // Restarting either way unless stopping: by kafkajs, or else by `restartLater`.
    this.consumer.on(this.consumer.events.CRASH, ({ payload }) =>
      listener(payload.error, payload.restart || !this.stopping),
    );
  }

  onFetch(listener: (phase: 'start' | 'done') => void): void {
    this.consumer.on(this.consumer.events.FETCH_START, () => listener('start'));
    this.consumer.on(this.consumer.events.FETCH, () => listener('done'));
  }

  onJoin(listener: (assigned: TopicPartition[]) => void): void {
    this.consumer.on(this.consumer.events.GROUP_JOIN, ({ payload }) => {
      // Offsets done for partitions this member may no longer own are delivered again (idempotent store).
      this.uncommitted.clear();
      listener(
        Object.entries(payload.memberAssignment).flatMap(([topic, partitions]) =>
          partitions.map((partition) => ({ topic, partition })),
        ),
      );
    });
  }

  /** Commits every done offset not committed yet (one request for all partitions). */
  private async commitDone(): Promise<void> {
    while (this.committing) await this.committing;
    if (this.uncommitted.size === 0) return;
    const offsets = [...this.uncommitted.values()];
    this.lastCommitAt = Date.now();
    this.committing = this.consumer.commitOffsets(offsets).finally(() => (this.committing = undefined));
    await this.committing;
    for (const o of offsets) {
      const key = `${o.topic}/${o.partition}`;
      if (this.uncommitted.get(key) === o) this.uncommitted.delete(key);
    }
  }

  private control(payload: EachBatchPayload) {
    const { topic, partition } = payload.batch;
    return {
      heartbeat: () => payload.heartbeat(),
      isActive: () => payload.isRunning() && !payload.isStale(),
      commit: async (offset: string) => {
        payload.resolveOffset(offset);
        const next = (BigInt(offset) + 1n).toString();
        this.uncommitted.set(`${topic}/${partition}`, { topic, partition, offset: next });
        const every = this.options.commitIntervalMs ?? 0;
        if (every === 0 || this.stopping || !payload.isRunning() || Date.now() - this.lastCommitAt >= every)
          await this.commitDone();
      },
      pause: () => payload.pause(),
      retryLater: (delayMs: number) => {
        // Nothing was resolved, so after resuming the fetch starts again at the first unfinished message.
        const resume = payload.pause();
        const timer = setTimeout(() => {
          this.resumeTimers.delete(timer);
          resume();
        }, delayMs);
        timer.unref();
        this.resumeTimers.add(timer);
      },
    };
  }
}

function toPartitionBatch({ batch }: EachBatchPayload): PartitionBatch {
  const { topic, partition, highWatermark } = batch;
  const messages = new Array<InboundMessage>(batch.messages.length);
  for (let i = 0; i < messages.length; i++) {
    const m = batch.messages[i];
    messages[i] = toInbound(topic, partition, m, pendingAfter(highWatermark, m.offset));
  }
  return { topic, partition, messages, highWatermark };
}

/** A decimal offset small enough (below 10^15 < 2^53) to be counted as a number, without BigInt. */
const SMALL_OFFSET = /^\d{1,15}$/;

/**
 * How many records follow `offset` on its partition whose end (high watermark: the offset the next record
 * will get) was `highWatermark` when it was fetched: `highWatermark − offset − 1`, never negative; undefined
 * when either is not an integer. Offsets are 64-bit decimal strings; a count beyond 2^53 saturates.
 */
export function pendingAfter(highWatermark: string, offset: string): number | undefined {
  // Every offset in practice: counted as numbers (this runs for every record).
  if (SMALL_OFFSET.test(highWatermark) && SMALL_OFFSET.test(offset))
    return Math.max(0, Number(highWatermark) - Number(offset) - 1);
  let end: bigint;
  let at: bigint;
  try {
    end = BigInt(highWatermark);
    at = BigInt(offset);
  } catch {
    return undefined;
  }
  const pending = end - at - 1n;
  if (pending <= 0n) return 0;
  return pending > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(pending);
}

function toInbound(
  topic: string,
  partition: number,
  m: KafkaMessage,
  pending: number | undefined,
): InboundMessage {
  // Built field by field (object spread is a slow path in V8; this runs for every record).
  const inbound: InboundMessage = {
    topic,
    partition,
    offset: m.offset,
    key: m.key,
    value: m.value,
    headers: m.headers ? textHeaders(m.headers) : {},
    timestamp: Number(m.timestamp),
  };
  if (pending !== undefined) inbound.pending = pending;
  return inbound;
}

// A header repeated under one name keeps its last value, as Java's Headers.lastHeader does.
function textHeaders(headers: IHeaders): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [name, raw] of Object.entries(headers)) {
    const value = Array.isArray(raw) ? raw[raw.length - 1] : raw;
    out[name] = value === undefined ? undefined : value.toString();
  }
  return out;
}
