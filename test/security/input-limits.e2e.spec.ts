import { gzipSync } from 'node:zlib';
import { SampleIds } from '@aidwatch/domain/testing';
import { eventually, startTestSystem, type TestSystem } from '../support/aidwatch-process';
import { shrinkageStory } from '../support/stories';

const batchType = 'application/cloudevents-batch+json';

describe('input limits and HTTP hardening, against the real HTTP server', () => {
  jest.setTimeout(60_000);
  let system: TestSystem;
  const story = shrinkageStory('lim');
  const post = (body: unknown, init: RequestInit & { as?: string | null } = {}) =>
    system.fetch(`${system.url}/events`, {
      method: 'POST',
      headers: { 'content-type': batchType },
      body: typeof body === 'string' ? body : JSON.stringify(body),
      ...init,
    });
  const streamEvents = async (streamId: string) =>
    ((await (await system.fetch(`${system.url}/streams/${streamId}`)).json()) as { events: unknown[] })
      .events;

  beforeAll(async () => {
    system = await startTestSystem({
      LIMIT_BATCH_EVENTS: '50',
      LIMIT_ERROR_DETAILS: '5',
      CORS_ORIGINS: 'https://console.example',
    });
    expect((await post(story.events)).status).toBe(202);
  });
  afterAll(async () => {
    await system?.stop();
  });

  it('answers 401 without a credential, with a revoked or made-up one; /health needs none', async () => {
    expect((await system.fetch(`${system.url}/flags`, { as: null })).status).toBe(401);
    expect(
      (await system.fetch(`${system.url}/flags`, { as: 'awk_0000000000000000_' + '0'.repeat(64) })).status,
    ).toBe(401);
    expect((await system.fetch(`${system.url}/flags`, { as: 'not.a.jwt' })).status).toBe(401);
    expect((await fetch(`${system.url}/health`)).status).toBe(200);
  });

  it('refuses a 10 MB body with 413 before parsing it, while /health keeps answering', async () => {
    const huge = `[${'1,'.repeat(5_000_000)}1]`;
    const started = Date.now();
    const [res, health] = await Promise.all([post(huge), fetch(`${system.url}/health`)]);
    const ms = Date.now() - started;
    expect(res.status).toBe(413);
    expect(health.status).toBe(200);
    // Timing is reported, not asserted (a shared machine makes wall-clock assertions flaky).
    process.stdout.write(`10 MB body refused with ${res.status} in ${ms} ms\n`);
  });

  it('refuses a batch above LIMIT_BATCH_EVENTS (413) and caps the error details, counting the rest', async () => {
    expect((await post(Array.from({ length: 51 }, () => ({})))).status).toBe(413);
    const res = await post(Array.from({ length: 40 }, (_, i) => ({ id: `x${i}` })));
    expect(res.status).toBe(400);
    const body = (await res.json()) as { details: unknown[]; moreDetails: number };
    expect(body.details).toHaveLength(5);
    expect(body.moreDetails).toBe(35);
  });

  it('counts every identifier and text problem of an event it leaves out of the answer (moreErrors)', async () => {
    const event = structuredClone(story.events[0]) as unknown as {
      id: string;
      data: Record<string, unknown>;
    };
    event.id = 'lim-many-bad-fields';
    for (let i = 0; i < 30; i++) event.data[`note${String(i).padStart(2, '0')}`] = `bad\u0001${i}`;
    const res = await post([event]);
    expect(res.status).toBe(400);
    const body = (await res.json()) as {
      details: Array<{ errors: Array<{ field: string }>; moreErrors?: number }>;
    };
    // 30 problems: the intake lists 20 and counts 10; the answer keeps LIMIT_ERROR_DETAILS (5) and counts the rest.
    expect(body.details[0].errors.map((e) => e.field)).toEqual(
      ['00', '01', '02', '03', '04'].map((n) => `data.note${n}`),
    );
    expect(body.details[0].moreErrors).toBe(25);
  });

  it('refuses JSON nested deeper than LIMIT_JSON_DEPTH with 400, an undecodable gzip body with 400, another charset with 415', async () => {
    const deep = `${JSON.stringify({ ...story.events[0], id: 'deep' }).slice(0, -1)},"extra":${'['.repeat(5000)}${']'.repeat(5000)}}`;
    const deepRes = await post(deep, { headers: { 'content-type': 'application/cloudevents+json' } });
    expect(deepRes.status).toBe(400);
    // Deep JSON in data_base64 is a string to the body's check; the intake holds the decoded event to the limit.
    const { data, ...envelope } = story.events[0] as { data: unknown };
    const deepData = `${JSON.stringify(data).slice(0, -1)},"note":${'['.repeat(5000)}${']'.repeat(5000)}}`;
    const base64Res = await post(
      {
        ...envelope,
        id: 'deep-base64',
        datacontenttype: 'application/json',
        data_base64: Buffer.from(deepData).toString('base64'),
      },
      { headers: { 'content-type': 'application/cloudevents+json' } },
    );
    expect(base64Res.status).toBe(400);
    expect(JSON.stringify(await base64Res.json())).toContain('nests deeper than');
    const notGzip = await post(story.events, {
      headers: { 'content-type': batchType, 'content-encoding': 'gzip' },
    });
    expect(notGzip.status).toBe(400);
    const gzip = await system.fetch(`${system.url}/events`, {
      method: 'POST',
      headers: { 'content-type': batchType, 'content-encoding': 'gzip' },
      body: gzipSync(JSON.stringify(story.events)),
    });
    expect(gzip.status).toBe(202);
    const latin1 = await post(story.events, {
      headers: { 'content-type': `${batchType}; charset=iso-8859-1` },
    });
    expect(latin1.status).toBe(415);
  });

  it.each([
    ['NUL', 'a\u0000b'],
    ['ESC', 'a\u001b[31mb'],
    ['CR/LF', 'a\r\nb'],
    ['right-to-left override', 'abc\u202Efdp.exe'],
    ['zero-width space', 'a\u200Bb'],
    ['byte order mark', '\uFEFFab'],
    ['surrounding spaces', ' ab '],
    ['a lone surrogate', 'a\uD800b'],
    ['300 characters', 'x'.repeat(300)],
  ])('refuses an id with %s (400) and stores nothing', async (_what, bad) => {
    const consignmentId = `C-id-${Buffer.from(bad).toString('hex').slice(0, 12)}`;
    for (const [field, event] of [
      ['id', { ...story.events[1], id: bad, data: { ...(story.events[1].data as object), consignmentId } }],
      [
        'consignmentId',
        {
          ...story.events[1],
          id: `ok-${consignmentId}`,
          data: { ...(story.events[1].data as object), consignmentId: bad },
        },
      ],
      [
        'source',
        {
          ...story.events[1],
          id: `src-${consignmentId}`,
          source: bad,
          data: { ...(story.events[1].data as object), consignmentId },
        },
      ],
    ] as const) {
      const res = await post([event]);
      expect({ field, status: res.status }).toEqual({ field, status: 400 });
    }
    expect(await streamEvents(`consignment-${consignmentId}`)).toEqual([]);
  });

  it('treats numeric query parameters as plain decimals only, and a resume position beyond the head as 400', async () => {
    for (const query of ['limit=1e3', 'limit=0x10', 'limit=%205', 'limit=+5', 'limit=99999999999999999999']) {
      expect((await system.fetch(`${system.url}/flags?${query}`)).status).toBe(400);
    }
    expect(
      (await system.fetch(`${system.url}/streams/consignment-${story.consignmentId}?from=${'9'.repeat(400)}`))
        .status,
    ).toBe(400);
    const beyond = await system.fetch(`${system.url}/alerts/stream`, {
      headers: { 'last-event-id': '999999999' },
    });
    expect(beyond.status).toBe(400);
  });

  it('answers 4xx, never 500, to a 20-digit NMEA tag-block time', async () => {
    const res = await system.fetch(`${system.url}/ais/nmea`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: '\\c:12345678901234567890*00\\!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A\n',
    });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
  });

  it('sends security headers, no X-Powered-By, and answers a CORS preflight only for an allowed origin', async () => {
    const res = await system.fetch(`${system.url}/flags`);
    expect(res.headers.get('x-powered-by')).toBeNull();
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    const preflight = await fetch(`${system.url}/flags`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' },
    });
    expect(preflight.status).toBeLessThan(300);
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    const allowed = await fetch(`${system.url}/flags`, {
      method: 'OPTIONS',
      headers: { origin: 'https://console.example', 'access-control-request-method': 'GET' },
    });
    expect(allowed.status).toBeLessThan(300);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://console.example');
    expect(allowed.headers.get('access-control-allow-headers')).toContain('Authorization');
  });
});

