import fc from 'fast-check';
import { ExactSum } from './exact-sum';

const sumOf = (xs: number[]) => xs.reduce((s, x) => s.add(x), new ExactSum()).value();

describe('ExactSum', () => {
  it('gives the correctly rounded sum where a running sum drifts (the cases of Python math.fsum)', () => {
    expect(sumOf(Array(10).fill(0.1))).toBe(1);
    expect(sumOf([1e100, 1, -1e100])).toBe(1);
    expect(sumOf([1, 1e100, 1, -1e100])).toBe(2);
    expect(sumOf([0.1, 0.2])).toBe(0.30000000000000004); // the nearest double to 0.1 + 0.2 exactly
    expect(sumOf([0.1, 0.2, -0.1])).toBe(0.2);
    expect(sumOf([])).toBe(0);
    expect(sumOf([2 ** 53, 1, 1])).toBe(2 ** 53 + 2);
  });

  it('depends only on the numbers added, not on their order or grouping', () => {
    const quantity = fc.oneof(
      fc.integer({ min: 0, max: 1e6 }),
      fc.double({ min: 0, max: 1e12, noNaN: true, noDefaultInfinity: true }),
      fc.constantFrom(0.1, 0.2, 0.3, 1e-3, 12.5),
    );
    fc.assert(
      fc.property(fc.array(quantity, { maxLength: 60 }), fc.integer({ min: 1, max: 59 }), (xs, cut) => {
        const whole = sumOf(xs);
        expect(sumOf([...xs].reverse())).toBe(whole);
        expect(sumOf([...xs].sort((a, b) => a - b))).toBe(whole);
        // Two blocks summed apart, then together; and a removal undoes an addition.
        const [a, b] = [xs.slice(0, cut), xs.slice(cut)];
        const grouped = b.reduce((s, x) => s.add(x), new ExactSum());
        expect(
          a
            .reduce((s, x) => s.add(x), new ExactSum())
            .addSum(grouped)
            .value(),
        ).toBe(whole);
        const undone = xs
          .reduce((s, x) => s.add(x), new ExactSum())
          .add(1e9)
          .add(-1e9);
        expect(undone.value()).toBe(whole);
      }),
      { numRuns: 300 },
    );
  });
});
