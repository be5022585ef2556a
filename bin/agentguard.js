#!/usr/bin/env node
// Entry point. dist/bundle/ holds the CLI and the hook bundled into a few CommonJS files
// (scripts/bundle.js), loaded with V8's code cache (bundle-loader.js); the unbundled dist/ is
// the same code and is used while the bundle is not built yet (the first `npm run build`
// compiles rules with it). CommonJS (bin/package.json): see bundle-loader.js.
'use strict';
/* eslint-disable typescript/no-require-imports -- CommonJS on purpose (see above) */
const fs = require('node:fs');
const path = require('node:path');
const { pathToFileURL } = require('node:url');

const bundled = fs.existsSync(path.join(__dirname, '../dist/bundle/main.cjs'));
const loader = bundled ? require('./bundle-loader.js') : null;
const from = (file) => (loader ? Promise.resolve(loader.loadBundle(`${file}.cjs`)) : import(pathToFileURL(path.join(__dirname, { main: '../dist/cli/main.js', hook: '../dist/hooks/run.js' }[file])).href));

async function run() {
  // The agent hooks run before every shell command an agent starts: they skip the CLI parser.
  // `hook AGENT [--auto-approve] [--strict-rules]`, exactly as `agentguard install` writes them.
  const argv = process.argv;
  const HOOK_FLAGS = new Set(['--auto-approve', '--strict-rules']);
  if (argv[2] === 'hook' && argv.length >= 4 && argv.length <= 6 && !argv[3].startsWith('-') && argv.slice(4).every((a) => HOOK_FLAGS.has(a))) {
    try {
      const { runHook } = await from('hook');
      const flags = argv.slice(4);
      process.exitCode = await runHook(argv[3], undefined, { autoApprove: flags.includes('--auto-approve'), strictRules: flags.includes('--strict-rules') });
    } catch (e) {
      // Blocks: several agents let a command through when a hook fails any other way.
      process.stderr.write(`agentguard: the hook failed (${e?.message ?? e}); the command was blocked\n`);
      process.exitCode = 2;
    }
  } else {
    const { main } = await from('main');
    await main();
  }
  loader?.saveCodeCache();
}

run().catch((e) => {
  // As an uncaught error in an ES module entry would end: the stack, exit status 1.
  process.stderr.write(`${e?.stack ?? e}\n`);
  process.exitCode = 1;
});
