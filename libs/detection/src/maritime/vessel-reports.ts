import type { VesselStaticData } from '@aidwatch/domain';
import type { InputClock } from '../input-clocks';
import { distanceKm, isValidFix, isValidSog, KM_PER_NM, MS_PER_HOUR, MS_PER_MINUTE } from './geo';
import { normaliseImo, normaliseText } from './identity-change.rule';
import type { MaritimeConfig } from './maritime-config';
import type { MaritimeCounters } from './maritime-counters';
import type { PortIndex, PortRecord } from './port-index';
import { followPortVisit } from './port-visit';
import type { VesselClocks } from './vessel-clocks';
import type { Fix } from './vessel-rule';
import type { VesselRules } from './vessel-rules';
import type { Sample, VesselTrack } from './vessel-track';

/** What folding a vessel's own reports reads and moves of a maritime detector. */
export interface VesselReportsContext {
  readonly config: MaritimeConfig;
  readonly ports: PortIndex;
  readonly counters: MaritimeCounters;
  readonly hooks: VesselRules;
  readonly vessels: VesselClocks;
  /** The vessel's record, created with every rule's initial state on its first report. */
  trackFor(mmsi: string): VesselTrack;
  /** Notes the vessel's state as changed (checkpoints). */
  changed(track: VesselTrack): void;
}

/**
 * A vessel's own reports — positions and static data — folded into its record and its rules: the newest
 * fix moves, the track is resampled (one sample per `resampleMinutes`, with its distance to the nearest port
 * and the port visit it makes), and the vessel's due time and run of lagging reports follow.
 */
export class VesselReports {
  private readonly sample: Sample = { at: 0, lat: 0, lon: 0, sog: 0, eventId: '', portKm: 0, portName: null };
  private readonly fix: Fix = { at: 0, lat: 0, lon: 0, sog: 0, eventId: '' };
  /** The resampling interval (ms). */
  readonly resampleMs: number;
  /** How far (ms) behind the vessel's newest a fix is still merged into order-free checks. */
  readonly lateToleranceMs: number;
  /** How far (km) a sample looks for its nearest port: the farthest any rule (`portSearch`) or the port visit asks. */
  readonly portSearchKm: number;
  /** Below this speed (knots) a sample looks for its nearest port: the fastest any rule or the port visit asks. */
  readonly slowKn: number;

  constructor(private readonly ctx: VesselReportsContext) {
    const config = ctx.config;
    this.resampleMs = config.resampleMinutes * MS_PER_MINUTE;
    this.lateToleranceMs = config.lateToleranceMinutes * MS_PER_MINUTE;
    const searches = ctx.hooks.list.flatMap((rule) => (rule.portSearch ? [rule.portSearch] : []));
    this.portSearchKm = Math.max(
      config.portVisit.enterKm,
      config.portVisit.exitKm,
      ...searches.map((search) => search.withinKm),
    );
    this.slowKn = Math.max(config.portVisit.maxSpeedKn, ...searches.map((search) => search.belowKn));
  }

  /** A position report of vessel `mmsi` at `at` (ms), `sog` in knots (NaN: not available), come by `input`. */
  position(
    mmsi: string,
    lat: number,
    lon: number,
    sog: number,
    at: number,
    eventId: string,
    input: InputClock,
  ): void {
    this.ctx.counters.positions++;
    if (!isValidFix(lat, lon) || !Number.isFinite(at)) {
      this.ctx.counters.invalid++;
      return;
    }
    const track = this.ctx.trackFor(mmsi);
    this.ctx.vessels.reportedBy(track, input);
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
    this.ctx.changed(track);
    let speed = isValidSog(sog) ? sog : Infinity;
    if (speed === Infinity && track.hasFix())
      speed =
        distanceKm(track.lastLat, track.lastLon, lat, lon) / KM_PER_NM / ((at - track.lastAt) / MS_PER_HOUR);
    this.ctx.hooks.onFix(track, fix);
    track.lastAt = at;
    track.lastLat = lat;
    track.lastLon = lon;
    track.lastSog = speed;
    track.lastEventId = eventId;
    const clock = this.ctx.vessels.clockOf(track);
    track.arrivedAt = clock;
    const lagging = at < clock - this.lateToleranceMs;
    if (track.lagging) this.ctx.vessels.forgetLagging(track);
    if (lagging) this.ctx.vessels.startRun(track, input);
    const bucket = Math.floor(at / this.resampleMs);
    if (bucket !== track.sampleBucket) {
      track.sampleBucket = bucket;
      this.onSample(track);
    }
    // A deadline that moved later is found lazily; one that moved earlier (first fix after static reports
    // only, or a fix ending a gap) must move the track now.
    this.ctx.vessels.scheduleNoLater(track);
  }

  /**
   * A fix not newer than the vessel's newest. The rules hear of it however late (`VesselRule.onPastFix`: inside
   * an open AIS gap of the vessel it splits the silence). Within the tolerance it is also merged into what does not
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
      this.ctx.counters.duplicates++;
      return;
    }
    this.ctx.hooks.onPastFix(track, fix, input.id);
    if (track.lastAt - fix.at > this.lateToleranceMs) {
      this.ctx.counters.lateDropped++;
      return;
    }
    this.ctx.counters.lateMerged++;
    this.ctx.changed(track);
    this.ctx.hooks.onLateFix(track, fix);
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
    if (s.sog < this.slowKn || track.portVisit !== null || this.ctx.hooks.hasOpenSampleState(track)) {
      const hit = this.ctx.ports.nearestWithin(s.lat, s.lon, this.portSearchKm);
      if (hit) {
        nearest = hit.port;
        s.portKm = hit.km;
        s.portName = hit.port.name;
      }
    }
    const arrivedAt = followPortVisit(track, s, nearest, this.ctx.ports, this.ctx.config.portVisit);
    this.ctx.hooks.onSample(track, s, arrivedAt);
  }

  staticReport(data: VesselStaticData, eventId: string, at: number, input: InputClock): void {
    this.ctx.counters.statics++;
    if (!Number.isFinite(at)) {
      this.ctx.counters.invalid++;
      return;
    }
    const track = this.ctx.trackFor(data.mmsi);
    this.ctx.vessels.reportedBy(track, input);
    if (track.firstEventId === '') this.firstReport(track, at, eventId);
    if (at < track.lastStaticAt) {
      this.ctx.counters.lateStatics++;
      return;
    }
    this.ctx.changed(track);
    track.lastStaticAt = at;
    if (typeof data.shipType === 'number') track.shipType = data.shipType;
    const name = normaliseText(data.name);
    if (name !== null) track.reportName(name, at);
    const imo = normaliseImo(data.imo);
    if (imo !== null) track.imo = imo;
    this.ctx.hooks.onStatic(track, data, at, eventId);
    if (!(track.arrivedAt >= this.ctx.vessels.clockOf(track)))
      track.arrivedAt = this.ctx.vessels.clockOf(track);
    if (track.dueKey < 0) this.ctx.vessels.schedule(track);
  }

  /** Notes the vessel's first report (the sighting a listing dated before it names, whenever it arrives). */
  private firstReport(track: VesselTrack, at: number, eventId: string): void {
    track.firstAt = at;
    track.firstEventId = eventId;
  }
}
