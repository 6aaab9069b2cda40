import {
  EventTypes,
  type PortDeclaredData,
  type VesselPositionData,
  type VesselStaticData,
} from '@aidwatch/domain';
import { parse as parseUuid, v5 as uuidv5 } from 'uuid';
import type { VesselEvent } from '../nmea/nmea-to-cloudevent';
import { defaultPorts } from '../ports/default-ports';
import {
  plantAisGap,
  plantEncounter,
  plantLoitering,
  plantPositionJump,
  plantStaticChange,
  type PlantedAnomaly,
  type Scenario,
} from './planted-anomalies';
import { Prng } from './prng';
import { SeaLanes } from './sea-lanes';
import { MS_PER_HOUR } from './track';
import { planCleanVessel, type PlannerContext } from './voyage-planner';
import { positionTimes, staticAt, staticTimes, type VesselPlan } from './vessel-plan';

/** Fixed for good: the same simulated report always gets the same id. */
export const SimulatorEventIdNamespace = '5a0f6c1e-2b7d-4e93-8c4a-71d2e9b03f68';
export const SIMULATOR_SOURCE = 'urn:aidwatch:simulator';
// Parsed once: uuid would otherwise parse the namespace (and encode the name) on every call.
const namespaceBytes = parseUuid(SimulatorEventIdNamespace);
const utf8 = new TextEncoder();

/** Vessels one set of planted anomalies needs: two for the encounter, one for each other kind. */
export const VESSELS_PER_ANOMALY_SET = 7;

export interface TrafficOptions {
  vessels: number;
  hours: number;
  seed: number;
  /** RFC 3339 start of the simulated period. */
  start: string;
  /** Keep one report in this many (receiver coverage); 1 reports at the ITU-R M.1371 rates. */
  downsample?: number;
  /** Sets of planted anomalies (one of each kind per set); default 1 when there are enough vessels. */
  anomalySets?: number;
  ports?: readonly PortDeclaredData[];
  source?: string;
}

export interface TrafficSimulation {
  startMs: number;
  endMs: number;
  plans: VesselPlan[];
  /** Ground truth, in time order. */
  manifest: PlantedAnomaly[];
  /** Anomalies that did not fit into the simulated period, by kind. */
  skipped: string[];
  /** Contract CloudEvents of every vessel, in event-time order (ties by vessel, positions before statics). */
  events(): Generator<VesselEvent>;
  /** How many events `events()` yields, without building them. */
  countEvents(): number;
}

type RawReport = { t: number; kind: 'position' | 'static'; data: VesselPositionData | VesselStaticData };

/** Plans the fleet (clean traffic plus planted anomalies) and hands out its AIS reports as contract events. */
export function simulateTraffic(options: TrafficOptions): TrafficSimulation {
  const startMs = Date.parse(options.start);
  if (!Number.isFinite(startMs))
    throw new RangeError(`start must be an RFC 3339 time, got "${options.start}"`);
  if (!(options.hours > 0)) throw new RangeError('hours must be positive');
  if (!(Number.isInteger(options.vessels) && options.vessels > 0))
    throw new RangeError('vessels must be a positive integer');
  const downsample = options.downsample ?? 1;
  if (!(Number.isInteger(downsample) && downsample >= 1))
    throw new RangeError('downsample must be an integer >= 1');
  const sets = options.anomalySets ?? (options.vessels >= VESSELS_PER_ANOMALY_SET ? 1 : 0);
  if (sets * VESSELS_PER_ANOMALY_SET > options.vessels) {
    throw new RangeError(
      `${sets} anomaly set(s) need ${sets * VESSELS_PER_ANOMALY_SET} vessels, only ${options.vessels} given`,
    );
  }
  const lanes = new SeaLanes(options.ports ?? defaultPorts());
  const ctx: PlannerContext = {
    seed: options.seed,
    startMs,
    endMs: startMs + options.hours * MS_PER_HOUR,
    downsample,
    lanes,
    ports: lanes.routablePorts(),
    taken: { mmsis: new Set(), imos: new Set(), names: new Set() },
    slowSites: [],
  };

  const scenarios: Scenario[] = [];
  const skipped: string[] = [];
  const plant = (name: string, scenario: Scenario | null) =>
    scenario ? scenarios.push(scenario) : skipped.push(name);
  for (let set = 0; set < sets; set++) {
    plant('encounter', plantEncounter(ctx, set));
    plant('ais-gap', plantAisGap(ctx, set));
    plant('loitering', plantLoitering(ctx, set));
    plant('draught-change', plantStaticChange(ctx, set, 'draught'));
    plant('identity-change', plantStaticChange(ctx, set, 'identity'));
    plant('position-jump', plantPositionJump(ctx, set));
  }
  const plans = scenarios.flatMap((s) => s.plans);
  for (let i = 0; plans.length < options.vessels; i++) plans.push(planCleanVessel(ctx, i));
  const manifest = scenarios
    .map((s) => s.anomaly)
    .sort((a, b) => a.from.localeCompare(b.from) || a.rule.localeCompare(b.rule));

  const raw = () =>
    mergeByTime(plans.flatMap((plan) => [positionReports(ctx, plan), staticReports(ctx, plan)]));
  const source = options.source ?? SIMULATOR_SOURCE;
  return {
    startMs,
    endMs: ctx.endMs,
    plans,
    manifest,
    skipped,
    *events() {
      for (const report of raw()) yield toCloudEvent(report, source);
    },
    countEvents() {
      let n = 0;
      for (const _ of raw()) n++;
      return n;
    },
  };
}

