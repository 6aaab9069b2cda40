import * as fs from 'node:fs';
import * as path from 'node:path';
import { USAGE } from '../apps/simulator/src/simulator-args';
import { startTestSystem, type TestSystem } from './support/aidwatch-process';
import { runAidwatch } from './support/aidwatch-cli';

// The README against the software it describes, so that it cannot drift: every `npm run` script it names
// exists, every `aidwatch` subcommand and option it shows is one the CLI has, every simulator option is one
// the simulator reads, every endpoint of its HTTP table is in the OpenAPI document (or is the console), and
// every setting of its configuration table is one the configuration reads. The walk-throughs themselves run
// in their own tests (startup-log, simulate-http, webhook-receiver, cli-promises, operations).

const root = path.join(__dirname, '..');
const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
const packageJson = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  scripts: Record<string, string>;
};

/** `/a/{b,c}[/d]` → `/a/b`, `/a/c`, `/a/b/d`, `/a/c/d`: the README's shorthand for several paths. */
export function expandPaths(pattern: string): string[] {
  const open = pattern.indexOf('[');
  if (open >= 0) {
    let depth = 0;
    let close = open;
    for (; close < pattern.length; close++) {
      if (pattern[close] === '[') depth++;
      else if (pattern[close] === ']' && --depth === 0) break;
    }
    const before = pattern.slice(0, open);
    const inner = pattern.slice(open + 1, close);
    const after = pattern.slice(close + 1);
    return [...expandPaths(before + after), ...expandPaths(before + inner + after)];
  }
  const alternatives = /\{([^{}]*,[^{}]*)\}/.exec(pattern);
  if (alternatives)
    return alternatives[1]
      .split(',')
      .flatMap((alt) =>
        expandPaths(
          pattern.slice(0, alternatives.index) +
            alt +
            pattern.slice(alternatives.index + alternatives[0].length),
        ),
      );
  return [pattern];
}

describe('the README tells the truth', () => {
  jest.setTimeout(180_000);

  it('expands its path shorthand', () => {
    expect(expandPaths('/subscriptions[/:id[/deliveries[/:deliveryId]]]')).toEqual([
      '/subscriptions',
      '/subscriptions/:id',
      '/subscriptions/:id/deliveries',
      '/subscriptions/:id/deliveries/:deliveryId',
    ]);
    expect(expandPaths('/alerts/:id/{acknowledge,resolve}')).toEqual([
      '/alerts/:id/acknowledge',
      '/alerts/:id/resolve',
    ]);
  });

  it('every `npm run` script it names exists', () => {
    const scripts = [...readme.matchAll(/npm run ([a-z][a-z:-]*)/g)].map((m) => m[1]);
    expect(scripts.length).toBeGreaterThan(5);
    expect([...new Set(scripts)].filter((s) => !(s in packageJson.scripts))).toEqual([]);
  });

  it('every aidwatch subcommand and option it shows is in the CLI', async () => {
    const commands = [
      'keys create',
      'keys list',
      'keys revoke',
      'demo',
      'verify',
      'export',
      'archive',
      'rebuild',
      'replay',
      'forget',
    ];
    const shown = new Map<string, Set<string>>();
    for (const line of readme.split('\n'))
      for (const m of line.matchAll(/aidwatch ((?:keys )?[a-z]+)([^`|#\n]*)/g)) {
        if (!commands.includes(m[1])) continue;
        const options = shown.get(m[1]) ?? new Set<string>();
        for (const o of m[2].matchAll(/(--[a-z][a-z-]*)/g)) options.add(o[1]);
        shown.set(m[1], options);
      }
    expect([...shown.keys()].sort()).toEqual(
      expect.arrayContaining(['archive', 'export', 'forget', 'keys create', 'verify']),
    );
    const missing: string[] = [];
    for (const [command, options] of shown) {
      const help = await runAidwatch([...command.split(' '), '--help'], {});
      expect({ command, code: help.code }).toEqual({ command, code: 0 });
      for (const option of options)
        if (!help.stdout.includes(option)) missing.push(`aidwatch ${command} ${option}`);
    }
    expect(missing).toEqual([]);
  });

  it('every simulator option it shows is one the simulator reads', () => {
    const options = readme
      .split('\n')
      .filter((l) => l.includes('npm run simulate'))
      .flatMap((l) => [...l.matchAll(/(--[a-z][a-z-]*)/g)].map((m) => m[1]));
    expect(options).toContain('--key');
    expect([...new Set(options)].filter((o) => !USAGE.includes(`${o} `))).toEqual([]);
  });

  it('every setting of its configuration table is read by the configuration', () => {
    const config = fs.readFileSync(path.join(root, 'libs/config/src/app-config.ts'), 'utf8');
    const detection = ['diversion/diversion-config.ts', 'maritime/maritime-config.ts']
      .map((f) => fs.readFileSync(path.join(root, 'libs/detection/src', f), 'utf8'))
      .join('\n');
    const settings = [...readme.matchAll(/^\| `([A-Z][A-Z0-9_]+)` \|/gm)].map((m) => m[1]);
    expect(settings.length).toBeGreaterThan(40);
    // DETECTION_<SETTING> overrides the detection threshold <setting> in camel case (DETECTION_INPUT_IDLE_DAYS).
    const camel = (name: string) =>
      name.toLowerCase().replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
    const read = (s: string) =>
      config.includes(s) || (s.startsWith('DETECTION_') && detection.includes(`${camel(s.slice(10))}:`));
    expect(settings.filter((s) => !read(s))).toEqual([]);
  });

  describe('against the running server', () => {
    let system: TestSystem;
    beforeAll(async () => {
      system = await startTestSystem();
    });
    afterAll(() => system?.stop());

    it('every endpoint of its HTTP table is in the OpenAPI document', async () => {
      const doc = (await (await fetch(`${system.url}/docs-json`)).json()) as {
        paths: Record<string, Record<string, unknown>>;
      };
      const documented = new Set(
        Object.entries(doc.paths).flatMap(([p, item]) =>
          Object.keys(item).map((m) => `${m.toUpperCase()} ${p}`),
        ),
      );
      const table = readme.slice(readme.indexOf('## HTTP'), readme.indexOf('## Detection'));
      const endpoints = [...table.matchAll(/^\| (.*?) \|/gm)]
        .flatMap((row) => [...row[1].matchAll(/`((?:GET|POST|DELETE)(?:\/(?:GET|POST|DELETE))*) ([^`]+)`/g)])
        .flatMap(([, methods, target]) =>
          methods
            .split('/')
            .flatMap((method) =>
              expandPaths(target.split('?')[0]).map(
                (p) => `${method} ${p.replace(/:([A-Za-z]+)/g, (_m, name: string) => `{${name}}`)}`,
              ),
            ),
        );
      expect(endpoints.length).toBeGreaterThan(30);
      // The README's `:id` may stand for a more specific name in the document (`{alertId}`, `{silenceId}`).
      const generic = (e: string) => e.replace(/\{[A-Za-z]+\}/g, '{}');
      const known = new Set([...documented].map(generic));
      const missing = endpoints.filter((e) => !documented.has(e) && !known.has(generic(e)));
      // The console is a web page (excluded from the API document), Swagger UI is /docs itself.
      expect(missing.filter((e) => !['GET /console', 'GET /docs'].includes(e))).toEqual([]);
    });
  });
});
