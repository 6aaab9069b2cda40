import type { Flag } from '@aidwatch/domain';
import { duration, fromNearestPort, isoTime, position, shortTime, vesselLabel } from './explain';
import { greatCircleKm, MS_PER_HOUR } from './geo';
import type { MaritimeContext, NearestPort } from './maritime-context';
import { finiteOrNull, nearestPort } from './maritime-context';
import type { Fix, VesselRule } from './vessel-rule';
import type { VesselTrack } from './vessel-track';

/** A silence that reached the threshold: flagged when it started away from port, else only remembered. */
export interface AisGapEpisode {
  startAt: number;
  startLat: number;
  startLon: number;
  startEventId: string;
  flag: Flag | null;
}

/**
 * "Going dark": no position for ≥ 12 h with both ends away from port. Global Fishing Watch asks for both
 * ends > 50 nm from shore; without coastline data the distance is measured from declared ports' limits.
 * Raised when the watermark passes the deadline (the start end is known then); when the vessel reappears,
 * superseded by a flag with the whole silence, or cleared if it reappeared in port or earlier than thought.
 */
export class AisGapRule implements VesselRule<AisGapEpisode | null> {
  readonly name = 'aisGap';

  /** The threshold in ms. */
  readonly minGapMs: number;

  constructor(private readonly ctx: MaritimeContext) {
    this.minGapMs = ctx.config.aisGap.minGapHours * MS_PER_HOUR;
  }

  initialState(): AisGapEpisode | null {
    return null;
  }

  /** Due when the newest fix is `minGapHours` old and no silence is open yet. */
  dueAt(track: VesselTrack, gap: AisGapEpisode | null): number {
    return gap === null ? track.lastAt + this.minGapMs : NaN;
  }

  private get cfg() {
    return this.ctx.config.aisGap;
  }

  /** The vessel's clock passed `dueAt` = last fix + threshold with no newer fix. */
  onDue(track: VesselTrack, _gap: AisGapEpisode | null, dueAt: number): AisGapEpisode {
    const start = nearestPort(this.ctx, track.lastLat, track.lastLon);
    const episode: AisGapEpisode = {
      startAt: track.lastAt,
      startLat: track.lastLat,
      startLon: track.lastLon,
      startEventId: track.lastEventId,
      flag: null,
    };
    if (start.km >= this.cfg.minPortDistanceKm) {
      episode.flag = this.ctx.sink.raise({
        ...this.base(track, episode, start, dueAt - episode.startAt),
        atMs: dueAt,
        evidence: [episode.startEventId],
        explanation:
          `${vesselLabel(track)} has sent no position for ${duration(dueAt - episode.startAt)} since ` +
          `${shortTime(episode.startAt)}, last seen at ${position(episode.startLat, episode.startLon)}, ` +
          fromNearestPort(start.km, start.name),
      });
    }
    return episode;
  }

  /** An in-order fix arrived (before the track's newest fix is replaced): any silence ends. */
  onFix(track: VesselTrack, episode: AisGapEpisode | null, fix: Fix): null {
    if (!track.hasFix()) return null;
    const { at, lat, lon, eventId } = fix;
    const silentMs = at - track.lastAt;
    if (episode?.flag && silentMs < this.minGapMs) {
      this.ctx.sink.clear(episode.flag, at, `a position from ${shortTime(at)} shows the silence was shorter`);
      return null;
    }
    if (silentMs < this.minGapMs || (episode && !episode.flag)) return null;
    const start = nearestPort(this.ctx, track.lastLat, track.lastLon);
    if (!episode && start.km < this.cfg.minPortDistanceKm) return null;
    const end = nearestPort(this.ctx, lat, lon);
    const began = episode ?? {
      startAt: track.lastAt,
      startLat: track.lastLat,
      startLon: track.lastLon,
      startEventId: track.lastEventId,
      flag: null,
    };
    if (end.km < this.cfg.minPortDistanceKm) {
      if (began.flag) {
        this.ctx.sink.clear(
          began.flag,
          at,
          `reappeared ${fromNearestPort(end.km, end.name)}: both ends must be away from port`,
        );
      }
      return null;
    }
    const movedKm = greatCircleKm(began.startLat, began.startLon, lat, lon);
    const base = this.base(track, began, start, silentMs);
    this.ctx.sink.supersede(began.flag, {
      ...base,
      atMs: at,
      observed: { ...base.observed, endPortDistanceKm: finiteOrNull(end.km), movedKm: finiteOrNull(movedKm) },
      evidence: [began.startEventId, eventId],
      explanation:
        `${vesselLabel(track)} sent no position for ${duration(silentMs)} (${shortTime(began.startAt)} to ` +
        `${shortTime(at)}), going dark ${fromNearestPort(start.km, start.name)} and reappearing ` +
        `${Math.round(movedKm)} km away, ${fromNearestPort(end.km, end.name)}`,
    });
    return null;
  }

  toJSON(gap: AisGapEpisode | null): unknown {
    return gap ?? undefined;
  }

  fromJSON(json: unknown): AisGapEpisode | null {
    return (json as AisGapEpisode | undefined) ?? null;
  }

  private base(track: VesselTrack, episode: AisGapEpisode, start: NearestPort, silentMs: number) {
    return {
      rule: 'ais-gap' as const,
      key: `gap:${episode.startAt}`,
      severity: this.cfg.severity,
      mmsi: track.mmsi,
      fromMs: episode.startAt,
      observed: {
        silentHours: Math.round((silentMs / MS_PER_HOUR) * 100) / 100,
        silentSince: isoTime(episode.startAt),
        startPortDistanceKm: finiteOrNull(start.km),
        nearestPort: start.name,
      },
      threshold: { minGapHours: this.cfg.minGapHours, minPortDistanceKm: this.cfg.minPortDistanceKm },
    };
  }
}
