import type {
  AidEvent,
  ConsignmentRegisteredData,
  VesselDesignatedData,
  VesselStaticData,
} from '@aidwatch/domain';
import { EventTypes } from '@aidwatch/domain';
import type { Detector } from '../detector';
import type { FlagChanges } from '../open-flags';
import { noChanges } from '../open-flags';
import { AisGapRule } from './ais-gap.rule';
import { DeadlineWheel } from './deadline-wheel';
import { DesignatedVesselRule } from './designated-vessel.rule';
import { DraughtChangeRule } from './draught-change.rule';
import { EncounterRule } from './encounter.rule';
import type { ConsignmentLinker } from './flag-sink';
import { FlagSink } from './flag-sink';
import { distanceKm, isValidFix, isValidSog, KM_PER_NM, MS_PER_HOUR, MS_PER_MINUTE } from './geo';
import { IdentityChangeRule } from './identity-change.rule';
import { LoiteringRule } from './loitering.rule';
import type { MaritimeConfig } from './maritime-config';
import { defaultMaritimeConfig } from './maritime-config';
import type { MaritimeContext } from './maritime-context';
import type { MaritimeSnapshot } from './maritime-snapshot';
import { restoreState, snapshotState } from './maritime-snapshot';
import type { PortRecord } from './port-index';
import { PortIndex } from './port-index';
import { followPortVisit } from './port-visit';
import { RouteDeviationRule } from './route-deviation.rule';
import type { Sample } from './vessel-track';
import { VesselTrack } from './vessel-track';

export interface MaritimeCounters {
  positions: number;
  statics: number;
  invalid: number;
  duplicates: number;
  lateMerged: number;
  lateDropped: number;
  lateStatics: number;
  evicted: number;
}

const noLinker: ConsignmentLinker = { consignmentsOnBoard: () => [] };

