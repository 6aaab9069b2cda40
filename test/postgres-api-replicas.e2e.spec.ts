import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { PostgresApiKeyStore } from '@aidwatch/access';
import { createTestDatabase, describeWithPostgres, type TestDatabase } from '@aidwatch/event-store/testing';
import { startService, type AidwatchService } from './support/aidwatch-service';
import { SseClient } from './support/sse-client';
import { shrinkageStory } from './support/stories';
import { until } from './support/until';

/**
 * A service process (`apps/<role>/src/main.ts`) on the database, with an empty data directory of its own:
 * whatever it shares with another process, it shares through PostgreSQL.
 */
function startReplica(role: 'aidwatch' | 'api', database: TestDatabase, name: string): AidwatchService {
  return startService({
    role,
    name,
    databaseUrl: database.url,
    env: { CHECKPOINT_EVERY_MS: '200', WEBHOOK_PRIVATE_TARGETS: 'true', WEBHOOK_BASE_DELAY_MS: '200' },
  });
}

/** A local webhook receiver that answers 204 and keeps what it got. */
class Receiver {
  readonly received: Array<{ headers: http.IncomingHttpHeaders; body: string }> = [];
  private server!: http.Server;
  url = '';

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        this.received.push({ headers: req.headers, body });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((r) => this.server.close(r));
  }
}

