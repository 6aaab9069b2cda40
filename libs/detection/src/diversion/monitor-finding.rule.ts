import type { VerificationFinding } from '@aidwatch/domain';
import type { FlagDraft } from '../flag-draft';
import { consignmentFlag, type DiversionContext } from './diversion-context';
import { formatDate, siteLabel } from './diversion-format';

const findingText: Record<Exclude<VerificationFinding, 'consistent'>, string> = {
  discrepancy: 'a discrepancy',
  not_found: 'the goods not found',
  diversion_suspected: 'suspected diversion',
};

/**
 * A verification whose finding is not `consistent`. A corrected report (same verification id, recorded
 * later) replaces the earlier one, so a correction to `consistent` clears the flag. The flag names no
 * monitor (contract 1.2): the report is cited by its event id in `evidence` and by its verification id.
 */
export function monitorFinding(ctx: DiversionContext): FlagDraft[] {
  const drafts: FlagDraft[] = [];
  for (const v of ctx.list('verifications')) {
    if (v.finding === 'consistent') continue;
    drafts.push(
      consignmentFlag(ctx, {
        rule: 'monitor-finding',
        key: `verification:${v.verificationId}`,
        severity: ctx.config.monitorFindingSeverity[v.finding],
        observed: {
          verificationId: v.verificationId,
          finding: v.finding,
          siteId: v.siteId,
        },
        threshold: { expectedFinding: 'consistent' },
        evidence: [v],
        explanation:
          `A monitor reported ${findingText[v.finding]} at ${siteLabel(ctx, v.siteId)} ` +
          `on ${formatDate(v.time)} (verification ${v.verificationId}).`,
      }),
    );
  }
  return drafts;
}
