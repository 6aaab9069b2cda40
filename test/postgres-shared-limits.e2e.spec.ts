import { PostgresApiKeyStore } from '@aidwatch/access';
import { consignmentRegistered, exemptionGranted } from '@aidwatch/domain/testing';
import { createTestDatabase, describeWithPostgres, type TestDatabase } from '@aidwatch/event-store/testing';
import { startService, type AidwatchService } from './support/aidwatch-service';

/*
 * Two ingestor processes on one PostgreSQL database: an organisation's events a window
 * (`LIMIT_TENANT_EVENTS`) are one budget for both, so a producer cannot multiply its limit by spreading its
 * requests over the replicas behind a load balancer; another organisation's budget is its own.
 */
describeWithPostgres('rate limits shared by two ingestor processes', () => {
  jest.setTimeout(120_000);
  let database: TestDatabase;
  const services: AidwatchService[] = [];

  beforeAll(async () => {
    database = await createTestDatabase('shared_limits');
  });
  afterAll(async () => {
    for (const s of services) await s.stop('SIGTERM');
    await database?.drop();
  });

  it("an organisation's events a window are counted across both", async () => {
    const env = {
      LIMIT_TENANT_EVENTS: '10',
      LIMIT_BATCH_EVENTS: '10',
      LIMIT_TENANT_EVENTS_WINDOW_SEC: '600',
      RATE_LIMIT_REQUESTS: '100000',
    };
    const one = startService({ role: 'ingestor', name: 'ingestor-1', databaseUrl: database.url, env });
    const two = startService({ role: 'ingestor', name: 'ingestor-2', databaseUrl: database.url, env });
    services.push(one, two);
    const [url1, url2] = await Promise.all([one.url, two.url]);
    const keys = new PostgresApiKeyStore({ connectionString: database.url });
    const relay = (await keys.create({ role: 'producer', label: 'committee relay', sources: ['*'] })).key;
    const wfp = (await keys.create({ role: 'producer', label: 'wfp', tenant: 'WFP', sources: ['*'] })).key;
    const unicef = (
      await keys.create({ role: 'producer', label: 'unicef', tenant: 'UNICEF', sources: ['*'] })
    ).key;
    await keys.close();
    const post = async (url: string, key: string, body: unknown) => {
      const res = await fetch(`${url}/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return { status: res.status, retryAfter: res.headers.get('retry-after'), body: await res.text() };
    };
    const registrations = (org: string, exemptionId: string, from: number, n: number) =>
      Array.from({ length: n }, (_, i) =>
        consignmentRegistered({
          id: `reg-${org}-${from + i}`,
          data: { consignmentId: `C-${org}-${from + i}`, exemptionId, billOfLading: `BL-${org}-${from + i}` },
        }),
      );
    const grants = await post(url1, relay, [
      exemptionGranted({ id: 'g-wfp', data: { exemptionId: 'EX-WFP', implementingOrg: 'WFP' } }),
      exemptionGranted({ id: 'g-unicef', data: { exemptionId: 'EX-UNICEF', implementingOrg: 'UNICEF' } }),
    ]);
    expect(grants.status).toBe(202);

    expect((await post(url1, wfp, registrations('WFP', 'EX-WFP', 0, 6))).status).toBe(202);
    const over = await post(url2, wfp, registrations('WFP', 'EX-WFP', 6, 6));
    expect(over).toMatchObject({ status: 429 });
    expect(Number(over.retryAfter)).toBeGreaterThan(0);
    // What is left of the window still passes, through either process; nothing more does.
    expect((await post(url2, wfp, registrations('WFP', 'EX-WFP', 6, 4))).status).toBe(202);
    expect((await post(url1, wfp, registrations('WFP', 'EX-WFP', 10, 1))).status).toBe(429);
    // UNICEF's window is its own.
    expect((await post(url2, unicef, registrations('UNICEF', 'EX-UNICEF', 0, 10))).status).toBe(202);
  });

  it("a credential's requests a window (RATE_LIMIT_REQUESTS) are counted across both", async () => {
    const env = { RATE_LIMIT_REQUESTS: '6', RATE_LIMIT_WINDOW_SEC: '600' };
    const one = startService({ role: 'ingestor', name: 'ingestor-r1', databaseUrl: database.url, env });
    const two = startService({ role: 'ingestor', name: 'ingestor-r2', databaseUrl: database.url, env });
    services.push(one, two);
    const [url1, url2] = await Promise.all([one.url, two.url]);
    const keys = new PostgresApiKeyStore({ connectionString: database.url });
    const reader = (await keys.create({ role: 'producer', label: 'requests', tenant: 'FAO', sources: ['*'] }))
      .key;
    const other = (await keys.create({ role: 'producer', label: 'other', tenant: 'FAO', sources: ['*'] }))
      .key;
    await keys.close();
    const send = (url: string, key: string) =>
      fetch(`${url}/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: '[]',
      }).then(async (res) => ({ status: res.status, retryAfter: res.headers.get('retry-after') }));
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) statuses.push((await send(i % 2 === 0 ? url1 : url2, reader)).status);
    // Six requests pass across the two processes (each would have passed six on its own), then 429s.
    expect(statuses.filter((s) => s !== 429)).toHaveLength(6);
    expect(statuses.slice(6)).toEqual([429, 429, 429, 429]);
    const refused = await send(url1, reader);
    expect(refused.status).toBe(429);
    expect(Number(refused.retryAfter)).toBeGreaterThan(0);
    // Another credential's requests are its own.
    expect((await send(url2, other)).status).not.toBe(429);
  });
});