describeWithPostgres('two API processes on one PostgreSQL database', () => {
  jest.setTimeout(180_000);
  let database: TestDatabase;
  const services: AidwatchService[] = [];
  const receiver = new Receiver();

  beforeAll(async () => {
    database = await createTestDatabase('replicas');
    await receiver.start();
  });
  afterAll(async () => {
    for (const s of services) await s.stop('SIGTERM');
    await receiver.stop();
    await database?.drop();
  });

  it('share API keys, webhook subscriptions and deliveries (each sent once) and the alert book', async () => {
    // A: the whole system (intake, detection, API); B: an API alone. Neither shares a file with the other.
    const a = startReplica('aidwatch', database, 'replica-a');
    const b = startReplica('api', database, 'replica-b');
    services.push(a, b);
    const [urlA, urlB] = await Promise.all([a.url, b.url]);

    // The first admin key, as `aidwatch keys create --role admin` makes it with EVENT_STORE=postgres.
    const keys = new PostgresApiKeyStore({ connectionString: database.url });
    const admin = (await keys.create({ role: 'admin', label: 'bootstrap' })).key;
    await keys.close();
    const call = async (
      url: string,
      key: string,
      method = 'GET',
      body?: unknown,
      type = 'application/json',
    ) => {
      const res = await fetch(url, {
        method,
        headers: {
          authorization: `Bearer ${key}`,
          ...(body !== undefined ? { 'content-type': type } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const text = await res.text();
      return { status: res.status, body: text ? (JSON.parse(text) as any) : undefined };
    };
    const createKey = async (on: string, grant: Record<string, unknown>) => {
      const res = await call(`${on}/admin/keys`, admin, 'POST', grant);
      expect(res.status).toBe(201);
      return res.body as { id: string; key: string };
    };

    // Keys: created on A, they authenticate on B at once; revoked on B, A refuses them at once.
    const dashboard = await createKey(urlA, { role: 'dashboard', tenant: 'World Food Programme' });
    const producer = await createKey(urlA, { role: 'producer', sources: ['*'] });
    expect((await call(`${urlB}/alerts`, dashboard.key)).status).toBe(200);
    const throwaway = await createKey(urlA, { role: 'operator' });
    expect((await call(`${urlB}/alerts`, throwaway.key)).status).toBe(200);
    expect((await call(`${urlB}/admin/keys/${throwaway.id}`, admin, 'DELETE')).status).toBe(204);
    const refused = await call(`${urlA}/alerts`, throwaway.key);
    expect(refused.status).toBe(401);
    expect(JSON.stringify(refused.body)).toContain('revoked');
    const listedOnB = (await call(`${urlB}/admin/keys`, admin)).body.items.map((k: { id: string }) => k.id);
    expect(listedOnB).toEqual(expect.arrayContaining([dashboard.id, producer.id, throwaway.id]));

    // Webhooks: a subscription made on A is listed on B; both processes enqueue and send.
    const secret = `whsec_${Buffer.from('aidwatch-replica-test-secret!!').toString('base64')}`;
    const sub = await call(`${urlA}/subscriptions`, dashboard.key, 'POST', { url: receiver.url, secret });
    expect(sub.status).toBe(201);
    const onB = await call(`${urlB}/subscriptions/${sub.body.subscriptionId}`, dashboard.key);
    expect(onB.status).toBe(200);
    expect(onB.body.url).toBe(receiver.url);

    const story = shrinkageStory('replicas');
    const ingested = await call(
      `${urlA}/events`,
      producer.key,
      'POST',
      story.events,
      'application/cloudevents-batch+json',
    );
    expect(ingested.status).toBe(202);

    // The alert reaches B's book (folded from the shared log); B acknowledges it; A sees the acknowledgement.
    const alertId = await until(
      'an alert of the story on B',
      async () => {
        const { body } = await call(`${urlB}/alerts`, dashboard.key);
        const found = (body.items as Array<{ alertId: string; consignmentIds: string[] }>).find((x) =>
          x.consignmentIds.includes(story.consignmentId),
        );
        return found?.alertId;
      },
      60_000,
    );
    // The README's `GET /alerts/stream?after=0` replays the history from the beginning on PostgreSQL too.
    const fromStart = new SseClient(`${urlB}/alerts/stream?after=0`, {
      authorization: `Bearer ${dashboard.key}`,
    });
    await fromStart.open();
    expect(fromStart.status).toBe(200);
    await fromStart.waitFor((frames) => frames.some((f) => f.data.includes(alertId)), 20_000);
    await fromStart.close();

    const ack = await call(`${urlB}/alerts/${alertId}/acknowledge`, dashboard.key, 'POST', {
      note: 'looking into it on B',
    });
    expect(ack.status).toBe(200);
    expect(ack.body.status).toBe('acknowledged');
    const seenOnA = await until(
      'the acknowledgement on A',
      async () => {
        const { body } = await call(`${urlA}/alerts/${alertId}`, dashboard.key);
        return body.status === 'acknowledged' ? body : undefined;
      },
      20_000,
    );
    expect(seenOnA.history.at(-1)).toMatchObject({ by: `key:${dashboard.id}`, note: 'looking into it on B' });

    // Every delivery of the subscription reaches the receiver once, signed, though two processes send.
    const delivered = await until(
      'the deliveries delivered',
      async () => {
        const { body } = await call(
          `${urlB}/subscriptions/${sub.body.subscriptionId}/deliveries`,
          dashboard.key,
        );
        const items = body.items as Array<{ deliveryId: string; eventType: string; status: string }>;
        const acked = items.some((d) => d.eventType === 'aidwatch.alert.acknowledged.v1');
        return acked && items.every((d) => d.status === 'delivered') ? items : undefined;
      },
      60_000,
    );
    await new Promise((resolve) => setTimeout(resolve, 3000)); // a second send would arrive by now
    const ids = receiver.received.map((r) => String(r.headers['webhook-id']));
    process.stdout.write(
      `two API processes: ${delivered.length} deliveries, ${receiver.received.length} requests received\n`,
    );
    expect(delivered.length).toBeGreaterThanOrEqual(2);
    expect([...ids].sort()).toEqual(delivered.map((d) => d.deliveryId).sort());
    expect(new Set(ids).size).toBe(ids.length);
    const verifier = new Webhook(secret);
    for (const r of receiver.received)
      expect(() => verifier.verify(r.body, r.headers as Record<string, string>)).not.toThrow();
    const attempts = await call(
      `${urlA}/subscriptions/${sub.body.subscriptionId}/deliveries/${delivered[0].deliveryId}`,
      dashboard.key,
    );
    expect(attempts.body.attemptLog).toHaveLength(1);

    // Nothing of it is in a file: neither data directory holds a key or webhook file.
    for (const s of [a, b]) {
      const files = fs.readdirSync(s.dataDir);
      process.stdout.write(`${s.name} data directory: ${files.join(', ') || '(empty)'}\n`);
      expect(files.filter((f) => /access|webhooks/.test(f))).toEqual([]);
    }
  });
});
