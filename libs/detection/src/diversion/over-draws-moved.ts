import type { DiversionConfig } from './diversion-config';
import type { DiversionState } from './diversion-state';
import type { LedgerMove } from './exemption-ledger';
import { overDrawsOf } from './over-authorisation.rule';

/**
 * Consignments of an exemption whose over-authorisation verdict differs from their open flags after the
 * exemption's cumulative quantities moved by `moves` (or, when more than `many` lines lie near the
 * limit, all of those: judging them finds out). A verdict flips only where a line's cumulative
 * quantity crossed the item's limit, so only lines now within the amount moved of the limit are looked at
 * (`ExemptionLedger.cumulativeWithin`), wherever in the ledger the change was: O(√n + flips).
 * `flaggedItems(c)`: the item codes the consignment's open over-authorisation flags name, sorted.
 */
export function overDrawsMoved(
  state: DiversionState,
  config: DiversionConfig,
  exemptionId: string,
  moves: readonly LedgerMove[],
  flaggedItems: (consignmentId: string) => string[],
  many: number,
): string[] {
  const exemption = state.exemption(exemptionId);
  if (!exemption) return [];
  const ledger = state.ledger(exemptionId);
  const candidates = new Set<string>();
  for (const { itemCode, moved } of moves) {
    const item = exemption.items.get(itemCode);
    if (!item) continue;
    // The rule's own line (`overDrawsOf`), widened by a margin for the rounding of running sums.
    const limit = item.quantity * (1 + config.overAuthorisationTolerancePct / 100);
    const line = limit + 1e-9 * limit;
    const margin = 1e-6 * Math.max(1, line, moved);
    for (const c of ledger.cumulativeWithin(itemCode, line - moved - margin, line + moved + margin))
      candidates.add(c);
  }
  // Many lines near the limit (a large quantity moved): every one is judged, a slice at a time (`settle`),
  // rather than each compared with its flags here, in this event's time.
  if (candidates.size > many) return [...candidates];
  const moved: string[] = [];
  for (const c of candidates) {
    const now = overDrawsOf(ledger, exemption, c, config).map((d) => d.itemCode);
    const flagged = flaggedItems(c);
    if (now.join('|') !== flagged.join('|')) moved.push(c);
  }
  return moved;
}
