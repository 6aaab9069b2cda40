import type {
  AidEvent,
  ConsignmentRegistered,
  Flag,
  FlagClearedData,
  LatLon,
  PortDeclared,
  RuleId,
  VesselDesignated,
  VesselPositionReported,
  VesselStaticData,
  VesselStaticReported,
} from '@aidwatch/domain';
import { EventTypes } from '@aidwatch/domain';
import CheapRuler from 'cheap-ruler';
import type { ConsignmentLinker } from '../flag-sink';
import type { MaritimeConfigOverrides } from '../maritime-config';
import { maritimeConfig } from '../maritime-config';
import { MaritimeDetector } from '../maritime-detector';
import type { PortRecord } from '../port-index';
import { PositionLog } from '../../testing/position-log';

export const T0 = Date.parse('2026-11-20T00:00:00.000Z');
export const minutes = (m: number): number => T0 + m * 60_000;
export const hours = (h: number): number => minutes(h * 60);
const iso = (ms: number): string => new Date(ms).toISOString();

export const NAMPO: PortRecord = { locode: 'KPNAM', name: 'Nampo', lat: 38.73, lon: 125.38, radiusKm: 2 };
export const DALIAN: PortRecord = { locode: 'CNDLC', name: 'Dalian', lat: 38.93, lon: 121.65, radiusKm: 3 };
export const INCHEON: PortRecord = { locode: 'KRINC', name: 'Incheon', lat: 37.45, lon: 126.6, radiusKm: 3 };
export const testPorts: PortRecord[] = [NAMPO, DALIAN, INCHEON];
/** Open water in the Yellow Sea, well over 100 km from every test port. */
export const OPEN_SEA: LatLon = { lat: 36.5, lon: 123.5 };

/** A point `eastKm` east and `northKm` north of `from`. */
export function offsetKm(from: LatLon, eastKm: number, northKm: number): LatLon {
  const [lon, lat] = new CheapRuler(from.lat, 'kilometers').offset([from.lon, from.lat], eastKm, northKm);
  return { lat, lon };
}

export function position(
  mmsi: string,
  at: number,
  p: LatLon,
  sog: number,
  id?: string,
): VesselPositionReported {
  return {
    specversion: '1.0',
    id: id ?? `pos-${mmsi}-${at}`,
    source: 'test/ais',
    type: EventTypes.VesselPositionReported,
    subject: mmsi,
    time: iso(at),
    data: { mmsi, lat: p.lat, lon: p.lon, sog, at: iso(at) },
  };
}

export function staticReport(
  mmsi: string,
  at: number,
  data: Omit<Partial<VesselStaticData>, 'mmsi' | 'at'>,
): VesselStaticReported {
  return {
    specversion: '1.0',
    id: `static-${mmsi}-${at}`,
    source: 'test/ais',
    type: EventTypes.VesselStaticReported,
    subject: mmsi,
    time: iso(at),
    data: { mmsi, ...data, at: iso(at) },
  };
}

export function designation(
  at: number,
  data: { name: string; imo?: string; mmsi?: string },
): VesselDesignated {
  return {
    specversion: '1.0',
    id: `designated-${data.imo ?? data.mmsi}`,
    source: 'test/un',
    type: EventTypes.VesselDesignated,
    time: iso(at),
    data: { listRef: 'UNSC-1718', ...data, at: iso(at) },
  };
}

export function registration(
  at: number,
  consignmentId: string,
  vessel: { mmsi: string; imo?: string; name?: string },
  originPort: string,
  destinationPort: string,
  route?: LatLon[],
): ConsignmentRegistered {
  return {
    specversion: '1.0',
    id: `registered-${consignmentId}`,
    source: 'test/agency',
    type: EventTypes.ConsignmentRegistered,
    subject: consignmentId,
    time: iso(at),
    data: {
      consignmentId,
      exemptionId: 'EX-1',
      billOfLading: `BL-${consignmentId}`,
      items: [{ itemCode: 'RICE', quantity: 100, unit: 't' }],
      originPort,
      destinationPort,
      vessel,
      route,
    },
  };
}

export function portDeclared(at: number, port: PortRecord): PortDeclared {
  return {
    specversion: '1.0',
    id: `port-${port.locode}`,
    source: 'test/reference',
    type: EventTypes.PortDeclared,
    time: iso(at),
    data: { ...port },
  };
}

export interface TrackPlan {
  from: LatLon;
  start: number;
  everyMinutes: number;
  count: number;
  /** Speed the vessel really moves at (knots) and the course it steers (degrees true). */
  sog: number;
  courseDeg?: number;
  /** Speed it reports, when it differs from how it moves. */
  reportedSog?: number;
}

