// Programs that run a command again and again: watch (procps) runs its operands joined with
// spaces by `sh -c` (or as an argv with -x/--exec); entr, watchexec and nodemon run theirs
// when files change.
import { parseOptions, type OptionSpec } from './options.js';
import type { ProgramSpec, Run } from './types.js';
import { dyn, joinWords, lit, runner } from './words.js';

const WATCH: OptionSpec = {
  takesValue: ['-n', '--interval', '-q', '--equexit'],
  optionalValue: ['-d', '--differences'],
  flags: ['-b', '--beep', '-c', '--color', '-C', '--no-color', '-e', '--errexit', '-g', '--chgexit', '-p', '--precise', '-t', '--no-title', '-w', '--no-wrap', '-x', '--exec', '-r', '--no-rerun', '-s', '--shotsdir', '-h', '--help', '-v', '--version'],
  complete: true,
  stopAtPositional: true,
};

export const watch: ProgramSpec = runner({
  names: ['watch'],
  options: WATCH,
  run(o): Run[] {
    const rest = o.positionals;
    if (!rest.length) return [];
    if (o.flags.includes('-x') || o.flags.includes('--exec')) return [{ kind: 'argv', argv: rest }];
    return [{ kind: 'script', script: joinWords(rest) }];
  },
});


/** entr(1): runs UTILITY when files named on stdin change; -s gives its first argument to $SHELL. */
const ENTR: OptionSpec = { flags: ['-a', '-c', '-d', '-n', '-p', '-r', '-s', '-x', '-z'], complete: true, stopAtPositional: true };

export const entr: ProgramSpec = runner({
  names: ['entr'],
  options: ENTR,
  run(o): Run[] {
    const rest = o.positionals;
    if (!rest.length) return [];
    if (o.flags.includes('-s')) return [{ kind: 'script', script: rest[0] }];
    // /_ stands for the file that changed.
    return [{ kind: 'argv', argv: rest.map((w) => (w.value === '/_' ? dyn('/_') : w)) }];
  },
});

/** watchexec(1), 2.x: the command words are joined and run by a shell, or run as an argv with -n / --shell=none. */
const WATCHEXEC: OptionSpec = {
  takesValue: ['-w', '--watch', '-W', '--watch-non-recursive', '-F', '--watch-file', '-o', '--on-busy-update', '-s', '--signal', '--stop-signal', '--stop-timeout', '-d', '--debounce', '--delay-run', '--shell', '--emit-events-to', '-E', '--env', '--wrap-process', '--color', '--project-origin', '--workdir', '-e', '--exts', '-f', '--filter', '--filter-file', '-j', '--filter-prog', '-i', '--ignore', '--ignore-file', '--fs-events', '--log-file', '--socket', '--completions'],
  optionalValue: ['-c', '--clear', '--poll'],
  flags: ['-r', '--restart', '--stdin-quit', '--no-vcs-ignore', '--no-project-ignore', '--no-global-ignore', '--no-default-ignore', '--no-discover-ignore', '--ignore-nothing', '-p', '--postpone', '-n', '--only-emit-events', '--no-process-group', '-N', '--notify', '--timings', '-q', '--quiet', '--bell', '--no-meta', '--print-events', '-v', '--verbose', '--manual', '-1', '-h', '--help', '-V', '--version'],
  complete: true,
  stopAtPositional: true,
};

export const watchexec: ProgramSpec = runner({
  names: ['watchexec'],
  options: WATCHEXEC,
  run(o): Run[] {
    const rest = o.positionals;
    if (!rest.length) return [];
    const shell = o.values.get('--shell')?.pop();
    if (o.flags.includes('-n') || shell === 'none') return [{ kind: 'argv', argv: rest }];
    if (shell !== undefined && (shell === null || !/^(sh|bash|dash|zsh|ksh)$/.test(shell))) return [{ kind: 'opaque', reason: `watchexec runs its command with a shell agentguard does not read: ${shell ?? '…'}` }];
    return [{ kind: 'script', script: joinWords(rest) }];
  },
});

/**
 * nodemon: restarts `node SCRIPT` or, with -x/--exec CMD, the shell line `CMD SCRIPT ARGS…`
 * when files change. Unknown options are node's and pass through to it.
 */
const NODEMON: OptionSpec = { takesValue: ['-x', '--exec', '-w', '--watch', '-e', '--ext', '-i', '--ignore', '-d', '--delay', '--signal', '--config', '-P', '--polling-interval', '--cwd'], stopAtPositional: true };

export const nodemon: ProgramSpec = {
  names: ['nodemon'],
  options: NODEMON,
  runs(args): Run[] {
    const o = parseOptions(args, NODEMON);
    const exec = [...(o.values.get('-x') ?? []), ...(o.values.get('--exec') ?? [])].pop();
    if (exec === undefined) return [];
    if (exec === null) return [{ kind: 'opaque', reason: 'nodemon --exec is given a command only known at run time' }];
    return [{ kind: 'script', script: joinWords([lit(exec), ...o.positionals]) }];
  },
};

export const programs = [watch, entr, watchexec, nodemon];
