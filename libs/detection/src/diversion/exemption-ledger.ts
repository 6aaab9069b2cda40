import type { ConsignmentFacts, Fact } from './consignment-facts';
import { registrationOf, sorted, totals } from './consignment-facts';

/**
 * One consignment's draw on its exemption. The quantity counted is what was loaded once any load is known
 * (what actually left), otherwise what was registered (what is intended to leave).
 */
export interface LedgerLine {
  consignmentId: string;
  basis: 'loaded' | 'registered';
  quantities: Map<string, number>;
  /** Quantity per item drawn by consignments registered before this one. */
  before: Map<string, number>;
  evidence: Fact[];
  registeredAt: number;
}

/** The consignment's line in the ledger of `exemptionId`, if it is registered under it. */
export function ledgerLineOf(facts: ConsignmentFacts, exemptionId: string): LedgerLine | undefined {
  const registration = registrationOf(facts);
  if (!registration || registration.exemptionId !== exemptionId) return undefined;
  const loads = sorted(facts.loads);
  const basis = loads.length > 0 ? 'loaded' : 'registered';
  let registeredAt = Number.POSITIVE_INFINITY;
  // A corrected registration keeps the consignment's place in line.
  for (const r of facts.registrations.values()) registeredAt = Math.min(registeredAt, r.time);
  return {
    consignmentId: facts.consignmentId,
    basis,
    quantities: basis === 'loaded' ? totals(loads) : totals([registration]),
    before: new Map(),
    evidence: basis === 'loaded' ? loads : [registration],
    registeredAt,
  };
}

const inOrder = (a: LedgerLine, b: LedgerLine): number =>
  a.registeredAt - b.registeredAt ||
  (a.consignmentId < b.consignmentId ? -1 : a.consignmentId > b.consignmentId ? 1 : 0);

/**
 * Cumulative quantities per item across every consignment registered under one exemption, in registration
 * order. Kept up to date line by line: a change only recomputes the lines from its position on, so the
 * usual case (a new consignment registered last) costs O(1).
 */
export class ExemptionLedger {
  readonly rows: LedgerLine[] = [];
  private readonly lines = new Map<string, LedgerLine>();

  constructor(readonly exemptionId: string) {}

  line(consignmentId: string): LedgerLine | undefined {
    return this.lines.get(consignmentId);
  }

  /** Sets or (with undefined) removes a consignment's line; returns the first position whose figures changed. */
  put(consignmentId: string, line: LedgerLine | undefined): number {
    let from = this.rows.length;
    const current = this.lines.get(consignmentId);
    if (current) {
      from = this.positionOf(current);
      this.rows.splice(from, 1);
      this.lines.delete(consignmentId);
    }
    if (line) {
      const at = this.insertionPoint(line);
      this.rows.splice(at, 0, line);
      this.lines.set(consignmentId, line);
      from = Math.min(from, at);
    }
    this.recompute(from);
    return from;
  }

  /** Cumulative quantity per item over all lines. */
  totals(): Map<string, number> {
    const last = this.rows[this.rows.length - 1];
    return last ? after(last) : new Map();
  }

  private recompute(from: number): void {
    let running = from > 0 ? after(this.rows[from - 1]) : new Map<string, number>();
    for (let i = from; i < this.rows.length; i++) {
      this.rows[i].before = running;
      running = after(this.rows[i]);
    }
  }

  private positionOf(line: LedgerLine): number {
    const at = this.insertionPoint(line);
    return this.rows[at] === line ? at : this.rows.indexOf(line);
  }

  private insertionPoint(line: LedgerLine): number {
    let [lo, hi] = [0, this.rows.length];
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (inOrder(this.rows[mid], line) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

function after(line: LedgerLine): Map<string, number> {
  const sum = new Map(line.before);
  for (const [item, q] of line.quantities) sum.set(item, (sum.get(item) ?? 0) + q);
  return sum;
}
