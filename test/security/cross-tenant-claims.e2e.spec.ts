import type { Role } from '@aidwatch/access';
import {
  consignmentDischarged,
  consignmentLoaded,
  consignmentRegistered,
  exemptionGranted,
  inputClosed,
  verificationReported,
  vesselPosition,
} from '@aidwatch/domain/testing';
import type { Flag } from '@aidwatch/domain';
import { EVENT_STORE, type EventStore } from '@aidwatch/event-store';
import { flagRaisedEvent, flagWrites } from '@aidwatch/projections';
import { eventually, startTestSystem, type TestSystem } from '../support/aidwatch-process';

/**
 * Cross-tenant cases of claims an organisation makes with its own legitimate credentials, against the real
 * HTTP server: organisation A (holding its own producer, dashboard and monitor keys) claims a vessel that
 * carries B's aid, squats B's consignment ids, cites B's documents, and probes the edges of the intake.
 */
const ORG_A = 'Organisation A';
const ORG_B = 'Organisation B';
const E_A = 'EX-A-1';
const E_B = 'EX-B-1';
/** `LIMIT_SILENCES_PER_TENANT` of this deployment. */
const SILENCE_LIMIT = 3;
const NAMESPACE_A = `/aidwatch/monitors/${encodeURIComponent(ORG_A)}`;

/** B's vessel: B's aid aboard from 1 to 10 September 2026; A claims a load onto it on 1 October. */
const VESSEL = '412000077';
/** The vessel it meets on 5 October. */
const PARTNER = '412000088';
const C_B_ABOARD = 'CSG-B-SHIP';
const C_A_CLAIM = 'CSG-A-CLAIM';

