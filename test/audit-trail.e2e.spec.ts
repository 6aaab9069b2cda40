import { SampleIds } from '@aidwatch/domain/testing';
import * as path from 'node:path';
import { CHECKPOINT_STREAM, READ_MODEL, rebuildFromZero } from '@aidwatch/audit';
import { auditStory } from '@aidwatch/audit/testing';
import { EmbeddedEventStore } from '@aidwatch/event-store';
import { SqliteCheckpointStore, ReadModelProjection } from '@aidwatch/projections';
import { eventually, startTestSystem, type TestSystem } from './support/aidwatch-process';

interface TimelinePage {
  items: Array<{ position: string; streamId: string; type: string; hash: string }>;
  next: string | null;
  previous: string | null;
}

let system: TestSystem;

const get = async (url: string) => {
  const res = await system.fetch(url);
  return { status: res.status, body: (await res.json()) as any };
};
const post = (url: string, body: unknown) =>
  system.fetch(`${url}/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/cloudevents-batch+json' },
    body: JSON.stringify(body),
  });

describe('audit trail over HTTP: as-of state, timeline, chain verification', () => {
  jest.setTimeout(60_000);
  const id = SampleIds.consignmentId;
  let beforeDischarge: string;

  beforeAll(async () => {
    system = await startTestSystem();
    const [granted, registered, loaded, ...rest] = auditStory();
    expect((await post(system.url, [granted, registered, loaded])).status).toBe(202);
    await eventually(async () =>
      (await get(`${system.url}/consignments/${id}`)).status === 200 ? true : undefined,
    );
    await new Promise((resolve) => setTimeout(resolve, 20));
    beforeDischarge = new Date().toISOString();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect((await post(system.url, rest)).status).toBe(202);
    await eventually(async () =>
      (await get(`${system.url}/consignments/${id}`)).body.status === 'verified' ? true : undefined,
    );
  });
  afterAll(() => system?.stop());

  it('?asOf= gives the state as it was known then, live state without it', async () => {
    const then = await get(`${system.url}/consignments/${id}?asOf=${beforeDischarge}`);
    expect(then.status).toBe(200);
    expect(then.body).toMatchObject({
      consignmentId: id,
      status: 'loaded',
      asOf: beforeDischarge,
      risk: 'none',
    });
    const now = await get(`${system.url}/consignments/${id}`);
    expect(now.body).toMatchObject({ consignmentId: id, status: 'verified' });
    const { asOf: _asOf, ...live } = (await get(`${system.url}/consignments/${id}?asOf=2999-01-01T00:00:00Z`))
      .body;
    expect(live).toEqual(now.body);
    expect((await get(`${system.url}/consignments/${id}?asOf=2000-01-01T00:00:00Z`)).status).toBe(404);
  });

  it('an unknown or malformed query parameter is a 400, never ignored', async () => {
    const unknown = await get(`${system.url}/consignments/${id}?asof=2024-01-01T00:00:00Z`);
    expect(unknown.status).toBe(400);
    expect(JSON.stringify(unknown.body)).toMatch(/asof/);
    expect((await get(`${system.url}/consignments/${id}?asOf=yesterday`)).status).toBe(400);
    // ISO 8601 forms that are not RFC 3339 with a zone: a week date, the basic format, no zone.
    for (const odd of ['2027-W01-1', '20271201T000000Z', '2026-11-30T09:33:43'])
      expect((await get(`${system.url}/consignments/${id}?asOf=${odd}`)).status).toBe(400);
    expect((await get(`${system.url}/consignments/${id}/timeline?page=2`)).status).toBe(400);
    expect((await get(`${system.url}/consignments/${id}/timeline?after=1&before=3`)).status).toBe(400);
  });

  it('the timeline interleaves exemption, consignment and vessel events, paged forwards and back', async () => {
    const all: TimelinePage = (await get(`${system.url}/consignments/${id}/timeline`)).body;
    expect(all.items.map((i) => i.streamId)).toEqual(
      expect.arrayContaining([
        `exemption-${SampleIds.exemptionId}`,
        `consignment-${id}`,
        `vessel-${SampleIds.vesselMmsi}`,
      ]),
    );
    expect(all.items).toHaveLength(7); // the position long before loading is not part of it
    expect(all.items.every((i) => /^[0-9a-f]{64}$/.test(i.hash))).toBe(true);

    const forwards: string[] = [];
    let page: TimelinePage = (await get(`${system.url}/consignments/${id}/timeline?limit=3`)).body;
    forwards.push(...page.items.map((i) => i.position));
    while (page.next) {
      page = (await get(`${system.url}/consignments/${id}/timeline?limit=3&after=${page.next}`)).body;
      forwards.push(...page.items.map((i) => i.position));
    }
    expect(forwards).toEqual(all.items.map((i) => i.position));

    const backwards: string[] = [];
    const last = all.items.at(-1)!.position;
    page = (await get(`${system.url}/consignments/${id}/timeline?limit=3&before=${last}`)).body;
    backwards.unshift(...page.items.map((i) => i.position));
    while (page.previous) {
      page = (await get(`${system.url}/consignments/${id}/timeline?limit=3&before=${page.previous}`)).body;
      backwards.unshift(...page.items.map((i) => i.position));
    }
    expect(backwards).toEqual(all.items.slice(0, -1).map((i) => i.position));
    expect((await get(`${system.url}/consignments/nope/timeline`)).status).toBe(404);
  });

  it('GET /audit/verify reports the chains intact', async () => {
    const report = await get(`${system.url}/audit/verify`);
    expect(report.status).toBe(200);
    expect(report.body).toMatchObject({ ok: true, broken: 0, firstBroken: null });
    expect(report.body.events).toBeGreaterThanOrEqual(8);
  });

  it('blue/green: a version rebuilt beside the live one is activated, and the API switches to it', async () => {
    const store = new EmbeddedEventStore({ path: path.join(system.dataDir, 'events.sqlite') });
    const checkpoints = new SqliteCheckpointStore(path.join(system.dataDir, 'projections.sqlite'));
    const green = new ReadModelProjection('green-1');
    const built = await rebuildFromZero(store, green, { to: await store.headPosition() });
    await checkpoints.save(green.name, built.position!, green.snapshot(), new Date());
    await checkpoints.activate(READ_MODEL, 'green-1');
    await checkpoints.close();
    await store.close();
    await eventually(async () =>
      (await get(`${system.url}/health`)).body.checks.readModel.detail.projection === 'read-model-v3@green-1'
        ? true
        : undefined,
    );
    expect((await get(`${system.url}/consignments/${id}`)).body).toMatchObject({ status: 'verified' });
  });
});

describe('a graceful stop of the detector', () => {
  jest.setTimeout(60_000);

  it('writes one more audit checkpoint covering what it had seen', async () => {
    const stopping = await startTestSystem({ AUDIT_CHECKPOINT_EVERY_MS: '3600000' });
    const dataDir = stopping.dataDir;
    try {
      const [granted, registered, loaded] = auditStory();
      const sent = await stopping.fetch(`${stopping.url}/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify([granted, registered, loaded]),
      });
      expect(sent.status).toBe(202);
    } finally {
      await stopping.stop();
    }
    const store = new EmbeddedEventStore({ path: path.join(dataDir, 'events.sqlite') });
    try {
      const checkpoints = await store.readStream(CHECKPOINT_STREAM);
      expect(checkpoints).toHaveLength(1);
      const stored = await store.readAll({ filter: { streamPrefixes: ['consignment-', 'exemption-'] } });
      expect((checkpoints[0].data as { data: { streams: number } }).data.streams).toBeGreaterThanOrEqual(
        new Set(stored.map((e) => e.streamId)).size,
      );
    } finally {
      await store.close();
    }
  });
});
