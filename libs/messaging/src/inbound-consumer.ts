import { setImmediate as nextTurn } from 'node:timers/promises';
import { intakeTurns } from './event-loop-turns';
import { Topics, type CaughtUpMarker, type FieldError } from '@aidwatch/domain';
import { deadLetterRecord } from './dead-letter';
import { createKafkaClient, pendingAfter } from './kafka-client';
import type {
  BatchControl,
  InboundMessage,
  KafkaClient,
  KafkaConsumerPort,
  KafkaProducerPort,
  OutboundRecord,
  PartitionBatch,
  TopicPartition,
} from './kafka-client.port';
import type { KafkaClientOptions, KafkaConfig } from './kafka.config';
import { PartitionAlignment } from './partition-alignment';

export type MessageOutcome = { kind: 'ok' } | { kind: 'invalid'; reason: string; errors: FieldError[] };

/**
 * Stores the good messages durably before it resolves and returns one outcome per message, in order.
 * After a failure it is called again with the same messages, so storing must be idempotent.
 */
export type InboundHandler = (messages: InboundMessage[]) => Promise<MessageOutcome[]>;

export interface RetryScheduled {
  topic: string;
  partition: number;
  /** The first message that will be delivered again. */
  offset: string;
  attempt: number;
  delayMs: number;
  error: unknown;
}

/** Callbacks for metrics and logs; one that throws is ignored. */
export interface InboundHooks {
  ingested?(topic: string, count: number): void;
  rejected?(topic: string, count: number): void;
  /**
   * Offsets up to `offset` are stored and done; `pending`: records the partition held after it when the
   * batch was fetched (its high watermark then), undefined when the broker did not say.
   */
  committed?(topic: string, partition: number, offset: string, pending: number | undefined): void;
  /** The partitions this member consumes after a rebalance (all others are another member's). */
  assigned?(partitions: TopicPartition[]): void;
  retrying?(retry: RetryScheduled): void;
  crashed?(error: Error, restarting: boolean): void;
}

export interface KafkaInboundOptions {
  groupId: string;
  topics: string[];
  handler: InboundHandler;
  dlqTopic?: string;
  /** Where a new group starts; from the oldest retained message unless set to false. */
  fromBeginning?: boolean;
  /**
   * Largest slice of a fetched batch handed to the handler at once (500): it is decoded and validated in one
   * go, so this bounds how long one slice holds the thread (about 10 ms).
   */
  maxMessagesPerCall?: number;
  /** Partitions handled at the same time; their appends share a commit in the embedded store (4). */
  partitionsConsumedConcurrently?: number;
  /** Done offsets are committed to the group at most this often, and on stop (1,000 ms; 0: after each slice). */
  commitIntervalMs?: number;
  /**
   * The event time (ms since the epoch) of a message, for event-time alignment of the partitions; undefined
   * when unknown (such a message is never held back). Without it, partitions are not aligned.
   */
  eventTimeOf?: (message: InboundMessage) => number | undefined;
  /** Alignment bounds (see PartitionAlignment): drift 5 min of event time, idle after 3 s. */
  alignment?: { maxDriftMs: number; idleAfterMs: number };
  /** Back-off between attempts on a failing partition, doubling from `initial` up to `max`. */
  retryDelayMs?: { initial: number; max: number };
  /** How often to heartbeat while the handler or the dead-letter write is busy (3 s). */
  heartbeatEveryMs?: number;
  maxWaitMs?: number;
  /** Group session timeout and heartbeat interval (ms): how fast the group notices a member gone. */
  sessionTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  /** Health is degraded while a fetch has been outstanding this long: the broker is not answering (10 s). */
  unreachableAfterMs?: number;
  /**
   * Caught-up markers (docs/time-model.md 5, "The end of a delivery"): for each partition of this member
   * whose records up to the end offset the broker gives (asked every `checkEveryMs`, 1,000 ms) are all
   * stored, with none in hand, and that has had no new record for `quietMs`, `write` is called once, then
   * again after 2, 4, 8 … × `quietMs` (at most every `maxIntervalMs`) while it stays so. The partition's next
   * batch waits for a marker being written, so every record after the end offset is stored after it. A
   * failed write is tried again at the next check. Absent: no markers.
   */
  caughtUp?: {
    quietMs: number;
    maxIntervalMs: number;
    checkEveryMs?: number;
    write(marker: CaughtUpMarker): Promise<void>;
  };
  hooks?: InboundHooks;
}

