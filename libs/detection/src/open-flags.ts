import type { Flag, FlagClearedData } from '@aidwatch/domain';
import type { FlagDraft } from './flag-draft';
import { toFlag } from './flag-draft';

export interface FlagChanges {
  raised: Flag[];
  cleared: FlagClearedData[];
}

export const noChanges = (): FlagChanges => ({ raised: [], cleared: [] });

/**
 * The open flags of one evaluation scope (e.g. one consignment, or one rule on one vessel).
 * `reconcile` compares what the rules say now with what is open and returns the raise/clear changes:
 * a new problem is raised, a problem whose evidence changed is cleared and raised anew (its id follows
 * its evidence), and a problem no rule reports any more is cleared.
 */
export class OpenFlags {
  private readonly open = new Map<string, Flag>();

  constructor(initial: Iterable<Flag> = []) {
    for (const f of initial) this.open.set(f.fingerprint, f);
  }

  values(): Flag[] {
    return [...this.open.values()];
  }

  /** `keep`: fingerprints of open flags to leave as they are (their problem is still being judged). */
  reconcile(
    drafts: readonly FlagDraft[],
    at: string,
    clearReason = 'condition no longer holds',
    keep: ReadonlySet<string> = new Set(),
  ): FlagChanges {
    const changes = noChanges();
    const seen = new Set<string>(keep);
    for (const draft of drafts) {
      const flag = toFlag(draft);
      if (seen.has(flag.fingerprint)) continue;
      seen.add(flag.fingerprint);
      const current = this.open.get(flag.fingerprint);
      if (current?.flagId === flag.flagId) continue;
      if (current) changes.cleared.push(clearedOf(current, at, 'superseded by new evidence'));
      this.open.set(flag.fingerprint, flag);
      changes.raised.push(flag);
    }
    for (const [fingerprint, flag] of this.open) {
      if (seen.has(fingerprint)) continue;
      this.open.delete(fingerprint);
      changes.cleared.push(clearedOf(flag, at, clearReason));
    }
    return changes;
  }

  /** Adds flags without clearing others (for rules whose flags, once raised, stand: e.g. one-off events). */
  raise(drafts: readonly FlagDraft[]): FlagChanges {
    const changes = noChanges();
    for (const draft of drafts) {
      const flag = toFlag(draft);
      const current = this.open.get(flag.fingerprint);
      if (current?.flagId === flag.flagId) continue;
      this.open.set(flag.fingerprint, flag);
      changes.raised.push(flag);
    }
    return changes;
  }
}

export function clearedOf(flag: Flag, at: string, reason: string): FlagClearedData {
  return {
    flagId: flag.flagId,
    fingerprint: flag.fingerprint,
    rule: flag.rule,
    subject: flag.subject,
    consignmentIds: flag.consignmentIds,
    reason,
    evidence: flag.evidence,
    clearedAt: at,
  };
}
