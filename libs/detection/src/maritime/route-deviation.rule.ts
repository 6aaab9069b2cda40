import type { ConsignmentRegisteredData } from '@aidwatch/domain';
import { distance, duration, position, round1, shortTime, vesselLabel } from './explain';
import { distanceToPolylineKm, KM_PER_NM, MS_PER_MINUTE } from './geo';
import type { MaritimeContext } from './maritime-context';
import type { OpenVesselFlag } from './open-vessel-flags';
import type { PortRecord } from './port-index';
import {
  add,
  clear,
  Decided,
  decided,
  draftFingerprint,
  raise,
  raiseAgain,
  tell,
  type Decision,
  type Decisions,
  type Step,
} from './rule-decision';
import { AID_NOT_ON_BOARD, type VesselFlagDraft } from './vessel-flag-draft';
import type { RuleSubjects, SharedFact, VesselFact, VesselRule } from './vessel-rule';
import { decodeNumbers, encodeNumbers } from './json-numbers';
import type { Sample, VesselTrack } from './vessel-track';

type Voyages = DeclaredVoyage[] | null;

const CARRIAGE: VesselFact = { kind: 'carriage' };

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

/** One sample of a replay, with the port whose visit began with it (else null). */
export interface ReplayStep {
  sample: Sample;
  portVisit: PortRecord | null;
}

/** A corridor replay under way: the voyages judged again and the open flags they may raise again. */
interface Replay {
  consignmentIds: ReadonlySet<string>;
  /** Open corridor flags of those voyages from the replayed time on, by fingerprint; raised again: removed. */
  open: Map<string, Readonly<OpenVesselFlag>>;
}

/** What a corridor replay judged: how many samples, and the decisions it made (applied in order). */
export interface CorridorReplay {
  judged: number;
  decisions: Decision[];
}

/**
 * Route deviation, checked only while the consignment is on board (per the linker): a vessel farther than
 * the corridor (50 nm) from the declared route for 30 min, or a port visit at a port other than the
 * declared origin or destination. One flag per excursion and per port call (`raise`; in a corridor replay
 * `raise-again`, and `clear` for an open flag the replay does not raise again).
 */
export class RouteDeviationRule implements VesselRule<Voyages> {
  readonly name = 'routeDeviation';
  /** Declared voyages per carrier MMSI (key `voyages:<mmsi>` in snapshots), tracked vessel or not. */
  readonly voyagesByMmsi = new Map<string, DeclaredVoyage[]>();
  /** Carriers whose voyages changed since the last `takeChangedCarriers`. */
  private readonly changedCarriers = new Set<string>();
  private replay: Replay | null = null;

  constructor(private readonly ctx: MaritimeContext) {}

  /** A vessel's state is its list of declared voyages (shared with `voyagesByMmsi`). */
  initialState(): Voyages {
    return null;
  }

  /** A vessel newly tracked, or whose declared voyages changed, reads them (`voyagesByMmsi`). */
  onFact(track: VesselTrack, voyages: Voyages, fact: VesselFact): Voyages {
    if (fact.kind !== 'tracked' && fact.kind !== 'carriage') return voyages;
    return this.voyagesByMmsi.get(track.mmsi) ?? null;
  }

  /** A consignment's registration declares a voyage of its carrier, which hears of it (`carriage`). */
  onShared(fact: SharedFact): Decisions {
    if (fact.kind !== 'consignment-registered') return undefined;
    this.register(fact.data, fact.eventId);
    const track = this.ctx.trackOf(fact.data.vessel.mmsi);
    return track ? [tell(track, CARRIAGE)] : undefined;
  }

