import type { CloudEvent } from './cloud-event';
import { EventTypes } from './event-types';

export type Severity = 'low' | 'medium' | 'high' | 'critical';
export const Severities: readonly Severity[] = ['low', 'medium', 'high', 'critical'];

/** The rule ids of the contract: the consignment (diversion) rules, then the maritime ones. */
export const DiversionRuleIds = [
  'quantity-shrinkage',
  'verification-overdue',
  'access-denied',
  'undeclared-location',
  'item-not-exempt',
  'over-authorisation',
  'outside-validity',
  'duplicate-document',
  'broken-custody',
  'monitor-finding',
] as const;
export const MaritimeRuleIds = [
  'ais-gap',
  'encounter',
  'loitering',
  'draught-change',
  'identity-change',
  'designated-vessel',
  'route-deviation',
] as const;
export const RuleIds = [...DiversionRuleIds, ...MaritimeRuleIds] as const;
export type RuleId = (typeof RuleIds)[number];

export interface FlagSubject {
  kind: 'consignment' | 'vessel';
  id: string;
}

/**
 * A risk flag as published in `aidwatch.flag.raised.v2` (docs/contract.md, "Flags"). It names no person:
 * `observed`, `threshold`, `evidence` and `explanation` never hold a monitor's id or a recipient's name (those
 * live, encrypted per data subject, in the events `evidence` cites).
 */
export interface Flag {
  flagId: string;
  /** Identifies the problem independent of its evidence: rule + subject + rule-specific key. */
  fingerprint: string;
  rule: RuleId;
  severity: Severity;
  subject: FlagSubject;
  consignmentIds: string[];
  observed: Record<string, unknown>;
  threshold: Record<string, unknown>;
  evidence: string[];
  explanation: string;
  raisedAt: string;
  /**
   * Absent the first time; k when the same flag (same id: the same evidence) is raised again after its k-th
   * clear — a quantity moved back across a limit (docs/contract.md "Flags", v1.11).
   */
  reopened?: number;
}

export interface FlagClearedData {
  flagId: string;
  fingerprint: string;
  rule: RuleId;
  subject: FlagSubject;
  consignmentIds: string[];
  reason: string;
  evidence: string[];
  clearedAt: string;
  /** The `reopened` of the raise this clear ends (absent for the first). */
  reopened?: number;
}

export type FlagRaised = CloudEvent<typeof EventTypes.FlagRaised, Flag>;
export type FlagCleared = CloudEvent<typeof EventTypes.FlagCleared, FlagClearedData>;

const severityRank: Record<Severity, number> = { low: 1, medium: 2, high: 3, critical: 4 };
export const compareSeverity = (a: Severity, b: Severity): number => severityRank[a] - severityRank[b];

export type RiskLevel = 'none' | Severity;
/** A subject's risk level is the highest severity among its open flags. */
export function riskLevelOf(openFlags: ReadonlyArray<Pick<Flag, 'severity'>>): RiskLevel {
  let level: RiskLevel = 'none';
  for (const f of openFlags)
    if (level === 'none' || compareSeverity(f.severity, level) > 0) level = f.severity;
  return level;
}
