import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import {
  consignmentLoaded,
  consignmentRegistered,
  exemptionGranted,
  SampleIds,
  verificationReported,
} from '@aidwatch/domain/testing';
import { eventually, startTestSystem, type TestSystem } from '@aidwatch/testing';

const root = path.join(__dirname, '..');

type Schema = Record<string, unknown>;
interface Operation {
  summary?: string;
  security?: unknown[];
  parameters?: Array<{ name: string; in: string; schema?: Schema }>;
  requestBody?: { content: Record<string, unknown> };
  responses: Record<string, { content?: Record<string, { schema?: Schema }> }>;
}
interface OpenApi {
  servers?: Array<{ url: string; description?: string }>;
  info: { title: string; license?: { name: string } };
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
}

/** OpenAPI 3.0 schema → JSON Schema for ajv: `nullable` becomes a null type, `$ref`s point into the document. */
function jsonSchemaOf(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(jsonSchemaOf);
  if (schema === null || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) {
    if (k === 'nullable' || k === 'example') continue;
    out[k] = k === '$ref' ? `openapi${v as string}` : jsonSchemaOf(v);
  }
  if ((schema as { nullable?: boolean }).nullable) return { anyOf: [out, { type: 'null' }] };
  return out;
}

describe('OpenAPI (GET /docs-json): complete, lint-clean, and true of every answer', () => {
  jest.setTimeout(120_000);
  let system: TestSystem;
  let doc: OpenApi;
  const checked = new Set<string>();
  let ajv: Ajv;

  beforeAll(async () => {
    system = await startTestSystem({ WEBHOOK_PRIVATE_TARGETS: 'true', WEBHOOK_MAX_ATTEMPTS: '1' });
    doc = (await (await fetch(`${system.url}/docs-json`)).json()) as OpenApi;
    fs.mkdirSync(path.join(root, 'test-output'), { recursive: true });
    fs.writeFileSync(path.join(root, 'test-output/openapi.json'), JSON.stringify(doc, null, 2));
    ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    ajv.addSchema({ components: jsonSchemaOf(doc.components) }, 'openapi');
  });
  afterAll(() => system?.stop());

  /** Calls an operation as a client would and checks the answer against the document. */
  async function call(
    method: string,
    template: string,
    url: string,
    init: RequestInit & { as?: string | null } = {},
    expected?: number,
  ): Promise<{ status: number; body: unknown }> {
    const res = await system.fetch(`${system.url}${url}`, { ...init, method: method.toUpperCase() });
    const text = await res.text();
    const operation = doc.paths[template]?.[method];
    expect({ template, method, documented: operation !== undefined }).toEqual({
      template,
      method,
      documented: true,
    });
    if (expected !== undefined && res.status !== expected)
      throw new Error(
        `${method.toUpperCase()} ${url}: ${res.status}, expected ${expected}: ${text.slice(0, 400)}`,
      );
    const response = operation.responses[String(res.status)];
    expect({ url, status: res.status, documented: response !== undefined }).toMatchObject({
      documented: true,
    });
    const type = (res.headers.get('content-type') ?? '').split(';')[0];
    let body: unknown = text;
    if (response.content) {
      const media = response.content[type];
      expect({ url, type, documented: Object.keys(response.content) }).toMatchObject({
        documented: expect.arrayContaining([type]),
      });
      if (type.endsWith('json')) {
        body = JSON.parse(text);
        if (media?.schema) {
          const validate = ajv.compile(jsonSchemaOf(media.schema) as Schema);
          if (!validate(body))
            throw new Error(
              `${method.toUpperCase()} ${url} ${res.status} does not match the document: ${ajv.errorsText(validate.errors)}\n${text.slice(0, 500)}`,
            );
        }
      }
    } else expect({ url, status: res.status, text }).toMatchObject({ text: '' });
    checked.add(`${method} ${template}`);
    return { status: res.status, body };
  }

  it('every operation has a summary, 4xx answers with the error body, and its own security; servers and license', () => {
    expect(doc.servers?.length).toBeGreaterThan(0);
    // Relative: right whatever host and port the server runs on (this one: an ephemeral port).
    expect(doc.servers).toEqual([{ url: '/', description: expect.not.stringMatching(/127\.0\.0\.1|:3000/) }]);
    expect(doc.info.title).toBe('AidWatch');
    expect(doc.info.license?.name).toBe('Apache-2.0');
    expect(doc.paths['/consignments'].get.summary).toMatch(/exemptionId.*mmsi.*q\b/);
    const comment = (doc.paths['/alerts/{alertId}/comments'].post.requestBody!.content as any)[
      'application/json'
    ];
    const schema = comment.schema.$ref
      ? doc.components.schemas[comment.schema.$ref.split('/').pop()]
      : comment.schema;
    const example = (schema as any).properties?.comment?.example ?? comment.example;
    expect(typeof example).toBe('string');
    for (const [p, item] of Object.entries(doc.paths))
      for (const [method, op] of Object.entries(item)) {
        expect({ op: `${method} ${p}`, summary: op.summary }).toEqual({
          op: `${method} ${p}`,
          summary: expect.any(String),
        });
        expect(Object.keys(op.responses).some((s) => s.startsWith('4'))).toBe(true);
        const isPublic = p === '/health';
        expect({
          op: `${method} ${p}`,
          public: Array.isArray(op.security) && op.security.length === 0,
        }).toEqual({
          op: `${method} ${p}`,
          public: isPublic,
        });
      }
  });

  it('lists the query parameters the server accepts (GET /flags, /consignments, /consignments/:id, timeline)', () => {
    const names = (p: string) =>
      (doc.paths[p].get.parameters ?? []).filter((x) => x.in === 'query').map((x) => x.name);
    expect(names('/flags').sort()).toEqual([
      'after',
      'consignmentId',
      'limit',
      'mmsi',
      'rule',
      'severity',
      'status',
    ]);
    expect(names('/consignments').sort()).toEqual(['exemptionId', 'limit', 'mmsi', 'q', 'risk', 'status']);
    expect(names('/consignments/{id}')).toEqual(['asOf']);
    expect(names('/consignments/{id}/timeline').sort()).toEqual(['after', 'before', 'limit']);
    const rule = doc.paths['/flags'].get.parameters!.find((x) => x.name === 'rule')!;
    expect((rule.schema as { enum: string[] }).enum).toContain('route-deviation');
  });

  it('describes the intake bodies with their media types', () => {
    expect(Object.keys(doc.paths['/events'].post.requestBody!.content)).toEqual(
      expect.arrayContaining(['application/cloudevents+json', 'application/cloudevents-batch+json']),
    );
    expect(Object.keys(doc.paths['/ais/nmea'].post.requestBody!.content)).toContain('text/plain');
  });

  it('Swagger UI works over plain HTTP: no upgrade-insecure-requests in its CSP', async () => {
    const res = await fetch(`${system.url}/docs`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).not.toMatch(/upgrade-insecure-requests/);
  });

  it('Redocly (recommended rules): 0 errors', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'aidwatch-openapi-')), 'openapi.json');
    fs.writeFileSync(file, JSON.stringify(doc));
    const run = spawnSync(
      process.execPath,
      [
        require.resolve('@redocly/cli/bin/cli.js'),
        'lint',
        file,
        '--config',
        path.join(root, 'redocly.yaml'),
        '--format',
        'json',
      ],
      {
        encoding: 'utf8',
        cwd: root,
        // No usage telemetry and no update check: CI may have no network, and the lint is offline.
        env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
      },
    );
    const report = JSON.parse(run.stdout.slice(run.stdout.indexOf('{'))) as {
      totals: { errors: number; warnings: number };
      problems: Array<{
        ruleId: string;
        message: string;
        severity: string;
        location: Array<{ pointer: string }>;
      }>;
    };
    const errors = report.problems
      .filter((p) => p.severity === 'error')
      .map((p) => `${p.ruleId}: ${p.message} at ${p.location[0]?.pointer}`);
    expect(errors).toEqual([]);
    expect(report.totals.errors).toBe(0);
    expect(run.status).toBe(0);
  });

  it("every operation's real answers match the document", async () => {
    const admin = system.keys.admin;
    const dashboard = system.credential({ role: 'dashboard', tenant: 'World Food Programme' });
    const monitor = system.credential({
      role: 'monitor',
      tenant: 'World Food Programme',
      monitorId: SampleIds.monitorId,
    });
    const json = (body: unknown, as?: string) => ({
      as,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const c = SampleIds.consignmentId;

    // Intake
    await call(
      'post',
      '/events',
      '/events',
      {
        headers: { 'content-type': 'application/cloudevents-batch+json' },
        body: JSON.stringify([exemptionGranted(), consignmentRegistered(), consignmentLoaded()]),
      },
      202,
    );
    await call(
      'post',
      '/events',
      '/events',
      {
        headers: { 'content-type': 'application/cloudevents+json' },
        body: JSON.stringify(verificationReported({ data: { finding: 'diversion_suspected' } })),
      },
      202,
    );
    await call(
      'post',
      '/events',
      '/events',
      { headers: { 'content-type': 'application/cloudevents+json' }, body: '{}' },
      400,
    );
    await call(
      'post',
      '/events',
      '/events',
      { as: null, headers: { 'content-type': 'application/cloudevents+json' }, body: '{}' },
      401,
    );
    await call(
      'post',
      '/ais/nmea',
      '/ais/nmea?station=s1',
      {
        as: system.credential({ role: 'producer', sources: ['nmea:*'] }),
        headers: { 'content-type': 'text/plain' },
        body: '!AIVDM,1,1,,A,13u?etPv2;0n:dDPwUM1U1Cb069D,0*24\n$GPRMC,nothing\n',
      },
      202,
    );
    await call('post', '/intake/kobo', '/intake/kobo', json({ nothing: 'mappable' }, monitor), 422);
    await call('post', '/intake/odk', '/intake/odk', json({ nothing: 'mappable' }, monitor), 422);

    // Reads
    await eventually(async () => {
      const r = await system.fetch(`${system.url}/alerts`, { as: dashboard });
      return ((await r.json()) as { items: unknown[] }).items.length > 0 ? true : undefined;
    });
    await call('get', '/consignments', '/consignments?risk=critical&limit=5', {}, 200);
    await call('get', '/consignments', '/consignments?nope=1', {}, 400);
    await call('get', '/consignments/{id}', `/consignments/${c}`, {}, 200);
    await call('get', '/consignments/{id}', `/consignments/${c}?asOf=2030-01-01T00:00:00Z`, {}, 200);
    await call('get', '/consignments/{id}', '/consignments/CSG-NONE', {}, 404);
    await call('get', '/consignments/{id}/timeline', `/consignments/${c}/timeline?limit=2`, {}, 200);
    await call('get', '/consignments/{id}/map', `/consignments/${c}/map`, {}, 200);
    await call(
      'get',
      '/consignments',
      `/consignments?q=chon&mmsi=${SampleIds.vesselMmsi}&exemptionId=${SampleIds.exemptionId}`,
      {},
      200,
    );
    await call('get', '/vessels/{mmsi}', `/vessels/${SampleIds.vesselMmsi}`, {}, 200);
    await call('get', '/vessels/{mmsi}', `/vessels/${SampleIds.vesselMmsi}`, { as: dashboard }, 200);
    await call('get', '/vessels/{mmsi}', '/vessels/999999999', {}, 404);
    await call('get', '/vessels/{mmsi}', '/vessels/12', {}, 400);
    const me = await call('get', '/me', '/me', { as: dashboard }, 200);
    expect(me.body).toMatchObject({ role: 'dashboard', tenant: 'World Food Programme' });
    expect(JSON.stringify(me.body)).not.toMatch(/awk_|hash|salt/);
    await call('get', '/me', '/me', { as: null }, 401);
    await call('get', '/flags', '/flags?severity=critical&limit=10', {}, 200);
    await call('get', '/flags', '/flags?rule=nothing', {}, 400);
    await call('get', '/flags', '/flags', { as: null }, 401);
    const alerts = await call('get', '/alerts', '/alerts?limit=5', { as: dashboard }, 200);
    const alertId = (alerts.body as { items: Array<{ alertId: string }> }).items[0].alertId;
    await call('get', '/alerts/groups', '/alerts/groups', { as: dashboard }, 200);
    await call('get', '/alerts/{alertId}', `/alerts/${alertId}`, { as: dashboard }, 200);
    await call('get', '/alerts/{alertId}', '/alerts/nothing', { as: dashboard }, 404);
    await call(
      'post',
      '/alerts/{alertId}/comments',
      `/alerts/${alertId}/comments`,
      json({ comment: 'seen' }, dashboard),
      201,
    );
    await call(
      'post',
      '/alerts/{alertId}/assign',
      `/alerts/${alertId}/assign`,
      json({ assignee: 'desk' }, dashboard),
      200,
    );
    await call(
      'post',
      '/alerts/{alertId}/acknowledge',
      `/alerts/${alertId}/acknowledge`,
      json({ note: 'on it' }, dashboard),
      200,
    );
    await call(
      'post',
      '/alerts/{alertId}/resolve',
      `/alerts/${alertId}/resolve`,
      json({ note: 'resolved: checked on site' }, dashboard),
      200,
    );
    const silence = await call(
      'post',
      '/silences',
      '/silences',
      json(
        { matchers: [{ name: 'rule', value: 'ais-gap' }], endsAt: '2099-01-01T00:00:00Z', comment: 'test' },
        dashboard,
      ),
      201,
    );
    await call('get', '/silences', '/silences', { as: dashboard }, 200);
    await call(
      'delete',
      '/silences/{silenceId}',
      `/silences/${(silence.body as { silenceId: string }).silenceId}`,
      { as: dashboard },
      200,
    );
    const sub = await call(
      'post',
      '/subscriptions',
      '/subscriptions',
      json({ url: 'http://127.0.0.1:9/none' }, dashboard),
      201,
    );
    const subId = (sub.body as { subscriptionId: string }).subscriptionId;
    await call('get', '/subscriptions', '/subscriptions', { as: dashboard }, 200);
    await call('get', '/subscriptions/{id}', `/subscriptions/${subId}`, { as: dashboard }, 200);
    await call(
      'post',
      '/alerts/{alertId}/comments',
      `/alerts/${alertId}/comments`,
      json({ comment: 'again' }, dashboard),
      201,
    );
    const deliveries = await eventually(async () => {
      const r = await call(
        'get',
        '/subscriptions/{id}/deliveries',
        `/subscriptions/${subId}/deliveries?status=dead`,
        { as: dashboard },
        200,
      );
      return (r.body as { items: Array<{ deliveryId: string }> }).items[0];
    }, 30_000);
    await call(
      'get',
      '/subscriptions/{id}/deliveries/{deliveryId}',
      `/subscriptions/${subId}/deliveries/${deliveries.deliveryId}`,
      { as: dashboard },
      200,
    );
    await call(
      'post',
      '/subscriptions/{id}/replay',
      `/subscriptions/${subId}/replay`,
      json({}, dashboard),
      202,
    );
    await call('delete', '/subscriptions/{id}', `/subscriptions/${subId}`, { as: dashboard }, 204);
    await call('get', '/streams/{streamId}', `/streams/consignment-${c}?limit=2`, {}, 200);
    await call('get', '/audit/verify', '/audit/verify', {}, 200);
    const key = await call(
      'post',
      '/admin/keys',
      '/admin/keys',
      json({ role: 'dashboard', tenant: 'WFP' }, admin),
      201,
    );
    await call('get', '/admin/keys', '/admin/keys', { as: admin }, 200);
    await call(
      'delete',
      '/admin/keys/{id}',
      `/admin/keys/${(key.body as { id: string }).id}`,
      { as: admin },
      204,
    );
    await call('delete', '/admin/keys/{id}', '/admin/keys/feedfacefeedface', { as: admin }, 404);
    await call('get', '/admin/keys', '/admin/keys', { as: dashboard }, 403);
    await call(
      'post',
      '/admin/ownership/transfers',
      '/admin/ownership/transfers',
      json({ exemptionId: 'EX-NONE', toOrg: 'WFP', reason: 'moved by the committee' }, system.keys.operator),
      404,
    );
    await call(
      'post',
      '/admin/ownership/transfers',
      '/admin/ownership/transfers',
      json({ reason: '' }, system.keys.operator),
      400,
    );
    await call(
      'post',
      '/admin/ownership/prefixes',
      '/admin/ownership/prefixes',
      json({ org: 'No Such Organisation', prefix: 'NSO-', reason: 'its UCR prefix' }, system.keys.operator),
      404,
    );
    await call(
      'get',
      '/admin/ownership/prefixes',
      '/admin/ownership/prefixes',
      { as: system.keys.operator },
      200,
    );
    await call(
      'post',
      '/sanctions/import',
      '/sanctions/import?dryRun=true',
      { as: system.keys.operator, headers: { 'content-type': 'text/csv' }, body: 'not,a,sanctions,list\r\n' },
      400,
    );
    await call(
      'post',
      '/sanctions/import',
      '/sanctions/import?dryRun=true',
      { as: dashboard, headers: { 'content-type': 'text/csv' }, body: 'x' },
      403,
    );
    await call('get', '/docs/asyncapi', '/docs/asyncapi', {}, 200);
    await call('get', '/docs/asyncapi/schemas', '/docs/asyncapi/schemas', {}, 200);
    await call(
      'get',
      '/docs/asyncapi/schemas/{name}',
      '/docs/asyncapi/schemas/aidwatch.vessel.position.v1.json',
      {},
      200,
    );
    await call('get', '/docs/asyncapi/schemas/{name}', '/docs/asyncapi/schemas/nothing.json', {}, 404);
    await call('get', '/docs/asyncapi/contract.md', '/docs/asyncapi/contract.md', {}, 200);
    await call('get', '/health', '/health', { as: null }, 200);
    await call('get', '/metrics', '/metrics', {}, 200);

    // The alert stream: an event-stream answer, documented; read its first bytes and stop.
    const controller = new AbortController();
    const stream = await system.fetch(`${system.url}/alerts/stream?after=0`, { signal: controller.signal });
    expect(stream.status).toBe(200);
    expect(Object.keys(doc.paths['/alerts/stream'].get.responses)).toContain('200');
    controller.abort();
    checked.add('get /alerts/stream');

    const all = Object.entries(doc.paths).flatMap(([p, item]) => Object.keys(item).map((m) => `${m} ${p}`));
    expect(all.filter((op) => !checked.has(op))).toEqual([]);
  });
});
