import { execFile } from 'node:child_process';
import * as path from 'node:path';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { DEFAULT_PORTS_SOURCE, defaultPorts, SIMULATOR_SOURCE } from '@aidwatch/maritime';
import { startTestSystem, type TestSystem } from '@aidwatch/testing';
import { runAidwatch } from './support/aidwatch-cli';

const root = path.join(__dirname, '..');

/** `npm run simulate -- …` as the README runs it (the same script), with the environment given. */
function simulate(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const withoutKey = { ...process.env };
  delete withoutKey.AIDWATCH_KEY;
  return new Promise((resolve) =>
    execFile(
      process.execPath,
      ['-r', '@swc-node/register', path.join(root, 'apps/simulator/src/main.ts'), ...args],
      { cwd: root, env: { ...withoutKey, ...env }, maxBuffer: 16 << 20 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    ),
  );
}

describe('npm run simulate -- --to http://…/events', () => {
  jest.setTimeout(120_000);
  let system: TestSystem;
  let producer: string;
  const fleet = ['--vessels', '3', '--hours', '2', '--seed', '11'];

  beforeAll(async () => {
    system = await startTestSystem();
    // What the demo's producer tenant=* key may write, and no more.
    producer = system.credential({ role: 'producer', sources: [SIMULATOR_SOURCE, DEFAULT_PORTS_SOURCE] });
  });
  afterAll(() => system?.stop());

  it('without a key: exit 2 saying how to give one, nothing sent', async () => {
    const run = await simulate([...fleet, '--to', `${system.url}/events`], {});
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/needs a producer key: --key <key> or AIDWATCH_KEY=<key>/);
  });

  it('with AIDWATCH_KEY (or --key) it sends every event, accepted by the intake', async () => {
    const run = await simulate([...fleet, '--to', `${system.url}/events`], { AIDWATCH_KEY: producer });
    expect(run.stderr).toMatch(/sent \d+ events to http/);
    expect(run.code).toBe(0);
    const sent = Number(/sent (\d+) events/.exec(run.stderr)![1]);
    expect(sent).toBeGreaterThan(10);

    const stdout = await simulate([...fleet, '--to', 'stdout'], {});
    const position = stdout.stdout
      .split('\n')
      .map((line) => JSON.parse(line || '{}') as { type?: string; data?: { mmsi: string } })
      .find((e) => e.type === 'aidwatch.vessel.position.v1');
    const mmsi = position!.data!.mmsi;
    const stream = await system.fetch(`${system.url}/streams/vessel-${mmsi}`);
    expect(stream.status).toBe(200);
    expect(((await stream.json()) as { events: unknown[] }).events.length).toBeGreaterThan(0);

    // Sent again with --key: the same events, stored once (idempotent intake), still a success.
    const again = await simulate([...fleet, '--to', `${system.url}/events`, '--key', producer], {});
    expect(again.code).toBe(0);
  });

  it('a key the server refuses ends the run with exit 1 and the answer', async () => {
    const run = await simulate([...fleet, '--to', `${system.url}/events`, '--key', 'awk_0_wrong'], {});
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/answered 401/);
  });
});

describe('the simulator and the demo share their port declarations (same id, same event)', () => {
  jest.setTimeout(180_000);
  const fleet = ['--vessels', '2', '--hours', '1', '--seed', '5'];
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
  const fresh = () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aidwatch-sim-demo-'));
    dirs.push(dir);
    return dir;
  };

  it('npm start (demo) then npm run simulate -- --to …/events: accepted, no 409', async () => {
    const system = await startTestSystem({ DEMO: 'true', DATA_DIR: fresh() });
    try {
      const producer = system.credential({
        role: 'producer',
        sources: [SIMULATOR_SOURCE, DEFAULT_PORTS_SOURCE],
      });
      const run = await simulate([...fleet, '--to', `${system.url}/events`, '--key', producer], {});
      // "answered 409" as the simulator reports a refused POST; a bare /409/ also matched the service's random
      // port in "sent 99 events to http://127.0.0.1:40973/events" (failed once in CI).
      expect(run.stderr).not.toMatch(/\b409\b|already stored with different content/);
      expect(run.code).toBe(0);
      expect(Number(/sent (\d+) events/.exec(run.stderr)![1])).toBeGreaterThan(defaultPorts().length);
    } finally {
      await system.stop();
    }
  });

  it('the simulator first, then aidwatch demo on the same store: the demo loads, its ports already stored', async () => {
    const dataDir = fresh();
    const system = await startTestSystem({ DATA_DIR: dataDir });
    try {
      const producer = system.credential({
        role: 'producer',
        sources: [SIMULATOR_SOURCE, DEFAULT_PORTS_SOURCE],
      });
      const run = await simulate([...fleet, '--to', `${system.url}/events`, '--key', producer], {});
      expect(run.code).toBe(0);
    } finally {
      await system.stop();
    }
    const demo = await runAidwatch(['demo', '--json', '--no-detect'], { DATA_DIR: dataDir });
    expect(demo.stdout).not.toMatch(/already stored with (different|other) content/);
    expect(demo.code).toBe(0);
    const report = JSON.parse(demo.stdout) as { alreadyStored: number; appended: number };
    expect(report.alreadyStored).toBe(defaultPorts().length);
    expect(report.appended).toBeGreaterThan(0);
  });
});
