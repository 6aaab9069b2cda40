import {
  consignmentRegistered,
  deliveryRecorded,
  exemptionGranted,
  verificationReported,
} from '@aidwatch/domain/testing';
import { eventually, startTestSystem, type TestSystem } from './support/aidwatch-process';

/*
 * A delivery and a verification about a consignment that was never registered: shown as `unregistered` with
 * the quantities its events report, to operators only (a consignment's organisation comes from the exemption
 * its registration names), listed with `?status=unregistered`, counted by a metric; its registration, when it
 * comes, turns it into the consignment it would have been in order.
 */
let system: TestSystem;

const C = 'C-UNREG-1';
const EXEMPTION = 'EX-UNREG';
const ORG = 'World Food Programme';
const events = {
  granted: exemptionGranted({ id: 'unreg-granted', subject: EXEMPTION, data: { exemptionId: EXEMPTION } }),
  delivered: deliveryRecorded({ id: 'unreg-delivered', subject: C, data: { consignmentId: C } }),
  verified: verificationReported({ id: 'unreg-verified', subject: C, data: { consignmentId: C } }),
  registered: consignmentRegistered({
    id: 'unreg-registered',
    subject: C,
    data: { consignmentId: C, exemptionId: EXEMPTION, billOfLading: 'BL-UNREG-1' },
  }),
};

const post = (body: unknown[]) =>
  system.fetch(`${system.url}/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/cloudevents-batch+json' },
    body: JSON.stringify(body),
  });
const get = async (path: string, as?: string) => {
  const res = await system.fetch(`${system.url}${path}`, as === undefined ? {} : { as });
  return { status: res.status, body: (await res.json()) as any };
};
const listed = async (
  query: string,
  as?: string,
): Promise<Array<{ consignmentId: string; status: string }>> =>
  (await get(`/consignments${query}`, as)).body.items;
const unregisteredGauge = async () => {
  const text = await (await system.fetch(`${system.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('aidwatch_consignments_unregistered '));
  return line === undefined ? undefined : Number(line.split(' ')[1]);
};

describe('a consignment that was never registered, over HTTP', () => {
  jest.setTimeout(60_000);
  const keys = { dashboard: '', monitor: '' };
  let beforeRegistration: string;

  beforeAll(async () => {
    system = await startTestSystem();
    keys.dashboard = system.credential({ role: 'dashboard', tenant: ORG });
    keys.monitor = system.credential({ role: 'monitor', tenant: ORG, monitorId: 'MON-UNREGISTERED' });
    expect((await post([events.granted, events.delivered, events.verified])).status).toBe(202);
    await eventually(async () =>
      (await get(`/consignments/${C}`)).body.items?.some((i: { verified: unknown }) => i.verified !== null)
        ? true
        : undefined,
    );
  });
  afterAll(() => system?.stop());

  it('is shown to an operator as unregistered and held, with the quantities its events report', async () => {
    const { status, body } = await get(`/consignments/${C}`);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      consignmentId: C,
      status: 'unregistered',
      held: true,
      exemptionId: null,
      vessel: null,
    });
    expect(body.items).toEqual([
      expect.objectContaining({ itemCode: 'RUTF', registered: null, delivered: 1200, verified: 1180 }),
    ]);
  });

  it('is read by operators only: it has no organisation until its registration names the exemption', async () => {
    expect((await get(`/consignments/${C}`, keys.dashboard)).status).toBe(403);
    expect((await get(`/consignments/${C}`, keys.monitor)).status).toBe(403);
    expect((await get(`/consignments/${C}/timeline`, keys.dashboard)).status).toBe(403);
    expect((await listed('?status=unregistered', keys.dashboard)).map((c) => c.consignmentId)).toEqual([]);
  });

  it('is listed with ?status=unregistered, and a bad or unknown query parameter is still a 400', async () => {
    expect(await listed('?status=unregistered')).toEqual([
      expect.objectContaining({ consignmentId: C, status: 'unregistered' }),
    ]);
    expect(await listed('?status=verified')).toEqual([]);
    const bad = await get('/consignments?status=lost&colour=red');
    expect(bad.status).toBe(400);
    expect(bad.body.details.map((d: { field: string }) => d.field).sort()).toEqual(['colour', 'status']);
    expect((await get(`/consignments/${C}?colour=red`)).status).toBe(400);
  });

  it('is counted by detection while held', async () => {
    expect(await eventually(async () => ((await unregisteredGauge()) === 1 ? 1 : undefined))).toBe(1);
  });

  it('becomes its normal self the moment its registration arrives, and the audit trail keeps the before', async () => {
    await new Promise((resolve) => setTimeout(resolve, 20));
    beforeRegistration = new Date().toISOString();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect((await post([events.registered])).status).toBe(202);
    const now = await eventually(async () => {
      const { body } = await get(`/consignments/${C}`);
      return body.status === 'unregistered' ? undefined : body;
    });
    expect(now).toMatchObject({ status: 'verified', held: false, exemptionId: EXEMPTION });
    expect(now.items).toEqual([
      expect.objectContaining({ itemCode: 'FBF-SC', registered: 300, delivered: 0, verified: 0 }),
      expect.objectContaining({ itemCode: 'RUTF', registered: 4000, delivered: 1200, verified: 1180 }),
    ]);
    expect((await get(`/consignments/${C}`, keys.dashboard)).status).toBe(200);
    expect(await listed('?status=unregistered')).toEqual([]);
    expect((await listed('?status=verified', keys.dashboard)).map((c) => c.consignmentId)).toEqual([C]);
    expect((await get(`/consignments/${C}?asOf=${beforeRegistration}`)).body).toMatchObject({
      status: 'unregistered',
      asOf: beforeRegistration,
    });
    expect(await eventually(async () => ((await unregisteredGauge()) === 0 ? 0 : undefined))).toBe(0);
  });
});
