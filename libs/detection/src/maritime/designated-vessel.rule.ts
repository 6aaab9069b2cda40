import {
  normaliseVesselName,
  type ConsignmentRegisteredData,
  type VesselDesignatedData,
  type VesselDesignationRevokedData,
} from '@aidwatch/domain';
import { distance, duration, vesselLabel } from './explain';
import type { MaritimeContext } from './maritime-context';
import { normaliseImo, type IdentityChangeRule } from './identity-change.rule';
import type { VesselStaticData } from '@aidwatch/domain';
import {
  describe,
  first,
  idOf,
  indexIn,
  listingOf,
  MIN_NAME_MATCH_LENGTH,
  namesOf,
  unindexFrom,
  type Designation,
  type DesignationMatch,
} from './designations';
import {
  add,
  clear,
  Decided,
  draftFingerprint,
  followedBy,
  raise,
  supersede,
  tell,
  tellAll,
  withDecision,
  type Decision,
  type Decisions,
  type Step,
} from './rule-decision';
import type { VesselFlagDraft } from './vessel-flag-draft';
import type { Fix, RuleHead, SharedFact, VesselFact, VesselRule } from './vessel-rule';
import type { VesselTrack } from './vessel-track';

export type { Designation, DesignationMatch } from './designations';

/**
 * Designated vessel: a vessel on a designation list is seen, is named as the carrier of a consignment, or
 * meets another vessel in an encounter. A sighting is raised once per vessel and listing; carriage and
 * encounters once per consignment and per encounter.
 *
 * Matching, strongest first: the ship's IMO number (reported in AIS static data or named by the
 * consignment), then the MMSI, then — only as a weaker match, labelled `matchedBy: "name"` and raised at
 * `nameMatchSeverity` — the normalised name (`normaliseVesselName`) against the listed name and aliases.
 * False-match guard for names: a name match is not made when the vessel's IMO number is known and the
 * listing gives a different one (another ship of the same name), nor for names shorter than 4 characters.
 *
 * A designation revoked (`aidwatch.vessel.designation-revoked.v1`, a delisting) is forgotten and every
 * open `designated-vessel` flag that cites it (read in `MaritimeContext.openFlags`) is cleared with the
 * reason `delisted: <listRef>`. The flags are the rule's decisions (`raise`, `supersede`, `clear`); the
 * vessels a listing or delisting concerns are told so (`listed`, `delisted`).
 */
export class DesignatedVesselRule implements VesselRule<string | null> {
  /** Per vessel: the listing it was last raised for (`listed:<listRef>`), or null. */
  readonly name = 'designatedVessel';
  /** Designations by `<listRef>|<imo, mmsi or name>` (one listing may name several ships). */
  private readonly designations = new Map<string, Designation>();
  private readonly byMmsi = new Map<string, Set<Designation>>();
  private readonly byImo = new Map<string, Set<Designation>>();
  private readonly byName = new Map<string, Set<Designation>>();

  /** `identity`: the rule that knows which vessel last reported each IMO number. */
  constructor(
    private readonly ctx: MaritimeContext,
    private readonly identity: IdentityChangeRule,
  ) {}

  /** The designations held, written whole in the maritime head (`designations`). */
  readonly head: RuleHead = {
    toJSON: () => ({ designations: this.list() }),
    restore: (head) => {
      for (const designation of (head.designations ?? []) as Designation[]) this.restore(designation);
    },
  };

  stats(): Record<string, number> {
    return { designations: this.designations.size };
  }

