import { CellGeometry } from './vessel-cell-grid';
import type { Sample } from './vessel-track';

export interface RecentSamplesJson {
  /** Per sample: [at (ms), lat, lon, sog (kn, null when unknown), portKm (null when no port is near), eventId]. */
  rows: Array<[number, number, number, number | null, number | null, string]>;
  forgotten: boolean;
}

const finiteOrNull = (x: number): number | null => (Number.isFinite(x) ? x : null);

/**
 * One vessel's recent samples in event-time order (a vessel's reports arrive in its own order), as parallel
 * arrays read by index `0 … size - 1`. The encounter rule keeps the slow samples away from port here, for its
 * late-track horizon, so a partner's track that arrives hours later is still compared with them.
 */
export class RecentSamples {
  readonly at: number[] = [];
  readonly lat: number[] = [];
  readonly lon: number[] = [];
  /** Knots; NaN when neither reported nor implied. */
  readonly sog: number[] = [];
  /** Km from the nearest port's limits; Infinity when none is within the search radius. */
  readonly portKm: number[] = [];
  readonly eventId: string[] = [];
  readonly cell: number[] = [];
  /** Whether older samples were let go (past the horizon or the count limit). */
  forgotten = false;

  get size(): number {
    return this.at.length;
  }

  get oldestAt(): number {
    return this.at.length > 0 ? this.at[0] : Number.NaN;
  }

  newestCell(): number {
    return this.cell[this.cell.length - 1];
  }

  push(s: Sample, cell: number): void {
    this.at.push(s.at);
    this.lat.push(s.lat);
    this.lon.push(s.lon);
    this.sog.push(s.sog);
    this.portKm.push(s.portKm);
    this.eventId.push(s.eventId);
    this.cell.push(cell);
  }

  /** Index of the first sample at or after `at` (`size` when none). */
  firstFrom(at: number): number {
    let lo = 0;
    let hi = this.at.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.at[mid] < at) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Drops samples from the oldest on while `drop` says so (given how many would remain), telling `dropped` of each. */
  dropWhile(
    drop: (at: number, remaining: number) => boolean,
    dropped: (at: number, cell: number) => void,
  ): void {
    let n = 0;
    while (n < this.at.length && drop(this.at[n], this.at.length - n)) {
      dropped(this.at[n], this.cell[n]);
      n++;
    }
    if (n === 0) return;
    this.forgotten = true;
    for (const list of [this.at, this.lat, this.lon, this.sog, this.portKm, this.eventId, this.cell])
      (list as unknown[]).splice(0, n);
  }

  forEach(visit: (at: number, cell: number) => void): void {
    for (let i = 0; i < this.at.length; i++) visit(this.at[i], this.cell[i]);
  }

  toJSON(): RecentSamplesJson {
    return {
      rows: this.at.map((at, i) => [
        at,
        this.lat[i],
        this.lon[i],
        finiteOrNull(this.sog[i]),
        finiteOrNull(this.portKm[i]),
        this.eventId[i],
      ]),
      forgotten: this.forgotten,
    };
  }

  static fromJSON(json: RecentSamplesJson, cellOf: (lat: number, lon: number) => number): RecentSamples {
    const samples = new RecentSamples();
    for (const [at, lat, lon, sog, portKm, eventId] of json.rows) {
      samples.push(
        {
          at,
          lat,
          lon,
          sog: sog ?? Number.NaN,
          portKm: portKm ?? Number.POSITIVE_INFINITY,
          eventId,
          portName: null,
        },
        cellOf(lat, lon),
      );
    }
    samples.forgotten = json.forgotten;
    return samples;
  }
}

/**
 * Which members had a sample in which cell, and the newest such sample's time: finds the vessels that may
 * have been within a radius of a position at a time, however long ago within the horizon (the members drop
 * their entries as their samples age out).
 */
export class SampleCellIndex<T> {
  private readonly cells = new Map<number, Map<T, number>>();
  private readonly geometry: CellGeometry;

  constructor(cellSizeKm: number) {
    this.geometry = new CellGeometry(cellSizeKm);
  }

  /** Members with at least one sample in the index. */
  get size(): number {
    const members = new Set<T>();
    for (const cell of this.cells.values()) for (const member of cell.keys()) members.add(member);
    return members.size;
  }

  cellOf(lat: number, lon: number): number {
    return this.geometry.cellOf(lat, lon);
  }

  add(member: T, cellId: number, at: number): void {
    let cell = this.cells.get(cellId);
    if (!cell) this.cells.set(cellId, (cell = new Map()));
    const newest = cell.get(member);
    if (newest === undefined || at > newest) cell.set(member, at);
  }

  /** The member's sample at `at` in the cell is gone: the entry goes when it was the newest there. */
  remove(member: T, cellId: number, at: number): void {
    const cell = this.cells.get(cellId);
    if (!cell || cell.get(member) !== at) return;
    cell.delete(member);
    if (cell.size === 0) this.cells.delete(cellId);
  }

  /** Fills `out` with the members that had a sample at or after `since` in a cell within `radiusKm`. */
  near(lat: number, lon: number, radiusKm: number, since: number, out: Set<T>): void {
    out.clear();
    this.geometry.cellsNear(lat, lon, radiusKm, (id) => {
      const cell = this.cells.get(id);
      if (cell) for (const [member, newest] of cell) if (newest >= since) out.add(member);
    });
  }
}
