import { ClearedFlagIds } from '../cleared-flag-ids';
import type { VesselFlagDraft } from './vessel-flag-draft';

/** One open vessel flag as the sink built it: its draft (to build it again) and what it named. */
export interface OpenVesselFlag {
  /** What the rule reported; the flag is this draft with the aid on board filled in. */
  draft: VesselFlagDraft;
  /** The consignments the open flag names, sorted. */
  consignmentIds: string[];
  flagId: string;
  fingerprint: string;
  /** The open flag's `reopened` (raised again on the same evidence after its k-th clear); absent the first time. */
  reopened?: number;
}

/**
 * A vessel's open flags in a snapshot (key `flags:<mmsi>`), in the order they were first raised, and the flag
 * ids it cleared with how many times (`cleared`, oldest first; `mmsi` then names the vessel).
 */
export interface OpenVesselFlagsJson {
  flags: OpenVesselFlag[];
  mmsi?: string;
  cleared?: Array<[string, number]>;
}

/** What the rules read of the open vessel flags (see `OpenVesselFlags`); they change only by decisions. */
export interface OpenVesselFlagsView {
  /** The open flag kept under `fingerprint`. */
  get(fingerprint: string): Readonly<OpenVesselFlag> | undefined;
  /** The vessel's open flags, oldest raise first. */
  of(mmsi: string): ReadonlyArray<Readonly<OpenVesselFlag>>;
  /** The vessels with open flags kept (or cleared flag ids remembered), sorted. */
  vessels(): string[];
}

/**
 * The open flags of each vessel (subject), kept so that they can be judged again after they were raised:
 * linked to a consignment whose paperwork arrives later, or re-judged by a late position (an AIS gap). A
 * flag leaves when it is cleared or superseded. Bounded per vessel (`maxPerVessel`): beyond it the flag
 * with the oldest episode end is no longer kept (it stays open, but nothing judges it again).
 */
export class OpenVesselFlags implements OpenVesselFlagsView {
  private readonly byVessel = new Map<string, OpenVesselFlag[]>();
  private readonly byFingerprint = new Map<string, OpenVesselFlag>();
  /** Per partner MMSI (the other vessel of an encounter), the vessels whose open flags name it, counted. */
  private readonly partners = new Map<string, Map<string, number>>();
  private readonly changed = new Set<string>();
  /** Per vessel, how many times each flag id no longer open was cleared (see `OpenFlags`). */
  private readonly cleared = new Map<string, ClearedFlagIds>();

  constructor(private readonly maxPerVessel: number) {}

  /** A flag of `mmsi` was cleared; `reopened`: the one it carried. */
  noteCleared(mmsi: string, flagId: string, reopened: number | undefined): void {
    let ids = this.cleared.get(mmsi);
    if (!ids) this.cleared.set(mmsi, (ids = new ClearedFlagIds()));
    ids.note(flagId, reopened);
    this.changed.add(mmsi);
  }

  /** How many times flag `flagId` of `mmsi` was cleared, forgotten as it is raised again; undefined if never. */
  takeReopening(mmsi: string, flagId: string): number | undefined {
    const ids = this.cleared.get(mmsi);
    const times = ids?.take(flagId);
    if (times === undefined) return undefined;
    if (ids!.size === 0) this.cleared.delete(mmsi);
    this.changed.add(mmsi);
    return times;
  }

  get size(): number {
    return this.byFingerprint.size;
  }

  get(fingerprint: string): OpenVesselFlag | undefined {
    return this.byFingerprint.get(fingerprint);
  }

  /** The vessel's open flags, oldest raise first. */
  of(mmsi: string): readonly OpenVesselFlag[] {
    return this.byVessel.get(mmsi) ?? [];
  }

