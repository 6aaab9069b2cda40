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

module.exports = {
  testTimeout: 30000,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs}/**/*.unit.spec.ts'] },
    { ...common, displayName: 'int', testMatch: ['<rootDir>/{apps,libs,test}/**/*.int.spec.ts'] },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/test/**/*.e2e.spec.ts'] },
  ],
};
