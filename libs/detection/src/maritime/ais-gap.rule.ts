import type { Flag } from '@aidwatch/domain';
import type { EpisodeEnd, VesselFlagDraft } from './flag-sink';
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
 * A position that arrives later from another source (satellite AIS, hours behind terrestrial) and falls
 * inside a flagged silence splits it: the flag gives way to the longest part still a gap, or is cleared.
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
          `${vesselLabel(track, dueAt)} has sent no position for ${duration(dueAt - episode.startAt)} since ` +
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
    const ends = {
      start: { at: began.startAt, lat: began.startLat, lon: began.startLon, eventId: began.startEventId },
      end: { at, lat, lon, eventId },
    };
    this.ctx.sink.supersede(
      began.flag,
      this.closedDraft(track, `gap:${began.startAt}`, ends, start, end, ''),
    );
    return null;
  }

  /**
   * A fix older than the vessel's newest (however late: satellite AIS may come hours after terrestrial),
   * from input `source`: inside an open flagged silence of the vessel — between the fixes that bound it — it
   * splits the silence in two. The flag gives way to the longest part that still is a gap (≥ the threshold,
   * both ends away from port), keeping its fingerprint; another such part is raised as its own gap; with
   * none, the flag is cleared. Counts the fix in `lateInGap` when a silence was judged again.
   */
  onPastFix(track: VesselTrack, gap: AisGapEpisode | null, fix: Fix, source: string): AisGapEpisode | null {
    if (this.fillSilence(track, fix, source)) this.ctx.counters.lateInGap++;
    return gap;
  }

  /** Splits the open flagged silences `fix` falls in (see `onPastFix`); returns whether there was one. */
  private fillSilence(track: VesselTrack, fix: Fix, source: string): boolean {
    const open = this.ctx.sink.open.of(track.mmsi);
    if (open.length === 0) return false;
    const inside = open.filter(
      ({ draft }) =>
        draft.rule === 'ais-gap' &&
        draft.ends !== undefined &&
        draft.ends.start.at < fix.at &&
        fix.at < draft.ends.end.at,
    );
    for (const entry of inside) {
      const { draft } = entry;
      const { start, end } = draft.ends as NonNullable<VesselFlagDraft['ends']>;
      const late: EpisodeEnd = { at: fix.at, lat: fix.lat, lon: fix.lon, eventId: fix.eventId };
      const atLate = nearestPort(this.ctx, late.lat, late.lon);
      const note = `; a position that arrived late from ${source} (${shortTime(late.at)}) shortened the silence`;
      const parts = [
        { ends: { start, end: late }, from: nearestPort(this.ctx, start.lat, start.lon), to: atLate },
        { ends: { start: late, end }, from: atLate, to: nearestPort(this.ctx, end.lat, end.lon) },
      ]
        .filter(
          (p) =>
            p.ends.end.at - p.ends.start.at >= this.minGapMs &&
            p.from.km >= this.cfg.minPortDistanceKm &&
            p.to.km >= this.cfg.minPortDistanceKm,
        )
        .sort((x, y) => y.ends.end.at - y.ends.start.at - (x.ends.end.at - x.ends.start.at));
      if (parts.length === 0) {
        this.ctx.sink.clearOpen(
          entry,
          late.at,
          `the silence was filled by a late position from ${source} (event ${late.eventId}, ${shortTime(late.at)})`,
        );
        continue;
      }
      const [longest, other] = parts;
      this.ctx.sink.supersedeOpen(
        entry,
        this.closedDraft(track, draft.key, longest.ends, longest.from, longest.to, note),
      );
      if (other)
        this.ctx.sink.raise(
          this.closedDraft(track, `gap:${other.ends.start.at}`, other.ends, other.from, other.to, note),
        );
    }
    return inside.length > 0;
  }

  toJSON(gap: AisGapEpisode | null): unknown {
    return gap ?? undefined;
  }

  fromJSON(json: unknown): AisGapEpisode | null {
    return (json as AisGapEpisode | undefined) ?? null;
  }

  private base(track: VesselTrack, episode: { startAt: number }, start: NearestPort, silentMs: number) {
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

  /** A silence between two known fixes, under `key` (that of the silence it was first flagged as). */
  private closedDraft(
    track: VesselTrack,
    key: string,
    ends: { start: EpisodeEnd; end: EpisodeEnd },
    start: NearestPort,
    end: NearestPort,
    note: string,
  ): VesselFlagDraft {
    const silentMs = ends.end.at - ends.start.at;
    const movedKm = greatCircleKm(ends.start.lat, ends.start.lon, ends.end.lat, ends.end.lon);
    const base = this.base(track, { startAt: ends.start.at }, start, silentMs);
    return {
      ...base,
      key,
      atMs: ends.end.at,
      observed: { ...base.observed, endPortDistanceKm: finiteOrNull(end.km), movedKm: finiteOrNull(movedKm) },
      evidence: [ends.start.eventId, ends.end.eventId],
      explanation:
        `${vesselLabel(track, ends.end.at)} sent no position for ${duration(silentMs)} (${shortTime(ends.start.at)} to ` +
        `${shortTime(ends.end.at)}), going dark ${fromNearestPort(start.km, start.name)} and reappearing ` +
        `${Math.round(movedKm)} km away, ${fromNearestPort(end.km, end.name)}${note}`,
      ends,
    };
  }
}
