import KDBush from 'kdbush';
import { distanceKm, greatCircleKm, rulerAt } from './geo';

export interface PortRecord {
  locode: string;
  name: string;
  lat: number;
  lon: number;
  radiusKm: number;
}

export interface PortDistance {
  port: PortRecord;
  /** Distance from the port's limits (0 inside the radius). */
  km: number;
}

const SEARCH_STEPS_KM = [25, 100, 400, 1600];

/**
 * Static kd-tree (kdbush) over port points, rebuilt lazily when a port is declared: declarations are rare,
 * queries happen on every slow sample. Queries take a bounding box grown by the search distance plus the
 * largest port radius, then measure each candidate exactly.
 */
export class PortIndex {
  private readonly byLocode = new Map<string, PortRecord>();
  private list: PortRecord[] = [];
  private tree: KDBush | null = null;
  private maxRadiusKm = 0;

  constructor(ports: Iterable<PortRecord> = []) {
    for (const p of ports) this.byLocode.set(p.locode, { ...p });
  }

  get size(): number {
    return this.byLocode.size;
  }

  get(locode: string): PortRecord | undefined {
    return this.byLocode.get(locode);
  }

  /** Adds or replaces a port (by LOCODE). */
  add(port: PortRecord): void {
    this.byLocode.set(port.locode, { ...port });
    this.tree = null;
  }

  all(): PortRecord[] {
    return [...this.byLocode.values()];
  }

  /** The nearest port whose limits are within `withinKm`, or null. */
  nearestWithin(lat: number, lon: number, withinKm: number): PortDistance | null {
    const tree = this.ensureTree();
    if (!tree) return null;
    const reach = withinKm + this.maxRadiusKm;
    const ruler = rulerAt(lat);
    const dLat = reach / ruler.ky;
    const dLon = Math.min(180, reach / Math.max(ruler.kx, 1e-6));
    let best: PortDistance | null = null;
    const visit = (ids: number[]): void => {
      for (const id of ids) {
        const port = this.list[id];
        const km = Math.max(0, distanceKm(lat, lon, port.lat, port.lon) - port.radiusKm);
        if (
          km <= withinKm &&
          (best === null || km < best.km || (km === best.km && port.locode < best.port.locode))
        ) {
          best = { port, km };
        }
      }
    };
    const minLat = lat - dLat;
    const maxLat = lat + dLat;
    const minLon = lon - dLon;
    const maxLon = lon + dLon;
    visit(tree.range(Math.max(-180, minLon), minLat, Math.min(180, maxLon), maxLat));
    if (minLon < -180) visit(tree.range(minLon + 360, minLat, 180, maxLat));
    if (maxLon > 180) visit(tree.range(-180, minLat, maxLon - 360, maxLat));
    return best;
  }

  /** The nearest port at any distance (for explanations), or null when no port is known. */
  nearest(lat: number, lon: number): PortDistance | null {
    for (const step of SEARCH_STEPS_KM) {
      const hit = this.nearestWithin(lat, lon, step);
      if (hit) return hit;
    }
    let best: PortDistance | null = null;
    for (const port of this.list) {
      const km = Math.max(0, greatCircleKm(lat, lon, port.lat, port.lon) - port.radiusKm);
      if (best === null || km < best.km) best = { port, km };
    }
    return best;
  }

  private ensureTree(): KDBush | null {
    if (this.tree) return this.tree;
    if (this.byLocode.size === 0) return null;
    this.list = [...this.byLocode.values()];
    this.maxRadiusKm = 0;
    const tree = new KDBush(this.list.length);
    for (const p of this.list) {
      tree.add(p.lon, p.lat);
      if (p.radiusKm > this.maxRadiusKm) this.maxRadiusKm = p.radiusKm;
    }
    this.tree = tree.finish();
    return this.tree;
  }
}