describe('integrity of writes', () => {
  jest.setTimeout(60_000);
  let system: TestSystem;
  const story = shrinkageStory('int');
  const post = (body: unknown, as?: string) =>
    system.fetch(`${system.url}/events`, {
      method: 'POST',
      headers: { 'content-type': batchType },
      body: JSON.stringify(body),
      ...(as ? { as } : {}),
    });

  beforeAll(async () => {
    system = await startTestSystem();
    expect((await post(story.events)).status).toBe(202);
  });
  afterAll(async () => {
    await system?.stop();
  });

  it('takes a byte-identical repeat as an idempotent 202', async () => {
    expect((await post(story.events)).status).toBe(202);
  });

  it('answers 409 naming the id when the same source + id comes with different content, and keeps the original', async () => {
    const original = story.events[2];
    const changed = {
      ...original,
      data: { ...(original.data as object), items: [{ itemCode: 'RUTF', quantity: 1 }] },
    };
    const res = await post([changed]);
    expect(res.status).toBe(409);
    expect(((await res.json()) as { error: string }).error).toContain(original.id);
    const stream = (await (
      await system.fetch(`${system.url}/streams/consignment-${story.consignmentId}`)
    ).json()) as {
      events: Array<{ event: { id: string; data: { items: unknown } } }>;
    };
    const stored = stream.events.find((e) => e.event.id === original.id);
    expect(stored?.event.data.items).toEqual((original.data as { items: unknown }).items);
  });

  it('answers 409 for a request repeating one source + id with different content; identical repeats are one event', async () => {
    const original = story.events[3];
    const twin = { ...original, id: `${original.id}-twin` };
    const changed = { ...twin, data: { ...(twin.data as object), port: 'XXXXX' } };
    const res = await post([twin, changed]);
    expect(res.status).toBe(409);
    expect(JSON.stringify(await res.json())).toContain('earlier event of this request');
    expect((await post([twin, twin])).status).toBe(202);
  });

  it('answers 409, never 500, when the same source + id lands in another stream', async () => {
    const original = story.events[2];
    const moved = {
      ...original,
      // The subject moves with the data (a subject naming another consignment than the data is a 400).
      ...('subject' in original ? { subject: 'C-elsewhere' } : {}),
      data: { ...(original.data as object), consignmentId: 'C-elsewhere' },
    };
    expect((await post([moved])).status).toBe(409);
  });

  it('refuses (403) a producer writing under a source it is not bound to; nothing is stored', async () => {
    const key = system.credential({ role: 'producer', sources: ['/somebody/else'] });
    const other = shrinkageStory('squat');
    expect((await post(other.events, key)).status).toBe(403);
    const stream = (await (
      await system.fetch(`${system.url}/streams/consignment-${other.consignmentId}`)
    ).json()) as {
      events: unknown[];
    };
    expect(stream.events).toEqual([]);
  });

  it('limits requests per credential (429), each credential with its own budget', async () => {
    const limited = await startTestSystem({ RATE_LIMIT_REQUESTS: '5' });
    try {
      const a = limited.credential({ role: 'operator' });
      const b = limited.credential({ role: 'operator' });
      const statuses = [];
      for (let i = 0; i < 7; i++)
        statuses.push((await limited.fetch(`${limited.url}/flags`, { as: a })).status);
      expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
      expect(statuses.slice(5)).toEqual([429, 429]);
      expect((await limited.fetch(`${limited.url}/flags`, { as: b })).status).toBe(200);
    } finally {
      await limited.stop();
    }
  });

  it('stays healthy throughout', async () => {
    await eventually(async () => ((await fetch(`${system.url}/health`)).status === 200 ? true : undefined));
    expect(SampleIds.consignmentId).toBeDefined();
  });
});
