import type { AidEvent } from '@aidwatch/domain';
import { EventTypes } from '@aidwatch/domain';
import type { Detector } from '../detector';
import type { FlagChanges } from '../open-flags';
import { InputClocks, type InputClock } from '../input-clocks';
import { CheckpointSubjects } from '../checkpoint-subjects';
import type { ConsignmentLinker } from './flag-sink';
import { FlagSink } from './flag-sink';
import { MS_PER_HOUR } from './geo';
import type { OpenVesselFlags } from './open-vessel-flags';
import type { MaritimeConfig } from './maritime-config';
import { defaultMaritimeConfig } from './maritime-config';
import type { MaritimeContext } from './maritime-context';
import type { MaritimeHead, MaritimeSnapshot } from './maritime-snapshot';
import { headOf, maritimeSubjectKinds, restoreState } from './maritime-snapshot';
import type { PortRecord } from './port-index';
import { PortIndex } from './port-index';
import { maritimeRules } from './maritime-rules';
import { RouteDeviationRule } from './route-deviation.rule';
import { RouteReplays, type PastFix, type RouteReplayRequest } from './route-replay';
import type { VesselFact, VesselRule } from './vessel-rule';
import { VesselTrack } from './vessel-track';
import { VesselClocks } from './vessel-clocks';
import { VesselLifetime } from './vessel-lifetime';
import { VesselReports } from './vessel-reports';
import { VesselRules } from './vessel-rules';
import { newMaritimeCounters, type MaritimeCounters } from './maritime-counters';

export type { MaritimeCounters } from './maritime-counters';
export type { PastFix, RouteReplayRequest, VesselHistory } from './route-replay';

const noLinker: ConsignmentLinker = { consignmentsOnBoard: () => [] };
const TRACKED: VesselFact = { kind: 'tracked' };

type AnyRule = VesselRule<unknown>;

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
 * The rules return their flag decisions (`Decision`), which the detector applies in order through its own
 * `FlagSink` — aid on board, escalation, reopen marks — and hands back as the changes of each call. Open
 * flags are kept per vessel with their drafts (`openFlags`, which the rules read), so that `relink` can name
 * aid whose paperwork arrived after them.
 *
 * State is kept per subject for checkpoints: `snapshot()` gives it all, `takeChangedKeys()` the keys
 * (`vessel:<mmsi>`, `imo:<number>`, `voyages:<mmsi>`, `flags:<mmsi>`) changed since the last call and
 * `entry(key)` one subject's state (undefined once forgotten); `head()` is the small rest (counters, ports,
 * input clocks, the rules' head fields such as designations).
 */
export class MaritimeDetector implements Detector {
  readonly tracks = new Map<string, VesselTrack>();
  readonly ports: PortIndex;
  readonly counters: MaritimeCounters = newMaritimeCounters();
  /** Corridor replays asked for by paperwork older than a carrier's newest position. */
  private readonly routeReplays: RouteReplays;
  /** Watermarks of the AIS inputs. */
  readonly clocks: InputClocks;
  /** Each vessel's clock, and the deadline wheels where vessels wait for their due times. */
  private readonly vessels: VesselClocks;
  /**
   * Every vessel rule (`maritimeRules`), in the order their hooks run; a rule's index is its state's slot in
   * each vessel.
   */
  readonly rules: readonly AnyRule[];
  /** The rules' hooks, run over every rule that has each. */
  private readonly hooks: VesselRules;
  /** Vessels changed since the last `takeChangedKeys` (kept as objects: no key string per fix). */
  private readonly changedTracks = new Set<VesselTrack>();
  /** What checkpoints write one by one: the rules' subjects, the vessels, their open flags. */
  private readonly subjects: CheckpointSubjects;
  private readonly sink: FlagSink;
  /** Each vessel's open flags with their drafts (key `flags:<mmsi>` in snapshots). */
  readonly openFlags: OpenVesselFlags;
  /** Folds each vessel's own reports (positions, static data) into its record and rules. */
  private readonly reports: VesselReports;

