#!/usr/bin/env node
'use strict';
// Thin launcher so `npx checkin-gateway` and the package bin work; the CLI is compiled to dist/ by `npm run build`.
const { runCli } = require('../dist/cli.js');
runCli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`fatal: ${err && err.message ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
