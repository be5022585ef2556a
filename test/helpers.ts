// Shared test fixtures: a guard in the fixed example world (HOME=/home/dev, workspace
// /home/dev/project) with the built-in rules only, so a developer's own rules never leak in.
import { createGuard, type Guard } from '../src/guard.js';
import { EXAMPLE_CONTEXT } from '../src/rules/examples.js';
import { BUILTIN_RULES_DIR } from '../src/rules/load.js';
import { analyse } from '../src/shell/analyse.js';
import { loadParser } from '../src/shell/parser.js';
import type { Script } from '../src/shell/types.js';

let guard: Promise<Guard> | null = null;

export function exampleGuard(): Promise<Guard> {
  guard ??= createGuard({
    cwd: EXAMPLE_CONTEXT.cwd,
    home: EXAMPLE_CONTEXT.home,
    env: EXAMPLE_CONTEXT.env,
    workspaces: EXAMPLE_CONTEXT.policy.workspaces,
    ruleSources: { builtin: BUILTIN_RULES_DIR },
  });
  return guard;
}

export async function analyseExample(command: string, cwd = EXAMPLE_CONTEXT.cwd): Promise<Script> {
  await loadParser();
  return analyse(command, { cwd, home: EXAMPLE_CONTEXT.home, env: EXAMPLE_CONTEXT.env });
}

/** argv values of every command, dynamic words shown as `$?`. */
export function argvs(s: Script): string[][] {
  return s.commands.map((c) => c.argv.map((w) => w.value ?? '$?'));
}
