import {
  consignmentRegistered,
  exemptionGranted,
  vesselPosition,
  vesselStatic,
} from '@aidwatch/domain/testing';
import { eventually, startTestSystem, type TestSystem } from './support/aidwatch-process';

/**
 * GET /vessels/:mmsi, GET /me and the consignment list's filters, as two organisations see them: World
 * Food Programme ships on one vessel, UNICEF on another; each sees its own vessel and consignments only.
 */
describe('vessel pages, who am I, and the consignment search over HTTP', () => {
  jest.setTimeout(60_000);
  let system: TestSystem;
  const WFP_VESSEL = '445123000';
  const UNICEF_VESSEL = '445000001';

  beforeAll(async () => {
    system = await startTestSystem();
    const events = [
      exemptionGranted({ id: 'vx-wfp', subject: 'EX-VWFP', data: { exemptionId: 'EX-VWFP' } }),
      exemptionGranted({
        id: 'vx-unicef',
        subject: 'EX-VUNICEF',
        data: { exemptionId: 'EX-VUNICEF', implementingOrg: 'UNICEF' },
      }),
      consignmentRegistered({
        id: 'vx-c1',
        subject: 'C-V-WFP',
        data: { consignmentId: 'C-V-WFP', exemptionId: 'EX-VWFP', billOfLading: 'BL-V-1' },
      }),
      consignmentRegistered({
        id: 'vx-c2',
        subject: 'C-V-UNICEF',
        data: {
          consignmentId: 'C-V-UNICEF',
          exemptionId: 'EX-VUNICEF',
          billOfLading: 'BL-V-2',
          vessel: { mmsi: UNICEF_VESSEL, name: 'KUMGANG 3' },
        },
      }),
      vesselStatic({ id: 'vx-static', subject: WFP_VESSEL }),
      // Renamed later, then the old name reported once more out of order (earlier event time).
      vesselStatic({
        id: 'vx-static-renamed',
        subject: WFP_VESSEL,
        time: '2024-03-07T03:00:02Z',
        data: { name: 'SU SONG', at: '2024-03-07T03:00:00Z' },
      }),
      vesselStatic({
        id: 'vx-static-old',
        subject: WFP_VESSEL,
        time: '2024-03-05T09:00:02Z',
        data: { at: '2024-03-05T09:00:00Z' },
      }),
      vesselPosition({ id: 'vx-p1', subject: WFP_VESSEL }),
      vesselPosition({
        id: 'vx-p2',
        subject: WFP_VESSEL,
        time: '2024-03-06T05:00:05Z',
        data: { lat: 38.7, lon: 124.3, at: '2024-03-06T05:00:00Z' },
      }),
    ];
    const res = await system.fetch(`${system.url}/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/cloudevents-batch+json' },
      body: JSON.stringify(events),
    });
    expect(res.status).toBe(202);
    await eventually(async () => {
      const r = await system.fetch(`${system.url}/consignments?limit=100`);
      return ((await r.json()) as any).items.length >= 2 ? true : undefined;
    });
  });
  afterAll(async () => {
    await system?.stop();
  });

  const get = async (url: string, as?: string) => {
    const res = await system.fetch(`${system.url}${url}`, as ? { as } : {});
    return { status: res.status, body: (await res.json()) as any };
  };

  it('GET /me names role, tenant and label, never a secret', async () => {
    const key = system.credential({ role: 'dashboard', tenant: 'UNICEF', label: 'UNICEF desk' });
    const me = await get('/me', key);
    expect(me).toEqual({
      status: 200,
      body: {
        subject: expect.stringMatching(/^key:/),
        role: 'dashboard',
        tenant: 'UNICEF',
        label: 'UNICEF desk',
      },
    });
    expect(JSON.stringify(me.body)).not.toContain(key);
    // A monitor is told where it may write: its organisation's monitor namespace.
    const monitor = await get(
      '/me',
      system.credential({ role: 'monitor', tenant: 'UNICEF', monitorId: 'MON-U-1' }),
    );
    expect(monitor.body).toMatchObject({
      role: 'monitor',
      monitorId: 'MON-U-1',
      sources: ['/aidwatch/monitors/UNICEF', '/aidwatch/monitors/UNICEF/*'],
    });
    const operator = await get('/me');
    expect(operator.body).toMatchObject({ subject: expect.stringMatching(/^key:/), role: 'operator' });
    expect(operator.body.tenant).toBeUndefined();
    const producer = await get('/me', system.keys.producer);
    expect(producer.body.role).toBe('producer');
    // A producer key bound to a tenant names it, and the sources it may write under.
    const wfpProducer = system.credential({
      role: 'producer',
      tenant: 'World Food Programme',
      sources: ['/wfp/logistics'],
      label: 'WFP logistics feed',
    });
    expect((await get('/me', wfpProducer)).body).toEqual({
      subject: expect.stringMatching(/^key:/),
      role: 'producer',
      tenant: 'World Food Programme',
      sources: ['/wfp/logistics'],
      label: 'WFP logistics feed',
    });
  });

  it('GET /vessels/:mmsi: identity, track and consignments carried; a tenant sees only its own', async () => {
    const all = await get(`/vessels/${WFP_VESSEL}`);
    expect(all.status).toBe(200);
    // The newest name, and every name it reported, oldest first.
    expect(all.body).toMatchObject({
      mmsi: WFP_VESSEL,
      name: 'SU SONG',
      names: [
        { name: 'CHON MA SAN', from: '2024-03-05T03:00:00Z' },
        { name: 'SU SONG', from: '2024-03-07T03:00:00Z' },
      ],
      imo: expect.any(String),
      callsign: 'HMEQ',
    });
    expect(all.body.track).toEqual([
      [124.05, 38.62, '2024-03-06T04:00:00Z'],
      [124.3, 38.7, '2024-03-06T05:00:00Z'],
    ]);
    expect(all.body.consignments.map((c: any) => c.consignmentId)).toEqual(['C-V-WFP']);

    const wfp = system.credential({ role: 'dashboard', tenant: 'World Food Programme' });
    const unicef = system.credential({ role: 'dashboard', tenant: 'UNICEF' });
    expect((await get(`/vessels/${WFP_VESSEL}`, wfp)).body.consignments).toHaveLength(1);
    // UNICEF has nothing on the WFP vessel (and the reverse): 404, as for an unknown vessel.
    expect((await get(`/vessels/${WFP_VESSEL}`, unicef)).status).toBe(404);
    expect((await get(`/vessels/${UNICEF_VESSEL}`, wfp)).status).toBe(404);
    const own = await get(`/vessels/${UNICEF_VESSEL}`, unicef);
    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({ mmsi: UNICEF_VESSEL, name: 'KUMGANG 3', track: [] });
    expect(own.body.consignments.map((c: any) => c.consignmentId)).toEqual(['C-V-UNICEF']);
    expect((await get('/vessels/999999999')).status).toBe(404);
    expect((await get('/vessels/abc')).status).toBe(400);
    const monitor = system.credential({ role: 'monitor', tenant: 'UNICEF', monitorId: 'MON-1' });
    expect((await get(`/vessels/${UNICEF_VESSEL}`, monitor)).status).toBe(403);
  });

  it('GET /consignments filters by exemption, vessel and text, within the caller’s organisation', async () => {
    const ids = async (query: string, as?: string) =>
      (await get(`/consignments?${query}`, as)).body.items.map((c: any) => c.consignmentId).sort();
    expect(await ids(`mmsi=${UNICEF_VESSEL}`)).toEqual(['C-V-UNICEF']);
    expect(await ids('exemptionId=EX-VWFP')).toEqual(['C-V-WFP']);
    expect(await ids('q=kumgang')).toEqual(['C-V-UNICEF']);
    // A port by its code or by its name (the port reference list).
    const fromDalian = await ids('q=CNDLC');
    expect(fromDalian.length).toBeGreaterThan(0);
    expect(await ids('q=dalian')).toEqual(fromDalian);
    expect(await ids('q=c-v-')).toEqual(['C-V-UNICEF', 'C-V-WFP']);
    const wfp = system.credential({ role: 'dashboard', tenant: 'World Food Programme' });
    expect(await ids('q=c-v-', wfp)).toEqual(['C-V-WFP']);
    expect(await ids(`mmsi=${UNICEF_VESSEL}`, wfp)).toEqual([]);
    expect((await get('/consignments?mmsi=12')).status).toBe(400);
  });
});