function* positionReports(ctx: PlannerContext, plan: VesselPlan): Generator<RawReport> {
  const noise = Prng.derive(ctx.seed, 'position-noise', plan.mmsi);
  for (const { t, state } of positionTimes(plan, ctx.startMs, ctx.endMs, ctx.downsample)) {
    if (state.silent) continue;
    const moving = state.sogKn > 0;
    const [lon, lat] = state.position;
    const cog =
      moving && state.cog !== undefined ? round(wrap(state.cog + noise.range(-1.5, 1.5)), 1) : undefined;
    const heading =
      state.heading === undefined
        ? undefined
        : Math.round(wrap(state.heading + (moving ? noise.range(-2, 2) : 0))) % 360;
    const data: VesselPositionData = {
      mmsi: plan.mmsi,
      lat: round(lat + noise.range(-1e-5, 1e-5), 6),
      lon: round(lon + noise.range(-1e-5, 1e-5), 6),
      sog: moving
        ? round(Math.max(0, state.sogKn + noise.range(-0.15, 0.15)), 1)
        : round(noise.range(0, 0.1), 1),
      ...(cog === undefined ? {} : { cog }),
      ...(heading === undefined ? {} : { heading }),
      navStatus: state.navStatus,
      at: iso(t),
    };
    yield { t, kind: 'position', data };
  }
}

function* staticReports(ctx: PlannerContext, plan: VesselPlan): Generator<RawReport> {
  for (const { t, leg, silent } of staticTimes(plan, ctx.startMs, ctx.endMs, ctx.downsample)) {
    if (silent) continue;
    const s = staticAt(plan, t);
    const data: VesselStaticData = {
      mmsi: plan.mmsi,
      imo: s.imo,
      name: s.name,
      callsign: s.callsign,
      flag: s.flag,
      shipType: s.shipType,
      draught: s.draught,
      destination: leg.destination,
      at: iso(t),
    };
    yield { t, kind: 'static', data };
  }
}

/** K-way merge of time-ordered streams with a binary heap; ties go to the earlier stream. */
function* mergeByTime(streams: Generator<RawReport>[]): Generator<RawReport> {
  const heap: { report: RawReport; stream: number }[] = [];
  const less = (a: (typeof heap)[number], b: (typeof heap)[number]) =>
    a.report.t < b.report.t || (a.report.t === b.report.t && a.stream < b.stream);
  const push = (item: (typeof heap)[number]) => {
    heap.push(item);
    for (let i = heap.length - 1; i > 0;) {
      const parent = (i - 1) >> 1;
      if (!less(heap[i], heap[parent])) break;
      [heap[i], heap[parent]] = [heap[parent], heap[i]];
      i = parent;
    }
  };
  const pop = () => {
    const top = heap[0];
    const last = heap.pop() as (typeof heap)[number];
    if (heap.length > 0) {
      heap[0] = last;
      for (let i = 0; ;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && less(heap[l], heap[m])) m = l;
        if (r < heap.length && less(heap[r], heap[m])) m = r;
        if (m === i) break;
        [heap[i], heap[m]] = [heap[m], heap[i]];
        i = m;
      }
    }
    return top;
  };
  streams.forEach((s, stream) => {
    const first = s.next();
    if (!first.done) push({ report: first.value, stream });
  });
  while (heap.length > 0) {
    const { report, stream } = pop();
    yield report;
    const next = streams[stream].next();
    if (!next.done) push({ report: next.value, stream });
  }
}

function toCloudEvent(report: RawReport, source: string): VesselEvent {
  const type =
    report.kind === 'position' ? EventTypes.VesselPositionReported : EventTypes.VesselStaticReported;
  const envelope = {
    specversion: '1.0' as const,
    id: uuidv5(utf8.encode(`${type}\n${JSON.stringify(report.data)}`), namespaceBytes),
    source,
    subject: report.data.mmsi,
    time: report.data.at,
    datacontenttype: 'application/json',
  };
  return report.kind === 'position'
    ? { ...envelope, type: EventTypes.VesselPositionReported, data: report.data as VesselPositionData }
    : { ...envelope, type: EventTypes.VesselStaticReported, data: report.data as VesselStaticData };
}

const round = (v: number, decimals: number): number => Math.round(v * 10 ** decimals) / 10 ** decimals;
const wrap = (deg: number): number => ((deg % 360) + 360) % 360;
const iso = (ms: number): string => new Date(ms).toISOString();
