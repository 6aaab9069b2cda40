import CheapRuler from 'cheap-ruler';

export const KM_PER_NM = 1.852;
export const MS_PER_HOUR = 3_600_000;
export const MS_PER_MINUTE = 60_000;
const EARTH_RADIUS_KM = 6371.0088;
const RAD = Math.PI / 180;

// One cheap-ruler per 0.1° of latitude: the ruler's scale factors are all the hot path needs, and reading
// them from a cached ruler avoids allocating [lon, lat] tuples for every distance.
const rulers: CheapRuler[] = [];
export function rulerAt(lat: number): CheapRuler {
  const slot = Math.round((clampLat(lat) + 90) * 10);
  return (rulers[slot] ??= new CheapRuler(slot / 10 - 90, 'kilometers'));
}

/** Local distance (accurate to ~0.1 % below a few hundred kilometres), date-line safe. */
export function distanceKm(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const ruler = rulerAt((lat1 + lat2) / 2);
  const dx = wrapLon(lon2 - lon1) * ruler.kx;
  const dy = (lat2 - lat1) * ruler.ky;
  return Math.sqrt(dx * dx + dy * dy);
}

/** Haversine distance for jumps that may span oceans. */
export function greatCircleKm(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const dLat = (lat2 - lat1) * RAD;
  const dLon = wrapLon(lon2 - lon1) * RAD;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * RAD) * Math.cos(lat2 * RAD) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** Distance from a point to a polyline given as flat [lon, lat, lon, lat, ...] pairs. */
export function distanceToPolylineKm(lat: number, lon: number, line: readonly number[]): number {
  if (line.length < 2) return Infinity;
  if (line.length < 4) return greatCircleKm(lat, lon, line[1], line[0]);
  const ruler = rulerAt(lat);
  let best = Infinity;
  for (let i = 0; i + 3 < line.length; i += 2) {
    const d = ruler.pointToSegmentDistance([lon, lat], [line[i], line[i + 1]], [line[i + 2], line[i + 3]]);
    if (d < best) best = d;
  }
  return best;
}

export function wrapLon(deg: number): number {
  while (deg < -180) deg += 360;
  while (deg > 180) deg -= 360;
  return deg;
}

const clampLat = (lat: number): number => (lat > 90 ? 90 : lat < -90 ? -90 : lat);

export const isValidFix = (lat: number, lon: number): boolean =>
  lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180 && !(lat === 0 && lon === 0);

/** AIS encodes "speed not available" as 102.3 kn. */
export const isValidSog = (sog: number): boolean => sog >= 0 && sog < 102.2;