describe('claims an organisation makes with its own credentials', () => {
  jest.setTimeout(90_000);
  let system: TestSystem;
  const key = new Map<string, string>();
  const as = (who: string) => {
    const token = key.get(who);
    if (token === undefined) throw new Error(`no credential named ${who}`);
    return token;
  };
  const post = (who: string, path: string, body: unknown, contentType = 'application/json') =>
    system.fetch(`${system.url}${path}`, {
      method: 'POST',
      as: as(who),
      body: JSON.stringify(body),
      headers: { 'content-type': contentType },
    });
  const get = (who: string, path: string) => system.fetch(`${system.url}${path}`, { as: as(who) });
  const json = async <T>(who: string, path: string): Promise<T> => {
    const res = await get(who, path);
    expect({ path, status: res.status }).toEqual({ path, status: 200 });
    return (await res.json()) as T;
  };
  const store = () => system.app.get<EventStore>(EVENT_STORE);

  beforeAll(async () => {
    system = await startTestSystem({
      RATE_LIMIT_REQUESTS: '100000',
      LIMIT_SILENCES_PER_TENANT: String(SILENCE_LIMIT),
    });
    const credentials: Array<
      [string, { role: Role; tenant?: string; sources?: string[]; monitorId?: string }]
    > = [
      ['relay', { role: 'producer', sources: ['*'] }],
      ['producerA', { role: 'producer', tenant: ORG_A, sources: ['*'] }],
      ['producerB', { role: 'producer', tenant: ORG_B, sources: ['*'] }],
      ['importerA', { role: 'producer', tenant: ORG_A, sources: ['/org/a/imports/*'] }],
      ['dashboardA', { role: 'dashboard', tenant: ORG_A }],
      ['dashboardB', { role: 'dashboard', tenant: ORG_B }],
      ['monitorA', { role: 'monitor', tenant: ORG_A, monitorId: 'MON-A' }],
      ['operator', { role: 'operator' }],
    ];
    for (const [name, grant] of credentials) key.set(name, system.credential(grant));
    const res = await post('relay', '/events', [
      exemptionGranted({ id: 'g-a', data: { exemptionId: E_A, implementingOrg: ORG_A } }),
      exemptionGranted({ id: 'g-b', data: { exemptionId: E_B, implementingOrg: ORG_B } }),
    ]);
    expect(res.status).toBe(202);
  });
  afterAll(async () => {
    await system?.stop();
  });

  describe('a claimed load opens a vessel only within the carriage it claims', () => {
    const at = (day: string) => `2026-${day}T12:00:00Z`;
    const position = (mmsi: string, day: string, lon: number) =>
      vesselPosition({ id: `pos-${mmsi}-${day}`, data: { mmsi, at: at(day), lat: 38.5, lon } });
    const ship = { mmsi: VESSEL, name: 'B SHIP' };
    const encounter = (fingerprint: string, consignmentIds: string[], raisedAt: string): Flag => ({
      flagId: `${fingerprint}-1`,
      fingerprint,
      rule: 'encounter',
      severity: 'high',
      subject: { kind: 'vessel', id: VESSEL },
      consignmentIds,
      observed: { partnerMmsi: PARTNER, hours: 2 },
      threshold: {},
      evidence: [`${fingerprint}-evidence`],
      explanation: `Vessel ${VESSEL} met vessel ${PARTNER}.`,
      raisedAt,
    });
    /** An alert of B's carriage (naming A's consignment too, as a replay after A's claim could). */
    const EARLY = 'b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0';
    /** A meeting during A's claimed carriage. */
    const LATE = 'a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0';
    /** The ids of this story's two alerts among those listed (detection raises others about the voyage). */
    const ours = (alerts: Array<{ alertId: string }>) =>
      alerts.map((a) => a.alertId).filter((id) => id === EARLY || id === LATE);

    beforeAll(async () => {
      const b = await post('relay', '/events', [
        consignmentRegistered({
          id: 'r-b-ship',
          data: { consignmentId: C_B_ABOARD, exemptionId: E_B, billOfLading: 'BOL-B-SHIP', vessel: ship },
        }),
        consignmentLoaded({
          id: 'l-b-ship',
          time: at('09-01'),
          data: { consignmentId: C_B_ABOARD, vesselMmsi: VESSEL, at: at('09-01') },
        }),
        consignmentDischarged({
          id: 'd-b-ship',
          time: at('09-10'),
          data: { consignmentId: C_B_ABOARD, at: at('09-10') },
        }),
        position(VESSEL, '08-01', 121.1),
        position(VESSEL, '09-05', 122.2),
        position(VESSEL, '10-05', 123.3),
        position(PARTNER, '08-02', 124.4),
        position(PARTNER, '10-05', 125.5),
      ]);
      expect(b.status).toBe(202);
      // A's producer registers its own consignment on B's vessel and records it loaded there.
      const a = await post('producerA', '/events', [
        consignmentRegistered({
          id: 'r-a-claim',
          data: { consignmentId: C_A_CLAIM, exemptionId: E_A, billOfLading: 'BOL-A-CLAIM', vessel: ship },
        }),
        consignmentLoaded({
          id: 'l-a-claim',
          time: at('10-01'),
          data: { consignmentId: C_A_CLAIM, vesselMmsi: VESSEL, at: at('10-01') },
        }),
      ]);
      expect(a.status).toBe(202);
      await store().appendMany(
        flagWrites([
          flagRaisedEvent(encounter(EARLY, [C_B_ABOARD, C_A_CLAIM], at('09-05'))),
          flagRaisedEvent(encounter(LATE, [C_A_CLAIM], at('10-05'))),
        ]),
      );
      await eventually(async () =>
        (await get('operator', `/alerts/${LATE}`)).ok && (await get('operator', `/alerts/${EARLY}`)).ok
          ? true
          : undefined,
      );
      await eventually(async () =>
        (await get('dashboardA', `/consignments/${C_A_CLAIM}`)).ok ? true : undefined,
      );
    });

    type Vessel = { track: Array<[number, number, string]>; alerts: Array<{ alertId: string }> };
    type MapAnswer = {
      vessel: { track: Array<[number, number, string]> };
      partners: Array<{ mmsi: string; track: Array<[number, number, string]> }>;
      alerts: Array<{ alertId: string }>;
    };

    it("A's dashboard sees the vessel's track and alerts only from its claimed load on", async () => {
      const vessel = await json<Vessel>('dashboardA', `/vessels/${VESSEL}`);
      expect(vessel.track.map((p) => p[2])).toEqual([at('10-05')]);
      expect(ours(vessel.alerts)).toEqual([LATE]);
    });

    it('the owner of the earlier carriage sees its own part; an operator sees everything', async () => {
      const b = await json<Vessel>('dashboardB', `/vessels/${VESSEL}`);
      expect(b.track.map((p) => p[2])).toEqual([at('09-05')]);
      expect(ours(b.alerts)).toEqual([EARLY]);
      const all = await json<Vessel>('operator', `/vessels/${VESSEL}`);
      expect(all.track.map((p) => p[2])).toEqual([at('08-01'), at('09-05'), at('10-05')]);
      expect(ours(all.alerts).sort()).toEqual([LATE, EARLY].sort());
    });

    it("the map of A's consignment: the carrier within A's carriage, the partner only around the meeting", async () => {
      const map = await json<MapAnswer>('dashboardA', `/consignments/${C_A_CLAIM}/map`);
      expect(map.vessel.track.map((p) => p[2])).toEqual([at('10-05')]);
      expect(ours(map.alerts)).toEqual([LATE]);
      expect(map.partners).toEqual([expect.objectContaining({ mmsi: PARTNER })]);
      expect(map.partners[0].track.map((p) => p[2])).toEqual([at('10-05')]);
      const operator = await json<MapAnswer>('operator', `/consignments/${C_A_CLAIM}/map`);
      expect(operator.vessel.track).toHaveLength(3);
      expect(operator.partners[0].track).toHaveLength(2);
    });

    it('the claim itself stays in the audit trail of the consignment', async () => {
      const timeline = await json<{ items: Array<{ event: { id: string } }> }>(
        'operator',
        `/consignments/${C_A_CLAIM}/timeline?limit=100`,
      );
      expect(timeline.items.map((i) => i.event.id)).toEqual(
        expect.arrayContaining(['r-a-claim', 'l-a-claim']),
      );
    });
  });

  describe('consignment id namespaces claimed by an operator', () => {
    const register = (who: string, id: string, consignmentId: string, exemptionId: string) =>
      post(who, '/events', consignmentRegistered({ id, data: { consignmentId, exemptionId } }));
    const claim = (body: Record<string, unknown>) => post('operator', '/admin/ownership/prefixes', body);
    const refusalText = async (res: Response, id: string) => {
      expect(res.status).toBe(403);
      return (await res.text()).split(id).join('<id>');
    };

    beforeAll(async () => {
      // B's consignment under its prefix, registered before the claim (first-come then).
      expect((await register('producerB', 'r-bx-1', 'BX-0001', E_B)).status).toBe(202);
      const res = await claim({ org: ORG_B, prefix: 'BX-', reason: "B's UCR issuing-company prefix" });
      expect(res.status).toBe(201);
      const stored = (await res.json()) as {
        type: string;
        data: { org: string; prefix: string; by: string };
      };
      expect(stored.type).toBe('aidwatch.ownership.prefix-claimed.v1');
      expect(stored.data).toMatchObject({ org: ORG_B, prefix: 'BX-' });
    });

    it("refuses A's registration under B's prefix by the id's shape alone: the same answer whether or not the id exists", async () => {
      const fresh = await refusalText(await register('producerA', 'r-ax-1', 'BX-0002', E_A), 'BX-0002');
      const taken = await refusalText(await register('producerA', 'r-ax-2', 'BX-0001', E_A), 'BX-0001');
      expect(fresh).toEqual(taken.split('r-ax-2').join('r-ax-1'));
      // Nothing was stored: B registers its intended id afterwards.
      expect((await register('producerB', 'r-bx-2', 'BX-0002', E_B)).status).toBe(202);
      await eventually(async () =>
        (await get('dashboardB', '/consignments/BX-0002')).ok ? true : undefined,
      );
      expect((await get('dashboardA', '/consignments/BX-0002')).status).toBe(403);
    });

    it("refuses A's registration under an id that only looks like B's prefix (a Unicode hyphen, Cyrillic, fullwidth), and a lookalike claim", async () => {
      for (const [n, id] of ['BX\u20100004', '\u0412X-0004', 'B\uff38-0004'].entries())
        expect((await register('producerA', `r-ax-look-${n}`, id, E_A)).status).toBe(403);
      expect((await claim({ org: ORG_A, prefix: '\u0412X\u2011', reason: 'lookalike' })).status).toBe(409);
    });

    it("refuses a relay's registration under B's prefix for another organisation's exemption", async () => {
      const res = await register('relay', 'r-relay-bx', 'BX-0003', E_A);
      expect(res.status).toBe(403);
      expect(await res.text()).toContain('namespace');
    });

    it('keeps ids in no claimed namespace first-come', async () => {
      expect((await register('producerA', 'r-free-1', 'FREE-0001', E_A)).status).toBe(202);
    });

    it('refuses overlapping claims of different organisations (409), accepts nested ones of the same', async () => {
      for (const prefix of ['BX-', 'BX-9', 'B'])
        expect((await claim({ org: ORG_A, prefix, reason: 'overlap' })).status).toBe(409);
      expect((await claim({ org: ORG_B, prefix: 'BX-9', reason: 'a programme of B' })).status).toBe(201);
      expect((await claim({ org: ORG_A, prefix: 'AX-', reason: "A's prefix" })).status).toBe(201);
      // A namespace holding another organisation's consignments cannot be claimed over them.
      expect((await claim({ org: ORG_B, prefix: 'FREE-', reason: 'taken' })).status).toBe(409);
      expect((await claim({ org: 'Nobody Known', prefix: 'NK-', reason: 'typo' })).status).toBe(404);
      expect((await claim({ org: ORG_A, prefix: '', reason: 'everything' })).status).toBe(400);
      const listed = await json<{
        items: Array<{ org: string; prefix: string; by: string; reason: string }>;
      }>('operator', '/admin/ownership/prefixes');
      expect(listed.items.map((c) => [c.org, c.prefix])).toEqual([
        [ORG_B, 'BX-'],
        [ORG_B, 'BX-9'],
        [ORG_A, 'AX-'],
      ]);
      expect((await get('dashboardA', '/admin/ownership/prefixes')).status).toBe(403);
      expect(
        (await post('producerA', '/admin/ownership/prefixes', { org: ORG_A, prefix: 'Q', reason: 'x' }))
          .status,
      ).toBe(403);
    });
  });

  describe("citing another organisation's document", () => {
    const BOL = 'BOL-B-SECRET-77';
    const C_B_DOC = 'CSG-B-DOC';
    const C_A_DOC = 'CSG-A-DOC';
    type Flags = { items: Array<{ rule: string; consignmentIds: string[] }> };
    type Alerts = { items: Array<{ rule: string }> };

    beforeAll(async () => {
      expect(
        (
          await post(
            'producerB',
            '/events',
            consignmentRegistered({
              id: 'r-b-doc',
              data: { consignmentId: C_B_DOC, exemptionId: E_B, billOfLading: BOL },
            }),
          )
        ).status,
      ).toBe(202);
      expect(
        (
          await post(
            'producerA',
            '/events',
            // Back-dated before B's registration: the first citer is the first registered, not the earliest dated.
            consignmentRegistered({
              id: 'r-a-doc',
              time: '2020-01-01T00:00:00Z',
              data: { consignmentId: C_A_DOC, exemptionId: E_A, billOfLading: BOL },
            }),
          )
        ).status,
      ).toBe(202);
      await eventually(async () => {
        const flags = await json<Flags>('operator', '/flags?limit=1000');
        return flags.items.filter(
          (f) => f.rule === 'duplicate-document' && f.consignmentIds.includes(C_A_DOC),
        ).length >= 2
          ? true
          : undefined;
      });
      await eventually(async () => {
        const alerts = await json<Alerts>('operator', '/alerts?limit=1000');
        return alerts.items.filter((a) => a.rule === 'duplicate-document').length >= 2 ? true : undefined;
      });
    });

    it('the first citer (B) sees the flag about its own consignment, operators every one; the later citer (A) is told nothing', async () => {
      const dup = (items: Array<{ rule: string }>) => items.filter((f) => f.rule === 'duplicate-document');
      const seenByB = (
        dup((await json<Flags>('dashboardB', '/flags?limit=1000')).items) as unknown as Array<{
          subject: { id: string };
          consignmentIds: string[];
        }>
      ).map((f) => f.subject.id);
      // Only its own: a later citer's flags (one per citing consignment, as many as another organisation
      // cares to register) are not added to B's lists.
      expect(seenByB).toContain(C_B_DOC);
      expect(seenByB.filter((id) => id !== C_B_DOC && !id.startsWith('BX-'))).toEqual([]);
      expect(dup((await json<Alerts>('dashboardB', '/alerts?limit=1000')).items).length).toBeGreaterThan(0);
      expect(dup((await json<Flags>('dashboardA', '/flags?limit=1000')).items)).toEqual([]);
      expect(dup((await json<Alerts>('dashboardA', '/alerts?limit=1000')).items)).toEqual([]);
      const own = await json<{ flags: Array<{ rule: string }> }>('dashboardA', `/consignments/${C_A_DOC}`);
      expect(dup(own.flags)).toEqual([]);
      const map = await json<{ alerts: Array<{ rule: string }> }>(
        'dashboardA',
        `/consignments/${C_A_DOC}/map`,
      );
      expect(dup(map.alerts)).toEqual([]);
      const risk = await json<{ events: Array<{ event: { data?: { rule?: string } } }> }>(
        'dashboardA',
        `/streams/risk-consignment-${C_A_DOC}`,
      );
      expect(risk.events.filter((e) => e.event.data?.rule === 'duplicate-document')).toEqual([]);
      const timeline = await json<{ items: Array<{ event: { data?: { rule?: string } } }> }>(
        'dashboardA',
        `/consignments/${C_A_DOC}/timeline?limit=100`,
      );
      expect(timeline.items.filter((i) => i.event.data?.rule === 'duplicate-document')).toEqual([]);
      expect(JSON.stringify(await json('dashboardA', '/alerts/groups'))).not.toContain('duplicate-document');
    });

    it("when the later citer amends its registration, the clear B reads names none of A's events", async () => {
      expect(
        (
          await post(
            'producerA',
            '/events',
            consignmentRegistered({
              id: 'r-a-doc-amended',
              data: { consignmentId: C_A_DOC, exemptionId: E_A, billOfLading: 'BOL-A-OWN-77' },
            }),
          )
        ).status,
      ).toBe(202);
      type Stream = { events: Array<{ type: string; event: { data?: { evidence?: string[] } } }> };
      const cleared = await eventually(async () => {
        const risk = await json<Stream>('operator', `/streams/risk-consignment-${C_B_DOC}`);
        const clear = risk.events.find((e) => e.type === 'aidwatch.flag.cleared.v1');
        return clear?.event.data?.evidence?.includes('r-a-doc') ? clear : undefined;
      });
      expect(cleared.event.data?.evidence).toContain('r-b-doc');
      const seenByB = JSON.stringify([
        await json('dashboardB', `/streams/risk-consignment-${C_B_DOC}`),
        await json('dashboardB', `/consignments/${C_B_DOC}/timeline?limit=1000`),
      ]);
      expect(seenByB).toContain('aidwatch.flag.cleared.v1');
      expect(seenByB).not.toContain('r-a-doc');
      expect(seenByB).not.toContain(C_A_DOC);
    });
  });

  describe('edges of the intake and the API', () => {
    it('numeric query parameters are plain decimals (/alerts?limit=1e3 is a 400)', async () => {
      for (const limit of ['1e3', '0x10', '+5', ' 5', '5.0'])
        expect({
          limit,
          status: (await get('operator', `/alerts?limit=${encodeURIComponent(limit)}`)).status,
        }).toEqual({
          limit,
          status: 400,
        });
      expect((await get('operator', '/alerts?limit=1000')).status).toBe(200);
    });

    it('a CloudEvents subject that disagrees with the data is refused (400), one that agrees is accepted', async () => {
      const wrong = consignmentRegistered({
        id: 'r-subject-1',
        subject: 'CSG-SOMEONE-ELSE',
        data: { consignmentId: 'AX-SUBJ-1', exemptionId: E_A },
      });
      const res = await post('producerA', '/events', wrong);
      expect(res.status).toBe(400);
      expect(await res.text()).toContain('subject');
      const position = vesselPosition({
        id: 'pos-subject',
        subject: '412000099',
        data: { mmsi: '412000098' },
      });
      expect((await post('relay', '/events', position)).status).toBe(400);
      const right = consignmentRegistered({
        id: 'r-subject-2',
        subject: 'AX-SUBJ-2',
        data: { consignmentId: 'AX-SUBJ-2', exemptionId: E_A },
      });
      expect((await post('producerA', '/events', right)).status).toBe(202);
    });

    it('a monitor source with dot segments is refused before its prefix is matched', async () => {
      const registration = consignmentRegistered({
        id: 'r-dot',
        data: { consignmentId: 'AX-DOT-1', exemptionId: E_A },
      });
      expect((await post('producerA', '/events', registration)).status).toBe(202);
      await eventually(async () =>
        (await get('dashboardA', '/consignments/AX-DOT-1')).ok ? true : undefined,
      );
      const visit = (id: string, source: string) =>
        verificationReported({ id, source, data: { consignmentId: 'AX-DOT-1', monitorId: 'MON-A' } });
      const b = encodeURIComponent(ORG_B);
      for (const [i, source] of [
        `${NAMESPACE_A}/../${b}/x`,
        `${NAMESPACE_A}/%2e%2e/${b}/x`,
        `${NAMESPACE_A}/%2E%2E%2F${b}`,
        `${NAMESPACE_A}/./x`,
      ].entries())
        expect({
          source,
          status: (await post('monitorA', '/events', visit(`v-dot-${i}`, source))).status,
        }).toEqual({
          source,
          status: 403,
        });
      expect((await post('monitorA', '/events', visit('v-dot-ok', `${NAMESPACE_A}/field`))).status).toBe(202);
    });

    it('silences created at once never exceed LIMIT_SILENCES_PER_TENANT', async () => {
      const create = () =>
        post('dashboardA', '/silences', {
          matchers: [{ name: 'rule', value: 'ais-gap' }],
          endsAt: new Date(Date.now() + 3_600_000).toISOString(),
          comment: 'in parallel',
        });
      const statuses = (await Promise.all(Array.from({ length: SILENCE_LIMIT + 5 }, create))).map(
        (r) => r.status,
      );
      expect(statuses.filter((s) => s === 201)).toHaveLength(SILENCE_LIMIT);
      expect(statuses.filter((s) => s !== 201).every((s) => s === 409)).toBe(true);
      const held = await json<{ items: Array<{ state: string }> }>('dashboardA', '/silences');
      expect(held.items.filter((s) => s.state !== 'expired')).toHaveLength(SILENCE_LIMIT);
    });
  });

  describe('an organisation closes its own imports, and only those', () => {
    const close = (source: string, id: string) =>
      inputClosed({ id, source, subject: source, data: { source, at: '2026-05-31T23:59:59Z' } });
    const stored = async (id: string) =>
      (await store().readAll({ maxCount: 1_000_000 })).some((e) => (e.data as { id?: string }).id === id);

    it("a producer whose credential names the source closes it; another organisation's producer cannot", async () => {
      const own = await post('importerA', '/events', close('/org/a/imports/2026-05', 'close-a-own'));
      expect(own.status).toBe(202);
      expect(await stored('close-a-own')).toBe(true);
      // Organisation B's producer may write anywhere ('*'), yet closes no input: '*' names none.
      const squat = await post('producerB', '/events', close('/org/a/imports/2026-05', 'close-b-squat'));
      expect(squat.status).toBe(403);
      expect(await squat.text()).toMatch(/closes only sources its credential names/);
      // Nor does A's importer close a source its credential does not name.
      const elsewhere = await post('importerA', '/events', close('/org/b/logistics', 'close-a-elsewhere'));
      expect(elsewhere.status).toBe(403);
      expect(await stored('close-b-squat')).toBe(false);
      expect(await stored('close-a-elsewhere')).toBe(false);
    });
  });
});
