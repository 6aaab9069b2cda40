import { fromNearestPort, position, round1, shortTime, vesselLabel } from './explain';
import type { MaritimeContext } from './maritime-context';
import { finiteOrNull, nearestPort } from './maritime-context';
import type { VesselTrack } from './vessel-track';

/**
 * Draught change at sea: two successive static reports whose draught differs by ≥ 0.5 m with no port visit
 * (within 3 km of a port's limits below 0.2 kn, from the position samples) in between — cargo may have
 * been loaded or discharged ship to ship. AIS draught is typed in by the crew, so small edits are ignored.
 */
export class DraughtChangeRule {
  constructor(private readonly ctx: MaritimeContext) {}

  private get cfg() {
    return this.ctx.config.draughtChange;
  }

  onStatic(track: VesselTrack, draught: number | undefined, at: number, eventId: string): void {
    // 0 means "not available" in AIS.
    if (draught === undefined || !Number.isFinite(draught) || draught <= 0) return;
    const before = track.draught;
    const beforeAt = track.draughtAt;
    const beforeEventId = track.draughtEventId;
    track.draught = draught;
    track.draughtAt = at;
    track.draughtEventId = eventId;
    if (Number.isNaN(before) || beforeEventId === null) return;
    const change = draught - before;
    if (Math.abs(change) < this.cfg.minChangeM - 1e-9) return;
    if (track.portVisit !== null || track.lastPortVisitAt >= beforeAt) return;

    const hasFix = track.hasFix();
    const port = hasFix ? nearestPort(this.ctx, track.lastLat, track.lastLon) : null;
    const where = port
      ? `; last seen at ${position(track.lastLat, track.lastLon)}, ${fromNearestPort(port.km, port.name)}`
      : '';
    this.ctx.sink.raise({
      rule: 'draught-change',
      key: `draught:${at}`,
      severity: this.cfg.severity,
      mmsi: track.mmsi,
      fromMs: beforeAt,
      atMs: at,
      observed: {
        fromM: before,
        toM: draught,
        changeM: round1(change),
        previousReportAt: new Date(beforeAt).toISOString(),
        portDistanceKm: port ? finiteOrNull(port.km) : null,
        nearestPort: port?.name ?? null,
      },
      threshold: { minChangeM: this.cfg.minChangeM },
      evidence: hasFix ? [beforeEventId, eventId, track.lastEventId] : [beforeEventId, eventId],
      explanation:
        `${vesselLabel(track)} reported its draught ${change > 0 ? 'up' : 'down'} from ${before} m to ${draught} m ` +
        `(${change > 0 ? '+' : ''}${round1(change)} m) between ${shortTime(beforeAt)} and ${shortTime(at)} ` +
        `with no port call seen in between${where}`,
    });
  }
}
