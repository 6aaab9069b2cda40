import {
  DetectionEngine,
  type DetectionConfig,
  type FlagChanges,
  type InputStatus,
  type RouteReplayRequest,
} from '@aidwatch/detection';
import {
  PARTITION_STREAM_PREFIX,
  type AidEvent,
  type FlagCleared,
  type FlagRaised,
  type PortDeclaredData,
} from '@aidwatch/domain';
import {
  FencedError,
  type AppendResult,
  type EventStore,
  type StoredEvent,
  type StreamWrite,
} from '@aidwatch/event-store';
import { flagClearedEvent, flagRaisedEvent, flagWrites } from './flag-events';
import { storedPositions } from './vessel-history';
import type { CheckpointParts, Projection, SnapshotChanges } from './projection';

/** Streams that hold inbound facts (not flags). */
export const inboundStreamPrefixes = [
  'consignment-',
  'exemption-',
  'vessel-',
  'port-',
  'designation-',
  'input-',
  // The ingestor's caught-up markers (time model 5, "The end of a delivery").
  PARTITION_STREAM_PREFIX,
];

/**
 * The detection projection's name: its checkpoint in the CheckpointStore is kept under it, and storage
 * retention archives nothing after that checkpoint's position (what detection has not judged).
 */
export const DETECTION_PROJECTION = 'detection-v2';

export interface DetectionListener {
  /**
   * Flag events newly written (a replay that repeats known flags reports nothing). `causes`: the ids of the
   * inbound events (their CloudEvents `id`) whose judgement wrote them.
   */
  onFlagEvents(events: ReadonlyArray<FlagRaised | FlagCleared>, causes?: readonly string[]): void;
  /** A write of flag events the store refused (it is tried again). */
  onWriteError?(error: unknown): void;
}

/** Consignments judged per `settle` call: a few milliseconds, then the next event or request has its turn. */
const SETTLE_SLICE = 256;

/**
 * Flag events waiting to be written past which `apply` waits for the writes (memory stays bounded when the
 * store is slower than detection).
 */
const MAX_UNWRITTEN_FLAG_EVENTS = 5000;

/**
 * Feeds every inbound event to the detection engine and appends the resulting flag events. Flag event
 * ids are derived from flag ids, so a replay after a crash (or a full rebuild) appends nothing twice.
 */
export class DetectionProjection implements Projection {
  readonly name = DETECTION_PROJECTION;
  readonly filter = { streamPrefixes: inboundStreamPrefixes };
  private engine: DetectionEngine;
  /** Flag writes not yet handed to the store, in the order detection made them, each with its cause. */
  private unwritten: Array<{ writes: StreamWrite[]; cause?: string }> = [];
  private unwrittenEvents = 0;
  /** The writes handed to the store and not yet answered (one call at a time, so their order is kept). */
  private writing: Promise<void> | undefined;
  /** Counts resets: writes queued before one are dropped. */
  private generation = 0;
  /** The store refused a write because another detector holds the lease (see `FencedError`). */
  private fenced: FencedError | undefined;

  constructor(
    private readonly store: EventStore,
    private readonly config: DetectionConfig,
    private readonly ports: readonly PortDeclaredData[],
    private readonly listener?: DetectionListener,
  ) {
    this.engine = new DetectionEngine(config, ports);
  }

  /** Returns a promise only when there is I/O to await (flags to append, stored positions to read). */
  apply(stored: StoredEvent): Promise<void> | undefined {
    const engine = this.engine;
    const changes = engine.handle(
      stored.data as AidEvent,
      laneOf(stored.metadata),
      pendingOf(stored.metadata),
    );
    const replays = engine.takeRouteReplays();
    if (replays.length > 0) return this.replayRoutes(stored, changes, replays);
    if (changes.raised.length === 0 && changes.cleared.length === 0) return undefined;
    return this.append(changes, stored);
  }

  /**
   * Paperwork older than its carrier's newest position: the corridor is judged again over the positions stored
   * up to this event (time model 9), before the next event is handled. Usually there is none.
   */
  private async replayRoutes(
    stored: StoredEvent,
    changes: FlagChanges,
    replays: readonly RouteReplayRequest[],
  ): Promise<void> {
    const engine = this.engine;
    for (const r of replays) {
      const fixes = await storedPositions(
        this.store,
        r.mmsi,
        r.readFromMs,
        r.toMs,
        r.maxFixes,
        stored.position,
      );
      const replayed = engine.replayRoute(r, fixes);
      changes.raised.push(...replayed.raised);
      changes.cleared.push(...replayed.cleared);
    }
    await this.append(changes, stored);
  }

