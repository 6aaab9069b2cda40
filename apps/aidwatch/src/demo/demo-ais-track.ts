import CheapRuler from 'cheap-ruler';
import { EventTypes, type VesselPositionReported, type VesselStaticReported } from '@aidwatch/domain';
import { NavStatus, Prng, type LonLat } from '@aidwatch/maritime';
import type { DemoVessel } from './demo-reference';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const KM_PER_NM = 1.852;

const rulerAt = (lat: number): CheapRuler => new CheapRuler(lat, 'kilometers');
const distanceKm = (a: LonLat, b: LonLat): number => rulerAt((a[1] + b[1]) / 2).distance(a, b);
const bearing = (a: LonLat, b: LonLat): number => (rulerAt((a[1] + b[1]) / 2).bearing(a, b) + 360) % 360;

/** A polyline walked by distance. */
export class Path {
  private readonly cumulative: number[] = [0];

  constructor(readonly points: readonly LonLat[]) {
    for (let i = 1; i < points.length; i++)
      this.cumulative.push(this.cumulative[i - 1] + distanceKm(points[i - 1], points[i]));
  }

  get lengthKm(): number {
    return this.cumulative[this.cumulative.length - 1];
  }

  at(km: number): { point: LonLat; course: number } {
    let i = 0;
    while (i < this.points.length - 2 && this.cumulative[i + 1] < km) i++;
    const [a, b] = [this.points[i], this.points[i + 1]];
    const span = this.cumulative[i + 1] - this.cumulative[i];
    const f = span > 0 ? Math.min(1, Math.max(0, (km - this.cumulative[i]) / span)) : 0;
    return { point: [a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f], course: bearing(a, b) };
  }

  /** The part from `fromKm` to `toKm`. */
  slice(fromKm: number, toKm: number): Path {
    const inner = this.points.filter((_, i) => this.cumulative[i] > fromKm && this.cumulative[i] < toKm);
    return new Path([this.at(fromKm).point, ...inner, this.at(toKm).point]);
  }
}

/** A point `km` away on a compass bearing. */
export const moved = (p: LonLat, km: number, degrees: number): LonLat =>
  rulerAt(p[1]).destination(p, km, degrees);

export interface SailOptions {
  cruiseKn: number;
  /** Speed within `harbourKm` of either end of the path. */
  harbourKn?: number;
  harbourKm?: number;
  everyMinutes?: number;
}

/**
 * One vessel's AIS reports, written forwards in time: moored at a berth, sailing a path, drifting, or silent.
 * Reports are thinned to one every few minutes (a class A transponder sends every 2–10 s under way, every
 * 3 min at anchor) and static reports to one every three hours, which keeps the demo small; times carry a
 * few seconds of receiver jitter from a seeded generator.
 */
export class AisTrack {
  readonly events: Array<VesselPositionReported | VesselStaticReported> = [];
  private t: number;
  private position: LonLat;
  private draught: number;
  private lastStaticAt = Number.NEGATIVE_INFINITY;
  private readonly rng: Prng;

  constructor(
    private vessel: DemoVessel,
    private readonly source: string,
    start: string,
    berth: LonLat,
    draught: number,
    private readonly destination: string,
  ) {
    this.t = Date.parse(start);
    this.position = berth;
    this.draught = draught;
    this.rng = Prng.derive(2026, vessel.mmsi, start);
  }

  get now(): number {
    return this.t;
  }

  get where(): LonLat {
    return this.position;
  }

  moored(until: string, everyMinutes = 30): this {
    const end = Date.parse(until);
    for (; this.t < end; this.t += everyMinutes * MINUTE) {
      this.staticIfDue();
      this.report(this.position, 0, 0, NavStatus.Moored);
    }
    this.t = end;
    return this;
  }

