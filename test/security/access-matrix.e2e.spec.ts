import type { Role } from '@aidwatch/access';
import { EventTypes, type AidEvent } from '@aidwatch/domain';
import { DemoCast, demoScenario } from '../../apps/aidwatch/src/demo/demo-scenario';
import { eventually, startTestSystem, type TestSystem } from '../support/aidwatch-process';
import { SseClient } from '../support/sse-client';

/**
 * The role × tenant × endpoint matrix, generated from the table below and run against the real HTTP
 * server with the demo data (five implementing organisations). Each cell proves one of: allowed, 401,
 * 403, or filtered (a list or stream that holds only the caller's tenant's items). The tenant-bound roles
 * read another tenant's data in no cell: every such cell is a 403 or filters it out.
 */
type Outcome = 'allowed' | 'forbidden' | 'filtered';
type Who = Role | 'anonymous';
interface Target {
  /** own: a resource of the caller's tenant; other: of the other tenant. */
  path: (tenant: 'own' | 'other') => string;
  method?: 'GET' | 'POST' | 'DELETE';
  body?: (tenant: 'own' | 'other') => unknown;
  /** Expected outcome per role (anonymous is always 401, except public routes). */
  roles: Partial<Record<Role, Outcome | { own: Outcome; other: Outcome }>>;
  /** For `filtered` cells: the tenants each item of a 200 answer concerns. */
  tenantsIn?: (body: unknown) => string[][];
  public?: boolean;
}

const events = demoScenario() as AidEvent[];
const orgOfExemption = new Map<string, string>();
const tenantOfConsignment = new Map<string, string>();
for (const e of events) {
  if (e.type === EventTypes.ExemptionGranted) orgOfExemption.set(e.data.exemptionId, e.data.implementingOrg);
  if (e.type === EventTypes.ConsignmentRegistered)
    tenantOfConsignment.set(e.data.consignmentId, orgOfExemption.get(e.data.exemptionId)!);
}
const OWN = tenantOfConsignment.get(DemoCast.carriedConsignment)!;
const OTHER = [...new Set(orgOfExemption.values())].find((t) => t !== OWN)!;
const tenantName = (t: 'own' | 'other') => (t === 'own' ? OWN : OTHER);
const consignmentOf = (t: 'own' | 'other') =>
  [...tenantOfConsignment].find(([, tenant]) => tenant === tenantName(t))![0];
const exemptionOf = (t: 'own' | 'other') => [...orgOfExemption].find(([, org]) => org === tenantName(t))![0];
const flagTenants = (flag: { consignmentIds: string[] }) =>
  flag.consignmentIds.map((id) => tenantOfConsignment.get(id) ?? '?');