  /** Consignments left for later by a large fan-out (see `DiversionDetector.settle`) wait. */
  unsettled(): boolean {
    return this.engine.unsettledCount() > 0;
  }

  /** How many consignments a large fan-out left for later (for `/health`). */
  unsettledCount(): number {
    return this.engine.unsettledCount();
  }

  /** Judges a slice of what a large fan-out left for later and appends the flags it changed. */
  async settle(): Promise<void> {
    await this.append(this.engine.settle(SETTLE_SLICE));
  }

  /**
   * Queues the flag events of one judgement for the store and returns without waiting for them (unless many
   * are waiting): detection goes on with the next event while the store writes, and the judgements made
   * meanwhile are written together in one call, in order (a clear and its successor raise in one
   * transaction). A write the store refuses is tried again, in order, after a delay doubling from 50 ms to
   * 5 s (`DetectionListener.onWriteError` hears of each failure). The runner flushes before a checkpoint
   * commits, so a checkpoint never passes flags that are not stored, and a restart from it judges them again
   * (their ids are derived, so nothing is written twice). `cause`: the stored inbound event (see `flagWrites`).
   */
  private append(changes: FlagChanges, cause?: StoredEvent): Promise<void> | undefined {
    if (this.fenced) throw this.fenced;
    if (changes.raised.length === 0 && changes.cleared.length === 0) return undefined;
    const events = [...changes.cleared.map(flagClearedEvent), ...changes.raised.map(flagRaisedEvent)];
    const id = (cause?.data as { id?: unknown } | undefined)?.id;
    this.unwritten.push({
      writes: flagWrites(events, cause?.streamId),
      ...(typeof id === 'string' && { cause: id }),
    });
    this.unwrittenEvents += events.length;
    this.writing ??= this.writeQueued(this.generation);
    if (this.unwrittenEvents <= MAX_UNWRITTEN_FLAG_EVENTS) return undefined;
    // Many waiting: detection waits for the store (at most the time of a checkpoint's wait, so a store that
    // refuses them for long does not hold the runner's stop).
    return this.flush(10_000).then(() => undefined);
  }

  private async writeQueued(generation: number): Promise<void> {
    try {
      while (this.unwritten.length > 0 && generation === this.generation) {
        const batch = this.unwritten;
        this.unwritten = [];
        this.unwrittenEvents = 0;
        const writes = batch.flatMap((b) => b.writes);
        let results: AppendResult[] | undefined;
        for (let delayMs = 50; results === undefined; delayMs = Math.min(delayMs * 2, 5000)) {
          try {
            results = await this.store.appendMany(writes);
          } catch (error) {
            // Another detector holds the lease: this one stops writing, and its next apply fails with it.
            if (error instanceof FencedError) {
              this.fenced = error;
              this.unwritten = [];
              this.unwrittenEvents = 0;
              return;
            }
            this.listener?.onWriteError?.(error);
            await new Promise((resolve) => setTimeout(resolve, delayMs));
            // Reset meanwhile (a restart from the checkpoint judges these events again): dropped.
            if (generation !== this.generation) return;
          }
        }
        const written = writes
          .filter((_, i) => results[i].appended > 0)
          .flatMap((w) => w.events.map((e) => e.data as FlagRaised | FlagCleared));
        const causes = batch.flatMap((b) => (b.cause === undefined ? [] : [b.cause]));
        if (written.length > 0) this.listener?.onFlagEvents(written, causes);
      }
    } finally {
      if (generation === this.generation) this.writing = undefined;
    }
  }

