import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const root = path.join(__dirname, '..');

function withoutKafka(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { KAFKA_BROKERS: _brokers, ...rest } = env;
  return rest;
}
const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');

/** The README's walk-throughs need bash, curl and jq, as a new user's shell has; .ci/run installs them. */
const tools = ['bash', 'curl', 'jq'].filter((t) => spawnSync(t, ['--version']).status !== 0);
if (tools.length > 0 && process.env.CI === 'true') throw new Error(`not installed: ${tools.join(', ')}`);
const describeWithTools = tools.length === 0 ? describe : describe.skip;

/** The lines of the first ```bash block after `anchor` in the README. */
function bashBlockAfter(anchor: string): string[] {
  const at = readme.indexOf(anchor);
  if (at < 0) throw new Error(`README has no "${anchor}"`);
  const start = readme.indexOf('```bash\n', at) + '```bash\n'.length;
  return readme.slice(start, readme.indexOf('```', start)).split('\n').filter(Boolean);
}

/**
 * The README's commands, run as written against a demo started as `npm start` starts it (its log in
 * aidwatch.log), with what a test must change: the address (a free port instead of 3000), `npx aidwatch` and
 * `node scripts/…` from the repository (the shell runs in a scratch directory), a time limit on the endless
 * alert stream, and a long-running receiver sent to the background.
 */
describeWithTools('the README walk-throughs, run as written', () => {
  jest.setTimeout(180_000);
  let dir: string;
  let dataDir: string;
  let child: ChildProcess;
  let log = '';
  let address = '';

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aidwatch-readme-'));
    dataDir = path.join(dir, 'data');
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
    const append = (chunk: string) => {
      log += chunk;
      fs.appendFileSync(path.join(dir, 'aidwatch.log'), chunk);
    };
    child.stdout!.setEncoding('utf8').on('data', append);
    child.stderr!.setEncoding('utf8').on('data', append);
    const deadline = Date.now() + 150_000;
    while (!/console: http:\/\/(\S+)\/console/.test(log)) {
      if (Date.now() > deadline) throw new Error(`no console line in:\n${log.slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    address = /console: http:\/\/(\S+)\/console/.exec(log)![1];
  });
  afterAll(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGINT');
      await exited;
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });

  function run(lines: string[]): { status: number | null; stdout: string; stderr: string } {
    const script = [
      'set -euo pipefail',
      ...lines
        .filter((l) => !l.startsWith('npm ci && npm start'))
        .map((l) =>
          l
            .replaceAll('localhost:3000', address)
            .replaceAll('127.0.0.1:3000', address)
            .replaceAll('npx aidwatch', `node ${root}/bin/aidwatch.js`)
            .replace(
              /^node scripts\/(\S+)(.*)$/,
              `(timeout 20 node ${root}/scripts/$1$2 > receiver.log 2>&1 &) ; sleep 1.5`,
            )
            .replace(/^curl -N (.*)$/, 'curl -N --max-time 2 $1 || [ $? -eq 28 ]'),
        ),
    ].join('\n');
    const result = spawnSync('bash', ['-c', script], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, DATA_DIR: dataDir, AIDWATCH_CLI_FROM_SOURCE: 'true' },
      timeout: 120_000,
    });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  }

  it('Two commands: the operator key from the log reads the flags', () => {
    const result = run(bashBlockAfter('## Two commands'));
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^\{"items":\[\{"rule":"/);
  });

  it('HTTP: flags by rule, a consignment, the alert stream, a stream history', () => {
    const lines = bashBlockAfter('## Two commands').filter((l) => l.startsWith('KEY='));
    const result = run([...lines, ...bashBlockAfter('(an operator sees every organisation;')]);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/"Quantity|shrink|short/i);
    expect(result.stdout).toContain('"consignmentId": "CSG-2026-0109"');
    expect(result.stdout).toMatch(/^id: \d+$/m); // the alert stream's history
    expect(result.stdout).toContain('"aidwatch.consignment.registered.v1"');
  });

  it('Alerts and webhooks: subscribe, receive, act on an alert, see its signed delivery', async () => {
    const result = run(bashBlockAfter('the API folds it from the store'));
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const receiverLog = path.join(dir, 'receiver.log');
    const deadline = Date.now() + 20_000;
    while (!/verified .*aidwatch\.alert\.acknowledged\.v1/.test(fs.readFileSync(receiverLog, 'utf8'))) {
      if (Date.now() > deadline) throw new Error(fs.readFileSync(receiverLog, 'utf8'));
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(fs.readFileSync(receiverLog, 'utf8')).not.toMatch(/REFUSED/);
  });

  it("Operator CLI: export the demo consignment's trail and verify it offline", () => {
    const result = run(bashBlockAfter('an anchored NDJSON export and its offline verification'));
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/trail\.ndjson: intact/);
  });
});
