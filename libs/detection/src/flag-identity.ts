import { createHash } from 'node:crypto';
import type { FlagSubject, RuleId } from '@aidwatch/domain';

const digest = (text: string): string => createHash('sha256').update(text).digest('hex').slice(0, 32);

/** Identifies a problem regardless of how much evidence has accumulated (an alert's fingerprint). */
export function fingerprintOf(rule: RuleId, subject: FlagSubject, key: string): string {
  return digest(`${rule}|${subject.kind}:${subject.id}|${key}`);
}

/** Same rule, subject, key and evidence always give the same flag id (order of evidence does not matter). */
export function flagIdOf(
  rule: RuleId,
  subject: FlagSubject,
  key: string,
  evidence: readonly string[],
): string {
  return digest(`${fingerprintOf(rule, subject, key)}|${[...evidence].sort().join(',')}`);
}