export interface InboundHealth {
  ok: boolean;
  detail: {
    state: InboundState;
    retrying: string[];
    lastError?: string;
    /** Set while the broker does not answer: how long the oldest outstanding fetch has waited (ms). */
    brokerUnreachableForMs?: number;
  };
}

export type InboundState = 'created' | 'running' | 'restarting' | 'failed' | 'stopped';

/**
 * Reads the inbound topics at least once: an offset is committed only after the handler has stored its
 * messages and the rejected ones are safely in the dead-letter topic. When either fails, the partition
 * pauses and the same messages come again after a back-off, so nothing is skipped and nothing spins.
 */
export class KafkaInbound {
  private readonly consumer: KafkaConsumerPort;
  private readonly client: KafkaClient;
  private readonly deadLetters: KafkaProducerPort;
  private readonly dlqTopic: string;
  private readonly failures = new Map<string, number>();
  private stopping?: Promise<void>;
  private state: InboundState = 'created';
  private lastError?: string;
  private readonly alignment?: PartitionAlignment;
  /** Partitions paused by alignment, with the function that resumes each. */
  private readonly held = new Map<string, () => void>();
  private alignmentTimer?: NodeJS.Timeout;
  /** Partitions whose batch is being handled, and which of them wait in memory for the others to move on. */
  private readonly inHand = new Set<string>();
  private readonly waitingInMemory = new Set<string>();
  private progressWaiters: Array<() => void> = [];
  /** Wall time the outstanding fetch started (undefined when none is outstanding). */
  private fetchSince: number | undefined;
  /** This member's partitions (`topic/partition`), from the last rebalance. */
  private assignedKeys = new Set<string>();
  /** Per partition, the offset after the last record stored (and so done) by this member. */
  private readonly storedThrough = new Map<string, bigint>();
  /** Per caught-up partition: its end offset, the markers written for it and when the next one is due. */
  private readonly caughtUpAt = new Map<
    string,
    { end: bigint; since: number; nth: number; nextAt: number; interval: number }
  >();
  /** A marker being written, per partition: the partition's next batch waits for it. */
  private readonly markerWrites = new Map<string, Promise<void>>();
  private caughtUpTimer?: NodeJS.Timeout;
  private checkingCaughtUp = false;
  /** The broker's end offsets being asked for alignment, and when they were last asked (`lookForNewRecords`). */
  private lookingForRecords?: Promise<void>;
  /** When the question in flight (or the last one) was asked. */
  private lookingSince = 0;
  private lookedForRecordsAt = 0;
  /** Per partition, the newest end offset the broker gave (`askEndOffsets`): records past it may be unfetched. */
  private readonly knownEnd = new Map<string, bigint>();
  /** The admin connection that asks the broker for end offsets (alignment and caught-up markers). */
  private offsetsAdmin?: Promise<ReturnType<KafkaClient['admin']>>;
  /** Per partition, the end offset its new records were last marked at (`askEndOffsets`). */
  private readonly newRecordsEnd = new Map<string, bigint>();

