import type { Flag } from '@aidwatch/domain';
import { distance, duration, fromNearestPort, knots, position, round1, vesselLabel } from './explain';
import { distanceKm, MS_PER_HOUR, MS_PER_MINUTE } from './geo';
import type { MaritimeContext } from './maritime-context';
import { finiteOrNull, nearestPort } from './maritime-context';
import { VesselCellGrid } from './vessel-cell-grid';
import type { VesselRule } from './vessel-rule';
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

/** A pair in a snapshot: kept in the state of its vessel `a`, naming `b` by MMSI. */
export interface EncounterPairJson extends Omit<EncounterPair, 'a' | 'b' | 'speeds'> {
  b: string;
  speeds: number[];
}

type Pairs = EncounterPair[] | null;

/**
 * Possible ship-to-ship transfer (Global Fishing Watch's definition): two vessels within 500 m for ≥ 2 h at
 * a median speed < 2 kn, ≥ 10 km from any port, on 10-minute samples, pieces < 4 h apart merged.
 * New pairs are found through a cell grid holding only slow vessels away from port; an open pair is
 * followed on every sample of either vessel, whatever its speed, so the median sees the fast samples too.
 * One flag per vessel (subject = that vessel), each naming the other and carrying both vessels' aid.
 */
export class EncounterRule implements VesselRule<Pairs> {
  readonly name = 'encounter';
  /** Where the detector keeps this rule's state in each vessel (pairs are shared by two vessels). */
  slot = -1;
  readonly grid: VesselCellGrid<VesselTrack>;
  private readonly near: VesselTrack[] = [];
  private readonly bins: number;
  private readonly silenceMs: number;
  droppedPairs = 0;
  activePairs = 0;

  constructor(
    private readonly ctx: MaritimeContext,
    private readonly onRaised: EncounterListener = () => undefined,
  ) {
    this.grid = new VesselCellGrid(ctx.config.encounter.cellSizeKm);
    this.bins = Math.ceil(this.cfg.maxMedianSpeedKn / this.cfg.speedResolutionKn) + 1;
    this.silenceMs = ctx.config.aisGap.minGapHours * MS_PER_HOUR;
  }

  private get cfg() {
    return this.ctx.config.encounter;
  }

  initialState(): Pairs {
    return null;
  }

  private pairsOf(track: VesselTrack): Pairs {
    return track.states[this.slot] as Pairs;
  }

  onSample(track: VesselTrack, pairs: Pairs, s: Sample): Pairs {
    const cfg = this.cfg;
    const skewMs = cfg.maxFixSkewMinutes * MS_PER_MINUTE;
    const maxKm = cfg.maxDistanceM / 1000;
    if (pairs) {
      for (const pair of [...pairs]) {
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
      return this.pairsOf(track);
    }
    this.grid.place(track, s.lat, s.lon);
    if (this.grid.near(s.lat, s.lon, maxKm, this.near) <= 1) return this.pairsOf(track);
    const found: Array<{ other: VesselTrack; km: number }> = [];
    for (const other of this.near) {
      if (other === track || Math.abs(s.at - other.lastAt) > skewMs || this.partnerOf(track, other)) continue;
      const km = distanceKm(s.lat, s.lon, other.lastLat, other.lastLon);
      if (km <= maxKm) found.push({ other, km });
    }
    found.sort((x, y) => (x.other.mmsi < y.other.mmsi ? -1 : 1));
    for (const { other, km } of found) {
      if ((this.pairsOf(track)?.length ?? 0) >= cfg.maxActivePairsPerVessel) {
        this.droppedPairs++;
        continue;
      }
      if ((this.pairsOf(other)?.length ?? 0) >= cfg.maxActivePairsPerVessel) {
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
      this.attach(track, pair);
      this.attach(other, pair);
      this.activePairs++;
      this.record(pair, track, other, s, km);
    }
    return this.pairsOf(track);
  }

  /** A vessel in an encounter or in the grid is looked at again once silent for the AIS-gap threshold. */
  dueAt(track: VesselTrack, pairs: Pairs): number {
    return pairs !== null || track.cellId >= 0 ? track.lastAt + this.silenceMs : NaN;
  }

  /** The vessel went silent: its encounters end (each has been apart, from its side, that long). */
  onDue(track: VesselTrack, pairs: Pairs): Pairs {
    if (pairs) for (const pair of [...pairs]) this.finalize(pair);
    this.grid.remove(track);
    return this.pairsOf(track);
  }

  /** The vessel is forgotten: close its pairs whatever their age. */
  onEvict(track: VesselTrack, pairs: Pairs): void {
    if (pairs) for (const pair of [...pairs]) this.finalize(pair);
    this.grid.remove(track);
  }

  /** The pairs this vessel is the first of (the other vessel's state names none of them). */
  toJSON(pairs: Pairs, track: VesselTrack): unknown {
    if (!pairs) return undefined;
    const own = pairs.filter((p) => p.a === track);
    if (own.length === 0) return undefined;
    return own.map(({ a: _a, b, speeds, ...rest }): EncounterPairJson => ({
      ...rest,
      firstEvidence: [...rest.firstEvidence],
      lastEvidence: [...rest.lastEvidence],
      b: b.mmsi,
      speeds: Array.from(speeds),
    }));
  }

  /** Restores this vessel's own pairs and attaches each to its other vessel as well. */
  fromJSON(json: unknown, track: VesselTrack, resolve: (mmsi: string) => VesselTrack | undefined): Pairs {
    for (const p of (json as EncounterPairJson[] | undefined) ?? []) {
      const other = resolve(p.b);
      if (!other) continue;
      const { b: _b, speeds, ...rest } = p;
      const pair: EncounterPair = { ...rest, a: track, b: other, speeds: Uint16Array.from(speeds) };
      this.attach(track, pair);
      this.attach(other, pair);
      this.activePairs++;
    }
    return this.pairsOf(track);
  }

  private attach(track: VesselTrack, pair: EncounterPair): void {
    this.ctx.changed(pair.a);
    const pairs = this.pairsOf(track);
    if (pairs) pairs.push(pair);
    else track.states[this.slot] = [pair];
  }

  private partnerOf(track: VesselTrack, other: VesselTrack): boolean {
    const pairs = this.pairsOf(track);
    return pairs !== null && pairs.some((p) => p.a === other || p.b === other);
  }

  private detach(track: VesselTrack, pair: EncounterPair): void {
    this.ctx.changed(pair.a);
    const pairs = this.pairsOf(track);
    if (!pairs) return;
    const i = pairs.indexOf(pair);
    if (i >= 0) pairs.splice(i, 1);
    if (pairs.length === 0) track.states[this.slot] = null;
  }

  private record(pair: EncounterPair, track: VesselTrack, other: VesselTrack, s: Sample, km: number): void {
    this.ctx.changed(pair.a);
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
    this.detach(pair.a, pair);
    this.detach(pair.b, pair);
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