  /**
   * A listing: the vessels it names — by MMSI, and the vessel that last reported its IMO number — hear of it
   * (`listed`). A delisting: the designation is forgotten, its open flags cleared, and every vessel hears of
   * it (`delisted`). A consignment's registration: its carrier is raised when listed.
   */
  onShared(fact: SharedFact): Decisions {
    if (fact.kind === 'designated') {
      const d = this.designate(fact.data, fact.eventId, fact.at);
      const byMmsi = d.mmsi ? this.ctx.trackOf(d.mmsi) : undefined;
      const holder = d.imo ? this.identity.imoHolders.get(d.imo) : undefined;
      const byImo = holder ? this.ctx.trackOf(holder.mmsi) : undefined;
      const listed: VesselFact = { kind: 'listed', at: fact.at };
      const told: Decision[] = [];
      for (const track of new Set([byMmsi, byImo])) {
        if (!track) continue;
        this.ctx.changed(track);
        told.push(tell(track, listed));
      }
      return told;
    }
    if (fact.kind === 'designation-revoked') {
      const d = this.revoke(fact.data);
      if (!d) return undefined;
      return [...this.onRevoked(d, fact.at), tellAll({ kind: 'delisted', listRef: d.listRef, at: fact.at })];
    }
    const carrier = this.onCarrier(fact.data, fact.eventId, fact.at);
    return carrier ? [carrier] : undefined;
  }

  initialState(): string | null {
    return null;
  }

  /** The first fix of a vessel is a sighting. */
  onFix(track: VesselTrack, raisedKey: string | null, fix: Fix): Step<string | null> {
    return track.hasFix() ? raisedKey : this.onObserved(track, raisedKey, fix.eventId, fix.at);
  }

  onStatic(
    track: VesselTrack,
    raisedKey: string | null,
    _data: VesselStaticData,
    at: number,
    eventId: string,
  ): Step<string | null> {
    return this.onObserved(track, raisedKey, eventId, at);
  }

  /**
   * A listing naming the vessel is a sighting — by the vessel's first report when that is not older than the
   * listing (it arrived before the listing did, as in event-time order), else now — and brings the
   * designated-partner flags of encounters flagged before it. A delisting of the listing it was raised for
   * resets its sighting state (a vessel still on another list is raised again for that one), unless another
   * ship of the same listing is this one. An encounter flagged (or given its final figures) with a listed
   * vessel raises (or supersedes) the flag of the vessel that met it.
   */
  onFact(track: VesselTrack, raisedKey: string | null, fact: VesselFact): Step<string | null> {
    if (fact.kind === 'met') {
      // A vessel that met a listed one gets a flag naming it, with the encounter's figures now.
      if (this.designations.size === 0) return raisedKey;
      return withDecision(raisedKey, this.metListed(track, fact.other, fact));
    }
    if (fact.kind === 'listed') {
      const seenFirst = track.firstAt >= fact.at;
      const state = this.onObserved(
        track,
        raisedKey,
        seenFirst ? track.firstEventId : track.lastEventId,
        seenFirst ? track.firstAt : fact.at,
      );
      // Encounters flagged before the listing came bring their designated-partner flags now.
      return followedBy(state, this.onListed(track));
    }
    if (fact.kind !== 'delisted') return raisedKey;
    const { listRef } = fact;
    if (raisedKey !== `listed:${listRef}` && raisedKey !== `listed:${listRef}:name`) return raisedKey;
    // Another ship of the same listing (a UN entry names several) keeps its flag and state.
    if (this.match(track.mmsi, track.imo, track.name)?.d.listRef === listRef) return raisedKey;
    this.ctx.changed(track);
    return this.onObserved(track, null, track.lastEventId, fact.at);
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
    return this.designations.size;
  }

  list(): Designation[] {
    return [...this.designations.values()];
  }

  /** Records a listing (a later designation of the same listing and vessel replaces the earlier one). */
  designate(data: VesselDesignatedData, eventId: string, at: number): Designation {
    const designation: Designation = {
      listRef: data.listRef,
      name: data.name,
      imo: normaliseImo(data.imo),
      mmsi: data.mmsi ?? null,
      eventId,
      at,
      ...(data.list !== undefined && { list: data.list }),
      ...(data.reference !== undefined && { reference: data.reference }),
      ...(data.aliases !== undefined && data.aliases.length > 0 && { aliases: [...data.aliases] }),
    };
    this.restore(designation);
    return designation;
  }

