import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { eventually, startTestSystem, type TestSystem } from './support/aidwatch-process';
import { shrinkageStory } from './support/stories';

interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
  at: number;
}

/** A local webhook receiver: `answer` decides each response (status, or a delay before 200). */
class Receiver {
  readonly received: Received[] = [];
  private server!: http.Server;
  url = '';

  constructor(public answer: (r: Received, nthForId: number) => { status: number; delayMs?: number }) {}

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        const r = { headers: req.headers, body, at: Date.now() };
        this.received.push(r);
        const n = this.received.filter((x) => x.headers['webhook-id'] === req.headers['webhook-id']).length;
        const { status, delayMs } = this.answer(r, n);
        setTimeout(() => res.writeHead(status).end(), delayMs ?? 0);
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((r) => this.server.close(r));
  }

  ids(): string[] {
    return [...new Set(this.received.map((r) => String(r.headers['webhook-id'])))];
  }
}

let system: TestSystem;
let dashboard: string;
/** Events as a producer; everything else as a World Food Programme dashboard unless `as` says otherwise. */
const post = (_url: string, path: string, body: unknown, contentType = 'application/json', as?: string) =>
  system.fetch(`${system.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': contentType },
    body: JSON.stringify(body),
    as: as ?? (path === '/events' ? system.keys.producer : dashboard),
  });
const get = async (_url: string, path: string, as?: string): Promise<any> =>
  (await system.fetch(`${system.url}${path}`, { as: as ?? dashboard })).json();
const secret = `whsec_${Buffer.from('aidwatch-webhook-test-secret!').toString('base64')}`;

describe('Webhooks: signed, retried with backoff, dead and replayable, isolated, durable', () => {
  jest.setTimeout(90_000);
  const env = {
    WEBHOOK_BASE_DELAY_MS: '200',
    WEBHOOK_MAX_DELAY_MS: '1000',
    WEBHOOK_MAX_ATTEMPTS: '3',
    WEBHOOK_TIMEOUT_MS: '4000',
    // The receivers of this test listen on loopback.
    WEBHOOK_PRIVATE_TARGETS: 'true',
  };
  const flaky = new Receiver((_r, n) => ({ status: n <= 2 ? 503 : 204 }));
  const down = new Receiver(() => ({ status: 500 }));
  const slow = new Receiver(() => ({ status: 200, delayMs: 3000 }));
  const otherTenant = new Receiver(() => ({ status: 200 }));

  beforeAll(async () => {
    await Promise.all([flaky.start(), down.start(), slow.start(), otherTenant.start()]);
    system = await startTestSystem(env);
    dashboard = system.credential({ role: 'dashboard', tenant: 'World Food Programme' });
  });
  afterAll(async () => {
    await system?.stop();
    await Promise.all([flaky.stop(), down.stop(), slow.stop(), otherTenant.stop()]);
  });

  it('rejects a subscription without a usable url or with a malformed secret', async () => {
    const res = await post(system.url, '/subscriptions', { url: 'not a url', secret: 'hunter2' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as any).details.map((d: any) => d.field).sort()).toEqual(['secret', 'url']);
  });

  it('refuses loopback, private and link-local targets unless WEBHOOK_PRIVATE_TARGETS allows them', async () => {
    const strict = await startTestSystem();
    try {
      for (const url of [
        'http://127.0.0.1:9/hook',
        'http://169.254.169.254/latest/meta-data/',
        'http://localhost/x',
      ]) {
        const res = await strict.fetch(`${strict.url}/subscriptions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ url }),
          as: strict.keys.operator,
        });
        expect(res.status).toBe(400);
        expect(((await res.json()) as any).details[0]).toMatchObject({ field: 'url' });
      }
    } finally {
      await strict.stop();
    }
  });

  it('holds each organisation to LIMIT_SUBSCRIPTIONS_PER_TENANT subscriptions (409 beyond), the others unaffected', async () => {
    const limited = await startTestSystem({
      LIMIT_SUBSCRIPTIONS_PER_TENANT: '2',
      WEBHOOK_PRIVATE_TARGETS: 'true',
    });
    try {
      const create = (as: string) =>
        limited.fetch(`${limited.url}/subscriptions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ url: 'http://127.0.0.1:9/hook' }),
          as,
        });
      const wfp = limited.credential({ role: 'dashboard', tenant: 'WFP' });
      const fao = limited.credential({ role: 'dashboard', tenant: 'FAO' });
      expect((await create(wfp)).status).toBe(201);
      expect((await create(wfp)).status).toBe(201);
      const third = await create(wfp);
      expect(third.status).toBe(409);
      expect(((await third.json()) as { error: string }).error).toMatch(/at most 2 per organisation/);
      expect((await create(fao)).status).toBe(201);
    } finally {
      await limited.stop();
    }
  });

  it('delivers every alert signed (verified with the reference library), retrying failures with growing delays', async () => {
    const sub = (await (await post(system.url, '/subscriptions', { url: flaky.url, secret })).json()) as any;
    expect(sub).toMatchObject({ subscriptionId: expect.any(String), secret });
    const subDown = (await (
      await post(system.url, '/subscriptions', { url: down.url, filters: { severity: ['high', 'critical'] } })
    ).json()) as any;
    expect(subDown.secret).toMatch(/^whsec_/);
    const subSlow = (await (await post(system.url, '/subscriptions', { url: slow.url })).json()) as any;

    const unicef = system.credential({ role: 'dashboard', tenant: 'UNICEF' });
    const subOther = (await (
      await post(system.url, '/subscriptions', { url: otherTenant.url }, undefined, unicef)
    ).json()) as any;
    const story = shrinkageStory('wh1');
    expect(
      (await post(system.url, '/events', story.events, 'application/cloudevents-batch+json')).status,
    ).toBe(202);

    const delivered = await eventually(
      async () => {
        const { items } = await get(
          system.url,
          `/subscriptions/${sub.subscriptionId}/deliveries?status=delivered`,
        );
        return items.length >= 2 ? items : undefined;
      },
      30_000,
      'deliveries to the flaky receiver',
    );

    // The slow receiver answers after 3 s per delivery; the flaky one got its first delivery through three
    // attempts before the slow one had answered even once: one endpoint never delays another.
    const slowFirstAnswer = slow.received[0].at + 3000;
    expect(
      flaky.received.filter((r) => r.headers['webhook-id'] === delivered[0].deliveryId).at(-1)!.at,
    ).toBeLessThan(slowFirstAnswer);

    const wh = new Webhook(secret);
    for (const r of flaky.received) {
      const payload = wh.verify(r.body, {
        'webhook-id': String(r.headers['webhook-id']),
        'webhook-timestamp': String(r.headers['webhook-timestamp']),
        'webhook-signature': String(r.headers['webhook-signature']),
      }) as any;
      expect(payload).toMatchObject({
        specversion: '1.0',
        type: expect.stringMatching(/^aidwatch\.(flag|alert)\./),
      });
    }
    expect(() =>
      wh.verify(flaky.received[0].body.replace('1.0', '1.1'), {
        'webhook-id': String(flaky.received[0].headers['webhook-id']),
        'webhook-timestamp': String(flaky.received[0].headers['webhook-timestamp']),
        'webhook-signature': String(flaky.received[0].headers['webhook-signature']),
      }),
    ).toThrow();

    const detail = await get(
      system.url,
      `/subscriptions/${sub.subscriptionId}/deliveries/${delivered[0].deliveryId}`,
    );
    expect(detail.attemptLog.map((a: any) => a.statusCode)).toEqual([503, 503, 204]);
    const [a1, a2, a3] = detail.attemptLog.map((a: any) => Date.parse(a.at));
    expect(a2 - a1).toBeGreaterThanOrEqual(100); // base 200 ms, equal jitter: at least half
    expect(a3 - a2).toBeGreaterThanOrEqual(200); // doubled
    // One delivery per alert-changing event: every receiver got the same ids, in one try each id.
    expect(new Set(flaky.ids()).size).toBe(flaky.ids().length);

    // The receiver that always fails: dead after 3 attempts, then replayed once it works.
    const dead = await eventually(
      async () => {
        // Every delivery of this subscription settled dead (none still pending), so the replay below
        // answers for exactly these.
        const { items } = await get(system.url, `/subscriptions/${subDown.subscriptionId}/deliveries`);
        return items.length > 0 && items.every((d: any) => d.status === 'dead') ? items : undefined;
      },
      30_000,
      'dead deliveries',
    );
    expect(dead.every((d: any) => d.attempts === 3)).toBe(true);
    // Its filter: high and critical only (a `cleared` event is judged by the alert it clears).
    const alerts = new Map<string, any>(
      (await get(system.url, '/alerts?limit=1000')).items.map((a: any) => [a.alertId, a]),
    );
    const severities = down.received.map((r) => {
      const d = JSON.parse(r.body).data;
      return alerts.get(d.fingerprint ?? d.alertId).severity;
    });
    expect(severities.length).toBeGreaterThan(0);
    expect(severities.every((s) => s === 'high' || s === 'critical')).toBe(true);
    down.answer = () => ({ status: 200 });
    const replay = await post(system.url, `/subscriptions/${subDown.subscriptionId}/replay`, {});
    expect(((await replay.json()) as any).replayed).toBe(dead.length);
    await eventually(
      async () => {
        const { items } = await get(
          system.url,
          `/subscriptions/${subDown.subscriptionId}/deliveries?status=delivered`,
        );
        return items.length === dead.length ? true : undefined;
      },
      20_000,
      'replayed deliveries',
    );
    expect(subSlow.subscriptionId).toBeDefined();
    // Another organisation's subscription gets none of these alerts, nor can it be read across tenants.
    expect(otherTenant.received).toEqual([]);
    expect(
      (await system.fetch(`${system.url}/subscriptions/${subOther.subscriptionId}`, { as: dashboard }))
        .status,
    ).toBe(404);
  });

  it('says in /health how far the outbox is behind the alert events (seconds), beside the subscriptions', async () => {
    const health = (await (await system.fetch(`${system.url}/health`)).json()) as {
      checks: { webhooks: { ok: boolean; detail: { subscriptions: number; lagSeconds: number } } };
    };
    expect(health.checks.webhooks.ok).toBe(true);
    expect(health.checks.webhooks.detail.subscriptions).toBeGreaterThan(0);
    expect(typeof health.checks.webhooks.detail.lagSeconds).toBe('number');
  });

  it('keeps pending deliveries across a restart and delivers them after', async () => {
    const receiver = new Receiver(() => ({ status: 500 }));
    await receiver.start();
    try {
      const sub = (await (
        await post(system.url, '/subscriptions', { url: receiver.url, secret })
      ).json()) as any;
      const story = shrinkageStory('wh2');
      expect(
        (await post(system.url, '/events', story.events, 'application/cloudevents-batch+json')).status,
      ).toBe(202);
      await eventually(
        async () => (receiver.received.length > 0 ? true : undefined),
        20_000,
        'a first attempt',
      );
      const pending = (
        await get(system.url, `/subscriptions/${sub.subscriptionId}/deliveries?status=pending`)
      ).items;
      expect(pending.length).toBeGreaterThan(0);

      const dataDir = system.dataDir;
      await system.stop();
      receiver.answer = () => ({ status: 200 });
      system = await startTestSystem({ ...env, WEBHOOK_MAX_ATTEMPTS: '6', DATA_DIR: dataDir });
      dashboard = system.keys.operator; // keys of the first run are not assumed to survive
      const delivered = await eventually(
        async () => {
          const { items } = await get(
            system.url,
            `/subscriptions/${sub.subscriptionId}/deliveries?status=delivered`,
          );
          return items.length >= pending.length ? items : undefined;
        },
        30_000,
        'deliveries after the restart',
      );
      expect(delivered.map((d: any) => d.deliveryId)).toEqual(
        expect.arrayContaining(pending.map((d: any) => d.deliveryId)),
      );
    } finally {
      await receiver.stop();
    }
  });
});
