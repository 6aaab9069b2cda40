import type { Role } from '@aidwatch/access';
import {
  consignmentRegistered,
  exemptionGranted,
  SampleBuilders,
  verificationReported,
} from '@aidwatch/domain/testing';
import {
  CatalogueEntries,
  EventTypes,
  streamOf,
  type AidEvent,
  type InboundEventType,
} from '@aidwatch/domain';
import { eventually, startTestSystem, type TestSystem } from '../support/aidwatch-process';
import type { Flag } from '@aidwatch/domain';
import { EVENT_STORE, type EventStore } from '@aidwatch/event-store';
import { flagRaisedEvent, flagWrites } from '@aidwatch/projections';
import { SseClient } from '../support/sse-client';
import { shrinkageStory } from '../support/stories';

/**
 * Cross-tenant cases (issue "Isolation between organisations"), against the real HTTP server: two
 * implementing organisations, A (the attacker, holding legitimate credentials of its own) and B. Every
 * case is refused and changes nothing; the owner's reads keep working.
 */
const ORG_A = 'Organisation A';
const ORG_B = 'Organisation B';
const E_A = 'EX-A-1';
const E_B = 'EX-B-1';
const C_A = 'CSG-A-1';
const C_B = 'CSG-B-1';
const C_MOVE = 'CSG-B-2';
/** The source namespaces of the two organisations' monitors (credentials without sources of their own). */
const NAMESPACE_A = `/aidwatch/monitors/${encodeURIComponent(ORG_A)}`;
const NAMESPACE_B = `/aidwatch/monitors/${encodeURIComponent(ORG_B)}`;
/** The committee's sources in this deployment (`COMMITTEE_SOURCES`); the samples' grants come from there. */
const COMMITTEE_SOURCES = '/un/sc/*';
const COMMITTEE_SOURCE = '/un/sc/1718-committee';
/** `LIMIT_SILENCES_PER_TENANT` of this deployment (default 1000). */
const SILENCE_LIMIT = 4;

