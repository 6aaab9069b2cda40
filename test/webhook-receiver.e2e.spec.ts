import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { consignmentRegistered, exemptionGranted, verificationReported } from '@aidwatch/domain/testing';
import { eventually, startTestSystem, type TestSystem } from '@aidwatch/testing';

const root = path.join(__dirname, '..');

/** The README's webhook walk-through: subscribe, run scripts/webhook-receiver.js, act on an alert, see it. */
describe('scripts/webhook-receiver.js with a subscription', () => {
  jest.setTimeout(90_000);
  let system: TestSystem;
  let receiver: ChildProcess | undefined;
  let output = '';

  beforeAll(async () => {
    system = await startTestSystem({ WEBHOOK_PRIVATE_TARGETS: 'true', WEBHOOK_BASE_DELAY_MS: '200' });
  });
  afterAll(async () => {
    receiver?.kill('SIGINT');
    await system?.stop();
  });

  const run = (args: string[]) =>
    spawn(process.execPath, [path.join(root, 'scripts/webhook-receiver.js'), ...args], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });

  it('bad usage exits 2', async () => {
    const child = run(['--port', '8090']);
    const code = await new Promise((resolve) => child.once('exit', resolve));
    expect(code).toBe(2);
  });

  it('prints each delivery verified with the subscription secret', async () => {
    const dashboard = system.credential({ role: 'dashboard', tenant: 'World Food Programme' });
    // A story with a finding: a monitor reports a diversion, which raises a critical flag, hence an alert.
    const events = [
      exemptionGranted(),
      consignmentRegistered(),
      verificationReported({ data: { finding: 'diversion_suspected' } }),
    ];
    const posted = await system.fetch(`${system.url}/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/cloudevents-batch+json' },
      body: JSON.stringify(events),
    });
    expect(posted.status).toBe(202);

    receiver = run(['--port', '0', '--secret', 'whsec_' + Buffer.alloc(24, 7).toString('base64')]);
    receiver.stdout!.setEncoding('utf8').on('data', (c: string) => (output += c));
    const port = await eventually(async () => /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(output)?.[1]);

    const subscribed = await system.fetch(`${system.url}/subscriptions`, {
      method: 'POST',
      as: dashboard,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url: `http://127.0.0.1:${port}/hooks/aidwatch` }),
    });
    expect(subscribed.status).toBe(201);
    const { secret } = (await subscribed.json()) as { secret: string };
    // The receiver must know the secret: restart it with the subscription's.
    receiver.kill('SIGINT');
    await new Promise((resolve) => receiver!.once('exit', resolve));
    output = '';
    receiver = spawn(
      process.execPath,
      [path.join(root, 'scripts/webhook-receiver.js'), '--port', port, '--secret', secret],
      { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    receiver.stdout!.setEncoding('utf8').on('data', (c: string) => (output += c));
    await eventually(async () => (output.includes('listening on') ? true : undefined));

    const alertId = await eventually(async () => {
      const res = await system.fetch(`${system.url}/alerts`, { as: dashboard });
      return ((await res.json()) as { items: Array<{ alertId: string }> }).items[0]?.alertId;
    });
    const acked = await system.fetch(`${system.url}/alerts/${alertId}/acknowledge`, {
      method: 'POST',
      as: dashboard,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ note: 'looking into it' }),
    });
    expect(acked.status).toBe(200);
    const line = await eventually(
      async () => /verified msg_\S+: aidwatch\.alert\.acknowledged\.v1 (\S+)/.exec(output) ?? undefined,
      30_000,
      'the acknowledged delivery',
    );
    expect(line[1]).toBe(alertId);
    expect(output).not.toMatch(/REFUSED/);
  });
});
