import type { ConsignmentFacts, Fact } from './consignment-facts';
import { registrationOf, sorted, totals } from './consignment-facts';
import { ExactSum } from './exact-sum';

/**
 * One consignment's draw on its exemption. The quantity counted is what was loaded once any load is known
 * (what actually left), otherwise what was registered (what is intended to leave). Quantities are ≥ 0 (the
 * contract's range), so cumulative quantities only grow along the ledger.
 */
export interface LedgerLine {
  consignmentId: string;
  basis: 'loaded' | 'registered';
  quantities: Map<string, number>;
  evidence: Fact[];
  /** Epoch ms of its first registration (a correction keeps it): its place in line. */
  registeredAt: number;
}

/** The consignment's line in the ledger of `exemptionId`, if it is registered under it. */
export function ledgerLineOf(facts: ConsignmentFacts, exemptionId: string): LedgerLine | undefined {
  const registration = registrationOf(facts);
  if (!registration || registration.exemptionId !== exemptionId) return undefined;
  const loads = sorted(facts.loads);
  const basis = loads.length > 0 ? 'loaded' : 'registered';
  // A corrected registration keeps the consignment's first place in line (`RegistrationFact.firstTime`).
  const registeredAt = registration.firstTime ?? registration.time;
  return {
    consignmentId: facts.consignmentId,
    basis,
    quantities: basis === 'loaded' ? totals(loads) : totals([registration]),
    evidence: basis === 'loaded' ? loads : [registration],
    registeredAt,
  };
}

/** Registration order: first registration time, then consignment id. */
const inOrder = (a: LedgerLine, b: LedgerLine): number =>
  a.registeredAt - b.registeredAt ||
  (a.consignmentId < b.consignmentId ? -1 : a.consignmentId > b.consignmentId ? 1 : 0);

/**
 * How much one item's cumulative quantities moved with a change of the ledger: `moved` is the largest
 * amount any line's cumulative quantity of `itemCode` can have moved by (the sum of the quantities taken
 * out and put in), so a line whose verdict against a limit flipped has its cumulative quantity within
 * `moved` of that limit now.
 */
export interface LedgerMove {
  itemCode: string;
  moved: number;
}

/**
 * Cumulative quantities per item across every consignment registered under one exemption, in registration
 * order (the over-authorisation rule's ledger).
 *
 * Each item keeps the lines drawing on it in blocks with exact running totals, so a change costs about
 * √n whichever position it is at — a consignment registered with an event time before all others, a load
 * correcting an early consignment, or a restore in id order — instead of recomputing every later line
 * (quadratic over a programme registered in descending time order). Figures are exact sums correctly
 * rounded (`ExactSum`), so they do not depend on the order lines arrived in.
 */
export class ExemptionLedger {
  private readonly lines = new Map<string, LedgerLine>();
  private readonly items = new Map<string, ItemRun>();

  constructor(readonly exemptionId: string) {}

  get size(): number {
    return this.lines.size;
  }

  line(consignmentId: string): LedgerLine | undefined {
    return this.lines.get(consignmentId);
  }

  /**
   * Quantity of `itemCode` drawn by the consignments registered before `consignmentId` (0 when it has no
   * line). Costs O(√n) for n lines drawing on the item.
   */
  before(consignmentId: string, itemCode: string): number {
    const line = this.lines.get(consignmentId);
    const run = line && this.items.get(itemCode);
    return run ? run.before(line) : 0;
  }

  /**
   * Sets or (with undefined) removes a consignment's line; returns, per item, how far cumulative
   * quantities moved (nothing when the line is unchanged: same place in line, same quantities).
   */
  put(consignmentId: string, line: LedgerLine | undefined): LedgerMove[] {
    const current = this.lines.get(consignmentId);
    if (current && line && sameDraw(current, line)) {
      // Same figures: the line's basis and evidence are refreshed in place.
      for (const run of this.runsOf(current)) run.replace(current, line);
      this.lines.set(consignmentId, line);
      return [];
    }
    const moved = new Map<string, number>();
    if (current) {
      for (const [itemCode, q] of current.quantities) {
        if (!(q > 0)) continue;
        const run = this.items.get(itemCode) as ItemRun;
        run.remove(current);
        if (run.size === 0) this.items.delete(itemCode);
        moved.set(itemCode, (moved.get(itemCode) ?? 0) + q);
      }
      this.lines.delete(consignmentId);
    }
    if (line) {
      for (const [itemCode, q] of line.quantities) {
        if (!(q > 0)) continue;
        let run = this.items.get(itemCode);
        if (!run) this.items.set(itemCode, (run = new ItemRun()));
        run.insert(line, q);
        moved.set(itemCode, (moved.get(itemCode) ?? 0) + q);
      }
      this.lines.set(consignmentId, line);
    }
    return [...moved].map(([itemCode, m]) => ({ itemCode, moved: m }));
  }

  /**
   * Consignments drawing on `itemCode` whose cumulative quantity (their own included) lies in `(low, high]`,
   * in registration order. Cumulative quantities grow along the ledger, so these are one run of lines:
   * O(log n + k) once the block totals before the run are known (worked out lazily after a change).
   */
  cumulativeWithin(itemCode: string, low: number, high: number): string[] {
    return this.items.get(itemCode)?.within(low, high) ?? [];
  }

  private runsOf(line: LedgerLine): ItemRun[] {
    const runs: ItemRun[] = [];
    for (const [itemCode, q] of line.quantities) if (q > 0) runs.push(this.items.get(itemCode) as ItemRun);
    return runs;
  }
}

