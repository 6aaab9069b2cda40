import type { LonLat } from './sea-lanes';
import { classAReportingIntervalMs, NavStatus, STATIC_REPORT_INTERVAL_MS } from './ais-reporting';
import { KM_PER_NM, MS_PER_HOUR, offsetKm, type TrackMotion } from './track';

/** Moored or anchored in a port. */
export interface BerthLeg {
  kind: 'berth';
  fromMs: number;
  toMs: number;
  locode: string;
  point: LonLat;
  navStatus: typeof NavStatus.AtAnchor | typeof NavStatus.Moored;
  heading: number;
  /** Where the vessel sails next (AIS destination). */
  destination: string;
}

/** Under way along a track. A spoofed window reports positions further along the track than the vessel is. */
export interface TransitLeg {
  kind: 'transit';
  fromMs: number;
  toMs: number;
  motion: TrackMotion;
  destination: string;
  spoof?: { fromMs: number; toMs: number; aheadKm: number };
}

/** Slow circling at sea (loitering, or alongside another vessel); `silent` when the transponder is off. */
export interface DriftLeg {
  kind: 'drift';
  fromMs: number;
  toMs: number;
  center: LonLat;
  radiusKm: number;
  /** Angle on the circle at `fromMs`, radians from east, counter-clockwise. */
  phase: number;
  speedKn: number;
  silent: boolean;
  destination: string;
}

export type Leg = BerthLeg | TransitLeg | DriftLeg;

/** Static data valid from `fromMs` until the next period. */
export interface StaticPeriod {
  fromMs: number;
  imo: string;
  name: string;
  callsign: string;
  flag: string;
  shipType: number;
  draught: number;
}

export type VesselRole =
  'clean' | 'encounter' | 'ais-gap' | 'loitering' | 'draught-change' | 'identity-change' | 'position-jump';

export interface VesselPlan {
  mmsi: string;
  role: VesselRole;
  /** Contiguous, in time order, covering the whole simulation. */
  legs: Leg[];
  statics: StaticPeriod[];
  /** Offsets of the first position and static report after the start, so vessels do not report in step. */
  positionPhaseMs: number;
  staticPhaseMs: number;
}

export interface VesselState {
  position: LonLat;
  /** True speed; reports add noise to it. */
  sogKn: number;
  cog?: number;
  heading?: number;
  navStatus: number;
  silent: boolean;
}

/** Finds the leg at a time; `hint` (the last index used) keeps forward scans cheap. */
export function legIndexAt(plan: VesselPlan, t: number, hint = 0): number {
  const legs = plan.legs;
  let i = Math.min(Math.max(hint, 0), legs.length - 1);
  if (legs[i].fromMs > t) i = 0;
  while (i < legs.length - 1 && legs[i].toMs <= t) i++;
  return i;
}

export function stateOf(leg: Leg, t: number): VesselState {
  switch (leg.kind) {
    case 'berth':
      return { position: leg.point, sogKn: 0, heading: leg.heading, navStatus: leg.navStatus, silent: false };
    case 'transit': {
      const km = leg.motion.distanceAt(t);
      const spoofed = leg.spoof && t >= leg.spoof.fromMs && t < leg.spoof.toMs;
      const shownKm = spoofed
        ? Math.min(km + (leg.spoof as { aheadKm: number }).aheadKm, leg.motion.track.lengthKm)
        : km;
      const cog = leg.motion.track.bearingAt(shownKm);
      return {
        position: leg.motion.track.pointAt(shownKm),
        sogKn: leg.motion.speedAt(km),
        cog,
        heading: Math.round(cog) % 360,
        navStatus: NavStatus.UnderWayUsingEngine,
        silent: false,
      };
    }
    case 'drift': {
      const radPerMs = leg.radiusKm > 0 ? (leg.speedKn * KM_PER_NM) / MS_PER_HOUR / leg.radiusKm : 0;
      const angle = leg.phase + radPerMs * (t - leg.fromMs);
      const position = offsetKm(leg.center, leg.radiusKm * Math.cos(angle), leg.radiusKm * Math.sin(angle));
      // Counter-clockwise motion: velocity (-sin, cos) in east/north, as a bearing from north.
      const cog = ((Math.atan2(-Math.sin(angle), Math.cos(angle)) * 180) / Math.PI + 360) % 360;
      return {
        position,
        sogKn: radPerMs > 0 ? leg.speedKn : 0,
        cog,
        heading: Math.round(cog) % 360,
        navStatus: NavStatus.UnderWayUsingEngine,
        silent: leg.silent,
      };
    }
  }
}

export const destinationOf = (leg: Leg): string => leg.destination;

/** The times at which the vessel reports its position (silent periods included, for callers to skip). */
export function* positionTimes(plan: VesselPlan, startMs: number, endMs: number, downsample: number) {
  let t = startMs + plan.positionPhaseMs;
  let hint = 0;
  while (t < endMs) {
    hint = legIndexAt(plan, t, hint);
    const state = stateOf(plan.legs[hint], t);
    yield { t, legIndex: hint, state };
    t += classAReportingIntervalMs(state.sogKn, state.navStatus) * downsample;
  }
}

export function* staticTimes(plan: VesselPlan, startMs: number, endMs: number, downsample: number) {
  let hint = 0;
  for (let t = startMs + plan.staticPhaseMs; t < endMs; t += STATIC_REPORT_INTERVAL_MS * downsample) {
    hint = legIndexAt(plan, t, hint);
    const leg = plan.legs[hint];
    yield { t, leg, silent: leg.kind === 'drift' && leg.silent };
  }
}

export function staticAt(plan: VesselPlan, t: number): StaticPeriod {
  let current = plan.statics[0];
  for (const s of plan.statics) if (s.fromMs <= t) current = s;
  return current;
}
