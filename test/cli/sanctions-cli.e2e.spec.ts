import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runAidwatch } from '../support/aidwatch-cli';

const fixture = (name: string) => path.join(__dirname, '../../libs/sanctions/src/fixtures', name);

describe('aidwatch sanctions import', () => {
  jest.setTimeout(120_000);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aidwatch-sanctions-'));
  const env = { DATA_DIR: dataDir };
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('designates, appends nothing on a repeat, and revokes what a later list leaves out', async () => {
    const first = await runAidwatch(['sanctions', 'import', fixture('ofac-sdn.csv'), '--json'], env);
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ list: 'OFAC-SDN', designated: 6, appended: 6 });
    const again = await runAidwatch(['sanctions', 'import', fixture('ofac-sdn.csv')], env);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(
      '0 imported (0 new, 0 changed), 6 unchanged, 0 revoked; 0 events appended',
    );
    const later = await runAidwatch(['sanctions', 'import', fixture('ofac-sdn-later.csv'), '--json'], env);
    expect(JSON.parse(later.stdout)).toMatchObject({ changed: 1, revoked: 1, appended: 2 });
  });

  it("gives the vessels ALT.CSV's aliases (--alt): without them the listings change", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aidwatch-sanctions-alt-'));
    try {
      const args = ['sanctions', 'import', fixture('ofac-sdn.csv'), '--json', '--no-detect'];
      const withAliases = await runAidwatch([...args, '--alt', fixture('ofac-alt.csv')], { DATA_DIR: dir });
      expect(JSON.parse(withAliases.stdout)).toMatchObject({ designated: 6, appended: 6 });
      const without = await runAidwatch(args, { DATA_DIR: dir });
      expect(JSON.parse(without.stdout)).toMatchObject({ changed: 2, unchanged: 4, appended: 2 });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('exits 2 for a missing file, an unknown format or a file that is not a list', async () => {
    expect((await runAidwatch(['sanctions', 'import', fixture('nothing.csv')], env)).code).toBe(2);
    expect(
      (await runAidwatch(['sanctions', 'import', fixture('ofac-sdn.csv'), '--format', 'pdf'], env)).code,
    ).toBe(2);
    const notAList = await runAidwatch(['sanctions', 'import', fixture('README.md')], env);
    expect(notAList.code).toBe(2);
    expect(notAList.stderr).toContain('not OFAC SDN CSV');
  });
});
