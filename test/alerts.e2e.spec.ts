import { EventTypes } from '@aidwatch/domain';
import { eventually, startTestSystem, type TestSystem } from './support/aidwatch-process';
import { SseClient } from './support/sse-client';
import { shrinkageStory } from './support/stories';

let system: TestSystem;
/** As an operator (events as a producer) unless `as` names another key. */
const post = (_url: string, path: string, body: unknown, contentType = 'application/json', as?: string) =>
  system.fetch(`${system.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': contentType },
    body: JSON.stringify(body),
    as: as ?? (path === '/events' ? system.keys.producer : system.keys.operator),
  });
const postEvents = (url: string, events: unknown[]) =>
  post(url, '/events', events, 'application/cloudevents-batch+json');
const get = async (_url: string, path: string, as?: string): Promise<any> =>
  (await system.fetch(`${system.url}${path}`, { as })).json();

describe('Alerts: lifecycle, dedup, silences and filtered streams over HTTP', () => {
  jest.setTimeout(60_000);
  const story = shrinkageStory('al1');
  const other = shrinkageStory('al2');
  let denied: any;

  beforeAll(async () => {
    system = await startTestSystem();
    expect((await postEvents(system.url, story.events)).status).toBe(202);
    denied = await eventually(
      async () => {
        const { items } = await get(system.url, `/alerts?consignmentId=${story.consignmentId}`);
        const rules = new Set(items.map((a: any) => a.rule));
        return rules.has('access-denied') && rules.has('quantity-shrinkage')
          ? items.find((a: any) => a.rule === 'access-denied')
          : undefined;
      },
      20_000,
      'alerts of the story',
    );
  });
  afterAll(async () => {
    await system?.stop();
  });

  it('labels alerts with their exemption and organisation and keeps one alert per problem when re-detected', async () => {
    expect(denied).toMatchObject({
      status: 'firing',
      labels: { exemptionId: [story.exemptionId], organisation: ['World Food Programme'] },
    });
    const before = (await get(system.url, `/alerts?consignmentId=${story.consignmentId}`)).items.length;
    // The same denial reported again under a new id: the detector raises a new flag (new evidence), the
    // alert stays one and counts the detection.
    const denial = story.events.find((e) => e.id === 'al1-denied')!;
    expect((await postEvents(system.url, [{ ...denial, id: 'al1-denied-again' }])).status).toBe(202);
    const again = await eventually(async () => {
      const a = await get(system.url, `/alerts/${denied.alertId}`);
      return a.occurrences >= 2 ? a : undefined;
    });
    expect(again.flagIds.length).toBeGreaterThanOrEqual(2);
    expect(again.status).toBe('firing');
    const after = (await get(system.url, `/alerts?consignmentId=${story.consignmentId}`)).items;
    expect(after).toHaveLength(before);
    // Inhibition: the open access-denied at the site mutes verification-overdue there.
    const overdue = after.find((a: any) => a.rule === 'verification-overdue');
    expect(overdue.inhibitedBy).toEqual([denied.alertId]);
  });

  it('acknowledges, refuses a second acknowledgement, needs a note to resolve, and records who, when and why', async () => {
    const path = `/alerts/${denied.alertId}`;
    const ack = await post(system.url, `${path}/acknowledge`, { note: 'calling the partner' });
    expect(ack.status).toBe(200);
    expect(((await ack.json()) as any).status).toBe('acknowledged');
    expect((await post(system.url, `${path}/acknowledge`, {})).status).toBe(409);
    expect((await post(system.url, `${path}/assign`, { assignee: 'monitor-kim' })).status).toBe(200);
    expect((await post(system.url, `${path}/comments`, { comment: 'visit rescheduled' })).status).toBe(201);
    const noNote = await post(system.url, `${path}/resolve`, {});
    expect(noNote.status).toBe(400);
    expect(
      (await post(system.url, `${path}/resolve`, { note: 'access granted on the second visit' })).status,
    ).toBe(200);
    const alert = await get(system.url, path);
    expect(alert.status).toBe('resolved');
    expect(alert.assignee).toBe('monitor-kim');
    expect(alert.history.map((h: any) => [h.type, h.note ?? null])).toEqual([
      ['raised', expect.any(String)],
      ['acknowledged', 'calling the partner'],
      ['assigned', null],
      ['commented', 'visit rescheduled'],
      ['resolved', 'access granted on the second visit'],
    ]);
    expect(alert.history.every((h: any) => typeof h.by === 'string' && !Number.isNaN(Date.parse(h.at)))).toBe(
      true,
    );
    expect((await system.fetch(`${system.url}/alerts/nope`)).status).toBe(404);
    expect(alert.history[1].by).toMatch(/^key:/);
  });

  it('creates silences with matchers and an expiry, rejects bad ones, expires them on request', async () => {
    const endsAt = new Date(Date.now() + 3_600_000).toISOString();
    const bad = await post(system.url, '/silences', { matchers: [], endsAt, comment: 'x' });
    expect(bad.status).toBe(400);
    const past = await post(system.url, '/silences', {
      matchers: [{ name: 'rule', value: 'ais-gap' }],
      endsAt: '2020-01-01T00:00:00Z',
      comment: 'x',
    });
    expect(past.status).toBe(400);
    const created = await post(system.url, '/silences', {
      matchers: [{ name: 'consignmentId', value: other.consignmentId }],
      endsAt,
      comment: 'known issue, partner informed',
    });
    expect(created.status).toBe(201);
    const silence = (await created.json()) as any;
    expect(silence).toMatchObject({ state: 'active', createdBy: expect.any(String) });

    expect((await postEvents(system.url, other.events)).status).toBe(202);
    const muted = await eventually(async () => {
      const { items } = await get(system.url, `/alerts?consignmentId=${other.consignmentId}`);
      return items.length > 0 ? items : undefined;
    });
    expect(muted.every((a: any) => a.silencedBy.includes(silence.silenceId))).toBe(true);

    const expired = await system.fetch(`${system.url}/silences/${silence.silenceId}`, {
      method: 'DELETE',
      as: system.keys.operator,
    });
    expect(((await expired.json()) as any).state).toBe('expired');
    const after = await get(system.url, `/alerts?consignmentId=${other.consignmentId}`);
    expect(after.items.every((a: any) => a.silencedBy.length === 0)).toBe(true);
  });

  it('groups open alerts by consignment', async () => {
    const { items } = await get(system.url, '/alerts/groups');
    const group = items.find((g: any) => g.consignmentId === other.consignmentId);
    expect(group.firing + group.acknowledged).toBe(group.alerts.length);
  });

  it('applies stream filters to every event type alike: raised, cleared and lifecycle', async () => {
    const all = new SseClient(`${system.url}/alerts/stream?after=0`, system.auth());
    await all.open();
    const total = (await get(system.url, '/flags?limit=10000')).items.length;
    await all.waitFor((f) => f.filter((x) => x.event === 'aidwatch.flag.raised.v1').length >= total);
    await new Promise((r) => setTimeout(r, 300));
    await all.close();
    const types = new Set(all.frames.map((f) => f.event));
    expect(types).toEqual(
      new Set([
        'aidwatch.flag.raised.v1',
        EventTypes.FlagCleared,
        'aidwatch.alert.acknowledged.v1',
        'aidwatch.alert.assigned.v1',
        'aidwatch.alert.commented.v1',
        'aidwatch.alert.resolved.v1',
      ]),
    );
    const alerts = new Map<string, any>();
    for (const a of (await get(system.url, '/alerts?limit=10000&status=firing,acknowledged,resolved')).items)
      alerts.set(a.alertId, a);
    const alertOf = (frame: { data: string }) => {
      const d = JSON.parse(frame.data).data;
      return alerts.get(d.fingerprint ?? d.alertId);
    };

    const cases: Array<[string, (a: any) => boolean]> = [
      ['severity=high,critical', (a) => ['high', 'critical'].includes(a.severity)],
      ['rule=access-denied', (a) => a.rule === 'access-denied'],
      [`consignmentId=${story.consignmentId}`, (a) => a.consignmentIds.includes(story.consignmentId)],
      [`exemptionId=${other.exemptionId}`, (a) => a.labels.exemptionId.includes(other.exemptionId)],
      [`project=${other.exemptionId}`, (a) => a.labels.exemptionId.includes(other.exemptionId)],
      [
        'organisation=World%20Food%20Programme',
        (a) => a.labels.organisation.includes('World Food Programme'),
      ],
      ['organisation=UNICEF', () => false],
    ];
    for (const [query, belongs] of cases) {
      const expected = all.frames.filter((f) => belongs(alertOf(f)));
      const filtered = new SseClient(`${system.url}/alerts/stream?after=0&${query}`, system.auth());
      await filtered.open();
      await filtered.waitFor((f) => f.length >= expected.length);
      await new Promise((r) => setTimeout(r, 300));
      await filtered.close();
      expect({ query, ids: filtered.frames.map((f) => f.id) }).toEqual({
        query,
        ids: expected.map((f) => f.id),
      });
    }

    // Status is the alert's status after each event: only the acknowledgement and what followed it while acknowledged.
    const acked = new SseClient(`${system.url}/alerts/stream?after=0&status=acknowledged`, system.auth());
    await acked.open();
    await acked.waitFor((f) => f.length >= 1);
    await new Promise((r) => setTimeout(r, 300));
    await acked.close();
    expect(acked.frames.map((f) => f.event)).toEqual([
      'aidwatch.alert.acknowledged.v1',
      'aidwatch.alert.assigned.v1',
      'aidwatch.alert.commented.v1',
    ]);

    const bad = await system.fetch(`${system.url}/alerts/stream?severity=apocalyptic&bbox=1,2,3`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as any).details.map((d: any) => d.field).sort()).toEqual(['bbox', 'severity']);
  });

  it('describes every endpoint in OpenAPI at /docs', async () => {
    const doc = await get(system.url, '/docs-json');
    for (const path of [
      '/alerts',
      '/alerts/{alertId}/acknowledge',
      '/alerts/{alertId}/resolve',
      '/alerts/{alertId}/assign',
      '/alerts/{alertId}/comments',
      '/alerts/stream',
      '/silences',
      '/subscriptions',
      '/subscriptions/{id}/replay',
      '/consignments/{id}/map',
    ])
      expect(Object.keys(doc.paths)).toContain(path);
    expect((await fetch(`${system.url}/docs`)).status).toBe(200);
  });

  it('scopes alerts by role and tenant: a dashboard sees and acts on its organisation only', async () => {
    const wfp = system.credential({ role: 'dashboard', tenant: 'World Food Programme' });
    const unicef = system.credential({ role: 'dashboard', tenant: 'UNICEF' });
    const monitor = system.credential({
      role: 'monitor',
      tenant: 'World Food Programme',
      monitorId: 'MON-017',
    });
    const producer = system.keys.producer;
    const mine = await get(system.url, '/alerts?limit=1000', wfp);
    expect(mine.items.length).toBeGreaterThan(0);
    expect((await get(system.url, '/alerts?limit=1000', monitor)).items.length).toBe(mine.items.length);
    expect((await get(system.url, '/alerts?limit=1000', unicef)).items).toEqual([]);
    const target = mine.items.find((a: any) => a.status === 'firing');
    expect((await system.fetch(`${system.url}/alerts/${target.alertId}`, { as: unicef })).status).toBe(404);
    expect(
      (await post(system.url, `/alerts/${target.alertId}/comments`, { comment: 'x' }, undefined, unicef))
        .status,
    ).toBe(404);
    expect(
      (await post(system.url, `/alerts/${target.alertId}/comments`, { comment: 'seen' }, undefined, wfp))
        .status,
    ).toBe(201);
    expect((await system.fetch(`${system.url}/alerts`, { as: producer })).status).toBe(403);
    expect((await system.fetch(`${system.url}/alerts`, { as: null })).status).toBe(401);
    expect((await system.fetch(`${system.url}/silences`, { as: monitor })).status).toBe(403);
    expect((await system.fetch(`${system.url}/subscriptions`, { as: null })).status).toBe(401);

    // The stream: a dashboard gets its organisation's flag and lifecycle events, another tenant nothing.
    const ours = new SseClient(`${system.url}/alerts/stream?after=0`, system.auth(wfp));
    const theirs = new SseClient(`${system.url}/alerts/stream?after=0`, system.auth(unicef));
    await Promise.all([ours.open(), theirs.open()]);
    await ours.waitFor((f) => f.some((x) => x.event === 'aidwatch.alert.commented.v1'));
    await new Promise((r) => setTimeout(r, 500));
    await Promise.all([ours.close(), theirs.close()]);
    expect(new Set(ours.frames.map((f) => f.event))).toContain('aidwatch.flag.raised.v1');
    expect(theirs.status).toBe(200);
    expect(theirs.frames).toEqual([]);

    // A tenant's silence is bound to its organisation; another tenant does not see it.
    const res = await post(
      system.url,
      '/silences',
      {
        matchers: [{ name: 'rule', value: 'ais-gap' }],
        endsAt: new Date(Date.now() + 60_000).toISOString(),
        comment: 'c',
      },
      undefined,
      unicef,
    );
    const silence = (await res.json()) as any;
    expect(silence.matchers).toContainEqual({ name: 'organisation', value: 'UNICEF' });
    expect((await get(system.url, '/silences', wfp)).items.map((s: any) => s.silenceId)).not.toContain(
      silence.silenceId,
    );
  });
  it('keeps every comment made at the same moment, each once (none depends on another)', async () => {
    const path = `/alerts/${denied.alertId}`;
    const together = await Promise.all(
      Array.from({ length: 12 }, (_, i) => post(system.url, `${path}/comments`, { comment: `at once ${i}` })),
    );
    expect(together.map((r) => r.status)).toEqual(Array(12).fill(201));
    const notes = ((await get(system.url, path)).history as Array<{ note?: string }>).map((e) => e.note);
    for (let i = 0; i < 12; i++) expect(notes.filter((n) => n === `at once ${i}`)).toHaveLength(1);
  });
});
