import { CONVENIENCE_FLAGS, newIdentity, newName } from './fleet-identity';
import { Prng } from './prng';
import type { LonLat } from './sea-lanes';
import { distanceKm, MS_PER_HOUR, KM_PER_NM, offsetKm, Track, TrackMotion } from './track';
import {
  positionTimes,
  staticTimes,
  type DriftLeg,
  type Leg,
  type StaticPeriod,
  type VesselPlan,
  type VesselRole,
} from './vessel-plan';
import {
  berth,
  berthPoint,
  draughtFor,
  HARBOUR_KN,
  kmFromPorts,
  laneKm,
  pickCruise,
  portOf,
  transit,
  voyageTrack,
  withoutMmsi,
  type PlannerContext,
} from './voyage-planner';

export type AnomalyRule = 'encounter' | 'ais-gap' | 'loitering' | 'draught-change' | 'identity-change';

/** Ground truth of one planted anomaly, in the terms a flag is reported in. */
export interface PlantedAnomaly {
  rule: AnomalyRule;
  mmsis: string[];
  /** RFC 3339: when the anomaly began (last normal report before it, or first anomalous one). */
  from: string;
  /** RFC 3339: when it ended (first normal report after it, or last anomalous one). */
  to: string;
  detail: string;
}

export interface Scenario {
  plans: VesselPlan[];
  anomaly: PlantedAnomaly;
}

const H = MS_PER_HOUR;
/** Anomalies happen at least this far from any port's limits (the detectors' default is 10 km). */
const SEA_CLEARANCE_KM = 30;
/**
 * Vessels planted to drift slowly (encounters, loitering) do so this far from one another, so two sets never
 * lie together and make an encounter nobody planted (the detectors look within 500 m).
 */
const SLOW_SITE_CLEARANCE_KM = 20;
/** Encounter lanes tried before giving up because the partner's leg is too long for the period. */
const ENCOUNTER_ATTEMPTS = 10;

interface Actor {
  rng: Prng;
  mmsi: string;
  statics: StaticPeriod[];
}

function actor(ctx: PlannerContext, ...labels: (string | number)[]): Actor {
  const rng = Prng.derive(ctx.seed, 'anomaly', ...labels);
  const identity = newIdentity(rng, ctx.taken);
  return {
    rng,
    mmsi: identity.mmsi,
    statics: [{ fromMs: -Infinity, ...withoutMmsi(identity), draught: draughtFor(rng, rng.chance(0.5)) }],
  };
}

interface Voyage {
  from: string;
  to: string;
  track: Track;
  /** Distance along the track of the point where the anomaly happens. */
  atKm: number;
}

interface VoyageNeeds {
  /** Track left after the anomaly point. */
  spareAfterKm?: number;
  /** The vessel lies slow at the point: keep it clear of the other slow sites. */
  slow?: boolean;
}

/** A lane of suitable length with a point well clear of every port, some way out from the origin. */
function pickVoyage(
  ctx: PlannerContext,
  rng: Prng,
  minKm: number,
  maxKm: number,
  { spareAfterKm = 60, slow = false }: VoyageNeeds = {},
): Voyage | null {
  const clear = (point: LonLat): boolean =>
    kmFromPorts(ctx, point) >= SEA_CLEARANCE_KM &&
    (!slow || ctx.slowSites.every((site) => distanceKm(site, point) >= SLOW_SITE_CLEARANCE_KM));
  const pairs = ctx.ports.flatMap((a) =>
    ctx.ports
      .filter(
        (b) =>
          b.locode !== a.locode &&
          laneKm(ctx, a.locode, b.locode) >= minKm &&
          laneKm(ctx, a.locode, b.locode) <= maxKm,
      )
      .map((b) => [a.locode, b.locode] as const),
  );
  for (let attempt = 0; attempt < 20 && pairs.length > 0; attempt++) {
    const [from, to] = rng.pick(pairs);
    const track = voyageTrack(ctx, from, to, berthPoint(ctx, rng, from), berthPoint(ctx, rng, to));
    if (!track) continue;
    const first = Math.max(60, 0.25 * track.lengthKm);
    const last = Math.min(track.lengthKm - spareAfterKm, 0.6 * track.lengthKm, 200);
    for (let km = first + rng.range(0, 20); km <= last; km += 5) {
      if (clear(track.pointAt(km))) return { from, to, track, atKm: km };
    }
  }
  return null;
}

const departureTime = (ctx: PlannerContext, rng: Prng, travelMs: number): number =>
  Math.round((ctx.startMs + rng.range(1, 3) * H + travelMs) / 1000) * 1000 - travelMs;

