import type { Role } from '@aidwatch/access';
import { consignmentRegistered, exemptionGranted } from '@aidwatch/domain/testing';
import type { Flag } from '@aidwatch/domain';
import { EVENT_STORE, type EventStore } from '@aidwatch/event-store';
import { koboVisit, odkVisit } from '@aidwatch/intake/testing';
import { flagRaisedEvent, flagWrites } from '@aidwatch/projections';
import { eventually, startTestSystem, type TestSystem } from '../support/aidwatch-process';

/**
 * Isolation between organisations, second round: an organisation holding legitimate credentials (A) tries
 * to occupy, act on, enumerate or read what is another's (B) through field intake, alert actions,
 * silences, streams and filters. Every attempt is refused or finds nothing; B's own work goes through.
 */
const ORG_A = 'Organisation A';
const ORG_B = 'Organisation B';
const E_A = 'EX-A-1';
const E_B = 'EX-B-1';
const C_A = 'CSG-A-1';
const C_B = 'CSG-B-1';
const SITE_A = 'SITE-A-1';
const SITE_B = 'SITE-B-1';
const NAMESPACE_B = `/aidwatch/monitors/${encodeURIComponent(ORG_B)}`;
/** A vessel carrying both organisations' aid, and the alert of its encounter with a designated vessel. */
const SHARED_VESSEL = '412000017';
const SHARED_FINGERPRINT = '5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a';
/** An alert of B's alone at first, assigned by B, later joined by A's consignment. */
const LATER_SHARED_VESSEL = '412000018';
const LATER_SHARED_FINGERPRINT = '6b6b6b6b6b6b6b6b6b6b6b6b6b6b6b6b';
/** Another alert of the shared vessel, on which each organisation acts on its own view. */
const OWN_VIEWS_FINGERPRINT = '8e8e8e8e8e8e8e8e8e8e8e8e8e8e8e8e';
/** B's registration event id, cited by a `duplicate-document` flag of A's consignment. */
const B_REGISTRATION_EVENT = 'reg-of-b-7';

const site = (siteId: string) => ({ siteId, name: siteId, lat: 39, lon: 125.7, radiusKm: 2 });

