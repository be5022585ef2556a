#!/usr/bin/env node
// The agent hooks run before every shell command an agent starts: they skip the CLI parser.
if (process.argv[2] === 'hook' && process.argv.length === 4) {
  try {
    const { runHook } = await import('../dist/hooks/run.js');
    process.exitCode = await runHook(process.argv[3]);
  } catch (e) {
    // Blocks: several agents let a command through when a hook fails any other way.
    process.stderr.write(`agentguard: the hook failed (${e?.message ?? e}); the command was blocked\n`);
    process.exitCode = 2;
  }
} else {
  const { main } = await import('../dist/cli/main.js');
  await main();
}