/** Out along the voyage to the anomaly point, `middle` legs there, then on to the destination and moored. */
function voyagePlan(
  ctx: PlannerContext,
  a: Actor,
  role: VesselRole,
  v: Voyage,
  cruise: number,
  departMs: number,
  middle: (arriveMs: number) => { legs: Leg[]; resumeFrom: LonLat; resumeMs: number },
): VesselPlan {
  const out = new TrackMotion(
    v.track.slice(0, v.atKm),
    departMs,
    cruise,
    HARBOUR_KN,
    portOf(ctx, v.from).radiusKm,
    0,
  );
  const mid = middle(out.endMs);
  const rest = v.track.slice(v.atKm, v.track.lengthKm).points.slice(1);
  const onward = new TrackMotion(
    new Track([mid.resumeFrom, ...rest]),
    mid.resumeMs,
    cruise,
    HARBOUR_KN,
    0,
    portOf(ctx, v.to).radiusKm,
  );
  const legs: Leg[] = [
    berth(v.from, v.track.points[0], -Infinity, departMs, v.to, a.rng),
    transit(out, v.to),
    ...mid.legs,
    transit(onward, v.to),
    berth(v.to, v.track.points[v.track.points.length - 1], onward.endMs, Infinity, v.to, a.rng),
  ];
  return {
    mmsi: a.mmsi,
    role,
    legs,
    statics: a.statics,
    positionPhaseMs: a.rng.int(0, 9) * 1000,
    staticPhaseMs: a.rng.int(0, 359) * 1000,
  };
}

/** Circling slowly around `center`, entering the circle at angle `phase`. */
function drift(
  center: LonLat,
  radiusKm: number,
  phase: number,
  speedKn: number,
  fromMs: number,
  toMs: number,
  destination: string,
  silent = false,
): DriftLeg {
  return { kind: 'drift', fromMs, toMs, center, radiusKm, phase, speedKn, silent, destination };
}

const onCircle = (center: LonLat, radiusKm: number, angle: number): LonLat =>
  offsetKm(center, radiusKm * Math.cos(angle), radiusKm * Math.sin(angle));

const angleAfter = (d: DriftLeg, ms: number): number =>
  d.phase + ((d.speedKn * KM_PER_NM) / H / d.radiusKm) * ms;

/** Time from leaving port to the voyage's anomaly point at the given cruise speed. */
function sailingTimeMs(ctx: PlannerContext, v: Voyage, cruiseKn: number): number {
  return new TrackMotion(v.track.slice(0, v.atKm), 0, cruiseKn, HARBOUR_KN, portOf(ctx, v.from).radiusKm, 0)
    .durationMs;
}

/** Two vessels sail from opposite ends of a lane, meet at sea and lie 150 m apart at under 1 kn for 2.5-3.5 h. */
export function plantEncounter(ctx: PlannerContext, set: number): Scenario | null {
  const a = actor(ctx, 'encounter', set, 'a');
  const b = actor(ctx, 'encounter', set, 'b');
  // The partner sails from the lane's far end: on a long lane it may not arrive before the period ends.
  for (let attempt = 0; attempt < ENCOUNTER_ATTEMPTS; attempt++) {
    const v = pickVoyage(ctx, a.rng, 250, 1400, { slow: true });
    if (!v) return null;
    const scenario = meetAlong(ctx, a, b, v);
    if (scenario) {
      ctx.slowSites.push(v.track.pointAt(v.atKm));
      return scenario;
    }
  }
  return null;
}

function meetAlong(ctx: PlannerContext, a: Actor, b: Actor, v: Voyage): Scenario | null {
  const meet = v.track.pointAt(v.atKm);
  const radiusKm = 0.6;
  const apartKm = 0.15;
  const lead = 2 * Math.asin(apartKm / (2 * radiusKm));
  const phase = a.rng.range(0, 2 * Math.PI);
  const center = offsetKm(meet, -radiusKm * Math.cos(phase), -radiusKm * Math.sin(phase));
  const speedKn = a.rng.range(0.6, 1.0);
  const durationMs = Math.round(a.rng.range(2.5, 3.5) * 4) * (H / 4);
  const reverse = new Track([...v.track.points].reverse());
  const vb: Voyage = { from: v.to, to: v.from, track: reverse, atKm: v.track.lengthKm - v.atKm };
  const cruiseA = pickCruise(a.rng);
  const cruiseB = pickCruise(b.rng);
  // B approaches to its own place on the circle, just ahead of A's.
  const bEntry = onCircle(center, radiusKm, phase + lead);
  const bOut = new Track([...vb.track.slice(0, vb.atKm).points, bEntry]);
  const travelA = sailingTimeMs(ctx, v, cruiseA);
  const travelB = new TrackMotion(bOut, 0, cruiseB, HARBOUR_KN, portOf(ctx, vb.from).radiusKm, 0).durationMs;
  const meetMs = departureTime(ctx, a.rng, Math.max(travelA, travelB)) + Math.max(travelA, travelB);
  if (meetMs + durationMs + 2 * H > ctx.endMs) return null;

  const together = (phase0: number, destination: string) => (arriveMs: number) => {
    const d = drift(center, radiusKm, phase0, speedKn, arriveMs, arriveMs + durationMs, destination);
    return { legs: [d], resumeFrom: onCircle(center, radiusKm, angleAfter(d, durationMs)), resumeMs: d.toMs };
  };
  const planA = voyagePlan(ctx, a, 'encounter', v, cruiseA, meetMs - travelA, together(phase, v.to));
  const vbWithEntry: Voyage = {
    ...vb,
    track: new Track([...bOut.points, ...vb.track.slice(vb.atKm, vb.track.lengthKm).points.slice(1)]),
    atKm: bOut.lengthKm,
  };
  const planB = voyagePlan(
    ctx,
    b,
    'encounter',
    vbWithEntry,
    cruiseB,
    meetMs - travelB,
    together(phase + lead, vb.to),
  );
  return {
    plans: [planA, planB],
    anomaly: {
      rule: 'encounter',
      mmsis: [a.mmsi, b.mmsi].sort(),
      from: iso(meetMs),
      to: iso(meetMs + durationMs),
      detail: `${Math.round(apartKm * 1000)} m apart at ${speedKn.toFixed(1)} kn for ${hours(durationMs)} h, ${Math.round(kmFromPorts(ctx, meet))} km from the nearest port's limits`,
    },
  };
}

