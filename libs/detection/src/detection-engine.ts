import {
  laneOfCaughtUp,
  PARTITION_CAUGHT_UP_TYPE,
  type PartitionCaughtUp,
  INPUT_QUIET_TYPE,
  type InputQuiet,
  CarriageEventKinds,
  CatalogueEntries,
  consignmentIdOfEvent,
  EventTypes,
  Topics,
  type AidEvent,
  type PortDeclaredData,
} from '@aidwatch/domain';
import { DiversionDetector } from './diversion/diversion-detector';
import {
  MaritimeDetector,
  type PastFix,
  type RouteReplayRequest,
  type VesselHistory,
} from './maritime/maritime-detector';
import { defaultDetectionConfig, type DetectionConfig } from './detection-config';
import type { InputClock } from './input-clocks';
import { mergeChanges, noChanges, type FlagChanges } from './open-flags';
import type { DiversionHead, DiversionSnapshot } from './diversion/diversion-detector';
import type { MaritimeHead, MaritimeSnapshot } from './maritime/maritime-snapshot';

// Routing comes from the event catalogue: the first consumer of a type owns it, the others learn from it;
// the AIS clock runs on what arrives on the AIS topic.
const maritimeTypes = new Set(
  CatalogueEntries.filter((e) => e.consumers[0] === 'maritime').map((e) => e.type),
);
const aisTypes = new Set(CatalogueEntries.filter((e) => e.topic === Topics.positions).map((e) => e.type));
const sharedTypes = new Set(CatalogueEntries.filter((e) => e.consumers.length > 1).map((e) => e.type));

/** Event time of an inbound event: the time the fact happened (`data.at`) where it has one. */
export function eventTimeOf(event: AidEvent): number {
  const at = (event.data as { at?: unknown }).at;
  const parsed = typeof at === 'string' ? Date.parse(at) : NaN;
  return Number.isNaN(parsed) ? Date.parse(event.time) : parsed;
}

/** One input's clock as metrics show it. */
export interface InputStatus {
  /** `maritime` for AIS inputs, `diversion` for consignment and reference inputs. */
  detector: 'maritime' | 'diversion';
  input: string;
  /** Newest event time delivered (ms), null before any. */
  watermark: number | null;
  events: number;
  /** Events that came older than the input's watermark minus the allowed lateness. */
  late: number;
}

/** What the engine keeps beside its subjects: clocks and the detectors' heads. Small, written whole. */
export interface EngineHead {
  format: 'aidwatch.detection.v2';
  diversion: DiversionHead;
  maritime: MaritimeHead;
}

/**
 * The engine's state as plain JSON: a head and one entry per subject, keyed `maritime/<key>` or
 * `diversion/<key>` (`maritime/vessel:<mmsi>`, `diversion/consignment:<id>`, …). A checkpoint can be written
 * whole (`snapshot()`) or incrementally: the head plus, for each key of `takeChangedKeys()`, `entry(key)`
 * (undefined: delete the entry). Restoring takes the head and all entries, however they were assembled.
 */
export interface EngineSnapshot {
  head: EngineHead;
  entries: Record<string, unknown>;
}

const MARITIME = 'maritime/';
const DIVERSION = 'diversion/';

/**
 * All detectors behind one door: routes each event to the detector that owns it and links vessel flags to
 * the consignments on board — when a flag is raised, and again whenever a consignment's registration, load,
 * departure or discharge changes what its vessels carried (paperwork reported after the flags at sea). Time is kept per input (CloudEvents `source`) and judged per subject: each
 * detector keeps the watermarks of its inputs, and a vessel or consignment is judged by the clock of the
 * inputs that report it (see `InputClocks` and docs/time-model.md). Pure and deterministic: a replay of the
 * same log yields the same changes.
 */
export class DetectionEngine {
  readonly diversion: DiversionDetector;
  readonly maritime: MaritimeDetector;

  constructor(
    config: DetectionConfig = defaultDetectionConfig(),
    ports: readonly PortDeclaredData[] = [],
    snapshot?: unknown,
  ) {
    const saved = snapshot as EngineSnapshot | undefined;
    if (saved && saved.head?.format !== 'aidwatch.detection.v2')
      throw new Error('unsupported detection snapshot');
    const split = saved ? splitEntries(saved.entries) : undefined;
    this.diversion = saved
      ? DiversionDetector.restore(
          { head: saved.head.diversion, entries: split?.diversion ?? {} } satisfies DiversionSnapshot,
          config.diversion,
          ports,
        )
      : new DiversionDetector(config.diversion, ports);
    const linker = {
      consignmentsOnBoard: (mmsi: string, at: number) => this.diversion.consignmentsOnBoard(mmsi, at),
      standingOn: (consignmentId: string, mmsi: string) => this.diversion.standingOn(consignmentId, mmsi),
    };
    this.maritime = saved
      ? MaritimeDetector.restore(
          { head: saved.head.maritime, entries: split?.maritime ?? {} } satisfies MaritimeSnapshot,
          config.maritime,
          ports,
          linker,
        )
      : new MaritimeDetector(config.maritime, ports, linker);
  }

