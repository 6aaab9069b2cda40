import type { FlagDraft } from '../flag-draft';
import type { DiversionConfig } from './diversion-config';
import { consignmentFlag, type DiversionContext } from './diversion-context';
import { formatPct, formatQuantity } from './diversion-format';
import type { Exemption } from './exemption-facts';
import type { ExemptionLedger } from './exemption-ledger';

export interface OverDraw {
  itemCode: string;
  authorised: number;
  before: number;
  quantity: number;
}

/**
 * The exempted items whose cumulative quantity, counting consignments in registration order, goes above the
 * authorised quantity with this consignment: the one that crosses the line and every later one drawing on
 * the item. Cheap (numbers only), so the detector can ask it for every consignment of an exemption.
 */
export function overDrawsOf(
  ledger: ExemptionLedger,
  exemption: Exemption,
  consignmentId: string,
  config: DiversionConfig,
): OverDraw[] {
  const line = ledger.line(consignmentId);
  if (!line) return [];
  const draws: OverDraw[] = [];
  for (const [itemCode, quantity] of line.quantities) {
    const authorisedItem = exemption.items.get(itemCode);
    if (!authorisedItem || quantity <= 0) continue;
    const before = ledger.before(consignmentId, itemCode);
    const limit = authorisedItem.quantity * (1 + config.overAuthorisationTolerancePct / 100);
    if (before + quantity > limit + 1e-9 * limit)
      draws.push({ itemCode, authorised: authorisedItem.quantity, before, quantity });
  }
  return draws.sort((a, b) => (a.itemCode < b.itemCode ? -1 : 1));
}

/**
 * Cumulative quantity per item across all consignments of the exemption above what it authorises. Counts
 * loaded quantities once a consignment has loaded, registered ones before. Held until the exemption is known.
 */
export function overAuthorisation(ctx: DiversionContext): FlagDraft[] {
  const exemption = ctx.exemption;
  const ledger = ctx.ledger();
  if (!exemption || !ledger) return [];
  const line = ledger.line(ctx.consignmentId);
  if (!line) return [];
  const { config } = ctx;
  return overDrawsOf(ledger, exemption, ctx.consignmentId, config).map(
    ({ itemCode, authorised, before, quantity }) => {
      const total = before + quantity;
      const q = (n: number) => formatQuantity(ctx, itemCode, n);
      const tolerance =
        config.overAuthorisationTolerancePct > 0
          ? ` (+${formatPct(config.overAuthorisationTolerancePct)})`
          : '';
      return consignmentFlag(ctx, {
        rule: 'over-authorisation',
        key: `item:${itemCode}`,
        severity: config.overAuthorisationSeverity,
        observed: { itemCode, basis: line.basis, quantity, earlierConsignments: before, cumulative: total },
        threshold: { authorised, tolerancePct: config.overAuthorisationTolerancePct },
        evidence: [exemption.grant, ...line.evidence],
        explanation:
          `Consignment ${ctx.consignmentId} (${q(quantity)} of ${itemCode} ${line.basis}) brings exemption ` +
          `${exemption.exemptionId} to ${q(total)} of ${itemCode}` +
          (before > 0 ? ` with ${q(before)} on consignments registered earlier` : '') +
          `, above the authorised ${q(authorised)}${tolerance}.`,
      });
    },
  );
}