/** One vessel circles at under 1.5 kn for 4.5-6 h at sea, then sails on. */
export function plantLoitering(ctx: PlannerContext, set: number): Scenario | null {
  const a = actor(ctx, 'loitering', set);
  const v = pickVoyage(ctx, a.rng, 200, 1400, { slow: true });
  if (!v) return null;
  const cruise = pickCruise(a.rng);
  const travel = sailingTimeMs(ctx, v, cruise);
  const durationMs = Math.round(a.rng.range(4.5, 6) * 4) * (H / 4);
  const speedKn = a.rng.range(0.6, 1.4);
  const radiusKm = 0.8;
  const phase = a.rng.range(0, 2 * Math.PI);
  const at = v.track.pointAt(v.atKm);
  const center = offsetKm(at, -radiusKm * Math.cos(phase), -radiusKm * Math.sin(phase));
  const departMs = departureTime(ctx, a.rng, travel);
  if (departMs + travel + durationMs + 2 * H > ctx.endMs) return null;
  ctx.slowSites.push(at);
  const plan = voyagePlan(ctx, a, 'loitering', v, cruise, departMs, (arriveMs) => {
    const d = drift(center, radiusKm, phase, speedKn, arriveMs, arriveMs + durationMs, v.to);
    return { legs: [d], resumeFrom: onCircle(center, radiusKm, angleAfter(d, durationMs)), resumeMs: d.toMs };
  });
  const startMs = departMs + travel;
  return {
    plans: [plan],
    anomaly: {
      rule: 'loitering',
      mmsis: [a.mmsi],
      from: iso(startMs),
      to: iso(startMs + durationMs),
      detail: `${speedKn.toFixed(1)} kn for ${hours(durationMs)} h, ${Math.round(kmFromPorts(ctx, at))} km from the nearest port's limits`,
    },
  };
}

/** One vessel switches its transponder off at sea for 13-16 h and reappears where it went dark. */
export function plantAisGap(ctx: PlannerContext, set: number): Scenario | null {
  const a = actor(ctx, 'ais-gap', set);
  const v = pickVoyage(ctx, a.rng, 200, 1400);
  if (!v) return null;
  const cruise = pickCruise(a.rng);
  const travel = sailingTimeMs(ctx, v, cruise);
  const darkMs = Math.round(a.rng.range(13, 16) * 4) * (H / 4);
  const departMs = departureTime(ctx, a.rng, travel);
  if (departMs + travel + darkMs + 2 * H > ctx.endMs) return null;
  const at = v.track.pointAt(v.atKm);
  const plan = voyagePlan(ctx, a, 'ais-gap', v, cruise, departMs, (arriveMs) => ({
    legs: [drift(at, 0, 0, 0, arriveMs, arriveMs + darkMs, v.to, true)],
    resumeFrom: at,
    resumeMs: arriveMs + darkMs,
  }));
  const dark = plan.legs.find((l) => l.kind === 'drift') as DriftLeg;
  const [before, after] = fixesAround(ctx, plan, dark.fromMs, dark.toMs);
  return {
    plans: [plan],
    anomaly: {
      rule: 'ais-gap',
      mmsis: [a.mmsi],
      from: iso(before),
      to: iso(after),
      detail: `no reports for ${hours(after - before)} h, ${Math.round(kmFromPorts(ctx, at))} km from the nearest port's limits`,
    },
  };
}

