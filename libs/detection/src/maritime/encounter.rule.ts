import type { Flag } from '@aidwatch/domain';
import { distance, duration, fromNearestPort, knots, position, round1, vesselLabel } from './explain';
import { distanceKm, MS_PER_HOUR, MS_PER_MINUTE } from './geo';
import type { MaritimeContext } from './maritime-context';
import { finiteOrNull, nearestPort } from './maritime-context';
import { VesselCellGrid } from './vessel-cell-grid';
import type { Sample, VesselTrack } from './vessel-track';

/** Two vessels seen close together; lives only while the encounter may go on. */
export interface EncounterPair {
  a: VesselTrack;
  b: VesselTrack;
  startAt: number;
  lastCloseAt: number;
  lat: number;
  lon: number;
  /** Sampled speeds of both vessels while close, in bins of `speedResolutionKn`; the last bin is "too fast". */
  speeds: Uint16Array;
  maxDistM: number;
  minPortKm: number;
  firstEvidence: [string, string];
  lastEvidence: [string, string];
  flags: Flag[] | null;
}

export type EncounterListener = (pair: EncounterPair) => void;

/**
 * Possible ship-to-ship transfer (Global Fishing Watch's definition): two vessels within 500 m for ≥ 2 h at
 * a median speed < 2 kn, ≥ 10 km from any port, on 10-minute samples, pieces < 4 h apart merged.
 * New pairs are found through a cell grid holding only slow vessels away from port; an open pair is
 * followed on every sample of either vessel, whatever its speed, so the median sees the fast samples too.
 * One flag per vessel (subject = that vessel), each naming the other and carrying both vessels' aid.
 */
export class EncounterRule {
  readonly grid: VesselCellGrid<VesselTrack>;
  private readonly near: VesselTrack[] = [];
  private readonly bins: number;
  droppedPairs = 0;
  activePairs = 0;

  constructor(
    private readonly ctx: MaritimeContext,
    private readonly onRaised: EncounterListener = () => undefined,
  ) {
    this.grid = new VesselCellGrid(ctx.config.encounter.cellSizeKm);
    this.bins = Math.ceil(this.cfg.maxMedianSpeedKn / this.cfg.speedResolutionKn) + 1;
  }

  private get cfg() {
    return this.ctx.config.encounter;
  }

  onSample(track: VesselTrack, s: Sample): void {
    const cfg = this.cfg;
    const skewMs = cfg.maxFixSkewMinutes * MS_PER_MINUTE;
    const maxKm = cfg.maxDistanceM / 1000;
    if (track.pairs) {
      for (const pair of [...track.pairs]) {
        if (s.at - pair.lastCloseAt > cfg.mergeGapHours * MS_PER_HOUR) {
          this.finalize(pair);
          continue;
        }
        const other = pair.a === track ? pair.b : pair.a;
        if (Math.abs(s.at - other.lastAt) > skewMs) continue;
        const km = distanceKm(s.lat, s.lon, other.lastLat, other.lastLon);
        if (km <= maxKm) this.record(pair, track, other, s, km);
      }
    }
    if (s.sog >= cfg.maxMedianSpeedKn || s.portKm < cfg.minPortDistanceKm) {
      this.grid.remove(track);
      return;
    }
    this.grid.place(track, s.lat, s.lon);
    if (this.grid.near(s.lat, s.lon, maxKm, this.near) <= 1) return;
    const found: Array<{ other: VesselTrack; km: number }> = [];
    for (const other of this.near) {
      if (other === track || Math.abs(s.at - other.lastAt) > skewMs || partnerOf(track, other)) continue;
      const km = distanceKm(s.lat, s.lon, other.lastLat, other.lastLon);
      if (km <= maxKm) found.push({ other, km });
    }
    found.sort((x, y) => (x.other.mmsi < y.other.mmsi ? -1 : 1));
    for (const { other, km } of found) {
      if ((track.pairs?.length ?? 0) >= cfg.maxActivePairsPerVessel) {
        this.droppedPairs++;
        continue;
      }
      if ((other.pairs?.length ?? 0) >= cfg.maxActivePairsPerVessel) {
        this.droppedPairs++;
        continue;
      }
      const pair: EncounterPair = {
        a: track,
        b: other,
        startAt: Math.min(s.at, other.lastAt),
        lastCloseAt: s.at,
        lat: s.lat,
        lon: s.lon,
        speeds: new Uint16Array(this.bins),
        maxDistM: 0,
        minPortKm: Infinity,
        firstEvidence: [s.eventId, other.lastEventId],
        lastEvidence: [s.eventId, other.lastEventId],
        flags: null,
      };
      (track.pairs ??= []).push(pair);
      (other.pairs ??= []).push(pair);
      this.activePairs++;
      this.record(pair, track, other, s, km);
    }
  }

  /** The vessel went silent: every pair it is in has been apart (from its side) at least as long. */
  onSilence(track: VesselTrack, at: number): void {
    if (track.pairs) {
      for (const pair of [...track.pairs]) {
        if (at - pair.lastCloseAt > this.cfg.mergeGapHours * MS_PER_HOUR) this.finalize(pair);
      }
    }
    this.grid.remove(track);
  }

