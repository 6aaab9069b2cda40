import type { Flag } from '@aidwatch/domain';
import { duration, fromNearestPort, knots, position, round1, vesselLabel } from './explain';
import { MS_PER_HOUR } from './geo';
import type { MaritimeContext } from './maritime-context';
import { finiteOrNull, nearestPort } from './maritime-context';
import type { Sample, VesselTrack } from './vessel-track';

/** An open run of slow samples away from port. */
export interface LoiterRun {
  startAt: number;
  startLat: number;
  startLon: number;
  startEventId: string;
  lastAt: number;
  lastLat: number;
  lastLon: number;
  lastEventId: string;
  samples: number;
  sumSog: number;
  fastStreak: number;
  fastSog: number;
  flag: Flag | null;
}

/**
 * Loitering: one vessel slower than 2 kn for ≥ 4 h, ≥ 10 km from any port's limits. The criterion is the
 * reported speed of the 10-minute samples (as in Global Fishing Watch's carrier-loitering events, 4 h rather
 * than 2 h: waiting for a berth or pilot rarely lasts that long that far out), with one fast sample tolerated
 * so speed noise while drifting does not split a run; the run's mean speed must also stay below the limit.
 * Raised when the run reaches the duration; superseded with the final figures when the run ends.
 */
export class LoiteringRule {
  constructor(private readonly ctx: MaritimeContext) {}

  private get cfg() {
    return this.ctx.config.loitering;
  }

  onSample(track: VesselTrack, s: Sample): void {
    let run = track.loiter;
    if (run && s.at - run.lastAt > this.cfg.maxReportGapHours * MS_PER_HOUR) {
      this.end(track, run);
      run = null;
    }
    if (s.portKm < this.cfg.minPortDistanceKm) {
      if (run) this.end(track, run);
      return;
    }
    if (s.sog >= this.cfg.maxSpeedKn) {
      if (!run) return;
      run.fastStreak++;
      run.fastSog += s.sog;
      if (run.fastStreak > this.cfg.toleratedFastSamples) this.end(track, run);
      return;
    }
    if (!run) {
      track.loiter = {
        startAt: s.at,
        startLat: s.lat,
        startLon: s.lon,
        startEventId: s.eventId,
        lastAt: s.at,
        lastLat: s.lat,
        lastLon: s.lon,
        lastEventId: s.eventId,
        samples: 1,
        sumSog: s.sog,
        fastStreak: 0,
        fastSog: 0,
        flag: null,
      };
      return;
    }
    run.samples += 1 + run.fastStreak;
    run.sumSog += s.sog + run.fastSog;
    run.fastStreak = 0;
    run.fastSog = 0;
    run.lastAt = s.at;
    run.lastLat = s.lat;
    run.lastLon = s.lon;
    run.lastEventId = s.eventId;
    if (!run.flag && this.qualifies(run)) run.flag = this.ctx.sink.raise(this.draft(track, run, true));
  }

  /** A late fix at or above the speed inside the run means the run really started after it. */
  onLateFix(track: VesselTrack, at: number, sog: number): void {
    const run = track.loiter;
    if (run && at > run.startAt && sog >= this.cfg.maxSpeedKn) this.end(track, run);
  }

  /** The vessel went silent: close the run at its last slow sample. */
  onSilence(track: VesselTrack): void {
    if (track.loiter) this.end(track, track.loiter);
  }

  private end(track: VesselTrack, run: LoiterRun): void {
    track.loiter = null;
    if (run.flag) this.ctx.sink.supersede(run.flag, this.draft(track, run, false));
  }

  private qualifies(run: LoiterRun): boolean {
    return (
      run.lastAt - run.startAt >= this.cfg.minDurationHours * MS_PER_HOUR &&
      run.sumSog / run.samples < this.cfg.maxSpeedKn
    );
  }

  private draft(track: VesselTrack, run: LoiterRun, ongoing: boolean) {
    const port = nearestPort(this.ctx, run.startLat, run.startLon);
    const mean = run.sumSog / run.samples;
    const hours = (run.lastAt - run.startAt) / MS_PER_HOUR;
    return {
      rule: 'loitering' as const,
      key: `loiter:${run.startAt}`,
      severity: this.cfg.severity,
      mmsi: track.mmsi,
      fromMs: run.startAt,
      atMs: run.lastAt,
      observed: {
        hours: Math.round(hours * 100) / 100,
        meanSpeedKn: round1(mean),
        portDistanceKm: finiteOrNull(port.km),
        nearestPort: port.name,
        ongoing,
      },
      threshold: {
        maxSpeedKn: this.cfg.maxSpeedKn,
        minDurationHours: this.cfg.minDurationHours,
        minPortDistanceKm: this.cfg.minPortDistanceKm,
      },
      evidence: [run.startEventId, run.lastEventId],
      explanation:
        `${vesselLabel(track)} ${ongoing ? 'has been drifting' : 'drifted'} at ${knots(mean)} on average for ` +
        `${duration(run.lastAt - run.startAt)} around ${position(run.startLat, run.startLon)}, ` +
        fromNearestPort(port.km, port.name),
    };
  }
}
