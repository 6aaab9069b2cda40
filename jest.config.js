// One config, three projects: unit (pure, fast), int (adapters and real services), e2e (whole system).
const moduleNameMapper = {
  '^@aidwatch/testing$': '<rootDir>/test/support',
  '^@aidwatch/([^/]+)/testing$': '<rootDir>/libs/$1/src/testing',
  '^@aidwatch/(.*)$': '<rootDir>/libs/$1/src',
  // ESM-only packages: jest (on Node 20) loads their UMD builds; Node itself uses require(esm).
  '^cheap-ruler$': '<rootDir>/node_modules/cheap-ruler/cheap-ruler.js',
  '^kdbush$': '<rootDir>/node_modules/kdbush/kdbush.js',
};
const transform = { '^.+\\.ts$': ['@swc/jest'] };
const common = {
  rootDir: __dirname,
  testEnvironment: 'node',
  moduleNameMapper,
  transform,
  setupFiles: ['reflect-metadata'],
};

// At least two workers: many suites wait on real services (Kafka, PostgreSQL, child processes), so on a
// two-CPU machine Jest's default (CPUs - 1 = one worker) leaves a CPU idle most of the run.
const os = require('node:os');
const cpus = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;

module.exports = {
  testTimeout: 30000,
  maxWorkers: Math.max(2, cpus - 1),
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs}/**/*.unit.spec.ts'] },
    { ...common, displayName: 'int', testMatch: ['<rootDir>/{apps,libs,test}/**/*.int.spec.ts'] },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/test/**/*.e2e.spec.ts'] },
  ],
};
