import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  consignmentDischarged,
  consignmentLoaded,
  consignmentRegistered,
  exemptionGranted,
  verificationReported,
  vesselPosition,
} from '@aidwatch/domain/testing';
import { eventually, startTestSystem, type TestSystem } from '@aidwatch/testing';
import { runAidwatch } from '../support/aidwatch-cli';

const BATCH = 'application/cloudevents-batch+json';

/** `POST /events` of a batch, as `as`. */
const postBatch = (system: TestSystem, as: string, events: unknown[]) =>
  system.fetch(`${system.url}/events`, {
    method: 'POST',
    as,
    headers: { 'content-type': BATCH },
    body: JSON.stringify(events),
  });

/** Grants each exemption to its organisation, through the deployment's own producer. */
async function grantEach(system: TestSystem, grants: Array<[exemptionId: string, implementingOrg: string]>) {
  for (const [exemptionId, implementingOrg] of grants)
    expect(
      (
        await postBatch(system, system.keys.producer, [
          exemptionGranted({ id: `grant-${exemptionId}`, data: { exemptionId, implementingOrg } }),
        ])
      ).status,
    ).toBe(202);
}

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

  const post = (as: string, events: unknown[]) => postBatch(system, as, events);
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

  it('a `ce-type` header on a structured batch is no binary mode: the batch limit holds', async () => {
    const res = await system.fetch(`${system.url}/events`, {
      method: 'POST',
      as: system.keys.producer,
      headers: {
        'content-type': BATCH,
        'ce-type': 'aidwatch.consignment.registered.v1',
        'ce-specversion': '1.0',
      },
      body: JSON.stringify(invalid(11)),
    });
    expect(res.status).toBe(413);
  });

  it("a `ce-type` header naming a type it may write does not let an organisation's producer write others", async () => {
    const who = system.credential({ role: 'producer', tenant: 'WHO', sources: ['*'] });
    const res = await system.fetch(`${system.url}/events`, {
      method: 'POST',
      as: who,
      headers: {
        'content-type': BATCH,
        'ce-type': 'aidwatch.consignment.registered.v1',
        'ce-source': '/org/who',
      },
      // AIS comes only from producers of no organisation.
      body: JSON.stringify([vesselPosition()]),
    });
    expect(res.status).toBe(403);
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

/**
 * LIMIT_TENANT_ITEM_LINES (what one organisation's events may carry in a window: detection's work and the
 * flags an event raises grow with its lines) and LIMIT_TENANT_FLAGS (the flags it may be shown: every flag is
 * held in memory by the read model, the alert book and detection).
 */
describe("an organisation's item lines are limited per window, and its flags in all", () => {
  jest.setTimeout(90_000);
  let system: TestSystem;
  let wfp: string;
  let unicef: string;
  let fao: string;

  const LINES = 20;
  const registration = (id: string, lines = LINES, exemptionId = 'EX-WFP') =>
    consignmentRegistered({
      id: `reg-${id}`,
      subject: id,
      data: {
        consignmentId: id,
        exemptionId,
        billOfLading: `BL-${id}`,
        // Its lines are its items alone (no route points).
        route: undefined,
        // None of these is exempted: each code its own item-not-exempt flag (20 a consignment, then one more).
        items: Array.from({ length: lines }, (_, k) => ({
          itemCode: `NX-${k}`,
          quantity: 1,
          unit: 'carton',
        })),
      },
    });
  const post = (as: string, events: unknown[]) => postBatch(system, as, events);
  const eventsOf = async (streamId: string) => {
    const res = await system.fetch(`${system.url}/streams/${streamId}`);
    return res.status === 200 ? ((await res.json()) as { events: unknown[] }).events.length : 0;
  };
  const stored = async (consignmentId: string) => (await eventsOf(`consignment-${consignmentId}`)) > 0;

  beforeAll(async () => {
    system = await startTestSystem({
      LIMIT_TENANT_ITEM_LINES: '500',
      LIMIT_TENANT_EVENTS_WINDOW_SEC: '600',
      LIMIT_TENANT_FLAGS: '30',
    });
    wfp = system.credential({ role: 'producer', tenant: 'WFP', sources: ['*'] });
    unicef = system.credential({ role: 'producer', tenant: 'UNICEF', sources: ['*'] });
    fao = system.credential({ role: 'producer', tenant: 'FAO', sources: ['*'] });
    // FAO's exemption lists every code its registrations carry: its lines raise no flag.
    const faoItems = Array.from({ length: 100 }, (_, k) => ({
      itemCode: `NX-${k}`,
      hsCode: '1901.90',
      description: `item ${k}`,
      unit: 'carton',
      quantity: 1_000_000,
    }));
    expect(
      (
        await post(system.keys.producer, [
          exemptionGranted({
            id: 'grant-EX-FAO',
            data: { exemptionId: 'EX-FAO', implementingOrg: 'FAO', items: faoItems },
          }),
        ])
      ).status,
    ).toBe(202);
    await grantEach(system, [
      ['EX-WFP', 'WFP'],
      ['EX-UNICEF', 'UNICEF'],
    ]);
  });
  afterAll(() => system?.stop());

  it('counts the lines of every event sent; a request over the window is a 429 refused whole, one that could never fit a 413', async () => {
    // 25 registrations of 20 lines: 500 lines, the whole window; batch by batch.
    expect(
      (
        await post(
          fao,
          Array.from({ length: 20 }, (_, i) => registration(`WL-${i}`, LINES, 'EX-FAO')),
        )
      ).status,
    ).toBe(202);
    const over = await post(fao, [
      registration('WL-20', LINES, 'EX-FAO'),
      registration('WL-21', LINES, 'EX-FAO'),
      registration('WL-22', 100, 'EX-FAO'),
    ]);
    expect(over.status).toBe(429);
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(JSON.stringify(await over.json())).toMatch(/LIMIT_TENANT_ITEM_LINES/);
    expect(await stored('WL-20')).toBe(false);
    // The refused 140 lines were not counted: 100 more fit.
    expect(
      (
        await post(fao, [
          registration('WL-20', LINES, 'EX-FAO'),
          registration('WL-21', LINES, 'EX-FAO'),
          registration('WL-22', LINES, 'EX-FAO'),
          registration('WL-23', LINES, 'EX-FAO'),
          registration('WL-24', LINES, 'EX-FAO'),
        ])
      ).status,
    ).toBe(202);
    expect((await post(fao, [registration('WL-25', 1, 'EX-FAO')])).status).toBe(429);
    // A `ce-type` header does not make a structured batch binary mode: its events and lines are counted all
    // the same (and it is judged by its events' types, as it is stored).
    const disguises: Array<Record<string, string>> = [
      { 'ce-type': 'aidwatch.consignment.registered.v1' },
      { 'ce-specversion': '1.0' },
    ];
    for (const extra of disguises) {
      const disguised = await system.fetch(`${system.url}/events`, {
        method: 'POST',
        as: fao,
        headers: { 'content-type': BATCH, ...extra },
        body: JSON.stringify([registration('WL-25', 1, 'EX-FAO')]),
      });
      expect({ extra, status: disguised.status }).toEqual({ extra, status: 429 });
    }
    expect(await stored('WL-25')).toBe(false);
    // Lines are counted as stored, however they are sent: data_base64 is decoded first, and the observed
    // quantities of a monitor's verification are lines too.
    const { data, ...envelope } = registration('WL-26', 1, 'EX-FAO');
    const base64 = await post(fao, [
      {
        ...envelope,
        datacontenttype: 'application/json',
        data_base64: Buffer.from(JSON.stringify(data)).toString('base64'),
      },
    ]);
    expect(base64.status).toBe(429);
    expect(await stored('WL-26')).toBe(false);
    const monitor = system.credential({ role: 'monitor', tenant: 'FAO', monitorId: 'MON-FAO-1' });
    const verification = verificationReported({
      id: 'ver-WL-0',
      source: '/aidwatch/monitors/FAO',
      subject: 'WL-0',
      data: {
        verificationId: 'VER-WL-0',
        consignmentId: 'WL-0',
        monitorId: 'MON-FAO-1',
        observed: Array.from({ length: 10 }, (_, k) => ({ itemCode: `NX-${k}`, quantity: 1 })),
      },
    });
    const observed = await post(monitor, [verification]);
    expect(JSON.stringify({ status: observed.status, body: await observed.text() })).toMatch(
      /"status":429.*LIMIT_TENANT_ITEM_LINES/,
    );
    // More lines in one request than a window holds can never pass: 413, not a wait.
    const huge = await post(
      unicef,
      Array.from({ length: 2 }, (_, i) => registration(`UH-${i}`, 300, 'EX-UNICEF')),
    );
    expect(huge.status).toBe(413);
    expect(JSON.stringify(await huge.json())).toMatch(/at most 500 lines/);
  });

  it('refuses (403) every write of an organisation shown LIMIT_TENANT_FLAGS flags, and only of that one', async () => {
    // Two WFP consignments of 20 lines outside its exemption: 20 item-not-exempt flags each, over 30.
    expect((await post(wfp, [registration('WQ-1'), registration('WQ-2')])).status).toBe(202);
    await eventually(
      async () => {
        // An invalid event: a 400 while WFP may write, a 403 (judged first) once it may not.
        const res = await post(wfp, [{ id: 'probe' }]);
        return res.status === 403 ? res : undefined;
      },
      60_000,
      'WFP refused for its flags',
    );
    const refused = await post(wfp, [
      exemptionGranted({ id: 'grant-EX-WFP-2', data: { exemptionId: 'EX-WFP-2', implementingOrg: 'WFP' } }),
    ]);
    expect(refused.status).toBe(403);
    expect(JSON.stringify(await refused.json())).toMatch(/LIMIT_TENANT_FLAGS/);
    expect(await eventsOf('exemption-EX-WFP-2')).toBe(0);
    // UNICEF holds no flag: its writes go on (20 lines).
    expect((await post(unicef, [registration('UC-1', LINES, 'EX-UNICEF')])).status).toBe(202);
    // The deployment's own feeds are not an organisation's.
    expect(
      (
        await post(system.keys.producer, [
          exemptionGranted({ id: 'grant-EX-3', data: { exemptionId: 'EX-3' } }),
        ])
      ).status,
    ).toBe(202);
  });
  it("flags one organisation's events cause cost its own quota, not that of the organisation they are about", async () => {
    const kwp = system.credential({ role: 'producer', tenant: 'KWP', sources: ['*'] });
    const who = system.credential({ role: 'producer', tenant: 'WHO', sources: ['*'] });
    await grantEach(system, [
      ['EX-KWP', 'KWP'],
      ['EX-WHO', 'WHO'],
    ]);
    const own = (id: string, billOfLading: string, n: number, exemptionId: string) =>
      consignmentRegistered({
        id: `${id}/reg/${n}`,
        subject: id,
        time: `2024-03-01T00:${String(n).padStart(2, '0')}:00Z`,
        data: { consignmentId: id, exemptionId, billOfLading },
      });
    expect((await post(who, [own('WHO-1', 'BL-OF-WHO', 0, 'EX-WHO')])).status).toBe(202);
    // KWP's consignment cites WHO's bill of lading, then its own, again and again: every citation raises a
    // new duplicate-document flag about WHO's consignment (shown to WHO) and clears it at the next.
    const toggles = Array.from({ length: 40 }, (_, n) =>
      own('KWP-1', n % 2 === 0 ? 'BL-OF-WHO' : `BL-KWP-${n}`, n + 1, 'EX-KWP'),
    );
    expect((await post(kwp, toggles)).status).toBe(202);
    await eventually(
      async () => {
        const res = await post(kwp, [{ id: 'probe' }]);
        return res.status === 403 ? res : undefined;
      },
      60_000,
      'KWP refused for the flags its events caused',
    );
    // The read model folds them on its own subscription.
    const whoDashboard = system.credential({ role: 'dashboard', tenant: 'WHO' });
    await eventually(
      async () => {
        const seen = (await (
          await system.fetch(`${system.url}/flags?limit=1000&rule=duplicate-document`, { as: whoDashboard })
        ).json()) as { items: unknown[] };
        return seen.items.length >= 20 ? true : undefined;
      },
      30_000,
      'WHO shown the flags about its consignment',
    );
    // What caused them (KWP's stream) is not told to WHO, on its risk stream's metadata either.
    const stream = await (
      await system.fetch(`${system.url}/streams/risk-consignment-WHO-1?limit=100`, { as: whoDashboard })
    ).text();
    expect(stream).toContain('duplicate-document');
    expect(stream).not.toContain('KWP-1');
    const operatorView = await (
      await system.fetch(`${system.url}/streams/risk-consignment-WHO-1?limit=100`)
    ).text();
    expect(operatorView).toContain('consignment-KWP-1');
    // WHO was shown those flags, but did not cause them: its writes go on.
    expect((await post(who, [{ id: 'probe' }])).status).toBe(400);
  });
});

describe("an organisation's stored events are limited in all (LIMIT_TENANT_STORED_EVENTS)", () => {
  jest.setTimeout(60_000);
  let system: TestSystem;

  beforeAll(async () => {
    system = await startTestSystem({ LIMIT_TENANT_STORED_EVENTS: '5' });
  });
  afterAll(() => system?.stop());

  it("refuses (403) an organisation's writes once its consignments' streams hold that many events, and only its", async () => {
    const post = (as: string, events: unknown[]) => postBatch(system, as, events);
    const wfp = system.credential({ role: 'producer', tenant: 'WFP', sources: ['*'] });
    const unicef = system.credential({ role: 'producer', tenant: 'UNICEF', sources: ['*'] });
    await grantEach(system, [
      ['EX-W', 'WFP'],
      ['EX-U', 'UNICEF'],
    ]);
    const registrations = (prefix: string, exemptionId: string, n: number) =>
      Array.from({ length: n }, (_, i) =>
        consignmentRegistered({
          id: `reg-${prefix}-${i}`,
          subject: `${prefix}-${i}`,
          data: { consignmentId: `${prefix}-${i}`, exemptionId },
        }),
      );
    expect((await post(wfp, registrations('W', 'EX-W', 5))).status).toBe(202);
    const refused = await eventually(
      async () => {
        const res = await post(wfp, registrations('W2', 'EX-W', 1));
        return res.status === 403 ? res : undefined;
      },
      30_000,
      'WFP refused for its stored events',
    );
    expect(JSON.stringify(await refused.json())).toMatch(/LIMIT_TENANT_STORED_EVENTS/);
    expect((await post(unicef, registrations('U', 'EX-U', 2))).status).toBe(202);
    // Unknown data fields are kept, so an event's size is bounded on its own (LIMIT_TENANT_EVENT_BYTES).
    const [big] = registrations('U-BIG', 'EX-U', 1);
    // Forty fields under the text limit each (4,096 characters), 160 KB in all.
    const extra = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`s${i}`, 'x'.repeat(4000)]));
    const huge = await post(unicef, [{ ...big, data: { ...big.data, extra } }]);
    expect(huge.status).toBe(413);
    expect(JSON.stringify(await huge.json())).toMatch(/LIMIT_TENANT_EVENT_BYTES/);
  });
});

