import type { CarriageStanding, Flag, FlagClearedData, Severity } from '@aidwatch/domain';
import { Severities } from '@aidwatch/domain';
import { toFlag } from '../flag-draft';
import type { FlagChanges } from '../open-flags';
import { noChanges } from '../open-flags';
import { isoTime } from './explain';
import { OpenVesselFlags, type OpenVesselFlag } from './open-vessel-flags';
import type { FlagDecision } from './rule-decision';
import { SUPERSEDED, AID_NOT_ON_BOARD, AID_ON_BOARD, type VesselFlagDraft } from './vessel-flag-draft';

export type { EpisodeEnd, VesselFlagDraft } from './vessel-flag-draft';
export { AID_NOT_ON_BOARD, AID_ON_BOARD, SUPERSEDED } from './vessel-flag-draft';

/** Which consignments are on board a vessel at a time (from the consignment projections). */
export interface ConsignmentLinker {
  consignmentsOnBoard(mmsi: string, at: number): string[];
  /** Where consignment `consignmentId` stands with vessel `mmsi` now (see `CarriageStanding`); 'done' when unknown. */
  standingOn?(consignmentId: string, mmsi: string): CarriageStanding;
}

/**
 * The maritime detector's applier of the rules' flag decisions (`apply`, see `FlagDecision`): turns vessel
 * drafts into flags — fills the consignments on board (of both vessels of an encounter), raises the severity
 * a level when aid is on board, marks a flag raised again after its clear `reopened` — and collects the
 * raise/clear changes of one call (`take`). It keeps each vessel's open flags with their drafts (`open`), so
 * that a flag can be built again when the aid on board is learnt later (`relink`), and so that a decision
 * naming a flag by fingerprint acts on the flag open now under it. Rules never reach it: they read `open`
 * through `MaritimeContext.openFlags`.
 */
export class FlagSink {
  private changes: FlagChanges = noChanges();
  readonly open: OpenVesselFlags;

  constructor(
    private readonly linker: ConsignmentLinker,
    private readonly escalateWithAidOnBoard: boolean,
    maxOpenFlagsPerVessel = Number.POSITIVE_INFINITY,
  ) {
    this.open = new OpenVesselFlags(maxOpenFlagsPerVessel);
  }

  /**
   * Applies a rule's flag decision (see `FlagDecision`): a flag it names by fingerprint is the one open now
   * under that fingerprint. One no longer kept (`OpenVesselFlags` bounds each vessel's) is not judged again:
   * superseding it raises the new flag alone, clearing it does nothing.
   */
  apply(d: FlagDecision): void {
    switch (d.kind) {
      case 'raise':
        this.raise(d.draft);
        return;
      case 'raise-again':
        this.raiseAgain(d.draft);
        return;
      case 'supersede':
        this.replace(d.previous === null ? null : (this.open.get(d.previous) ?? null), d.draft);
        return;
      case 'clear': {
        const entry = this.open.get(d.fingerprint);
        if (entry) this.clearOpen(entry, d.atMs, d.reason);
      }
    }
  }

  raise(draft: VesselFlagDraft): Flag {
    const flag = this.opened(this.build(draft, this.aidOf(draft)));
    this.keep(draft, flag);
    return flag;
  }

  /**
   * `raise` for a flag judged again (a replay over past positions): when the same flag (same id) is open it
   * stays as it is and nothing changes; another open flag of the episode (same fingerprint) is superseded.
   */
  private raiseAgain(draft: VesselFlagDraft): void {
    const built = this.build(draft, this.aidOf(draft));
    this.replaceBy(this.open.get(built.fingerprint) ?? null, draft, built);
  }

  /** Clears an open flag at `atMs` (ms) for `reason`. */
  private clearOpen(flag: OpenVesselFlag, atMs: number, reason: string): void {
    this.open.remove(flag.fingerprint);
    this.changes.cleared.push(this.clearedOf(flag, isoTime(atMs), reason));
  }

  /**
   * The aid on board of these vessels changed (a consignment's registration, load, departure or discharge
   * was reported): each open flag about them — of the vessel, or of a vessel that met it — is built again
   * and, when it names other consignments now, superseded by that flag, exactly as if the paperwork had
   * been known when it was raised.
   */
  relink(mmsis: readonly string[]): void {
    for (const entry of this.open.involving(mmsis)) {
      const aid = this.aidOf(entry.draft);
      if (sameIds(aid, entry.consignmentIds)) continue;
      const built = this.build(entry.draft, aid);
      const added = aid.some((id) => !entry.consignmentIds.includes(id));
      this.changes.cleared.push(
        this.clearedOf(entry, built.raisedAt, added ? AID_ON_BOARD : AID_NOT_ON_BOARD),
      );
      this.keep(entry.draft, this.opened(built));
    }
  }

