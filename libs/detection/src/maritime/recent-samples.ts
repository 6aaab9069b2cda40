import { CellGeometry } from './cell-geometry';
import type { Sample } from './vessel-track';

export interface RecentSamplesJson {
  /** Per sample: [at (ms), lat, lon, sog (kn, null when unknown), portKm (null when no port is near), eventId]. */
  rows: Array<[number, number, number, number | null, number | null, string]>;
  forgotten: boolean;
}

const finiteOrNull = (x: number): number | null => (Number.isFinite(x) ? x : null);

/** Row layout: at (ms), lat, lon, sog (kn), portKm, then the event id's 128 bits as 48 + 48 + 32. */
const AT = 0;
const LAT = 1;
const LON = 2;
const SOG = 3;
const PORT_KM = 4;
const ID = 5;
const WORDS = 8;
/** An id that is not a canonical lowercase UUID: its string is kept beside the row. */
const OTHER_ID = -1;

/** Value of a lowercase hex digit's character code (-1 otherwise). */
const HEX = new Int8Array(128).fill(-1);
for (let c = 0; c < 16; c++) HEX['0123456789abcdef'.charCodeAt(c)] = c;
const DASH = 45;

/** The last id `packUuid` read: a canonical lowercase UUID (`xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`, RFC 9562 §4) as 48 + 48 + 32 bits. */
const packed = [0, 0, 0];

/** Reads a canonical lowercase UUID into `packed`; false for any other id. */
function packUuid(id: string): boolean {
  if (id.length !== 36) return false;
  let part = 0;
  let value = 0;
  let digits = 0;
  for (let i = 0; i < 36; i++) {
    const c = id.charCodeAt(i);
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (c !== DASH) return false;
      continue;
    }
    const v = c < 128 ? HEX[c] : -1;
    if (v < 0) return false;
    value = value * 16 + v; // exact: at most 48 bits
    if (++digits === 12 || digits === 24 || digits === 32) {
      packed[part++] = value;
      value = 0;
    }
  }
  return true;
}

const hex = (value: number, digits: number): string => value.toString(16).padStart(digits, '0');

function unpackUuid(hi: number, mid: number, lo: number): string {
  // hi: digits 1–12, mid: 13–24, lo: 25–32 of the 32 hex digits.
  const a = hex(hi, 12);
  const b = hex(mid, 12);
  return `${a.slice(0, 8)}-${a.slice(8)}-${b.slice(0, 4)}-${b.slice(4, 8)}-${b.slice(8)}${hex(lo, 8)}`;
}

/**
 * One vessel's recent samples in event-time order (a vessel's reports arrive in its own order), read by index
 * `0 … size - 1`. The encounter rule keeps the slow samples away from port here, for its late-track horizon,
 * so a partner's track that arrives hours later is still compared with them.
 *
 * Stored as rows of eight numbers in one array of doubles (64 bytes a sample: five figures and the event
 * id's 128 bits when the id is a canonical lowercase UUID, as AidWatch's own ids are; other ids are kept as
 * strings beside it) — not seven arrays and a string per sample, which cost twice the memory and kept every
 * id string alive in the old generation. Old samples go by moving a start offset; the array is compacted
 * once half of it is gone.
 */
export class RecentSamples {
  private readonly f: number[] = [];
  /** Ids that are not canonical lowercase UUIDs, by row (null while there are none). */
  private otherIds: Array<string | undefined> | null = null;
  private start = 0;
  /** Whether older samples were let go (past the horizon or the count limit). */
  forgotten = false;

  get size(): number {
    return this.f.length / WORDS - this.start;
  }

  get oldestAt(): number {
    return this.size > 0 ? this.f[this.start * WORDS + AT] : Number.NaN;
  }

  /** Event time of sample `i` (ms). */
  at(i: number): number {
    return this.f[(this.start + i) * WORDS + AT];
  }

  lat(i: number): number {
    return this.f[(this.start + i) * WORDS + LAT];
  }

  lon(i: number): number {
    return this.f[(this.start + i) * WORDS + LON];
  }

  /** Knots; NaN when neither reported nor implied. */
  sog(i: number): number {
    return this.f[(this.start + i) * WORDS + SOG];
  }

  /** Km from the nearest port's limits; Infinity when none is within the search radius. */
  portKm(i: number): number {
    return this.f[(this.start + i) * WORDS + PORT_KM];
  }

  eventId(i: number): string {
    const row = this.start + i;
    const o = row * WORDS + ID;
    const f = this.f;
    if (f[o] === OTHER_ID) return (this.otherIds as Array<string | undefined>)[row] as string;
    return unpackUuid(f[o], f[o + 1], f[o + 2]);
  }

  push(s: Sample): void {
    const f = this.f;
    if (packUuid(s.eventId)) f.push(s.at, s.lat, s.lon, s.sog, s.portKm, packed[0], packed[1], packed[2]);
    else {
      (this.otherIds ??= [])[f.length / WORDS] = s.eventId;
      f.push(s.at, s.lat, s.lon, s.sog, s.portKm, OTHER_ID, 0, 0);
    }
  }

