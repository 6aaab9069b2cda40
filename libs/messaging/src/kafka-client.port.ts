/**
 * The little of Kafka that AidWatch uses. Only kafka-client.ts knows which client library implements it,
 * so replacing that library means rewriting that one file.
 */

export interface InboundMessage {
  topic: string;
  partition: number;
  /** Kafka offsets are 64-bit integers, kept as decimal strings. */
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, string | undefined>;
  /** Milliseconds since the epoch, set by the producer or the broker. */
  timestamp: number;
  /**
   * Records after this one on its partition when it was fetched (the batch's high watermark minus its offset
   * minus one, never negative); undefined when not known.
   */
  pending?: number;
}

export interface OutboundRecord {
  topic: string;
  key: Buffer | string | null;
  value: Buffer | string | null;
  headers?: Record<string, string>;
}

export interface TopicSpec {
  topic: string;
  /** Broker default (`num.partitions`) unless set. */
  partitions?: number;
  /** Broker default (`default.replication.factor`) unless set. */
  replicationFactor?: number;
  config?: Record<string, string>;
}

export interface PartitionOffset {
  partition: number;
  /** For committed offsets: the next offset the group will read, or `-1` when nothing is committed. */
  offset: string;
}

export interface KafkaAdminPort {
  connect(): Promise<void>;
  listTopics(): Promise<string[]>;
  /** Creates the topics and waits for their leaders; a topic that already exists is left as it is. */
  createTopics(topics: TopicSpec[]): Promise<void>;
  committedOffsets(groupId: string, topic: string): Promise<PartitionOffset[]>;
  /** Per partition, the offset the next produced record will get (the high watermark). */
  endOffsets(topic: string): Promise<PartitionOffset[]>;
  disconnect(): Promise<void>;
}

export interface ProducerOptions {
  /**
   * Idempotent producers never write a record twice, but retry without limit while brokers are away.
   * Non-idempotent ones give up after a few retries and reject, leaving the retry policy to the caller.
   */
  idempotent: boolean;
}

export interface KafkaProducerPort {
  connect(): Promise<void>;
  /** Resolves once every record is acknowledged by all in-sync replicas (acks = all). */
  send(records: OutboundRecord[]): Promise<void>;
  disconnect(): Promise<void>;
}

export interface PartitionBatch {
  topic: string;
  partition: number;
  /** In offset order. */
  messages: InboundMessage[];
  /** The offset the next record produced to this partition will get (the end of the log when fetched). */
  highWatermark: string;
}

export interface BatchControl {
  /** Keeps the group membership alive during long work; cheap to call often. */
  heartbeat(): Promise<void>;
  /**
   * Marks every message up to and including `offset` as done. The group's committed offset follows at most
   * `commitIntervalMs` later (at once when that is 0), and when the consumer stops.
   */
  commit(offset: string): Promise<void>;
  /** Stops fetching this partition for `delayMs`; then it is read again from the first uncommitted message. */
  retryLater(delayMs: number): void;
  /**
   * Stops fetching this partition until the returned function is called; then it is read again from the
   * first message not marked done.
   */
  pause(): () => void;
  /** False once the consumer is stopping or this partition was revoked or repositioned. */
  isActive(): boolean;
}

export type BatchHandler = (batch: PartitionBatch, control: BatchControl) => Promise<void>;

export interface ConsumerOptions {
  groupId: string;
  topics: string[];
  /** Where a group without committed offsets starts: the oldest retained message, or only new ones. */
  fromBeginning: boolean;
  /** Longest a fetch waits for new data; also bounds how long stopping takes. */
  maxWaitMs?: number;
  /** A member silent for this long is dropped from the group and its partitions reassigned (30 s). */
  sessionTimeoutMs?: number;
  /** How often the member heartbeats (ms); defaults to a third of the session timeout, at most 3 s. */
  heartbeatIntervalMs?: number;
  /** How many partitions' batches are handled at the same time (order holds within each partition). */
  partitionsConsumedConcurrently?: number;
  /** Done offsets are committed to the group at most this often (0: after every `commit`). */
  commitIntervalMs?: number;
}

export interface TopicPartition {
  topic: string;
  partition: number;
}

export interface KafkaConsumerPort {
  /** Connects, joins the group and starts handing batches to `onBatch`; resolves once running. */
  start(onBatch: BatchHandler): Promise<void>;
  /** Finishes the batch in hand, leaves the group and disconnects. */
  stop(): Promise<void>;
  /** Called when the client gives up on the broker; `restarting` tells whether it will try again itself. */
  onCrash(listener: (error: Error, restarting: boolean) => void): void;
  /** Called each time the consumer has (re)joined its group, with the partitions it was given. */
  onJoin(listener: (assigned: TopicPartition[]) => void): void;
  /** Called when a fetch request starts and when one comes back from the broker (even empty). */
  onFetch(listener: (phase: 'start' | 'done') => void): void;
}

export interface KafkaClient {
  admin(): KafkaAdminPort;
  producer(options: ProducerOptions): KafkaProducerPort;
  consumer(options: ConsumerOptions): KafkaConsumerPort;
}
