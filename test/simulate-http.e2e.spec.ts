import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { DEFAULT_PORTS_SOURCE, SIMULATOR_SOURCE } from '@aidwatch/maritime';
import { startTestSystem, type TestSystem } from '@aidwatch/testing';

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
