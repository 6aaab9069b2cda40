import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SqliteWebhookStore } from './sqlite-webhook-store';
import { endpointPauseMs, WebhookDispatcher } from './webhook-dispatcher';
import type { NewDelivery } from './webhook-store.port';

/*
 * A receiver that fails is backed off as a whole: its pending deliveries wait, with their attempts unspent,
 * while one probe per pause finds out whether it is back; a receiver that rejects one delivery only still
 * gets the others. Real HTTP on loopback, the SQLite store in memory.
 */

const POLICY = { baseDelayMs: 200, maxDelayMs: 400, maxAttempts: 4 };
const PENDING = 40;

/** A loopback receiver: `answer` gives the status for a delivery id; every request is counted. */
async function receiver(answer: (deliveryId: string) => number) {
  const received: string[] = [];
  const server = http.createServer((req, res) => {
    const id = String(req.headers['webhook-id']);
    received.push(id);
    req.resume();
    req.on('end', () => res.writeHead(answer(id)).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const delivery = (n: number): NewDelivery => ({
  deliveryId: `msg_${String(n).padStart(3, '0')}`,
  subscriptionId: 's1',
  eventId: `event-${n}`,
  eventType: 'aidwatch.flag.raised.v1',
  payload: JSON.stringify({ n }),
  createdAt: new Date(Date.now() - 60_000 + n).toISOString(),
});

async function until(check: () => Promise<boolean>, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('WebhookDispatcher: a failing receiver is backed off as a whole', () => {
  jest.setTimeout(30_000);
  let store: SqliteWebhookStore;
  let dispatcher: WebhookDispatcher | undefined;
  let hook: Awaited<ReturnType<typeof receiver>> | undefined;

  const start = async (answer: (deliveryId: string) => number) => {
    hook = await receiver(answer);
    store = new SqliteWebhookStore(':memory:');
    await store.addSubscription({
      subscriptionId: 's1',
      url: hook.url,
      secret: `whsec_${Buffer.from('a-secret-of-24-bytes-len').toString('base64')}`,
      filters: {},
      createdBy: 'key:k_1',
      createdAt: new Date(Date.now() - 120_000).toISOString(),
    });
    await store.enqueueMany(Array.from({ length: PENDING }, (_, i) => delivery(i)));
    dispatcher = new WebhookDispatcher(store, {
      policy: POLICY,
      timeoutMs: 2000,
      allowPrivateTargets: true,
      sweepEveryMs: 50,
    });
    dispatcher.start();
  };

  afterEach(async () => {
    await dispatcher?.stop();
    await hook?.close();
    await store?.close();
    dispatcher = undefined;
    hook = undefined;
  });

  it('a receiver that is down gets one probe per pause, not every pending delivery; when it is back, all arrive', async () => {
    let up = false;
    await start(() => (up ? 204 : 503));
    await new Promise((r) => setTimeout(r, 1500));
    // Pauses of 100–200, 200–400, then 200–400 ms (POLICY): at most 8 probes in 1.5 s, where sending every pending
    // delivery would have made 40 requests at once, and every retry 40 more.
    expect(hook!.received.length).toBeGreaterThanOrEqual(2);
    expect(hook!.received.length).toBeLessThanOrEqual(8);
    // No delivery spent its attempts on the outage: none is dead.
    expect(await store.countsByStatus()).toEqual({ pending: PENDING });
    up = true;
    await until(async () => (await store.countsByStatus()).delivered === PENDING, 10_000);
    expect(await store.countsByStatus()).toEqual({ delivered: PENDING });
  });

  it('a receiver that rejects one delivery still gets every other; that one is dead after its attempts', async () => {
    const poison = delivery(0).deliveryId;
    await start((id) => (id === poison ? 400 : 204));
    await until(async () => {
      const counts = await store.countsByStatus();
      return counts.delivered === PENDING - 1 && counts.dead === 1;
    }, 15_000);
    expect(hook!.received.filter((id) => id === poison)).toHaveLength(POLICY.maxAttempts);
    expect((await store.delivery(poison))?.lastError).toBe('HTTP 400');
  });
});

describe('endpointPauseMs', () => {
  it('follows the delivery schedule for the failures in a row, and stays at its longest past the attempts', () => {
    const policy = { baseDelayMs: 1000, maxDelayMs: 8000, maxAttempts: 5 };
    expect([1, 2, 3, 4].map((n) => endpointPauseMs(policy, n, 1))).toEqual([1000, 2000, 4000, 8000]);
    expect(endpointPauseMs(policy, 5, 1)).toBe(8000);
    expect(endpointPauseMs(policy, 500, 0)).toBe(4000);
    expect(endpointPauseMs({ ...policy, maxAttempts: 1 }, 3, 1)).toBe(8000);
  });
});
