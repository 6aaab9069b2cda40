import { rulerAt } from './geo';

export interface GridMember {
  cellId: number;
  cellSlot: number;
}

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

  /** Calls `visit` with every cell that may hold a point within `radiusKm` of the position. */
  cellsNear(lat: number, lon: number, radiusKm: number, visit: (cellId: number) => void): void {
    const row = this.rowOf(lat);
    const col = this.colOf(lon);
    const cellKm = this.cellDeg * KM_PER_DEGREE_LAT;
    const rowSpan = Math.ceil(radiusKm / cellKm);
    const lonKm = this.cellDeg * rulerAt(lat).kx;
    const colSpan = Math.min(Math.ceil(radiusKm / Math.max(lonKm, 1e-9)), this.cols >> 1);
    for (let r = row - rowSpan; r <= row + rowSpan; r++) {
      if (r < 0 || r * this.cellDeg > 180) continue;
      for (let c = col - colSpan; c <= col + colSpan; c++)
        visit(r * this.cols + (((c % this.cols) + this.cols) % this.cols));
    }
  }

  private rowOf(lat: number): number {
    return Math.floor((lat + 90) / this.cellDeg);
  }

  private colOf(lon: number): number {
    return Math.floor((lon + 180) / this.cellDeg) % this.cols;
  }
}

/**
 * A mutable grid holding the vessels that may start an encounter. Each member remembers its cell and slot so
 * moving or removing it is O(1) (swap-remove); a neighbour query visits only the cells that can hold a point
 * within the radius. Chosen over kd-trees and geohash strings because 200,000 moving vessels need cheap
 * updates, and integer keys hash fastest.
 */
export class VesselCellGrid<T extends GridMember> {
  private readonly cells = new Map<number, T[]>();
  private readonly geometry: CellGeometry;
  private count = 0;

  constructor(cellSizeKm: number) {
    this.geometry = new CellGeometry(cellSizeKm);
  }

  get size(): number {
    return this.count;
  }

  get occupiedCells(): number {
    return this.cells.size;
  }

  place(member: T, lat: number, lon: number): void {
    this.placeInCell(member, this.geometry.cellOf(lat, lon));
  }

  /** Puts a member back into a cell it was in (restoring a snapshot taken with the same cell size). */
  placeInCell(member: T, id: number): void {
    if (member.cellId === id) return;
    this.remove(member);
    let cell = this.cells.get(id);
    if (!cell) this.cells.set(id, (cell = []));
    member.cellId = id;
    member.cellSlot = cell.length;
    cell.push(member);
    this.count++;
  }

  remove(member: T): void {
    if (member.cellId < 0) return;
    const cell = this.cells.get(member.cellId);
    if (cell) {
      const last = cell.pop() as T;
      if (last !== member) {
        cell[member.cellSlot] = last;
        last.cellSlot = member.cellSlot;
      }
      if (cell.length === 0) this.cells.delete(member.cellId);
      this.count--;
    }
    member.cellId = -1;
    member.cellSlot = -1;
  }

  /** Fills `out` with the members of every cell that may hold a point within `radiusKm`; returns the count. */
  near(lat: number, lon: number, radiusKm: number, out: T[]): number {
    out.length = 0;
    this.geometry.cellsNear(lat, lon, radiusKm, (id) => {
      const cell = this.cells.get(id);
      if (cell) for (let i = 0; i < cell.length; i++) out.push(cell[i]);
    });
    return out.length;
  }
}
