import type { FlagDraft } from '../flag-draft';
import { consignmentFlag, toIso, type DiversionContext } from './diversion-context';
import { formatDate, formatDateTime, siteLabel } from './diversion-format';
import type { Fact } from './consignment-facts';

/**
 * A load or a delivery outside the exemption's validity window [validFrom, validUntil] (bounds included),
 * or at or after its revocation. Held until the exemption is known; a revocation re-judges its consignments.
 */
export function outsideValidity(ctx: DiversionContext): FlagDraft[] {
  const exemption = ctx.exemption;
  if (!exemption) return [];
  const { grant, revocation } = exemption;
  const { config } = ctx;
  const drafts: FlagDraft[] = [];
  const judge = (fact: Fact, key: string, what: () => string) => {
    const revoked = revocation !== undefined && fact.time >= revocation.time;
    const early = fact.time < grant.validFrom;
    const late = fact.time > grant.validUntil;
    if (!revoked && !early && !late) return;
    const when = formatDateTime(fact.time);
    const explanation = revoked
      ? `${what()} on ${when} came after exemption ${exemption.exemptionId} was revoked on ` +
        `${formatDateTime(revocation.time)} (${revocation.reason}).`
      : `${what()} on ${when} is ${early ? 'before' : 'after'} the validity of exemption ${exemption.exemptionId} (${formatDate(grant.validFrom)} to ${formatDate(grant.validUntil)}).`;
    drafts.push(
      consignmentFlag(ctx, {
        rule: 'outside-validity',
        key,
        severity: revoked ? config.afterRevocationSeverity : config.outsideValiditySeverity,
        observed: { at: toIso(fact.time), revoked, beforeValidity: early, afterValidity: late },
        threshold: {
          validFrom: toIso(grant.validFrom),
          validUntil: toIso(grant.validUntil),
          revokedAt: revocation ? toIso(revocation.time) : null,
        },
        evidence: revoked ? [fact, grant, revocation] : [fact, grant],
        explanation,
      }),
    );
  };
  for (const l of ctx.list('loads'))
    judge(l, `load:${l.eventId}`, () => `Loading of consignment ${ctx.consignmentId}`);
  for (const d of ctx.list('deliveries'))
    judge(d, `delivery:${d.deliveryId}`, () => `Delivery ${d.deliveryId} to ${siteLabel(ctx, d.siteId)}`);
  return drafts;
}
