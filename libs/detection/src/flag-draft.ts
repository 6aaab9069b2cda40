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

export function toFlag(draft: FlagDraft): Flag {
  const { key, ...rest } = draft;
  return {
    ...rest,
    flagId: flagIdOf(draft.rule, draft.subject, key, draft.evidence),
    fingerprint: fingerprintOf(draft.rule, draft.subject, key),
    evidence: [...draft.evidence].sort(),
    consignmentIds: [...new Set(draft.consignmentIds)].sort(),
  };
}
