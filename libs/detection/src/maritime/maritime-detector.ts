import type {
  AidEvent,
  ConsignmentRegisteredData,
  VesselDesignatedData,
  VesselDesignationRevokedData,
  VesselStaticData,
} from '@aidwatch/domain';
import { EventTypes } from '@aidwatch/domain';
import type { Detector } from '../detector';
import type { FlagChanges } from '../open-flags';
import { AisGapRule } from './ais-gap.rule';
import { InputClocks, inputIdOf, type InputClock } from '../input-clocks';
import { ChangedKeys, InputQueues } from '../input-queues';
import { DeadlineWheel } from './deadline-wheel';
import { DesignatedVesselRule } from './designated-vessel.rule';
import { DraughtChangeRule } from './draught-change.rule';
import { EncounterRule } from './encounter.rule';
import type { ConsignmentLinker } from './flag-sink';
import { FlagSink } from './flag-sink';
import { distanceKm, isValidFix, isValidSog, KM_PER_NM, MS_PER_HOUR, MS_PER_MINUTE } from './geo';
import { IdentityChangeRule, normaliseImo, normaliseText } from './identity-change.rule';
import { LoiteringRule } from './loitering.rule';
import type { OpenVesselFlags } from './open-vessel-flags';
import type { MaritimeConfig } from './maritime-config';
import { defaultMaritimeConfig } from './maritime-config';
import type { MaritimeContext } from './maritime-context';
import type { MaritimeHead, MaritimeSnapshot } from './maritime-snapshot';
import { entryOf, headOf, restoreState, snapshotState } from './maritime-snapshot';
import type { PortRecord } from './port-index';
import { PortIndex } from './port-index';
import { followPortVisit } from './port-visit';
import { RouteDeviationRule, type ReplayStep } from './route-deviation.rule';
import type { Fix, VesselRule } from './vessel-rule';
import type { Sample } from './vessel-track';
import { VesselTrack } from './vessel-track';
import type { MaritimeCounters } from './maritime-counters';

export type { MaritimeCounters } from './maritime-counters';

/** One stored position report of a vessel, as a corridor replay reads it. */
export interface PastFix {
  /** Event time (ms). */
  at: number;
  lat: number;
  lon: number;
  /** Reported speed over ground (knots); NaN or absent when not available. */
  sog?: number;
  eventId: string;
}

/**
 * The stored position reports of a vessel, supplied by the caller (detection reads no database): those of
 * `mmsi` with event time in [`fromMs`, `toMs`], at most `maxCount`, in the order they were folded into the
 * engine (the vessel's stream order), and only events already folded — never one stored after the event being
 * handled — so a rebuild reads what live detection read.
 */
export interface VesselHistory {
  positions(mmsi: string, fromMs: number, toMs: number, maxCount: number): Iterable<PastFix>;
}

/**
 * A carrier's corridor to judge again over its stored positions, because a consignment's registration, load
 * or departure arrived after them (see `MaritimeDetector.replayRoute`).
 */
export interface RouteReplayRequest {
  mmsi: string;
  /** The consignments whose declared voyages are judged again, sorted. */
  consignmentIds: string[];
  /** Samples from this event time (ms) on are judged again: the earliest time that aid was on board, within the horizon. */
  fromMs: number;
  /** Read reports from here (ms): one resampling interval earlier, so the samples are the ones in-order delivery made. */
  readFromMs: number;
  /** The carrier's newest position folded so far (ms, inclusive). */
  toMs: number;
  /** Read at most this many reports (`routeDeviation.replayMaxFixes`). */
  maxFixes: number;
}

const noLinker: ConsignmentLinker = { consignmentsOnBoard: () => [] };

type AnyRule = VesselRule<unknown>;
type Hook = keyof Omit<
  VesselRule<unknown>,
  'name' | 'judgedWhenLagging' | 'initialState' | 'toJSON' | 'fromJSON'
>;

/**
 * All maritime rules over one AIS stream. Per vessel it keeps what was observed (newest fix, reported
 * identity, port visit) and one state per rule; each rule evolves its own state through the hooks of
 * `VesselRule`, which the detector calls in a fixed order. Encounters are found through a cell grid,
 * "distance to port" through a static port index, and time-based rules (AIS gaps, runs that end in silence,
 * forgetting silent vessels) through deadline wheels of the rules' due times.
 *
 * Time is event time only, and each vessel has its own clock: the watermark of the AIS inputs (CloudEvents
 * `source`, `nmea:<station>` for NMEA, on the Kafka partition it came by) that report it (see `InputClocks`).
 * A vessel's deadlines wait in the wheel of the input that holds its clock back, so a feed running ahead — or a replay of old traffic on
 * another feed — never makes another feed's vessels look dark. A vessel whose newest fix came in already
 * older than its clock minus the late tolerance (its track replayed behind the input's clock) is judged fix
 * to fix only while its run of reports on that input lasts, however other vessels' reports interleave with
 * it; once the input's delivery ends (it closes or ends, its partition is caught up, its HTTP source falls
 * quiet) or its clock moves the late horizon past the moment its newest report came, its due times are judged on its
 * clock as event-time order judged them (see `endRuns`). A fix older than the vessel's newest splits a flagged silence it falls in,
 * however late. The same log always gives the same flags.
 *
 * Open flags are kept per vessel with their drafts (`openFlags`), so that `relink` can name aid whose
 * paperwork arrived after them.
 *
 * State is kept per subject for checkpoints: `snapshot()` gives it all, `takeChangedKeys()` the keys
 * (`vessel:<mmsi>`, `imo:<number>`, `voyages:<mmsi>`, `flags:<mmsi>`) changed since the last call and
 * `entry(key)` one subject's state (undefined once forgotten); `head()` is the small rest (counters, ports,
 * designations).
 */