describe('isolation between organisations', () => {
  jest.setTimeout(60_000);
  let system: TestSystem;
  const key = new Map<string, string>();
  const as = (who: string) => {
    const token = key.get(who);
    if (token === undefined) throw new Error(`no credential named ${who}`);
    return token;
  };
  let seq = 0;

  const post = (who: string, path: string, body: unknown) =>
    system.fetch(`${system.url}${path}`, {
      method: 'POST',
      as: as(who),
      body: JSON.stringify(body),
      headers: { 'content-type': 'application/json' },
    });
  const get = (who: string, path: string) => system.fetch(`${system.url}${path}`, { as: as(who) });

  beforeAll(async () => {
    system = await startTestSystem({
      RATE_LIMIT_REQUESTS: '100000',
      WEBHOOK_PRIVATE_TARGETS: 'true',
      COMMITTEE_SOURCES: COMMITTEE_SOURCES,
      LIMIT_SILENCES_PER_TENANT: String(SILENCE_LIMIT),
    });
    const credentials: Array<
      [string, { role: Role; tenant?: string; sources?: string[]; monitorId?: string }]
    > = [
      ['relay', { role: 'producer', sources: ['*'] }],
      ['committee', { role: 'producer', sources: [COMMITTEE_SOURCES] }],
      ['producerA', { role: 'producer', tenant: ORG_A, sources: ['*'] }],
      ['producerB', { role: 'producer', tenant: ORG_B, sources: ['*'] }],
      ['dashboardA', { role: 'dashboard', tenant: ORG_A }],
      ['dashboardB', { role: 'dashboard', tenant: ORG_B }],
      ['monitorA', { role: 'monitor', tenant: ORG_A, monitorId: 'MON-A' }],
      ['monitorB', { role: 'monitor', tenant: ORG_B, monitorId: 'MON-B' }],
      ['operator', { role: 'operator' }],
    ];
    for (const [name, grant] of credentials) key.set(name, system.credential(grant));
    const story = [
      exemptionGranted({ id: 'g-a', data: { exemptionId: E_A, implementingOrg: ORG_A } }),
      exemptionGranted({ id: 'g-b', data: { exemptionId: E_B, implementingOrg: ORG_B } }),
      consignmentRegistered({ id: 'r-a', subject: C_A, data: { consignmentId: C_A, exemptionId: E_A } }),
      consignmentRegistered({ id: 'r-b', subject: C_B, data: { consignmentId: C_B, exemptionId: E_B } }),
      consignmentRegistered({
        id: 'r-b2',
        subject: C_MOVE,
        data: { consignmentId: C_MOVE, exemptionId: E_B },
      }),
    ];
    const res = await post('relay', '/events', story);
    expect(res.status).toBe(202);
    await eventually(async () =>
      (await get('dashboardB', `/consignments/${C_MOVE}`)).ok ? true : undefined,
    );
  });
  afterAll(async () => {
    await system?.stop();
  });

  const ownerReadsStillWork = async () => {
    expect((await get('dashboardB', `/consignments/${C_B}`)).status).toBe(200);
    expect((await get('dashboardA', `/consignments/${C_B}`)).status).toBe(403);
    expect((await get('dashboardA', `/streams/exemption-${E_B}`)).status).toBe(403);
  };

  describe('takeover by grant or registration is refused (403) and changes nothing', () => {
    const takeovers: Array<[string, string, () => unknown]> = [
      [
        "A's producer grants B's exemption to A",
        'producerA',
        () =>
          exemptionGranted({ id: `takeover-${++seq}`, data: { exemptionId: E_B, implementingOrg: ORG_A } }),
      ],
      [
        "a trusted relay grants B's exemption to A",
        'relay',
        () =>
          exemptionGranted({ id: `takeover-${++seq}`, data: { exemptionId: E_B, implementingOrg: ORG_A } }),
      ],
      [
        "A's producer re-registers B's consignment under A's exemption",
        'producerA',
        () =>
          consignmentRegistered({
            id: `takeover-${++seq}`,
            subject: C_B,
            data: { consignmentId: C_B, exemptionId: E_A },
          }),
      ],
      [
        "a trusted relay re-registers B's consignment under A's exemption",
        'relay',
        () =>
          consignmentRegistered({
            id: `takeover-${++seq}`,
            subject: C_B,
            data: { consignmentId: C_B, exemptionId: E_A },
          }),
      ],
      [
        "A's producer registers a new consignment under B's exemption",
        'producerA',
        () =>
          consignmentRegistered({
            id: `takeover-${++seq}`,
            subject: 'CSG-NEW',
            data: { consignmentId: 'CSG-NEW', exemptionId: E_B },
          }),
      ],
      [
        'a batch grants a new exemption to A, then to B',
        'relay',
        () => [
          exemptionGranted({
            id: `takeover-${++seq}`,
            data: { exemptionId: 'EX-NEW', implementingOrg: ORG_A },
          }),
          exemptionGranted({
            id: `takeover-${++seq}`,
            data: { exemptionId: 'EX-NEW', implementingOrg: ORG_B },
          }),
        ],
      ],
    ];
    for (const [name, who, body] of takeovers)
      it(name, async () => {
        const res = await post(who, '/events', body());
        expect(res.status).toBe(403);
        await ownerReadsStillWork();
      });

    it("lets the committee amend B's exemption, never B's own producer (grants are the committee's)", async () => {
      const amendment = () =>
        exemptionGranted({
          id: `amend-${++seq}`,
          source: COMMITTEE_SOURCE,
          data: { exemptionId: E_B, implementingOrg: ORG_B, projectTitle: 'Amended' },
        });
      expect((await post('producerB', '/events', amendment())).status).toBe(403);
      expect((await post('committee', '/events', amendment())).status).toBe(202);
      await ownerReadsStillWork();
    });
  });

  describe('monitors speak only as themselves, under their organisation’s sources', () => {
    const visit = (id: string, source: string, consignmentId: string, monitorId: string) =>
      verificationReported({ id, source, subject: consignmentId, data: { consignmentId, monitorId } });

    it("B's monitor reports on B's consignment under B's namespace (202)", async () => {
      expect((await post('monitorB', '/events', visit('b-visit-1', NAMESPACE_B, C_B, 'MON-B'))).status).toBe(
        202,
      );
    });

    it('A monitor reporting as another monitor of its organisation, or of another, is refused (403)', async () => {
      expect((await post('monitorA', '/events', visit('a-visit-x', NAMESPACE_A, C_A, 'MON-A2'))).status).toBe(
        403,
      );
      expect((await post('monitorA', '/events', visit('a-visit-y', NAMESPACE_A, C_B, 'MON-B'))).status).toBe(
        403,
      );
    });

    it("squatting B's source is refused alike for an id B used and one it did not: no existence oracle", async () => {
      const taken = await post('monitorA', '/events', visit('b-visit-1', NAMESPACE_B, C_A, 'MON-A'));
      const free = await post('monitorA', '/events', visit('b-visit-2', NAMESPACE_B, C_A, 'MON-A'));
      expect([taken.status, free.status]).toEqual([403, 403]);
      const reason = (body: unknown) =>
        JSON.stringify((body as { details: unknown[] }).details.map((d) => (d as { reason: string }).reason));
      expect(reason(await taken.json())).toEqual(reason(await free.json()));
      // The genuine event is still B's to send (no 409 caused by A).
      expect((await post('monitorB', '/events', visit('b-visit-2', NAMESPACE_B, C_B, 'MON-B'))).status).toBe(
        202,
      );
    });

    it('a monitor key without monitorId cannot be created (400) and a tenant-bound key needs its tenant', async () => {
      const create = (body: unknown) =>
        system.fetch(`${system.url}/admin/keys`, {
          method: 'POST',
          as: system.keys.admin,
          body: JSON.stringify(body),
          headers: { 'content-type': 'application/json' },
        });
      expect((await create({ role: 'monitor', tenant: ORG_A })).status).toBe(400);
      expect((await create({ role: 'dashboard' })).status).toBe(400);
      expect((await create({ role: 'monitor', tenant: ORG_A, monitorId: 'MON-A9' })).status).toBe(201);
    });
  });

  describe('silences and inhibitions stay inside their organisation', () => {
    const store = () => system.app.get<EventStore>(EVENT_STORE);
    const flag = (fingerprint: string, overrides: Partial<Flag>): Flag => ({
      flagId: `${fingerprint}-1`,
      fingerprint,
      rule: 'encounter',
      severity: 'high',
      subject: { kind: 'vessel', id: '412000001' },
      consignmentIds: [C_A, C_B],
      observed: {},
      threshold: {},
      evidence: [`${fingerprint}-evidence`],
      explanation: `Vessel 412000001 carrying ${C_A} and ${C_B} met a designated vessel.`,
      raisedAt: '2026-10-01T00:00:00Z',
      ...overrides,
    });
    const raise = async (f: Flag) => {
      await store().appendMany(flagWrites([flagRaisedEvent(f)]));
      await eventually(async () =>
        (await get('operator', `/alerts/${f.fingerprint}`)).ok ? true : undefined,
      );
    };
    const silence = async (who: string) => {
      const res = await post(who, '/silences', {
        matchers: [{ name: 'vessel', value: '412000001' }],
        endsAt: new Date(Date.now() + 3_600_000).toISOString(),
        comment: `${who} mutes the vessel`,
      });
      expect(res.status).toBe(201);
      return ((await res.json()) as { silenceId: string }).silenceId;
    };
    const alertAs = async (who: string, id: string) =>
      (await (await get(who, `/alerts/${id}`)).json()) as { silencedBy: string[]; inhibitedBy: string[] };

    it("A's silence mutes A's webhook delivery of a shared vessel alert, never B's, and B never sees it", async () => {
      const subscribe = async (who: string) => {
        const res = await post(who, '/subscriptions', {
          url: `http://127.0.0.1:9/${who}`,
          filters: { vessel: ['412000001'] },
        });
        expect(res.status).toBe(201);
        return ((await res.json()) as { subscriptionId: string }).subscriptionId;
      };
      const subA = await subscribe('dashboardA');
      const subB = await subscribe('dashboardB');
      const silenceA = await silence('dashboardA');
      await raise(flag('a1b2c3d4e5f60718293a4b5c6d7e8f90', {}));
      const deliveries = async (id: string) =>
        ((await (await get('operator', `/subscriptions/${id}/deliveries`)).json()) as { items: unknown[] })
          .items;
      await eventually(async () => ((await deliveries(subB)).length > 0 ? true : undefined), 20_000);
      expect(await deliveries(subA)).toEqual([]);
      expect((await alertAs('dashboardA', 'a1b2c3d4e5f60718293a4b5c6d7e8f90')).silencedBy).toEqual([
        silenceA,
      ]);
      expect((await alertAs('dashboardB', 'a1b2c3d4e5f60718293a4b5c6d7e8f90')).silencedBy).toEqual([]);
      const listed = (await (await get('dashboardB', '/silences')).json()) as {
        items: Array<{ silenceId: string }>;
      };
      expect(listed.items.map((x) => x.silenceId)).not.toContain(silenceA);
      expect(
        (await system.fetch(`${system.url}/silences/${silenceA}`, { method: 'DELETE', as: as('dashboardB') }))
          .status,
      ).toBe(404);
    });

    it('refuses C1 controls, line/paragraph separators and tag characters in comments, notes and silence comments', async () => {
      const alertId = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
      const history = async () =>
        JSON.stringify(
          ((await (await get('operator', `/alerts/${alertId}`)).json()) as { history: unknown }).history,
        );
      const before = await history();
      for (const bad of [
        'seen\u0085twice',
        'line\u2028break',
        'para\u2029break',
        'tag\u{e0041}',
        'ret\rurn',
        'csi\u009b2J',
      ]) {
        expect([
          bad,
          (await post('operator', `/alerts/${alertId}/comments`, { comment: bad })).status,
        ]).toEqual([bad, 400]);
        expect([
          bad,
          (await post('operator', `/alerts/${alertId}/acknowledge`, { note: bad })).status,
        ]).toEqual([bad, 400]);
        const silenced = await post('operator', '/silences', {
          matchers: [{ name: 'vessel', value: '412000009' }],
          endsAt: new Date(Date.now() + 3_600_000).toISOString(),
          comment: bad,
        });
        expect([bad, silenced.status]).toEqual([bad, 400]);
      }
      expect(await history()).toEqual(before);
      // Ordinary writing keeps its line breaks and joiners.
      expect(
        (
          await post('operator', `/alerts/${alertId}/comments`, {
            comment: 'called\r\nthe site; می\u200cخواهم',
          })
        ).status,
      ).toBe(201);
    });

    it('holds an organisation to LIMIT_SILENCES_PER_TENANT unexpired silences; others are not held up', async () => {
      const held = (await (await get('dashboardB', '/silences')).json()) as {
        items: Array<{ state: string }>;
      };
      const ids: string[] = [];
      for (let i = held.items.filter((x) => x.state !== 'expired').length; i < SILENCE_LIMIT; i++)
        ids.push(await silence('dashboardB'));
      const beyond = await post('dashboardB', '/silences', {
        matchers: [{ name: 'vessel', value: '412000001' }],
        endsAt: new Date(Date.now() + 3_600_000).toISOString(),
        comment: 'one too many',
      });
      expect(beyond.status).toBe(409);
      expect(((await beyond.json()) as { error: string }).error).toContain('LIMIT_SILENCES_PER_TENANT');
      // Another organisation's count is its own.
      await silence('dashboardA');
      // Expiring one frees a place.
      const expired = await system.fetch(`${system.url}/silences/${ids[0]}`, {
        method: 'DELETE',
        as: as('dashboardB'),
      });
      expect(expired.status).toBe(200);
      await silence('dashboardB');
    });

    it("filters cannot probe another organisation's identifiers on a shared alert (no existence oracle)", async () => {
      const ids = async (who: string, query: string) =>
        (
          (await (await get(who, `/alerts?${query}`)).json()) as { items: Array<{ alertId: string }> }
        ).items.map((a) => a.alertId);
      const shared = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
      expect(await ids('dashboardA', `consignmentId=${C_A}`)).toContain(shared);
      expect(await ids('dashboardA', `consignmentId=${C_B}`)).toEqual([]);
      expect(await ids('dashboardA', `organisation=${encodeURIComponent(ORG_B)}`)).toEqual([]);
      expect(await ids('dashboardA', `exemptionId=${E_B}`)).toEqual([]);
      expect(await ids('operator', `consignmentId=${C_B}`)).toContain(shared);
    });

    it("A's access denial at a site of B's exemption does not inhibit B's verification-overdue there", async () => {
      const site = { siteId: 'KP-SHW-SARIWON-PH' };
      await raise(
        flag('0badc0de0badc0de0badc0de0badc0de', {
          rule: 'access-denied',
          subject: { kind: 'consignment', id: C_A },
          consignmentIds: [C_A],
          observed: site,
        }),
      );
      await raise(
        flag('feedfacefeedfacefeedfacefeedface', {
          rule: 'verification-overdue',
          subject: { kind: 'consignment', id: C_B },
          consignmentIds: [C_B],
          observed: site,
        }),
      );
      expect((await alertAs('operator', 'feedfacefeedfacefeedfacefeedface')).inhibitedBy).toEqual([]);
      expect((await alertAs('dashboardB', 'feedfacefeedfacefeedfacefeedface')).inhibitedBy).toEqual([]);
    });
  });

  it('ends an open alert stream within seconds of its key being revoked', async () => {
    const key = system.credential({ role: 'dashboard', tenant: ORG_B });
    const sse = new SseClient(`${system.url}/alerts/stream`, system.auth(key));
    await sse.open();
    expect(sse.status).toBe(200);
    const revoked = await system.fetch(`${system.url}/admin/keys/${key.split('_')[1]}`, {
      method: 'DELETE',
      as: system.keys.admin,
    });
    expect(revoked.status).toBe(204);
    const started = Date.now();
    const ended = await Promise.race([
      sse.ended!.then(() => true),
      new Promise<boolean>((r) => setTimeout(() => r(false), 8_000)),
    ]);
    await sse.close();
    expect(ended).toBe(true);
    expect(Date.now() - started).toBeLessThan(8_000);
    expect(sse.frames.some((f) => f.event === 'error' && f.data.includes('revoked'))).toBe(true);
  });

  it('stops the webhook subscriptions of a revoked key; another key of the organisation keeps its own', async () => {
    const story = shrinkageStory('revocation');
    const org = 'World Food Programme';
    const revokedKey = system.credential({ role: 'dashboard', tenant: org });
    const keptKey = system.credential({ role: 'dashboard', tenant: org });
    const subscribe = async (key: string, name: string) => {
      const res = await system.fetch(`${system.url}/subscriptions`, {
        method: 'POST',
        as: key,
        body: JSON.stringify({ url: `http://127.0.0.1:9/${name}` }),
        headers: { 'content-type': 'application/json' },
      });
      expect(res.status).toBe(201);
      return ((await res.json()) as { subscriptionId: string }).subscriptionId;
    };
    const revokedSubscription = await subscribe(revokedKey, 'revoked');
    const keptSubscription = await subscribe(keptKey, 'kept');
    const revoke = await system.fetch(`${system.url}/admin/keys/${revokedKey.split('_')[1]}`, {
      method: 'DELETE',
      as: system.keys.admin,
    });
    expect(revoke.status).toBe(204);
    expect((await post('relay', '/events', story.events)).status).toBe(202);
    const deliveries = async (id: string) =>
      ((await (await get('operator', `/subscriptions/${id}/deliveries`)).json()) as { items: unknown[] })
        .items;
    await eventually(
      async () => ((await deliveries(keptSubscription)).length > 0 ? true : undefined),
      30_000,
    );
    expect(await deliveries(revokedSubscription)).toEqual([]);
  });

  describe('the operator transfer', () => {
    const transfer = { consignmentId: C_MOVE, toExemptionId: E_A, reason: 'B handed the shipment over to A' };

    it.each(['producerA', 'dashboardA', 'dashboardB', 'monitorA'])('is refused to %s (403)', async (who) => {
      expect((await post(who, '/admin/ownership/transfers', transfer)).status).toBe(403);
    });

    it('answers 400 for a malformed transfer and 404 for an unknown subject', async () => {
      expect((await post('operator', '/admin/ownership/transfers', { reason: 'x' })).status).toBe(400);
      expect(
        (
          await post('operator', '/admin/ownership/transfers', {
            ...transfer,
            toExemptionId: E_B,
            exemptionId: E_B,
          })
        ).status,
      ).toBe(400);
      expect(
        (await post('operator', '/admin/ownership/transfers', { ...transfer, consignmentId: 'CSG-NONE' }))
          .status,
      ).toBe(404);
      expect(
        (await post('operator', '/admin/ownership/transfers', { ...transfer, reason: ' ' })).status,
      ).toBe(400);
    });

    it('refuses to move an exemption to an organisation nobody knows (404) unless forced', async () => {
      const grant = exemptionGranted({
        id: `grant-t-${++seq}`,
        source: COMMITTEE_SOURCE,
        data: { exemptionId: 'EX-T-1', implementingOrg: ORG_A },
      });
      expect((await post('committee', '/events', grant)).status).toBe(202);
      const move = (toOrg: string, force?: boolean) =>
        post('operator', '/admin/ownership/transfers', {
          exemptionId: 'EX-T-1',
          toOrg,
          reason: 'handed over',
          ...(force === undefined ? {} : { force }),
        });
      const unknown = await move('Organisation Bee');
      expect(unknown.status).toBe(404);
      expect(
        ((await unknown.json()) as { details: Array<{ message: string }> }).details[0].message,
      ).toContain('"force": true');
      expect((await move('Organisation Bee', false)).status).toBe(404);
      // Nothing was stored: the exemption is still A's.
      const trail = await get('operator', '/streams/ownership-exemption-EX-T-1');
      expect(trail.status === 404 || ((await trail.json()) as { events: [] }).events.length === 0).toBe(true);
      const forced = await move('Organisation Bee', true);
      expect(forced.status).toBe(201);
      expect(((await forced.json()) as { data: { forced?: boolean } }).data.forced).toBe(true);
      // An organisation an API key names is known: no force needed, and nothing marked forced.
      const known = await move(ORG_B);
      expect(known.status).toBe(201);
      expect(((await known.json()) as { data: { forced?: boolean } }).data.forced).toBeUndefined();
    });

    it('moves a consignment for every reader and writer at once, and is in the audit trail', async () => {
      const res = await post('operator', '/admin/ownership/transfers', transfer);
      expect(res.status).toBe(201);
      const event = (await res.json()) as { type: string; data: Record<string, unknown> };
      expect(event.type).toBe('aidwatch.ownership.transferred.v1');
      expect(event.data).toMatchObject({ kind: 'consignment', fromExemptionId: E_B, toExemptionId: E_A });
      expect(event.data.by).toMatch(/^key:/);
      await eventually(async () =>
        (await get('dashboardA', `/consignments/${C_MOVE}`)).ok ? true : undefined,
      );
      expect((await get('dashboardB', `/consignments/${C_MOVE}`)).status).toBe(403);
      // Writes follow at once: A's monitor reports on it, B's producer no longer writes about it.
      const visit = verificationReported({
        id: `visit-${++seq}`,
        source: NAMESPACE_A,
        data: { consignmentId: C_MOVE, monitorId: 'MON-A' },
      });
      expect((await post('monitorA', '/events', visit)).status).toBe(202);
      const registration = consignmentRegistered({
        id: `back-${++seq}`,
        subject: C_MOVE,
        data: { consignmentId: C_MOVE, exemptionId: E_B },
      });
      expect((await post('producerB', '/events', registration)).status).toBe(403);
      const trail = await get('operator', `/streams/ownership-consignment-${C_MOVE}`);
      expect(trail.status).toBe(200);
      expect(JSON.stringify(await trail.json())).toContain('B handed the shipment');
    });
  });

  /**
   * Generated from the event catalogue's `writers` column: every inbound type × every kind of credential
   * × a target of A, of B and unknown. Each credential writes under a source it is bound to, so what is
   * judged is the kind of writer and the ownership. A refusal is a 403 that changes nothing, and reads
   * the same for another organisation's target as for an unknown one.
   */
  describe("who writes what: every inbound type × every credential, as the catalogue's writers say", () => {
    type Target = 'A' | 'B' | 'unknown';
    const who = [
      'operator',
      'dashboardA',
      'admin',
      'producerA',
      'producerB',
      'relay',
      'committee',
      'monitorA',
      'monitorB',
    ] as const;
    type Who = (typeof who)[number];
    /** A source each credential may write under (the relay's is not one of the committee's). */
    const sourceOf: Record<Who, string> = {
      operator: '/org/a/logistics',
      dashboardA: '/org/a/logistics',
      admin: '/org/a/logistics',
      producerA: '/org/a/logistics',
      producerB: '/org/b/logistics',
      relay: '/relay/elsewhere',
      committee: COMMITTEE_SOURCE,
      monitorA: NAMESPACE_A,
      monitorB: NAMESPACE_B,
    };
    const monitorOf: Partial<Record<Who, string>> = { monitorA: 'MON-A', monitorB: 'MON-B' };
    /** Whether the table lets `w` write `type` about `target` (the expectation, from `writers` alone). */
    const allowed = (w: Who, type: InboundEventType, target: Target): boolean => {
      const writers = CatalogueEntries.find((e) => e.type === type)!.writers;
      switch (w) {
        case 'relay':
          return !writers.includes('committee');
        case 'committee':
          return true;
        case 'producerA':
        case 'producerB':
          // Their credentials name '*': an organisation's producer closes (or announces bounded) only inputs its sources name.
          if (type === EventTypes.InputClosed || type === EventTypes.InputBounded) return false;
          return writers.includes('organisation') && target === w.slice(-1);
        case 'monitorA':
        case 'monitorB':
          return writers.includes('monitor') && target === w.slice(-1);
        default:
          return false;
      }
    };
    const aboutTarget = (type: InboundEventType) =>
      CatalogueEntries.find((e) => e.type === type)!.writers.some((k) => k !== 'feed');
    let n = 0;
    const eventFor = (w: Who, type: InboundEventType, target: Target, id: string): AidEvent => {
      const m = ++n;
      const ids = {
        A: { exemptionId: E_A, consignmentId: C_A, org: ORG_A, monitorId: 'MON-A' },
        B: { exemptionId: E_B, consignmentId: C_B, org: ORG_B, monitorId: 'MON-B' },
        unknown: { exemptionId: `EX-U-${m}`, consignmentId: `CSG-U-${m}`, org: ORG_A, monitorId: 'MON-A' },
      }[target];
      const data: Record<string, unknown> = aboutTarget(type)
        ? {
            exemptionId: ids.exemptionId,
            consignmentId: ids.consignmentId,
            implementingOrg: ids.org,
            monitorId: monitorOf[w] ?? ids.monitorId,
          }
        : {};
      const build = SampleBuilders[type] as (o: Record<string, unknown>) => AidEvent;
      const sample = build({});
      // Only the fields the sample's data has (a grant has no consignmentId, a load no exemptionId).
      const own = Object.fromEntries(Object.entries(data).filter(([k]) => k in (sample.data as object)));
      return build({
        id,
        source: sourceOf[w],
        time: '2026-03-01T00:00:00Z',
        // The subject names what the data is about (a sample's own follows its data when not given).
        ...('subject' in sample && (own.consignmentId ?? own.exemptionId) !== undefined
          ? { subject: own.consignmentId ?? own.exemptionId }
          : {}),
        data: own,
      });
    };
    const streamEvents = async (stream: string) => {
      const res = await get('operator', `/streams/${encodeURIComponent(stream)}`);
      if (res.status === 404) return [];
      expect(res.status).toBe(200);
      return ((await res.json()) as { events: Array<{ event: { id: string } }> }).events.map(
        (e) => e.event.id,
      );
    };
    const keyOf = (w: Who) =>
      w === 'admin' ? system.keys.admin : w === 'operator' ? system.keys.operator : as(w);
    const write = (w: Who, event: AidEvent) =>
      system.fetch(`${system.url}/events`, {
        method: 'POST',
        as: keyOf(w),
        body: JSON.stringify(event),
        headers: { 'content-type': 'application/json' },
      });
    /** The 403 body with the ids of the case put back to placeholders, to compare two cases' answers. */
    const normalised = (body: string, event: AidEvent) => {
      const d = event.data as { exemptionId?: string; consignmentId?: string };
      let text = body.split(event.id).join('<event>');
      for (const [value, name] of [
        [d.consignmentId, '<consignment>'],
        [d.exemptionId, '<exemption>'],
      ] as const)
        if (value) text = text.split(JSON.stringify(value).slice(1, -1)).join(name);
      return text;
    };

    for (const entry of CatalogueEntries)
      for (const w of who)
        it(`${entry.type} by ${w}`, async () => {
          const targets: Target[] = aboutTarget(entry.type) ? ['A', 'B', 'unknown'] : ['A'];
          const refusals = new Map<Target, string>();
          for (const target of targets) {
            const id = `gen-${entry.type.split('.').slice(1, -1).join('-')}-${w}-${target}`;
            const event = eventFor(w, entry.type, target, id);
            const stream = streamOf(event);
            const before = await streamEvents(stream);
            const res = await write(w, event);
            const body = await res.text();
            const expected = allowed(w, entry.type, target) ? 202 : 403;
            expect([target, res.status, body]).toEqual([target, expected, expect.any(String)]);
            const after = await streamEvents(stream);
            if (expected === 202) {
              expect(after).toContain(event.id);
              continue;
            }
            // A refused write changes nothing.
            expect(after).toEqual(before);
            refusals.set(target, normalised(body, event));
          }
          // Another organisation's target and an unknown one read alike: no existence oracle.
          if (refusals.has('B') && refusals.has('unknown') && w !== 'producerB' && w !== 'monitorB')
            expect(refusals.get('B')).toEqual(refusals.get('unknown'));
          if (refusals.has('A') && refusals.has('unknown') && (w === 'producerB' || w === 'monitorB'))
            expect(refusals.get('A')).toEqual(refusals.get('unknown'));
        });

    it("a repeat of B's stored source + id by A is the same 403 as a fresh id, never 409 or 202", async () => {
      const original = eventFor('producerB', EventTypes.ConsignmentLoaded, 'B', `b-load-${++seq}`);
      expect((await write('producerB', original)).status).toBe(202);
      const identical = await write('producerA', original);
      const changed = await write('producerA', { ...original, time: '2026-03-02T00:00:00Z' });
      const fresh = await write('producerA', { ...original, id: `b-load-fresh-${++seq}` });
      expect([identical.status, changed.status, fresh.status]).toEqual([403, 403, 403]);
      const texts = await Promise.all([identical, changed, fresh].map((r) => r.text()));
      expect(texts[0]).toEqual(texts[1]);
      expect(texts[0].split(original.id).join('<id>')).toEqual(
        texts[2].split(`b-load-fresh-${seq}`).join('<id>'),
      );
    });

    it('refuses an NMEA log from an organisation\u2019s producer up front (AIS is feed data)', async () => {
      const nmea = '!AIVDM,1,1,,A,13u?etPv2;0n:dDPwUM1U1Cb069D,0*24\n';
      const res = await system.fetch(`${system.url}/ais/nmea?station=s1`, {
        method: 'POST',
        as: as('producerA'),
        body: nmea,
        headers: { 'content-type': 'text/plain' },
      });
      expect(res.status).toBe(403);
      const relayed = await system.fetch(`${system.url}/ais/nmea?station=s1`, {
        method: 'POST',
        as: as('relay'),
        body: nmea,
        headers: { 'content-type': 'text/plain' },
      });
      expect(relayed.status).toBe(202);
    });
  });
});