  restore(designation: Designation): void {
    const id = idOf(designation);
    const previous = this.designations.get(id);
    if (previous) this.unindex(previous);
    this.designations.set(id, designation);
    if (designation.mmsi) indexIn(this.byMmsi, designation.mmsi, designation);
    if (designation.imo) indexIn(this.byImo, designation.imo, designation);
    for (const name of namesOf(designation)) indexIn(this.byName, name, designation);
  }

  private unindex(d: Designation): void {
    if (d.mmsi) unindexFrom(this.byMmsi, d.mmsi, d);
    if (d.imo) unindexFrom(this.byImo, d.imo, d);
    for (const name of namesOf(d)) unindexFrom(this.byName, name, d);
  }

  /** Forgets the designation a revocation names; returns it (undefined when it was not held). */
  revoke(data: VesselDesignationRevokedData): Designation | undefined {
    const id = idOf({
      listRef: data.listRef,
      imo: normaliseImo(data.imo),
      mmsi: data.mmsi ?? null,
      name: data.name,
    });
    const designation = this.designations.get(id);
    if (!designation) return undefined;
    this.designations.delete(id);
    this.unindex(designation);
    return designation;
  }

  /**
   * The designation a vessel matches, and how: IMO number first, then MMSI, then (weaker) its normalised
   * name, unless the vessel's IMO number is known and differs from the listing's. Among several listings
   * of one vessel, the earliest designated is taken.
   */
  match(
    mmsi: string,
    imo: string | null,
    name: string | null = null,
  ): { d: Designation; by: DesignationMatch } | undefined {
    const byImo = imo ? first(this.byImo.get(imo)) : undefined;
    if (byImo) return { d: byImo, by: 'imo' };
    const byMmsi = first(this.byMmsi.get(mmsi));
    if (byMmsi) return { d: byMmsi, by: 'mmsi' };
    const key = normaliseVesselName(name);
    if (!key || key.length < MIN_NAME_MATCH_LENGTH) return undefined;
    const byName = first(this.byName.get(key), (d) => !(imo && d.imo && d.imo !== imo));
    return byName ? { d: byName, by: 'name' } : undefined;
  }

  /** A vessel was observed (position, static report or a new listing); raised if it is listed. */
  onObserved(track: VesselTrack, raisedKey: string | null, eventId: string, at: number): Step<string | null> {
    if (this.designations.size === 0) return raisedKey;
    const m = this.match(track.mmsi, track.imo, track.name);
    if (!m) return raisedKey;
    const { d, by } = m;
    const key = `listed:${d.listRef}${by === 'name' ? ':name' : ''}`;
    if (raisedKey === key) return raisedKey;
    const sighting = raise({
      rule: 'designated-vessel',
      key,
      severity: by === 'name' ? this.cfg.nameMatchSeverity : this.cfg.sightingSeverity,
      mmsi: track.mmsi,
      atMs: at,
      observed: { ...listingOf(d), matchedBy: by },
      threshold: { designated: true },
      evidence: [d.eventId, eventId],
      explanation: `${vesselLabel(track, at)} is on the designated vessel list ${describe(d, by)}`,
    });
    return new Decided(key, [sighting]);
  }

  /** A listing was revoked: the clears of the open flags that cite it (sightings, carriage, encounters). */
  onRevoked(designation: Designation, atMs: number): Decision[] {
    const open = this.ctx.openFlags;
    const clears: Decision[] = [];
    for (const mmsi of open.vessels())
      for (const entry of open.of(mmsi)) {
        const o = entry.draft.observed;
        if (entry.draft.rule !== 'designated-vessel' || o.listRef !== designation.listRef) continue;
        if (o.listedName !== designation.name || (o.listedImo ?? null) !== designation.imo) continue;
        clears.push(clear(entry.fingerprint, atMs, `delisted: ${designation.listRef}`));
      }
    return clears;
  }

