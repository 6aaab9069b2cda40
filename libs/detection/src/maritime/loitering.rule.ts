import { duration, fromNearestPort, knots, position, round1, vesselLabel } from './explain';
import { isValidSog, MS_PER_HOUR } from './geo';
import type { MaritimeContext } from './maritime-context';
import { finiteOrNull, nearestPort } from './maritime-context';
import {
  Decided,
  draftFingerprint,
  raise,
  storedFingerprint,
  supersede,
  withDecision,
  type Decision,
  type Step,
} from './rule-decision';
import type { VesselFlagDraft } from './vessel-flag-draft';
import type { Fix, PortSearch, VesselRule } from './vessel-rule';
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
  /** The fingerprint of the run's flag once raised (null before); earlier checkpoints kept the flag (`flag`). */
  flagFingerprint: string | null;
  /**
   * Closed only because the vessel counted as silent (its clock passed its newest fix by the AIS-gap
   * threshold): the flag carries the run's figures so far as final, but a later sample within the report
   * gap — the silence was a guess made while its track lagged its source's clock — continues the run, as
   * event-time order would have. Absent in snapshots of earlier versions.
   */
  dormant?: boolean;
}

/**
 * Loitering: one vessel slower than 2 kn for ≥ 4 h, ≥ 10 km from any port's limits. The criterion is the
 * reported speed of the 10-minute samples (as in Global Fishing Watch's carrier-loitering events, 4 h rather
 * than 2 h: waiting for a berth or pilot rarely lasts that long that far out), with one fast sample tolerated
 * so speed noise while drifting does not split a run; the run's mean speed must also stay below the limit.
 * Raised when the run reaches the duration (`raise`); superseded with the final figures when the run ends
 * (`supersede`, by the flag's fingerprint).
 */
export class LoiteringRule implements VesselRule<LoiterRun | null> {
  readonly name = 'loitering';
  /** A run counts slow samples away from port (`onSample`). */
  readonly portSearch: PortSearch;

  private readonly silenceMs: number;

  constructor(private readonly ctx: MaritimeContext) {
    this.silenceMs = ctx.config.aisGap.minGapHours * MS_PER_HOUR;
    const cfg = ctx.config.loitering;
    this.portSearch = { belowKn: cfg.maxSpeedKn, withinKm: cfg.minPortDistanceKm };
  }

  private get cfg() {
    return this.ctx.config.loitering;
  }

  initialState(): LoiterRun | null {
    return null;
  }

  onSample(track: VesselTrack, run: LoiterRun | null, s: Sample): Step<LoiterRun | null> {
    // The final figures of a run the report gap ended (a dormant run's flag has them already).
    let ended: Decision | null = null;
    if (run && s.at - run.lastAt > this.cfg.maxReportGapHours * MS_PER_HOUR) {
      if (!run.dormant) ended = this.end(track, run);
      run = null;
    }
    // A run closed by a silence the vessel's next sample fills goes on (its flag is superseded when it ends).
    if (run?.dormant) run.dormant = false;
    if (s.portKm < this.cfg.minPortDistanceKm) return withDecision(null, run ? this.end(track, run) : ended);
    if (s.sog >= this.cfg.maxSpeedKn) {
      if (!run) return withDecision(null, ended);
      run.fastStreak++;
      run.fastSog += s.sog;
      return run.fastStreak > this.cfg.toleratedFastSamples ? withDecision(null, this.end(track, run)) : run;
    }
    if (!run) {
      return withDecision<LoiterRun | null>(
        {
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
          flagFingerprint: null,
        },
        ended,
      );
    }
    run.samples += 1 + run.fastStreak;
    run.sumSog += s.sog + run.fastSog;
    run.fastStreak = 0;
    run.fastSog = 0;
    run.lastAt = s.at;
    run.lastLat = s.lat;
    run.lastLon = s.lon;
    run.lastEventId = s.eventId;
    if (run.flagFingerprint === null && this.qualifies(run)) {
      const draft = this.draft(track, run, true);
      run.flagFingerprint = draftFingerprint(draft);
      return new Decided(run, [raise(draft)]);
    }
    return run;
  }

  /** A late fix at or above the speed inside the run means the run really started after it. */
  onLateFix(track: VesselTrack, run: LoiterRun | null, fix: Fix): Step<LoiterRun | null> {
    if (run && isValidSog(fix.sog) && fix.at > run.startAt && fix.sog >= this.cfg.maxSpeedKn)
      return withDecision(null, this.end(track, run));
    return run;
  }

  /** An open run ends when the vessel has been silent for the AIS-gap threshold. */
  dueAt(track: VesselTrack, run: LoiterRun | null): number {
    return run && !run.dormant ? track.lastAt + this.silenceMs : NaN;
  }

  /**
   * The vessel went silent: the run closes at its last slow sample — its flag takes the final figures — and
   * stays, dormant, for a later sample within the report gap to continue.
   */
  onDue(track: VesselTrack, run: LoiterRun | null): Step<LoiterRun | null> {
    if (!run) return null;
    run.dormant = true;
    return withDecision(run, this.end(track, run));
  }

  toJSON(run: LoiterRun | null): unknown {
    return run ?? undefined;
  }

  /** A run as `toJSON` wrote it; one of an earlier version, with its flag kept whole (`flag`), is upcast. */
  fromJSON(json: unknown): LoiterRun | null {
    if (json === undefined || json === null) return null;
    const { flag, ...run } = json as Omit<LoiterRun, 'flagFingerprint'> & {
      flagFingerprint?: string | null;
      flag?: unknown;
    };
    return { ...run, flagFingerprint: run.flagFingerprint ?? storedFingerprint(flag) };
  }

  /** The run's flag, if raised, superseded by one with its figures as final (`ongoing: false`). */
  private end(track: VesselTrack, run: LoiterRun): Decision | null {
    const flag = run.flagFingerprint;
    return flag === null ? null : supersede(flag, this.draft(track, run, false));
  }

  private qualifies(run: LoiterRun): boolean {
    return (
      run.lastAt - run.startAt >= this.cfg.minDurationHours * MS_PER_HOUR &&
      run.sumSog / run.samples < this.cfg.maxSpeedKn
    );
  }

  private draft(track: VesselTrack, run: LoiterRun, ongoing: boolean): VesselFlagDraft {
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
        `${vesselLabel(track, run.lastAt)} ${ongoing ? 'has been drifting' : 'drifted'} at ${knots(mean)} on average for ` +
        `${duration(run.lastAt - run.startAt)} around ${position(run.startLat, run.startLon)}, ` +
        fromNearestPort(port.km, port.name),
    };
  }
}
