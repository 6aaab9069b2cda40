import type { MaritimeConfig } from './maritime-config';
import { distance, duration, fromNearestPort, knots, position, round1, vesselLabel } from './explain';
import { MS_PER_HOUR } from './geo';
import { finiteOrNull, type NearestPort } from './maritime-context';
import type { RecentSamples, RecentSamplesJson } from './recent-samples';
import { storedFingerprint, tell, type Decision } from './rule-decision';
import type { VesselFlagDraft } from './vessel-flag-draft';
import type { VesselTrack } from './vessel-track';

/** The encounter rule's thresholds (`MaritimeConfig.encounter`). */
type EncounterConfig = MaritimeConfig['encounter'];

/**
 * Two samples, one of each vessel of a pair, of the same resampling interval and at most `maxFixSkewMinutes`
 * apart, within `maxDistanceM` of each other, both slow and away from port. `a`/`b` follow the pair's vessels.
 */
export interface EncounterMatch {
  /** Earlier and later of the two samples' times (ms). */
  tMin: number;
  tMax: number;
  aId: string;
  bId: string;
  aSog: number;
  bSog: number;
  km: number;
  portKm: number;
  /** Position of vessel `a`'s sample. */
  lat: number;
  lon: number;
}

/**
 * Two vessels that have been seen close together. `pending` holds matches not yet folded in (a later one
 * may still arrive before them); the episode fields (`startAt` … `flagFingerprints`) describe the encounter folded so
 * far, valid while `started`. Vessel `a` has the lower MMSI, so a pair is the same whichever vessel's
 * report came first.
 */
export interface EncounterPair {
  a: VesselTrack;
  b: VesselTrack;
  pending: EncounterMatch[];
  started: boolean;
  startAt: number;
  lastCloseAt: number;
  lat: number;
  lon: number;
  /** Sampled speeds of both vessels while close, in bins of `speedResolutionKn`; the last bin is "too fast". */
  speeds: Uint16Array;
  maxDistM: number;
  minPortKm: number;
  firstEvidence: [string, string];
  lastEvidence: [string, string];
  /**
   * The fingerprints of the episode's flags once raised, vessel `a`'s then `b`'s (null before); checkpoints of
   * earlier versions kept the flags themselves (`flags`).
   */
  flagFingerprints: [string, string] | null;
  /**
   * The episode was ended only because a vessel counted as silent (its clock passed its newest fix by the
   * AIS-gap threshold): its flags carry the figures so far as final, but the episode is kept, so a later
   * fix of that vessel within the merge gap — the silence was a guess made while its track lagged its
   * source's clock — continues it, as event-time order would have. Absent in snapshots of earlier versions.
   */
  dormant?: boolean;
}

/** A pair in a snapshot: kept in the state of its vessel `a`, naming `b` by MMSI. */
export interface EncounterPairJson extends Omit<EncounterPair, 'a' | 'b' | 'speeds'> {
  b: string;
  speeds: number[];
}

/** One vessel's part of the rule: its recent slow samples away from port and the pairs it is in. */
export interface EncounterVessel {
  samples: RecentSamples;
  pairs: EncounterPair[];
  /** Its clock passed its newest fix plus the AIS-gap threshold: it counts as having no later samples. */
  silent: boolean;
}

export interface EncounterVesselJson {
  samples: RecentSamplesJson;
  pairs: EncounterPairJson[];
  silent: boolean;
}

/** Fold order of matches: by the later sample's time, then the earlier's, then the evidence ids. */
export function matchOrder(x: EncounterMatch, y: EncounterMatch): number {
  return (
    x.tMax - y.tMax ||
    x.tMin - y.tMin ||
    (x.aId < y.aId ? -1 : x.aId > y.aId ? 1 : 0) ||
    (x.bId < y.bId ? -1 : x.bId > y.bId ? 1 : 0)
  );
}

/**
 * Counts one sampled speed (knots; NaN: not available, counted as too fast) in the pair's bins of
 * `speedResolutionKn`; the last bin is "too fast". A bin stops at 65,535.
 */
export function addSpeed(pair: EncounterPair, sog: number, cfg: EncounterConfig): void {
  const bins = pair.speeds.length;
  const bin = Number.isFinite(sog) ? Math.min(Math.floor(sog / cfg.speedResolutionKn), bins - 1) : bins - 1;
  if (pair.speeds[bin] < 0xffff) pair.speeds[bin]++;
}