export class MaritimeDetector implements Detector {
  readonly tracks = new Map<string, VesselTrack>();
  readonly ports: PortIndex;
  readonly counters: MaritimeCounters = {
    positions: 0,
    statics: 0,
    invalid: 0,
    duplicates: 0,
    lateMerged: 0,
    lateDropped: 0,
    lateInGap: 0,
    lateStatics: 0,
    evicted: 0,
    routeReplays: 0,
    routeReplaySamples: 0,
    routeReplaysTruncated: 0,
  };
  /** Corridor replays asked for by the paperwork folded last (see `requestRouteReplay`). */
  private routeReplays: RouteReplayRequest[] = [];
  /** Watermarks of the AIS inputs. */
  readonly clocks: InputClocks;
  /** Per input, the vessels whose clock it holds, by their due times. */
  private readonly wheels: InputQueues<VesselTrack, DeadlineWheel<VesselTrack>>;
  /**
   * Per input, the vessels whose newest report came in by it lagging (a backfill: older than their clock minus
   * the late tolerance) and whose run of reports has not ended yet (see `endRuns`).
   */
  readonly laggingOn = new Map<InputClock, Set<VesselTrack>>();
  readonly aisGap: AisGapRule;
  readonly loitering: LoiteringRule;
  readonly encounter: EncounterRule;
  readonly draughtChange: DraughtChangeRule;
  readonly identityChange: IdentityChangeRule;
  readonly designatedVessel: DesignatedVesselRule;
  readonly routeDeviation: RouteDeviationRule;
  /** Every vessel rule, in the order their hooks run; a rule's index is its state's slot in each vessel. */
  readonly rules: readonly AnyRule[];
  private readonly slots: Record<Hook, number[]>;
  private readonly changedKeys = new ChangedKeys();
  /** Vessels changed since the last `takeChangedKeys` (kept as objects: no key string per fix). */
  private readonly changedTracks = new Set<VesselTrack>();
  private readonly sink: FlagSink;
  /** Each vessel's open flags with their drafts (key `flags:<mmsi>` in snapshots). */
  readonly openFlags: OpenVesselFlags;
  private readonly sample: Sample = { at: 0, lat: 0, lon: 0, sog: 0, eventId: '', portKm: 0, portName: null };
  private readonly fix: Fix = { at: 0, lat: 0, lon: 0, sog: 0, eventId: '' };
  private readonly resampleMs: number;
  private readonly lateToleranceMs: number;
  private readonly evictMs: number;
  /**
   * A lagging vessel's run of reports ends at the latest when its clock has moved this far (ms, the encounter
   * late horizon) past its clock when its newest report came (`arrivedAt`).
   */
  private readonly runHorizonMs: number;
  private readonly portSearchKm: number;
  private readonly slowKn: number;

  constructor(
    readonly config: MaritimeConfig = defaultMaritimeConfig,
    ports: readonly PortRecord[] = [],
    readonly linker: ConsignmentLinker = noLinker,
  ) {
    this.ports = new PortIndex(ports);
    this.sink = new FlagSink(linker, config.escalateWithAidOnBoard, config.openFlagsKeptPerVessel);
    this.openFlags = this.sink.open;
    const ctx: MaritimeContext = {
      config,
      ports: this.ports,
      sink: this.sink,
      linker,
      trackOf: (mmsi) => this.tracks.get(mmsi),
      changed: (track) => this.changedTracks.add(track),
    };
    this.aisGap = new AisGapRule(ctx);
    this.loitering = new LoiteringRule(ctx);
    this.designatedVessel = new DesignatedVesselRule(ctx);
    this.encounter = new EncounterRule(ctx, (pair) => this.designatedVessel.onEncounter(pair));
    this.draughtChange = new DraughtChangeRule(ctx);
    this.identityChange = new IdentityChangeRule(ctx);
    this.routeDeviation = new RouteDeviationRule(ctx);
    this.rules = [
      this.identityChange,
      this.designatedVessel,
      this.draughtChange,
      this.loitering,
      this.encounter,
      this.routeDeviation,
      this.aisGap,
    ] as AnyRule[];
    this.encounter.slot = this.rules.indexOf(this.encounter as AnyRule);
    const slotsOf = (hook: Hook) =>
      this.rules.flatMap((rule, slot) => (rule[hook] === undefined ? [] : [slot]));
    this.slots = {
      onFix: slotsOf('onFix'),
      onLateFix: slotsOf('onLateFix'),
      onSample: slotsOf('onSample'),
      onPortVisit: slotsOf('onPortVisit'),
      onStatic: slotsOf('onStatic'),
      dueAt: slotsOf('dueAt'),
      onDue: slotsOf('onDue'),
      onEvict: slotsOf('onEvict'),
    };
    this.clocks = new InputClocks(
      config.inputIdleHours * MS_PER_HOUR,
      'lane',
      config.inputEndQuietMinutes * 60_000,
    );
    const resolutionMs = config.deadlineResolutionSeconds * 1000;
    this.wheels = new InputQueues(this.clocks, () => new DeadlineWheel<VesselTrack>(resolutionMs));
    this.resampleMs = config.resampleMinutes * MS_PER_MINUTE;
    this.lateToleranceMs = config.lateToleranceMinutes * MS_PER_MINUTE;
    this.evictMs = config.evictAfterDays * 24 * MS_PER_HOUR;
    this.runHorizonMs = config.encounter.lateHorizonHours * MS_PER_HOUR;
    this.portSearchKm = Math.max(
      config.encounter.minPortDistanceKm,
      config.loitering.minPortDistanceKm,
      config.portVisit.enterKm,
      config.portVisit.exitKm,
    );
    this.slowKn = Math.max(
      config.loitering.maxSpeedKn,
      config.encounter.maxMedianSpeedKn,
      config.portVisit.maxSpeedKn,
    );
  }

