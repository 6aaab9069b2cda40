import { rulerAt } from './geo';

const KM_PER_DEGREE_LAT = 111.32;
// Cell ids stay below 2^30 so V8 keeps them as small integers (fast Map keys).
const MAX_CELLS = 2 ** 30;

/**
 * Square-ish cells of a fixed size in degrees of latitude, numbered row by column (ids below 2^30, so V8
 * keeps them as small integers: fast Map keys), and which cells may hold a point within a radius.
 */
export class CellGeometry {
  readonly cellDeg: number;
  private readonly cols: number;

  constructor(cellSizeKm: number) {
    const minDeg = Math.sqrt((180 * 360) / MAX_CELLS) * 1.01;
    this.cellDeg = Math.max(cellSizeKm / KM_PER_DEGREE_LAT, minDeg);
    this.cols = Math.ceil(360 / this.cellDeg);
  }

  cellOf(lat: number, lon: number): number {
    return this.rowOf(lat) * this.cols + this.colOf(lon);
  }

  /**
   * Writes into `out` (from index 0, reused between calls) every cell that may hold a point within
   * `radiusKm` of the position; returns how many it wrote (entries past that are stale).
   */
  cellsNearInto(lat: number, lon: number, radiusKm: number, out: number[]): number {
    // The cells the circle's bounding box overlaps (a radius below the cell size gives 1, 2 or 4 cells).
    // 1 % wider than the circle: the rulers' scale factors are cached per 0.1° of latitude.
    const dLat = (radiusKm / KM_PER_DEGREE_LAT) * 1.01;
    const kx = Math.min(rulerAt(lat - dLat).kx, rulerAt(lat + dLat).kx);
    const dLon = Math.min((radiusKm / Math.max(kx, 1e-9)) * 1.01, 180);
    const rowLo = Math.max(this.rowOf(Math.max(lat - dLat, -90)), 0);
    const rowHi = this.rowOf(Math.min(lat + dLat, 90));
    const cols = this.cols;
    const west = lon - dLon;
    const east = lon + dLon;
    // Columns from `colLo`, `count` of them, wrapping past the last column to the first. Across the date line
    // each side is found from its own longitude: 360° is not a whole number of cells (the last column is
    // narrower), so a column counted on past 180° is not the column of the longitude there.
    let colLo: number;
    let count: number;
    if (east - west >= 360) {
      colLo = ((Math.floor((west + 180) / this.cellDeg) % cols) + cols) % cols;
      count = cols;
    } else {
      const crossing = west < -180 || east >= 180;
      colLo = this.colOf(west < -180 ? west + 360 : west);
      const colHi = this.colOf(east >= 180 ? east - 360 : east);
      count = Math.min((crossing ? colHi + cols - colLo : colHi - colLo) + 1, cols);
    }
    let n = 0;
    for (let r = rowLo; r <= rowHi; r++)
      for (let k = 0, c = colLo; k < count; k++, c = c + 1 === cols ? 0 : c + 1) out[n++] = r * cols + c;
    return n;
  }

  private rowOf(lat: number): number {
    return Math.floor((lat + 90) / this.cellDeg);
  }

  private colOf(lon: number): number {
    return Math.floor((lon + 180) / this.cellDeg) % this.cols;
  }
}
