import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse } from 'yaml';
import { consignmentRegistered, exemptionGranted, verificationReported } from '@aidwatch/domain/testing';
import { eventually, startTestSystem, type TestSystem } from '@aidwatch/testing';
import { runAidwatch } from './support/aidwatch-cli';

const root = path.join(__dirname, '..');
const infra = (...p: string[]) => path.join(root, 'infra', ...p);

/** promtool (Debian package `prometheus`; .ci/run installs it). Under CI its absence fails the suite. */
function findPromtool(): string | undefined {
  const found = spawnSync('promtool', ['--version'], { encoding: 'utf8' });
  if (found.status === 0) return 'promtool';
  if (process.env.CI === 'true') throw new Error('promtool is not installed (apt-get install prometheus)');
  return undefined;
}
const promtool = findPromtool();
const withPromtool = promtool ? it : it.skip;
if (!promtool)
  console.warn('promtool not found: the promtool checks of test/operations.e2e.spec.ts are skipped');

function runPromtool(args: string[], input?: string): { status: number | null; output: string } {
  const run = spawnSync(promtool!, args, { input, encoding: 'utf8', cwd: infra('prometheus') });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

/** Metric names an expression reads (AidWatch's own), histogram series folded to their metric. */
const metricNamesIn = (expr: string): string[] =>
  [...expr.matchAll(/\b(aidwatch_[a-z_]+)/g)].map((m) => m[1].replace(/_(bucket|sum|count)$/, ''));

const dashboard = JSON.parse(fs.readFileSync(infra('grafana/dashboards/aidwatch.json'), 'utf8')) as {
  panels: Array<{ type: string; title: string; targets?: Array<{ expr: string }> }>;
};
const dashboardExprs = dashboard.panels.flatMap((p) =>
  (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr })),
);
const alertRules = (
  parse(fs.readFileSync(infra('prometheus/alerts.yml'), 'utf8')) as {
    groups: Array<{ rules: Array<{ alert: string; expr: string }> }>;
  }
).groups.flatMap((g) => g.rules);

