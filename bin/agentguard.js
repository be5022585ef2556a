#!/usr/bin/env node
// Entry point. dist/bundle/ holds the CLI and the hook bundled into a few modules (scripts/
// bundle.js: a cold start loads far fewer files); the unbundled dist/ is the same code and is
// used while the bundle is not built yet (the first `npm run build` compiles rules with it).
import fs from 'node:fs';

const bundled = fs.existsSync(new URL('../dist/bundle/main.js', import.meta.url));
const from = (file) => (bundled ? `../dist/bundle/${file}` : { 'main.js': '../dist/cli/main.js', 'hook.js': '../dist/hooks/run.js' }[file]);

// The agent hooks run before every shell command an agent starts: they skip the CLI parser.
// `hook AGENT [--auto-approve] [--strict-rules]`, exactly as `agentguard install` writes them.
const argv = process.argv;
const HOOK_FLAGS = new Set(['--auto-approve', '--strict-rules']);
if (argv[2] === 'hook' && argv.length >= 4 && argv.length <= 6 && !argv[3].startsWith('-') && argv.slice(4).every((a) => HOOK_FLAGS.has(a))) {
  try {
    const { runHook } = await import(from('hook.js'));
    const flags = argv.slice(4);
    process.exitCode = await runHook(argv[3], undefined, { autoApprove: flags.includes('--auto-approve'), strictRules: flags.includes('--strict-rules') });
  } catch (e) {
    // Blocks: several agents let a command through when a hook fails any other way.
    process.stderr.write(`agentguard: the hook failed (${e?.message ?? e}); the command was blocked\n`);
    process.exitCode = 2;
  }
} else {
  const { main } = await import(from('main.js'));
  await main();
}