  static restore(
    snapshot: unknown,
    config: MaritimeConfig = defaultMaritimeConfig,
    ports: readonly PortRecord[] = [],
    linker: ConsignmentLinker = noLinker,
  ): MaritimeDetector {
    const detector = new MaritimeDetector(config, ports, linker);
    restoreState(detector, snapshot as MaritimeSnapshot);
    detector.changedKeys.clear();
    detector.changedTracks.clear();
    detector.openFlags.takeChanged();
    return detector;
  }

  /** The whole state (a full checkpoint: the changed keys start afresh). */
  snapshot(): MaritimeSnapshot {
    this.takeChangedKeys();
    return snapshotState(this);
  }

  /** Counts every subject as changed: the next `takeChangedKeys` lists them all (a checkpoint written whole). */
  markAllChanged(): void {
    for (const track of this.tracks.values()) this.changedTracks.add(track);
    for (const imo of this.identityChange.imoHolders.keys()) this.changedKeys.add(`imo:${imo}`);
    for (const mmsi of this.routeDeviation.voyagesByMmsi.keys()) this.changedKeys.add(`voyages:${mmsi}`);
  }

  /** Keys of the subjects whose state changed since the last call (or the last full snapshot). */
  takeChangedKeys(): string[] {
    for (const imo of this.identityChange.takeChangedImos()) this.changedKeys.add(`imo:${imo}`);
    for (const mmsi of this.routeDeviation.takeChangedCarriers()) this.changedKeys.add(`voyages:${mmsi}`);
    for (const mmsi of this.openFlags.takeChanged()) this.changedKeys.add(`flags:${mmsi}`);
    for (const track of this.changedTracks) this.changedKeys.add(`vessel:${track.mmsi}`);
    this.changedTracks.clear();
    return this.changedKeys.take();
  }

  /** What is not kept per subject (counters, ports, designations): small, written whole. */
  head(): MaritimeHead {
    return headOf(this);
  }

  /** One subject's state as in `snapshot().entries`; undefined when the subject is no longer kept. */
  entry(key: string): unknown {
    return entryOf(this, key);
  }

  /** A new vessel record with every rule's initial state. */
  newTrack(mmsi: string): VesselTrack {
    return new VesselTrack(
      mmsi,
      this.rules.map((rule) => rule.initialState()),
    );
  }

  /**
   * Folds one event. `lane` is how an AIS report arrived (`<topic>/<partition>` on Kafka): a source's reports
   * on one lane form one input, so a partition consumed behind holds back only the vessels whose reports it
   * carries (one key, one partition), and a burst on another lane of the receiver moves none of their clocks.
   * `pending`: records still pending on that partition when the report was fetched (see `InputClocks.observe`).
   */
  handle(event: AidEvent, lane?: string, pending?: number): FlagChanges {
    switch (event.type) {
      case EventTypes.VesselPositionReported: {
        const d = event.data;
        const at = Date.parse(d.at);
        const input = this.clocks.input(inputIdOf(event.source, lane));
        const moved = this.observe(input, at, pending);
        this.ingestPosition(d.mmsi, d.lat, d.lon, d.sog ?? NaN, at, event.id, input);
        this.settle(input, moved);
        break;
      }
      case EventTypes.VesselStaticReported: {
        const at = Date.parse(event.data.at);
        const input = this.clocks.input(inputIdOf(event.source, lane));
        const moved = this.observe(input, at, pending);
        this.ingestStatic(event.data, event.id, at, input);
        this.settle(input, moved);
        break;
      }
      case EventTypes.VesselDesignated:
        this.ingestDesignation(event.data, event.id, Date.parse(event.time));
        break;
      case EventTypes.VesselDesignationRevoked:
        this.ingestRevocation(event.data, Date.parse(event.time));
        break;
      case EventTypes.InputClosed:
        this.closeInput(event.data.source, Date.parse(event.data.at), lane);
        break;
      case EventTypes.InputBounded:
        this.closeInput(event.data.source, Date.parse(event.data.until), lane, true);
        break;
      case EventTypes.PortDeclared: {
        const { locode, name, lat, lon, radiusKm } = event.data;
        this.ports.add({ locode, name, lat, lon, radiusKm });
        break;
      }
      case EventTypes.ConsignmentRegistered:
        this.ingestRegistration(event.data, event.id, Date.parse(event.time));
        break;
      default:
        break;
    }
    return this.sink.take();
  }

  /** The hot path: one AIS position from `source` without a CloudEvent object around it. */
  handlePosition(
    source: string,
    mmsi: string,
    lat: number,
    lon: number,
    sog: number,
    atMs: number,
    eventId: string,
  ): FlagChanges {
    const input = this.clocks.input(source);
    const moved = this.observe(input, atMs);
    this.ingestPosition(mmsi, lat, lon, sog, atMs, eventId, input);
    this.settle(input, moved);
    return this.sink.take();
  }

  /** Moves every input's watermark to `watermark` (the end of a bounded input, or a test's "later"). */
  advanceWatermark(watermark: number): FlagChanges {
    for (const input of this.clocks.values()) {
      this.clocks.advance(input, watermark);
      if (watermark > input.delivered) input.delivered = watermark;
    }
    for (const input of [...this.laggingOn.keys()]) this.endRuns(input);
    this.followFrontier();
    return this.sink.take();
  }

