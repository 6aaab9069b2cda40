import type { FlagDraft } from '../flag-draft';
import { latenessMs } from './diversion-config';
import { consignmentFlag, type DiversionContext } from './diversion-context';
import { formatDateTime, listOf, siteLabel } from './diversion-format';
import type { Fact } from './consignment-facts';

const sameParty = (a: string, b: string): boolean => a.trim().toLowerCase() === b.trim().toLowerCase();

const earliest = <F extends Fact>(facts: readonly F[]): F | undefined => facts[0];

/**
 * Gaps in the chain of hands:
 * - a delivery with no discharge of the consignment on record (judged once the watermark is the allowed
 *   lateness past the delivery, since the discharge report may come later);
 * - a custody handover from a party other than the one the previous handover went to (the first handover's
 *   `from` is the party that took the goods at discharge, which no event names, so it is not checked);
 * - an impossible order by event time: discharged before loaded, handed over before discharged, delivered
 *   before loaded or before discharged.
 */
export function brokenCustody(ctx: DiversionContext): FlagDraft[] {
  const { config } = ctx;
  const severity = config.brokenCustodySeverity;
  const loads = ctx.list('loads');
  const discharges = ctx.list('discharges');
  const transfers = ctx.list('custody');
  const deliveries = ctx.list('deliveries');
  const drafts: FlagDraft[] = [];

  if (discharges.length === 0) {
    const judged = deliveries.filter((d) => ctx.reached(d.time + latenessMs(config)));
    if (judged.length > 0) {
      drafts.push(
        consignmentFlag(ctx, {
          rule: 'broken-custody',
          key: 'delivery-without-discharge',
          severity,
          observed: { deliveries: judged.map((d) => d.deliveryId), discharges: 0 },
          threshold: { allowedLatenessHours: config.allowedLatenessHours },
          evidence: judged,
          explanation:
            `${judged.length === 1 ? `Delivery ${judged[0].deliveryId} was` : `Deliveries ${listOf(judged.map((d) => d.deliveryId))} were`} ` +
            `recorded at ${listOf(judged.map((d) => siteLabel(ctx, d.siteId)))} but consignment ${ctx.consignmentId} ` +
            `has no recorded discharge.`,
        }),
      );
    }
  }

  for (let i = 1; i < transfers.length; i++) {
    const [previous, t] = [transfers[i - 1], transfers[i]];
    if (sameParty(previous.to, t.from)) continue;
    drafts.push(
      consignmentFlag(ctx, {
        rule: 'broken-custody',
        key: `handover:${t.eventId}`,
        severity,
        observed: { from: t.from, to: t.to, previousHolder: previous.to },
        threshold: { expectedFrom: previous.to },
        evidence: [previous, t],
        explanation:
          `Custody was handed over from ${t.from} to ${t.to} on ${formatDateTime(t.time)}, but the previous ` +
          `handover (${formatDateTime(previous.time)}) left the goods with ${previous.to}.`,
      }),
    );
  }

  const firstLoad = earliest(loads);
  const firstDischarge = earliest(discharges);
  const order = (fact: Fact, key: string, what: string, prior: Fact | undefined, priorWhat: string) => {
    if (!prior || fact.time >= prior.time) return;
    drafts.push(
      consignmentFlag(ctx, {
        rule: 'broken-custody',
        key: `order:${key}`,
        severity,
        observed: {
          at: new Date(fact.time).toISOString(),
          earliestPrior: new Date(prior.time).toISOString(),
          step: priorWhat,
        },
        threshold: { notBefore: new Date(prior.time).toISOString() },
        evidence: [fact, prior],
        explanation: `${what} on ${formatDateTime(fact.time)} is dated before the consignment was ${priorWhat} (${formatDateTime(prior.time)}).`,
      }),
    );
  };
  for (const d of discharges) order(d, `discharge:${d.eventId}`, 'Discharge', firstLoad, 'loaded');
  for (const t of transfers)
    order(t, `handover-before-discharge:${t.eventId}`, `Handover to ${t.to}`, firstDischarge, 'discharged');
  for (const d of deliveries) {
    const [prior, what] =
      firstLoad && d.time < firstLoad.time ? [firstLoad, 'loaded'] : [firstDischarge, 'discharged'];
    order(d, `delivery:${d.deliveryId}`, `Delivery ${d.deliveryId}`, prior, what);
  }
  return drafts;
}
