import type { PortDeclaredData } from '@aidwatch/domain';
import { newIdentity } from './fleet-identity';
import { NavStatus } from './ais-reporting';
import { Prng } from './prng';
import type { LonLat, SeaLanes } from './sea-lanes';
import { distanceKm, MS_PER_HOUR, offsetKm, Track, TrackMotion } from './track';
import type { BerthLeg, Leg, StaticPeriod, TransitLeg, VesselPlan } from './vessel-plan';

/** Speed inside port areas, knots. */
export const HARBOUR_KN = 6;
const H = MS_PER_HOUR;

export interface PlannerContext {
  seed: number;
  startMs: number;
  endMs: number;
  /** Receiver coverage thinning: every interval is multiplied by it. */
  downsample: number;
  lanes: SeaLanes;
  ports: PortDeclaredData[];
  taken: { mmsis: Set<string>; imos: Set<string>; names: Set<string> };
  /** Where planted vessels lie slow at sea, kept apart so that one planted anomaly never makes another. */
  slowSites: LonLat[];
}

export const portOf = (ctx: PlannerContext, locode: string): PortDeclaredData =>
  ctx.ports.find((p) => p.locode === locode) as PortDeclaredData;

/** Distance from a point to the nearest port's limits (its centre less its radius). */
export function kmFromPorts(ctx: PlannerContext, point: LonLat): number {
  let best = Infinity;
  for (const p of ctx.ports) best = Math.min(best, distanceKm(point, [p.lon, p.lat]) - p.radiusKm);
  return best;
}

/** Cruise speed of 10-15 kn, kept clear of 14 kn so that noise never moves a report across a rate boundary. */
export function pickCruise(rng: Prng): number {
  const v = rng.range(10, 15);
  return v > 13.6 && v < 14.4 ? (v < 14 ? 13.6 : 14.4) : v;
}

export const draughtFor = (rng: Prng, laden: boolean): number =>
  Math.round((laden ? rng.range(7, 9.5) : rng.range(4, 5.5)) * 10) / 10;

/** A berth near the harbour point, so vessels in one port do not lie on top of each other. */
export function berthPoint(ctx: PlannerContext, rng: Prng, locode: string): LonLat {
  return offsetKm(ctx.lanes.harbour(locode), rng.range(-0.15, 0.15), rng.range(-0.15, 0.15));
}

export function berth(
  locode: string,
  point: LonLat,
  fromMs: number,
  toMs: number,
  destination: string,
  rng: Prng,
  navStatus: BerthLeg['navStatus'] = NavStatus.Moored,
): BerthLeg {
  return { kind: 'berth', fromMs, toMs, locode, point, navStatus, heading: rng.int(0, 359), destination };
}

export function transit(motion: TrackMotion, destination: string): TransitLeg {
  return { kind: 'transit', fromMs: motion.startMs, toMs: motion.endMs, motion, destination };
}

/** The lane between two ports, from one berth to the other, or null if the network does not join them. */
export function voyageTrack(
  ctx: PlannerContext,
  from: string,
  to: string,
  fromPoint: LonLat,
  toPoint: LonLat,
): Track | null {
  const lane = ctx.lanes.lane(from, to);
  if (!lane) return null;
  return new Track([fromPoint, ...lane.slice(1, -1), toPoint]);
}

const laneKmCache = new WeakMap<SeaLanes, Map<string, number>>();
export function laneKm(ctx: PlannerContext, from: string, to: string): number {
  let cache = laneKmCache.get(ctx.lanes);
  if (!cache) laneKmCache.set(ctx.lanes, (cache = new Map()));
  const key = `${from}>${to}`;
  if (!cache.has(key)) {
    const lane = ctx.lanes.lane(from, to);
    cache.set(key, lane ? new Track(lane).lengthKm : Infinity);
  }
  return cache.get(key) as number;
}