/**
 * All maritime rules over one AIS stream. Per vessel it keeps a compact track (newest fix, rolling
 * summaries, open episodes); encounters are found through a cell grid, "distance to port" through a static
 * port index, and time-based rules (AIS gaps, forgetting silent vessels) through a deadline wheel driven by
 * the watermark. Time is event time only: the same events and watermarks always give the same flags.
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
    lateStatics: 0,
    evicted: 0,
  };
  readonly wheel: DeadlineWheel<VesselTrack>;
  readonly aisGap: AisGapRule;
  readonly loitering: LoiteringRule;
  readonly encounter: EncounterRule;
  readonly draughtChange: DraughtChangeRule;
  readonly identityChange: IdentityChangeRule;
  readonly designatedVessel: DesignatedVesselRule;
  readonly routeDeviation: RouteDeviationRule;
  private readonly sink: FlagSink;
  private readonly sample: Sample = { at: 0, lat: 0, lon: 0, sog: 0, eventId: '', portKm: 0, portName: null };
  private readonly resampleMs: number;
  private readonly lateToleranceMs: number;
  private readonly evictMs: number;
  private readonly portSearchKm: number;
  private readonly slowKn: number;

  constructor(
    readonly config: MaritimeConfig = defaultMaritimeConfig,
    ports: readonly PortRecord[] = [],
    readonly linker: ConsignmentLinker = noLinker,
  ) {
    this.ports = new PortIndex(ports);
    this.sink = new FlagSink(linker, config.escalateWithAidOnBoard);
    const ctx: MaritimeContext = {
      config,
      ports: this.ports,
      sink: this.sink,
      linker,
      trackOf: (mmsi) => this.tracks.get(mmsi),
    };
    this.aisGap = new AisGapRule(ctx);
    this.loitering = new LoiteringRule(ctx);
    this.designatedVessel = new DesignatedVesselRule(ctx);
    this.encounter = new EncounterRule(ctx, (pair) => this.designatedVessel.onEncounter(pair));
    this.draughtChange = new DraughtChangeRule(ctx);
    this.identityChange = new IdentityChangeRule(ctx);
    this.routeDeviation = new RouteDeviationRule(ctx);
    this.wheel = new DeadlineWheel(config.deadlineResolutionSeconds * 1000);
    this.resampleMs = config.resampleMinutes * MS_PER_MINUTE;
    this.lateToleranceMs = config.lateToleranceMinutes * MS_PER_MINUTE;
    this.evictMs = config.evictAfterDays * 24 * MS_PER_HOUR;
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
    return detector;
  }

  snapshot(): MaritimeSnapshot {
    return snapshotState(this);
  }

  handle(event: AidEvent, watermark: number): FlagChanges {
    switch (event.type) {
      case EventTypes.VesselPositionReported: {
        const d = event.data;
        this.ingestPosition(d.mmsi, d.lat, d.lon, d.sog, Date.parse(d.at), event.id);
        break;
      }
      case EventTypes.VesselStaticReported:
        this.ingestStatic(event.data, event.id, Date.parse(event.data.at));
        break;
      case EventTypes.VesselDesignated:
        this.ingestDesignation(event.data, event.id, Date.parse(event.time));
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
    this.processDue(watermark);
    return this.sink.take();
  }

  /** The hot path: one AIS position without a CloudEvent object around it. */
  handlePosition(
    mmsi: string,
    lat: number,
    lon: number,
    sog: number,
    atMs: number,
    eventId: string,
  ): FlagChanges {
    this.ingestPosition(mmsi, lat, lon, sog, atMs, eventId);
    return this.sink.take();
  }

  advanceWatermark(watermark: number): FlagChanges {
    if (watermark < this.wheel.nextDueAt) return noChanges();
    this.processDue(watermark);
    return this.sink.take();
  }

  stats() {
    return {
      ...this.counters,
      trackedVessels: this.tracks.size,
      openEncounters: this.encounter.activePairs,
      droppedPairs: this.encounter.droppedPairs,
      vesselsInGrid: this.encounter.grid.size,
      ports: this.ports.size,
      designations: this.designatedVessel.size,
      pendingDeadlineBuckets: this.wheel.pendingBuckets,
    };
  }

  private ingestPosition(
    mmsi: string,
    lat: number,
    lon: number,
    sog: number,
    at: number,
    eventId: string,
  ): void {
    this.counters.positions++;
    if (!isValidFix(lat, lon) || !Number.isFinite(at)) {
      this.counters.invalid++;
      return;
    }
    const track = this.tracks.get(mmsi) ?? this.createTrack(mmsi);
    let speed = isValidSog(sog) ? sog : Infinity;
    if (track.hasFix()) {
      if (at <= track.lastAt) {
        this.lateFix(track, lat, lon, sog, at, eventId);
        return;
      }
      this.identityChange.onFix(track, at, lat, lon, eventId);
      this.aisGap.onFix(track, at, lat, lon, eventId);
      if (speed === Infinity)
        speed =
          distanceKm(track.lastLat, track.lastLon, lat, lon) /
          KM_PER_NM /
          ((at - track.lastAt) / MS_PER_HOUR);
    }
    const first = !track.hasFix();
    track.lastAt = at;
    track.lastLat = lat;
    track.lastLon = lon;
    track.lastSog = speed;
    track.lastEventId = eventId;
    if (first) this.designatedVessel.onObserved(track, eventId, at);
    const bucket = Math.floor(at / this.resampleMs);
    if (bucket !== track.sampleBucket) {
      track.sampleBucket = bucket;
      this.onSample(track);
    }
    // A deadline that moved later is found lazily; one that moved earlier (first fix after static reports
    // only, or a fix ending a gap) must move the track now.
    this.wheel.scheduleNoLater(track, this.dueOf(track));
  }

  /**
   * A fix not newer than the vessel's newest. Within the tolerance it is merged into what does not depend
   * on order (the implied-speed check, breaking a loitering run); it never moves the vessel's position.
   */
  private lateFix(
    track: VesselTrack,
    lat: number,
    lon: number,
    sog: number,
    at: number,
    eventId: string,
  ): void {
    if (
      eventId === track.lastEventId ||
      (at === track.lastAt && lat === track.lastLat && lon === track.lastLon)
    ) {
      this.counters.duplicates++;
      return;
    }
    if (track.lastAt - at > this.lateToleranceMs) {
      this.counters.lateDropped++;
      return;
    }
    this.counters.lateMerged++;
    this.identityChange.onFix(track, at, lat, lon, eventId);
    if (isValidSog(sog)) this.loitering.onLateFix(track, at, sog);
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
    let nearest: PortRecord | null = null;
    if (
      s.sog < this.slowKn ||
      track.pairs !== null ||
      track.loiter !== null ||
      track.portVisit !== null ||
      track.voyages !== null
    ) {
      const hit = this.ports.nearestWithin(s.lat, s.lon, this.portSearchKm);
      if (hit) {
        nearest = hit.port;
        s.portKm = hit.km;
        s.portName = hit.port.name;
      }
    }
    const arrivedAt = followPortVisit(track, s, nearest, this.ports, this.config.portVisit);
    if (arrivedAt) this.routeDeviation.onPortVisit(track, arrivedAt, s);
    this.loitering.onSample(track, s);
    this.encounter.onSample(track, s);
    this.routeDeviation.onSample(track, s);
  }

  private ingestStatic(data: VesselStaticData, eventId: string, at: number): void {
    this.counters.statics++;
    if (!Number.isFinite(at)) {
      this.counters.invalid++;
      return;
    }
    const track = this.tracks.get(data.mmsi) ?? this.createTrack(data.mmsi);
    if (at < track.lastStaticAt) {
      this.counters.lateStatics++;
      return;
    }
    track.lastStaticAt = at;
    if (typeof data.shipType === 'number') track.shipType = data.shipType;
    this.identityChange.onStatic(track, data, at, eventId);
    this.designatedVessel.onObserved(track, eventId, at);
    this.draughtChange.onStatic(track, data.draught, at, eventId);
    if (track.dueKey < 0) this.wheel.schedule(track, this.dueOf(track));
  }

  private ingestDesignation(data: VesselDesignatedData, eventId: string, at: number): void {
    const d = this.designatedVessel.designate(data, eventId, at);
    const byMmsi = d.mmsi ? this.tracks.get(d.mmsi) : undefined;
    const holder = d.imo ? this.identityChange.imoHolders.get(d.imo) : undefined;
    const byImo = holder ? this.tracks.get(holder.mmsi) : undefined;
    for (const track of new Set([byMmsi, byImo])) {
      if (track) this.designatedVessel.onObserved(track, track.lastEventId, at);
    }
  }

  private ingestRegistration(data: ConsignmentRegisteredData, eventId: string, at: number): void {
    const voyages = this.routeDeviation.register(data, eventId);
    const track = this.tracks.get(data.vessel.mmsi);
    if (track) track.voyages = voyages;
    this.designatedVessel.onCarrier(data, eventId, at);
  }

  private createTrack(mmsi: string): VesselTrack {
    const track = new VesselTrack(mmsi);
    track.voyages = this.routeDeviation.voyagesByMmsi.get(mmsi) ?? null;
    this.tracks.set(mmsi, track);
    return track;
  }

  private dueOf(track: VesselTrack): number {
    if (track.hasFix() && track.gap === null) return track.lastAt + this.aisGap.minGapMs;
    return track.lastSeenAt + this.evictMs;
  }

  private processDue(watermark: number): void {
    if (watermark < this.wheel.nextDueAt) return;
    const ready: Array<{ track: VesselTrack; at: number }> = [];
    for (const track of this.wheel.takeDue(watermark)) {
      const at = this.dueOf(track);
      if (at <= watermark) ready.push({ track, at });
      else this.wheel.schedule(track, at);
    }
    ready.sort(
      (x, y) => x.at - y.at || (x.track.mmsi < y.track.mmsi ? -1 : x.track.mmsi > y.track.mmsi ? 1 : 0),
    );
    for (const { track } of ready) this.onDue(track, watermark);
  }

  private onDue(track: VesselTrack, watermark: number): void {
    if (track.hasFix() && track.gap === null) {
      const dueAt = track.lastAt + this.aisGap.minGapMs;
      if (dueAt <= watermark) {
        this.loitering.onSilence(track);
        this.encounter.onSilence(track, dueAt);
        this.aisGap.onDue(track, dueAt);
      }
    }
    if (track.lastSeenAt + this.evictMs <= watermark) {
      this.encounter.onEvict(track);
      this.wheel.unschedule(track);
      this.tracks.delete(track.mmsi);
      this.counters.evicted++;
      return;
    }
    this.wheel.schedule(track, this.dueOf(track));
  }
}
