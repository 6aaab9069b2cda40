import type { ConsignmentLinker } from './flag-sink';
import type { MaritimeConfig } from './maritime-config';
import type { MaritimeCounters } from './maritime-counters';
import type { OpenVesselFlagsView } from './open-vessel-flags';
import type { PortIndex } from './port-index';
import type { VesselTrack } from './vessel-track';

/**
 * What the maritime rules share: configuration, ports, counters, the open flags (read only: rules change
 * them by the decisions they return, see `Decision`) and the other vessels.
 */
export interface MaritimeContext {
  readonly config: MaritimeConfig;
  readonly ports: PortIndex;
  /** Each vessel's open flags with their drafts, as the decisions applied so far left them (read only). */
  readonly openFlags: OpenVesselFlagsView;
  readonly linker: ConsignmentLinker;
  /** The detector's counters (kept in its checkpoint head). */
  readonly counters: MaritimeCounters;
  trackOf(mmsi: string): VesselTrack | undefined;
  /** Notes that a vessel's state changed (for incremental snapshots). */
  changed(track: VesselTrack): void;
}

export interface NearestPort {
  km: number;
  name: string | null;
}

/** Distance from the nearest known port at any range, for explanations and observed values. */
export function nearestPort(ctx: MaritimeContext, lat: number, lon: number): NearestPort {
  const hit = ctx.ports.nearest(lat, lon);
  return hit ? { km: hit.km, name: hit.port.name } : { km: Infinity, name: null };
}

/** Whether a point lies within `km` of some port's limits (false when no port is that close). */
export function nearPort(ctx: MaritimeContext, lat: number, lon: number, km: number): NearestPort | null {
  const hit = ctx.ports.nearestWithin(lat, lon, km);
  return hit ? { km: hit.km, name: hit.port.name } : null;
}

export const finiteOrNull = (x: number): number | null =>
  Number.isFinite(x) ? Math.round(x * 10) / 10 : null;