function sameDraw(a: LedgerLine, b: LedgerLine): boolean {
  if (a.registeredAt !== b.registeredAt) return false;
  const positive = (m: Map<string, number>) => [...m].filter(([, q]) => q > 0);
  const [pa, pb] = [positive(a.quantities), positive(b.quantities)];
  return pa.length === pb.length && pa.every(([item, q]) => b.quantities.get(item) === q);
}

const EMPTY = new ExactSum();

/** Lines of a block are split in two above this many. */
const BLOCK_MAX = 128;

interface Block {
  lines: LedgerLine[];
  quantities: number[];
  sum: ExactSum;
}

/** The lines drawing on one item, in registration order, in blocks with exact totals. */
class ItemRun {
  private readonly blocks: Block[] = [];
  /** `prefix[b]`: the exact total of the blocks before block b, valid for b < `prefixValid`. */
  private readonly prefix: ExactSum[] = [];
  private prefixValid = 0;
  size = 0;

  insert(line: LedgerLine, quantity: number): void {
    this.size++;
    if (this.blocks.length === 0) {
      this.blocks.push({ lines: [line], quantities: [quantity], sum: new ExactSum().add(quantity) });
      return;
    }
    const b = Math.min(this.blockAtOrAfter(line), this.blocks.length - 1);
    this.changedAt(b);
    const block = this.blocks[b];
    const at = indexIn(block.lines, line);
    block.lines.splice(at, 0, line);
    block.quantities.splice(at, 0, quantity);
    block.sum.add(quantity);
    if (block.lines.length > BLOCK_MAX) {
      const half = block.lines.length >> 1;
      const tail: Block = {
        lines: block.lines.splice(half),
        quantities: block.quantities.splice(half),
        sum: new ExactSum(),
      };
      block.sum = new ExactSum();
      for (const q of block.quantities) block.sum.add(q);
      for (const q of tail.quantities) tail.sum.add(q);
      this.blocks.splice(b + 1, 0, tail);
    }
  }

  remove(line: LedgerLine): void {
    const [b, at] = this.find(line);
    this.changedAt(b);
    const block = this.blocks[b];
    block.sum.add(-block.quantities[at]);
    block.lines.splice(at, 1);
    block.quantities.splice(at, 1);
    this.size--;
    if (block.lines.length === 0) this.blocks.splice(b, 1);
  }

  /** Puts `next` in the place of `line` (same registration order and quantity). */
  replace(line: LedgerLine, next: LedgerLine): void {
    const [b, at] = this.find(line);
    this.blocks[b].lines[at] = next;
  }

  /** Total quantity of the lines before `line` in registration order (`line` itself need not draw on it). */
  before(line: LedgerLine): number {
    const b = this.blockAtOrAfter(line);
    const sum = this.prefixAt(b).clone();
    if (b < this.blocks.length) {
      const block = this.blocks[b];
      const at = indexIn(block.lines, line);
      for (let i = 0; i < at; i++) sum.add(block.quantities[i]);
    }
    return sum.value();
  }

  /**
   * The lines whose cumulative quantity (exact, theirs included) lies in (`low`, `high`], in order: the first
   * block reaching past `low` found by binary search over the blocks' prefix totals (cumulative quantities
   * only grow along the run), then line by line.
   */
  within(low: number, high: number): string[] {
    const n = this.blocks.length;
    let [lo, hi] = [0, n];
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.prefixAt(mid + 1).value() > low) hi = mid;
      else lo = mid + 1;
    }
    const found: string[] = [];
    if (lo === n) return found;
    const running = this.prefixAt(lo).clone();
    for (let b = lo; b < n; b++) {
      const block = this.blocks[b];
      for (let i = 0; i < block.lines.length; i++) {
        const cumulative = running.add(block.quantities[i]).value();
        if (cumulative > high) return found;
        if (cumulative > low) found.push(block.lines[i].consignmentId);
      }
    }
    return found;
  }

  /** Block `b` changed (or blocks from it on moved): the totals of the blocks before later ones are stale. */
  private changedAt(b: number): void {
    this.prefixValid = Math.min(this.prefixValid, b + 1);
  }

  /** The exact total of the blocks before block `b` (0 ≤ b ≤ blocks.length), worked out up to `b` if stale. */
  private prefixAt(b: number): ExactSum {
    for (let i = this.prefixValid; i <= b; i++) {
      const sum = (this.prefix[i] ??= new ExactSum());
      if (i === 0) sum.assign(EMPTY);
      else sum.assign(this.prefix[i - 1]).addSum(this.blocks[i - 1].sum);
    }
    this.prefixValid = Math.max(this.prefixValid, b + 1);
    return this.prefix[b];
  }

  private find(line: LedgerLine): [number, number] {
    const b = this.blockAtOrAfter(line);
    const at = b < this.blocks.length ? indexIn(this.blocks[b].lines, line) : 0;
    if (this.blocks[b]?.lines[at]?.consignmentId !== line.consignmentId)
      throw new Error(`ledger line ${line.consignmentId} is not in its item run`);
    return [b, at];
  }

  /** The first block whose last line is not before `line` (blocks.length when none). */
  private blockAtOrAfter(line: LedgerLine): number {
    let [lo, hi] = [0, this.blocks.length];
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const block = this.blocks[mid].lines;
      if (inOrder(block[block.length - 1], line) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

function indexIn(lines: LedgerLine[], line: LedgerLine): number {
  let [lo, hi] = [0, lines.length];
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (inOrder(lines[mid], line) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
