// `npm start`'s prestart: runs `npm run build` only when a source the build reads is newer than the last
// build, so a restart (after a crash, a setting changed) does not recompile what has not changed. The stamp
// file dist/.build-stamp is touched after each build this script runs; `npm run build` always builds.
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const stamp = path.join(root, 'dist', '.build-stamp');
/** What the build reads: TypeScript sources, the console's static files, the compiler settings, the lock file. */
const inputs = ['apps', 'libs', 'scripts', 'tsconfig.json', 'tsconfig.build.json', 'package-lock.json'];
const ignored = (name) => name === 'node_modules' || name.endsWith('.spec.ts') || name === 'testing';

/** The newest modification time (ms) under `file`, or 0 when it does not exist. */
function newest(file) {
  let stat;
  try {
    stat = fs.statSync(file);
  } catch {
    return 0;
  }
  if (!stat.isDirectory()) return stat.mtimeMs;
  let latest = stat.mtimeMs; // a deleted file changes its directory's time
  for (const entry of fs.readdirSync(file))
    if (!ignored(entry)) latest = Math.max(latest, newest(path.join(file, entry)));
  return latest;
}

function builtAt() {
  try {
    return fs.statSync(stamp).mtimeMs;
  } catch {
    return -1;
  }
}

const sourcesAt = Math.max(...inputs.map((f) => newest(path.join(root, f))));
if (builtAt() > sourcesAt && fs.existsSync(path.join(root, 'dist/apps/aidwatch/src/main.js'))) {
  process.stderr.write('build: up to date (no source changed since the last build)\n');
} else {
  const started = Date.now();
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
    cwd: root,
    stdio: 'inherit',
  });
  execFileSync(process.execPath, [path.join(root, 'scripts/build-console.js')], {
    cwd: root,
    stdio: 'inherit',
  });
  fs.writeFileSync(stamp, `${new Date().toISOString()}\n`);
  process.stderr.write(`build: compiled in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}