  constructor(
    client: KafkaClient,
    private readonly options: KafkaInboundOptions,
  ) {
    this.dlqTopic = options.dlqTopic ?? Topics.deadLetters;
    this.client = client;
    this.consumer = client.consumer({
      groupId: options.groupId,
      topics: options.topics,
      fromBeginning: options.fromBeginning ?? true,
      maxWaitMs: options.maxWaitMs,
      sessionTimeoutMs: options.sessionTimeoutMs,
      heartbeatIntervalMs: options.heartbeatIntervalMs,
      partitionsConsumedConcurrently: options.partitionsConsumedConcurrently ?? 4,
      commitIntervalMs: options.commitIntervalMs ?? 1000,
    });
    if (options.eventTimeOf)
      this.alignment = new PartitionAlignment(
        options.alignment ?? { maxDriftMs: 300_000, idleAfterMs: 3000 },
      );
    this.deadLetters = client.producer({ idempotent: false });
    this.consumer.onCrash((error, restarting) => {
      this.state = restarting ? 'restarting' : 'failed';
      this.lastError = error.message;
      this.hook((h) => h.crashed?.(error, restarting));
    });
    this.consumer.onFetch((phase) => {
      if (phase === 'start') {
        this.fetchSince ??= Date.now();
        return;
      }
      this.fetchSince = undefined;
      // The broker answers again: an error from the outage is history, not the present state.
      if (this.state === 'running' && this.failures.size === 0) this.lastError = undefined;
    });
    this.consumer.onJoin((assigned) => {
      // Partitions may have moved to other members; back-off restarts with the new assignment.
      this.failures.clear();
      for (const resume of this.held.values()) resume();
      this.held.clear();
      this.alignment?.assign(assigned.map((p) => `${p.topic}/${p.partition}`));
      this.assignedKeys = new Set(assigned.map((p) => `${p.topic}/${p.partition}`));
      for (const key of [...this.storedThrough.keys()])
        if (!this.assignedKeys.has(key)) this.storedThrough.delete(key);
      for (const key of [...this.knownEnd.keys()]) if (!this.assignedKeys.has(key)) this.knownEnd.delete(key);
      for (const key of [...this.caughtUpAt.keys()])
        if (!this.assignedKeys.has(key)) this.caughtUpAt.delete(key);
      if (this.alignment || this.options.caughtUp) void this.learnAssignment(assigned);
      this.hook((h) => h.assigned?.(assigned));
      if (this.state === 'restarting') this.state = 'running';
    });
  }

  static fromConfig(
    config: KafkaConfig,
    options: Omit<KafkaInboundOptions, 'groupId'>,
    clientOptions?: KafkaClientOptions,
  ): KafkaInbound {
    return new KafkaInbound(createKafkaClient(config, clientOptions), {
      ...options,
      groupId: config.groupId,
    });
  }

