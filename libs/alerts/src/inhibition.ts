import { allMatch, type Matcher } from './matcher';
import type { AlertLabels, LabelName } from './alert-labels';

/**
 * An active (firing or acknowledged) alert matching `source` mutes the notifications of alerts matching
 * `target` that share every label in `equal` (Alertmanager's `inhibit_rules`).
 */
export interface InhibitionRule {
  name: string;
  source: Matcher[];
  target: Matcher[];
  equal: LabelName[];
}

/**
 * A monitor turned away at a site cannot verify there: the verification is overdue because access was
 * denied, so `verification-overdue` at that site is muted while `access-denied` there is open
 * (DESIGN.md §7; WFP's "no access, no food" practice makes the denial the actionable alert).
 */
export const DefaultInhibitionRules: readonly InhibitionRule[] = [
  {
    name: 'access-denied-inhibits-verification-overdue',
    source: [{ name: 'rule', value: 'access-denied' }],
    target: [{ name: 'rule', value: 'verification-overdue' }],
    equal: ['siteId'],
  },
];

export interface InhibitionCandidate {
  alertId: string;
  labels: AlertLabels;
}

/**
 * Ids of the active alerts that inhibit an alert with these labels (never the alert itself). Inhibition
 * stays inside an organisation: the source alert must share an implementing organisation and an
 * exemption with the alert it inhibits, whatever the rule's `equal` says, so another organisation's
 * report (an access denial at a site id of someone else's exemption) never mutes an alert.
 */
export function inhibitorsOf(
  alertId: string,
  labels: AlertLabels,
  active: Iterable<InhibitionCandidate>,
  rules: readonly InhibitionRule[] = DefaultInhibitionRules,
): string[] {
  const by: string[] = [];
  const applicable = rules.filter((r) => allMatch(r.target, labels));
  if (applicable.length === 0) return by;
  for (const source of active) {
    if (source.alertId === alertId) continue;
    const inhibits = applicable.some(
      (r) =>
        shares(labels.organisation, source.labels.organisation) &&
        shares(labels.exemptionId, source.labels.exemptionId) &&
        allMatch(r.source, source.labels) &&
        r.equal.every(
          (name) => labels[name].length > 0 && labels[name].some((v) => source.labels[name].includes(v)),
        ),
    );
    if (inhibits) by.push(source.alertId);
  }
  return by;
}

const shares = (a: readonly string[], b: readonly string[]): boolean => a.some((v) => b.includes(v));