const table: Record<string, Target> = {
  'GET /health': { path: () => '/health', roles: {}, public: true },
  'GET /metrics': { path: () => '/metrics', roles: { operator: 'allowed' } },
  'GET /flags': {
    path: () => '/flags?limit=10000',
    roles: { dashboard: 'filtered', operator: 'allowed' },
    tenantsIn: (b) => (b as { items: Array<{ consignmentIds: string[] }> }).items.map(flagTenants),
  },
  'GET /consignments': {
    path: () => '/consignments?limit=10000',
    roles: { dashboard: 'filtered', monitor: 'filtered', operator: 'allowed' },
    tenantsIn: (b) =>
      (b as { items: Array<{ consignmentId: string }> }).items.map((c) => [
        tenantOfConsignment.get(c.consignmentId)!,
      ]),
  },
  'GET /consignments/:id': {
    path: (t) => `/consignments/${consignmentOf(t)}`,
    roles: {
      dashboard: { own: 'allowed', other: 'forbidden' },
      monitor: { own: 'allowed', other: 'forbidden' },
      operator: 'allowed',
    },
  },
  'GET /consignments/:id/timeline': {
    path: (t) => `/consignments/${consignmentOf(t)}/timeline`,
    roles: {
      dashboard: { own: 'allowed', other: 'forbidden' },
      monitor: { own: 'allowed', other: 'forbidden' },
      operator: 'allowed',
    },
  },
  'GET /streams/consignment-:id': {
    path: (t) => `/streams/consignment-${consignmentOf(t)}`,
    roles: { dashboard: { own: 'allowed', other: 'forbidden' }, operator: 'allowed' },
  },
  'GET /streams/exemption-:id': {
    path: (t) => `/streams/exemption-${exemptionOf(t)}`,
    roles: { dashboard: { own: 'allowed', other: 'forbidden' }, operator: 'allowed' },
  },
  'GET /streams/risk-vessel-:mmsi': {
    path: () => `/streams/risk-vessel-${DemoCast.carrier}`,
    roles: { dashboard: 'filtered', operator: 'allowed' },
    tenantsIn: (b) =>
      (b as { events: Array<{ event: { data: { consignmentIds: string[] } } }> }).events.map((e) =>
        flagTenants(e.event.data),
      ),
  },
  'GET /streams/vessel-:mmsi': {
    path: () => `/streams/vessel-${DemoCast.carrier}?limit=5`,
    roles: { dashboard: 'forbidden', operator: 'allowed' },
  },
  'GET /audit/verify': { path: () => '/audit/verify', roles: { operator: 'allowed' } },
  'GET /admin/keys': { path: () => '/admin/keys', roles: { admin: 'allowed' } },
  'POST /admin/keys': {
    path: () => '/admin/keys',
    method: 'POST',
    body: (t) => ({ role: 'dashboard', tenant: tenantName(t) }),
    roles: { admin: 'allowed' },
  },
  'DELETE /admin/keys/:id': {
    path: () => `/admin/keys/${throwawayKeyId}`,
    method: 'DELETE',
    roles: { admin: 'allowed' },
  },
  'POST /events (verification of a consignment)': {
    path: () => '/events',
    method: 'POST',
    body: (t) => verification(consignmentOf(t)),
    roles: { monitor: { own: 'allowed', other: 'forbidden' }, producer: 'forbidden' },
  },
  'POST /ais/nmea': {
    path: () => '/ais/nmea?station=matrix',
    method: 'POST',
    body: () => '!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A',
    roles: {},
  },
};

let seq = 0;
let throwawayKeyId = '';
function verification(consignmentId: string) {
  return {
    specversion: '1.0',
    id: `matrix-verification-${++seq}`,
    source: `/matrix/monitor`,
    type: EventTypes.VerificationReported,
    time: '2026-10-01T00:00:00Z',
    subject: consignmentId,
    datacontenttype: 'application/json',
    data: {
      verificationId: `V-matrix-${seq}`,
      consignmentId,
      siteId: 'S-1',
      monitorId: 'MON-MATRIX',
      lat: 39,
      lon: 125,
      finding: 'consistent',
      observed: [],
      at: '2026-10-01T00:00:00Z',
    },
  };
}

const roles: Who[] = ['anonymous', 'producer', 'monitor', 'dashboard', 'operator', 'admin'];

