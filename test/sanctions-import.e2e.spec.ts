import * as fs from 'node:fs';
import { connect } from 'node:net';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import * as sample from '@aidwatch/domain/testing';
import { startTestSystem, type TestSystem } from './support/aidwatch-process';

const fixture = (name: string) =>
  fs.readFileSync(path.join(__dirname, '../libs/sanctions/src/fixtures', name), 'utf8');

interface FlagItem {
  rule: string;
  subject: { id: string };
  consignmentIds: string[];
  observed: Record<string, unknown>;
  status: string;
}

async function until<T>(probe: () => Promise<T | undefined>, what: string, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('POST /sanctions/import (embedded store)', () => {
  jest.setTimeout(60_000);
  let system: TestSystem;
  const post = (body: string, type: string, query = '', as?: string | null) =>
    system.fetch(`${system.url}/sanctions/import${query}`, {
      method: 'POST',
      headers: { 'content-type': type },
      body,
      as: as === undefined ? system.keys.operator : as,
    });
  const designatedFlags = async (): Promise<FlagItem[]> =>
    (
      (await (await system.fetch(`${system.url}/flags?rule=designated-vessel`)).json()) as {
        items: FlagItem[];
      }
    ).items;

  beforeAll(async () => {
    system = await startTestSystem();
  });
  afterAll(async () => {
    await system?.stop();
  });

  it('is for operators only', async () => {
    expect((await post(fixture('ofac-sdn.csv'), 'text/csv', '', system.keys.producer)).status).toBe(403);
    expect((await post(fixture('ofac-sdn.csv'), 'text/csv', '', null)).status).toBe(401);
  });

  it('refuses what is not a list with a 400, and an unknown format', async () => {
    const bad = await post('<html><body>not a list</body></html>', 'application/xml');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toContain('root element html');
    expect((await post(fixture('ofac-sdn.csv'), 'text/csv', '?format=pdf')).status).toBe(400);
    expect((await post('', 'text/csv')).status).toBe(400);
  });

  it('designates the listed vessels once; a carrier on the list raises designated-vessel naming list and reference', async () => {
    const first = await post(fixture('ofac-sdn.csv'), 'text/csv');
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({ list: 'OFAC-SDN', designated: 6, appended: 6 });
    const again = await post(fixture('ofac-sdn.csv'), 'text/csv');
    expect(await again.json()).toMatchObject({ unchanged: 6, appended: 0 });

    const reg = sample.consignmentRegistered({
      id: 'sanctions-e2e-reg',
      subject: 'CSG-SANCTIONS-1',
      data: {
        consignmentId: 'CSG-SANCTIONS-1',
        vessel: { mmsi: '445130000', imo: '8604917', name: 'YU JONG 2' },
      },
    });
    const sent = await system.fetch(`${system.url}/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/cloudevents+json' },
      body: JSON.stringify(reg),
    });
    expect(sent.status).toBeLessThan(300);
    const flag = await until(async () => {
      const flags = await designatedFlags();
      return flags.find((f) => f.consignmentIds.includes('CSG-SANCTIONS-1'));
    }, 'the designated-vessel flag');
    expect(flag.observed).toMatchObject({ list: 'OFAC-SDN', reference: '22720', listRef: 'OFAC-SDN 22720' });

    // The next publication no longer lists YU JONG 2: the designation is revoked and the flag cleared.
    const later = await post(fixture('ofac-sdn-later.csv'), 'text/csv');
    expect(await later.json()).toMatchObject({ revoked: 1, changed: 1, appended: 2 });
    await until(async () => {
      const flags = await designatedFlags();
      const flag = flags.find((f) => f.consignmentIds.includes('CSG-SANCTIONS-1'));
      return flag?.status === 'cleared' ? true : undefined;
    }, 'the flag to clear');
  });

  it('refuses a list without vessels that would revoke every listing (422) unless allowed', async () => {
    const empty =
      '<sdnList xmlns="https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/XML"/>';
    const refused = await post(empty, 'application/xml');
    expect(refused.status).toBe(422);
    const dry = await post(empty, 'application/xml', '?allowEmpty=true&dryRun=true');
    expect(await dry.json()).toMatchObject({ revoked: 5, appended: 0, dryRun: true });
  });

  it('takes a list file larger than the general body limit (the full SDN list is tens of MB)', async () => {
    const filler = Array.from(
      { length: 20_000 },
      (_, i) =>
        `${900_000 + i},"EXAMPLE TRADING ${i} LIMITED",-0- ,"SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"Padding."`,
    ).join('\r\n');
    const big = `${filler}\r\n${fixture('ofac-sdn-later.csv')}`;
    expect(Buffer.byteLength(big)).toBeGreaterThan(1_048_576);
    const res = await post(big, 'text/csv', '?dryRun=true');
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ entries: 20_008, listed: 5, dryRun: true, appended: 0 });
  });

  it('reads the file as bytes whatever way it comes: gzip, chunked, a blank body, too large, a client gone mid-upload', async () => {
    const csv = fixture('ofac-sdn.csv');
    const report = { entries: 9, listed: 6, dryRun: true };
    // gzip (body-parser inflates it) and chunked without a length (read whole, then handed on).
    const gzipped = await system.fetch(`${system.url}/sanctions/import?dryRun=true`, {
      method: 'POST',
      headers: { 'content-type': 'text/csv', 'content-encoding': 'gzip' },
      body: gzipSync(csv),
      as: system.keys.operator,
    });
    expect([gzipped.status, await gzipped.json()]).toEqual([200, expect.objectContaining(report)]);
    const chunked = await system.fetch(`${system.url}/sanctions/import?dryRun=true`, {
      method: 'POST',
      headers: { 'content-type': 'text/csv' },
      body: Readable.toWeb(Readable.from([csv.slice(0, 100), csv.slice(100)])) as ReadableStream,
      duplex: 'half',
      as: system.keys.operator,
    } as RequestInit & { as: string; duplex: 'half' });
    expect([chunked.status, await chunked.json()]).toEqual([200, expect.objectContaining(report)]);
    expect((await post(' \r\n\t ', 'text/csv')).status).toBe(400);
    // A declared length over the limit is refused before the body is read.
    const [key, value] = Object.entries(system.auth())[0];
    const tooLarge = await rawRequest(
      `POST /sanctions/import HTTP/1.1\r\nHost: x\r\n${key}: ${value}\r\n` +
        `Content-Type: text/csv\r\nContent-Length: ${48 * 1024 * 1024 + 1}\r\n\r\n`,
    );
    expect(tooLarge).toMatch(/^HTTP\/1\.1 413/);
    // A client that sends half its declared body and goes: nothing is imported, the server keeps serving.
    await rawRequest(
      `POST /sanctions/import HTTP/1.1\r\nHost: x\r\n${key}: ${value}\r\n` +
        `Content-Type: text/csv\r\nContent-Length: ${csv.length * 2}\r\n\r\n${csv}`,
      200,
    );
    // Its import ends when the server sees the connection close (a moment later: 429 until then).
    let after = await post(csv, 'text/csv', '?dryRun=true');
    for (let i = 0; i < 50 && after.status === 429; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      after = await post(csv, 'text/csv', '?dryRun=true');
    }
    expect([after.status, await after.json()]).toEqual([200, expect.objectContaining(report)]);
  });

  it('reads no body before the caller is known, and one list at a time (429 with Retry-After)', async () => {
    // No key, 40 MB announced, nothing sent: refused without waiting for the body.
    const anonymous = await rawRequest(
      `POST /sanctions/import HTTP/1.1\r\nHost: x\r\nContent-Type: text/csv\r\nContent-Length: 40000000\r\n\r\n`,
      1500,
    );
    expect(anonymous).toMatch(/^HTTP\/1\.1 401/);
    const producer = await rawRequest(
      `POST /sanctions/import HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${system.keys.producer}\r\n` +
        `Content-Type: text/csv\r\nContent-Length: 40000000\r\n\r\n`,
      1500,
    );
    expect(producer).toMatch(/^HTTP\/1\.1 403/);
    // An operator's upload in progress: a second one is told to come back.
    const [key, value] = Object.entries(system.auth())[0];
    const { hostname, port } = new URL(system.url);
    const slow = connect(Number(port), hostname, () =>
      slow.write(
        `POST /sanctions/import HTTP/1.1\r\nHost: x\r\n${key}: ${value}\r\n` +
          `Content-Type: text/csv\r\nContent-Length: 1000\r\n\r\n12345`,
      ),
    );
    try {
      await new Promise((resolve) => setTimeout(resolve, 300));
      const second = await post(fixture('ofac-sdn.csv'), 'text/csv', '?dryRun=true');
      expect(second.status).toBe(429);
      expect(second.headers.get('retry-after')).toBe('10');
    } finally {
      slow.destroy();
    }
  });

  /** Sends `text` over a fresh connection; returns what came back within `closeAfterMs` (then closes). */
  function rawRequest(text: string, closeAfterMs = 2000): Promise<string> {
    const { hostname, port } = new URL(system.url);
    return new Promise((resolve) => {
      const socket = connect(Number(port), hostname, () => socket.write(text));
      let answer = '';
      socket.on('data', (chunk) => (answer += chunk.toString()));
      const done = () => {
        socket.destroy();
        resolve(answer);
      };
      socket.on('close', done);
      socket.on('error', done);
      setTimeout(done, closeAfterMs);
    });
  }

  it('reads the UN list as XML without taking company IMO numbers for ships', async () => {
    const res = await post(fixture('un-consolidated.xml'), 'application/xml');
    const report = (await res.json()) as { designated: number; skipped: Array<{ reason: string }> };
    expect(report.designated).toBe(9); // 8 with IMO numbers, and CHONG CHON GANG by name only
    expect(report.skipped.map((s) => s.reason).join(' ')).toContain('company IMO number 1790183');
  });

  it('skips entries whose events intake would refuse, with the reason, alike in dry run and real run (never 5xx)', async () => {
    const bad = fixture('ofac-sdn.csv')
      .replace('"SAM JONG 2"', `"${'S'.repeat(20_000)}"`)
      .replace('"YU JONG 2"', '"YU \u202eJONG\u0007 2"');
    const dry = await post(bad, 'text/csv', '?dryRun=true');
    const real = await post(bad, 'text/csv');
    expect([dry.status, real.status]).toEqual([200, 200]);
    const refs = async (res: Response) =>
      ((await res.json()) as { skipped: Array<{ reference: string; reason: string }> }).skipped
        .map((s) => s.reference)
        .sort();
    const [dryRefs, realRefs] = [await refs(dry), await refs(real)];
    expect(dryRefs).toEqual(expect.arrayContaining(['22720', '24343']));
    expect(realRefs).toEqual(dryRefs);
  });
});
