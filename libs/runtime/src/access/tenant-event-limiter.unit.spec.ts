import { ApiError } from '../http/http-errors';
import { TenantEventLimiter, type TenantUsageCounts } from './tenant-event-limiter';

/*
 * Quotas are judged on whole counts: after a restart, while what each organisation holds is folded again,
 * a write waits for the counts (up to 5 s) and is judged on them, or is a 429 with `Retry-After` when they are
 * not whole by then; it never passes on a partial count.
 */

const res = () => {
  const headers: Record<string, string> = {};
  return { headers, setHeader: (name: string, value: string) => (headers[name] = value) };
};
async function statusOf(limiter: TenantEventLimiter, tenant: string, r = res()): Promise<number> {
  try {
    await limiter.admit(tenant, 1, r);
    return 202;
  } catch (error) {
    if (error instanceof ApiError) return error.getStatus();
    throw error;
  }
}

/** Usage whose counts become whole (`held` events of WFP) after `readyAfterMs`; partial (0) before. */
function foldingUsage(held: number, readyAfterMs: number): TenantUsageCounts {
  const started = Date.now();
  const whole = () => Date.now() - started >= readyAfterMs;
  return {
    flagsOf: () => 0,
    eventsOf: (org) => (org === 'WFP' && whole() ? held : 0),
    whenCounted: async (timeoutMs) => {
      const wait = Math.max(0, readyAfterMs - (Date.now() - started));
      if (wait > timeoutMs) {
        await new Promise((r) => setTimeout(r, timeoutMs));
        return false;
      }
      await new Promise((r) => setTimeout(r, wait));
      return true;
    },
  };
}

describe('TenantEventLimiter: quotas on whole counts', () => {
  const limits = { perWindow: 100, windowMs: 60_000, storedEvents: 5 };

  it('a write while the counts are folded waits for them and is refused (403) when the organisation is over', async () => {
    const limiter = new TenantEventLimiter(limits, foldingUsage(50, 200));
    expect(await statusOf(limiter, 'WFP')).toBe(403);
    expect(await statusOf(limiter, 'UNICEF')).toBe(202);
  });

  it('counts not whole within 5 s: a 429 with Retry-After, nothing passes', async () => {
    const limiter = new TenantEventLimiter(limits, foldingUsage(50, 60_000));
    const r = res();
    expect(await statusOf(limiter, 'UNICEF', r)).toBe(429);
    expect(r.headers['Retry-After']).toBe('5');
  }, 10_000);

  it('without quotas nothing waits for the counts', async () => {
    const limiter = new TenantEventLimiter({ perWindow: 100, windowMs: 60_000 }, foldingUsage(50, 60_000));
    expect(await statusOf(limiter, 'WFP')).toBe(202);
  });
});
