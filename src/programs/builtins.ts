// bash builtins that run code: command, builtin, exec, eval, trap, coproc. (alias, source and cd
// are handled by the analysis itself: they change the shell that reads the rest.)
import { parseOptions, type OptionSpec } from './options.js';
import type { ProgramSpec, Run } from './types.js';
import { joinWords, runner, unknownOptions } from './words.js';

const COMMAND: OptionSpec = { flags: ['-p', '-v', '-V'], complete: true, stopAtPositional: true };

export const command: ProgramSpec = runner({
  names: ['command'],
  options: COMMAND,
  run(o): Run[] {
    if (o.flags.includes('-v') || o.flags.includes('-V')) return [];
    return o.positionals.length ? [{ kind: 'argv', argv: o.positionals }] : [];
  },
});

export const builtin: ProgramSpec = {
  names: ['builtin'],
  runs: (args) => (args.length ? [{ kind: 'argv', argv: [...args] }] : []),
};

const EXEC: OptionSpec = { takesValue: ['-a'], flags: ['-c', '-l'], complete: true, stopAtPositional: true };

export const exec: ProgramSpec = {
  names: ['exec'],
  lists: ['script-runners'],
  options: EXEC,
  runs(args) {
    const o = parseOptions(args, EXEC);
    if (o.unknown.length) return unknownOptions('exec', o.unknown);
    return o.positionals.length ? [{ kind: 'argv', argv: o.positionals }] : [];
  },
};

export const evalBuiltin: ProgramSpec = {
  names: ['eval'],
  lists: ['script-runners'],
  runs: (args) => (args.length ? [{ kind: 'script', script: joinWords(args) }] : []),
};

const TRAP: OptionSpec = { flags: ['-l', '-p', '-P'], stopAtPositional: true };

export const trap: ProgramSpec = {
  names: ['trap'],
  options: TRAP,
  runs(args) {
    const rest = parseOptions(args, TRAP).positionals;
    if (!rest.length || rest[0].value === '-' || rest.length === 1) return [];
    return [{ kind: 'script', script: rest[0] }];
  },
};

/**
 * coproc [NAME] COMMAND: runs COMMAND asynchronously. With a simple command bash allows no
 * NAME, so the words are the command (`coproc NAME { …; }` is a compound the parser reads).
 */
export const coproc: ProgramSpec = {
  names: ['coproc'],
  runs: (args) => (args.length ? [{ kind: 'argv', argv: [...args] }] : []),
};

/** source FILE / . FILE: runs the file in this shell (src/programs/scripts.ts reads it). */
export const source: ProgramSpec = {
  names: ['source', '.'],
  lists: ['script-runners'],
  effects(a, out) {
    if (a.args[0]) out.reads.push(a.args[0]);
  },
};

export const programs = [command, builtin, exec, evalBuiltin, trap, coproc, source];
