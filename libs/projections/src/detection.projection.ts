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
import type { EventStore, StoredEvent } from '@aidwatch/event-store';
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
  /** Flag events newly written (a replay that repeats known flags reports nothing). */
  onFlagEvents(events: ReadonlyArray<FlagRaised | FlagCleared>): void;
}

/** Consignments judged per `settle` call: a few milliseconds, then the next event or request has its turn. */
const SETTLE_SLICE = 256;

/**
 * Feeds every inbound event to the detection engine and appends the resulting flag events. Flag event
 * ids are derived from flag ids, so a replay after a crash (or a full rebuild) appends nothing twice.
 */
export class DetectionProjection implements Projection {
  readonly name = DETECTION_PROJECTION;
  readonly filter = { streamPrefixes: inboundStreamPrefixes };
  private engine: DetectionEngine;

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
    return this.append(changes, stored.streamId);
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
    await this.append(changes, stored.streamId);
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

  /** `cause`: the stream of the inbound event being folded (see `flagWrites`). */
  private async append(changes: FlagChanges, cause?: string): Promise<void> {
    if (changes.raised.length === 0 && changes.cleared.length === 0) return;
    const events = [...changes.cleared.map(flagClearedEvent), ...changes.raised.map(flagRaisedEvent)];
    // One call: the embedded store writes a clear and its successor raise in one transaction.
    const writes = flagWrites(events, cause);
    const results = await this.store.appendMany(writes);
    const written = writes
      .filter((_, i) => results[i].appended > 0)
      .flatMap((w) => w.events.map((e) => e.data as FlagRaised | FlagCleared));
    if (written.length > 0) this.listener?.onFlagEvents(written);
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
  }

  reset(): void {
    this.engine = new DetectionEngine(this.config, this.ports);
  }
}

/**
 * The lane an event came by — `<topic>/<partition>` for Kafka, undefined for HTTP and events stored before
 * lanes were recorded — from its stored metadata (see `EventIntake`).
 */
export function laneOf(metadata: Record<string, unknown>): string | undefined {
  const { channel, partition } = metadata;
  return typeof channel === 'string' && typeof partition === 'number' ? `${channel}/${partition}` : undefined;
}

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
