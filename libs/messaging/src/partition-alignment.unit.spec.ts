import fc from 'fast-check';
import { PartitionAlignment } from './partition-alignment';

const HOUR = 3_600_000;
const MINUTE = 60_000;

describe('PartitionAlignment', () => {
  let wall = 0;
  const aligned = (keys: string[], maxDriftMs = 5 * MINUTE) => {
    wall = 0;
    const alignment = new PartitionAlignment({ maxDriftMs, idleAfterMs: 3000, now: () => wall });
    alignment.assign(keys);
    return alignment;
  };

  it('holds a partition hours ahead until the slowest one has caught up to within the drift', () => {
    const a = aligned(['ais/0', 'ais/1']);
    a.waiting('ais/0', 5 * HOUR);
    expect(a.mayGo('ais/0')).toBe(false); // ais/1 has not shown its time yet
    a.waiting('ais/1', 0);
    expect(a.mayGo('ais/1')).toBe(true);
    a.handed('ais/1', 4 * HOUR, false);
    expect(a.mayGo('ais/0')).toBe(false);
    a.handed('ais/1', 5 * HOUR - 5 * MINUTE, false);
    expect(a.mayGo('ais/0')).toBe(true);
  });

  it('releases the others when the slow partition has reached its high watermark or fell idle', () => {
    const a = aligned(['ais/0', 'ais/1', 'ais/2']);
    a.waiting('ais/0', 5 * HOUR);
    a.handed('ais/1', HOUR, true);
    a.handed('ais/2', 2 * HOUR, false);
    expect(a.mayGo('ais/0')).toBe(false); // ais/2 has more to read and was active just now
    wall = 3000;
    expect(a.mayGo('ais/0')).toBe(true);
  });

  it('is not held by partitions that had nothing to read when assigned, but is by one with a backlog not seen yet', () => {
    const a = aligned(['ais/0', 'ais/1', 'ais/2']);
    a.backlog('ais/1', false);
    a.backlog('ais/2', true);
    a.waiting('ais/0', 5 * HOUR);
    expect(a.mayGo('ais/0')).toBe(false);
    wall = 29_000;
    expect(a.mayGo('ais/0')).toBe(false);
    wall = 30_000; // grace for a partition that never showed its first batch
    expect(a.mayGo('ais/0')).toBe(true);
  });

  it('lets a partition whose messages carry no event time neither hold nor be held', () => {
    const a = aligned(['nmea/0', 'ais/1']);
    a.handed('nmea/0', undefined, false);
    a.waiting('ais/1', 9 * HOUR);
    expect(a.mayGo('ais/1')).toBe(true);
  });

  it('never holds every partition at once (the slowest may always go)', () => {
    const seed = Number(process.env.FC_SEED ?? 20261130);
    fc.assert(
      fc.property(
        fc.array(fc.record({ frontier: fc.integer({ min: 0, max: 48 * HOUR }), caughtUp: fc.boolean() }), {
          minLength: 1,
          maxLength: 8,
        }),
        fc.integer({ min: 0, max: HOUR }),
        (partitions, drift) => {
          const keys = partitions.map((_, i) => `t/${i}`);
          const a = aligned(keys, drift);
          partitions.forEach((p, i) => {
            a.handed(keys[i], p.frontier, p.caughtUp);
            if (!p.caughtUp) a.waiting(keys[i], p.frontier);
          });
          const open = keys.filter((_, i) => !partitions[i].caughtUp);
          if (open.length === 0) return keys.every((k) => a.mayGo(k));
          return open.some((k) => a.mayGo(k));
        },
      ),
      { seed },
    );
  });
});
