import * as fs from 'node:fs';
import * as path from 'node:path';
import { Parser } from '@asyncapi/parser';
import { EventTypes } from '@aidwatch/domain';
import { startTestSystem, type TestSystem } from './support/aidwatch-process';

describe('the machine-readable contract, served', () => {
  jest.setTimeout(60_000);
  let system: TestSystem;

  beforeAll(async () => {
    system = await startTestSystem();
  });
  afterAll(async () => {
    await system?.stop();
  });

  it('serves an AsyncAPI 3 document at /docs/asyncapi that @asyncapi/parser accepts', async () => {
    const res = await system.fetch(`${system.url}/docs/asyncapi`);
    expect(res.status).toBe(200);
    const { document, diagnostics } = await new Parser().parse(await res.text());
    expect(diagnostics.filter((d) => d.severity === 0)).toEqual([]);
    expect(
      document
        ?.channels()
        .all()
        .map((c) => c.address()),
    ).toContain('ais.positions.v1');
  });

  it('serves the JSON Schema of each event and data shape, and names them', async () => {
    const index = (await (await system.fetch(`${system.url}/docs/asyncapi/schemas`)).json()) as {
      schemas: string[];
    };
    expect(index.schemas).toContain(`/docs/asyncapi/schemas/${EventTypes.VesselPositionReported}.data.json`);
    const res = await system.fetch(
      `${system.url}/docs/asyncapi/schemas/${EventTypes.VesselPositionReported}.data.json`,
    );
    expect(res.headers.get('content-type')).toMatch(/^application\/schema\+json/);
    const schema = (await res.json()) as { required: string[] };
    expect(schema.required).toEqual(expect.arrayContaining(['mmsi', 'lat', 'lon', 'at']));
    expect((await system.fetch(`${system.url}/docs/asyncapi/schemas/nothing.json`)).status).toBe(404);
    // What AidWatch sends, too: flags (under the contract's name) and the alert lifecycle.
    for (const type of [
      'aidwatch.flag.raised.v1',
      'aidwatch.flag.cleared.v1',
      'aidwatch.alert.resolved.v1',
    ]) {
      expect(index.schemas).toContain(`/docs/asyncapi/schemas/${type}.json`);
      const served = await system.fetch(`${system.url}/docs/asyncapi/schemas/${type}.data.json`);
      expect(served.status).toBe(200);
    }
  });

  it('asks for a credential, as every endpoint but /health does', async () => {
    expect((await system.fetch(`${system.url}/docs/asyncapi`, { as: null })).status).toBe(401);
  });

  it('serves the contract text, the same as docs/contract.md', async () => {
    const res = await system.fetch(`${system.url}/docs/asyncapi/contract.md`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(fs.readFileSync(path.resolve(__dirname, '../docs/contract.md'), 'utf8'));
  });
});