  /**
   * The source `source` ended at `at` (`aidwatch.input.closed.v1`, come by `lane`): from now on the vessels
   * of its inputs — every Kafka partition its reports came by — are judged on their own clocks, never
   * released to the other inputs' (see `InputClocks.close`). Vessels waiting in their wheels that another,
   * open input also reports follow that input now; what came due is judged. `announced`: the source said
   * beforehand that its events end at `at` (`aidwatch.input.bounded.v1`, see `InputClocks.bound`): closed
   * alike, no watermark moved.
   */
  private closeInput(source: string, at: number, lane?: string, announced = false): void {
    if (!Number.isFinite(at)) return;
    const inputs = announced ? this.clocks.bound(source, at) : this.clocks.close(source, at, lane);
    for (const input of inputs) this.endRuns(input);
    this.wheels.release(inputs, this.rehome);
    for (const input of inputs) this.processDue(input);
  }

  /**
   * The aid on board these vessels changed (a consignment's registration, load, departure or discharge was
   * reported, in whatever order): their open flags, and those of vessels that met them, are built again with
   * the aid known now and superseded where they name other consignments (see `FlagSink.relink`).
   */
  relink(mmsis: readonly string[]): FlagChanges {
    if (mmsis.length > 0) this.sink.relink(mmsis);
    return this.sink.take();
  }

  /**
   * A consignment's registration, load, departure or discharge (`kind`) dated `at` was folded for carrier
   * `mmsi`, and the aid is on board it since `onBoardSince` (+Infinity when not known). When the paperwork is
   * older than the carrier's newest position, the corridor checks of the consignment's declared voyage are
   * judged again over positions already passed (time model 9): a discharge at once — open corridor flags of
   * that aid from the discharge on are cleared, the aid was not on board — and a registration, load or
   * departure through a `RouteReplayRequest` (`takeRouteReplays`), since that needs the stored positions.
   * Paperwork in time (no newer position yet) costs nothing here, nor does a load or departure that leaves
   * the time the aid came on board as it was (`onBoardBefore`: that time before the event was folded).
   */
  requestRouteReplay(
    mmsi: string,
    consignmentId: string,
    kind: 'registered' | 'loaded' | 'departed' | 'discharged',
    at: number,
    onBoardSince: number,
    onBoardBefore = Number.NaN,
  ): FlagChanges {
    const track = this.tracks.get(mmsi);
    if (!track || !track.hasFix() || !(at <= track.lastAt)) return this.sink.take();
    if ((kind === 'loaded' || kind === 'departed') && onBoardSince === onBoardBefore) return this.sink.take();
    const voyage = this.routeDeviation.voyagesByMmsi
      .get(mmsi)
      ?.find((v) => v.consignmentId === consignmentId);
    if (!voyage) return this.sink.take();
    if (kind === 'discharged' && at >= onBoardSince) {
      this.counters.routeReplays++;
      this.routeDeviation.replayCorridor(track, [consignmentId], at, [], track.lastAt);
      return this.sink.take();
    }
    const cfg = this.config.routeDeviation;
    let fromMs = onBoardSince;
    if (!Number.isFinite(fromMs)) {
      // Not on board (any more): its open corridor flags, if any, are judged with no sample.
      fromMs = this.routeDeviation.earliestOpenCorridorFlag(mmsi, consignmentId);
      if (!Number.isFinite(fromMs)) return this.sink.take();
    }
    const horizon = track.lastAt - cfg.replayHorizonDays * 24 * MS_PER_HOUR;
    if (fromMs < horizon) {
      fromMs = horizon;
      this.counters.routeReplaysTruncated++;
    }
    if (fromMs > track.lastAt) return this.sink.take();
    const pending = this.routeReplays.find((r) => r.mmsi === mmsi);
    if (pending) {
      if (!pending.consignmentIds.includes(consignmentId)) pending.consignmentIds.push(consignmentId);
      pending.consignmentIds.sort();
      pending.fromMs = Math.min(pending.fromMs, fromMs);
      pending.readFromMs = pending.fromMs - this.resampleMs;
      return this.sink.take();
    }
    this.routeReplays.push({
      mmsi,
      consignmentIds: [consignmentId],
      fromMs,
      readFromMs: fromMs - this.resampleMs,
      toMs: track.lastAt,
      maxFixes: cfg.replayMaxFixes,
    });
    return this.sink.take();
  }

  /** The corridor replays asked for by the paperwork folded last (then forgotten); usually none. */
  takeRouteReplays(): RouteReplayRequest[] {
    if (this.routeReplays.length === 0) return [];
    const taken = this.routeReplays;
    this.routeReplays = [];
    return taken;
  }

  /** Forgets replays not taken (a caller without history); the next paperwork asks afresh. */
  discardRouteReplays(): void {
    if (this.routeReplays.length > 0) this.routeReplays = [];
  }

