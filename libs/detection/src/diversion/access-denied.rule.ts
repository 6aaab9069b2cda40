import type { FlagDraft } from '../flag-draft';
import { consignmentFlag, type DiversionContext } from './diversion-context';
import { formatDate, listOf, siteLabel } from './diversion-format';
import type { AccessDeniedFact } from './consignment-facts';

/**
 * Denied monitoring visits per site: the denials since the site's latest verification (by event time) form
 * the current run. Any run is `high`; a run of `accessDeniedEscalationCount` or more is `critical` (WFP's
 * "no access, no food" rule). A verification at the site after the run ends it, and the flag clears.
 * The flag names no monitor (contract 1.2): it cites the denials by event id in `evidence` and counts the
 * distinct monitors in `observed.monitors`.
 */
export function accessDenied(ctx: DiversionContext): FlagDraft[] {
  const { config } = ctx;
  const lastVisit = new Map<string, number>();
  for (const v of ctx.facts.verifications.values())
    lastVisit.set(v.siteId, Math.max(lastVisit.get(v.siteId) ?? Number.NEGATIVE_INFINITY, v.time));
  const runs = new Map<string, AccessDeniedFact[]>();
  for (const d of ctx.list('accessDenials')) {
    if (d.time <= (lastVisit.get(d.siteId) ?? Number.NEGATIVE_INFINITY)) continue;
    const run = runs.get(d.siteId) ?? [];
    run.push(d);
    runs.set(d.siteId, run);
  }
  const drafts: FlagDraft[] = [];
  for (const [siteId, run] of [...runs].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const escalated = run.length >= config.accessDeniedEscalationCount;
    const latest = run[run.length - 1];
    const site = siteLabel(ctx, siteId);
    const explanation =
      run.length === 1
        ? `A monitor was denied access to ${site} on ${formatDate(latest.time)}: ${latest.reason}` +
          `; ${config.accessDeniedEscalationCount} denials in a row escalate.`
        : `${run.length} monitoring visits in a row to ${site} were denied ` +
          `(${listOf(run.map((d) => formatDate(d.time)))}) with no verification there between` +
          (escalated
            ? `, reaching the escalation count of ${config.accessDeniedEscalationCount}`
            : `; ${config.accessDeniedEscalationCount} in a row escalate`) +
          `. Latest reason: ${latest.reason}.`;
    drafts.push(
      consignmentFlag(ctx, {
        rule: 'access-denied',
        key: `site:${siteId}`,
        severity: escalated ? config.accessDeniedEscalatedSeverity : config.accessDeniedSeverity,
        observed: {
          siteId,
          consecutiveDenials: run.length,
          monitors: new Set(run.map((d) => d.monitorId)).size,
          reasons: run.map((d) => d.reason),
        },
        threshold: { escalationCount: config.accessDeniedEscalationCount },
        evidence: run,
        explanation,
      }),
    );
  }
  return drafts;
}
