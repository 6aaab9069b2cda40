import { distanceKm } from './geo';
import type { MaritimeConfig } from './maritime-config';
import type { PortIndex, PortRecord } from './port-index';
import type { Sample, VesselTrack } from './vessel-track';

/**
 * Port visits as Global Fishing Watch defines them: a visit starts within 3 km of a port (here: of its
 * limits) below 0.2 kn and ends beyond 4 km. Returns the port when a visit starts with this sample.
 */
export function followPortVisit(
  track: Pick<VesselTrack, 'portVisit' | 'lastPortVisitAt'>,
  s: Sample,
  nearest: PortRecord | null,
  ports: PortIndex,
  cfg: MaritimeConfig['portVisit'],
): PortRecord | null {
  if (track.portVisit !== null) {
    const port = ports.get(track.portVisit);
    const km = port ? Math.max(0, distanceKm(s.lat, s.lon, port.lat, port.lon) - port.radiusKm) : Infinity;
    if (km <= cfg.exitKm) {
      track.lastPortVisitAt = s.at;
      return null;
    }
    track.portVisit = null;
  }
  if (nearest && s.portKm <= cfg.enterKm && s.sog < cfg.maxSpeedKn) {
    track.portVisit = nearest.locode;
    track.lastPortVisitAt = s.at;
    return nearest;
  }
  return null;
}