  /**
   * Runs a corridor replay over `fixes` — the carrier's stored reports from `readFromMs` to `toMs`, in the
   * order they were folded (see `VesselHistory`): the samples are made from them as in-order delivery made
   * them (the first report newer than the newest in each resampling interval) and the voyages' corridor
   * watch judged again from `fromMs` (see `RouteDeviationRule.replayCorridor`). A replay that read
   * `maxFixes` reports (there may be more) judges what it read and clears nothing.
   */
  replayRoute(request: RouteReplayRequest, fixes: Iterable<PastFix>): FlagChanges {
    const track = this.tracks.get(request.mmsi);
    if (!track) return this.sink.take();
    const { resampleMs, ports, slowKn, portSearchKm } = this;
    const portVisitConfig = this.config.portVisit;
    const s: Sample = { at: 0, lat: 0, lon: 0, sog: NaN, eventId: '', portKm: Infinity, portName: null };
    const step: ReplayStep = { sample: s, portVisit: null };
    // The port visit as the samples make it, from the first one read (one interval before `fromMs`).
    const visit = { portVisit: null as string | null, lastPortVisitAt: NaN };
    let read = 0;
    let cut = false;
    function* steps(): Generator<ReplayStep> {
      let newest = Number.NEGATIVE_INFINITY;
      let lastLat = NaN;
      let lastLon = NaN;
      let speed = NaN;
      let bucket = Number.NaN;
      for (const f of fixes) {
        if (read++ >= request.maxFixes) break;
        if (!isValidFix(f.lat, f.lon) || !Number.isFinite(f.at) || f.at <= newest || f.at > request.toMs)
          continue;
        const sog = f.sog ?? NaN;
        speed = isValidSog(sog)
          ? sog
          : Number.isFinite(newest)
            ? distanceKm(lastLat, lastLon, f.lat, f.lon) / KM_PER_NM / ((f.at - newest) / MS_PER_HOUR)
            : Infinity;
        newest = f.at;
        lastLat = f.lat;
        lastLon = f.lon;
        const b = Math.floor(f.at / resampleMs);
        if (b === bucket) continue;
        bucket = b;
        s.at = f.at;
        s.lat = f.lat;
        s.lon = f.lon;
        s.sog = speed;
        s.eventId = f.eventId;
        s.portKm = Infinity;
        s.portName = null;
        let nearest: PortRecord | null = null;
        if (speed < slowKn || visit.portVisit !== null) {
          const hit = ports.nearestWithin(f.lat, f.lon, portSearchKm);
          if (hit) {
            nearest = hit.port;
            s.portKm = hit.km;
            s.portName = hit.port.name;
          }
        }
        step.portVisit = followPortVisit(visit, s, nearest, ports, portVisitConfig);
        yield step;
      }
      // As many reports as allowed: there may be more, so nothing is cleared.
      cut = read >= request.maxFixes;
    }
    this.counters.routeReplays++;
    this.counters.routeReplaySamples += this.routeDeviation.replayCorridor(
      track,
      request.consignmentIds,
      request.fromMs,
      steps(),
      track.lastAt,
      () => !cut,
    );
    if (cut) this.counters.routeReplaysTruncated++;
    return this.sink.take();
  }

  /**
   * An event the diversion detector folds came by `lane` with `pending` records after it on the partition
   * (see `InputClocks.noteLane`): vessels waiting on inputs released by it are judged. Undefined when the
   * lane's state did not change (the usual case: nothing to judge, nothing allocated).
   */
  noteLane(lane: string, pending: number | undefined): FlagChanges | undefined {
    if (!this.clocks.noteLane(lane, pending)) return undefined;
    this.followFrontier();
    return this.sink.take();
  }

  /**
   * Lane `lane` delivered every record its partition held (`aidwatch.partition.caught-up.v1`, see
   * `InputClocks.caughtUp`): vessels waiting on the lane's inputs are judged on the clocks that moved, and —
   * once it has been quiet `runEndQuietSeconds` — a vessel replayed behind its input's clock there has ended
   * its run of reports.
   */
  caughtUp(lane: string, quietMs: number): FlagChanges {
    const moved = this.clocks.caughtUp(lane, quietMs);
    // The lane has delivered nothing for a while: a vessel replayed behind its input's clock ended its run.
    if (quietMs >= this.config.runEndQuietSeconds * 1000)
      for (const input of [...this.laggingOn.keys()]) if (input.lane === lane) this.endRuns(input);
    if (moved) this.followFrontier();
    return this.sink.take();
  }

  /**
   * The AIS source `source`, reporting over HTTP, UDP or TCP, fell quiet (`aidwatch.input.quiet.v1`): what it
   * delivered so far is all there is for now, so a vessel whose track it replayed behind its clock has ended
   * its run of reports (time model 7). Its inputs on Kafka partitions are not concerned (their partitions'
   * caught-up markers say so).
   */
  inputQuiet(source: string): FlagChanges {
    for (const input of [...this.laggingOn.keys()])
      if (input.source === source && input.lane === '') this.endRuns(input);
    return this.sink.take();
  }

  /** Moves the input's watermark for a report at `at`; returns whether the frontier moved. */
  private observe(input: InputClock, at: number, pending?: number): boolean {
    return Number.isFinite(at) ? this.clocks.observe(input, at, this.lateToleranceMs, pending) : false;
  }

  /**
   * After a report is folded in: what came due on its input's clock, and — when the frontier moved — on the
   * clocks of idle inputs, which move with it.
   */
  private settle(input: InputClock, idleMoved: boolean): void {
    this.processDue(input);
    if (idleMoved) this.followFrontier(input);
  }

  /**
   * The frontier moved: vessels waiting on inputs that just became idle follow their other inputs, and idle
   * inputs' clocks moved with the frontier.
   */
  private followFrontier(except?: InputClock): void {
    this.wheels.release(this.clocks.newlyIdle(), this.rehome);
    for (const other of this.wheels.inputs())
      if (other !== except && this.wheels.isDue(other)) this.processDue(other);
  }

  /** A vessel taken from the wheel of `from` (idle or closed now) waits where its clock is held back now. */
  private readonly rehome = (track: VesselTrack, from: InputClock): void => {
    if (track.home !== from) return;
    track.dueKey = -1;
    this.schedule(track);
  };