describe('access matrix: every endpoint × role × own/other tenant, against the real HTTP server', () => {
  jest.setTimeout(120_000);
  let system: TestSystem;
  const keys = new Map<string, string>();
  const cells: Array<{ endpoint: string; who: Who; tenant: 'own' | 'other'; outcome: string }> = [];

  beforeAll(async () => {
    system = await startTestSystem({ DEMO: 'true', RATE_LIMIT_REQUESTS: '100000' });
    keys.set(
      'producer',
      system.credential({ role: 'producer', tenant: OWN, sources: ['/somewhere/else/*'] }),
    );
    keys.set(
      'monitor',
      system.credential({
        role: 'monitor',
        tenant: OWN,
        monitorId: 'MON-MATRIX',
        sources: ['/matrix/monitor'],
      }),
    );
    keys.set('dashboard', system.credential({ role: 'dashboard', tenant: OWN }));
    keys.set('operator', system.keys.operator);
    keys.set('admin', system.keys.admin);
    const throwaway = system.credential({ role: 'dashboard', tenant: OTHER });
    throwawayKeyId = throwaway.split('_')[1];
    await eventually(
      async () => {
        const res = await system.fetch(`${system.url}/flags?limit=10000`);
        const items = ((await res.json()) as { items: Array<{ rule: string }> }).items;
        return items.some((f) => f.rule === 'encounter') ? true : undefined;
      },
      90_000,
      'the demo flags',
    );
  });
  afterAll(async () => {
    await system?.stop();
  });

  const call = (target: Target, who: Who, tenant: 'own' | 'other') => {
    const body = target.body?.(tenant);
    return system.fetch(`${system.url}${target.path(tenant)}`, {
      method: target.method ?? 'GET',
      as: who === 'anonymous' ? null : keys.get(who)!,
      ...(body === undefined
        ? {}
        : typeof body === 'string'
          ? { body, headers: { 'content-type': 'text/plain' } }
          : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    });
  };

  for (const [endpoint, target] of Object.entries(table)) {
    for (const who of roles) {
      for (const tenant of ['own', 'other'] as const) {
        const rule = who === 'anonymous' ? undefined : target.roles[who];
        const expected: Outcome | 'unauthenticated' = target.public
          ? 'allowed'
          : who === 'anonymous'
            ? 'unauthenticated'
            : rule === undefined
              ? 'forbidden'
              : typeof rule === 'string'
                ? rule
                : rule[tenant];
        it(`${endpoint} as ${who} (${tenant} tenant): ${expected}`, async () => {
          const res = await call(target, who, tenant);
          const status = res.status;
          if (expected === 'unauthenticated') expect(status).toBe(401);
          else if (expected === 'forbidden') expect(status).toBe(403);
          else expect(status).toBeLessThan(300);
          if (expected === 'filtered') {
            // Each item concerns the caller's tenant (a vessel flag may name other tenants' aid on board too).
            const items = target.tenantsIn!(await res.json());
            expect(items.length).toBeGreaterThan(0);
            for (const tenants of items) expect(tenants).toContain(OWN);
          }
          cells.push({ endpoint, who, tenant, outcome: String(status) });
        });
      }
    }
  }

  it('shows a dashboard only flags that concern its tenant (a vessel flag: when its aid is on board)', async () => {
    const res = await system.fetch(`${system.url}/flags?limit=10000`, { as: keys.get('dashboard')! });
    const items = (
      (await res.json()) as { items: Array<{ consignmentIds: string[]; subject: { kind: string } }> }
    ).items;
    expect(items.length).toBeGreaterThan(0);
    for (const flag of items) expect(flagTenants(flag)).toContain(OWN);
    expect(items.some((f) => f.subject.kind === 'vessel')).toBe(true);
    const all = (
      (await (await system.fetch(`${system.url}/flags?limit=10000`)).json()) as { items: unknown[] }
    ).items;
    expect(all.length).toBeGreaterThan(items.length);
  });

  it('streams to a dashboard only its tenant’s flag events (SSE), and to an operator all of them', async () => {
    const read = async (key: string) => {
      const sse = new SseClient(`${system.url}/alerts/stream?after=0`, system.auth(key));
      await sse.open();
      await new Promise((r) => setTimeout(r, 1500));
      await sse.close();
      return sse.frames.filter((f) => f.event?.startsWith('aidwatch.flag.'));
    };
    const mine = await read(keys.get('dashboard')!);
    const all = await read(system.keys.operator);
    expect(mine.length).toBeGreaterThan(0);
    expect(all.length).toBeGreaterThan(mine.length);
    for (const frame of mine) {
      const flag = (JSON.parse(frame.data) as { data: { consignmentIds: string[] } }).data;
      expect(flagTenants(flag)).toContain(OWN);
    }
  });

  it('answers 401 on every route, listed or not, but health, the console static files, its icon and the API docs', async () => {
    const router = (
      system.app.getHttpAdapter().getInstance() as {
        router: { stack: Array<{ route?: { path: string; methods: Record<string, boolean> } }> };
      }
    ).router;
    const routes = router.stack.flatMap((layer) =>
      layer.route
        ? Object.keys(layer.route.methods).map((m) => ({ method: m.toUpperCase(), path: layer.route!.path }))
        : [],
    );
    expect(routes.length).toBeGreaterThan(10);
    for (const { method, path } of routes) {
      // Public on purpose: health, the console's static files and icon (no data; it asks for a key), the API docs.
      if (/^\/(health|console|docs|favicon\.ico$)/.test(path)) continue;
      const concrete = path.replace(/:(\w+)/g, 'x');
      const res = await fetch(`${system.url}${concrete}`, { method });
      expect({ method, path, status: res.status }).toEqual({ method, path, status: 401 });
    }
  });

  it('proves every cell (the matrix ran in full)', () => {
    expect(cells.length).toBe(Object.keys(table).length * roles.length * 2);
  });
});
