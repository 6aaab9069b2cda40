import CheapRuler from 'cheap-ruler';
import type { LonLat } from './sea-lanes';

export const KM_PER_NM = 1.852;
export const MS_PER_HOUR = 3_600_000;

// cheap-ruler is exact enough over one lane segment (tens of km) when measured at that segment's latitude.
const rulers = new Map<number, CheapRuler>();
export function rulerAt(lat: number): CheapRuler {
  const key = Math.round(lat * 10);
  let r = rulers.get(key);
  if (!r) rulers.set(key, (r = new CheapRuler(key / 10, 'kilometers')));
  return r;
}

export const distanceKm = (a: LonLat, b: LonLat): number => rulerAt((a[1] + b[1]) / 2).distance(a, b);

/** Moves a point by km east and north. */
export function offsetKm(p: LonLat, eastKm: number, northKm: number): LonLat {
  const r = rulerAt(p[1]);
  return [p[0] + eastKm / r.kx, p[1] + northKm / r.ky];
}

/** A polyline measured in kilometres along its length. */
export class Track {
  readonly lengthKm: number;
  private readonly cumulative: number[];

  constructor(readonly points: readonly LonLat[]) {
    if (points.length < 2) throw new RangeError('a track needs two points');
    this.cumulative = [0];
    for (let i = 1; i < points.length; i++) {
      this.cumulative.push(this.cumulative[i - 1] + distanceKm(points[i - 1], points[i]));
    }
    this.lengthKm = this.cumulative[this.cumulative.length - 1];
  }

  pointAt(km: number): LonLat {
    const [i, f] = this.locate(km);
    const a = this.points[i];
    const b = this.points[i + 1];
    return [a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f];
  }

  /** Course over ground at that distance, degrees from true north. */
  bearingAt(km: number): number {
    const [i] = this.locate(km);
    const a = this.points[i];
    const b = this.points[i + 1];
    const bearing = rulerAt((a[1] + b[1]) / 2).bearing(a, b);
    return (bearing + 360) % 360;
  }

  /** The part between two distances along the track. */
  slice(fromKm: number, toKm: number): Track {
    const from = Math.max(0, Math.min(fromKm, this.lengthKm));
    const to = Math.max(from, Math.min(toKm, this.lengthKm));
    const inner = this.points.filter((_, i) => this.cumulative[i] > from && this.cumulative[i] < to);
    return new Track([this.pointAt(from), ...inner, this.pointAt(to)]);
  }

  /** Distance of the first point at least `km` away from `origin` in a straight line, walking from the start. */
  firstBeyond(origin: LonLat, km: number, stepKm = 0.25): number {
    for (let s = 0; s <= this.lengthKm; s += stepKm) {
      if (distanceKm(this.pointAt(s), origin) >= km) return s;
    }
    return this.lengthKm;
  }

  private locate(km: number): [number, number] {
    const s = Math.max(0, Math.min(km, this.lengthKm));
    let lo = 0;
    let hi = this.cumulative.length - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (this.cumulative[mid] <= s) lo = mid;
      else hi = mid;
    }
    const span = this.cumulative[lo + 1] - this.cumulative[lo];
    return [lo, span > 0 ? (s - this.cumulative[lo]) / span : 0];
  }
}

/**
 * Motion along a track: harbour speed inside the first and last stretches (the ports' areas), cruise speed
 * between. Gives the distance covered at any time and the time any distance is reached.
 */
export class TrackMotion {
  readonly durationMs: number;
  private readonly cruiseKmPerMs: number;
  private readonly harbourKmPerMs: number;
  private readonly slowStartKm: number;
  private readonly slowEndKm: number;

  constructor(
    readonly track: Track,
    readonly startMs: number,
    readonly cruiseKn: number,
    readonly harbourKn: number,
    slowStartKm: number,
    slowEndKm: number,
  ) {
    const total = track.lengthKm;
    this.slowStartKm = Math.min(slowStartKm, total / 2);
    this.slowEndKm = Math.min(slowEndKm, total - this.slowStartKm);
    this.cruiseKmPerMs = (cruiseKn * KM_PER_NM) / MS_PER_HOUR;
    this.harbourKmPerMs = (harbourKn * KM_PER_NM) / MS_PER_HOUR;
    this.durationMs = this.timeToReach(total);
  }

  get endMs(): number {
    return this.startMs + this.durationMs;
  }

  /** Milliseconds after the start at which the vessel has covered `km`. */
  timeToReach(km: number): number {
    const s = Math.max(0, Math.min(km, this.track.lengthKm));
    const cruiseEnd = this.track.lengthKm - this.slowEndKm;
    const slow1 = Math.min(s, this.slowStartKm);
    const cruise = Math.max(0, Math.min(s, cruiseEnd) - this.slowStartKm);
    const slow2 = Math.max(0, s - cruiseEnd);
    return (slow1 + slow2) / this.harbourKmPerMs + cruise / this.cruiseKmPerMs;
  }

  distanceAt(timeMs: number): number {
    let t = Math.max(0, Math.min(timeMs - this.startMs, this.durationMs));
    const t1 = this.slowStartKm / this.harbourKmPerMs;
    if (t <= t1) return t * this.harbourKmPerMs;
    t -= t1;
    const cruiseKm = this.track.lengthKm - this.slowEndKm - this.slowStartKm;
    const t2 = cruiseKm / this.cruiseKmPerMs;
    if (t <= t2) return this.slowStartKm + t * this.cruiseKmPerMs;
    return this.slowStartKm + cruiseKm + (t - t2) * this.harbourKmPerMs;
  }

  speedAt(km: number): number {
    return km < this.slowStartKm || km > this.track.lengthKm - this.slowEndKm
      ? this.harbourKn
      : this.cruiseKn;
  }
}
