/**
 * A sum of floating-point numbers kept exactly, as a non-overlapping expansion of partial sums (Shewchuk,
 * "Adaptive Precision Floating-Point Arithmetic and Fast Robust Geometric Predicates", 1997; the algorithm
 * of Python's `math.fsum`). `value()` is the exact sum correctly rounded, so it depends only on which
 * numbers were added (and subtracted), never on their order or grouping: a ledger summed by blocks gives
 * the same figures whatever order its lines arrived in.
 *
 * Inputs are finite (quantities are at most 1e12); no overflow handling.
 */
export class ExactSum {
  private partials: number[] = [];

  add(x: number): this {
    const partials = this.partials;
    let i = 0;
    for (let p of partials) {
      if (Math.abs(x) < Math.abs(p)) [x, p] = [p, x];
      const hi = x + p;
      const lo = p - (hi - x);
      if (lo !== 0) partials[i++] = lo;
      x = hi;
    }
    if (x !== 0) partials[i++] = x;
    // Truncating costs more than a compare: usually the expansion keeps its length (one partial).
    if (i < partials.length) partials.length = i;
    return this;
  }

  /** A copy, to add to without changing this one. */
  clone(): ExactSum {
    const copy = new ExactSum();
    copy.partials = [...this.partials];
    return copy;
  }

  /** Becomes a copy of `other` (reusing its own storage). */
  assign(other: ExactSum): this {
    const partials = this.partials;
    const from = other.partials;
    for (let i = 0; i < from.length; i++) partials[i] = from[i];
    if (partials.length > from.length) partials.length = from.length;
    return this;
  }

  /** Adds every partial of `other` (exactly). */
  addSum(other: ExactSum): this {
    for (const p of other.partials) this.add(p);
    return this;
  }

  /** The exact sum, correctly rounded to the nearest double (ties as in `math.fsum`). */
  value(): number {
    const p = this.partials;
    let n = p.length;
    if (n === 0) return 0;
    let hi = p[--n];
    let lo = 0;
    while (n > 0) {
      const x = hi;
      const y = p[--n];
      hi = x + y;
      const yr = hi - x;
      lo = y - yr;
      if (lo !== 0) break;
    }
    // Round half-even correctly when the rest of the expansion points the same way as the rounding error.
    if (n > 0 && ((lo < 0 && p[n - 1] < 0) || (lo > 0 && p[n - 1] > 0))) {
      const y = lo * 2;
      const x = hi + y;
      if (y === x - hi) hi = x;
    }
    return hi;
  }
}
