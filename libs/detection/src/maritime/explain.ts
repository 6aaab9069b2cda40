import type { VesselTrack } from './vessel-track';

export const isoTime = (ms: number): string => new Date(ms).toISOString();

/** "2026-11-20 03:10 UTC" — minutes are what a reader of a maritime flag needs. */
export const shortTime = (ms: number): string => `${isoTime(ms).slice(0, 16).replace('T', ' ')} UTC`;

export function duration(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  if (h === 0) return `${m} min`;
  return m === 0 ? `${h} h` : `${h} h ${m} min`;
}

export function distance(km: number): string {
  if (!Number.isFinite(km)) return 'an unknown distance';
  if (km < 1) return `${Math.round(km * 1000)} m`;
  return km < 10 ? `${round1(km)} km` : `${Math.round(km)} km`;
}

export const knots = (kn: number): string => `${round1(kn)} kn`;

export const position = (lat: number, lon: number): string =>
  `${Math.abs(lat).toFixed(2)}°${lat >= 0 ? 'N' : 'S'} ${Math.abs(lon).toFixed(2)}°${lon >= 0 ? 'E' : 'W'}`;

/**
 * "YU SON 8 (MMSI 445209000)": the vessel by the name it reported at or before `atMs` (event time, ms) —
 * so a flag reads the same whether the vessel's later renaming arrived before or after it was judged —
 * or "MMSI 445209000" when it had reported no name by then.
 */
export const vesselLabel = (track: Pick<VesselTrack, 'mmsi' | 'nameAt'>, atMs: number): string => {
  const name = track.nameAt(atMs);
  return name ? `${name} (MMSI ${track.mmsi})` : `MMSI ${track.mmsi}`;
};

export const round1 = (x: number): number => Math.round(x * 10) / 10;
export const round3 = (x: number): number => Math.round(x * 1000) / 1000;

/** "85 km from the nearest port (Nampo)", or a note that no port is known. */
export function fromNearestPort(km: number, portName: string | null): string {
  return portName ? `${distance(km)} from the nearest port (${portName})` : 'with no declared port known';
}
