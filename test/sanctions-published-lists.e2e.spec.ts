import * as fs from 'node:fs';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import * as sample from '@aidwatch/domain/testing';
import { eventually, startTestSystem, type TestSystem } from './support/aidwatch-process';

/**
 * The sanctions lists as their publishers serve them (libs/sanctions/src/fixtures/published, README there):
 * OFAC's SDN.CSV of two publications (January 2019 and July 2021) and the UN Security Council Consolidated
 * List generated on 2026-02-27, imported through `POST /sanctions/import` into a running system; carriers on
 * the lists raise `designated-vessel`, and a delisting clears it.
 */
const published = (name: string) =>
  gunzipSync(
    fs.readFileSync(path.join(__dirname, '../libs/sanctions/src/fixtures/published', name)),
  ).toString('utf8');

interface FlagItem {
  rule: string;
  consignmentIds: string[];
  observed: Record<string, unknown>;
  status: string;
}

describe('published sanctions lists imported into a running system', () => {
  jest.setTimeout(120_000);
  let system: TestSystem;
  const post = (body: string, type: string) =>
    system.fetch(`${system.url}/sanctions/import`, {
      method: 'POST',
      headers: { 'content-type': type },
      body,
      as: system.keys.operator,
    });
  const flagOf = async (consignmentId: string): Promise<FlagItem | undefined> =>
    (
      (await (await system.fetch(`${system.url}/flags?rule=designated-vessel&limit=1000`)).json()) as {
        items: FlagItem[];
      }
    ).items.find((f) => f.consignmentIds.includes(consignmentId));
  const carriedBy = async (consignmentId: string, vessel: { mmsi: string; imo?: string; name: string }) => {
    const reg = sample.consignmentRegistered({
      id: `published-lists-${consignmentId}`,
      subject: consignmentId,
      data: { consignmentId, vessel },
    });
    const sent = await system.fetch(`${system.url}/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/cloudevents+json' },
      body: JSON.stringify(reg),
    });
    expect(sent.status).toBeLessThan(300);
  };

  beforeAll(async () => {
    system = await startTestSystem();
  });
  afterAll(async () => {
    await system?.stop();
  });

  it('OFAC SDN.CSV: every listed vessel designated once; carriers on it flagged; an entry the next file drops is revoked and its flag cleared', async () => {
    const july2021 = published('ofac-sdn-2021-07.csv.gz');
    const first = await post(july2021, 'text/csv');
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({
      list: 'OFAC-SDN',
      entries: 8976,
      designated: 406,
      appended: 406,
    });
    expect(await (await post(july2021, 'text/csv')).json()).toMatchObject({ unchanged: 406, appended: 0 });

    // YU SONG 12 (23157, DPRK4) is in both publications; SHANG YUAN BAO (26933, DPRK) only in July 2021's.
    await carriedBy('CSG-PUBLISHED-1', { mmsi: '445111000', imo: '9096791', name: 'YU SONG 12' });
    await carriedBy('CSG-PUBLISHED-2', { mmsi: '445222000', imo: '8126070', name: 'SHANG YUAN BAO' });
    const kept = await eventually(() => flagOf('CSG-PUBLISHED-1'), 30_000, 'the YU SONG 12 flag');
    expect(kept.observed).toMatchObject({ list: 'OFAC-SDN', reference: '23157', matchedBy: 'imo' });
    const dropped = await eventually(() => flagOf('CSG-PUBLISHED-2'), 30_000, 'the SHANG YUAN BAO flag');
    expect(dropped.observed).toMatchObject({ list: 'OFAC-SDN', reference: '26933' });

    // The January 2019 publication imported next: the 83 entries it does not hold are delisted (and ZEUS,
    // listed by name then and by IMO number in 2021, is listed again by name).
    const back = await post(published('ofac-sdn-2019-01.csv.gz'), 'text/csv');
    expect(await back.json()).toMatchObject({ designated: 1, revoked: 84 });
    await eventually(
      async () => ((await flagOf('CSG-PUBLISHED-2'))?.status === 'cleared' ? true : undefined),
      30_000,
      'the clear',
    );
    expect((await flagOf('CSG-PUBLISHED-1'))?.status).toBe('open');
  });

  it('UN Consolidated List: ships named in the comments, matched by name only (labelled), no company number', async () => {
    const res = await post(published('un-consolidated-2026-02-27.xml.gz'), 'application/xml');
    expect(res.status).toBe(200);
    const report = (await res.json()) as { designated: number; skipped: Array<{ reason: string }> };
    expect(report.designated).toBe(28);
    expect(report.skipped.map((s) => s.reason).join(' ')).toContain('company IMO number 1790183');

    await carriedBy('CSG-PUBLISHED-3', { mmsi: '445333000', name: 'Paek Ma' });
    const flag = await eventually(() => flagOf('CSG-PUBLISHED-3'), 30_000, 'the PAEK MA flag');
    expect(flag.observed).toMatchObject({ list: 'UN-SC', matchedBy: 'name' });
    expect(['KPe.057', 'KPe.069']).toContain(flag.observed.reference);
  });
});
