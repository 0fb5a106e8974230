#!/usr/bin/env node
'use strict';
// Runs the bundled CLI (built into lib/ by `npm ci` through the `prepare` script). CommonJS on purpose: an ES module
// importing the bundle would make Node scan all of it for export names on every start.
require('../lib/cli.cjs')
  .main(process.argv)
  .then((code) => {
    process.exitCode = code;
  });