type StaticChange = 'draught' | 'identity';

/** One vessel reports a new draught (0.8-2.0 m) or a new name and flag mid-voyage, with no port call between. */
export function plantStaticChange(ctx: PlannerContext, set: number, change: StaticChange): Scenario | null {
  const a = actor(ctx, `${change}-change`, set);
  const v = pickVoyage(ctx, a.rng, 200, 1400);
  if (!v) return null;
  const cruise = pickCruise(a.rng);
  const travel = sailingTimeMs(ctx, v, cruise);
  const departMs = departureTime(ctx, a.rng, travel);
  const changeMs = departMs + travel;
  if (changeMs + 2 * H > ctx.endMs) return null;
  const before = a.statics[0];
  const after: StaticPeriod = { ...before, fromMs: changeMs };
  let detail: string;
  if (change === 'draught') {
    const delta = Math.round(a.rng.range(0.8, 2.0) * 10) / 10;
    after.draught =
      Math.round((before.draught >= 7 ? before.draught - delta : before.draught + delta) * 10) / 10;
    detail = `draught ${before.draught} m -> ${after.draught} m at sea`;
  } else {
    after.flag = a.rng.pick(CONVENIENCE_FLAGS.filter((f) => f !== before.flag));
    after.name = newName(a.rng, after.flag, ctx.taken.names);
    detail = `name ${before.name} -> ${after.name}, flag ${before.flag} -> ${after.flag} (MMSI unchanged)`;
  }
  a.statics.push(after);
  const plan = voyagePlan(
    ctx,
    a,
    change === 'draught' ? 'draught-change' : 'identity-change',
    v,
    cruise,
    departMs,
    (t) => ({
      legs: [],
      resumeFrom: v.track.pointAt(v.atKm),
      resumeMs: t,
    }),
  );
  const [last, first] = staticsAround(ctx, plan, changeMs);
  return {
    plans: [plan],
    anomaly: {
      rule: change === 'draught' ? 'draught-change' : 'identity-change',
      mmsis: [a.mmsi],
      from: iso(last),
      to: iso(first),
      detail,
    },
  };
}

/** One vessel's reports jump 100 km ahead along its lane for an hour, then back: an impossible speed twice. */
export function plantPositionJump(ctx: PlannerContext, set: number): Scenario | null {
  const a = actor(ctx, 'position-jump', set);
  const cruise = pickCruise(a.rng);
  const aheadKm = 100;
  const spoofMs = H;
  const v = pickVoyage(ctx, a.rng, 350, 1600, {
    spareAfterKm: aheadKm + (cruise * KM_PER_NM * spoofMs) / H + 60,
  });
  if (!v) return null;
  const travel = sailingTimeMs(ctx, v, cruise);
  const departMs = departureTime(ctx, a.rng, travel);
  const jumpMs = departMs + travel;
  if (jumpMs + spoofMs + 2 * H > ctx.endMs) return null;
  const plan = voyagePlan(ctx, a, 'position-jump', v, cruise, departMs, (t) => ({
    legs: [],
    resumeFrom: v.track.pointAt(v.atKm),
    resumeMs: t,
  }));
  const onward = plan.legs.find((l) => l.kind === 'transit' && l.fromMs === jumpMs);
  if (onward?.kind === 'transit') onward.spoof = { fromMs: jumpMs, toMs: jumpMs + spoofMs, aheadKm };
  const [before, after] = fixesAround(ctx, plan, jumpMs, jumpMs + spoofMs);
  return {
    plans: [plan],
    anomaly: {
      rule: 'identity-change',
      mmsis: [a.mmsi],
      from: iso(before),
      to: iso(after),
      detail: `reported positions ${aheadKm} km ahead of the vessel for ${hours(spoofMs)} h, then back (implied speed far above 50 kn)`,
    },
  };
}

/** The last position report before `fromMs` and the first at or after `toMs` (a step of the real schedule). */
function fixesAround(ctx: PlannerContext, plan: VesselPlan, fromMs: number, toMs: number): [number, number] {
  let before = -Infinity;
  let after = Infinity;
  for (const { t } of positionTimes(plan, ctx.startMs, ctx.endMs, ctx.downsample)) {
    if (t < fromMs) before = t;
    else if (t >= toMs) {
      after = t;
      break;
    }
  }
  return [before, after];
}

function staticsAround(ctx: PlannerContext, plan: VesselPlan, atMs: number): [number, number] {
  let before = -Infinity;
  let after = Infinity;
  for (const { t } of staticTimes(plan, ctx.startMs, ctx.endMs, ctx.downsample)) {
    if (t < atMs) before = t;
    else {
      after = t;
      break;
    }
  }
  return [before, after];
}

const iso = (ms: number): string => new Date(ms).toISOString();
const hours = (ms: number): string => (ms / H).toFixed(1);
