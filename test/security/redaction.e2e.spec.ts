import fc from 'fast-check';
import { EventTypes, type AidEvent, type Flag } from '@aidwatch/domain';
import { consignmentRegistered, exemptionGranted } from '@aidwatch/domain/testing';
import { EVENT_STORE, type EventStore } from '@aidwatch/event-store';
import { flagRaisedEvent, flagWrites } from '@aidwatch/projections';
import { DemoCast, demoScenario } from '../../apps/aidwatch/src/demo/demo-scenario';
import { eventually, startTestSystem, type TestSystem } from '../support/aidwatch-process';
import { SseClient } from '../support/sse-client';

/**
 * Redaction per reader, against the real server with the demo (five organisations, vessels carrying
 * several organisations' aid): for every organisation, a dashboard reads every list, alert, consignment,
 * timeline and the alert stream, and no answer holds another organisation's consignment id, exemption id,
 * organisation name, site id, silence id or note as a whole token. The identifiers are generated from the
 * demo's events. The demo's vessels carry one organisation's aid each, so the detector's verdict on a
 * vessel carrying one consignment of every organisation is stored as it would raise it, and every
 * organisation comments on and silences that shared alert.
 */
const events = demoScenario() as AidEvent[];
const orgOfExemption = new Map<string, string>();
const sitesOf = new Map<string, Set<string>>();
const consignmentsOf = new Map<string, string[]>();
for (const e of events) {
  if (e.type === EventTypes.ExemptionGranted) {
    if (!orgOfExemption.has(e.data.exemptionId))
      orgOfExemption.set(e.data.exemptionId, e.data.implementingOrg);
    const sites = sitesOf.get(e.data.implementingOrg) ?? new Set();
    for (const s of e.data.sites) sites.add(s.siteId);
    sitesOf.set(e.data.implementingOrg, sites);
  }
  if (e.type === EventTypes.ConsignmentRegistered) {
    const org = orgOfExemption.get(e.data.exemptionId)!;
    consignmentsOf.set(org, [...new Set([...(consignmentsOf.get(org) ?? []), e.data.consignmentId])]);
  }
}
const orgs = [...new Set(orgOfExemption.values())].sort();

