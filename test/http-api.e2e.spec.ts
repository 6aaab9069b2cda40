import { EventTypes } from '@aidwatch/domain';
import { eventually, startTestSystem, type TestSystem } from './support/aidwatch-process';
import { SseClient } from './support/sse-client';
import { shrinkageStory } from './support/stories';

interface FlagItem {
  flagId: string;
  rule: string;
  severity: string;
  consignmentIds: string[];
  cursor: string;
  status: string;
}

const post = (system: TestSystem, body: unknown, contentType = 'application/cloudevents-batch+json') =>
  system.fetch(`${system.url}/events`, {
    method: 'POST',
    headers: { 'content-type': contentType },
    body: JSON.stringify(body),
  });

/** The flags once two reads half a second apart agree (detection and the read model caught up). */
const settledFlags = (system: TestSystem): Promise<FlagItem[]> => {
  let previous: string | undefined;
  return eventually(
    async () => {
      const items = await flagsOf(system, '?limit=1000');
      const now = JSON.stringify(items);
      const settled = now === previous;
      previous = now;
      if (!settled) await new Promise((r) => setTimeout(r, 500));
      return settled ? items : undefined;
    },
    30_000,
    'the flags to settle',
  );
};

const flagsOf = async (system: TestSystem, query = ''): Promise<FlagItem[]> => {
  const res = await system.fetch(`${system.url}/flags${query}`);
  return ((await res.json()) as { items: FlagItem[] }).items;
};