  /**
   * Folds one event. `lane` is how it arrived (`<topic>/<partition>` on Kafka): each source's events on one
   * lane form one input, whose watermark moves with that lane alone — for AIS as for consignments, so a
   * vessel is judged by the lanes that carry its reports, never by another partition of its receiver that
   * runs ahead; idleness is decided per source (time model 2, 5). `pending`: the records still pending on that
   * partition when the event was fetched (undefined for HTTP and older events): an input whose lane's newest
   * event had some is never idle (time model 5), whichever detector folds that event.
   */
  handle(event: AidEvent, lane?: string, pending?: number): FlagChanges {
    const changes = this.route(event, lane, pending);
    // The lane's newest event is this one for both detectors, whichever folds it (InputClocks.noteLane); a
    // caught-up marker is not an event of the lane but news about it, already folded by both (`caughtUp`).
    if (lane !== undefined && (event.type as string) !== PARTITION_CAUGHT_UP_TYPE) {
      const maritime = this.maritime.noteLane(lane, pending);
      if (maritime) mergeChanges(changes, maritime);
      const diversion = this.diversion.noteLane(lane, pending);
      if (diversion) mergeChanges(changes, diversion);
    }
    return changes;
  }

  private route(event: AidEvent, lane?: string, pending?: number): FlagChanges {
    // The end of what a partition delivered so far, for the inputs of both detectors on it (time model 5).
    if ((event.type as string) === PARTITION_CAUGHT_UP_TYPE) {
      const { data } = event as unknown as PartitionCaughtUp;
      const marked = laneOfCaughtUp(data);
      const quietMs = Number.isFinite(data.quietMs) ? data.quietMs : 0;
      const changes = this.maritime.caughtUp(marked, quietMs);
      mergeChanges(changes, this.diversion.caughtUp(marked, quietMs));
      return changes;
    }
    // An HTTP, UDP or TCP source fell quiet: the end of its runs of replayed reports (time model 7).
    if ((event.type as string) === INPUT_QUIET_TYPE) {
      const { data } = event as unknown as InputQuiet;
      return typeof data?.source === 'string' ? this.maritime.inputQuiet(data.source) : noChanges();
    }
    // A close applies to the source's inputs in both detectors (AIS receivers, consignment feeds).
    if (event.type === EventTypes.InputClosed || event.type === EventTypes.InputBounded) {
      const changes = this.maritime.handle(event, lane);
      mergeChanges(changes, this.diversion.handle(event, lane));
      return changes;
    }
    if (aisTypes.has(event.type)) return this.maritime.handle(event, lane, pending);
    // Consignment events that move aid onto or off a vessel (catalogue rows' `carriage`), and their subject.
    const kind = CarriageEventKinds.get(event.type);
    const carried = kind === undefined ? undefined : consignmentIdOfEvent(event);
    // A new registration may name another vessel: the one named before loses the consignment.
    const carriersBefore = carried === undefined ? [] : this.diversion.carriersOf(carried);
    const sinceBefore = carriersBefore.map((mmsi) => this.diversion.onBoardSince(carried as string, mmsi));
    const changes = maritimeTypes.has(event.type)
      ? this.maritime.handle(event)
      : this.diversion.handle(event, lane, pending);
    // Both need some events: the maritime side learns carriers' routes from registrations, the diversion
    // side port names (for explanations) from port declarations.
    if (sharedTypes.has(event.type)) {
      const other = maritimeTypes.has(event.type)
        ? this.diversion.handle(event, lane, pending)
        : this.maritime.handle(event);
      mergeChanges(changes, other);
    }
    if (kind !== undefined && carried !== undefined) {
      const carriers = [...new Set([...carriersBefore, ...this.diversion.carriersOf(carried)])].sort();
      mergeChanges(changes, this.maritime.relink(carriers));
      // Paperwork older than a carrier's newest position: its corridor is judged again (time model 9).
      this.maritime.discardRouteReplays();
      const at = eventTimeOf(event);
      for (const mmsi of carriers)
        mergeChanges(
          changes,
          this.maritime.requestRouteReplay(
            mmsi,
            carried,
            kind,
            at,
            this.diversion.onBoardSince(carried, mmsi),
            carriersBefore.includes(mmsi)
              ? sinceBefore[carriersBefore.indexOf(mmsi)]
              : Number.POSITIVE_INFINITY,
          ),
        );
    }
    return changes;
  }

