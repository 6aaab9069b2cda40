import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { SanctionsSourcesService } from '../apps/ingestor/src/sanctions-sources.service';
import { startTestSystem, type TestSystem } from './support/aidwatch-process';

const fixtures = path.join(__dirname, '../libs/sanctions/src/fixtures');

describe('SANCTIONS_SOURCES (file:// lists read on a schedule)', () => {
  jest.setTimeout(60_000);
  let system: TestSystem;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aidwatch-sanctions-src-'));
  const sdn = path.join(dir, 'SDN.CSV');

  beforeAll(async () => {
    fs.copyFileSync(path.join(fixtures, 'ofac-sdn.csv'), sdn);
    system = await startTestSystem({
      SANCTIONS_SOURCES: [pathToFileURL(sdn).href, pathToFileURL(path.join(dir, 'missing.xml')).href].join(
        ',',
      ),
      SANCTIONS_FETCH_HOURS: '24',
    });
  });
  afterAll(async () => {
    await system?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const designationStream = async (key: string) =>
    (
      (await (await system.fetch(`${system.url}/streams/designation-${key}`)).json()) as {
        events: Array<{ type: string }>;
      }
    ).events;

  it('imports the lists at start, and a missing one is reported, not fatal', async () => {
    const outcomes = await system.app.get(SanctionsSourcesService).runOnce();
    expect(outcomes.map((o) => o.ok)).toEqual([true, false]);
    expect(await designationStream('8604917')).toHaveLength(1);
    const metrics = await (await system.fetch(`${system.url}/metrics`)).text();
    expect(metrics).toMatch(/aidwatch_sanctions_imports_total\{list="unknown",outcome="failed"\} [1-9]/);
  });

  it('reads the source again: unchanged appends nothing, a later list revokes', async () => {
    const service = system.app.get(SanctionsSourcesService);
    const again = await service.runOnce();
    expect(again[0]).toMatchObject({ ok: true, report: { appended: 0, unchanged: 6 } });
    fs.copyFileSync(path.join(fixtures, 'ofac-sdn-later.csv'), sdn);
    const later = await service.runOnce();
    expect(later[0]).toMatchObject({ ok: true, report: { revoked: 1, changed: 1, appended: 2 } });
    expect((await designationStream('8604917')).map((e) => e.type)).toEqual([
      'aidwatch.vessel.designated.v1',
      'aidwatch.vessel.designation-revoked.v1',
    ]);
  });

  it("takes the aliases from OFAC's ALT.CSV named beside SDN.CSV, as --alt does by hand", async () => {
    const alt = path.join(dir, 'ALT.CSV');
    fs.copyFileSync(path.join(fixtures, 'ofac-sdn.csv'), sdn);
    fs.copyFileSync(path.join(fixtures, 'ofac-alt.csv'), alt);
    const paired = await startTestSystem({
      SANCTIONS_SOURCES: [pathToFileURL(sdn).href, pathToFileURL(alt).href].join(','),
      SANCTIONS_FETCH_HOURS: '24',
    });
    try {
      const outcomes = await paired.app.get(SanctionsSourcesService).runOnce();
      expect(outcomes).toEqual([
        expect.objectContaining({ ok: true, report: expect.objectContaining({ list: 'OFAC-SDN' }) }),
        { url: pathToFileURL(alt).href, ok: true, aliasesFor: 'OFAC-SDN' },
      ]);
      const stream = (
        (await (await paired.fetch(`${paired.url}/streams/designation-8660313`)).json()) as {
          events: Array<{ event: { data: { aliases?: string[] } } }>;
        }
      ).events;
      expect(stream.at(-1)?.event.data.aliases).toEqual(['CHONMASAN']);
      // Read again with its ALT.CSV: unchanged, nothing appended.
      const again = await paired.app.get(SanctionsSourcesService).runOnce();
      expect(again[0]).toMatchObject({ ok: true, report: { appended: 0 } });
    } finally {
      await paired.stop();
    }
  });
});
