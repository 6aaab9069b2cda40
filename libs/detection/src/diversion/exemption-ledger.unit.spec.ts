import fc from 'fast-check';
import { ExemptionLedger, type LedgerLine } from './exemption-ledger';

const ITEMS = ['RUTF', 'FBF', 'WATER'];

const lineOf = (consignmentId: string, registeredAt: number, quantities: [string, number][]): LedgerLine => ({
  consignmentId,
  basis: 'registered',
  quantities: new Map(quantities),
  evidence: [],
  registeredAt,
});

/** The ledger as its definition reads: lines sorted in registration order, summed from the start. */
function naive(lines: Map<string, LedgerLine>) {
  const rows = [...lines.values()].sort(
    (a, b) => a.registeredAt - b.registeredAt || (a.consignmentId < b.consignmentId ? -1 : 1),
  );
  const before = new Map<string, Map<string, number>>();
  const after = new Map<string, Map<string, number>>();
  const running = new Map<string, number>();
  for (const row of rows) {
    before.set(row.consignmentId, new Map(running));
    for (const [item, q] of row.quantities) running.set(item, (running.get(item) ?? 0) + q);
    after.set(row.consignmentId, new Map(running));
  }
  return { rows, before, after };
}

const op = fc.record({
  id: fc.integer({ min: 0, max: 299 }).map((i) => `CSG-${String(i).padStart(3, '0')}`),
  remove: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
  registeredAt: fc.integer({ min: 0, max: 40 }), // many ties: the id breaks them
  quantities: fc.array(
    fc.tuple(
      fc.constantFrom(...ITEMS),
      // Integers and dyadic fractions sum exactly in any order, so the naive running sum is the reference.
      fc.oneof(
        fc.integer({ min: 0, max: 50 }),
        fc.integer({ min: 0, max: 400 }).map((n) => n / 8),
      ),
    ),
    { maxLength: 3 },
  ),
});

describe('ExemptionLedger', () => {
  it('keeps the cumulative quantities of its definition whatever the order and position of changes (past a block split)', () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 900 }), (ops) => {
        const ledger = new ExemptionLedger('EX-1');
        const lines = new Map<string, LedgerLine>();
        let previous = naive(lines);
        for (const o of ops) {
          // A corrected registration keeps its place in line (`ledgerLineOf`); a load may change quantities.
          const at = lines.get(o.id)?.registeredAt ?? o.registeredAt;
          const line = o.remove ? undefined : lineOf(o.id, at, o.quantities);
          const moves = ledger.put(o.id, line);
          if (line) lines.set(o.id, line);
          else lines.delete(o.id);
          const now = naive(lines);
          // What `put` says moved bounds every line's move, so a flip of a verdict can be found near the limit.
          const movedBy = new Map(moves.map((m) => [m.itemCode, m.moved]));
          for (const [id, sums] of now.after)
            for (const item of ITEMS) {
              const was = previous.after.get(id)?.get(item) ?? 0;
              const is = sums.get(item) ?? 0;
              if (previous.after.has(id))
                expect(Math.abs(is - was)).toBeLessThanOrEqual(movedBy.get(item) ?? 0);
            }
          previous = now;
        }
        expect(ledger.size).toBe(lines.size);
        for (const row of previous.rows)
          for (const item of ITEMS)
            expect(ledger.before(row.consignmentId, item)).toBe(
              previous.before.get(row.consignmentId)?.get(item) ?? 0,
            );
        for (const item of ITEMS)
          for (const [low, high] of [
            [0, 40],
            [100, 180],
            [-1, 1e9],
          ]) {
            const expected = previous.rows
              .filter((r) => (r.quantities.get(item) ?? 0) > 0)
              .filter((r) => {
                const after = previous.after.get(r.consignmentId)?.get(item) ?? 0;
                return after > low && after <= high;
              })
              .map((r) => r.consignmentId);
            expect(ledger.cumulativeWithin(item, low, high)).toEqual(expected);
          }
      }),
      { numRuns: 60 },
    );
  });

  it('reports nothing moved when a line comes again with the same place and quantities', () => {
    const ledger = new ExemptionLedger('EX-1');
    expect(ledger.put('A', lineOf('A', 5, [['RUTF', 10]]))).toEqual([{ itemCode: 'RUTF', moved: 10 }]);
    const reloaded = { ...lineOf('A', 5, [['RUTF', 10]]), basis: 'loaded' as const };
    expect(ledger.put('A', reloaded)).toEqual([]);
    expect(ledger.line('A')?.basis).toBe('loaded');
    expect(ledger.put('A', lineOf('A', 5, [['RUTF', 4]]))).toEqual([{ itemCode: 'RUTF', moved: 14 }]);
    expect(ledger.put('A', undefined)).toEqual([{ itemCode: 'RUTF', moved: 4 }]);
    expect(ledger.size).toBe(0);
  });
});