describe('AidWatch over HTTP (embedded store, no Kafka)', () => {
  jest.setTimeout(60_000);
  let system: TestSystem;
  const story = shrinkageStory('h1');

  beforeAll(async () => {
    system = await startTestSystem();
  });
  afterAll(async () => {
    await system?.stop();
  });

  it('rejects a batch with one bad event as a whole, naming the event and field', async () => {
    const bad = {
      ...story.events[2],
      id: 'h1-bad',
      data: { ...story.events[2].data, items: [{ itemCode: 'RUTF', quantity: -1 }] },
    };
    const res = await post(system, [story.events[1], bad]);
    expect(res.status).toBe(400);
    const body = (await res.json()) as {
      error: string;
      details: Array<{ index: number; id: string; errors: Array<{ field: string }> }>;
    };
    expect(body.details).toHaveLength(1);
    expect(body.details[0]).toMatchObject({ index: 1, id: 'h1-bad' });
    expect(body.details[0].errors.map((e) => e.field)).toContain('data.items.0.quantity');
    const stream: any = await (
      await system.fetch(`${system.url}/streams/consignment-${story.consignmentId}`)
    ).json();
    expect(stream.events).toHaveLength(0);
  });

  it('answers malformed JSON with 400 and keeps serving', async () => {
    const res = await system.fetch(`${system.url}/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/cloudevents+json' },
      body: '{"specversion": "1.0", ',
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toMatch(/malformed JSON/);
    expect((await system.fetch(`${system.url}/health`)).status).toBe(200);
  });

  it('accepts the story, appends each event once even when posted twice, and raises the flags', async () => {
    const first = await post(system, story.events);
    expect(first.status).toBe(202);
    expect(((await first.json()) as { accepted: string[] }).accepted).toEqual(story.events.map((e) => e.id));
    expect((await post(system, story.events)).status).toBe(202);

    const stream: any = await (
      await system.fetch(`${system.url}/streams/consignment-${story.consignmentId}`)
    ).json();
    expect(stream.events).toHaveLength(story.events.length - 2);

    const flags = await eventually(
      async () => {
        const items = await flagsOf(system, `?consignmentId=${story.consignmentId}`);
        const rules = new Set(items.map((f) => f.rule));
        return rules.has('quantity-shrinkage') && rules.has('access-denied') ? items : undefined;
      },
      20_000,
      'flags of the story',
    );
    expect(flags.every((f) => f.consignmentIds.includes(story.consignmentId))).toBe(true);

    const consignment: any = await (
      await system.fetch(`${system.url}/consignments/${story.consignmentId}`)
    ).json();
    expect(['high', 'critical']).toContain(consignment.risk);
    const listed: any = await (
      await system.fetch(`${system.url}/consignments?risk=${consignment.risk}`)
    ).json();
    expect(listed.items.map((c: { consignmentId: string }) => c.consignmentId)).toContain(
      story.consignmentId,
    );
  });

  it('/health says when the read model has folded everything stored and detection is live', async () => {
    const health = await eventually(async () => {
      const body = (await (await system.fetch(`${system.url}/health`)).json()) as {
        checks: {
          readModel: { detail: { caughtUp: boolean } };
          detection: { detail: { state: string; lagSeconds: number | null } };
        };
      };
      return body.checks.readModel.detail.caughtUp && body.checks.detection.detail.state === 'live'
        ? body
        : undefined;
    });
    expect(health.checks.detection.detail.lagSeconds).toBe(0);
  });

  it('validates query parameters with field errors', async () => {
    const res = await system.fetch(`${system.url}/flags?limit=20000&severity=apocalyptic`);
    expect(res.status).toBe(400);
    const body = (await res.json()) as { details: Array<{ field: string }> };
    expect(body.details.map((d) => d.field).sort()).toEqual(['limit', 'severity']);
    expect((await system.fetch(`${system.url}/consignments/nope`)).status).toBe(404);
  });

  it('pages /flags with a cursor', async () => {
    const all = await flagsOf(system);
    expect(all.length).toBeGreaterThanOrEqual(2);
    const page1: any = await (await system.fetch(`${system.url}/flags?limit=1`)).json();
    expect(page1.items).toHaveLength(1);
    const page2: any = await (
      await system.fetch(`${system.url}/flags?limit=100&after=${encodeURIComponent(page1.next)}`)
    ).json();
    expect([...page1.items, ...page2.items].map((f: FlagItem) => f.flagId)).toEqual(all.map((f) => f.flagId));
  });

  it('streams alerts over SSE and resumes after Last-Event-ID with nothing lost or repeated', async () => {
    const first = new SseClient(`${system.url}/alerts/stream?after=0`, system.auth());
    await first.open();
    const seen = await first.waitFor((frames) => frames.length >= 2);
    await first.close();
    const resumeFrom = seen[0];

    // More flags arrive while the client is away.
    const more = shrinkageStory('h2');
    expect((await post(system, more.events)).status).toBe(202);
    await eventually(async () =>
      (await flagsOf(system, `?consignmentId=${more.consignmentId}`)).length >= 2 ? true : undefined,
    );

    const everything = new SseClient(`${system.url}/alerts/stream?after=0`, system.auth());
    await everything.open();
    const total = (await flagsOf(system, '?limit=10000')).length;
    await everything.waitFor(
      (frames) => frames.filter((f) => f.event === 'aidwatch.flag.raised.v1').length >= total,
    );
    await everything.close();

    const resumed = new SseClient(`${system.url}/alerts/stream`, {
      ...system.auth(),
      'Last-Event-ID': resumeFrom.id ?? '',
    });
    await resumed.open();
    const expected = everything.frames.slice(1);
    await resumed.waitFor((frames) => frames.length >= expected.length);
    await new Promise((r) => setTimeout(r, 300));
    await resumed.close();
    expect(resumed.frames.map((f) => f.id)).toEqual(expected.map((f) => f.id));

    const badResume = await system.fetch(`${system.url}/alerts/stream?after=not-a-position`);
    expect(badResume.status).toBe(400);
    expect(((await badResume.json()) as { details: Array<{ field: string }> }).details[0].field).toBe(
      'after',
    );
  });

  it('takes raw AIS NMEA sentences (tag-block time, multipart type 5) and rejects garbage with line errors', async () => {
    const sentences = [
      '\\c:1700000000*5F\\!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A',
      '!AIVDM,2,1,1,A,55?MbV02;H;s<HtKR20EHE:0@T4@Dn2222222216L961O5Gf0NSQEp6ClRp8,0*1C',
      '!AIVDM,2,2,1,A,88888888880,2*25',
    ].join('\n');
    const res = await system.fetch(`${system.url}/ais/nmea?station=test-rx`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: sentences,
    });
    expect(res.status).toBe(202);
    expect(((await res.json()) as { accepted: string[] }).accepted).toHaveLength(2);
    const vessel: any = await (await system.fetch(`${system.url}/streams/vessel-371798000`)).json();
    expect(vessel.events[0].event).toMatchObject({
      type: EventTypes.VesselPositionReported,
      source: 'nmea:test-rx',
      data: { mmsi: '371798000', sog: 12.3, at: '2023-11-14T22:13:20.000Z' },
    });

    const bad = await system.fetch(`${system.url}/ais/nmea`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: '!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*00',
    });
    expect(bad.status).toBe(400);
    const body = (await bad.json()) as { details: Array<{ errors: Array<{ field: string }> }> };
    expect(body.details[0].errors[0].field).toBe('line 1');
  });

  it('refuses an event dated in the future with its reason, storing nothing and moving no clock', async () => {
    // Detection of the earlier tests' events may still be under way: compare against the settled flags.
    const flagsBefore = await settledFlags(system);
    const future = {
      ...story.events[1],
      id: 'h1-from-9999',
      subject: 'C-h1-future',
      time: '9999-01-01T00:00:00Z',
      data: { ...story.events[1].data, consignmentId: 'C-h1-future' },
    };
    const res = await post(system, future, 'application/cloudevents+json');
    expect(res.status).toBe(400);
    const body = (await res.json()) as {
      details: Array<{ id: string; reason: string; errors: Array<{ field: string; message: string }> }>;
    };
    expect(body.details[0]).toMatchObject({ id: 'h1-from-9999', reason: 'dated in the future' });
    expect(body.details[0].errors[0].field).toBe('time');
    expect(body.details[0].errors[0].message).toMatch(
      /^9999-01-01T00:00:00Z is later than the time received/,
    );
    const stored = (await (await system.fetch(`${system.url}/streams/consignment-C-h1-future`)).json()) as {
      events?: unknown[];
    };
    expect(stored.events ?? []).toEqual([]);
    expect(await settledFlags(system)).toEqual(flagsBefore);
    const metrics = await (await system.fetch(`${system.url}/metrics`)).text();
    expect(metrics).toMatch(/aidwatch_events_future_dated_total\{topic="http"\} 1/);
  });

  it('exposes Prometheus metrics', async () => {
    const text = await (await system.fetch(`${system.url}/metrics`)).text();
    // Story h1 posted twice (idempotent repeats are still accepted) and story h2 once.
    expect(text).toMatch(
      /aidwatch_events_ingested_total\{topic="http",type="aidwatch.consignment.loaded.v1"\} 3/,
    );
    expect(text).toMatch(/aidwatch_flags_raised_total\{rule="quantity-shrinkage",severity="\w+"\} [1-9]/);
    expect(text).toMatch(/aidwatch_events_rejected_total\{topic="http"\} [1-9]/);
    // The embedded store has no lease: the one detector is active from the start.
    expect(text).toMatch(/^aidwatch_detector_active 1$/m);
    // Every projection this process runs reports its lag (what the lagging alerts read).
    for (const projection of [
      'detection',
      'read-model',
      'alert-book',
      'webhook-outbox',
      'audit-stream-heads',
    ])
      expect(text).toMatch(
        new RegExp(`^aidwatch_projection_lag_seconds\\{projection="${projection}[^"]*"\\} \\d`, 'm'),
      );
  });

  it('resumes from its checkpoints after a restart without raising anything twice', async () => {
    const before = await flagsOf(system, '?limit=10000');
    const dataDir = system.dataDir;
    await system.stop();
    system = await startTestSystem({ DATA_DIR: dataDir });
    const after = await eventually(async () => {
      const items = await flagsOf(system, '?limit=10000');
      return items.length >= before.length ? items : undefined;
    });
    expect(after.map((f) => f.flagId)).toEqual(before.map((f) => f.flagId));
    const risk: any = await (
      await system.fetch(`${system.url}/streams/risk-consignment-${story.consignmentId}`)
    ).json();
    const raisedIds = risk.events
      .filter((e: { type: string }) => e.type === EventTypes.FlagRaised)
      .map((e: { id: string }) => e.id);
    expect(new Set(raisedIds).size).toBe(raisedIds.length);
  });
});