  constructor(
    readonly config: MaritimeConfig = defaultMaritimeConfig,
    ports: readonly PortRecord[] = [],
    readonly linker: ConsignmentLinker = noLinker,
  ) {
    this.ports = new PortIndex(ports);
    this.sink = new FlagSink(linker, config.escalateWithAidOnBoard, config.openFlagsKeptPerVessel);
    this.openFlags = this.sink.open;
    const changed = (track: VesselTrack): void => void this.changedTracks.add(track);
    const ctx: MaritimeContext = {
      config,
      ports: this.ports,
      openFlags: this.openFlags,
      linker,
      counters: this.counters,
      trackOf: (mmsi) => this.tracks.get(mmsi),
      changed,
    };
    this.rules = maritimeRules(ctx);
    this.hooks = new VesselRules(this.rules, {
      applyFlag: (decision) => this.sink.apply(decision),
      vessels: () => this.tracks.values(),
    });
    this.clocks = new InputClocks(
      config.inputIdleHours * MS_PER_HOUR,
      'lane',
      config.inputEndQuietMinutes * 60_000,
    );
    const resolutionMs = config.deadlineResolutionSeconds * 1000;
    const lifetime = new VesselLifetime(
      { tracks: this.tracks, hooks: this.hooks, counters: this.counters, changed },
      config.evictAfterDays * 24 * MS_PER_HOUR,
      config.encounter.lateHorizonHours * MS_PER_HOUR,
    );
    this.vessels = lifetime.vessels = new VesselClocks(this.clocks, resolutionMs, lifetime);
    this.reports = new VesselReports({
      config,
      ports: this.ports,
      counters: this.counters,
      hooks: this.hooks,
      vessels: this.vessels,
      trackFor: (mmsi) => this.tracks.get(mmsi) ?? this.createTrack(mmsi),
      changed,
    });
    this.subjects = new CheckpointSubjects(maritimeSubjectKinds(this, this.changedTracks));
    this.routeReplays = new RouteReplays(
      {
        config,
        ports: this.ports,
        counters: this.counters,
        routeDeviation: this.ruleOf(RouteDeviationRule),
        trackOf: (mmsi) => this.tracks.get(mmsi),
        apply: (decisions) => this.hooks.apply(decisions),
      },
      this.reports.resampleMs,
      this.reports.slowKn,
      this.reports.portSearchKm,
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
    detector.subjects.clearChanged();
    return detector;
  }

  /** The whole state (a full checkpoint: the changed keys start afresh). */
  snapshot(): MaritimeSnapshot {
    this.subjects.clearChanged();
    return { head: headOf(this), entries: this.subjects.entries() };
  }

  /** Counts every subject as changed: the next `takeChangedKeys` lists them all (a checkpoint written whole). */
  markAllChanged(): void {
    this.subjects.markAllChanged();
  }

  /** Keys of the subjects whose state changed since the last call (or the last full snapshot). */
  takeChangedKeys(): string[] {
    return this.subjects.takeChangedKeys();
  }

  /** What is not kept per subject (counters, ports, input clocks, rules' head fields): small, written whole. */
  head(): MaritimeHead {
    return headOf(this);
  }

  /** One subject's state as in `snapshot().entries`; undefined when the subject is no longer kept. */
  entry(key: string): unknown {
    return this.subjects.entry(key);
  }

  /** A new vessel record with every rule's initial state. */
  newTrack(mmsi: string): VesselTrack {
    return new VesselTrack(mmsi, this.hooks.initialStates());
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
        const input = this.clocks.inputOf(event.source, lane);
        const moved = this.vessels.observe(input, at, this.reports.lateToleranceMs, pending);
        this.reports.position(d.mmsi, d.lat, d.lon, d.sog ?? NaN, at, event.id, input);
        this.vessels.settle(input, moved);
        break;
      }
      case EventTypes.VesselStaticReported: {
        const at = Date.parse(event.data.at);
        const input = this.clocks.inputOf(event.source, lane);
        const moved = this.vessels.observe(input, at, this.reports.lateToleranceMs, pending);
        this.reports.staticReport(event.data, event.id, at, input);
        this.vessels.settle(input, moved);
        break;
      }
      case EventTypes.VesselDesignated:
        this.hooks.onShared({
          kind: 'designated',
          data: event.data,
          eventId: event.id,
          at: Date.parse(event.time),
        });
        break;
      case EventTypes.VesselDesignationRevoked:
        this.hooks.onShared({ kind: 'designation-revoked', data: event.data, at: Date.parse(event.time) });
        break;
      case EventTypes.InputClosed:
        this.vessels.closeSource(event.data.source, Date.parse(event.data.at), lane);
        break;
      case EventTypes.InputBounded:
        this.vessels.closeSource(event.data.source, Date.parse(event.data.until), lane, true);
        break;
      case EventTypes.PortDeclared: {
        const { locode, name, lat, lon, radiusKm } = event.data;
        this.ports.add({ locode, name, lat, lon, radiusKm });
        break;
      }
      case EventTypes.ConsignmentRegistered:
        this.hooks.onShared({
          kind: 'consignment-registered',
          data: event.data,
          eventId: event.id,
          at: Date.parse(event.time),
        });
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
    const moved = this.vessels.observe(input, atMs, this.reports.lateToleranceMs);
    this.reports.position(mmsi, lat, lon, sog, atMs, eventId, input);
    this.vessels.settle(input, moved);
    return this.sink.take();
  }