/** Fixes of one vessel on a straight line. */
export function track(mmsi: string, plan: TrackPlan): VesselPositionReported[] {
  const rad = ((plan.courseDeg ?? 90) * Math.PI) / 180;
  const out: VesselPositionReported[] = [];
  for (let i = 0; i < plan.count; i++) {
    const km = plan.sog * 1.852 * ((i * plan.everyMinutes) / 60);
    const p = offsetKm(plan.from, km * Math.sin(rad), km * Math.cos(rad));
    out.push(position(mmsi, plan.start + i * plan.everyMinutes * 60_000, p, plan.reportedSog ?? plan.sog));
  }
  return out;
}

const timeOf = (e: AidEvent): number => Date.parse((e.data as { at?: string }).at ?? e.time);

/** Events of several vessels interleaved by event time (stable for equal times). */
export const byTime = (...lists: AidEvent[][]): AidEvent[] =>
  lists
    .flat()
    .map((e, i) => ({ e, i }))
    .sort((x, y) => timeOf(x.e) - timeOf(y.e) || x.i - y.i)
    .map(({ e }) => e);

/** A detector fed like the engine feeds it, recording every change; `advanceTo` moves every input's clock. */
export class MaritimeScenario {
  readonly detector: MaritimeDetector;
  readonly raised: Flag[] = [];
  readonly cleared: FlagClearedData[] = [];
  private watermark = -Infinity;
  private readonly history = new PositionLog();
  private readonly onBoardSince: Record<string, number>;

  /**
   * `onBoard`: the consignments on board each vessel (at any time); `onBoardSince`: since when (ms) — a
   * registration fed after a vessel's positions then has its corridor judged again over them, as the engine
   * does with the consignment feed's facts (time model 9).
   */
  constructor(
    options: {
      config?: MaritimeConfigOverrides;
      ports?: PortRecord[];
      onBoard?: Record<string, string[]>;
      onBoardSince?: Record<string, number>;
    } = {},
  ) {
    this.onBoardSince = options.onBoardSince ?? {};
    const onBoard = options.onBoard ?? {};
    // Registered on a vessel and not aboard it: bound for it (the engine's linker also knows `done`).
    const linker: ConsignmentLinker = {
      consignmentsOnBoard: (mmsi) => onBoard[mmsi] ?? [],
      standingOn: (consignmentId, mmsi) => (onBoard[mmsi]?.includes(consignmentId) ? 'aboard' : 'bound'),
    };
    this.detector = new MaritimeDetector(maritimeConfig(options.config), options.ports ?? testPorts, linker);
  }

  feed(...lists: AidEvent[][]): this {
    for (const event of byTime(...lists)) {
      this.watermark = Math.max(this.watermark, timeOf(event));
      this.record(this.detector.handle(event));
      this.history.record(event);
      if (event.type === EventTypes.ConsignmentRegistered) {
        const { consignmentId, vessel } = event.data;
        const since = this.onBoardSince[vessel.mmsi] ?? Number.POSITIVE_INFINITY;
        this.record(
          this.detector.requestRouteReplay(vessel.mmsi, consignmentId, 'registered', timeOf(event), since),
        );
        for (const r of this.detector.takeRouteReplays())
          this.record(
            this.detector.replayRoute(r, this.history.positions(r.mmsi, r.readFromMs, r.toMs, r.maxFixes)),
          );
      }
    }
    return this;
  }

  /** The aid reported discharged from `mmsi` at `at` (after its positions): the engine's call for a discharge. */
  discharged(mmsi: string, consignmentId: string, at: number): this {
    this.record(
      this.detector.requestRouteReplay(
        mmsi,
        consignmentId,
        'discharged',
        at,
        this.onBoardSince[mmsi] ?? -Infinity,
      ),
    );
    return this;
  }

  private record(changes: { raised: Flag[]; cleared: FlagClearedData[] }): void {
    this.raised.push(...changes.raised);
    this.cleared.push(...changes.cleared);
  }

  /**
   * The AIS source fell quiet (`aidwatch.input.quiet.v1`): the runs of tracks it replayed behind its clock
   * end, and their vessels are judged on that clock (a vessel it left behind may look dark now).
   */
  inputQuiet(source = 'test/ais'): this {
    this.record(this.detector.inputQuiet(source));
    return this;
  }

  advanceTo(at: number): this {
    this.watermark = Math.max(this.watermark, at);
    const changes = this.detector.advanceWatermark(this.watermark);
    this.raised.push(...changes.raised);
    this.cleared.push(...changes.cleared);
    return this;
  }

  flags(rule?: RuleId): Flag[] {
    return rule ? this.raised.filter((f) => f.rule === rule) : this.raised;
  }

  /** Raised flags of a rule that were not superseded or cleared afterwards. */
  open(rule?: RuleId): Flag[] {
    const gone = new Set(this.cleared.map((c) => c.flagId));
    return this.flags(rule).filter((f) => !gone.has(f.flagId));
  }
}
