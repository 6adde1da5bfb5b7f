/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: false }],
    // PGlite's dynamic import() of Node built-ins as require(), so a plain `npx jest <file>` needs no
    // --experimental-vm-modules (see the transform for why).
    '/@electric-sql/pglite/dist/.+\\.cjs$': '<rootDir>/test/support/pglite-import-transform.js',
  },
  transformIgnorePatterns: ['/node_modules/(?!@electric-sql/pglite/dist/)'],
  // Type errors are caught by `tsc --noEmit` in `npm run check`; transpile-only keeps the suite fast.
  // One initdb for the whole run: memory:// stores start from its copy (test/support/pglite-template-setup.js).
  globalSetup: '<rootDir>/test/support/pglite-template-setup.js',
  globalTeardown: '<rootDir>/test/support/pglite-template-teardown.js',
  testTimeout: 30000,
  maxWorkers: 2,
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
};
