import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const root = path.resolve(__dirname, '..');
// The script itself (CommonJS, run by npm before `npm start` and as `npm run build`).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const script = require(path.join(root, 'scripts/build-if-changed.js')) as {
  needsBuild(root: string): boolean;
  writeStamp(root: string, startedMs: number): void;
  OUTPUT: string;
};

describe('scripts/build-if-changed.js (npm run build and npm start)', () => {
  let dir: string;
  const write = (file: string, at: number) => {
    const full = path.join(dir, file);
    fs.mkdirSync(path.dirname(full), { recursive: true });
    fs.writeFileSync(full, 'x');
    fs.utimesSync(full, new Date(at), new Date(at));
  };

  // Times after the directories this test creates (a directory's time counts too: a deleted file changes it).
  const later = () => Date.now() + 60_000;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aidwatch-build-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('npm run build goes through the script, so it writes the stamp npm start compares against', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    expect(pkg.scripts.build).toBe('node scripts/build-if-changed.js --always');
    expect(pkg.scripts.prestart).toBe('node scripts/build-if-changed.js');
  });

  it('after a build, a start does not rebuild; a source saved later does', () => {
    const t0 = later();
    write('libs/a/src/a.ts', t0);
    write('apps/aidwatch/src/main.ts', t0);
    expect(script.needsBuild(dir)).toBe(true); // never built

    write(script.OUTPUT, t0 + 5_000);
    script.writeStamp(dir, t0 + 1_000); // a build that started after the last change
    expect(script.needsBuild(dir)).toBe(false);

    write('libs/a/src/a.ts', t0 + 2_000); // changed after that build started
    expect(script.needsBuild(dir)).toBe(true);
    script.writeStamp(dir, t0 + 3_000);
    expect(script.needsBuild(dir)).toBe(false);
  });

  it('a source saved while the build ran is compiled at the next start (the stamp is dated at the start)', () => {
    const t0 = later();
    write('libs/a/src/a.ts', t0);
    write(script.OUTPUT, t0 + 10_000);
    write('libs/a/src/b.ts', t0 + 5_000); // during a build that ran from t0 + 1 s to t0 + 10 s
    script.writeStamp(dir, t0 + 1_000);
    expect(script.needsBuild(dir)).toBe(true);
  });

  it('tests and test fixtures do not count as sources; a missing build output does', () => {
    const t0 = later();
    write('libs/a/src/a.ts', t0);
    write(script.OUTPUT, t0 + 2_000);
    script.writeStamp(dir, t0 + 1_000);
    write('libs/a/src/a.unit.spec.ts', t0 + 5_000);
    write('libs/a/src/testing/fixture.ts', t0 + 5_000);
    expect(script.needsBuild(dir)).toBe(false);
    fs.rmSync(path.join(dir, script.OUTPUT));
    expect(script.needsBuild(dir)).toBe(true);
  });
});