export function pickDestination(
  ctx: PlannerContext,
  rng: Prng,
  from: string,
  minKm = 60,
  maxKm = 1600,
): string {
  const fits = ctx.ports.filter(
    (p) => p.locode !== from && laneKm(ctx, from, p.locode) >= minKm && laneKm(ctx, from, p.locode) <= maxKm,
  );
  const pool =
    fits.length > 0
      ? fits
      : ctx.ports.filter((p) => p.locode !== from && Number.isFinite(laneKm(ctx, from, p.locode)));
  return rng.pick(pool).locode;
}

/**
 * A law-abiding vessel: moored in a port, sails a lane to another port (sometimes anchoring in the outer port
 * first), moors there for 8-30 h, changes draught while alongside, and so on until the end. Its first stay
 * may have begun before the start, so some vessels are at sea when the simulation opens.
 */
export function planCleanVessel(ctx: PlannerContext, index: number): VesselPlan {
  const rng = Prng.derive(ctx.seed, 'clean', index);
  const identity = newIdentity(rng, ctx.taken);
  let laden = rng.chance(0.5);
  const statics: StaticPeriod[] = [
    { fromMs: -Infinity, ...withoutMmsi(identity), draught: draughtFor(rng, laden) },
  ];
  const legs: Leg[] = [];
  let port = rng.pick(ctx.ports).locode;
  let here = berthPoint(ctx, rng, port);
  let t = ctx.startMs - rng.range(0, 16) * H;
  let stayEnd = t + rng.range(2, 24) * H;
  for (;;) {
    const next = pickDestination(ctx, rng, port);
    legs.push(berth(port, here, t, stayEnd, next, rng));
    if (stayEnd >= ctx.endMs) break;
    const there = berthPoint(ctx, rng, next);
    const track = voyageTrack(ctx, port, next, here, there) as Track;
    const departR = portOf(ctx, port).radiusKm;
    const arriveR = portOf(ctx, next).radiusKm;
    const cruise = pickCruise(rng);
    t = stayEnd;
    if (rng.chance(0.35) && track.lengthKm > 3 * arriveR) {
      const anchorKm = track.lengthKm - 0.5 * arriveR;
      const approach = new TrackMotion(
        track.slice(0, anchorKm),
        t,
        cruise,
        HARBOUR_KN,
        departR,
        0.5 * arriveR,
      );
      legs.push(transit(approach, next));
      const anchored = approach.endMs + rng.range(1, 4) * H;
      legs.push(
        berth(next, track.pointAt(anchorKm), approach.endMs, anchored, next, rng, NavStatus.AtAnchor),
      );
      const shift = new TrackMotion(
        track.slice(anchorKm, track.lengthKm),
        anchored,
        HARBOUR_KN,
        HARBOUR_KN,
        0,
        0,
      );
      legs.push(transit(shift, next));
      t = shift.endMs;
    } else {
      const motion = new TrackMotion(track, t, cruise, HARBOUR_KN, departR, arriveR);
      legs.push(transit(motion, next));
      t = motion.endMs;
    }
    const stay = rng.range(8, 30) * H;
    // Cargo is worked alongside: the draught changes mid-stay, after the port call is plain to see.
    if (t > ctx.startMs + H) {
      laden = !laden;
      statics.push({ ...statics[statics.length - 1], fromMs: t + stay / 2, draught: draughtFor(rng, laden) });
    }
    port = next;
    here = there;
    stayEnd = t + stay;
  }
  legs[0].fromMs = -Infinity;
  legs[legs.length - 1].toMs = Infinity;
  return {
    mmsi: identity.mmsi,
    role: 'clean',
    legs,
    statics,
    positionPhaseMs: rng.int(0, 9) * 1000,
    staticPhaseMs: rng.int(0, 359) * 1000,
  };
}

export const withoutMmsi = <T extends { mmsi: string }>({ mmsi: _mmsi, ...rest }: T): Omit<T, 'mmsi'> => rest;