describe('refused credentials are rate-limited per address', () => {
  jest.setTimeout(30_000);
  let system: TestSystem;
  beforeAll(async () => {
    system = await startTestSystem({ AUTH_FAILURES_PER_ADDRESS: '5', AUTH_FAILURE_WINDOW_SEC: '2' });
  });
  afterAll(async () => {
    await system?.stop();
  });

  it('answers 401 up to the limit, then 429 with Retry-After to further refused credentials from the address, until the window ends', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++)
      statuses.push((await system.fetch(`${system.url}/flags`, { as: guess() })).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429]);
    const refused = await system.fetch(`${system.url}/flags`, { as: guess() });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    // A valid credential from the same address (others behind the same NAT or proxy) is never held back.
    expect((await system.fetch(`${system.url}/flags`, { as: system.keys.operator })).status).toBe(200);
    // No credential at all is not a guess: still a plain 401.
    expect((await system.fetch(`${system.url}/flags`, { as: null })).status).toBe(401);
    await eventually(
      async () =>
        (await system.fetch(`${system.url}/flags`, { as: guess() })).status === 401 ? true : undefined,
      5_000,
      'the window to end',
    );
  });

  it('ignores X-Forwarded-For without TRUST_PROXY: every claimed address counts as the connecting one', async () => {
    await eventually(
      async () =>
        (await system.fetch(`${system.url}/flags`, { as: guess() })).status === 401 ? true : undefined,
      5_000,
      'the window to end',
    );
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++)
      statuses.push(
        (
          await system.fetch(`${system.url}/flags`, {
            as: guess(),
            headers: { 'x-forwarded-for': `203.0.113.${i + 1}` },
          })
        ).status,
      );
    expect(statuses.slice(-1)).toEqual([429]);
  });
});

const guess = () =>
  `awk_${'0'.repeat(16)}_${Math.random().toString(16).slice(2).padEnd(64, '0').slice(0, 64)}`;

describe('behind a trusted proxy (TRUST_PROXY), refused credentials count per forwarded client address', () => {
  jest.setTimeout(30_000);
  let system: TestSystem;
  beforeAll(async () => {
    system = await startTestSystem({
      AUTH_FAILURES_PER_ADDRESS: '3',
      AUTH_FAILURE_WINDOW_SEC: '60',
      TRUST_PROXY: 'loopback',
    });
  });
  afterAll(async () => {
    await system?.stop();
  });

  it('limits the client that failed, not the others behind the same proxy', async () => {
    const from = (address: string, as: string) =>
      system.fetch(`${system.url}/flags`, { as, headers: { 'x-forwarded-for': address } });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await from('203.0.113.5', guess())).status);
    expect(statuses).toEqual([401, 401, 401, 429]);
    expect((await from('203.0.113.6', guess())).status).toBe(401);
    expect((await from('203.0.113.5', system.keys.operator)).status).toBe(200);
  });
});
