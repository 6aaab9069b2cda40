import { createHash } from 'node:crypto';
import type { FlagSubject, RuleId } from '@aidwatch/domain';

const digest = (text: string): string => createHash('sha256').update(text).digest('hex').slice(0, 32);

/** Identifies a problem regardless of how much evidence has accumulated (an alert's fingerprint). */
export function fingerprintOf(rule: RuleId, subject: FlagSubject, key: string): string {
  return digest(`${rule}|${subject.kind}:${subject.id}|${key}`);
}

/**
 * Same rule, subject, key and evidence always give the same flag id (order of evidence does not matter).
 * `aid`, when given and not empty, is part of the id too: a vessel flag that comes to name the consignments
 * on board (their paperwork arrived after it) is another flag than the one without them, and the same one a
 * timely report would have raised. Without aid the id is as it always was.
 */
export function flagIdOf(
  rule: RuleId,
  subject: FlagSubject,
  key: string,
  evidence: readonly string[],
  aid: readonly string[] = [],
): string {
  const base = `${fingerprintOf(rule, subject, key)}|${[...evidence].sort().join(',')}`;
  return digest(aid.length === 0 ? base : `${base}|aid:${[...aid].sort().join(',')}`);
}