  stats() {
    return {
      ...this.counters,
      trackedVessels: this.tracks.size,
      openEncounters: this.encounter.activePairs,
      droppedPairs: this.encounter.droppedPairs,
      vesselsInGrid: this.encounter.index.size,
      encounterBeyondHorizon: this.encounter.beyondHorizon,
      ports: this.ports.size,
      designations: this.designatedVessel.size,
      pendingDeadlineBuckets: [...this.wheels.values()].reduce((n, w) => n + w.pendingBuckets, 0),
      inputs: this.clocks.all().length,
    };
  }

  private ingestPosition(
    mmsi: string,
    lat: number,
    lon: number,
    sog: number,
    at: number,
    eventId: string,
    input: InputClock,
  ): void {
    this.counters.positions++;
    if (!isValidFix(lat, lon) || !Number.isFinite(at)) {
      this.counters.invalid++;
      return;
    }
    const track = this.tracks.get(mmsi) ?? this.createTrack(mmsi);
    this.reportedBy(track, input);
    if (track.firstEventId === '') this.firstReport(track, at, eventId);
    const fix = this.fix;
    fix.at = at;
    fix.lat = lat;
    fix.lon = lon;
    fix.sog = isValidSog(sog) ? sog : NaN;
    fix.eventId = eventId;
    if (track.hasFix() && at <= track.lastAt) {
      this.lateFix(track, fix, input);
      return;
    }
    this.changedTracks.add(track);
    let speed = isValidSog(sog) ? sog : Infinity;
    if (speed === Infinity && track.hasFix())
      speed =
        distanceKm(track.lastLat, track.lastLon, lat, lon) / KM_PER_NM / ((at - track.lastAt) / MS_PER_HOUR);
    const states = track.states;
    for (const i of this.slots.onFix)
      states[i] = (this.rules[i].onFix as Required<AnyRule>['onFix'])(track, states[i], fix);
    track.lastAt = at;
    track.lastLat = lat;
    track.lastLon = lon;
    track.lastSog = speed;
    track.lastEventId = eventId;
    const clock = this.clockOf(track);
    track.arrivedAt = clock;
    const lagging = at < clock - this.lateToleranceMs;
    if (track.lagging) this.forgetLagging(track);
    if (lagging) this.startRun(track, input);
    const bucket = Math.floor(at / this.resampleMs);
    if (bucket !== track.sampleBucket) {
      track.sampleBucket = bucket;
      this.onSample(track);
    }
    // A deadline that moved later is found lazily; one that moved earlier (first fix after static reports
    // only, or a fix ending a gap) must move the track now.
    this.scheduleNoLater(track);
  }

  /**
   * The vessel's newest report came in by `input` lagging: until the input's delivery ends (`endRuns`) or its
   * clock moves the late horizon past the moment that report came (`onDue`), nothing is judged missing from its track, so no
   * silence is raised that its next report fills — however the input interleaves other vessels' reports.
   */
  private startRun(track: VesselTrack, input: InputClock): void {
    track.lagging = true;
    track.runInput = input;
    let runs = this.laggingOn.get(input);
    if (runs === undefined) this.laggingOn.set(input, (runs = new Set()));
    runs.add(track);
  }

  /**
   * `input` delivered everything it had (it closed or ended, its partition is caught up, its HTTP source fell
   * quiet, or a test moved every clock on): the vessels whose lagging reports came by it have ended their run of
   * reports — a whole track replayed vessel after vessel, or tracks delivered last and interleaved — and are
   * judged on their clocks from now on, "dark now" included, as event-time order judged them when the clock
   * passed their due times.
   */
  private endRuns(input: InputClock): void {
    const runs = this.laggingOn.get(input);
    if (runs === undefined) return;
    this.laggingOn.delete(input);
    const homes = new Set<InputClock>();
    for (const track of runs) {
      if (!track.lagging || this.tracks.get(track.mmsi) !== track) continue;
      this.endRun(track);
      const home = this.holdingOf(track);
      if (home !== null) homes.add(home);
    }
    // What came due is judged now: nothing else may move the clocks of a delivery that has ended.
    for (const home of homes) this.processDue(home);
  }

  /** Ends the vessel's run of reports: its due times are judged on its clock from now on. */
  private endRun(track: VesselTrack): void {
    this.forgetLagging(track);
    this.changedTracks.add(track);
    this.scheduleNoLater(track);
  }

  /** The vessel's newest report is no longer lagging: it waits for no input's end of delivery. */
  private forgetLagging(track: VesselTrack): void {
    const input = track.runInput;
    if (input !== null) {
      const runs = this.laggingOn.get(input);
      runs?.delete(track);
      if (runs?.size === 0) this.laggingOn.delete(input);
    }
    track.lagging = false;
    track.runInput = null;
  }

  /** Notes that `input` reports the vessel (its clock then depends on that input too). */
  private reportedBy(track: VesselTrack, input: InputClock): void {
    track.evictionDeferred = false;
    if (track.input === input) return;
    if (track.input === null) {
      track.input = input;
      return;
    }
    if (track.inputs === null) track.inputs = [track.input, input];
    else if (!track.inputs.includes(input)) track.inputs.push(input);
  }

  /** The vessel's clock: the watermark of the input holding it back (see `InputClocks`). */
  private clockOf(track: VesselTrack): number {
    if (track.inputs !== null) return this.clocks.clockOf(track.inputs);
    return track.input ? this.clocks.effective(track.input) : Number.NEGATIVE_INFINITY;
  }

  private holdingOf(track: VesselTrack): InputClock | null {
    if (track.inputs !== null) return this.clocks.holding(track.inputs) ?? null;
    return track.input;
  }

  /** Puts the vessel in the wheel of the input holding its clock, at its due time. */
  private schedule(track: VesselTrack): void {
    const home = this.holdingOf(track);
    if (home === null) return;
    if (track.home !== home) {
      track.home = home;
      track.dueKey = -1;
    }
    this.wheels.of(home).schedule(track, this.dueOf(track));
  }

