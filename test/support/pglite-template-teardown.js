// Jest globalTeardown: removes the PGlite template written by pglite-template-setup.js.
const { rmSync } = require('node:fs');

module.exports = async function teardown() {
  const dir = globalThis.__checkinPgliteTemplateDir;
  if (dir) rmSync(dir, { recursive: true, force: true });
};