describe('isolation between organisations: intake, actions, silences, streams, filters', () => {
  jest.setTimeout(90_000);
  let system: TestSystem;
  const key = new Map<string, string>();
  const as = (who: string) => key.get(who)!;
  const post = (who: string, path: string, body: unknown) =>
    system.fetch(`${system.url}${path}`, {
      method: 'POST',
      as: as(who),
      body: JSON.stringify(body),
      headers: { 'content-type': 'application/json' },
    });
  const get = (who: string, path: string) => system.fetch(`${system.url}${path}`, { as: as(who) });
  const json = async <T>(res: Response): Promise<T> => (await res.json()) as T;

  const vesselFlag = (fingerprint: string, mmsi: string, flagId: string, consignmentIds: string[]): Flag => ({
    flagId,
    fingerprint,
    rule: 'encounter',
    severity: 'high',
    subject: { kind: 'vessel', id: mmsi },
    consignmentIds,
    observed: { partnerMmsi: '412999999', consignmentsOnBoard: consignmentIds },
    threshold: {},
    evidence: consignmentIds.map((c) => `${c}/loaded`),
    explanation: `Vessel ${mmsi} met a designated vessel while carrying ${consignmentIds.join(', ')}.`,
    raisedAt: '2026-10-01T00:00:00Z',
  });
  const store = (...flags: Flag[]) =>
    system.app.get<EventStore>(EVENT_STORE).appendMany(flagWrites(flags.map(flagRaisedEvent)));
  const alertOf = async (fingerprint: string) =>
    eventually(async () => {
      const res = await get('operator', `/alerts/${fingerprint}`);
      return res.ok ? json<{ status: string; assignee?: string; consignmentIds: string[] }>(res) : undefined;
    });

  beforeAll(async () => {
    system = await startTestSystem({ RATE_LIMIT_REQUESTS: '100000' });
    const credentials: Array<
      [string, { role: Role; tenant?: string; monitorId?: string; sources?: string[] }]
    > = [
      ['dashboardA', { role: 'dashboard', tenant: ORG_A }],
      ['dashboardB', { role: 'dashboard', tenant: ORG_B }],
      ['monitorA', { role: 'monitor', tenant: ORG_A, monitorId: 'MON-A' }],
      ['monitorB', { role: 'monitor', tenant: ORG_B, monitorId: 'MON-B' }],
      ['operator', { role: 'operator' }],
      ['producerA', { role: 'producer', tenant: ORG_A, sources: ['*'] }],
    ];
    for (const [name, grant] of credentials) key.set(name, system.credential(grant));
    key.set('relay', system.keys.producer);
    const story = [
      exemptionGranted({
        id: 'g-a',
        data: { exemptionId: E_A, implementingOrg: ORG_A, sites: [site(SITE_A)] },
      }),
      exemptionGranted({
        id: 'g-b',
        data: { exemptionId: E_B, implementingOrg: ORG_B, sites: [site(SITE_B)] },
      }),
      consignmentRegistered({ id: 'r-a', subject: C_A, data: { consignmentId: C_A, exemptionId: E_A } }),
      consignmentRegistered({
        id: B_REGISTRATION_EVENT,
        subject: C_B,
        data: { consignmentId: C_B, exemptionId: E_B },
      }),
    ];
    expect((await post('relay', '/events', story)).status).toBe(202);
    await eventually(async () => ((await get('dashboardB', `/consignments/${C_B}`)).ok ? true : undefined));
    await store(vesselFlag(SHARED_FINGERPRINT, SHARED_VESSEL, 'f1'.padEnd(32, '0'), [C_A, C_B]));
    await alertOf(SHARED_FINGERPRINT);
  });
  afterAll(async () => {
    await system?.stop();
  });

  describe('field intake: one organisation cannot occupy another’s submission ids', () => {
    it('A’s monitor posting B’s next KoboToolbox id leaves B’s genuine submission a 202, stored once', async () => {
      const ids = { _id: 77000001, 'formhub/uuid': 'b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0' };
      const squat = koboVisit({
        ...ids,
        'visit/consignment_id': C_A,
        'visit/site_id': SITE_A,
        'visit/monitor_id': 'MON-A',
      });
      expect((await post('monitorA', '/intake/kobo', squat)).status).toBe(202);
      const genuine = koboVisit({
        ...ids,
        'visit/consignment_id': C_B,
        'visit/site_id': SITE_B,
        'visit/monitor_id': 'MON-B',
      });
      const first = await post('monitorB', '/intake/kobo', genuine);
      expect(first.status).toBe(202);
      expect((await post('monitorB', '/intake/kobo', genuine)).status).toBe(202); // a repeat stays idempotent
      const { accepted } = await json<{ accepted: string[] }>(first);
      const stream = await json<{ events: Array<{ event: { id: string; source: string } }> }>(
        await get('operator', `/streams/consignment-${C_B}`),
      );
      const stored = stream.events.filter((e) => e.event.id === accepted[0]);
      expect(stored.map((e) => e.event.source)).toEqual([
        `${NAMESPACE_B}/kobotoolbox/${ids['formhub/uuid']}`,
      ]);
    });

    it('A’s monitor posting B’s next ODK Central id leaves B’s genuine submission a 202', async () => {
      const id = 'uuid:0b0b0b0b-0000-4000-8000-000000000017';
      const visit = (consignment: string, siteId: string, monitor: string) => {
        const base = odkVisit({ __id: id });
        return {
          ...base,
          visit: { ...base.visit, consignment_id: consignment, site_id: siteId, monitor_id: monitor },
        };
      };
      expect((await post('monitorA', '/intake/odk', visit(C_A, SITE_A, 'MON-A'))).status).toBe(202);
      expect((await post('monitorB', '/intake/odk', visit(C_B, SITE_B, 'MON-B'))).status).toBe(202);
      expect((await post('monitorB', '/intake/odk', visit(C_B, SITE_B, 'MON-B'))).status).toBe(202);
    });
  });

  describe('an alert shared with another organisation', () => {
    it("is acknowledged, assigned and resolved by one organisation on its own view only; the other's and operators' stay", async () => {
      await store(vesselFlag(OWN_VIEWS_FINGERPRINT, SHARED_VESSEL, 'f5'.padEnd(32, '0'), [C_A, C_B]));
      await alertOf(OWN_VIEWS_FINGERPRINT);
      const seen = async (who: string) =>
        json<{ status: string; assignee?: string; history: Array<{ type: string }> }>(
          await get(who, `/alerts/${OWN_VIEWS_FINGERPRINT}`),
        );
      for (const [action, body, status] of [
        ['acknowledge', { note: 'seen' }, 'acknowledged'],
        ['assign', { assignee: 'a-person' }, 'acknowledged'],
        ['resolve', { note: 'not ours' }, 'resolved'],
      ] as const) {
        const res = await post('dashboardA', `/alerts/${OWN_VIEWS_FINGERPRINT}/${action}`, body);
        expect({ action, status: res.status }).toEqual({ action, status: 200 });
        expect((await json<{ status: string }>(res)).status).toBe(status);
      }
      expect(await seen('dashboardA')).toMatchObject({ status: 'resolved', assignee: 'a-person' });
      // B's view and the alert itself: untouched, and B reads nothing of A's actions.
      const b = await seen('dashboardB');
      expect(b.status).toBe('firing');
      expect(b.assignee).toBeUndefined();
      expect(b.history.map((e) => e.type)).toEqual(['raised']);
      const listed = await (await get('dashboardB', '/alerts?limit=10000&status=firing')).text();
      expect(listed).toContain(OWN_VIEWS_FINGERPRINT);
      expect(listed).not.toContain('a-person');
      const whole = await alertOf(OWN_VIEWS_FINGERPRINT);
      expect(whole.status).toBe('firing');
      expect(whole.assignee).toBeUndefined();
      // A's resolved view leaves the alert out of A's open groups, not of B's.
      const groups = async (who: string) =>
        (await (await get(who, '/alerts/groups')).text()).includes(OWN_VIEWS_FINGERPRINT);
      expect(await groups('dashboardA')).toBe(false);
      expect(await groups('dashboardB')).toBe(true);
      // B acts on its own view as if A had done nothing; a second acknowledgement by B is a conflict.
      expect(
        (await post('dashboardB', `/alerts/${OWN_VIEWS_FINGERPRINT}/acknowledge`, { note: 'B' })).status,
      ).toBe(200);
      expect((await post('dashboardB', `/alerts/${OWN_VIEWS_FINGERPRINT}/acknowledge`, {})).status).toBe(409);
      expect((await seen('dashboardA')).status).toBe('resolved');
      expect(
        (await post('dashboardA', `/alerts/${OWN_VIEWS_FINGERPRINT}/comments`, { comment: 'A looks' }))
          .status,
      ).toBe(201);
      expect(
        (await post('operator', `/alerts/${OWN_VIEWS_FINGERPRINT}/acknowledge`, { note: 'ops' })).status,
      ).toBe(200);
      expect((await alertOf(OWN_VIEWS_FINGERPRINT)).status).toBe('acknowledged');
      expect((await seen('dashboardA')).status).toBe('resolved');
    });

    it('keeps an assignee made by the other organisation out of the top-level field', async () => {
      await store(vesselFlag(LATER_SHARED_FINGERPRINT, LATER_SHARED_VESSEL, 'f2'.padEnd(32, '0'), [C_B]));
      await alertOf(LATER_SHARED_FINGERPRINT);
      const assigned = await post('dashboardB', `/alerts/${LATER_SHARED_FINGERPRINT}/assign`, {
        assignee: 'b-field-officer',
      });
      expect(assigned.status).toBe(200);
      await store(
        vesselFlag(LATER_SHARED_FINGERPRINT, LATER_SHARED_VESSEL, 'f3'.padEnd(32, '0'), [C_A, C_B]),
      );
      await eventually(async () => {
        const res = await get('dashboardA', `/alerts/${LATER_SHARED_FINGERPRINT}`);
        return res.ok ? true : undefined;
      });
      const one = await (await get('dashboardA', `/alerts/${LATER_SHARED_FINGERPRINT}`)).text();
      const list = await (await get('dashboardA', '/alerts?limit=10000')).text();
      expect(one).not.toContain('b-field-officer');
      expect(list).not.toContain('b-field-officer');
      expect(await (await get('dashboardB', `/alerts/${LATER_SHARED_FINGERPRINT}`)).text()).toContain(
        'b-field-officer',
      );
    });
  });

  it('redacts the evidence event ids of another organisation’s events (duplicate-document)', async () => {
    const flag: Flag = {
      flagId: 'f4'.padEnd(32, '0'),
      fingerprint: '7c7c7c7c7c7c7c7c7c7c7c7c7c7c7c7c',
      rule: 'duplicate-document',
      severity: 'high',
      subject: { kind: 'consignment', id: C_A },
      consignmentIds: [C_A, C_B],
      observed: {
        document: 'BL-17',
        kind: 'bill-of-lading',
        uses: [
          { kind: 'bill-of-lading', consignmentId: C_A, ref: null, eventId: 'r-a' },
          { kind: 'bill-of-lading', consignmentId: C_B, ref: null, eventId: B_REGISTRATION_EVENT },
        ],
      },
      threshold: { maxUses: 1 },
      evidence: ['r-a', B_REGISTRATION_EVENT],
      explanation: `Bill of lading BL-17 is cited by the registration of this consignment and also by the registration of consignment ${C_B}; a document should back one movement only.`,
      raisedAt: '2026-10-01T00:00:00Z',
    };
    await store(flag);
    await alertOf(flag.fingerprint);
    for (const path of [
      '/flags?limit=10000',
      `/alerts/${flag.fingerprint}`,
      `/streams/risk-consignment-${C_A}`,
    ]) {
      const body = await (await get('dashboardA', path)).text();
      expect({ path, leaked: body.includes(B_REGISTRATION_EVENT) || body.includes(C_B) }).toEqual({
        path,
        leaked: false,
      });
      expect(body).toContain('r-a');
    }
    expect(await (await get('operator', '/flags?limit=10000')).text()).toContain(B_REGISTRATION_EVENT);
  });

  it('matches an organisation’s silences only on the labels it sees: a regex enumerates nothing', async () => {
    const probes = [
      { name: 'consignmentId', value: 'CSG-B.*', isRegex: true },
      { name: 'exemptionId', value: 'EX-B.*', isRegex: true },
      { name: 'organisation', value: 'Organisation B', isRegex: false },
      { name: 'siteId', value: 'SITE-B.*', isRegex: true },
    ];
    const found: string[] = [];
    for (const matcher of probes) {
      const res = await post('dashboardA', '/silences', {
        matchers: [matcher],
        endsAt: new Date(Date.now() + 3_600_000).toISOString(),
        comment: 'probe',
      });
      expect(res.status).toBe(201);
      const { silenceId } = await json<{ silenceId: string }>(res);
      const alerts = await json<{ items: Array<{ alertId: string; silencedBy: string[] }> }>(
        await get('dashboardA', '/alerts?limit=10000'),
      );
      for (const a of alerts.items)
        if (a.silencedBy.includes(silenceId)) found.push(`${matcher.name}: ${a.alertId}`);
      const shared = await json<{ silencedBy: string[] }>(
        await get('operator', `/alerts/${SHARED_FINGERPRINT}`),
      );
      if (shared.silencedBy.includes(silenceId)) found.push(`${matcher.name}: operator view`);
    }
    expect(found).toEqual([]);
    // A's silence on what A sees still works.
    const own = await post('dashboardA', '/silences', {
      matchers: [{ name: 'consignmentId', value: 'CSG-A.*', isRegex: true }],
      endsAt: new Date(Date.now() + 3_600_000).toISOString(),
      comment: 'own',
    });
    const { silenceId } = await json<{ silenceId: string }>(own);
    const shared = await json<{ silencedBy: string[] }>(
      await get('dashboardA', `/alerts/${SHARED_FINGERPRINT}`),
    );
    expect(shared.silencedBy).toContain(silenceId);
  });

  it('redacts every stream a dashboard may read (risk-vessel-, risk-consignment-)', async () => {
    for (const path of [`/streams/risk-vessel-${SHARED_VESSEL}`, `/streams/risk-consignment-${C_A}`]) {
      const res = await get('dashboardA', path);
      expect(res.status).toBe(200);
      const body = await res.text();
      expect(body).toContain(C_A);
      for (const foreign of [C_B, E_B, ORG_B, SITE_B])
        expect({ path, foreign, leaked: body.includes(foreign) }).toEqual({ path, foreign, leaked: false });
    }
    expect(await (await get('operator', `/streams/risk-vessel-${SHARED_VESSEL}`)).text()).toContain(C_B);
  });

  it('refuses blank and default-ignorable characters in identifiers, keeps them in free text', async () => {
    for (const blank of ['\u034f', '\ufe0f', '\u3164', '\u2800', '\u00a0', '\u3000']) {
      const id = `CSG-B${blank}-1`;
      const res = await post('relay', '/events', [
        consignmentRegistered({
          id: `look-alike-${blank.codePointAt(0)}`,
          subject: id,
          data: { consignmentId: id, exemptionId: E_B },
        }),
      ]);
      const code = blank.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
      expect({ code, status: res.status }).toEqual({ code, status: 400 });
      expect(await res.text()).toContain(`U+${code}`);
    }
    const comment = await post('operator', `/alerts/${SHARED_FINGERPRINT}/comments`, {
      comment: 'no-break\u00a0space, ideographic\u3000space, \u2800 braille blank',
    });
    expect(comment.status).toBe(201);
  });

  it('refuses an organisation’s producer feed and committee event types (403) before validating their data', async () => {
    for (const type of [
      'aidwatch.vessel.position.v1',
      'aidwatch.exemption.granted.v1',
      'aidwatch.vessel.designated.v1',
    ]) {
      const event = {
        specversion: '1.0',
        id: `typed-${type}`,
        source: '/wfp/feed',
        type,
        time: '2026-10-01T00:00:00Z',
        datacontenttype: 'application/json',
        data: { nothing: 'valid' },
      };
      const res = await post('producerA', '/events', [event]);
      expect({ type, status: res.status }).toEqual({ type, status: 403 });
      const body = await json<{ details: Array<{ errors: Array<{ field: string }> }> }>(res);
      expect(body.details[0].errors.map((e) => e.field)).toEqual(['type']);
    }
  });

  it('applies a consignmentId filter to what the reader may see (/flags counts nothing of B’s)', async () => {
    const mine = await json<{ items: unknown[] }>(await get('dashboardA', `/flags?consignmentId=${C_A}`));
    expect(mine.items.length).toBeGreaterThan(0);
    const theirs = await json<{ items: unknown[] }>(await get('dashboardA', `/flags?consignmentId=${C_B}`));
    expect(theirs.items).toEqual([]);
    const alerts = await json<{ items: unknown[] }>(await get('dashboardA', `/alerts?consignmentId=${C_B}`));
    expect(alerts.items).toEqual([]);
    const ops = await json<{ items: unknown[] }>(await get('operator', `/flags?consignmentId=${C_B}`));
    expect(ops.items.length).toBeGreaterThan(0);
  });
});