describe('operations: metrics, Prometheus, alerting rules, Grafana', () => {
  jest.setTimeout(120_000);
  let system: TestSystem;
  let metrics: string;

  beforeAll(async () => {
    system = await startTestSystem({
      WEBHOOK_PRIVATE_TARGETS: 'true',
      WEBHOOK_MAX_ATTEMPTS: '1',
    });
    // Activity that gives every metric family a sample: a story raising a flag and an alert, a webhook to a
    // port nobody listens on (dead after one attempt), a verification of the whole store.
    const dashboardKey = system.credential({ role: 'dashboard', tenant: 'World Food Programme' });
    const subscribed = await system.fetch(`${system.url}/subscriptions`, {
      method: 'POST',
      as: dashboardKey,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url: 'http://127.0.0.1:9/nobody-listens' }),
    });
    expect(subscribed.status).toBe(201);
    const posted = await system.fetch(`${system.url}/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/cloudevents-batch+json' },
      body: JSON.stringify([
        exemptionGranted(),
        consignmentRegistered(),
        verificationReported({ data: { finding: 'diversion_suspected' } }),
      ]),
    });
    expect(posted.status).toBe(202);
    expect((await system.fetch(`${system.url}/audit/verify`)).status).toBe(200);
    metrics = await eventually(async () => {
      const text = await (await system.fetch(`${system.url}/metrics`)).text();
      return /aidwatch_webhook_deliveries\{status="dead"\} [1-9]/.test(text) ? text : undefined;
    }, 60_000);
  });
  afterAll(() => system?.stop());

  withPromtool('promtool check metrics: the real /metrics output is clean', () => {
    const { status, output } = runPromtool(['check', 'metrics'], metrics);
    expect(output).toBe('');
    expect(status).toBe(0);
  });

  it('exposes what the alerting rules and the dashboard read', () => {
    expect(metrics).toContain('aidwatch_audit_chain_intact 1');
    expect(metrics).toMatch(/aidwatch_alerts\{status="firing",severity="critical"\} [1-9]/);
    expect(metrics).toMatch(/aidwatch_webhook_attempts_total\{outcome="dead"\} [1-9]/);
    const exposed = new Set([...metrics.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]));
    const read = [...alertRules.map((r) => r.expr), ...dashboardExprs.map((e) => e.expr)].flatMap(
      metricNamesIn,
    );
    expect(read.length).toBeGreaterThan(15);
    expect([...new Set(read)].filter((name) => !exposed.has(name))).toEqual([]);
  });

  withPromtool('prometheus.yml and alerts.yml pass promtool, and the alerting rules their unit tests', () => {
    expect(runPromtool(['check', 'config', '--syntax-only', 'prometheus.yml']).status).toBe(0);
    expect(runPromtool(['check', 'rules', 'alerts.yml']).status).toBe(0);
    const tested = runPromtool(['test', 'rules', 'alerts.test.yml']);
    expect(tested.output).toContain('SUCCESS');
    expect(tested.status).toBe(0);
    const names = alertRules.map((r) => r.alert);
    expect(names).toEqual(
      expect.arrayContaining([
        'AidwatchDetectionLagging',
        'AidwatchDeadLettersGrowing',
        'AidwatchWebhookDeliveriesDead',
        'AidwatchAuditChainBroken',
      ]),
    );
  });

  withPromtool(
    'every query of the Grafana dashboard is valid PromQL (promtool checks them as recording rules)',
    () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aidwatch-dashboard-'));
      try {
        const rules = {
          groups: [
            {
              name: 'dashboard',
              rules: dashboardExprs.map((e, i) => ({ record: `aidwatch:dashboard_${i}`, expr: e.expr })),
            },
          ],
        };
        fs.writeFileSync(path.join(dir, 'rules.json'), JSON.stringify(rules));
        const { status, output } = runPromtool(['check', 'rules', path.join(dir, 'rules.json')]);
        expect(output).toContain(`SUCCESS: ${dashboardExprs.length} rules found`);
        expect(status).toBe(0);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  it('the dashboard covers ingest, lag, flags, alerts and webhook deliveries', () => {
    const rows = dashboard.panels.filter((p) => p.type === 'row').map((p) => p.title);
    expect(rows).toEqual(expect.arrayContaining(['Ingest', 'Lag', 'Flags', 'Alerts', 'Webhook deliveries']));
  });

  it('docker-compose wires it: the key file Prometheus reads is the one prometheus-key writes; rules and dashboards mounted', () => {
    const compose = parse(fs.readFileSync(path.join(root, 'docker-compose.yml'), 'utf8'), {
      merge: true,
    }) as {
      services: Record<string, { command?: string[]; volumes?: string[]; depends_on?: unknown }>;
    };
    const config = parse(fs.readFileSync(infra('prometheus/prometheus.yml'), 'utf8')) as {
      rule_files: string[];
      scrape_configs: Array<{ job_name: string; authorization?: { credentials_file: string } }>;
    };
    const credentials = config.scrape_configs.find((c) => c.job_name === 'aidwatch')!.authorization!
      .credentials_file;
    const mountOf = (service: string, target: string) =>
      compose.services[service]
        .volumes!.map((v) => v.split(':'))
        .find(([, to]) => target.startsWith(to + '/'));
    const [prometheusVolume, prometheusDir] = mountOf('prometheus', credentials)!;
    const command = compose.services['prometheus-key'].command!;
    const keyFile = command[command.indexOf('--key-file') + 1];
    const [keyVolume, keyDir] = mountOf('prometheus-key', keyFile)!;
    expect(keyVolume).toBe(prometheusVolume);
    expect(path.posix.relative(keyDir, keyFile)).toBe(path.posix.relative(prometheusDir, credentials));
    expect(compose.services.prometheus.depends_on).toMatchObject({
      'prometheus-key': { condition: 'service_completed_successfully' },
    });
    for (const rules of config.rule_files)
      expect(compose.services.prometheus.volumes).toContain(
        `./infra/prometheus/${rules}:/etc/prometheus/${rules}:ro`,
      );
    expect(compose.services.grafana.volumes).toEqual(
      expect.arrayContaining([
        './infra/grafana/provisioning:/etc/grafana/provisioning:ro',
        './infra/grafana/dashboards:/var/lib/grafana/dashboards:ro',
      ]),
    );
  });
});

describe('aidwatch keys create --key-file', () => {
  jest.setTimeout(60_000);
  it('writes a key file once, keeps it while valid, replaces it once revoked; never prints the key', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aidwatch-keyfile-'));
    try {
      const env = { DATA_DIR: dataDir };
      const file = path.join(dataDir, 'operator.key');
      const args = [
        'keys',
        'create',
        '--role',
        'operator',
        '--label',
        'prometheus',
        '--key-file',
        file,
        '--json',
      ];
      const first = await runAidwatch(args, env);
      expect(first.code).toBe(0);
      const key = fs.readFileSync(file, 'utf8');
      expect(key).toMatch(/^awk_[0-9a-f]+_[0-9a-f]+\n$/);
      expect(first.stdout).not.toContain(key.trim());
      expect((fs.statSync(file).mode & 0o777).toString(8)).toBe('644');
      const { id } = JSON.parse(first.stdout) as { id: string };

      const again = await runAidwatch(args, env);
      expect(JSON.parse(again.stdout)).toMatchObject({ id, created: false });
      expect(fs.readFileSync(file, 'utf8')).toBe(key);

      expect((await runAidwatch(['keys', 'revoke', id], env)).code).toBe(0);
      const replaced = await runAidwatch(args, env);
      expect(JSON.parse(replaced.stdout)).toMatchObject({ created: true });
      expect(fs.readFileSync(file, 'utf8')).not.toBe(key);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