  sail(path: Path, options: SailOptions): this {
    const { cruiseKn, harbourKn = 6, harbourKm = 12, everyMinutes = 5 } = options;
    const total = path.lengthKm;
    for (let km = 0; km < total;) {
      const kn = km < harbourKm || total - km < harbourKm ? harbourKn : cruiseKn;
      const { point, course } = path.at(km);
      this.staticIfDue();
      this.report(point, kn + this.rng.range(-0.3, 0.3), course, NavStatus.UnderWayUsingEngine);
      km += ((kn * KM_PER_NM) / HOUR) * everyMinutes * MINUTE;
      this.t += everyMinutes * MINUTE;
    }
    this.position = path.at(total).point;
    return this;
  }

  /** Slow reports along a course set by `where` (e.g. drifting with a current beside another ship). */
  drift(until: string, where: (t: number) => LonLat, everyMinutes = 5): this {
    const end = Date.parse(until);
    for (; this.t < end; this.t += everyMinutes * MINUTE) {
      const point = where(this.t);
      this.staticIfDue();
      this.report(point, this.rng.range(0.3, 1.1), this.rng.range(200, 250), NavStatus.UnderWayUsingEngine);
      this.position = point;
    }
    this.t = end;
    return this;
  }

  /** The transponder is off: nothing is sent until `until`, when the vessel is at `reappearAt`. */
  dark(until: string, reappearAt: LonLat = this.position): this {
    this.t = Date.parse(until);
    this.position = reappearAt;
    this.lastStaticAt = Number.NEGATIVE_INFINITY;
    return this;
  }

  /** The vessel reports another identity (name, call sign, …) under the same MMSI from its next static report, sent now. */
  renamed(identity: Partial<Omit<DemoVessel, 'mmsi'>>): this {
    this.vessel = { ...this.vessel, ...identity };
    this.lastStaticAt = Number.NEGATIVE_INFINITY;
    this.staticIfDue();
    return this;
  }

  /** The crew types a new draught in; it goes out with the next static report, sent now. */
  reportDraught(draught: number): this {
    this.draught = draught;
    this.lastStaticAt = Number.NEGATIVE_INFINITY;
    this.staticIfDue();
    return this;
  }

  private staticIfDue(): void {
    if (this.t - this.lastStaticAt < 3 * HOUR) return;
    this.lastStaticAt = this.t;
    const at = this.t + this.rng.int(0, 30) * 1000;
    const { mmsi, imo, name, callsign, flag } = this.vessel;
    this.events.push({
      specversion: '1.0',
      id: `${mmsi}/static/${stamp(at)}`,
      source: this.source,
      type: EventTypes.VesselStaticReported,
      subject: mmsi,
      time: new Date(at + 2000).toISOString(),
      datacontenttype: 'application/json',
      data: {
        mmsi,
        imo,
        name,
        callsign,
        flag,
        shipType: 70,
        draught: this.draught,
        destination: this.destination,
        at: new Date(at).toISOString(),
      },
    });
  }

  private report(point: LonLat, sog: number, course: number, navStatus: number): void {
    const at = this.t + this.rng.int(0, 20) * 1000;
    const mmsi = this.vessel.mmsi;
    const cog = Math.round(course * 10) / 10;
    this.events.push({
      specversion: '1.0',
      id: `${mmsi}/position/${stamp(at)}`,
      source: this.source,
      type: EventTypes.VesselPositionReported,
      subject: mmsi,
      time: new Date(at + 1000 * this.rng.int(1, 4)).toISOString(),
      datacontenttype: 'application/json',
      data: {
        mmsi,
        lat: Math.round(point[1] * 1e5) / 1e5,
        lon: Math.round(point[0] * 1e5) / 1e5,
        sog: Math.round(Math.max(0, sog) * 10) / 10,
        cog: cog >= 360 ? 0 : cog,
        heading:
          navStatus === NavStatus.Moored ? 511 : Math.round(course + this.rng.range(-2, 2) + 360) % 360,
        navStatus,
        at: new Date(at).toISOString(),
      },
    });
  }
}

const stamp = (ms: number): string => new Date(ms).toISOString().replace(/[-:]/g, '').slice(0, 15);
