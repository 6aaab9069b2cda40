import type { EpisodeEnd, VesselFlagDraft } from './vessel-flag-draft';
import { duration, fromNearestPort, isoTime, position, shortTime, vesselLabel } from './explain';
import { greatCircleKm, MS_PER_HOUR } from './geo';
import type { MaritimeContext, NearestPort } from './maritime-context';
import type { OpenVesselFlag } from './open-vessel-flags';
import { finiteOrNull, nearestPort } from './maritime-context';
import {
  add,
  clear,
  Decided,
  decided,
  draftFingerprint,
  raise,
  storedFingerprint,
  supersede,
  withDecision,
  type Decision,
  type Step,
} from './rule-decision';
import type { Fix, VesselRule } from './vessel-rule';
import type { VesselTrack } from './vessel-track';

/** A silence that reached the threshold: flagged when it started away from port, else only remembered. */
export interface AisGapEpisode {
  startAt: number;
  startLat: number;
  startLon: number;
  startEventId: string;
  /** The fingerprint of the silence's flag (null: not flagged); earlier checkpoints kept the flag (`flag`). */
  flagFingerprint: string | null;
}

/**
 * "Going dark": no position for ≥ 12 h with both ends away from port. Global Fishing Watch asks for both
 * ends > 50 nm from shore; without coastline data the distance is measured from declared ports' limits.
 * Raised when the watermark passes the deadline (the start end is known then); when the vessel reappears,
 * superseded by a flag with the whole silence, or cleared if it reappeared in port or earlier than thought.
 * A position that arrives later from another source (satellite AIS, hours behind terrestrial) and falls
 * inside a flagged silence splits it: the flag gives way to the longest part still a gap, or is cleared.
 * Its decisions name the open silence's flag by fingerprint; a closed silence's flag is found among the
 * vessel's open flags (`MaritimeContext.openFlags`) by the ends its draft keeps.
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
  onDue(track: VesselTrack, _gap: AisGapEpisode | null, dueAt: number): Step<AisGapEpisode> {
    const start = nearestPort(this.ctx, track.lastLat, track.lastLon);
    const episode: AisGapEpisode = {
      startAt: track.lastAt,
      startLat: track.lastLat,
      startLon: track.lastLon,
      startEventId: track.lastEventId,
      flagFingerprint: null,
    };
    if (start.km >= this.cfg.minPortDistanceKm) {
      const draft: VesselFlagDraft = {
        ...this.base(track, episode, start, dueAt - episode.startAt),
        atMs: dueAt,
        evidence: [episode.startEventId],
        explanation:
          `${vesselLabel(track, dueAt)} has sent no position for ${duration(dueAt - episode.startAt)} since ` +
          `${shortTime(episode.startAt)}, last seen at ${position(episode.startLat, episode.startLon)}, ` +
          fromNearestPort(start.km, start.name),
      };
      episode.flagFingerprint = draftFingerprint(draft);
      return new Decided(episode, [raise(draft)]);
    }
    return episode;
  }

  /** An in-order fix arrived (before the track's newest fix is replaced): any silence ends. */
  onFix(track: VesselTrack, episode: AisGapEpisode | null, fix: Fix): Step<null> {
    if (!track.hasFix()) return null;
    const { at, lat, lon, eventId } = fix;
    const silentMs = at - track.lastAt;
    const flagged = episode?.flagFingerprint ?? null;
    if (flagged !== null && silentMs < this.minGapMs)
      return withDecision(
        null,
        clear(flagged, at, `a position from ${shortTime(at)} shows the silence was shorter`),
      );
    if (silentMs < this.minGapMs || (episode && flagged === null)) return null;
    const start = nearestPort(this.ctx, track.lastLat, track.lastLon);
    if (!episode && start.km < this.cfg.minPortDistanceKm) return null;
    const end = nearestPort(this.ctx, lat, lon);
    const began = episode ?? {
      startAt: track.lastAt,
      startLat: track.lastLat,
      startLon: track.lastLon,
      startEventId: track.lastEventId,
      flagFingerprint: null,
    };
    if (end.km < this.cfg.minPortDistanceKm) {
      if (began.flagFingerprint === null) return null;
      return withDecision(
        null,
        clear(
          began.flagFingerprint,
          at,
          `reappeared ${fromNearestPort(end.km, end.name)}: both ends must be away from port`,
        ),
      );
    }
    const ends = {
      start: { at: began.startAt, lat: began.startLat, lon: began.startLon, eventId: began.startEventId },
      end: { at, lat, lon, eventId },
    };
    const closed = this.closedDraft(track, `gap:${began.startAt}`, ends, start, end, '');
    return new Decided(null, [supersede(began.flagFingerprint, closed)]);
  }

  /**
   * A fix older than the vessel's newest (however late: satellite AIS may come hours after terrestrial),
   * from input `source`: inside an open flagged silence of the vessel — between the fixes that bound it — it
   * splits the silence in two. The flag gives way to the longest part that still is a gap (≥ the threshold,
   * both ends away from port), keeping its fingerprint; another such part is raised as its own gap; with
   * none, the flag is cleared. Counts the fix in `lateInGap` when a silence was judged again.
   */
  onPastFix(
    track: VesselTrack,
    gap: AisGapEpisode | null,
    fix: Fix,
    source: string,
  ): Step<AisGapEpisode | null> {
    const open = this.ctx.openFlags.of(track.mmsi);
    if (open.length === 0) return gap;
    const decisions = this.fillSilence(track, open, fix, source);
    if (decisions !== null) this.ctx.counters.lateInGap++;
    return decided(gap, decisions);
  }

  /**
   * The decisions that split the flagged silences among `open` (the vessel's open flags) that `fix` falls in
   * (see `onPastFix`); null when it falls in none.
   */
  private fillSilence(
    track: VesselTrack,
    open: ReadonlyArray<Readonly<OpenVesselFlag>>,
    fix: Fix,
    source: string,
  ): Decision[] | null {
    const inside = open.filter(
      ({ draft }) =>
        draft.rule === 'ais-gap' &&
        draft.ends !== undefined &&
        draft.ends.start.at < fix.at &&
        fix.at < draft.ends.end.at,
    );
    if (inside.length === 0) return null;
    let out: Decision[] | null = null;
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
        out = add(
          out,
          clear(
            entry.fingerprint,
            late.at,
            `the silence was filled by a late position from ${source} (event ${late.eventId}, ${shortTime(late.at)})`,
          ),
        );
        continue;
      }
      const [longest, other] = parts;
      out = add(
        out,
        supersede(
          entry.fingerprint,
          this.closedDraft(track, draft.key, longest.ends, longest.from, longest.to, note),
        ),
      );
      if (other)
        out = add(
          out,
          raise(
            this.closedDraft(track, `gap:${other.ends.start.at}`, other.ends, other.from, other.to, note),
          ),
        );
    }
    return out;
  }

  toJSON(gap: AisGapEpisode | null): unknown {
    return gap ?? undefined;
  }

  /** A silence as `toJSON` wrote it; one of an earlier version, with its flag kept whole (`flag`), is upcast. */
  fromJSON(json: unknown): AisGapEpisode | null {
    if (json === undefined || json === null) return null;
    const { flag, ...gap } = json as Omit<AisGapEpisode, 'flagFingerprint'> & {
      flagFingerprint?: string | null;
      flag?: unknown;
    };
    return { ...gap, flagFingerprint: gap.flagFingerprint ?? storedFingerprint(flag) };
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