  async start(): Promise<void> {
    await this.deadLetters.connect();
    await this.consumer.start((batch, control) => this.consume(batch, control));
    this.state = 'running';
    if (this.alignment) {
      // Partitions that fell idle release the ones they held back.
      const every = Math.max(100, (this.options.alignment?.idleAfterMs ?? 3000) / 2);
      this.alignmentTimer = setInterval(() => this.releaseAligned(), every);
      this.alignmentTimer.unref();
    }
    if (this.options.caughtUp) {
      this.caughtUpTimer = setInterval(
        () => void this.checkCaughtUp(),
        Math.max(50, this.options.caughtUp.checkEveryMs ?? 1000),
      );
      this.caughtUpTimer.unref();
    }
  }

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.state = 'stopped';
      clearInterval(this.alignmentTimer);
      clearInterval(this.caughtUpTimer);
      await Promise.allSettled(this.markerWrites.values());
      await this.lookingForRecords;
      await this.dropOffsetsAdmin();
      await this.consumer.stop();
      await this.deadLetters.disconnect();
    })();
    return this.stopping;
  }

  /**
   * Not ok while the consumer is down or the broker does not answer its fetches (`unreachableAfterMs`);
   * partitions waiting to retry are listed but do not count as down.
   */
  health(now = Date.now()): InboundHealth {
    const waited = this.fetchSince === undefined ? 0 : now - this.fetchSince;
    const unreachable = this.state === 'running' && waited >= (this.options.unreachableAfterMs ?? 10_000);
    return {
      ok: this.state === 'running' && !unreachable,
      detail: {
        ...(unreachable ? { brokerUnreachableForMs: waited } : {}),
        state: this.state,
        retrying: [...this.failures.keys()],
        ...(this.alignment ? { heldForAlignment: [...this.held.keys()] } : {}),
        // An error is shown while it is current; after recovery it is history.
        lastError: this.state === 'running' && !unreachable ? undefined : this.lastError,
      },
    };
  }

  private async consume(batch: PartitionBatch, control: BatchControl): Promise<void> {
    const key = `${batch.topic}/${batch.partition}`;
    this.inHand.add(key);
    try {
      // A caught-up marker being written goes first: the records after its end offset are stored after it.
      await this.markerWrites.get(key);
      await this.consumeInHand(key, batch, control);
    } finally {
      this.inHand.delete(key);
      this.progressed();
    }
  }

  private async consumeInHand(key: string, batch: PartitionBatch, control: BatchControl): Promise<void> {
    const size = this.options.maxMessagesPerCall ?? 500;
    // New records elsewhere that may be older than these: they go first (see `lookForNewRecords`).
    await this.lookForNewRecords(key, batch.messages);
    let i = 0;
    while (i < batch.messages.length && control.isActive()) {
      // Each slice starts on a turn of the event loop of its own: its messages are decoded and validated in one
      // go (for alignment, then for the append), and the slices of several partitions, handed over by one fetch
      // or resumed by one group commit, would otherwise run back to back (see `EventLoopTurns`).
      await intakeTurns.next();
      if (!control.isActive()) return;
      const { end, handedTime, waitingTime } = this.alignedSlice(key, batch.messages, i, size);
      if (end > i) {
        const chunk = batch.messages.slice(i, end);
        let settled: { ok: number; rejected: number };
        try {
          settled = await this.keepingAlive(control, () => this.settle(chunk));
        } catch (error) {
          this.retryLater(batch, chunk[0].offset, control, error);
          return;
        }
        const last = chunk[chunk.length - 1].offset;
        // A failed commit (e.g. the group is rebalancing) goes to the client, which rejoins; the messages
        // are then delivered again, which the idempotent store absorbs.
        await control.commit(last);
        this.storedThrough.set(key, BigInt(last) + 1n);
        this.failures.delete(key);
        this.hook((h) =>
          h.committed?.(batch.topic, batch.partition, last, pendingAfter(batch.highWatermark, last)),
        );
        if (settled.ok > 0) this.hook((h) => h.ingested?.(batch.topic, settled.ok));
        if (settled.rejected > 0) this.hook((h) => h.rejected?.(batch.topic, settled.rejected));
        // Caught up once at the end the batch was fetched with, and at the newest end the broker gave since: a
        // partition in hand whose new records were produced after its fetch still holds the others.
        const fetchedEnd = BigInt(batch.highWatermark);
        const known = this.knownEnd.get(key);
        const caughtUp =
          waitingTime === undefined &&
          BigInt(last) + 1n >= (known !== undefined && known > fetchedEnd ? known : fetchedEnd);
        this.alignment?.handed(key, handedTime, caughtUp);
        this.releaseAligned();
        this.progressed();
        i = end;
      }
      if (waitingTime !== undefined && this.alignment) {
        this.alignment.waiting(key, waitingTime);
        // Held back. While another partition's batch is in hand and moving, wait for it in memory (no refetch);
        // otherwise end the batch: the rest is not marked done, so it is fetched again, now or after resuming.
        if (await this.waitInMemory(key, control)) continue;
        // Held by a partition with data: it comes with the next fetch, and so does this one (not marked done).
        if (this.alignment.heldBySeen(key)) return;
        this.held.set(key, control.pause());
        return;
      }
    }
  }

  /**
   * The messages from `start` that may go now: at most `size`, stopping before the first whose event time is
   * past this partition's alignment horizon (its time is then `waitingTime`).
   */
  private alignedSlice(key: string, messages: InboundMessage[], start: number, size: number) {
    const limit = Math.min(messages.length, start + size);
    const eventTimeOf = this.options.eventTimeOf;
    if (!this.alignment || !eventTimeOf) return { end: limit, handedTime: undefined, waitingTime: undefined };
    const horizon = this.alignment.horizon(key);
    let handedTime: number | undefined;
    for (let j = start; j < limit; j++) {
      const time = eventTimeOf(messages[j]);
      if (time === undefined) continue;
      if (time > horizon) return { end: j, handedTime, waitingTime: time };
      handedTime = handedTime === undefined ? time : Math.max(handedTime, time);
    }
    return { end: limit, handedTime, waitingTime: undefined };
  }

  /**
   * With alignment, before a batch is handed over: when its first timed message is ahead of a partition that
   * counted as caught up, quiet or not seen yet (`PartitionAlignment.aheadOfQuiet`), asks the broker for the
   * end offsets of this member's topics and marks every other partition whose end is past what was stored
   * (`hasNewRecords`): it holds this batch back until its own records come. A burst produced into running
   * services — each topic by its own producer — so reaches detection in event-time order across partitions,
   * not in the order the batches happened to be fetched. One question at a time, at most every
   * `idleAfterMs / 10` (at least 100 ms); the batches meanwhile use its answer. Only the first batch of a burst
   * (its partition quiet, caught up to an idle period ago, or not seen yet) waits for the answer; a partition
   * already flowing asks without waiting and is held by the answer from its next slice on, so a steady
   * delivery does not stop for a round trip to the broker every interval. A broker that does not answer holds
   * nothing back.
   */
  private async lookForNewRecords(key: string, messages: readonly InboundMessage[]): Promise<void> {
    const alignment = this.alignment;
    const eventTimeOf = this.options.eventTimeOf;
    if (!alignment || !eventTimeOf) return;
    let first: number | undefined;
    for (let j = 0; j < messages.length && first === undefined; j++) first = eventTimeOf(messages[j]);
    if (first === undefined || !alignment.aheadOfQuiet(key, first)) return;
    const every = Math.max(100, (this.options.alignment?.idleAfterMs ?? 3000) / 10);
    if (alignment.flowing(key)) {
      if (!this.lookingForRecords && Date.now() - this.lookedForRecordsAt >= every) this.askInBackground();
      return;
    }
    // The first batch of a burst: an answer to a question asked before it came may predate records produced
    // just before it on other partitions, so it waits for a question asked since.
    const came = Date.now();
    while (this.lookingForRecords && this.lookingSince < came) await this.lookingForRecords;
    if (!this.lookingForRecords) this.askInBackground();
    await this.lookingForRecords;
  }

  private askInBackground(): void {
    this.lookingSince = Date.now();
    this.lookingForRecords = this.askEndOffsets().finally(() => {
      this.lookedForRecordsAt = Date.now();
      this.lookingForRecords = undefined;
    });
  }

  /**
   * The broker's end offset of every partition of this member's assigned topics, keyed `topic/partition`,
   * over one admin connection kept for the purpose; rejects (and drops the connection) when the broker
   * does not answer.
   */
  private async endOffsetsOfAssignedTopics(): Promise<Map<string, bigint>> {
    try {
      this.offsetsAdmin ??= (async () => {
        const admin = this.client.admin();
        await admin.connect();
        return admin;
      })();
      const admin = await this.offsetsAdmin;
      const ends = new Map<string, bigint>();
      const topics = [...new Set([...this.assignedKeys].map((key) => key.slice(0, key.lastIndexOf('/'))))];
      // The topics are asked side by side: one round trip, not one per topic.
      const answers = await Promise.all(topics.map((topic) => admin.endOffsets(topic)));
      topics.forEach((topic, i) => {
        for (const { partition, offset } of answers[i]) ends.set(`${topic}/${partition}`, BigInt(offset));
      });
      return ends;
    } catch (error) {
      await this.dropOffsetsAdmin();
      throw error;
    }
  }

  private async dropOffsetsAdmin(): Promise<void> {
    const admin = this.offsetsAdmin;
    this.offsetsAdmin = undefined;
    await admin?.then((a) => a.disconnect()).catch(() => undefined);
  }

  private async askEndOffsets(): Promise<void> {
    try {
      for (const [key, end] of await this.endOffsetsOfAssignedTopics()) {
        if (end > (this.knownEnd.get(key) ?? -1n)) this.knownEnd.set(key, end);
        // In hand, held back or retrying after a failure: its records are known; they hold nobody more.
        if (
          !this.assignedKeys.has(key) ||
          this.inHand.has(key) ||
          this.held.has(key) ||
          this.failures.has(key)
        )
          continue;
        const stored = this.storedThrough.get(key);
        // Marked once per new end: a partition the consumer does not get to holds the others for the
        // idle period at most, not again at every question.
        if (!(stored === undefined ? end > 0n : end > stored) || this.newRecordsEnd.get(key) === end)
          continue;
        this.newRecordsEnd.set(key, end);
        this.alignment?.hasNewRecords(key);
      }
    } catch {
      // No answer: nothing is held back for records nobody has seen.
    }
  }

  /**
   * What the group's committed offsets say of the partitions just assigned, read once for both users: where
   * each one's stored records end (for the caught-up markers), and — with alignment — which have nothing to
   * read, so they hold nobody back.
   */
  private async learnAssignment(assigned: TopicPartition[]): Promise<void> {
    const admin = this.client.admin();
    try {
      await admin.connect();
      for (const topic of new Set(assigned.map((p) => p.topic))) {
        const committed = new Map(
          (await admin.committedOffsets(this.options.groupId, topic)).map((o) => [
            o.partition,
            BigInt(o.offset),
          ]),
        );
        const ends = this.alignment
          ? new Map((await admin.endOffsets(topic)).map((o) => [o.partition, BigInt(o.offset)]))
          : undefined;
        for (const { partition } of assigned.filter((p) => p.topic === topic)) {
          const key = `${topic}/${partition}`;
          const next = committed.get(partition) ?? -1n;
          if (ends) {
            const end = ends.get(partition) ?? 0n;
            this.alignment?.backlog(key, next < 0n ? end > 0n : next < end);
          }
          if (this.assignedKeys.has(key) && next >= 0n && !((this.storedThrough.get(key) ?? -1n) > next))
            this.storedThrough.set(key, next);
        }
      }
    } catch {
      // Without the offsets, partitions not seen yet stop holding the others after the grace period, and a
      // partition's stored end is known once its next batch is stored (no marker meanwhile).
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
    this.releaseAligned();
  }

  /**
   * Writes the caught-up markers that are due (see `KafkaInboundOptions.caughtUp`): asks the broker for the
   * end offsets of this member's topics, and for each partition stored up to its end, not in hand, not
   * retrying and not held back, writes a marker once it has been so for the quiet period, then at doubling
   * intervals.
   */
  private async checkCaughtUp(): Promise<void> {
    const options = this.options.caughtUp;
    if (!options || this.checkingCaughtUp || this.state !== 'running' || this.assignedKeys.size === 0) return;
    this.checkingCaughtUp = true;
    try {
      const ends = await this.endOffsetsOfAssignedTopics();
      const now = Date.now();
      for (const key of this.assignedKeys) {
        const end = ends.get(key);
        const caughtUp = (): boolean =>
          end !== undefined &&
          end > 0n &&
          this.storedThrough.get(key) === end &&
          !this.inHand.has(key) &&
          !this.failures.has(key) &&
          !this.held.has(key) &&
          !this.markerWrites.has(key);
        if (!caughtUp()) {
          if (!this.markerWrites.has(key)) this.caughtUpAt.delete(key);
          continue;
        }
        let at = this.caughtUpAt.get(key);
        if (!at || at.end !== end) {
          at = {
            end: end as bigint,
            since: now,
            nth: 0,
            nextAt: now + options.quietMs,
            interval: options.quietMs,
          };
          this.caughtUpAt.set(key, at);
        }
        if (now < at.nextAt) continue;
        const slash = key.lastIndexOf('/');
        const topic = key.slice(0, slash);
        const partition = Number(key.slice(slash + 1));
        const entry = at;
        entry.nth++;
        entry.interval = Math.min(entry.interval * 2, Math.max(options.quietMs, options.maxIntervalMs));
        entry.nextAt = now + entry.interval;
        const write = options
          .write({
            topic,
            partition,
            endOffset: String(end),
            atMs: now,
            nth: entry.nth,
            quietMs: now - entry.since,
          })
          .catch(() => {
            // Tried again at the next check.
            entry.nth--;
            entry.nextAt = 0;
          })
          .finally(() => this.markerWrites.delete(key));
        this.markerWrites.set(key, write);
      }
    } catch {
      // The broker did not answer: no marker this time.
    } finally {
      this.checkingCaughtUp = false;
    }
  }

  /** Waits until `key` may go (true) or no other partition in hand can move it (false). */
  private async waitInMemory(key: string, control: BatchControl): Promise<boolean> {
    this.waitingInMemory.add(key);
    this.progressed();
    try {
      while (!this.alignment?.mayGo(key)) {
        // Let the partitions just woken leave their wait before deciding whether any is moving.
        await nextTurn();
        if (this.alignment?.mayGo(key)) break;
        const moving = [...this.inHand].some((other) => other !== key && !this.waitingInMemory.has(other));
        if (!moving || !control.isActive()) return false;
        await this.keepingAlive(
          control,
          () =>
            new Promise<void>((resolve) => {
              this.progressWaiters.push(resolve);
              setTimeout(resolve, 1000).unref();
            }),
        );
      }
      return true;
    } finally {
      this.waitingInMemory.delete(key);
    }
  }

  private progressed(): void {
    const waiters = this.progressWaiters;
    this.progressWaiters = [];
    for (const wake of waiters) wake();
  }

  /** Resumes the partitions that alignment no longer holds back. */
  private releaseAligned(): void {
    if (!this.alignment) return;
    for (const [key, resume] of this.held) {
      if (!this.alignment.mayGo(key)) continue;
      this.held.delete(key);
      resume();
    }
  }

  private async settle(chunk: InboundMessage[]): Promise<{ ok: number; rejected: number }> {
    const outcomes = await this.options.handler(chunk);
    if (outcomes.length !== chunk.length) {
      throw new Error(`The handler returned ${outcomes.length} outcomes for ${chunk.length} messages`);
    }
    const letters: OutboundRecord[] = [];
    chunk.forEach((message, i) => {
      const outcome = outcomes[i];
      if (outcome.kind === 'invalid') letters.push(deadLetterRecord(message, outcome, this.dlqTopic));
    });
    await this.deadLetters.send(letters);
    return { ok: chunk.length - letters.length, rejected: letters.length };
  }

  private async keepingAlive<T>(control: BatchControl, work: () => Promise<T>): Promise<T> {
    const every = this.options.heartbeatEveryMs ?? 3000;
    // A failed heartbeat means the group is rebalancing; the commit that follows reports it.
    const timer = setInterval(() => void control.heartbeat().catch(() => undefined), every);
    try {
      return await work();
    } finally {
      clearInterval(timer);
    }
  }

  private retryLater(batch: PartitionBatch, offset: string, control: BatchControl, error: unknown): void {
    const key = `${batch.topic}/${batch.partition}`;
    const attempt = (this.failures.get(key) ?? 0) + 1;
    this.failures.set(key, attempt);
    const { initial, max } = this.options.retryDelayMs ?? { initial: 500, max: 30_000 };
    const delayMs = Math.min(max, initial * 2 ** Math.min(attempt - 1, 20));
    this.lastError = error instanceof Error ? error.message : String(error);
    this.hook((h) =>
      h.retrying?.({ topic: batch.topic, partition: batch.partition, offset, attempt, delayMs, error }),
    );
    control.retryLater(delayMs);
  }

  private hook(call: (hooks: InboundHooks) => void): void {
    try {
      call(this.options.hooks ?? {});
    } catch {
      // Metrics must never stop ingestion.
    }
  }
}
