import type { ConsignmentRegisteredData, VesselDesignatedData } from '@aidwatch/domain';
import type { EncounterPair } from './encounter.rule';
import { distance, duration, vesselLabel } from './explain';
import type { MaritimeContext } from './maritime-context';
import { normaliseImo } from './identity-change.rule';
import type { VesselStaticData } from '@aidwatch/domain';
import type { Fix, VesselRule } from './vessel-rule';
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
export class DesignatedVesselRule implements VesselRule<string | null> {
  /** Per vessel: the listing it was last raised for (`listed:<listRef>`), or null. */
  readonly name = 'designatedVessel';
  private readonly byMmsi = new Map<string, Designation>();
  private readonly byImo = new Map<string, Designation>();

  constructor(private readonly ctx: MaritimeContext) {}

  initialState(): string | null {
    return null;
  }

  /** The first fix of a vessel is a sighting. */
  onFix(track: VesselTrack, raisedKey: string | null, fix: Fix): string | null {
    return track.hasFix() ? raisedKey : this.onObserved(track, raisedKey, fix.eventId, fix.at);
  }

  onStatic(
    track: VesselTrack,
    raisedKey: string | null,
    _data: VesselStaticData,
    at: number,
    eventId: string,
  ): string | null {
    return this.onObserved(track, raisedKey, eventId, at);
  }

  toJSON(raisedKey: string | null): unknown {
    return raisedKey ?? undefined;
  }

  fromJSON(json: unknown): string | null {
    return (json as string | undefined) ?? null;
  }

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
  onObserved(track: VesselTrack, raisedKey: string | null, eventId: string, at: number): string | null {
    if (this.byMmsi.size === 0 && this.byImo.size === 0) return raisedKey;
    const d = this.match(track.mmsi, track.imo);
    if (!d) return raisedKey;
    const key = `listed:${d.listRef}`;
    if (raisedKey === key) return raisedKey;
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
    return key;
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
