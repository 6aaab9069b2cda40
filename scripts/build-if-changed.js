// The build, and `npm start`'s prestart. `npm run build` (`--always`) compiles; the prestart (no argument)
// compiles only when a source the build reads is newer than the last build, so a restart (after a crash, a
// setting changed) or a start right after `npm run build` does not recompile what has not changed. Every
// build writes the stamp file dist/.build-stamp, dated when the build started: a source saved while it ran
// is newer than the stamp and is compiled at the next start.
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

/** What the build reads: TypeScript sources, the console's static files, the compiler settings, the lock file. */
const INPUTS = ['apps', 'libs', 'scripts', 'tsconfig.json', 'tsconfig.build.json', 'package-lock.json'];
/** What a build leaves that a start needs. */
const OUTPUT = 'dist/apps/aidwatch/src/main.js';
const STAMP = 'dist/.build-stamp';
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

/** When the last build under `root` started (the stamp's time, ms), or -1 when there is none. */
function builtAt(root) {
  try {
    return fs.statSync(path.join(root, STAMP)).mtimeMs;
  } catch {
    return -1;
  }
}

/** Whether `root` needs a build: no build output, no stamp, or a source newer than the last build's start. */
function needsBuild(root) {
  if (!fs.existsSync(path.join(root, OUTPUT))) return true;
  const sourcesAt = Math.max(...INPUTS.map((f) => newest(path.join(root, f))));
  return !(builtAt(root) >= sourcesAt);
}

/** Records a build of `root` that started at `startedMs` (the stamp's content and modification time). */
function writeStamp(root, startedMs) {
  const file = path.join(root, STAMP);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const at = new Date(startedMs);
  fs.writeFileSync(file, `${at.toISOString()}\n`);
  fs.utimesSync(file, at, at);
}

/** Compiles the server (tsc) and the console into dist/, then writes the stamp. */
function build(root) {
  const started = Date.now();
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
    cwd: root,
    stdio: 'inherit',
  });
  execFileSync(process.execPath, [path.join(root, 'scripts/build-console.js')], {
    cwd: root,
    stdio: 'inherit',
  });
  writeStamp(root, started);
  process.stderr.write(`build: compiled in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}

module.exports = { needsBuild, writeStamp, INPUTS, OUTPUT, STAMP };

if (require.main === module) {
  const root = path.join(__dirname, '..');
  if (process.argv.includes('--always') || needsBuild(root)) build(root);
  else process.stderr.write('build: up to date (no source changed since the last build)\n');
}
