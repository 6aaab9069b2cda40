import { createTestDatabase, describeWithPostgres, type TestDatabase } from '@aidwatch/event-store/testing';
import { ApiError } from '../http/http-errors';
import { FailedCredentialLimiter } from './failed-credential-limiter';
import { PostgresRateCounters, ProcessRateCounters, type RateCounters } from './rate-counters';
import { TenantEventLimiter } from './tenant-event-limiter';

/*
 * An organisation's rate limits hold across every ingestor replica when the counters are shared: two
 * limiters on two pools (as two processes would have) count against one budget in PostgreSQL; counters in
 * memory count per process, as documented. While the database does not answer, each process still judges
 * requests with its own insurance counters.
 */

const LIMITS = { perWindow: 10, windowMs: 60_000 };
const res = () => {
  const headers: Record<string, string> = {};
  return { headers, setHeader: (name: string, value: string) => (headers[name] = value) };
};
/** The HTTP status `admit` answers with (202 when it lets the events through). */
async function statusOf(limiter: TenantEventLimiter, tenant: string, events: number): Promise<number> {
  try {
    await limiter.admit(tenant, events, res());
    return 202;
  } catch (error) {
    if (error instanceof ApiError) return error.getStatus();
    throw error;
  }
}

describe('ProcessRateCounters: each process counts on its own', () => {
  it('two processes each let an organisation send a full window', async () => {
    const [one, two] = [new ProcessRateCounters(), new ProcessRateCounters()];
    const a = new TenantEventLimiter(LIMITS, undefined, one);
    const b = new TenantEventLimiter(LIMITS, undefined, two);
    expect(await statusOf(a, 'WFP', 6)).toBe(202);
    expect(await statusOf(b, 'WFP', 6)).toBe(202);
    expect(await statusOf(a, 'WFP', 5)).toBe(429);
  });
});

describeWithPostgres('PostgresRateCounters', () => {
  jest.setTimeout(60_000);
  let database: TestDatabase;
  const opened: RateCounters[] = [];
  const counters = async () => {
    const c = new PostgresRateCounters(database.url);
    await c.ready;
    opened.push(c);
    return c;
  };

  beforeEach(async () => {
    database = await createTestDatabase('rate_counters');
  });
  afterEach(async () => {
    for (const c of opened.splice(0)) await c.close();
    await database.drop();
  });

  it("an organisation's events a window are one budget across processes; other organisations are untouched", async () => {
    const a = new TenantEventLimiter(LIMITS, undefined, await counters());
    const b = new TenantEventLimiter(LIMITS, undefined, await counters());
    expect(await statusOf(a, 'WFP', 6)).toBe(202);
    expect(await statusOf(b, 'WFP', 5)).toBe(429);
    // The refused request counted for nothing: 4 more still fit, through either process.
    expect(await statusOf(b, 'WFP', 4)).toBe(202);
    expect(await statusOf(a, 'WFP', 1)).toBe(429);
    expect(await statusOf(b, 'UNICEF', 10)).toBe(202);
    // An organisation's name of any length is one counter.
    const long = `Org ${'x'.repeat(400)}`;
    expect(await statusOf(a, long, 10)).toBe(202);
    expect(await statusOf(b, long, 1)).toBe(429);
  });

  it("an organisation's lines a window are one budget across processes, and a refusal gives its events back", async () => {
    const limits = { ...LIMITS, perWindow: 100, itemLinesPerWindow: 50 };
    const a = new TenantEventLimiter(limits, undefined, await counters());
    const b = new TenantEventLimiter(limits, undefined, await counters());
    const lines = (n: number) => [{ data: { items: Array.from({ length: n }, (_, i) => ({ i })) } }];
    await a.admit('WFP', 1, res());
    await a.admitDecoded('WFP', lines(30), 1, res());
    await b.admit('WFP', 1, res());
    await expect(b.admitDecoded('WFP', lines(30), 1, res())).rejects.toMatchObject({ status: 429 });
    // 1 event counted, 99 left (the refused request's event was given back).
    expect(await statusOf(b, 'WFP', 99)).toBe(202);
    expect(await statusOf(a, 'WFP', 1)).toBe(429);
  });

  it('refused credentials from one address are counted across processes', async () => {
    const settings = { perAddress: 3, windowMs: 60_000 };
    const a = new FailedCredentialLimiter(settings, await counters());
    const b = new FailedCredentialLimiter(settings, await counters());
    await a.failed('203.0.113.9');
    await b.failed('203.0.113.9');
    expect(await a.blockedForMs('203.0.113.9')).toBe(0);
    await a.failed('203.0.113.9');
    expect(await b.blockedForMs('203.0.113.9')).toBeGreaterThan(0);
    expect(await b.blockedForMs('203.0.113.10')).toBe(0);
  });

  it('without the database each process judges with its own counters, and answers', async () => {
    const unreachable = new PostgresRateCounters('postgresql://postgres@127.0.0.1:9/none');
    opened.push(unreachable);
    const a = new TenantEventLimiter(LIMITS, undefined, unreachable);
    expect(await statusOf(a, 'WFP', 10)).toBe(202);
    expect(await statusOf(a, 'WFP', 1)).toBe(429);
  });
});
