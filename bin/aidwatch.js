#!/usr/bin/env node
// `npx aidwatch …`: runs the compiled CLI when `npm run build` has been run, else the TypeScript sources.
const path = require('node:path');
const fs = require('node:fs');
const root = path.join(__dirname, '..');
const compiled = path.join(root, 'dist/apps/cli/src/main.js');
if (fs.existsSync(compiled) && process.env.AIDWATCH_CLI_FROM_SOURCE !== 'true') {
  require(path.join(root, 'scripts/register-paths.js'));
  require(compiled);
} else {
  process.env.SWC_NODE_PROJECT ??= path.join(root, 'tsconfig.json');
  require('@swc-node/register');
  require(path.join(root, 'apps/cli/src/main.ts'));
}
