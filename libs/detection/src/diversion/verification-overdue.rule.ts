import type { FlagDraft } from '../flag-draft';
import { DAY_MS, latenessMs } from './diversion-config';
import { consignmentFlag, type DiversionContext } from './diversion-context';
import { formatDate, siteLabel } from './diversion-format';

/**
 * A delivery needs an end-use verification at its site, on or after the delivery, within
 * `verificationDueDays` (event time). Judged once the watermark is past the due time plus the allowed
 * lateness; a verification arriving afterwards, however late, clears the flag.
 */
export function verificationOverdue(ctx: DiversionContext): FlagDraft[] {
  const { config } = ctx;
  const dueMs = config.verificationDueDays * DAY_MS;
  const verifications = ctx.list('verifications');
  const drafts: FlagDraft[] = [];
  for (const d of ctx.list('deliveries')) {
    if (verifications.some((v) => v.siteId === d.siteId && v.time >= d.time)) continue;
    const due = d.time + dueMs;
    // Overdue means strictly later than the due time: +1 ms.
    if (!ctx.reached(due + latenessMs(config) + 1)) continue;
    drafts.push(
      consignmentFlag(ctx, {
        rule: 'verification-overdue',
        key: `delivery:${d.deliveryId}`,
        severity: config.verificationOverdueSeverity,
        observed: {
          deliveryId: d.deliveryId,
          siteId: d.siteId,
          deliveredAt: new Date(d.time).toISOString(),
          verified: false,
        },
        threshold: { verificationDueDays: config.verificationDueDays, dueAt: new Date(due).toISOString() },
        evidence: [d],
        explanation:
          `No end-use verification at ${siteLabel(ctx, d.siteId)} within ${config.verificationDueDays} days of ` +
          `delivery ${d.deliveryId} on ${formatDate(d.time)} (due by ${formatDate(due)}).`,
      }),
    );
  }
  return drafts;
}
