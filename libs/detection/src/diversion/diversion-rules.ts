import type { RuleId } from '@aidwatch/domain';
import type { FlagDraft } from '../flag-draft';
import { accessDenied } from './access-denied.rule';
import { brokenCustody } from './broken-custody.rule';
import type { DiversionContext, DiversionRule } from './diversion-context';
import { duplicateDocument } from './duplicate-document.rule';
import { itemNotExempt } from './item-not-exempt.rule';
import { monitorFinding } from './monitor-finding.rule';
import { outsideValidity } from './outside-validity.rule';
import { overAuthorisation } from './over-authorisation.rule';
import { quantityShrinkage } from './quantity-shrinkage.rule';
import { undeclaredLocation } from './undeclared-location.rule';
import { verificationOverdue } from './verification-overdue.rule';

/** The diversion rules; those marked `needsExemption` say nothing until the consignment's exemption is known. */
export const diversionRules: ReadonlyArray<{ id: RuleId; needsExemption: boolean; evaluate: DiversionRule }> =
  [
    { id: 'quantity-shrinkage', needsExemption: false, evaluate: quantityShrinkage },
    { id: 'verification-overdue', needsExemption: false, evaluate: verificationOverdue },
    { id: 'access-denied', needsExemption: false, evaluate: accessDenied },
    { id: 'undeclared-location', needsExemption: true, evaluate: undeclaredLocation },
    { id: 'item-not-exempt', needsExemption: true, evaluate: itemNotExempt },
    { id: 'over-authorisation', needsExemption: true, evaluate: overAuthorisation },
    { id: 'outside-validity', needsExemption: true, evaluate: outsideValidity },
    { id: 'duplicate-document', needsExemption: false, evaluate: duplicateDocument },
    { id: 'broken-custody', needsExemption: false, evaluate: brokenCustody },
    { id: 'monitor-finding', needsExemption: false, evaluate: monitorFinding },
  ];

export function evaluateDiversionRules(ctx: DiversionContext): FlagDraft[] {
  const drafts: FlagDraft[] = [];
  for (const rule of diversionRules) {
    if (rule.needsExemption && !ctx.exemption) continue;
    drafts.push(...rule.evaluate(ctx));
  }
  return drafts;
}
