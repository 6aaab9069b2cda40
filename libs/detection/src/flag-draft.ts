import type { Flag, FlagSubject, RuleId, Severity } from '@aidwatch/domain';
import { fingerprintOf, flagIdOf } from './flag-identity';

/** What a rule returns: a flag before identity is derived. `key` distinguishes problems of one rule on one subject. */
export interface FlagDraft {
  rule: RuleId;
  key: string;
  severity: Severity;
  subject: FlagSubject;
  consignmentIds: string[];
  observed: Record<string, unknown>;
  threshold: Record<string, unknown>;
  evidence: string[];
  explanation: string;
  /** Event time of the newest evidence (never the wall clock). */
  raisedAt: string;
}

/**
 * The flag of a draft: fingerprint from rule, subject and key; id from those and the evidence, and from the
 * consignments named when `aidInId` (vessel flags, whose aid on board may be learnt after them).
 */
export function toFlag(draft: FlagDraft, aidInId = false): Flag {
  const { key, ...rest } = draft;
  const consignmentIds = [...new Set(draft.consignmentIds)].sort();
  return {
    ...rest,
    flagId: flagIdOf(draft.rule, draft.subject, key, draft.evidence, aidInId ? consignmentIds : []),
    fingerprint: fingerprintOf(draft.rule, draft.subject, key),
    evidence: [...draft.evidence].sort(),
    consignmentIds,
  };
}
