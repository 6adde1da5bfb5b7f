// Jest globalSetup: one initialised PGlite data directory (initdb done once), written to a temp file that every
// test process's `memory://` store starts from (src/store/pglite.ts, CHECKIN_TEST_PGLITE_TEMPLATE). initdb in
// WebAssembly is most of a fresh PGlite's start (~2-4 s on 2 cores); loading the template takes a fraction.
const { Buffer } = require('node:buffer');
const { mkdtempSync, renameSync, writeFileSync } = require('node:fs');
const os = require('node:os');
const path = require('node:path');

module.exports = async function setup() {
  if (process.env.CHECKIN_TEST_PGLITE_TEMPLATE) return;
  const { PGlite } = await import('@electric-sql/pglite');
  const pg = await PGlite.create();
  const dump = await pg.dumpDataDir('none');
  await pg.close();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'checkin-pglite-template-'));
  const file = path.join(dir, 'pgdata.tar');
  writeFileSync(`${file}.part`, Buffer.from(await dump.arrayBuffer()));
  renameSync(`${file}.part`, file);
  process.env.CHECKIN_TEST_PGLITE_TEMPLATE = file;
  globalThis.__checkinPgliteTemplateDir = dir;
};
