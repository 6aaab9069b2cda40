import fc from 'fast-check';
import { InputClocks, inputIdOf } from './input-clocks';

const HOUR = 3_600_000;
const RECEIVER = '/ais/coastal-receivers/yellow-sea';
const OTHER = '/ais/coastal-receivers/east-sea';
const IMPORT = '/ais/history/2026-10';
const P = (n: number) => `aidwatch.positions.v1/${n}`;

describe('input clocks: a partition that delivered everything it held (caught-up marker, time model 5)', () => {
  it('moves its inputs to what their source delivered on its other partitions, and no further', () => {
    const clocks = new InputClocks(6 * HOUR);
    const ahead = clocks.input(inputIdOf(RECEIVER, P(0)));
    const behind = clocks.input(inputIdOf(RECEIVER, P(1)));
    clocks.observe(behind, 2 * HOUR, 0, 0);
    clocks.observe(ahead, 10 * HOUR, 0, 0);
    expect(clocks.clockOf([behind])).toBe(2 * HOUR);
    expect(clocks.caughtUp(P(1))).toBe(true);
    expect(clocks.clockOf([behind])).toBe(10 * HOUR);
    // Nothing new: a repeat of the marker moves nothing.
    expect(clocks.caughtUp(P(1))).toBe(false);
    // The partition ahead is not moved by the one behind.
    expect(clocks.caughtUp(P(0))).toBe(false);
    expect(clocks.clockOf([ahead])).toBe(10 * HOUR);
  });

  it('a short quiet does not release a feed that lags: satellite AIS hours behind, between two bursts', () => {
    const clocks = new InputClocks(6 * HOUR);
    const satellite = clocks.input(inputIdOf(OTHER, P(2)));
    const terrestrial = clocks.input(inputIdOf(RECEIVER, P(0)));
    clocks.observe(terrestrial, 20 * HOUR, 0, 0);
    clocks.observe(satellite, 12 * HOUR, 0, 0);
    // Quiet for 2 s, then for 9 min: not stopped (the end quiet is 10 min).
    expect(clocks.caughtUp(P(2), 2000)).toBe(false);
    expect(clocks.caughtUp(P(2), 9 * 60_000)).toBe(false);
    expect(clocks.isIdle(satellite)).toBe(false);
    expect(clocks.clockOf([satellite])).toBe(12 * HOUR);
    // Quiet for 10 min: it has stopped.
    expect(clocks.caughtUp(P(2), 10 * 60_000)).toBe(true);
    expect(clocks.isIdle(satellite)).toBe(true);
  });

  it('makes an input idle when another input, of any partition, stands more than the idle bound ahead', () => {
    const clocks = new InputClocks(6 * HOUR);
    const quiet = clocks.input(inputIdOf(OTHER, P(2)));
    const busy = clocks.input(inputIdOf(RECEIVER, P(0)));
    clocks.observe(busy, 20 * HOUR, 0, 0);
    // Its last event came after the other's: the lead it stood behind does not release it (lane rule).
    clocks.observe(quiet, 1 * HOUR, 0, 0);
    expect(clocks.isIdle(quiet)).toBe(false);
    expect(clocks.caughtUp(P(2), HOUR)).toBe(true);
    expect(clocks.isIdle(quiet)).toBe(true);
    expect(clocks.effective(quiet)).toBe(14 * HOUR);
    expect(clocks.newlyIdle()).toEqual([quiet]);
    // Within the idle bound it stays as it is.
    const near = new InputClocks(6 * HOUR);
    const a = near.input(inputIdOf(OTHER, P(2)));
    near.observe(near.input(inputIdOf(RECEIVER, P(0))), 5 * HOUR, 0, 0);
    near.observe(a, 0, 0, 0);
    expect(near.caughtUp(P(2), HOUR)).toBe(false);
    expect(near.isIdle(a)).toBe(false);
  });

  it('ends "records pending" on its lane, and leaves closed inputs on their own clock', () => {
    const clocks = new InputClocks(6 * HOUR);
    const history = clocks.input(inputIdOf(IMPORT, P(3)));
    const live = clocks.input(inputIdOf(RECEIVER, P(3)));
    clocks.observe(history, 0, 0, 0);
    clocks.close(IMPORT, 1 * HOUR, P(3));
    clocks.observe(live, 30 * HOUR, 0, 12);
    expect(clocks.isDelivering(live)).toBe(true);
    clocks.caughtUp(P(3));
    expect(clocks.isDelivering(live)).toBe(false);
    expect(history.closed).toBe(true);
    expect(clocks.isIdle(history)).toBe(false);
    expect(clocks.clockOf([history])).toBe(1 * HOUR);
  });

  it('an unknown lane changes nothing', () => {
    const clocks = new InputClocks(6 * HOUR);
    const input = clocks.input(inputIdOf(RECEIVER, P(0)));
    clocks.observe(input, HOUR, 0, 0);
    expect(clocks.caughtUp('aidwatch.positions.v1/9')).toBe(false);
    expect(clocks.clockOf([input])).toBe(HOUR);
  });

  it('the markers of several partitions judge alike in any order', () => {
    const sources = [RECEIVER, OTHER, IMPORT];
    const report = fc.record({
      source: fc.integer({ min: 0, max: 2 }),
      lane: fc.integer({ min: 0, max: 3 }),
      hours: fc.integer({ min: 0, max: 60 }),
    });
    fc.assert(
      fc.property(
        fc.array(report, { minLength: 1, maxLength: 30 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.constantFrom(0, 2000, HOUR)), {
          minLength: 1,
          maxLength: 8,
        }),
        fc.integer(),
        (reports, lanes, seed) => {
          const judge = (order: Array<[number, number]>) => {
            const clocks = new InputClocks(6 * HOUR, seed % 2 === 0 ? 'lane' : 'all');
            for (const r of reports)
              clocks.observe(clocks.input(inputIdOf(sources[r.source], P(r.lane))), r.hours * HOUR, 0, 0);
            for (const [lane, quiet] of order) clocks.caughtUp(P(lane), quiet);
            return clocks.all().map((i) => [i.id, clocks.effective(i), clocks.isIdle(i)]);
          };
          const reversed = [...lanes].reverse();
          expect(judge(reversed)).toEqual(judge(lanes));
        },
      ),
      { seed: 20261205, numRuns: 300 },
    );
  });
});
