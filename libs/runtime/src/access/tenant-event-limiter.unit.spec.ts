import { EventTypes } from '@aidwatch/domain';
import { TenantUsage } from '@aidwatch/projections';
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
  // Whole once the time has passed, or once a wait for them said so: a timer may fire a millisecond before
  // `Date.now()` shows its whole delay.
  let counted = false;
  const whole = () => counted || Date.now() - started >= readyAfterMs;
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
      counted = true;
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

describe('TenantEventLimiter: consignments aboard one vessel (LIMIT_TENANT_CONSIGNMENTS_PER_VESSEL)', () => {
  const SHIP = '445117000';
  const at = (day: number) => new Date(Date.UTC(2024, 2, 1 + day)).toISOString();
  let seq = 0;
  const ev = (type: string, consignmentId: string, data: Record<string, unknown> = {}, day = 1) => ({
    specversion: '1.0',
    id: `e-${++seq}`,
    source: '/org/wfp/logistics',
    type,
    time: at(day),
    subject: consignmentId,
    data: { consignmentId, at: at(day), ...data },
  });
  const register = (c: string) =>
    ev(EventTypes.ConsignmentRegistered, c, { exemptionId: 'EX-W', vessel: { mmsi: SHIP } }, 0);
  const handover = (c: string) => ev(EventTypes.CustodyTransferred, c, {}, 0);
  const depart = (c: string) => ev(EventTypes.ConsignmentDeparted, c, { port: 'CNDLC' }, 2);

  /** A limiter of 3 a vessel on the real usage fold; `store` is what reached the store (folded at once). */
  function system() {
    const usage = new TenantUsage();
    let position = 0;
    const store = (events: Array<ReturnType<typeof ev>>) =>
      events.forEach((e) =>
        usage.apply({
          type: e.type,
          data: e,
          streamId: `consignment-${e.subject}`,
          metadata: {},
          position: String(++position),
        } as never),
      );
    usage.apply({
      type: EventTypes.ExemptionGranted,
      data: { type: EventTypes.ExemptionGranted, data: { exemptionId: 'EX-W', implementingOrg: 'WFP' } },
      streamId: 'exemption-EX-W',
    });
    const limiter = new TenantEventLimiter(
      { perWindow: 1000, windowMs: 60_000, consignmentsPerVessel: 3 },
      usage,
    );
    const send = async (events: Array<ReturnType<typeof ev>>, stored = true) => {
      try {
        await limiter.admitDecoded('WFP', events, 0, res());
      } catch (error) {
        if (error instanceof ApiError) return error.getStatus();
        throw error;
      }
      if (stored) store(events);
      return 202;
    };
    return { send };
  }

  it('a departure with no load puts the consignment aboard its registered vessel: it is a joiner too', async () => {
    const { send } = system();
    const ids = ['W-1', 'W-2', 'W-3', 'W-4', 'W-5', 'W-6'];
    expect(await send(ids.slice(0, 3).map(register))).toBe(202);
    // Handed over before departing: no longer bound for the ship, a place is free again...
    expect(await send(ids.slice(0, 3).map(handover))).toBe(202);
    expect(await send(ids.slice(3, 6).map(register))).toBe(202);
    // ...but departing on it puts them aboard as detection judges it: three more would be six aboard.
    expect(await send(ids.slice(0, 3).map(depart))).toBe(403);
    expect(await send([depart('W-1')])).toBe(403);
  });

  it('requests admitted at once, not yet counted, hold their places: the next sees them', async () => {
    const { send } = system();
    // Admitted but not yet folded into the usage counts (in flight to the store).
    expect(await send([register('W-1'), register('W-2')], false)).toBe(202);
    expect(await send([register('W-3'), register('W-4')], false)).toBe(403);
    expect(await send([register('W-3')], false)).toBe(202);
    // The same consignment again is not a second place.
    expect(await send([register('W-3')], false)).toBe(202);
    expect(await send([register('W-9')], false)).toBe(403);
  });
});
