#!/usr/bin/env node
'use strict';
// Thin launcher so `npx checkin-gateway` and the package bin work; the CLI lives in dist/cli.js (npm run build).
require('../dist/cli.js');
