import type { ItemQuantity } from '@aidwatch/domain';
import type { FlagDraft } from '../flag-draft';
import { consignmentFlag, type DiversionContext } from './diversion-context';
import { formatQuantity, listOf } from './diversion-format';
import type { Fact } from './consignment-facts';

type Listing = Fact & { items: readonly ItemQuantity[] };

/** An item registered, loaded or delivered that the exemption does not list. Held until the exemption is known. */
export function itemNotExempt(ctx: DiversionContext): FlagDraft[] {
  const exemption = ctx.exemption;
  if (!exemption) return [];
  const sources: Array<[string, readonly Listing[]]> = [
    ['registration', ctx.registration ? [ctx.registration] : []],
    ['loading', ctx.list('loads')],
    ['delivery', ctx.list('deliveries')],
  ];
  const found = new Map<string, { facts: Listing[]; where: Set<string>; largest: number }>();
  for (const [where, facts] of sources) {
    for (const fact of facts) {
      for (const item of fact.items) {
        if (exemption.items.has(item.itemCode)) continue;
        const entry = found.get(item.itemCode) ?? { facts: [], where: new Set<string>(), largest: 0 };
        entry.facts.push(fact);
        entry.where.add(where);
        entry.largest = Math.max(entry.largest, item.quantity);
        found.set(item.itemCode, entry);
      }
    }
  }
  const drafts: FlagDraft[] = [];
  for (const [itemCode, entry] of [...found].sort(([a], [b]) => (a < b ? -1 : 1))) {
    drafts.push(
      consignmentFlag(ctx, {
        rule: 'item-not-exempt',
        key: `item:${itemCode}`,
        severity: ctx.config.itemNotExemptSeverity,
        observed: { itemCode, in: [...entry.where], largestQuantity: entry.largest },
        threshold: { exemptItems: [...exemption.items.keys()].sort() },
        evidence: entry.facts,
        explanation:
          `Item ${itemCode} (up to ${formatQuantity(ctx, itemCode, entry.largest)}) appears in the ` +
          `${listOf([...entry.where])} of consignment ${ctx.consignmentId} but is not exempted by ` +
          `${exemption.exemptionId} (${exemption.grant.committeeRef}), which covers ${listOf([...exemption.items.keys()].sort())}.`,
      }),
    );
  }
  return drafts;
}
