// Builds the web console into dist/console: the TypeScript sources (apps/console/src, ES modules for the
// browser), the static files (apps/console/public: page, styles, offline coastline) and the map library
// (Leaflet's ES module and stylesheet, from node_modules: served by AidWatch itself, never from a CDN).
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const out = path.join(root, 'dist', 'console');
execFileSync(
  process.execPath,
  [require.resolve('typescript/bin/tsc'), '-p', path.join(root, 'apps/console/tsconfig.json')],
  {
    stdio: 'inherit',
  },
);
const publicDir = path.join(root, 'apps', 'console', 'public');
for (const file of fs.readdirSync(publicDir))
  fs.copyFileSync(path.join(publicDir, file), path.join(out, file));
const leaflet = path.dirname(require.resolve('leaflet/package.json'));
fs.copyFileSync(path.join(leaflet, 'dist', 'leaflet-src.esm.js'), path.join(out, 'leaflet.js'));
fs.copyFileSync(path.join(leaflet, 'dist', 'leaflet.css'), path.join(out, 'leaflet.css'));
