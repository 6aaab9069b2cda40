import type { ConsignmentRegisteredData } from '@aidwatch/domain';
import { distance, duration, position, round1, shortTime, vesselLabel } from './explain';
import { distanceToPolylineKm, KM_PER_NM, MS_PER_MINUTE } from './geo';
import type { MaritimeContext } from './maritime-context';
import type { PortRecord } from './port-index';
import type { VesselRule } from './vessel-rule';
import type { Sample, VesselTrack } from './vessel-track';

type Voyages = DeclaredVoyage[] | null;

/** What a consignment's registration declared about its voyage, plus the corridor watch. */
export interface DeclaredVoyage {
  consignmentId: string;
  originPort: string;
  destinationPort: string;
  /** Flat [lon, lat, lon, lat, ...]; empty when no route was declared. */
  route: number[];
  registeredEventId: string;
  outsideSince: number;
  outsideEventId: string | null;
  maxOffKm: number;
  flagged: boolean;
}

/**
 * Route deviation, checked only while the consignment is on board (per the linker): a vessel farther than
 * the corridor (50 nm) from the declared route for 30 min, or a port visit at a port other than the
 * declared origin or destination. One flag per excursion and per port call.
 */
export class RouteDeviationRule implements VesselRule<Voyages> {
  readonly name = 'routeDeviation';
  /** Declared voyages per carrier MMSI (key `voyages:<mmsi>` in snapshots), tracked vessel or not. */
  readonly voyagesByMmsi = new Map<string, DeclaredVoyage[]>();
  /** Carriers whose voyages changed since the last `takeChangedCarriers`. */
  private readonly changedCarriers = new Set<string>();

  constructor(private readonly ctx: MaritimeContext) {}

  /** A vessel's state is its list of declared voyages (shared with `voyagesByMmsi`). */
  initialState(): Voyages {
    return null;
  }

  takeChangedCarriers(): string[] {
    const mmsis = [...this.changedCarriers];
    this.changedCarriers.clear();
    return mmsis;
  }

  /** Kept under `voyages:<mmsi>`, not with the vessel. */
  toJSON(): unknown {
    return undefined;
  }

  fromJSON(_json: unknown, track: VesselTrack): Voyages {
    return this.voyagesByMmsi.get(track.mmsi) ?? null;
  }

  private get cfg() {
    return this.ctx.config.routeDeviation;
  }

  /** Remembers the voyage (replacing an earlier registration of the same consignment); returns the vessel's list. */
  register(data: ConsignmentRegisteredData, eventId: string): DeclaredVoyage[] {
    const mmsi = data.vessel.mmsi;
    const voyages = (this.voyagesByMmsi.get(mmsi) ?? []).filter(
      (v) => v.consignmentId !== data.consignmentId,
    );
    voyages.push({
      consignmentId: data.consignmentId,
      originPort: data.originPort,
      destinationPort: data.destinationPort,
      route: simplify(data.route ?? [], this.cfg.maxRoutePoints),
      registeredEventId: eventId,
      outsideSince: NaN,
      outsideEventId: null,
      maxOffKm: 0,
      flagged: false,
    });
    while (voyages.length > this.cfg.maxVoyagesPerVessel) voyages.shift();
    this.voyagesByMmsi.set(mmsi, voyages);
    this.changedCarriers.add(mmsi);
    return voyages;
  }

