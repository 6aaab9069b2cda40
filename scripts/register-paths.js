// Resolves the @aidwatch/* library aliases inside the compiled output (dist/), so `node dist/...` runs.
const path = require('node:path');
const { register } = require('tsconfig-paths');
const { compilerOptions } = require('../tsconfig.json');

register({ baseUrl: path.join(__dirname, '..', 'dist'), paths: compilerOptions.paths });
