import type { Flag, FlagClearedData } from '@aidwatch/domain';
import type { FlagDraft } from './flag-draft';
import { toFlag } from './flag-draft';
import { ClearedFlagIds } from './cleared-flag-ids';

export interface FlagChanges {
  raised: Flag[];
  cleared: FlagClearedData[];
}

export const noChanges = (): FlagChanges => ({ raised: [], cleared: [] });

/** Appends the raises and clears of `from` to those of `into`, in order. */
export function mergeChanges(into: FlagChanges, from: FlagChanges): void {
  into.raised.push(...from.raised);
  into.cleared.push(...from.cleared);
}

/**
 * The open flags of one evaluation scope (e.g. one consignment, or one rule on one vessel).
 * `reconcile` compares what the rules say now with what is open and returns the raise/clear changes:
 * a new problem is raised, a problem whose evidence changed is cleared and raised anew (its id follows
 * its evidence), and a problem no rule reports any more is cleared.
 */
export class OpenFlags {
  private readonly open = new Map<string, Flag>();
  /** The flag ids no longer open, with how many times each was cleared (see `ClearedFlagIds`). */
  private readonly timesCleared: ClearedFlagIds;

  constructor(initial: Iterable<Flag> = [], timesCleared: ReadonlyArray<[string, number]> = []) {
    for (const f of initial) this.open.set(f.fingerprint, f);
    this.timesCleared = new ClearedFlagIds(timesCleared);
  }

  values(): Flag[] {
    return [...this.open.values()];
  }

  /** `timesCleared` as JSON (for a checkpoint), oldest first; undefined when empty. */
  clearedCounts(): Array<[string, number]> | undefined {
    return this.timesCleared.toJson();
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
      if (current) changes.cleared.push(this.cleared(current, at, 'superseded by new evidence'));
      changes.raised.push(this.opened(flag));
    }
    for (const [fingerprint, flag] of this.open) {
      if (seen.has(fingerprint)) continue;
      this.open.delete(fingerprint);
      changes.cleared.push(this.cleared(flag, at, clearReason));
    }
    return changes;
  }

  /** Opens `flag`, marked `reopened` when its id was cleared before. */
  private opened(flag: Flag): Flag {
    const times = this.timesCleared.take(flag.flagId);
    const open = times === undefined ? flag : { ...flag, reopened: times };
    this.open.set(open.fingerprint, open);
    return open;
  }

  private cleared(flag: Flag, at: string, reason: string): FlagClearedData {
    this.timesCleared.note(flag.flagId, flag.reopened);
    return clearedOf(flag, at, reason);
  }

  /** Adds flags without clearing others (for rules whose flags, once raised, stand: e.g. one-off events). */
  raise(drafts: readonly FlagDraft[]): FlagChanges {
    const changes = noChanges();
    for (const draft of drafts) {
      const flag = toFlag(draft);
      const current = this.open.get(flag.fingerprint);
      if (current?.flagId === flag.flagId) continue;
      changes.raised.push(this.opened(flag));
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
    ...(flag.reopened !== undefined && { reopened: flag.reopened }),
  };
}
