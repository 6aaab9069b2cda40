import { distanceKm, isValidFix, isValidSog, KM_PER_NM, MS_PER_HOUR } from './geo';
import type { MaritimeConfig } from './maritime-config';
import type { MaritimeCounters } from './maritime-counters';
import type { PortIndex, PortRecord } from './port-index';
import { followPortVisit } from './port-visit';
import type { ReplayStep, RouteDeviationRule } from './route-deviation.rule';
import type { Decision } from './rule-decision';
import type { Sample, VesselTrack } from './vessel-track';

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

/** What corridor replays read and count of a maritime detector. */
export interface RouteReplayContext {
  readonly config: MaritimeConfig;
  readonly ports: PortIndex;
  readonly counters: MaritimeCounters;
  readonly routeDeviation: RouteDeviationRule;
  trackOf(mmsi: string): VesselTrack | undefined;
  /** Applies the decisions of a replay, in order (see `VesselRules.apply`). */
  apply(decisions: readonly Decision[]): void;
}

/**
 * Corridor replays of carriers (time model 9): a consignment's paperwork older than its carrier's newest
 * position asks for the declared voyage to be judged again over the positions already passed. Requests wait
 * until taken (`take`), since the stored positions are the caller's; `replay` judges one over them.
 */
export class RouteReplays {
  /** Corridor replays asked for by the paperwork folded last (see `request`). */
  private pending: RouteReplayRequest[] = [];

  /**
   * `resampleMs`: the resampling interval (ms); `slowKn`: below this speed (knots) a sample looks for its
   * nearest port, within `portSearchKm` (km).
   */
  constructor(
    private readonly ctx: RouteReplayContext,
    private readonly resampleMs: number,
    private readonly slowKn: number,
    private readonly portSearchKm: number,
  ) {}

  /**
   * A consignment's registration, load, departure or discharge (`kind`) dated `at` was folded for carrier
   * `mmsi`, and the aid is on board it since `onBoardSince` (+Infinity when not known). When the paperwork is
   * older than the carrier's newest position, the corridor checks of the consignment's declared voyage are
   * judged again over positions already passed (time model 9): a discharge at once — open corridor flags of
   * that aid from the discharge on are cleared, the aid was not on board — and a registration, load or
   * departure through a `RouteReplayRequest` (`take`), since that needs the stored positions.
   * Paperwork in time (no newer position yet) costs nothing here, nor does a load or departure that leaves
   * the time the aid came on board as it was (`onBoardBefore`: that time before the event was folded).
   */
  request(
    mmsi: string,
    consignmentId: string,
    kind: 'registered' | 'loaded' | 'departed' | 'discharged',
    at: number,
    onBoardSince: number,
    onBoardBefore = Number.NaN,
  ): void {
    const track = this.ctx.trackOf(mmsi);
    if (!track || !track.hasFix() || !(at <= track.lastAt)) return;
    if ((kind === 'loaded' || kind === 'departed') && onBoardSince === onBoardBefore) return;
    const voyage = this.ctx.routeDeviation.voyagesByMmsi
      .get(mmsi)
      ?.find((v) => v.consignmentId === consignmentId);
    if (!voyage) return;
    if (kind === 'discharged' && at >= onBoardSince) {
      this.ctx.counters.routeReplays++;
      this.ctx.apply(
        this.ctx.routeDeviation.replayCorridor(track, [consignmentId], at, [], track.lastAt).decisions,
      );
      return;
    }
    const cfg = this.ctx.config.routeDeviation;
    let fromMs = onBoardSince;
    if (!Number.isFinite(fromMs)) {
      // Not on board (any more): its open corridor flags, if any, are judged with no sample.
      fromMs = this.ctx.routeDeviation.earliestOpenCorridorFlag(mmsi, consignmentId);
      if (!Number.isFinite(fromMs)) return;
    }
    const horizon = track.lastAt - cfg.replayHorizonDays * 24 * MS_PER_HOUR;
    if (fromMs < horizon) {
      fromMs = horizon;
      this.ctx.counters.routeReplaysTruncated++;
    }
    if (fromMs > track.lastAt) return;
    const pending = this.pending.find((r) => r.mmsi === mmsi);
    if (pending) {
      if (!pending.consignmentIds.includes(consignmentId)) pending.consignmentIds.push(consignmentId);
      pending.consignmentIds.sort();
      pending.fromMs = Math.min(pending.fromMs, fromMs);
      pending.readFromMs = pending.fromMs - this.resampleMs;
      return;
    }
    this.pending.push({
      mmsi,
      consignmentIds: [consignmentId],
      fromMs,
      readFromMs: fromMs - this.resampleMs,
      toMs: track.lastAt,
      maxFixes: cfg.replayMaxFixes,
    });
  }

  /** The corridor replays asked for by the paperwork folded last (then forgotten); usually none. */
  take(): RouteReplayRequest[] {
    if (this.pending.length === 0) return [];
    const taken = this.pending;
    this.pending = [];
    return taken;
  }

  /** Forgets replays not taken (a caller without history); the next paperwork asks afresh. */
  discard(): void {
    if (this.pending.length > 0) this.pending = [];
  }

  /**
   * Runs a corridor replay over `fixes` — the carrier's stored reports from `readFromMs` to `toMs`, in the
   * order they were folded (see `VesselHistory`): the samples are made from them as in-order delivery made
   * them (the first report newer than the newest in each resampling interval) and the voyages' corridor
   * watch judged again from `fromMs` (see `RouteDeviationRule.replayCorridor`). A replay that read
   * `maxFixes` reports (there may be more) judges what it read and clears nothing.
   */
  replay(request: RouteReplayRequest, fixes: Iterable<PastFix>): void {
    const track = this.ctx.trackOf(request.mmsi);
    if (!track) return;
    const { resampleMs, slowKn, portSearchKm } = this;
    const ports = this.ctx.ports;
    const portVisitConfig = this.ctx.config.portVisit;
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
    this.ctx.counters.routeReplays++;
    const { judged, decisions } = this.ctx.routeDeviation.replayCorridor(
      track,
      request.consignmentIds,
      request.fromMs,
      steps(),
      track.lastAt,
      () => !cut,
    );
    this.ctx.apply(decisions);
    this.ctx.counters.routeReplaySamples += judged;
    if (cut) this.ctx.counters.routeReplaysTruncated++;
  }
}