describe("an organisation's consignments aboard one vessel are limited (LIMIT_TENANT_CONSIGNMENTS_PER_VESSEL)", () => {
  jest.setTimeout(60_000);
  let system: TestSystem;
  beforeAll(async () => {
    system = await startTestSystem({ LIMIT_TENANT_CONSIGNMENTS_PER_VESSEL: '3' });
  });
  afterAll(() => system?.stop());

  it('refuses (403) the registration or load that would put one more of its consignments aboard, and only its', async () => {
    const wfp = system.credential({ role: 'producer', tenant: 'WFP', sources: ['*'] });
    const fao = system.credential({ role: 'producer', tenant: 'FAO', sources: ['*'] });
    await grantEach(system, [
      ['EX-W', 'WFP'],
      ['EX-F', 'FAO'],
    ]);
    const SHIP = '445117000';
    const on = (id: string, exemptionId: string, mmsi = SHIP) =>
      consignmentRegistered({
        id: `reg-${id}-${mmsi}`,
        subject: id,
        data: { consignmentId: id, exemptionId, vessel: { mmsi } },
      });
    const load = (id: string, mmsi = SHIP) =>
      consignmentLoaded({
        id: `load-${id}-${mmsi}`,
        subject: id,
        data: { consignmentId: id, vesselMmsi: mmsi },
      });
    expect((await postBatch(system, wfp, [on('W-1', 'EX-W'), on('W-2', 'EX-W')])).status).toBe(202);
    // Registered and loaded aboard the vessel it names: still one of three.
    expect((await postBatch(system, wfp, [load('W-1')])).status).toBe(202);
    const counted = async (status: number, events: unknown[], who = wfp) =>
      eventually(
        async () => ((await postBatch(system, who, events)).status === status ? true : undefined),
        10_000,
      );
    await counted(202, [on('W-3', 'EX-W')]);
    const refused = await postBatch(system, wfp, [on('W-4', 'EX-W')]);
    expect(refused.status).toBe(403);
    expect(JSON.stringify(await refused.json())).toMatch(/LIMIT_TENANT_CONSIGNMENTS_PER_VESSEL/);
    // Another vessel, and another organisation on the same vessel, are not held back.
    expect((await postBatch(system, wfp, [on('W-5', 'EX-W', '445999000')])).status).toBe(202);
    expect(
      (await postBatch(system, fao, [on('F-1', 'EX-F'), on('F-2', 'EX-F'), on('F-3', 'EX-F')])).status,
    ).toBe(202);
    // A discharge takes one off: there is room again.
    expect(
      (
        await postBatch(system, wfp, [
          consignmentDischarged({
            id: 'dis-W-1',
            subject: 'W-1',
            data: { consignmentId: 'W-1' },
          }),
        ])
      ).status,
    ).toBe(202);
    await counted(202, [on('W-4', 'EX-W')]);
  });
});