  /**
   * Resolves true once every flag event detection made so far is stored, or false if they are not within
   * `timeoutMs` (the store refuses them meanwhile).
   */
  async flush(timeoutMs = Infinity): Promise<boolean> {
    if (this.fenced) return false;
    const deadline = Date.now() + timeoutMs;
    while (this.writing) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      if (!Number.isFinite(left)) await this.writing;
      else {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          this.writing,
          new Promise<void>((resolve) => (timer = setTimeout(resolve, left))),
        ]);
        clearTimeout(timer);
      }
    }
    return this.fenced === undefined;
  }

  /** Flag writes queued or being written are dropped (a restart from the checkpoint judges them again). */
  private dropUnwritten(): void {
    this.generation++;
    this.fenced = undefined;
    this.unwritten = [];
    this.unwrittenEvents = 0;
    this.writing = undefined;
  }

  /** Watermark, events and late events of each detection input (for metrics). */
  inputs(): InputStatus[] {
    return this.engine.inputs();
  }

  /** Consignments with events but no registration yet, held by detection (for metrics). */
  unregisteredConsignments(): number {
    return this.engine.diversion.unregisteredConsignments();
  }

  /** Late AIS data by outcome (see `MaritimeCounters` and `EncounterRule.beyondHorizon`). */
  lateAis(): { lateMerged: number; lateDropped: number; lateInGap: number; beyondHorizon: number } {
    const { lateMerged, lateDropped, lateInGap } = this.engine.maritime.counters;
    return {
      lateMerged,
      lateDropped,
      lateInGap,
      beyondHorizon: this.engine.maritime.stats().encounterBeyondHorizon,
    };
  }

  /** Corridor replays for late paperwork: replays run, samples judged again, replays cut (time model 9). */
  routeReplays(): { replays: number; samples: number; truncated: number } {
    const c = this.engine.maritime.counters;
    return {
      replays: c.routeReplays,
      samples: c.routeReplaySamples,
      truncated: c.routeReplaysTruncated,
    };
  }

  snapshot(): unknown {
    return this.engine.snapshot();
  }

  /** The engine's head and the subjects changed since the last checkpoint: a checkpoint's cost follows them. */
  snapshotChanges(all: boolean): SnapshotChanges {
    if (all) {
      const { head, entries } = this.engine.snapshot();
      return { head, changes: Object.entries(entries) };
    }
    const keys = this.engine.takeChangedKeys();
    return { head: this.engine.head(), changes: keys.map((key) => [key, this.engine.entry(key)]) };
  }

  checkpointParts(all: boolean): CheckpointParts {
    if (all) this.engine.markAllChanged();
    const engine = this.engine;
    return { head: engine.head(), keys: engine.takeChangedKeys(), entry: (key) => engine.entry(key) };
  }

  restore(snapshot: unknown): void {
    this.engine = DetectionEngine.restore(snapshot, this.config, this.ports);
    this.dropUnwritten();
  }

  /** Back to the empty state; flag writes not yet made are dropped (a restart judges their events again). */
  reset(): void {
    this.engine = new DetectionEngine(this.config, this.ports);
    this.dropUnwritten();
  }
}

/**
 * The lane an event came by — `<topic>/<partition>` for Kafka, undefined for HTTP and events stored before
 * lanes were recorded — from its stored metadata (see `EventIntake`).
 */
export function laneOf(metadata: Record<string, unknown>): string | undefined {
  const { channel, partition } = metadata;
  if (typeof channel !== 'string' || typeof partition !== 'number') return undefined;
  // One string per lane, kept: detection looks the lane up in its maps at every event.
  let lanes = laneNames.get(channel);
  if (lanes === undefined && laneNames.size < MAX_LANE_NAMES) laneNames.set(channel, (lanes = new Map()));
  let lane = lanes?.get(partition);
  if (lane === undefined) {
    lane = `${channel}/${partition}`;
    if (lanes !== undefined && lanes.size < MAX_LANE_NAMES) lanes.set(partition, lane);
  }
  return lane;
}

/** The lanes named so far, by channel and partition (a deployment's topics and partitions: a few dozen). */
const MAX_LANE_NAMES = 1024;
const laneNames = new Map<string, Map<number, string>>();

/**
 * How many records were still pending on the event's Kafka partition when the ingestor fetched it (the
 * partition's high watermark minus its offset minus one), from its stored metadata (a negative count as 0);
 * undefined for HTTP, for events stored before it was recorded and for anything that is not an integer
 * (time model 5).
 */
export function pendingOf(metadata: Record<string, unknown>): number | undefined {
  const { pending } = metadata;
  if (typeof pending !== 'number' || !Number.isSafeInteger(pending)) return undefined;
  return pending > 0 ? pending : 0;
}
