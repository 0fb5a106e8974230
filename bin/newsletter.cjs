#!/usr/bin/env node
'use strict';
// Runs the bundled CLI (built into lib/ by `npm ci` through the `prepare` script, or `npm run build:ts`).
// CommonJS on purpose: an ES module importing the bundle would make Node scan it for export names at every start.
require('../lib/cli.cjs')
  .main(process.argv)
  .then((code) => {
    process.exitCode = code;
  });