/**
 * The match of sample `ia` of vessel `a` (`sa`) with sample `ib` of vessel `b` (`sb`), `km` apart; its
 * distance to port is the nearer of the two samples'.
 */
export function matchOf(
  sa: RecentSamples,
  ia: number,
  sb: RecentSamples,
  ib: number,
  km: number,
): EncounterMatch {
  const aAt = sa.at(ia);
  const bAt = sb.at(ib);
  return {
    tMin: Math.min(aAt, bAt),
    tMax: Math.max(aAt, bAt),
    aId: sa.eventId(ia),
    bId: sb.eventId(ib),
    aSog: sa.sog(ia),
    bSog: sb.sog(ib),
    km,
    portKm: Math.min(sa.portKm(ia), sb.portKm(ib)),
    lat: sa.lat(ia),
    lon: sa.lon(ia),
  };
}

/** Folds a match into the pair's figures, starting the episode when none is under way. */
export function foldFigures(pair: EncounterPair, m: EncounterMatch, cfg: EncounterConfig): void {
  if (!pair.started) {
    pair.started = true;
    pair.startAt = m.tMin;
    pair.lastCloseAt = m.tMax;
    pair.lat = m.lat;
    pair.lon = m.lon;
    pair.speeds.fill(0);
    pair.maxDistM = 0;
    pair.minPortKm = Infinity;
    pair.firstEvidence = [m.aId, m.bId];
    pair.flagFingerprints = null;
  }
  if (m.tMin < pair.startAt) pair.startAt = m.tMin;
  if (m.tMax > pair.lastCloseAt) pair.lastCloseAt = m.tMax;
  addSpeed(pair, m.aSog, cfg);
  addSpeed(pair, m.bSog, cfg);
  if (m.km * 1000 > pair.maxDistM) pair.maxDistM = m.km * 1000;
  if (m.portKm < pair.minPortKm) pair.minPortKm = m.portKm;
  pair.lastEvidence = [m.aId, m.bId];
}

/** Median speed (knots) to the bin's lower edge; Infinity when at least half the samples were too fast. */
export function medianKn(pair: EncounterPair, cfg: EncounterConfig): number {
  let total = 0;
  for (const n of pair.speeds) total += n;
  let seen = 0;
  for (let i = 0; i < pair.speeds.length - 1; i++) {
    seen += pair.speeds[i];
    if (seen * 2 > total) return i * cfg.speedResolutionKn;
  }
  return Infinity;
}

/** Whether the episode folded so far is an encounter: long enough, slow enough, far enough from port. */
export function qualifies(pair: EncounterPair, cfg: EncounterConfig): boolean {
  return (
    pair.lastCloseAt - pair.startAt >= cfg.minDurationHours * MS_PER_HOUR &&
    medianKn(pair, cfg) < cfg.maxMedianSpeedKn &&
    pair.minPortKm >= cfg.minPortDistanceKm
  );
}

/**
 * The flag of vessel `subject` (one of the pair) for the episode, naming the other; `port`: the port nearest
 * the episode's position; `ongoing`: the episode has not ended.
 */
export function encounterDraft(
  pair: EncounterPair,
  subject: VesselTrack,
  ongoing: boolean,
  port: NearestPort,
  cfg: EncounterConfig,
): VesselFlagDraft {
  const other = subject === pair.a ? pair.b : pair.a;
  const median = medianKn(pair, cfg);
  const ms = pair.lastCloseAt - pair.startAt;
  const medianText = Number.isFinite(median) ? knots(median) : `${knots(cfg.maxMedianSpeedKn)} or more`;
  return {
    rule: 'encounter' as const,
    key: `encounter:${other.mmsi}:${pair.startAt}`,
    severity: cfg.severity,
    mmsi: subject.mmsi,
    partnerMmsi: other.mmsi,
    fromMs: pair.startAt,
    atMs: pair.lastCloseAt,
    observed: {
      partnerMmsi: other.mmsi,
      partnerName: other.nameAt(pair.lastCloseAt),
      hours: Math.round((ms / MS_PER_HOUR) * 100) / 100,
      medianSpeedKn: Number.isFinite(median) ? round1(median) : null,
      maxDistanceM: Math.round(pair.maxDistM),
      portDistanceKm: finiteOrNull(port.km),
      nearestPort: port.name,
      ongoing,
    },
    threshold: {
      maxDistanceM: cfg.maxDistanceM,
      minDurationHours: cfg.minDurationHours,
      maxMedianSpeedKn: cfg.maxMedianSpeedKn,
      minPortDistanceKm: cfg.minPortDistanceKm,
    },
    evidence: [...pair.firstEvidence, ...pair.lastEvidence],
    explanation:
      `${vesselLabel(subject, pair.lastCloseAt)} and ${vesselLabel(other, pair.lastCloseAt)} ${ongoing ? 'have stayed' : 'stayed'} within ` +
      `${distance(pair.maxDistM / 1000)} of each other for ${duration(ms)} at ${medianText} median ` +
      `near ${position(pair.lat, pair.lon)}, ${fromNearestPort(port.km, port.name)}`,
  };
}