  /** Each carrier's declared voyages, under `voyages:<mmsi>`. */
  readonly subjects: RuleSubjects = {
    kind: 'voyages',
    ids: () => this.voyagesByMmsi.keys(),
    takeChanged: () => this.takeChangedCarriers(),
    entry: (mmsi) => {
      const voyages = this.voyagesByMmsi.get(mmsi);
      return voyages ? encodeNumbers(voyages) : undefined;
    },
    restore: (mmsi, entry) => void this.voyagesByMmsi.set(mmsi, decodeNumbers(entry) as DeclaredVoyage[]),
  };

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
    while (voyages.length > this.cfg.maxVoyagesPerVessel)
      voyages.splice(this.evictionIndex(mmsi, voyages), 1);
    this.voyagesByMmsi.set(mmsi, voyages);
    this.changedCarriers.add(mmsi);
    return voyages;
  }

  /**
   * Which voyage leaves a full list: the earliest whose aid is done with the vessel (discharged, registered
   * elsewhere, delivered), else the earliest still only bound for it (not the one just registered), else the
   * earliest. A voyage whose aid is aboard is judged for as long as it is aboard; how many can be is bounded
   * per organisation (`LIMIT_TENANT_CONSIGNMENTS_PER_VESSEL`), so registrations naming the vessel never push
   * out another organisation's voyage while its aid is aboard.
   */
  private evictionIndex(mmsi: string, voyages: readonly DeclaredVoyage[]): number {
    const linker = this.ctx.linker;
    if (!linker.standingOn) return 0;
    const standings = voyages.map((v) => linker.standingOn?.(v.consignmentId, mmsi));
    const done = standings.indexOf('done');
    if (done >= 0) return done;
    const bound = standings.indexOf('bound');
    return bound >= 0 && bound < voyages.length - 1 ? bound : 0;
  }

  onSample(track: VesselTrack, voyages: Voyages, s: Sample): Step<Voyages> {
    if (!voyages) return voyages;
    const onBoard = new Set(this.ctx.linker.consignmentsOnBoard(track.mmsi, s.at));
    if (onBoard.size === 0) return voyages;
    let out: Decision[] | null = null;
    this.changedCarriers.add(track.mmsi);
    const corridorKm = this.cfg.corridorNm * KM_PER_NM;
    const replay = this.replay;
    for (const v of voyages) {
      if (v.route.length < 2 || !onBoard.has(v.consignmentId)) continue;
      if (replay !== null && !replay.consignmentIds.has(v.consignmentId)) continue;
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
      out = add(
        out,
        this.raise({
          rule: 'route-deviation',
          key: `corridor:${v.consignmentId}:${v.outsideSince}`,
          severity: this.cfg.severity,
          mmsi: track.mmsi,
          consignmentIds: [v.consignmentId],
          ownConsignmentsOnly: true,
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
            `${vesselLabel(track, s.at)}, carrying consignment ${v.consignmentId}, has been up to ` +
            `${round1(v.maxOffKm / KM_PER_NM)} nm (${distance(v.maxOffKm)}) off its declared route for ` +
            `${duration(s.at - v.outsideSince)}, now at ${position(s.lat, s.lon)}; the corridor is ${this.cfg.corridorNm} nm`,
        }),
      );
    }
    return decided(voyages, out);
  }

  /**
   * Judges the carrier's voyages of `consignmentIds` again — corridor and port calls — over `steps` (the
   * carrier's samples from `fromMs` on as in-order delivery made them, with the port visits they began),
   * because paperwork that changes when that aid was on board arrived after them (time model 9). Each
   * voyage's corridor watch starts afresh at `fromMs` (the earliest time that aid was on board); a flag
   * raised in order is raised again with the same key, evidence and id (no change); an open route-deviation
   * flag of those voyages from `fromMs` on that is not raised again — the aid was not on board after all —
   * is cleared (`superseded by new evidence: aid not on board`) at `clearAt`, unless `complete()` says the
   * steps were cut. Returns the number of samples judged and the decisions, for the caller to apply in order.
   */
  replayCorridor(
    track: VesselTrack,
    consignmentIds: readonly string[],
    fromMs: number,
    steps: Iterable<ReplayStep>,
    clearAt: number,
    complete: () => boolean = () => true,
  ): CorridorReplay {
    const voyages = this.voyagesByMmsi.get(track.mmsi);
    if (!voyages) return { judged: 0, decisions: [] };
    const ids = new Set(consignmentIds);
    for (const v of voyages) {
      if (!ids.has(v.consignmentId)) continue;
      v.outsideSince = NaN;
      v.outsideEventId = null;
      v.maxOffKm = 0;
      v.flagged = false;
    }
    this.changedCarriers.add(track.mmsi);
    const open = new Map<string, Readonly<OpenVesselFlag>>();
    for (const entry of this.ctx.openFlags.of(track.mmsi)) {
      const d = entry.draft;
      if (d.rule !== 'route-deviation' || d.atMs < fromMs) continue;
      if ((d.consignmentIds ?? []).some((id) => ids.has(id))) open.set(entry.fingerprint, entry);
    }
    this.replay = { consignmentIds: ids, open };
    const decisions: Decision[] = [];
    const judge = (step: Step<Voyages>) => {
      if (step instanceof Decided) decisions.push(...step.decisions);
    };
    let judged = 0;
    try {
      for (const { sample, portVisit } of steps) {
        if (sample.at < fromMs) continue;
        judged++;
        if (portVisit !== null) judge(this.onPortVisit(track, voyages, portVisit, sample));
        judge(this.onSample(track, voyages, sample));
      }
    } finally {
      this.replay = null;
    }
    if (complete())
      for (const entry of open.values()) decisions.push(clear(entry.fingerprint, clearAt, AID_NOT_ON_BOARD));
    return { judged, decisions };
  }

  /** Event time (ms) of the earliest episode start of the carrier's open route-deviation flags of the consignment; NaN for none. */
  earliestOpenCorridorFlag(mmsi: string, consignmentId: string): number {
    let earliest = Number.NaN;
    for (const { draft } of this.ctx.openFlags.of(mmsi)) {
      if (draft.rule !== 'route-deviation' || !(draft.consignmentIds ?? []).includes(consignmentId)) continue;
      const from = draft.fromMs ?? draft.atMs;
      if (!(from >= earliest)) earliest = from;
    }
    return earliest;
  }

  /** A flag raised; in a replay, raised again (the open flag of the same episode kept, same id, or superseded). */
  private raise(draft: VesselFlagDraft): Decision {
    const replay = this.replay;
    if (replay === null) return raise(draft);
    replay.open.delete(draftFingerprint(draft));
    return raiseAgain(draft);
  }

  /** A port visit began at `port`: undeclared if it is neither origin nor destination of the aid on board. */
  onPortVisit(track: VesselTrack, voyages: Voyages, port: PortRecord, s: Sample): Step<Voyages> {
    if (!voyages) return voyages;
    const onBoard = new Set(this.ctx.linker.consignmentsOnBoard(track.mmsi, s.at));
    const replay = this.replay;
    let out: Decision[] | null = null;
    for (const v of voyages) {
      if (!onBoard.has(v.consignmentId)) continue;
      if (replay !== null && !replay.consignmentIds.has(v.consignmentId)) continue;
      if (port.locode === v.originPort || port.locode === v.destinationPort) continue;
      out = add(
        out,
        this.raise({
          rule: 'route-deviation',
          key: `port:${v.consignmentId}:${port.locode}:${s.at}`,
          severity: this.cfg.undeclaredPortSeverity,
          mmsi: track.mmsi,
          consignmentIds: [v.consignmentId],
          ownConsignmentsOnly: true,
          atMs: s.at,
          observed: { consignmentId: v.consignmentId, port: port.locode, portName: port.name },
          threshold: { declaredPorts: [v.originPort, v.destinationPort] },
          evidence: [v.registeredEventId, s.eventId],
          explanation:
            `${vesselLabel(track, s.at)}, carrying consignment ${v.consignmentId} from ${v.originPort} to ` +
            `${v.destinationPort}, called at ${port.name} (${port.locode}) on ${shortTime(s.at)}, an undeclared port`,
        }),
      );
    }
    return decided(voyages, out);
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
