import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { readSanctionsSource, sanctionsSourceProblem } from './sanctions-sources';

describe('readSanctionsSource', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aidwatch-src-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reads a file:// list and refuses one larger than the limit', async () => {
    const file = path.join(dir, 'SDN.CSV');
    fs.writeFileSync(file, '1,"A","vessel","DPRK",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n\x1a');
    expect((await readSanctionsSource(pathToFileURL(file).href)).toString()).toContain('"vessel"');
    await expect(readSanctionsSource(pathToFileURL(file).href, { maxBytes: 10 })).rejects.toThrow(
      /more than 10/,
    );
    await expect(readSanctionsSource(pathToFileURL(path.join(dir, 'none')).href)).rejects.toThrow(/ENOENT/);
  });

  it('refuses a device or pipe that never ends once past the limit, without reading it all', async () => {
    await expect(readSanctionsSource('file:///dev/zero', { maxBytes: 3 * 1024 * 1024 })).rejects.toThrow(
      'more than 3145728 bytes',
    );
  });

  it('takes file:// and https:// only', async () => {
    expect(sanctionsSourceProblem('https://example.org/SDN.XML')).toBeUndefined();
    expect(sanctionsSourceProblem('http://example.org/SDN.XML')).toContain('neither file:// nor https://');
    expect(sanctionsSourceProblem('SDN.XML')).toContain('not a URL');
    await expect(readSanctionsSource('ftp://example.org/x')).rejects.toThrow(/neither/);
  });
});
