import fc from 'fast-check';
import { retryDelayMs } from './delivery-schedule';

const policy = { baseDelayMs: 1000, maxDelayMs: 60_000, maxAttempts: 5 };
const seed = process.env.FC_SEED ? Number(process.env.FC_SEED) : 20261130;

describe('webhook retry schedule', () => {
  it('doubles with each attempt, keeps at least half of it, never exceeds the cap, and stops at maxAttempts', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.double({ min: 0, max: 0.999999, noNaN: true }),
        (attempt, random) => {
          const delay = retryDelayMs(policy, attempt, random)!;
          const full = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
          expect(delay).toBeGreaterThanOrEqual(full / 2 - 1);
          expect(delay).toBeLessThanOrEqual(full);
        },
      ),
      { seed },
    );
    expect(retryDelayMs(policy, 5, 0.5)).toBeUndefined();
    expect([1, 2, 3, 4].map((a) => retryDelayMs(policy, a, 0.999999))).toEqual([1000, 2000, 4000, 8000]);
    expect(retryDelayMs({ ...policy, maxAttempts: 20 }, 15, 0)).toBe(30_000);
  });
});