  /** Index of the first sample at or after `at` (`size` when none). */
  firstFrom(at: number): number {
    const f = this.f;
    let lo = this.start;
    let hi = f.length / WORDS;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (f[mid * WORDS + AT] < at) lo = mid + 1;
      else hi = mid;
    }
    return lo - this.start;
  }

  /** Lets the `n` oldest samples go (the caller has taken them out of any index). */
  dropFirst(n: number): void {
    if (n <= 0) return;
    this.forgotten = true;
    const rows = this.f.length / WORDS;
    this.start = Math.min(this.start + n, rows);
    if (this.start * 2 < rows) return;
    // Half or more is gone: the rest moves to the front.
    this.f.copyWithin(0, this.start * WORDS);
    this.f.length = (rows - this.start) * WORDS;
    if (this.otherIds !== null) {
      this.otherIds = this.otherIds.slice(this.start);
      if (!this.otherIds.some((id) => id !== undefined)) this.otherIds = null;
    }
    this.start = 0;
  }

  toJSON(): RecentSamplesJson {
    const rows: RecentSamplesJson['rows'] = [];
    for (let i = 0; i < this.size; i++)
      rows.push([
        this.at(i),
        this.lat(i),
        this.lon(i),
        finiteOrNull(this.sog(i)),
        finiteOrNull(this.portKm(i)),
        this.eventId(i),
      ]);
    return { rows, forgotten: this.forgotten };
  }

  static fromJSON(json: RecentSamplesJson): RecentSamples {
    const samples = new RecentSamples();
    for (const [at, lat, lon, sog, portKm, eventId] of json.rows)
      samples.push({
        at,
        lat,
        lon,
        sog: sog ?? Number.NaN,
        portKm: portKm ?? Number.POSITIVE_INFINITY,
        eventId,
        portName: null,
      });
    samples.forgotten = json.forgotten;
    return samples;
  }
}

/**
 * Which members had a sample in which cell during which resampling interval: finds the vessels that may have
 * been within a radius of a position during the interval of a time, however long ago within the horizon (the
 * members drop their entries as their samples age out). Keyed by interval first, so a query reads one small
 * map of the cells occupied in that interval — not every member that passed the cells within the horizon —
 * and finds only members with a sample of that very interval, the ones the encounter rule may compare.
 *
 * Shape: interval number (`floor(at / intervalMs)`) → cell id → the member, or a list when several had a
 * sample there in that interval. A member normally has one sample per interval; a repeated `add` is kept
 * as a second entry and needs a second `remove`.
 */
export class SampleCellIndex<T extends object> {
  private readonly intervals = new Map<number, Map<number, T | T[]>>();
  private readonly geometry: CellGeometry;
  private readonly cellIds: number[] = [];

  /**
   * @param cellSizeKm edge of a cell (km; see `CellGeometry`).
   * @param intervalMs the resampling interval (ms): samples match only within one interval.
   */
  constructor(
    cellSizeKm: number,
    private readonly intervalMs: number,
  ) {
    this.geometry = new CellGeometry(cellSizeKm);
  }

  /** Members with at least one sample in the index (counted on demand: for statistics, not the hot path). */
  get size(): number {
    const members = new Set<T>();
    for (const cells of this.intervals.values())
      for (const entry of cells.values())
        if (Array.isArray(entry)) for (const member of entry) members.add(member);
        else members.add(entry);
    return members.size;
  }

  /** Resampling intervals that hold at least one sample. */
  get intervalCount(): number {
    return this.intervals.size;
  }

  cellOf(lat: number, lon: number): number {
    return this.geometry.cellOf(lat, lon);
  }

  add(member: T, cellId: number, at: number): void {
    const interval = Math.floor(at / this.intervalMs);
    let cells = this.intervals.get(interval);
    if (!cells) this.intervals.set(interval, (cells = new Map()));
    const entry = cells.get(cellId);
    if (entry === undefined) cells.set(cellId, member);
    else if (Array.isArray(entry)) entry.push(member);
    else cells.set(cellId, [entry, member]);
  }

  /** The member's sample at `at` in the cell is gone: one entry of it there goes. */
  remove(member: T, cellId: number, at: number): void {
    const interval = Math.floor(at / this.intervalMs);
    const cells = this.intervals.get(interval);
    const entry = cells?.get(cellId);
    if (!cells || entry === undefined) return;
    if (!Array.isArray(entry)) {
      if (entry === member) cells.delete(cellId);
    } else {
      const i = entry.indexOf(member);
      if (i < 0) return;
      entry.splice(i, 1);
      if (entry.length === 1) cells.set(cellId, entry[0]);
    }
    if (cells.size === 0) this.intervals.delete(interval);
  }

  /**
   * Drops the member's oldest samples from `samples` and from the index: those older than `cutoff` (ms), and
   * any beyond the newest `max`.
   */
  forget(member: T, samples: RecentSamples, cutoff: number, max: number): void {
    let n = 0;
    while (n < samples.size && (samples.at(n) < cutoff || samples.size - n > max)) {
      this.remove(member, this.cellOf(samples.lat(n), samples.lon(n)), samples.at(n));
      n++;
    }
    if (n > 0) samples.dropFirst(n);
  }

  /**
   * Fills `out` with the members other than `except` that had a sample in the resampling interval of `at`
   * in a cell that may lie within `radiusKm` of the position (a superset: the caller measures distances).
   */
  near(lat: number, lon: number, radiusKm: number, at: number, except: T, out: Set<T>): void {
    out.clear();
    const cells = this.intervals.get(Math.floor(at / this.intervalMs));
    if (!cells) return;
    const ids = this.cellIds;
    const n = this.geometry.cellsNearInto(lat, lon, radiusKm, ids);
    for (let k = 0; k < n; k++) {
      const entry = cells.get(ids[k]);
      if (entry === undefined) continue;
      if (!Array.isArray(entry)) {
        if (entry !== except) out.add(entry);
      } else for (const member of entry) if (member !== except) out.add(member);
    }
  }
}