  private scheduleNoLater(track: VesselTrack): void {
    const home = this.holdingOf(track);
    if (home === null) return;
    if (track.home !== home) this.schedule(track);
    else this.wheels.of(home).scheduleNoLater(track, this.dueOf(track));
  }

  /**
   * A fix not newer than the vessel's newest. Inside an open AIS gap of the vessel, however late, it splits
   * the silence (see `AisGapRule.fillSilence`). Within the tolerance it is also merged into what does not
   * depend on order (the implied-speed check, breaking a loitering run); older ones are counted and no other
   * rule sees them (encounters and loitering are judged on the track as it arrives). It never moves the
   * vessel's position.
   */
  private lateFix(track: VesselTrack, fix: Fix, input: InputClock): void {
    // An exact duplicate of the newest fix (same event, or same time and place) changes nothing.
    if (
      fix.eventId === track.lastEventId ||
      (fix.at === track.lastAt && fix.lat === track.lastLat && fix.lon === track.lastLon)
    ) {
      this.counters.duplicates++;
      return;
    }
    if (this.aisGap.fillSilence(track, fix, input.id)) this.counters.lateInGap++;
    if (track.lastAt - fix.at > this.lateToleranceMs) {
      this.counters.lateDropped++;
      return;
    }
    this.counters.lateMerged++;
    this.changedTracks.add(track);
    const states = track.states;
    for (const i of this.slots.onLateFix)
      states[i] = (this.rules[i].onLateFix as Required<AnyRule>['onLateFix'])(track, states[i], fix);
  }

  private onSample(track: VesselTrack): void {
    const s = this.sample;
    s.at = track.lastAt;
    s.lat = track.lastLat;
    s.lon = track.lastLon;
    s.sog = track.lastSog;
    s.eventId = track.lastEventId;
    s.portKm = Infinity;
    s.portName = null;
    const states = track.states;
    let nearest: PortRecord | null = null;
    if (s.sog < this.slowKn || track.portVisit !== null || this.hasOpenState(track)) {
      const hit = this.ports.nearestWithin(s.lat, s.lon, this.portSearchKm);
      if (hit) {
        nearest = hit.port;
        s.portKm = hit.km;
        s.portName = hit.port.name;
      }
    }
    const arrivedAt = followPortVisit(track, s, nearest, this.ports, this.config.portVisit);
    if (arrivedAt) {
      for (const i of this.slots.onPortVisit)
        states[i] = (this.rules[i].onPortVisit as Required<AnyRule>['onPortVisit'])(
          track,
          states[i],
          arrivedAt,
          s,
        );
    }
    for (const i of this.slots.onSample)
      states[i] = (this.rules[i].onSample as Required<AnyRule>['onSample'])(track, states[i], s);
  }

  /** Whether some sample rule keeps an open episode (then a fast sample still needs its distance to port). */
  private hasOpenState(track: VesselTrack): boolean {
    const states = track.states;
    for (const i of this.slots.onSample) if (states[i] !== null) return true;
    return false;
  }

  private ingestStatic(data: VesselStaticData, eventId: string, at: number, input: InputClock): void {
    this.counters.statics++;
    if (!Number.isFinite(at)) {
      this.counters.invalid++;
      return;
    }
    const track = this.tracks.get(data.mmsi) ?? this.createTrack(data.mmsi);
    this.reportedBy(track, input);
    if (track.firstEventId === '') this.firstReport(track, at, eventId);
    if (at < track.lastStaticAt) {
      this.counters.lateStatics++;
      return;
    }
    this.changedTracks.add(track);
    track.lastStaticAt = at;
    if (typeof data.shipType === 'number') track.shipType = data.shipType;
    const name = normaliseText(data.name);
    if (name !== null) track.reportName(name, at);
    const imo = normaliseImo(data.imo);
    if (imo !== null) track.imo = imo;
    const states = track.states;
    for (const i of this.slots.onStatic)
      states[i] = (this.rules[i].onStatic as Required<AnyRule>['onStatic'])(
        track,
        states[i],
        data,
        at,
        eventId,
      );
    if (!(track.arrivedAt >= this.clockOf(track))) track.arrivedAt = this.clockOf(track);
    if (track.dueKey < 0) this.schedule(track);
  }

  /** Notes the vessel's first report (the sighting a listing dated before it names, whenever it arrives). */
  private firstReport(track: VesselTrack, at: number, eventId: string): void {
    track.firstAt = at;
    track.firstEventId = eventId;
  }

  /**
   * A listing: the vessels it names are sighted now — or, when their first report is not older than the
   * listing (it arrived before the listing did), by that report, as in event-time order.
   */
  private ingestDesignation(data: VesselDesignatedData, eventId: string, at: number): void {
    const d = this.designatedVessel.designate(data, eventId, at);
    const byMmsi = d.mmsi ? this.tracks.get(d.mmsi) : undefined;
    const holder = d.imo ? this.identityChange.imoHolders.get(d.imo) : undefined;
    const byImo = holder ? this.tracks.get(holder.mmsi) : undefined;
    const slot = this.rules.indexOf(this.designatedVessel as AnyRule);
    for (const track of new Set([byMmsi, byImo])) {
      if (!track) continue;
      this.changedTracks.add(track);
      const seenFirst = track.firstAt >= at;
      track.states[slot] = this.designatedVessel.onObserved(
        track,
        track.states[slot] as string | null,
        seenFirst ? track.firstEventId : track.lastEventId,
        seenFirst ? track.firstAt : at,
      );
      // Encounters flagged before the listing came bring their designated-partner flags now.
      this.designatedVessel.onListed(track);
    }
  }

