import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/*
 * The walk-throughs in docs/ (adding an event type, adding a maritime rule) name the files a change touches:
 * every file they name exists, and every name they quote is defined in the code (their examples' own names
 * aside).
 */
const root = join(__dirname, '..');
const walkThroughs: Array<{ doc: string; examples: readonly string[] }> = [
  { doc: 'docs/adding-an-event-type.md', examples: [] },
  { doc: 'docs/adding-a-rule.md', examples: ['MyRule', 'MyState', 'myRule', 'my-rule', 'MY_RULE'] },
];

function sourcesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : sourcesUnder(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [path] : [];
  });
}

describe.each(walkThroughs)('$doc matches the code', ({ doc: file, examples }) => {
  const doc = readFileSync(join(root, file), 'utf8');
  const quoted = [...doc.matchAll(/`([^`]+)`/g)].map((m) => m[1] as string);

  it('names only files that exist (a `*` matches at least one)', () => {
    const paths = quoted.filter((q) => /^(libs|apps|docs|test)\/[\w./*-]+$/.test(q));
    expect(paths.length).toBeGreaterThan(3);
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
    const names = quoted
      .filter((q) => /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$/.test(q))
      .filter((q) => !examples.some((example) => q.split('.').includes(example)));
    expect(names.length).toBeGreaterThan(5);
    for (const name of names)
      for (const part of name.split('.'))
        expect({ name, defined: new RegExp(`\\b${part}\\b`).test(code) }).toEqual({ name, defined: true });
  });
});
