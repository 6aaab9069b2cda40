import { fromNearestPort, position, round1, shortTime, vesselLabel } from './explain';
import type { MaritimeContext } from './maritime-context';
import { finiteOrNull, nearestPort } from './maritime-context';
import type { VesselStaticData } from '@aidwatch/domain';
import { Decided, raise, type Step } from './rule-decision';
import type { VesselRule } from './vessel-rule';
import type { VesselTrack } from './vessel-track';

/** The vessel's last reported draught (metres) and the report that gave it. */
export interface DraughtReport {
  draught: number;
  at: number;
  eventId: string;
}

/**
 * Draught change at sea: two successive static reports whose draught differs by ≥ 0.5 m with no port visit
 * (within 3 km of a port's limits below 0.2 kn, from the position samples) in between — cargo may have
 * been loaded or discharged ship to ship. AIS draught is typed in by the crew, so small edits are ignored.
 * A change raises its flag (`raise`); nothing clears it.
 */
export class DraughtChangeRule implements VesselRule<DraughtReport | null> {
  readonly name = 'draughtChange';

  constructor(private readonly ctx: MaritimeContext) {}

  private get cfg() {
    return this.ctx.config.draughtChange;
  }

  initialState(): DraughtReport | null {
    return null;
  }

  onStatic(
    track: VesselTrack,
    previous: DraughtReport | null,
    data: VesselStaticData,
    at: number,
    eventId: string,
  ): Step<DraughtReport | null> {
    const draught = data.draught;
    // 0 means "not available" in AIS.
    if (draught === undefined || !Number.isFinite(draught) || draught <= 0) return previous;
    if (previous === null) return { draught, at, eventId };
    const { draught: before, at: beforeAt, eventId: beforeEventId } = previous;
    // Reused in place: a static report every few minutes should not allocate.
    const next = previous;
    next.draught = draught;
    next.at = at;
    next.eventId = eventId;
    const change = draught - before;
    if (Math.abs(change) < this.cfg.minChangeM - 1e-9) return next;
    if (track.portVisit !== null || track.lastPortVisitAt >= beforeAt) return next;

    const hasFix = track.hasFix();
    const port = hasFix ? nearestPort(this.ctx, track.lastLat, track.lastLon) : null;
    const where = port
      ? `; last seen at ${position(track.lastLat, track.lastLon)}, ${fromNearestPort(port.km, port.name)}`
      : '';
    const flag = raise({
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
        `${vesselLabel(track, at)} reported its draught ${change > 0 ? 'up' : 'down'} from ${before} m to ${draught} m ` +
        `(${change > 0 ? '+' : ''}${round1(change)} m) between ${shortTime(beforeAt)} and ${shortTime(at)} ` +
        `with no port call seen in between${where}`,
    });
    return new Decided(next, [flag]);
  }

  toJSON(report: DraughtReport | null): unknown {
    return report ?? undefined;
  }

  fromJSON(json: unknown): DraughtReport | null {
    return (json as DraughtReport | undefined) ?? null;
  }
}
