import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const root = path.join(__dirname, '..');

function withoutKafka(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { KAFKA_BROKERS: _brokers, ...rest } = env;
  return rest;
}

/**
 * `npm start`'s process (apps/aidwatch, from the sources), as a new user sees its terminal: a short start-up
 * log ending with "demo flags ready" and the console's address with how to sign in, one line at shutdown.
 */
describe('the start-up and shutdown log of npm start', () => {
  jest.setTimeout(180_000);
  let dataDir: string;
  let child: ChildProcess;
  let output = '';
  const lines = () => output.split('\n').filter((l) => l !== '');
  const until = (pattern: RegExp, timeoutMs: number) =>
    new Promise<void>((resolve, reject) => {
      const deadline = setTimeout(
        () => reject(new Error(`no ${pattern} in:\n${output.slice(-3000)}`)),
        timeoutMs,
      );
      const check = () => {
        if (!pattern.test(output)) return;
        clearTimeout(deadline);
        child.stdout?.off('data', check);
        resolve();
      };
      child.stdout?.on('data', check);
      check();
    });

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aidwatch-startup-'));
    child = spawn(process.execPath, ['-r', '@swc-node/register', 'apps/aidwatch/src/main.ts'], {
      cwd: root,
      env: {
        // As `npm start` runs on a fresh machine: embedded defaults, no Kafka (CI exports KAFKA_BROKERS).
        ...withoutKafka(process.env),
        DATA_DIR: dataDir,
        PORT: '0',
        SWC_NODE_PROJECT: 'tsconfig.json',
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    await until(/console: http:\/\/\S+\/console — sign in/, 150_000);
  });
  afterAll(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('is short: keys, then listening, demo flags ready and the console with how to sign in, last', async () => {
    const log = lines().filter((l) => !l.startsWith('AIDWATCH_DEMO_KEY '));
    expect(log.join('\n')).not.toMatch(/Mapped \{|InstanceLoader|RoutesResolver|kafka: null/);
    expect(log.length).toBeLessThanOrEqual(5);
    const at = (pattern: RegExp) => log.findIndex((l) => pattern.test(l));
    expect(
      at(/listening on http:\/\/127\.0\.0\.1:\d+ \(store: embedded; intake: HTTP \(no Kafka\)\)/),
    ).toBeGreaterThan(-1);
    expect(at(/demo flags ready: \d+ flags of \d+ rules/)).toBeGreaterThan(at(/listening on/));
    expect(at(/console: /)).toBe(log.length - 1);
    expect(log[log.length - 1]).toMatch(/sign in with a key printed above as AIDWATCH_DEMO_KEY/);
    expect(
      lines().filter((l) => l.startsWith('AIDWATCH_DEMO_KEY role=operator tenant=* key=awk_')),
    ).toHaveLength(1);
  });

  it('"demo flags ready" means it: GET /flags already shows that many, and the console answers', async () => {
    const url = /console: (http:\/\/\S+)\/console/.exec(output)![1];
    const key = /AIDWATCH_DEMO_KEY role=operator tenant=\* key=(\S+)/.exec(output)![1];
    const ready = Number(/demo flags ready: (\d+) flags/.exec(output)![1]);
    expect(ready).toBeGreaterThan(20);
    const flags = await fetch(`${url}/flags?limit=10000`, { headers: { authorization: `Bearer ${key}` } });
    expect(((await flags.json()) as { items: unknown[] }).items.length).toBeGreaterThanOrEqual(ready);
    expect((await fetch(`${url}/console`)).status).toBe(200);
  });

  it('says in one line at shutdown what was committed', async () => {
    const before = lines().length;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGINT');
    await exited;
    const after = lines().slice(before);
    expect(after).toHaveLength(1);
    expect(after[0]).toMatch(
      /stopped \(SIGINT\): store at position \d+; committed .*detection[^@]*@\d+.*read-model[^@]*@\d+/,
    );
  });
});