  /**
   * Judges up to `limit` consignments left for later by a large fan-out (`DiversionDetector.settle`): called
   * between events until `unsettledCount()` is 0.
   */
  settle(limit?: number): FlagChanges {
    return this.diversion.settle(limit);
  }

  unsettledCount(): number {
    return this.diversion.unsettledCount();
  }

  /**
   * The corridor replays the event handled last asks for (usually none): for each, the caller reads the
   * carrier's stored positions (`RouteReplayRequest`: `readFromMs`..`toMs`, at most `maxFixes`, only
   * events folded before the one handled) and passes them to `replayRoute` before handling the next event.
   */
  takeRouteReplays(): RouteReplayRequest[] {
    return this.maritime.takeRouteReplays();
  }

  /** Judges a carrier's corridor again over its stored positions (see `MaritimeDetector.replayRoute`). */
  replayRoute(request: RouteReplayRequest, fixes: Iterable<PastFix>): FlagChanges {
    return this.maritime.replayRoute(request, fixes);
  }

  /** Every pending corridor replay, with positions from a synchronous `history` (an in-memory log, a test). */
  replayRoutes(history: VesselHistory): FlagChanges {
    const changes: FlagChanges = { raised: [], cleared: [] };
    for (const r of this.takeRouteReplays())
      mergeChanges(changes, this.replayRoute(r, history.positions(r.mmsi, r.readFromMs, r.toMs, r.maxFixes)));
    return changes;
  }

  /** Moves every input's watermark to `watermark` (end of a bounded input: a test, a finished import). */
  advanceWatermark(watermark: number): FlagChanges {
    const changes = this.diversion.advanceWatermark(watermark);
    mergeChanges(changes, this.maritime.advanceWatermark(watermark));
    return changes;
  }

  /** Every input's clock, AIS inputs first. */
  inputs(): InputStatus[] {
    const status = (detector: InputStatus['detector']) => (i: InputClock) => ({
      detector,
      input: i.id,
      watermark: Number.isFinite(i.watermark) ? i.watermark : null,
      events: i.events,
      late: i.late,
    });
    return [
      ...this.maritime.clocks.all().map(status('maritime')),
      ...this.diversion.clocks.all().map(status('diversion')),
    ];
  }

  head(): EngineHead {
    return {
      format: 'aidwatch.detection.v2',
      diversion: this.diversion.head(),
      maritime: this.maritime.head(),
    };
  }

  /** The whole state; the changed keys start afresh. */
  snapshot(): EngineSnapshot {
    const entries: Record<string, unknown> = {};
    const diversion = this.diversion.snapshot();
    const maritime = this.maritime.snapshot();
    for (const [key, value] of Object.entries(diversion.entries)) entries[DIVERSION + key] = value;
    for (const [key, value] of Object.entries(maritime.entries)) entries[MARITIME + key] = value;
    return { head: this.head(), entries };
  }

  /** Counts every subject as changed, so the next `takeChangedKeys` lists them all. */
  markAllChanged(): void {
    this.diversion.markAllChanged();
    this.maritime.markAllChanged();
  }

  /** Keys of the subjects whose state changed since the last call or the last full snapshot, sorted. */
  takeChangedKeys(): string[] {
    return [
      ...this.diversion.takeChangedKeys().map((key) => DIVERSION + key),
      ...this.maritime.takeChangedKeys().map((key) => MARITIME + key),
    ];
  }

  /** One subject's state, as in `snapshot().entries`; undefined when it is no longer kept. */
  entry(key: string): unknown {
    if (key.startsWith(DIVERSION)) return this.diversion.entry(key.slice(DIVERSION.length));
    if (key.startsWith(MARITIME)) return this.maritime.entry(key.slice(MARITIME.length));
    return undefined;
  }

  static restore(
    snapshot: unknown,
    config: DetectionConfig,
    ports: readonly PortDeclaredData[],
  ): DetectionEngine {
    return new DetectionEngine(config, ports, snapshot);
  }
}

function splitEntries(entries: Record<string, unknown>) {
  const diversion: Record<string, unknown> = {};
  const maritime: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(entries)) {
    if (key.startsWith(DIVERSION)) diversion[key.slice(DIVERSION.length)] = value;
    else if (key.startsWith(MARITIME)) maritime[key.slice(MARITIME.length)] = value;
  }
  return { diversion, maritime };
}