  /** The changes collected since the last call. */
  take(): FlagChanges {
    const { changes } = this;
    if (changes.raised.length === 0 && changes.cleared.length === 0) return noChanges();
    this.changes = noChanges();
    return changes;
  }

  /** Replaces the open flag `current` (null: none) by the one `draft` builds, unless that is the same flag. */
  private replace(current: OpenVesselFlag | null, draft: VesselFlagDraft): void {
    this.replaceBy(current, draft, this.build(draft, this.aidOf(draft)));
  }

  /** `replace` with the flag `draft` builds now (`built`). */
  private replaceBy(current: OpenVesselFlag | null, draft: VesselFlagDraft, built: Flag): void {
    if (current?.flagId === built.flagId) return;
    if (current) this.changes.cleared.push(this.clearedOf(current, built.raisedAt, SUPERSEDED));
    this.keep(draft, this.opened(built));
  }

  /**
   * Raises `flag`, marked `reopened` when its vessel cleared the same flag (same id) before: its events then
   * have ids of their own and no reader takes it for a repeat of the first raise (see `OpenFlags`).
   */
  private opened(built: Flag): Flag {
    const times = this.open.takeReopening(built.subject.id, built.flagId);
    const flag = times === undefined ? built : { ...built, reopened: times };
    this.changes.raised.push(flag);
    return flag;
  }

  private keep(draft: VesselFlagDraft, flag: Flag): void {
    this.open.put({
      draft,
      consignmentIds: flag.consignmentIds,
      flagId: flag.flagId,
      fingerprint: flag.fingerprint,
      ...(flag.reopened !== undefined && { reopened: flag.reopened }),
    });
  }

  /** The clear of `flag`, noted so that a raise of the same flag again is marked `reopened`. */
  private clearedOf(flag: OpenVesselFlag, at: string, reason: string): FlagClearedData {
    const data = this.clearData(flag, at, reason);
    this.open.noteCleared(data.subject.id, data.flagId, data.reopened);
    return data;
  }

  private clearData(flag: OpenVesselFlag, at: string, reason: string): FlagClearedData {
    const { draft } = flag;
    return {
      flagId: flag.flagId,
      fingerprint: flag.fingerprint,
      rule: draft.rule,
      subject: { kind: 'vessel', id: draft.mmsi },
      consignmentIds: flag.consignmentIds,
      reason,
      evidence: evidenceOf(draft).sort(),
      clearedAt: at,
      ...(flag.reopened !== undefined && { reopened: flag.reopened }),
    };
  }

  /**
   * The consignments a draft's flag names: its own, and those on board (of both vessels of an encounter) —
   * its own alone for a flag about one consignment's declaration (`ownConsignmentsOnly`).
   */
  private aidOf(draft: VesselFlagDraft): string[] {
    const ids = new Set(draft.consignmentIds ?? []);
    if (draft.ownConsignmentsOnly) return [...ids].sort();
    const onBoard = (mmsi: string): void => {
      for (const id of this.linker.consignmentsOnBoard(mmsi, draft.atMs)) ids.add(id);
      if (draft.fromMs !== undefined && draft.fromMs !== draft.atMs) {
        for (const id of this.linker.consignmentsOnBoard(mmsi, draft.fromMs)) ids.add(id);
      }
    };
    onBoard(draft.mmsi);
    if (draft.partnerMmsi) onBoard(draft.partnerMmsi);
    return [...ids].sort();
  }

  private build(draft: VesselFlagDraft, consignmentIds: string[]): Flag {
    const aid = consignmentIds.length > 0 ? `; aid on board: ${consignmentIds.join(', ')}` : '';
    const severity =
      this.escalateWithAidOnBoard && consignmentIds.length > 0 ? escalate(draft.severity) : draft.severity;
    return toFlag(
      {
        rule: draft.rule,
        key: draft.key,
        severity,
        subject: { kind: 'vessel', id: draft.mmsi },
        consignmentIds,
        observed: { ...draft.observed, aidOnBoard: consignmentIds.length > 0 },
        threshold: draft.threshold,
        evidence: evidenceOf(draft),
        explanation: `${draft.explanation}${aid}.`,
        raisedAt: isoTime(draft.atMs),
      },
      true,
    );
  }
}

const evidenceOf = (draft: VesselFlagDraft): string[] => [
  ...new Set(draft.evidence.filter((id) => id !== '')),
];

const sameIds = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && a.every((id, i) => id === b[i]);

const escalate = (s: Severity): Severity =>
  Severities[Math.min(Severities.indexOf(s) + 1, Severities.length - 1)];