  /** Moves every input's watermark to `watermark` (the end of a bounded input, or a test's "later"). */
  advanceWatermark(watermark: number): FlagChanges {
    this.vessels.advanceAll(watermark);
    return this.sink.take();
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
   * A consignment's registration, load, departure or discharge (`kind`) dated `at` (ms) was folded for carrier
   * `mmsi`, the aid on board since `onBoardSince` (ms; +Infinity when not known; `onBoardBefore` before the
   * event): paperwork older than the carrier's newest position has the voyage's corridor judged again — a
   * discharge at once, the others through `takeRouteReplays` (see `RouteReplays.request`).
   */
  requestRouteReplay(
    mmsi: string,
    consignmentId: string,
    kind: 'registered' | 'loaded' | 'departed' | 'discharged',
    at: number,
    onBoardSince: number,
    onBoardBefore = Number.NaN,
  ): FlagChanges {
    this.routeReplays.request(mmsi, consignmentId, kind, at, onBoardSince, onBoardBefore);
    return this.sink.take();
  }

  /** The corridor replays asked for by the paperwork folded last (then forgotten); usually none. */
  takeRouteReplays(): RouteReplayRequest[] {
    return this.routeReplays.take();
  }

  /** Forgets replays not taken (a caller without history); the next paperwork asks afresh. */
  discardRouteReplays(): void {
    this.routeReplays.discard();
  }

  /**
   * Runs a corridor replay over `fixes`, the carrier's stored reports from `readFromMs` to `toMs` in the
   * order they were folded (see `RouteReplays.replay`).
   */
  replayRoute(request: RouteReplayRequest, fixes: Iterable<PastFix>): FlagChanges {
    this.routeReplays.replay(request, fixes);
    return this.sink.take();
  }

  /**
   * An event the diversion detector folds came by `lane` with `pending` records after it on the partition
   * (see `InputClocks.noteLane`): vessels waiting on inputs released by it are judged. Undefined when the
   * lane's state did not change (the usual case: nothing to judge, nothing allocated).
   */
  noteLane(lane: string, pending: number | undefined): FlagChanges | undefined {
    if (!this.clocks.noteLane(lane, pending)) return undefined;
    this.vessels.followFrontier();
    return this.sink.take();
  }

  /**
   * Lane `lane` delivered every record its partition held (`aidwatch.partition.caught-up.v1`), quiet for
   * `quietMs` (ms): see `VesselClocks.laneCaughtUp`.
   */
  caughtUp(lane: string, quietMs: number): FlagChanges {
    this.vessels.laneCaughtUp(lane, quietMs, this.config.runEndQuietSeconds * 1000);
    return this.sink.take();
  }

  /** The AIS source `source` fell quiet (`aidwatch.input.quiet.v1`): see `VesselClocks.sourceQuiet`. */
  inputQuiet(source: string): FlagChanges {
    this.vessels.sourceQuiet(source);
    return this.sink.take();
  }

  /** Counters, and figures of the fleet, the ports, the deadline wheels, the inputs and each rule. */
  stats(): Record<string, number> {
    const stats: Record<string, number> = { ...this.counters, trackedVessels: this.tracks.size };
    for (const rule of this.rules) if (rule.stats) Object.assign(stats, rule.stats());
    stats.ports = this.ports.size;
    stats.pendingDeadlineBuckets = this.vessels.pendingBuckets;
    stats.inputs = this.clocks.all().length;
    return stats;
  }

  /** The rule of class `type` in `rules` (throws when there is none). */
  ruleOf<R extends AnyRule>(type: abstract new (...args: never[]) => R): R {
    const rule = this.rules.find((r): r is R => r instanceof type);
    if (!rule) throw new Error(`no maritime rule ${type.name}`);
    return rule;
  }

  private createTrack(mmsi: string): VesselTrack {
    const track = this.newTrack(mmsi);
    this.hooks.onFact(track, TRACKED);
    this.tracks.set(mmsi, track);
    return track;
  }

  /** Per input, the vessels whose run of lagging reports has not ended yet (see `VesselClocks.laggingOn`). */
  get laggingOn(): Map<InputClock, Set<VesselTrack>> {
    return this.vessels.laggingOn;
  }

  /** Puts the vessel in the deadline wheel at its due time (after a restore). */
  reschedule(track: VesselTrack): void {
    this.vessels.reschedule(track);
  }
}
