#!/usr/bin/env node
// Entry point. dist/bundle/ holds the CLI and the hook bundled into a few CommonJS files
// (scripts/bundle.js), loaded with V8's code cache (bundle-loader.js); the unbundled dist/ is
// the same code and is used while the bundle is not built yet (the first `npm run build`
// compiles rules with it).
import fs from 'node:fs';

const bundled = fs.existsSync(new URL('../dist/bundle/main.cjs', import.meta.url));
const loader = bundled ? await import('./bundle-loader.js') : null;
const from = (file) => (loader ? Promise.resolve(loader.loadBundle(`${file}.cjs`)) : import({ main: '../dist/cli/main.js', hook: '../dist/hooks/run.js' }[file]));

// The agent hooks run before every shell command an agent starts: they skip the CLI parser.
if (process.argv[2] === 'hook' && process.argv.length === 4) {
  try {
    const { runHook } = await from('hook');
    process.exitCode = await runHook(process.argv[3]);
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