  /**
   * A delisting: the designation is forgotten, its open flags cleared, and the sighting state of the
   * vessels it was raised for reset (a vessel still on another list is raised again for that one).
   */
  private ingestRevocation(data: VesselDesignationRevokedData, at: number): void {
    const d = this.designatedVessel.revoke(data);
    if (!d) return;
    this.designatedVessel.onRevoked(d, at);
    const slot = this.rules.indexOf(this.designatedVessel as AnyRule);
    for (const track of this.tracks.values()) {
      const state = track.states[slot] as string | null;
      if (state !== `listed:${d.listRef}` && state !== `listed:${d.listRef}:name`) continue;
      // Another ship of the same listing (a UN entry names several) keeps its flag and state.
      if (this.designatedVessel.match(track.mmsi, track.imo, track.name)?.d.listRef === d.listRef) continue;
      this.changedTracks.add(track);
      track.states[slot] = this.designatedVessel.onObserved(track, null, track.lastEventId, at);
    }
  }

  private ingestRegistration(data: ConsignmentRegisteredData, eventId: string, at: number): void {
    const voyages = this.routeDeviation.register(data, eventId);
    const track = this.tracks.get(data.vessel.mmsi);
    if (track) track.states[this.rules.indexOf(this.routeDeviation as AnyRule)] = voyages;
    this.designatedVessel.onCarrier(data, eventId, at);
  }

  private createTrack(mmsi: string): VesselTrack {
    const track = this.newTrack(mmsi);
    track.states[this.rules.indexOf(this.routeDeviation as AnyRule)] =
      this.routeDeviation.voyagesByMmsi.get(mmsi) ?? null;
    this.tracks.set(mmsi, track);
    return track;
  }

  /** Puts the vessel in the deadline wheel at its due time (after a restore). */
  reschedule(track: VesselTrack): void {
    track.dueKey = -1;
    track.home = null;
    this.schedule(track);
  }

  /** The earliest due time of the vessel's rules, else when it is to be forgotten. */
  private dueOf(track: VesselTrack): number {
    const seen = track.lastSeenAt;
    let due = track.evictionDeferred
      ? Number.MAX_SAFE_INTEGER
      : (track.arrivedAt > seen ? track.arrivedAt : seen) + this.evictMs;
    if (track.lagging && track.arrivedAt + this.runHorizonMs < due) due = track.arrivedAt + this.runHorizonMs;
    const states = track.states;
    for (const i of this.slots.dueAt) {
      if (track.lagging && !this.rules[i].judgedWhenLagging) continue;
      const at = (this.rules[i].dueAt as Required<AnyRule>['dueAt'])(track, states[i]);
      if (at < due) due = at;
    }
    return due;
  }

  /** Judges the vessels of `input`'s wheel whose due time their clock has reached. */
  private processDue(input: InputClock): void {
    const due = this.wheels.takeDue(input);
    if (due.length === 0) return;
    const ready: Array<{ track: VesselTrack; at: number; clock: number }> = [];
    for (const track of due) {
      if (track.home !== input) continue;
      const at = this.dueOf(track);
      const clock = this.clockOf(track);
      if (at <= clock) ready.push({ track, at, clock });
      else this.schedule(track);
    }
    ready.sort(
      (x, y) => x.at - y.at || (x.track.mmsi < y.track.mmsi ? -1 : x.track.mmsi > y.track.mmsi ? 1 : 0),
    );
    for (const { track, clock } of ready) this.onDue(track, clock);
  }

  /**
   * The newest event time the vessel's own inputs delivered themselves (`InputClock.delivered`): never released
   * by idleness, nor moved by a caught-up marker's guess that their partitions passed the time of the source's
   * other partitions (a vessel judged dark on that guess keeps its silence open for its next report to end).
   */
  private ownClockOf(track: VesselTrack): number {
    let at = track.input ? track.input.delivered : Number.NEGATIVE_INFINITY;
    for (const input of track.inputs ?? []) if (input.delivered > at) at = input.delivered;
    return at;
  }

  private onDue(track: VesselTrack, watermark: number): void {
    this.changedTracks.add(track);
    // The late horizon (time model 7, 10): a run whose input's clock moved on this far since its newest report
    // came has ended.
    if (track.lagging && track.arrivedAt + this.runHorizonMs <= watermark) this.forgetLagging(track);
    const states = track.states;
    for (const i of this.slots.onDue) {
      const rule = this.rules[i];
      if (track.lagging && !rule.judgedWhenLagging) continue;
      const dueAt = (rule.dueAt as Required<AnyRule>['dueAt'])(track, states[i]);
      if (dueAt <= watermark) states[i] = (rule.onDue as Required<AnyRule>['onDue'])(track, states[i], dueAt);
    }
    const seen = track.lastSeenAt;
    const evictAt = (track.arrivedAt > seen ? track.arrivedAt : seen) + this.evictMs;
    if (evictAt <= watermark && evictAt > this.ownClockOf(track)) {
      // The clock that reached the eviction time is the others' (every input of this vessel is idle):
      // forgetting now would lose an open silence that a fix still on its way from those inputs ends.
      track.evictionDeferred = true;
    } else if (evictAt <= watermark) {
      for (const i of this.slots.onEvict)
        (this.rules[i].onEvict as Required<AnyRule>['onEvict'])(track, states[i]);
      track.dueKey = -1;
      track.home = null;
      this.forgetLagging(track);
      this.tracks.delete(track.mmsi);
      this.counters.evicted++;
      return;
    }
    this.schedule(track);
  }
}
