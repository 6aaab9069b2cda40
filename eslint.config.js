// @ts-check
const js = require('@eslint/js');
const tseslint = require('typescript-eslint');

const pureLibs = ['libs/domain/**/*.ts', 'libs/detection/**/*.ts', 'libs/alerts/**/*.ts'];
const impure = ['@nestjs/*', 'kafkajs', 'better-sqlite3', '@kurrent/*', 'prom-client', 'express'];

module.exports = tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'infra/kafka/.cache/**', 'infra/kafka/run/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2022, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    // Tests read JSON bodies of many shapes.
    files: ['**/*.spec.ts', 'test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['**/*.js'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: {
        require: 'readonly',
        module: 'writable',
        __dirname: 'readonly',
        process: 'readonly',
        console: 'readonly',
      },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Pure domain and detection code: no framework, broker or database, no wall clock.
    files: pureLibs,
    ignores: ['**/*.spec.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: impure.map((group) => ({
            group: [group],
            message: 'Pure libraries import no framework, broker or database.',
          })),
        },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']",
          message: 'Use event time, not the wall clock.',
        },
        {
          selector: "NewExpression[callee.name='Date'][arguments.length=0]",
          message: 'Use event time, not the wall clock.',
        },
        {
          selector: "CallExpression[callee.object.name='Math'][callee.property.name='random']",
          message: 'Use a seeded PRNG passed in.',
        },
      ],
    },
  },
);
