#!/usr/bin/env node
// Entry point. dist/bundle/ holds the CLI and the hook bundled into a few modules (scripts/
// bundle.js: a cold start loads far fewer files); the unbundled dist/ is the same code and is
// used while the bundle is not built yet (the first `npm run build` compiles rules with it).
import fs from 'node:fs';

const bundled = fs.existsSync(new URL('../dist/bundle/main.js', import.meta.url));
const from = (file) => (bundled ? `../dist/bundle/${file}` : { 'main.js': '../dist/cli/main.js', 'hook.js': '../dist/hooks/run.js' }[file]);

// The agent hooks run before every shell command an agent starts: they skip the CLI parser.
if (process.argv[2] === 'hook' && process.argv.length === 4) {
  try {
    const { runHook } = await import(from('hook.js'));
    process.exitCode = await runHook(process.argv[3]);
  } catch (e) {
    // Blocks: several agents let a command through when a hook fails any other way.
    process.stderr.write(`agentguard: the hook failed (${e?.message ?? e}); the command was blocked\n`);
    process.exitCode = 2;
  }
} else {
  const { main } = await import(from('main.js'));
  await main();
}