  /** The vessel is forgotten: close its pairs whatever their age. */
  onEvict(track: VesselTrack): void {
    if (track.pairs) for (const pair of [...track.pairs]) this.finalize(pair);
    this.grid.remove(track);
  }

  private record(pair: EncounterPair, track: VesselTrack, other: VesselTrack, s: Sample, km: number): void {
    if (s.at > pair.lastCloseAt) pair.lastCloseAt = s.at;
    this.addSpeed(pair, s.sog);
    this.addSpeed(pair, other.lastSog);
    if (km * 1000 > pair.maxDistM) pair.maxDistM = km * 1000;
    if (s.portKm < pair.minPortKm) pair.minPortKm = s.portKm;
    const mine = pair.a === track ? 0 : 1;
    pair.lastEvidence[mine] = s.eventId;
    pair.lastEvidence[1 - mine] = other.lastEventId;
    if (!pair.flags && this.qualifies(pair)) {
      pair.flags = [
        this.ctx.sink.raise(this.draft(pair, pair.a, true)),
        this.ctx.sink.raise(this.draft(pair, pair.b, true)),
      ];
      this.onRaised(pair);
    }
  }

  private finalize(pair: EncounterPair): void {
    detach(pair.a, pair);
    detach(pair.b, pair);
    this.activePairs--;
    if (pair.flags) {
      pair.flags = [
        this.ctx.sink.supersede(pair.flags[0], this.draft(pair, pair.a, false)),
        this.ctx.sink.supersede(pair.flags[1], this.draft(pair, pair.b, false)),
      ];
    }
  }

  private addSpeed(pair: EncounterPair, sog: number): void {
    const bin = Number.isFinite(sog)
      ? Math.min(Math.floor(sog / this.cfg.speedResolutionKn), this.bins - 1)
      : this.bins - 1;
    if (pair.speeds[bin] < 0xffff) pair.speeds[bin]++;
  }

  /** Median speed to the bin's lower edge; Infinity when at least half the samples were too fast. */
  medianKn(pair: EncounterPair): number {
    let total = 0;
    for (const n of pair.speeds) total += n;
    let seen = 0;
    for (let i = 0; i < this.bins - 1; i++) {
      seen += pair.speeds[i];
      if (seen * 2 > total) return i * this.cfg.speedResolutionKn;
    }
    return Infinity;
  }

  private qualifies(pair: EncounterPair): boolean {
    const cfg = this.cfg;
    return (
      pair.lastCloseAt - pair.startAt >= cfg.minDurationHours * MS_PER_HOUR &&
      this.medianKn(pair) < cfg.maxMedianSpeedKn &&
      pair.minPortKm >= cfg.minPortDistanceKm
    );
  }

  private draft(pair: EncounterPair, subject: VesselTrack, ongoing: boolean) {
    const cfg = this.cfg;
    const other = subject === pair.a ? pair.b : pair.a;
    const port = nearestPort(this.ctx, pair.lat, pair.lon);
    const median = this.medianKn(pair);
    const ms = pair.lastCloseAt - pair.startAt;
    const medianText = Number.isFinite(median) ? knots(median) : `${knots(cfg.maxMedianSpeedKn)} or more`;
    return {
      rule: 'encounter' as const,
      key: `encounter:${other.mmsi}:${pair.startAt}`,
      severity: cfg.severity,
      mmsi: subject.mmsi,
      partnerMmsi: other.mmsi,
      fromMs: pair.startAt,
      atMs: pair.lastCloseAt,
      observed: {
        partnerMmsi: other.mmsi,
        partnerName: other.name,
        hours: Math.round((ms / MS_PER_HOUR) * 100) / 100,
        medianSpeedKn: Number.isFinite(median) ? round1(median) : null,
        maxDistanceM: Math.round(pair.maxDistM),
        portDistanceKm: finiteOrNull(port.km),
        nearestPort: port.name,
        ongoing,
      },
      threshold: {
        maxDistanceM: cfg.maxDistanceM,
        minDurationHours: cfg.minDurationHours,
        maxMedianSpeedKn: cfg.maxMedianSpeedKn,
        minPortDistanceKm: cfg.minPortDistanceKm,
      },
      evidence: [...pair.firstEvidence, ...pair.lastEvidence],
      explanation:
        `${vesselLabel(subject)} and ${vesselLabel(other)} ${ongoing ? 'have stayed' : 'stayed'} within ` +
        `${distance(pair.maxDistM / 1000)} of each other for ${duration(ms)} at ${medianText} median ` +
        `near ${position(pair.lat, pair.lon)}, ${fromNearestPort(port.km, port.name)}`,
    };
  }
}

const partnerOf = (track: VesselTrack, other: VesselTrack): boolean =>
  track.pairs !== null && track.pairs.some((p) => p.a === other || p.b === other);

function detach(track: VesselTrack, pair: EncounterPair): void {
  if (!track.pairs) return;
  const i = track.pairs.indexOf(pair);
  if (i >= 0) track.pairs.splice(i, 1);
  if (track.pairs.length === 0) track.pairs = null;
}