describe("an organisation's actions on alerts are limited per window (LIMIT_TENANT_ALERT_ACTIONS)", () => {
  jest.setTimeout(60_000);
  let system: TestSystem;
  beforeAll(async () => {
    system = await startTestSystem({ LIMIT_TENANT_ALERT_ACTIONS: '3' });
  });
  afterAll(() => system?.stop());

  it("counts its credentials' actions together; over it a 429 with Retry-After; operators are not counted", async () => {
    await grantEach(system, [['EX-W', 'WFP']]);
    const wfp = system.credential({ role: 'producer', tenant: 'WFP', sources: ['*'] });
    const outside = consignmentRegistered({
      id: 'reg-W-OUT',
      subject: 'W-OUT',
      data: {
        consignmentId: 'W-OUT',
        exemptionId: 'EX-W',
        items: [{ itemCode: 'X-1', hsCode: '9301.10', description: 'outside', quantity: 1, unit: 'kg' }],
      } as never,
    });
    expect((await postBatch(system, wfp, [outside])).status).toBe(202);
    const dashboards = [1, 2].map(() => system.credential({ role: 'dashboard', tenant: 'WFP' }));
    const alertId = await eventually(async () => {
      const res = await system.fetch(`${system.url}/alerts?consignmentId=W-OUT`, { as: dashboards[0] });
      const items = ((await res.json()) as { items: Array<{ alertId: string }> }).items;
      return items[0]?.alertId;
    });
    const comment = (as: string, n: number) =>
      system.fetch(`${system.url}/alerts/${alertId}/comments`, {
        method: 'POST',
        as,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ comment: `note ${n}` }),
      });
    const statuses = [];
    for (let n = 0; n < 4; n++) statuses.push((await comment(dashboards[n % 2], n)).status);
    expect(statuses).toEqual([201, 201, 201, 429]);
    const over = await comment(dashboards[1], 9);
    expect(over.status).toBe(429);
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(JSON.stringify(await over.json())).toMatch(/LIMIT_TENANT_ALERT_ACTIONS/);
    expect((await comment(system.keys.operator, 10)).status).toBe(201);
  });
});