  /** A consignment's registration: the flag of its carrier when listed (else null). */
  onCarrier(data: ConsignmentRegisteredData, eventId: string, at: number): Decision | null {
    const imo = normaliseImo(data.vessel.imo);
    const m = this.match(data.vessel.mmsi, imo, data.vessel.name ?? null);
    if (!m) return null;
    const { d, by } = m;
    const label = data.vessel.name
      ? `${data.vessel.name} (MMSI ${data.vessel.mmsi})`
      : `MMSI ${data.vessel.mmsi}`;
    return raise({
      rule: 'designated-vessel',
      key: `carrier:${data.consignmentId}`,
      severity: by === 'name' ? this.cfg.nameMatchSeverity : this.cfg.carrierSeverity,
      mmsi: data.vessel.mmsi,
      consignmentIds: [data.consignmentId],
      atMs: at,
      observed: { ...listingOf(d), matchedBy: by, role: 'carrier' },
      threshold: { designated: true },
      evidence: [d.eventId, eventId],
      explanation:
        `Consignment ${data.consignmentId} is registered to be carried by ${label}, which is on the designated ` +
        `vessel list ${describe(d, by)}`,
    });
  }

  /**
   * A listing arrived: the open encounter flags of the vessels it names (raised before it came, in whatever
   * order) bring the flag of the vessel that met them, as if the listing had been known then. The figures
   * are the encounter flag's, which the `met` fact keeps its flags to, so both orders end with one flag.
   * Returns those flags' decisions (null: none).
   */
  onListed(listed: VesselTrack): Decision[] | null {
    let out: Decision[] | null = null;
    for (const entry of this.ctx.openFlags.of(listed.mmsi)) {
      const { draft } = entry;
      if (draft.rule !== 'encounter' || !draft.partnerMmsi || draft.fromMs === undefined) continue;
      const subject = this.ctx.trackOf(draft.partnerMmsi);
      if (!subject) continue;
      const figures = {
        fromMs: draft.fromMs,
        atMs: draft.atMs,
        maxDistanceM: Number(draft.observed.maxDistanceM),
        evidence: draft.evidence,
      };
      out = add(out, this.metListed(subject, listed, figures));
    }
    return out;
  }

  /** `subject` met `other`: raised (or superseded with new figures) when `other` is listed (else null). */
  private metListed(subject: VesselTrack, other: VesselTrack, e: EncounterFigures): Decision | null {
    const m = this.match(other.mmsi, other.imo, other.name);
    if (!m) return null;
    const { d, by } = m;
    const key = `met:${other.mmsi}:${e.fromMs}`;
    const draft: VesselFlagDraft = {
      rule: 'designated-vessel' as const,
      key,
      severity: by === 'name' ? this.cfg.nameMatchSeverity : this.cfg.partnerSeverity,
      mmsi: subject.mmsi,
      partnerMmsi: other.mmsi,
      fromMs: e.fromMs,
      atMs: e.atMs,
      observed: { ...listingOf(d), matchedBy: by, partnerMmsi: other.mmsi, role: 'encounter partner' },
      threshold: { designated: true },
      evidence: [d.eventId, ...e.evidence],
      explanation:
        `${vesselLabel(subject, e.atMs)} met ${vesselLabel(other, e.atMs)}, which is on the designated vessel list ` +
        `${describe(d, by)}, staying within ${distance(e.maxDistanceM / 1000)} for ` +
        duration(e.atMs - e.fromMs),
    };
    const open = this.ctx.openFlags.get(draftFingerprint(draft));
    return open ? supersede(open.fingerprint, draft) : raise(draft);
  }
}

/** What a designated-partner flag takes from its encounter. */
interface EncounterFigures {
  fromMs: number;
  atMs: number;
  maxDistanceM: number;
  evidence: readonly string[];
}
