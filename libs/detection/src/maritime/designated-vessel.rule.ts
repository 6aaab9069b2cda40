import type { ConsignmentRegisteredData, VesselDesignatedData } from '@aidwatch/domain';
import type { EncounterPair } from './encounter.rule';
import { distance, duration, vesselLabel } from './explain';
import type { MaritimeContext } from './maritime-context';
import { normaliseImo } from './identity-change.rule';
import type { VesselTrack } from './vessel-track';

export interface Designation {
  listRef: string;
  name: string;
  imo: string | null;
  mmsi: string | null;
  eventId: string;
  at: number;
}

/**
 * Designated vessel: a vessel on the designated list (matched by MMSI or IMO number) is seen, is named as
 * the carrier of a consignment, or meets another vessel in an encounter. A sighting is raised once per
 * vessel and listing; carriage and encounters once per consignment and per encounter.
 */
export class DesignatedVesselRule {
  private readonly byMmsi = new Map<string, Designation>();
  private readonly byImo = new Map<string, Designation>();

  constructor(private readonly ctx: MaritimeContext) {}

  private get cfg() {
    return this.ctx.config.designatedVessel;
  }

  get size(): number {
    return this.list().length;
  }

  list(): Designation[] {
    return [...new Set([...this.byMmsi.values(), ...this.byImo.values()])];
  }

  /** Records a listing; returns the MMSIs (if known) and IMO it covers. */
  designate(data: VesselDesignatedData, eventId: string, at: number): Designation {
    const designation: Designation = {
      listRef: data.listRef,
      name: data.name,
      imo: normaliseImo(data.imo),
      mmsi: data.mmsi ?? null,
      eventId,
      at,
    };
    this.restore(designation);
    return designation;
  }

  restore(designation: Designation): void {
    if (designation.mmsi) this.byMmsi.set(designation.mmsi, designation);
    if (designation.imo) this.byImo.set(designation.imo, designation);
  }

  match(mmsi: string, imo: string | null): Designation | undefined {
    return this.byMmsi.get(mmsi) ?? (imo ? this.byImo.get(imo) : undefined);
  }

  /** A vessel was observed (position, static report or a new listing); raise if it is listed. */
  onObserved(track: VesselTrack, eventId: string, at: number): void {
    if (this.byMmsi.size === 0 && this.byImo.size === 0) return;
    const d = this.match(track.mmsi, track.imo);
    if (!d) return;
    const key = `listed:${d.listRef}`;
    if (track.designatedKey === key) return;
    track.designatedKey = key;
    this.ctx.sink.raise({
      rule: 'designated-vessel',
      key,
      severity: this.cfg.sightingSeverity,
      mmsi: track.mmsi,
      atMs: at,
      observed: { listRef: d.listRef, listedName: d.name, matchedBy: matchedBy(d, track.mmsi) },
      threshold: { designated: true },
      evidence: [d.eventId, eventId],
      explanation: `${vesselLabel(track)} is on the designated vessel list ${describe(d, track.mmsi)}`,
    });
  }

  onCarrier(data: ConsignmentRegisteredData, eventId: string, at: number): void {
    const imo = normaliseImo(data.vessel.imo);
    const d = this.match(data.vessel.mmsi, imo);
    if (!d) return;
    const label = data.vessel.name
      ? `${data.vessel.name} (MMSI ${data.vessel.mmsi})`
      : `MMSI ${data.vessel.mmsi}`;
    this.ctx.sink.raise({
      rule: 'designated-vessel',
      key: `carrier:${data.consignmentId}`,
      severity: this.cfg.carrierSeverity,
      mmsi: data.vessel.mmsi,
      consignmentIds: [data.consignmentId],
      atMs: at,
      observed: {
        listRef: d.listRef,
        listedName: d.name,
        matchedBy: matchedBy(d, data.vessel.mmsi),
        role: 'carrier',
      },
      threshold: { designated: true },
      evidence: [d.eventId, eventId],
      explanation:
        `Consignment ${data.consignmentId} is registered to be carried by ${label}, which is on the designated ` +
        `vessel list ${describe(d, data.vessel.mmsi)}`,
    });
  }

  /** An encounter was raised: each vessel that met a listed one gets a flag naming it. */
  onEncounter(pair: EncounterPair): void {
    if (this.byMmsi.size === 0 && this.byImo.size === 0) return;
    for (const [subject, other] of [
      [pair.a, pair.b],
      [pair.b, pair.a],
    ]) {
      const d = this.match(other.mmsi, other.imo);
      if (!d) continue;
      this.ctx.sink.raise({
        rule: 'designated-vessel',
        key: `met:${other.mmsi}:${pair.startAt}`,
        severity: this.cfg.partnerSeverity,
        mmsi: subject.mmsi,
        partnerMmsi: other.mmsi,
        fromMs: pair.startAt,
        atMs: pair.lastCloseAt,
        observed: {
          listRef: d.listRef,
          listedName: d.name,
          partnerMmsi: other.mmsi,
          role: 'encounter partner',
        },
        threshold: { designated: true },
        evidence: [d.eventId, ...pair.firstEvidence, ...pair.lastEvidence],
        explanation:
          `${vesselLabel(subject)} met ${vesselLabel(other)}, which is on the designated vessel list ` +
          `${describe(d, other.mmsi)}, staying within ${distance(pair.maxDistM / 1000)} for ` +
          duration(pair.lastCloseAt - pair.startAt),
      });
    }
  }
}

const matchedBy = (d: Designation, mmsi: string): 'mmsi' | 'imo' => (d.mmsi === mmsi ? 'mmsi' : 'imo');

const describe = (d: Designation, mmsi: string): string =>
  `${d.listRef} as "${d.name}"${matchedBy(d, mmsi) === 'imo' ? ` (matched by IMO ${d.imo})` : ''}`;
