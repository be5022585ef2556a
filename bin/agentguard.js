#!/usr/bin/env node
// Entry point. dist/bundle/ holds the CLI and the hook bundled into a few modules (scripts/
// bundle.js: a cold start loads far fewer files); the unbundled dist/ is the same code and is
// used while the bundle is not built yet (the first `npm run build` compiles rules with it).
import fs from 'node:fs';

const bundled = fs.existsSync(new URL('../dist/bundle/main.js', import.meta.url));
const from = (file) => (bundled ? `../dist/bundle/${file}` : { 'main.js': '../dist/cli/main.js', 'hook.js': '../dist/hooks/run.js' }[file]);

// The agent hooks run before every shell command an agent starts: they skip the CLI parser.
// `hook AGENT` or `hook AGENT --auto-approve`, exactly as `agentguard install` writes them.
const argv = process.argv;
if (argv[2] === 'hook' && (argv.length === 4 || (argv.length === 5 && argv[4] === '--auto-approve'))) {
  try {
    const { runHook } = await import(from('hook.js'));
    process.exitCode = await runHook(argv[3], undefined, { autoApprove: argv.length === 5 });
  } catch (e) {
    // Blocks: several agents let a command through when a hook fails any other way.
    process.stderr.write(`agentguard: the hook failed (${e?.message ?? e}); the command was blocked\n`);
    process.exitCode = 2;
  }
} else {
  const { main } = await import(from('main.js'));
  await main();
}
