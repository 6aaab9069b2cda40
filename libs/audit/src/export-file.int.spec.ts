import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { exportFileLines } from './export-file';

describe('exportFileLines', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aidwatch-lines-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const linesOf = async (content: Buffer | string) => {
    const file = path.join(dir, `f-${Math.random()}`);
    fs.writeFileSync(file, content);
    const out: string[] = [];
    for await (const line of exportFileLines(file)) out.push(line);
    return out;
  };

  it('ends lines at "\\n" only, so a carriage return stays in the line (and fails its hash)', async () => {
    expect(await linesOf('{"a":1}\r{"b":2}\n{"c":3}\r\n')).toEqual(['{"a":1}\r{"b":2}', '{"c":3}\r']);
  });

  it('keeps multi-byte characters split across read chunks, and a last line without "\\n"', async () => {
    const long = `{"text":"${'é'.repeat(40_000)}"}`;
    expect(await linesOf(`${long}\n${long}`)).toEqual([long, long]);
  });
});