  onSample(track: VesselTrack, voyages: Voyages, s: Sample): Voyages {
    if (!voyages) return voyages;
    const onBoard = this.ctx.linker.consignmentsOnBoard(track.mmsi, s.at);
    if (onBoard.length === 0) return voyages;
    this.changedCarriers.add(track.mmsi);
    const corridorKm = this.cfg.corridorNm * KM_PER_NM;
    for (const v of voyages) {
      if (v.route.length < 2 || !onBoard.includes(v.consignmentId)) continue;
      const offKm = distanceToPolylineKm(s.lat, s.lon, v.route);
      if (offKm <= corridorKm) {
        v.outsideSince = NaN;
        v.outsideEventId = null;
        v.maxOffKm = 0;
        v.flagged = false;
        continue;
      }
      if (Number.isNaN(v.outsideSince)) {
        v.outsideSince = s.at;
        v.outsideEventId = s.eventId;
      }
      if (offKm > v.maxOffKm) v.maxOffKm = offKm;
      if (v.flagged || s.at - v.outsideSince < this.cfg.minOutsideMinutes * MS_PER_MINUTE) continue;
      v.flagged = true;
      this.ctx.sink.raise({
        rule: 'route-deviation',
        key: `corridor:${v.consignmentId}:${v.outsideSince}`,
        severity: this.cfg.severity,
        mmsi: track.mmsi,
        consignmentIds: [v.consignmentId],
        fromMs: v.outsideSince,
        atMs: s.at,
        observed: {
          consignmentId: v.consignmentId,
          offRouteNm: round1(v.maxOffKm / KM_PER_NM),
          outsideMinutes: Math.round((s.at - v.outsideSince) / MS_PER_MINUTE),
        },
        threshold: { corridorNm: this.cfg.corridorNm, minOutsideMinutes: this.cfg.minOutsideMinutes },
        evidence: [v.registeredEventId, v.outsideEventId ?? '', s.eventId],
        explanation:
          `${vesselLabel(track)}, carrying consignment ${v.consignmentId}, has been up to ` +
          `${round1(v.maxOffKm / KM_PER_NM)} nm (${distance(v.maxOffKm)}) off its declared route for ` +
          `${duration(s.at - v.outsideSince)}, now at ${position(s.lat, s.lon)}; the corridor is ${this.cfg.corridorNm} nm`,
      });
    }
    return voyages;
  }

  /** A port visit began at `port`: undeclared if it is neither origin nor destination of the aid on board. */
  onPortVisit(track: VesselTrack, voyages: Voyages, port: PortRecord, s: Sample): Voyages {
    if (!voyages) return voyages;
    const onBoard = this.ctx.linker.consignmentsOnBoard(track.mmsi, s.at);
    for (const v of voyages) {
      if (!onBoard.includes(v.consignmentId)) continue;
      if (port.locode === v.originPort || port.locode === v.destinationPort) continue;
      this.ctx.sink.raise({
        rule: 'route-deviation',
        key: `port:${v.consignmentId}:${port.locode}:${s.at}`,
        severity: this.cfg.undeclaredPortSeverity,
        mmsi: track.mmsi,
        consignmentIds: [v.consignmentId],
        atMs: s.at,
        observed: { consignmentId: v.consignmentId, port: port.locode, portName: port.name },
        threshold: { declaredPorts: [v.originPort, v.destinationPort] },
        evidence: [v.registeredEventId, s.eventId],
        explanation:
          `${vesselLabel(track)}, carrying consignment ${v.consignmentId} from ${v.originPort} to ` +
          `${v.destinationPort}, called at ${port.name} (${port.locode}) on ${shortTime(s.at)}, an undeclared port`,
      });
    }
    return voyages;
  }
}

/** Flat [lon, lat] pairs, keeping every k-th point (and the last) when the route is longer than allowed. */
function simplify(route: ReadonlyArray<{ lat: number; lon: number }>, maxPoints: number): number[] {
  const valid = route.filter((p) => Number.isFinite(p.lat) && Number.isFinite(p.lon));
  const step = Math.max(1, Math.ceil(valid.length / Math.max(2, maxPoints)));
  const flat: number[] = [];
  for (let i = 0; i < valid.length; i += step) flat.push(valid[i].lon, valid[i].lat);
  const last = valid[valid.length - 1];
  if (last && (flat[flat.length - 2] !== last.lon || flat[flat.length - 1] !== last.lat))
    flat.push(last.lon, last.lat);
  return flat;
}