/** A new pair of vessels `a` (the lower MMSI) and `b`, no match folded yet; `bins`: speed bins, "too fast" last. */
export function newPair(a: VesselTrack, b: VesselTrack, bins: number): EncounterPair {
  return {
    a,
    b,
    pending: [],
    started: false,
    startAt: NaN,
    lastCloseAt: NaN,
    lat: NaN,
    lon: NaN,
    speeds: new Uint16Array(bins),
    maxDistM: 0,
    minPortKm: Infinity,
    firstEvidence: ['', ''],
    lastEvidence: ['', ''],
    flagFingerprints: null,
  };
}

/** A pair as kept in the state of its vessel `a`, naming `b` by MMSI (copies: the pair goes on changing). */
export function pairToJson({
  a: _a,
  b,
  speeds,
  pending,
  firstEvidence,
  lastEvidence,
  flagFingerprints,
  ...rest
}: EncounterPair): EncounterPairJson {
  return {
    ...rest,
    pending: pending.map((m) => ({ ...m })),
    firstEvidence: [...firstEvidence],
    lastEvidence: [...lastEvidence],
    flagFingerprints: flagFingerprints ? [...flagFingerprints] : null,
    b: b.mmsi,
    speeds: Array.from(speeds),
  };
}

/**
 * The inverse of `pairToJson`, for vessel `a` and its partner `b` (restored already); a pair of an earlier
 * version, with its flags kept whole (`flags`), is upcast to their fingerprints.
 */
export function pairFromJson(json: EncounterPairJson, a: VesselTrack, b: VesselTrack): EncounterPair {
  const { b: _b, speeds, flags, ...rest } = json as EncounterPairJson & { flags?: unknown[] | null };
  const stored = flags ? flags.map(storedFingerprint) : null;
  return {
    ...rest,
    flagFingerprints: rest.flagFingerprints ?? (stored?.[0] && stored[1] ? [stored[0], stored[1]] : null),
    a,
    b,
    speeds: Uint16Array.from(speeds),
    firstEvidence: [...rest.firstEvidence] as [string, string],
    lastEvidence: [...rest.lastEvidence] as [string, string],
  };
}

/** A vessel's part (`undefined` when empty): its samples and the pairs it is the first of. */
export function vesselToJson(state: EncounterVessel, track: VesselTrack): EncounterVesselJson | undefined {
  if (state.samples.size === 0 && state.pairs.length === 0 && !state.silent) return undefined;
  return {
    samples: state.samples.toJSON(),
    silent: state.silent,
    pairs: state.pairs.filter((p) => p.a === track).map(pairToJson),
  };
}

/** What the `met` fact says of a flagged episode: its span (ms), greatest distance apart while close (m), evidence. */
export const metFigures = (pair: EncounterPair) => ({
  fromMs: pair.startAt,
  atMs: pair.lastCloseAt,
  maxDistanceM: Math.round(pair.maxDistM),
  evidence: [...pair.firstEvidence, ...pair.lastEvidence],
});

/** Tells both vessels of a flagged episode that they met, with its figures now (`VesselFact` `met`). */
export function metTells(pair: EncounterPair): [Decision, Decision] {
  const figures = metFigures(pair);
  return [
    tell(pair.a, { kind: 'met', other: pair.b, ...figures }),
    tell(pair.b, { kind: 'met', other: pair.a, ...figures }),
  ];
}