  /** Keeps `entry`, in place of the open flag with its fingerprint if there is one. */
  put(entry: OpenVesselFlag): void {
    const mmsi = entry.draft.mmsi;
    this.changed.add(mmsi);
    const previous = this.byFingerprint.get(entry.fingerprint);
    let list = this.byVessel.get(mmsi);
    if (previous && list) {
      this.unindexPartner(previous);
      list[list.indexOf(previous)] = entry;
    } else {
      if (!list) this.byVessel.set(mmsi, (list = []));
      list.push(entry);
    }
    this.byFingerprint.set(entry.fingerprint, entry);
    this.indexPartner(entry);
    while (list.length > this.maxPerVessel) {
      let oldest = list[0];
      for (const e of list) if (e.draft.atMs < oldest.draft.atMs) oldest = e;
      this.remove(oldest.fingerprint);
    }
  }

  remove(fingerprint: string): OpenVesselFlag | undefined {
    const entry = this.byFingerprint.get(fingerprint);
    if (!entry) return undefined;
    const mmsi = entry.draft.mmsi;
    this.changed.add(mmsi);
    this.byFingerprint.delete(fingerprint);
    this.unindexPartner(entry);
    const list = this.byVessel.get(mmsi) as OpenVesselFlag[];
    list.splice(list.indexOf(entry), 1);
    if (list.length === 0) this.byVessel.delete(mmsi);
    return entry;
  }

  /**
   * The open flags about any of `mmsis` — of the vessel itself, or of another vessel that met it — by vessel
   * (sorted) and raise order: a fixed order whatever the history of the index.
   */
  involving(mmsis: readonly string[]): OpenVesselFlag[] {
    const wanted = new Set(mmsis);
    const vessels = new Set<string>();
    for (const mmsi of wanted) {
      if (this.byVessel.has(mmsi)) vessels.add(mmsi);
      for (const other of this.partners.get(mmsi)?.keys() ?? []) vessels.add(other);
    }
    const out: OpenVesselFlag[] = [];
    for (const mmsi of [...vessels].sort())
      for (const e of this.of(mmsi))
        if (
          wanted.has(e.draft.mmsi) ||
          (e.draft.partnerMmsi !== undefined && wanted.has(e.draft.partnerMmsi))
        )
          out.push(e);
    return out;
  }

  /** Vessels whose open flags changed since the last call. */
  takeChanged(): string[] {
    const mmsis = [...this.changed];
    this.changed.clear();
    return mmsis;
  }

  vessels(): string[] {
    return [...new Set([...this.byVessel.keys(), ...this.cleared.keys()])].sort();
  }

  /** One vessel's entry; undefined when it has no open flag kept and remembers no cleared one. */
  toJSON(mmsi: string): OpenVesselFlagsJson | undefined {
    const list = this.byVessel.get(mmsi);
    const cleared = this.cleared.get(mmsi);
    if (!list && !cleared) return undefined;
    return cleared ? { flags: list ?? [], mmsi, cleared: cleared.toJson() } : { flags: list ?? [] };
  }

  restore(json: OpenVesselFlagsJson): void {
    for (const entry of json.flags) this.put(entry);
    if (json.mmsi !== undefined && json.cleared?.length)
      this.cleared.set(json.mmsi, new ClearedFlagIds(json.cleared));
  }

  private indexPartner(entry: OpenVesselFlag): void {
    const partner = entry.draft.partnerMmsi;
    if (partner === undefined) return;
    let counts = this.partners.get(partner);
    if (!counts) this.partners.set(partner, (counts = new Map()));
    counts.set(entry.draft.mmsi, (counts.get(entry.draft.mmsi) ?? 0) + 1);
  }

  private unindexPartner(entry: OpenVesselFlag): void {
    const partner = entry.draft.partnerMmsi;
    if (partner === undefined) return;
    const counts = this.partners.get(partner);
    const n = counts?.get(entry.draft.mmsi) ?? 0;
    if (!counts) return;
    if (n <= 1) counts.delete(entry.draft.mmsi);
    else counts.set(entry.draft.mmsi, n - 1);
    if (counts.size === 0) this.partners.delete(partner);
  }
}
