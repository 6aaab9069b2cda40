import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/*
 * docs/adding-an-event-type.md walks through the files an event type touches: every file it names exists, and
 * every name it quotes is defined in the code.
 */
const root = join(__dirname, '..');
const doc = readFileSync(join(root, 'docs/adding-an-event-type.md'), 'utf8');
const quoted = [...doc.matchAll(/`([^`]+)`/g)].map((m) => m[1] as string);

function sourcesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : sourcesUnder(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [path] : [];
  });
}

describe('docs/adding-an-event-type.md matches the code', () => {
  it('names only files that exist (a `*` matches at least one)', () => {
    const paths = quoted.filter((q) => /^(libs|apps|docs|test)\/[\w./*-]+$/.test(q));
    expect(paths.length).toBeGreaterThan(10);
    for (const path of paths) {
      if (!path.includes('*')) {
        expect({ path, exists: existsSync(join(root, path)) }).toEqual({ path, exists: true });
        continue;
      }
      const pattern = new RegExp(
        '^' + path.split('/').pop()!.replace(/\./g, '\\.').replace(/\*/g, '[^/]*') + '$',
      );
      const names = readdirSync(join(root, dirname(path)));
      expect({ path, matches: names.some((n) => pattern.test(n)) }).toEqual({ path, matches: true });
    }
  });

  it('quotes only names the code defines', () => {
    const code = ['libs', 'apps']
      .flatMap((dir) => sourcesUnder(join(root, dir)))
      .map((file) => readFileSync(file, 'utf8'))
      .join('\n');
    const names = quoted.filter((q) => /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$/.test(q));
    expect(names.length).toBeGreaterThan(20);
    for (const name of names)
      for (const part of name.split('.'))
        expect({ name, defined: new RegExp(`\\b${part}\\b`).test(code) }).toEqual({ name, defined: true });
  });
});
