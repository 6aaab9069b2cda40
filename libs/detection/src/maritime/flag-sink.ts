import type { Flag, RuleId, Severity } from '@aidwatch/domain';
import { Severities } from '@aidwatch/domain';
import { toFlag } from '../flag-draft';
import type { FlagChanges } from '../open-flags';
import { clearedOf, noChanges } from '../open-flags';
import { isoTime } from './explain';

/** Which consignments are on board a vessel at a time (from the consignment projections). */
export interface ConsignmentLinker {
  consignmentsOnBoard(mmsi: string, at: number): string[];
}

export interface VesselFlagDraft {
  rule: RuleId;
  key: string;
  severity: Severity;
  mmsi: string;
  /** The other vessel of an encounter: its consignments are affected too. */
  partnerMmsi?: string;
  /** Extra consignments known to be affected (e.g. the one a registration names). */
  consignmentIds?: string[];
  /** Start of the episode; consignments on board then count as well as those on board at `atMs`. */
  fromMs?: number;
  atMs: number;
  observed: Record<string, unknown>;
  threshold: Record<string, unknown>;
  evidence: string[];
  /** One sentence without its final full stop (the sink appends the aid on board). */
  explanation: string;
}

/**
 * Turns vessel drafts into flags: fills the consignments on board (of both vessels of an encounter),
 * raises the severity a level when aid is on board, and collects the raise/clear changes of one call.
 */
export class FlagSink {
  private changes: FlagChanges = noChanges();

  constructor(
    private readonly linker: ConsignmentLinker,
    private readonly escalateWithAidOnBoard: boolean,
  ) {}

  raise(draft: VesselFlagDraft): Flag {
    const flag = this.build(draft);
    this.changes.raised.push(flag);
    return flag;
  }

  /** Replaces an episode's flag by one with the episode's current figures (same fingerprint, new id). */
  supersede(previous: Flag | null, draft: VesselFlagDraft): Flag {
    const flag = this.build(draft);
    if (previous?.flagId === flag.flagId) return previous;
    if (previous) this.changes.cleared.push(clearedOf(previous, flag.raisedAt, 'superseded by new evidence'));
    this.changes.raised.push(flag);
    return flag;
  }

  clear(flag: Flag, atMs: number, reason: string): void {
    this.changes.cleared.push(clearedOf(flag, isoTime(atMs), reason));
  }

  /** The changes collected since the last call. */
  take(): FlagChanges {
    const { changes } = this;
    if (changes.raised.length === 0 && changes.cleared.length === 0) return noChanges();
    this.changes = noChanges();
    return changes;
  }

  private build(draft: VesselFlagDraft): Flag {
    const ids = new Set(draft.consignmentIds ?? []);
    const onBoard = (mmsi: string): void => {
      for (const id of this.linker.consignmentsOnBoard(mmsi, draft.atMs)) ids.add(id);
      if (draft.fromMs !== undefined && draft.fromMs !== draft.atMs) {
        for (const id of this.linker.consignmentsOnBoard(mmsi, draft.fromMs)) ids.add(id);
      }
    };
    onBoard(draft.mmsi);
    if (draft.partnerMmsi) onBoard(draft.partnerMmsi);
    const consignmentIds = [...ids].sort();
    const aid = consignmentIds.length > 0 ? `; aid on board: ${consignmentIds.join(', ')}` : '';
    const severity =
      this.escalateWithAidOnBoard && consignmentIds.length > 0 ? escalate(draft.severity) : draft.severity;
    return toFlag({
      rule: draft.rule,
      key: draft.key,
      severity,
      subject: { kind: 'vessel', id: draft.mmsi },
      consignmentIds,
      observed: { ...draft.observed, aidOnBoard: consignmentIds.length > 0 },
      threshold: draft.threshold,
      evidence: [...new Set(draft.evidence.filter((id) => id !== ''))],
      explanation: `${draft.explanation}${aid}.`,
      raisedAt: isoTime(draft.atMs),
    });
  }
}

const escalate = (s: Severity): Severity =>
  Severities[Math.min(Severities.indexOf(s) + 1, Severities.length - 1)];
