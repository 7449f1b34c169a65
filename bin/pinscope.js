#!/usr/bin/env node
// Thin launcher: the CLI is bundled by scripts/build.mjs (run by `npm ci` through `prepare`).
'use strict';
const path = require('node:path');
const fs = require('node:fs');
const bundle = path.join(__dirname, '..', 'dist', 'cli', 'pinscope.js');
if (!fs.existsSync(bundle)) {
  process.stderr.write(`pinscope: ${bundle} is missing; run \`npm run build\` first\n`);
  process.exit(2);
}
require(bundle);
