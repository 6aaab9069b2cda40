import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { consignmentRegistered, exemptionGranted } from '@aidwatch/domain/testing';
import { startTestSystem, type TestSystem } from '@aidwatch/testing';
import { runAidwatch } from '../support/aidwatch-cli';

const BATCH = 'application/cloudevents-batch+json';

/** LIMIT_TENANT_EVENTS: what one organisation's credentials together may send over HTTP in a window. */
describe("an organisation's events over HTTP are limited per window, other organisations' are not", () => {
  jest.setTimeout(60_000);
  let system: TestSystem;
  let wfp: string;
  let wfpToo: string;
  let unicef: string;
  let wfpMonitor: string;

  beforeAll(async () => {
    system = await startTestSystem({
      LIMIT_BATCH_EVENTS: '10',
      LIMIT_TENANT_EVENTS: '10',
      LIMIT_TENANT_EVENTS_WINDOW_SEC: '600',
    });
    wfp = system.credential({ role: 'producer', tenant: 'WFP', sources: ['*'] });
    wfpToo = system.credential({ role: 'producer', tenant: 'WFP', sources: ['*'] });
    unicef = system.credential({ role: 'producer', tenant: 'UNICEF', sources: ['*'] });
    wfpMonitor = system.credential({ role: 'monitor', tenant: 'WFP', monitorId: 'MON-1' });
  });
  afterAll(() => system?.stop());

  const post = (as: string, events: unknown[]) =>
    system.fetch(`${system.url}/events`, {
      method: 'POST',
      as,
      headers: { 'content-type': BATCH },
      body: JSON.stringify(events),
    });
  const invalid = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `x${i}` }));

  it('counts every event sent, refuses whole the request that would go over (429, Retry-After) and counts nothing of it', async () => {
    // Invalid events count too: the limit is on what is sent, before it is judged.
    expect((await post(wfp, invalid(6))).status).toBe(400);
    const over = await post(wfpToo, invalid(5)); // another key of the same organisation: one count
    expect(over.status).toBe(429);
    const retryAfter = Number(over.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(600);
    const body = (await over.json()) as { error: string; details: Array<{ message: string }> };
    expect(body.error).toMatch(/nothing was accepted/);
    expect(body.details[0].message).toMatch(/LIMIT_TENANT_EVENTS/);
    // The refused five were not counted: four more fit.
    expect((await post(wfp, invalid(4))).status).toBe(400);
    expect((await post(wfp, invalid(1))).status).toBe(429);
    // The organisation's monitor shares its organisation's count (field intake too).
    const kobo = await system.fetch(`${system.url}/intake/kobo`, {
      method: 'POST',
      as: wfpMonitor,
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(kobo.status).toBe(429);
  });

  it('counts a binary-mode event as one, whatever its data (an array is not a batch)', async () => {
    const fao = system.credential({ role: 'producer', tenant: 'FAO', sources: ['*'] });
    const binary = () =>
      system.fetch(`${system.url}/events`, {
        method: 'POST',
        as: fao,
        headers: {
          'content-type': 'application/json',
          'ce-specversion': '1.0',
          'ce-type': 'aidwatch.consignment.registered.v1',
          'ce-source': '/fao/logistics',
          'ce-id': 'binary-1',
        },
        body: JSON.stringify(invalid(11)),
      });
    for (let i = 0; i < 10; i++) {
      const res = await binary();
      expect([400, 403]).toContain(res.status);
    }
    expect((await binary()).status).toBe(429);
  });

  it("another organisation's and the deployment's own producers are not held back by it", async () => {
    expect((await post(unicef, invalid(10))).status).toBe(400);
    expect((await post(system.keys.producer, [exemptionGranted()])).status).toBe(202);
    expect((await post(system.keys.producer, invalid(10))).status).toBe(400);
    expect((await post(system.keys.producer, invalid(10))).status).toBe(400);
  });
});

describe('aidwatch import over an organisation limit', () => {
  jest.setTimeout(90_000);
  let system: TestSystem;
  let dir: string;

  beforeAll(async () => {
    system = await startTestSystem({
      LIMIT_BATCH_EVENTS: '10',
      LIMIT_TENANT_EVENTS: '10',
      LIMIT_TENANT_EVENTS_WINDOW_SEC: '2',
    });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tenant-limit-'));
  });
  afterAll(async () => {
    await system?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('waits as Retry-After says and sends the refused batch again: every event is stored', async () => {
    const grant = await system.fetch(`${system.url}/events`, {
      method: 'POST',
      headers: { 'content-type': BATCH },
      body: JSON.stringify([exemptionGranted()]),
    });
    expect(grant.status).toBe(202);
    const ids = Array.from({ length: 24 }, (_, i) => `CSG-IMP-${i}`);
    const file = path.join(dir, 'registrations.ndjson');
    fs.writeFileSync(
      file,
      ids
        .map((id) =>
          JSON.stringify(
            consignmentRegistered({ id: `reg-${id}`, subject: id, data: { consignmentId: id } }),
          ),
        )
        .join('\n') + '\n',
    );
    const key = system.credential({ role: 'producer', tenant: 'World Food Programme', sources: ['*'] });
    const run = await runAidwatch(['import', '--file', file, '--batch', '8'], {
      AIDWATCH_URL: system.url,
      AIDWATCH_API_KEY: key,
    });
    expect(run.stderr).toMatch(/over a rate limit; sending again in \d+ s/);
    expect(run.code).toBe(0);
    for (const id of [ids[0], ids[23]]) {
      const res = await system.fetch(`${system.url}/streams/consignment-${id}`);
      expect(res.status).toBe(200);
      expect(((await res.json()) as { events: unknown[] }).events).toHaveLength(1);
    }
  });
});
