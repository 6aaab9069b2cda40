import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as readline from 'node:readline';

const root = path.resolve(__dirname, '..');

/** Starts `npm run start:ingestor` (from the sources) and returns its log lines up to "listening", then stops it. */
async function ingestorStartLines(env: Record<string, string>): Promise<string[]> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aidwatch-ingestor-'));
  const child = spawn(process.execPath, ['-r', '@swc-node/register', 'apps/ingestor/src/main.ts'], {
    cwd: root,
    env: {
      ...process.env,
      SWC_NODE_PROJECT: path.join(root, 'tsconfig.json'),
      DATA_DIR: dataDir,
      PORT: '0',
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      readline.createInterface({ input: child.stdout! }).on('line', (line) => {
        lines.push(line);
        // The warning, when there is one, follows the listening line at once.
        if (/listening on http/.test(line)) setTimeout(resolve, 500);
      });
      child.once('exit', (code) => reject(new Error(`ingestor exited with ${code}: ${lines.join('\n')}`)));
    });
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  return lines;
}

describe('a separate ingestor without KAFKA_BROKERS', () => {
  jest.setTimeout(60_000);

  it('starts for HTTP intake but says at warn level that it consumes no Kafka topic, naming the setting', async () => {
    const lines = await ingestorStartLines({ KAFKA_BROKERS: '' });
    const records = lines.map((l) => JSON.parse(l) as { level: number; msg: string });
    expect(records.find((r) => /listening on/.test(r.msg))?.msg).toMatch(/intake: HTTP \(no Kafka\)/);
    const warning = records.find((r) => /KAFKA_BROKERS is not set/.test(r.msg));
    expect(warning).toBeDefined();
    expect(warning!.level).toBe(40);
    expect(warning!.msg).toMatch(/consuming the intake topics.*HTTP only/);
  });
});
