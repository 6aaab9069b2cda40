import type { ItemQuantity } from '@aidwatch/domain';
import type { FlagDraft } from '../flag-draft';
import { consignmentFlag, type DiversionContext } from './diversion-context';
import { formatQuantity, listOf } from './diversion-format';
import type { Fact } from './consignment-facts';

type Listing = Fact & { items: readonly ItemQuantity[] };

/**
 * An item registered, loaded or delivered that the exemption does not list, one flag per item code for the first
 * `itemNotExemptFlagsPerConsignment` codes (in code order), one flag (key `items:more`) for all the others
 * together. Held until the exemption is known; the detector then holds a finding until the consignment's clock
 * has passed its newest evidence (docs/time-model.md 9), so a delivery that came before its registration is
 * flagged with the loading between them, as event-time order flags it.
 */
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
  const sorted = [...found].sort(([a], [b]) => (a < b ? -1 : 1));
  const each = Math.max(0, ctx.config.itemNotExemptFlagsPerConsignment);
  const rest = sorted.slice(each);
  for (const [itemCode, entry] of sorted.slice(0, each)) {
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
  if (rest.length > 0) {
    const codes = rest.map(([itemCode]) => itemCode);
    const where = [...new Set(rest.flatMap(([, entry]) => [...entry.where]))].sort();
    const facts = [...new Set(rest.flatMap(([, entry]) => entry.facts))];
    const shown = codes.slice(0, 10);
    drafts.push(
      consignmentFlag(ctx, {
        rule: 'item-not-exempt',
        key: 'items:more',
        severity: ctx.config.itemNotExemptSeverity,
        observed: { itemCodes: codes, in: where },
        threshold: { exemptItems: [...exemption.items.keys()].sort(), flaggedOneByOne: each },
        evidence: facts,
        explanation:
          `${codes.length} more items (${shown.join(', ')}${codes.length > shown.length ? ', …' : ''}) appear in ` +
          `the ${listOf(where)} of consignment ${ctx.consignmentId} but are not exempted by ` +
          `${exemption.exemptionId} (${exemption.grant.committeeRef}).`,
      }),
    );
  }
  return drafts;
}