/** The identifiers of every organisation but `org`, less those `org` has too (a site both name). */
function foreignTo(org: string): string[] {
  const mine = new Set<string>([
    org,
    ...(consignmentsOf.get(org) ?? []),
    ...(sitesOf.get(org) ?? []),
    ...[...orgOfExemption].filter(([, o]) => o === org).map(([x]) => x),
  ]);
  const theirs = new Set<string>();
  for (const other of orgs.filter((o) => o !== org)) {
    theirs.add(other);
    for (const c of consignmentsOf.get(other) ?? []) theirs.add(c);
    for (const s of sitesOf.get(other) ?? []) theirs.add(s);
  }
  for (const [x, o] of orgOfExemption) if (o !== org) theirs.add(x);
  return [...theirs].filter((id) => !mine.has(id));
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const wholeToken = (id: string) => new RegExp(`(?<![\\p{L}\\p{N}_-])${escape(id)}(?![\\p{L}\\p{N}_-])`, 'u');

describe('redaction per reader: no organisation receives another’s identifiers', () => {
  jest.setTimeout(180_000);
  let system: TestSystem;

  const notes = new Map<string, string>();
  const silences = new Map<string, string>();
  const keys = new Map<string, string>();
  let sharedAlertId = '';

  beforeAll(async () => {
    system = await startTestSystem({ DEMO: 'true', RATE_LIMIT_REQUESTS: '100000' });
    await eventually(
      async () => {
        const res = await system.fetch(`${system.url}/alerts?limit=10000`);
        const items = ((await res.json()) as { items: Array<{ rule: string }> }).items;
        return items.some((a) => a.rule === 'encounter') ? true : undefined;
      },
      120_000,
      'the demo alerts',
    );
    const aboard = orgs.map((org) => consignmentsOf.get(org)![0]);
    const shared: Flag = {
      flagId: 'f0a1b2c3d4e5f60718293a4b5c6d7e8f',
      fingerprint: '0f1e2d3c4b5a69788796a5b4c3d2e1f0',
      rule: 'encounter',
      severity: 'high',
      subject: { kind: 'vessel', id: DemoCast.carrier },
      consignmentIds: aboard,
      observed: { partnerMmsi: DemoCast.designatedPartner, consignmentsOnBoard: aboard },
      threshold: {},
      evidence: aboard.map((c) => `${c}/loaded`), // producers' event ids often embed the consignment id
      explanation: `Vessel ${DemoCast.carrier} met a designated vessel while carrying ${aboard.join(', ')} (${orgs.join(', ')}).`,
      raisedAt: '2026-10-01T00:00:00Z',
    };
    await system.app.get<EventStore>(EVENT_STORE).appendMany(flagWrites([flagRaisedEvent(shared)]));
    sharedAlertId = await eventually(async () => {
      const res = await system.fetch(`${system.url}/alerts/${shared.fingerprint}`);
      return res.ok ? shared.fingerprint : undefined;
    });
    for (const org of orgs) {
      const key = system.credential({ role: 'dashboard', tenant: org });
      keys.set(org, key);
      const note = `note-of-${org.replace(/\W+/g, '')}-only`;
      notes.set(org, note);
      const commented = await system.fetch(`${system.url}/alerts/${sharedAlertId}/comments`, {
        method: 'POST',
        as: key,
        body: JSON.stringify({ comment: note }),
        headers: { 'content-type': 'application/json' },
      });
      expect(commented.status).toBe(201);
      const silenced = await system.fetch(`${system.url}/silences`, {
        method: 'POST',
        as: key,
        body: JSON.stringify({
          matchers: [{ name: 'vessel', value: DemoCast.carrier }],
          endsAt: new Date(Date.now() + 3_600_000).toISOString(),
          comment: `silence of ${org}`,
        }),
        headers: { 'content-type': 'application/json' },
      });
      expect(silenced.status).toBe(201);
      silences.set(org, ((await silenced.json()) as { silenceId: string }).silenceId);
    }
  });
  afterAll(async () => {
    await system?.stop();
  });

  it('the demo has alerts shared by several organisations (what this suite is about)', async () => {
    const { items } = (await (await system.fetch(`${system.url}/alerts?limit=10000`)).json()) as {
      items: Array<{ labels: { organisation: string[] } }>;
    };
    expect(items.some((a) => a.labels.organisation.length === orgs.length)).toBe(true);
    const alert = (await (await system.fetch(`${system.url}/alerts/${sharedAlertId}`)).json()) as {
      history: Array<{ note?: string }>;
      silencedBy: string[];
    };
    // The operator sees every organisation's notes and silences.
    for (const org of orgs) expect(alert.history.map((h) => h.note)).toContain(notes.get(org));
    expect(alert.silencedBy.sort()).toEqual([...silences.values()].sort());
  });

  it.each(orgs)(
    '%s reads lists, alerts, consignments, timelines and the stream without others’ ids',
    async (org) => {
      const key = system.credential({ role: 'dashboard', tenant: org });
      const read = async (path: string) => {
        const res = await system.fetch(`${system.url}${path}`, { as: key });
        expect({ path, status: res.status }).toEqual({ path, status: 200 });
        return res.text();
      };
      const answers: Array<[string, string]> = [];
      for (const path of ['/flags?limit=10000', '/alerts?limit=10000', '/alerts/groups', '/silences'])
        answers.push([path, await read(path)]);
      const alerts = (JSON.parse(answers[1][1]) as { items: Array<{ alertId: string }> }).items;
      for (const { alertId } of alerts.slice(0, 40))
        answers.push([`/alerts/${alertId}`, await read(`/alerts/${alertId}`)]);
      for (const c of consignmentsOf.get(org) ?? []) {
        answers.push([`/consignments/${c}`, await read(`/consignments/${c}`)]);
        answers.push([`/consignments/${c}/timeline`, await read(`/consignments/${c}/timeline?limit=1000`)]);
        answers.push([`/consignments/${c}/map`, await read(`/consignments/${c}/map`)]);
      }
      const sse = new SseClient(`${system.url}/alerts/stream?after=0`, system.auth(key));
      await sse.open();
      await new Promise((r) => setTimeout(r, 1500));
      await sse.close();
      answers.push(['/alerts/stream', sse.frames.map((f) => f.data).join('\n')]);
      expect(sse.frames.length).toBeGreaterThan(0);
      const others = orgs.filter((o) => o !== org);
      const foreign = [
        ...foreignTo(org),
        ...others.map((o) => notes.get(o)!),
        ...others.map((o) => silences.get(o)!),
      ].map((id) => [id, wholeToken(id)] as const);
      const leaks: string[] = [];
      for (const [path, body] of answers)
        for (const [id, pattern] of foreign) if (pattern.test(body)) leaks.push(`${path}: ${id}`);
      expect(leaks).toEqual([]);
    },
  );
});

describe('property: over generated multi-organisation stories, no reader receives another’s identifiers', () => {
  jest.setTimeout(180_000);
  let system: TestSystem;
  let run = 0;
  beforeAll(async () => {
    system = await startTestSystem({ RATE_LIMIT_REQUESTS: '100000' });
  });
  afterAll(async () => {
    await system?.stop();
  });

  /** A story: organisations with exemptions (some sites shared) and consignments, vessels carrying several. */
  const story = fc.record({
    organisations: fc.integer({ min: 2, max: 3 }),
    consignmentsPer: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 3, maxLength: 3 }),
    sharedSite: fc.boolean(),
    vessels: fc.array(fc.array(fc.nat(8), { minLength: 2, maxLength: 5 }), { minLength: 1, maxLength: 3 }),
    comments: fc.boolean(),
    /** Each organisation's first consignment cites one bill of lading; then maybe one amends it away (a clear). */
    sharedDocument: fc.boolean(),
    amendAway: fc.boolean(),
  });

  it('holds for every generated story', async () => {
    await fc.assert(
      fc.asyncProperty(story, async (s) => {
        const r = ++run;
        const post = (as: string, path: string, body: unknown) =>
          system.fetch(`${system.url}${path}`, {
            method: 'POST',
            as,
            body: JSON.stringify(body),
            headers: { 'content-type': 'application/json' },
          });
        const orgs = Array.from({ length: s.organisations }, (_, i) => `Org ${r}-${i}`);
        const mine = new Map<string, Set<string>>(orgs.map((o) => [o, new Set([o])]));
        const consignments: Array<{ id: string; org: string }> = [];
        const events: unknown[] = [];
        orgs.forEach((org, i) => {
          const exemptionId = `EX-${r}-${i}`;
          const sites = [`S-${r}-${i}`, ...(s.sharedSite ? [`S-${r}-shared`] : [])];
          for (const x of [exemptionId, ...sites]) mine.get(org)!.add(x);
          events.push(
            exemptionGranted({
              id: `p-${r}-g${i}`,
              subject: exemptionId,
              data: {
                exemptionId,
                implementingOrg: org,
                sites: sites.map((siteId) => ({ siteId, name: siteId, lat: 39, lon: 125.7, radiusKm: 2 })),
              },
            }),
          );
          for (let c = 0; c < s.consignmentsPer[i]; c++) {
            const id = `C-${r}-${i}-${c}`;
            consignments.push({ id, org });
            mine.get(org)!.add(id);
            // Event ids that do not embed the consignment id: another organisation must not learn them either.
            const eventId = `evt${r}x${i}x${c}`;
            mine.get(org)!.add(eventId);
            events.push(
              consignmentRegistered({
                id: eventId,
                subject: id,
                data: {
                  consignmentId: id,
                  exemptionId,
                  ...(s.sharedDocument && c === 0 && { billOfLading: `BL-${r}-shared` }),
                },
              }),
            );
          }
        });
        expect((await post(system.keys.producer, '/events', events)).status).toBe(202);
        if (s.sharedDocument) {
          const citing = orgs.map((_, i) => `C-${r}-${i}-0`);
          const dupFlags = async () =>
            (
              (await (
                await system.fetch(`${system.url}/flags?rule=duplicate-document&limit=10000`)
              ).json()) as {
                items: Flag[];
              }
            ).items.filter((f) => f.consignmentIds.some((id) => citing.includes(id)));
          await eventually(async () => ((await dupFlags()).length >= orgs.length ? true : undefined));
          if (s.amendAway) {
            const amended = `evt${r}x1xamend`;
            mine.get(orgs[1])!.add(amended);
            const amend = consignmentRegistered({
              id: amended,
              subject: citing[1],
              data: { consignmentId: citing[1], exemptionId: `EX-${r}-1`, billOfLading: `BL-${r}-own` },
            });
            expect((await post(system.keys.producer, '/events', [amend])).status).toBe(202);
            await eventually(async () =>
              (await system.fetch(`${system.url}/streams/risk-consignment-${citing[0]}`)).ok &&
              (
                await (await system.fetch(`${system.url}/streams/risk-consignment-${citing[0]}`)).text()
              ).includes('aidwatch.flag.cleared')
                ? true
                : undefined,
            );
          }
        }
        const flags: Flag[] = s.vessels.map((picks, v) => {
          const aboard = [...new Set(picks.map((p) => consignments[p % consignments.length].id))];
          const names = [...new Set(aboard.map((id) => consignments.find((c) => c.id === id)!.org))];
          return {
            flagId: `${r}f${v}`.padEnd(32, '0'),
            fingerprint: `${r}a${v}`.padEnd(32, '0'),
            rule: 'encounter',
            severity: 'high',
            subject: { kind: 'vessel', id: String(412_000_000 + r * 10 + v) },
            consignmentIds: aboard,
            observed: { consignmentsOnBoard: aboard, ...(s.sharedSite ? { siteId: `S-${r}-shared` } : {}) },
            threshold: {},
            evidence: aboard.map((c) => `${c}/loaded`),
            explanation: `Carrying ${aboard.join(', ')} of ${names.join(', ')}.`,
            raisedAt: '2026-10-01T00:00:00Z',
          };
        });
        await system.app.get<EventStore>(EVENT_STORE).appendMany(flagWrites(flags.map(flagRaisedEvent)));
        const keys = new Map(orgs.map((o) => [o, system.credential({ role: 'dashboard', tenant: o })]));
        for (const f of flags)
          await eventually(async () =>
            (await system.fetch(`${system.url}/alerts/${f.fingerprint}`)).ok ? true : undefined,
          );
        const secrets = new Map<string, string[]>(orgs.map((o) => [o, []]));
        for (const org of orgs) {
          const key = keys.get(org)!;
          const silence = await post(key, '/silences', {
            matchers: [{ name: 'rule', value: 'encounter' }],
            endsAt: new Date(Date.now() + 3_600_000).toISOString(),
            comment: `silence of ${org}`,
          });
          expect(silence.status).toBe(201);
          secrets.get(org)!.push(((await silence.json()) as { silenceId: string }).silenceId);
          if (!s.comments) continue;
          for (const f of flags) {
            const note = `note-${r}-${orgs.indexOf(org)}-${f.fingerprint.slice(0, 6)}`;
            const res = await post(key, `/alerts/${f.fingerprint}/comments`, { comment: note });
            if (res.status === 201) secrets.get(org)!.push(note);
            else expect(res.status).toBe(404); // an alert without its aid on board is not its to see
          }
        }
        for (const org of orgs) {
          const key = keys.get(org)!;
          const foreign = new Set<string>();
          for (const other of orgs.filter((o) => o !== org)) {
            for (const id of mine.get(other)!) if (!mine.get(org)!.has(id)) foreign.add(id);
            for (const secret of secrets.get(other)!) foreign.add(secret);
          }
          const paths = [
            '/flags?limit=10000',
            '/alerts?limit=10000',
            '/alerts/groups',
            '/silences',
            ...flags.map((f) => `/alerts/${f.fingerprint}`),
            ...consignments
              .filter((c) => c.org === org)
              .flatMap((c) => [
                `/consignments/${c.id}`,
                `/consignments/${c.id}/timeline`,
                `/streams/consignment-${c.id}`,
                `/streams/risk-consignment-${c.id}`,
              ]),
          ];
          for (const path of paths) {
            const res = await system.fetch(`${system.url}${path}`, { as: key });
            const body = await res.text();
            for (const id of foreign)
              expect({ org, path, leaked: wholeToken(id).test(body) ? id : null }).toEqual({
                org,
                path,
                leaked: null,
              });
          }
        }
      }),
      {
        numRuns: Number(process.env.FC_RUNS ?? 6),
        seed: process.env.FC_SEED ? Number(process.env.FC_SEED) : undefined,
      },
    );
  });
});
