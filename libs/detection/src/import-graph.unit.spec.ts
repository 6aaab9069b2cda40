import * as fs from 'node:fs';
import * as path from 'node:path';

// Detection is pure domain code: it imports nothing from NestJS, Kafka or a database, and its modules import
// each other without circles (a rule or the snapshot code reaching back into the detector that uses them).

const root = __dirname;

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sources(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [full] : [];
  });
}

/** The module specifiers a file imports or re-exports (static `import`/`export … from`, type-only included). */
function specifiersOf(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  return [...text.matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+['"]([^'"]+)['"]/gm)].map((m) => m[1]);
}

function resolve(from: string, specifier: string): string | undefined {
  const base = path.resolve(path.dirname(from), specifier);
  return [`${base}.ts`, path.join(base, 'index.ts')].find((candidate) => fs.existsSync(candidate));
}

const files = sources(root);
const graph = new Map(
  files.map((file) => [
    file,
    specifiersOf(file)
      .filter((s) => s.startsWith('.'))
      .map((s) => resolve(file, s))
      .filter((f): f is string => f !== undefined),
  ]),
);

describe('libs/detection imports', () => {
  it('reads the modules it checks', () => {
    expect(files.length).toBeGreaterThan(40);
    expect(graph.get(path.join(root, 'maritime', 'maritime-detector.ts'))?.length).toBeGreaterThan(5);
  });

  it('no module imports NestJS, Kafka, a database client or a service app', () => {
    const forbidden =
      /^(@nestjs\/|kafkajs$|pg$|better-sqlite3$|@kurrent\/|@aidwatch\/(event-store|projections|messaging|runtime|intake))/;
    const offenders = files.flatMap((file) =>
      specifiersOf(file)
        .filter((s) => forbidden.test(s))
        .map((s) => `${path.relative(root, file)} → ${s}`),
    );
    expect(offenders).toEqual([]);
  });

  it('has no import circle', () => {
    const state = new Map<string, 'open' | 'done'>();
    const circles: string[] = [];
    const visit = (file: string, trail: string[]) => {
      state.set(file, 'open');
      for (const next of graph.get(file) ?? []) {
        if (state.get(next) === 'open')
          circles.push(
            [...trail.slice(trail.indexOf(next)), next].map((f) => path.relative(root, f)).join(' → '),
          );
        else if (!state.has(next)) visit(next, [...trail, next]);
      }
      state.set(file, 'done');
    };
    for (const file of files) if (!state.has(file)) visit(file, [file]);
    expect(circles).toEqual([]);
  });

  it('keeps every module under 400 lines (fixtures included, specs not), so each reads in one sitting', () => {
    const all = (dir: string): string[] =>
      fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
        const full = path.join(dir, entry.name);
        return entry.isDirectory() ? all(full) : entry.name.endsWith('.ts') ? [full] : [];
      });
    const long = all(root)
      .filter((file) => !file.endsWith('.spec.ts'))
      .map((file) => ({
        file: path.relative(root, file),
        lines: fs.readFileSync(file, 'utf8').split('\n').length - 1,
      }))
      .filter(({ lines }) => lines > 400);
    expect(long).toEqual([]);
  });
});
