// Programs that run one command with a different priority, CPU set, session, time limit,
// buffering or lock: nice, ionice, chrt, taskset, nohup, setsid, timeout, stdbuf, flock,
// time, unbuffer, caffeinate, catchsegv, rlwrap. The command is an argv after their options.
import { parseOptions, type OptionSpec } from './options.js';
import type { ProgramSpec, Run } from './types.js';
import { scriptRuns, unknownOptions } from './words.js';

/** A wrapper whose operands after `skip` leading ones are the command. */
function prefix(name: string, spec: OptionSpec, skip = 0, refuse?: (flags: string[]) => boolean, oldStyle?: RegExp): ProgramSpec {
  const options: OptionSpec = { ...spec, complete: spec.complete ?? true, stopAtPositional: true };
  return {
    names: [name],
    options,
    runs(all): Run[] {
      // nice -10 COMMAND: the historical form of -n 10.
      const args = oldStyle && all[0]?.value && oldStyle.test(all[0].value) ? all.slice(1) : all;
      const o = parseOptions(args, options);
      if (o.unknown.length) return unknownOptions(name, o.unknown);
      if (refuse?.(o.flags)) return [];
      const rest = o.positionals.slice(skip);
      return rest.length ? [{ kind: 'argv', argv: rest }] : [];
    },
  };
}

const NONE: OptionSpec = { flags: ['--help', '--version'] };

export const nice = prefix('nice', { takesValue: ['-n', '--adjustment'], flags: ['--help', '--version'] }, 0, undefined, /^-[-+]?\d+$/);
export const nohup = prefix('nohup', NONE);
export const setsid = prefix('setsid', { flags: ['-c', '--ctty', '-f', '--fork', '-w', '--wait', '-h', '--help', '-V', '--version'] });
export const timeout = prefix('timeout', { takesValue: ['-s', '--signal', '-k', '--kill-after'], flags: ['--preserve-status', '--foreground', '-v', '--verbose', '--help', '--version', '-f'] }, 1);
export const stdbuf = prefix('stdbuf', { takesValue: ['-i', '--input', '-o', '--output', '-e', '--error'], flags: ['--help', '--version'] });
export const time = prefix('time', { takesValue: ['-f', '--format', '-o', '--output'], flags: ['-a', '--append', '-p', '--portability', '-v', '--verbose', '-q', '--quiet', '--help', '-V', '--version'] });
export const ionice = prefix(
  'ionice',
  { takesValue: ['-c', '--class', '-n', '--classdata', '-p', '--pid', '-P', '--pgid', '-u', '--uid'], flags: ['-t', '--ignore', '-h', '--help', '-V', '--version'] },
  0,
  (f) => f.some((x) => ['-p', '--pid', '-P', '--pgid', '-u', '--uid'].includes(x)),
);
// chrt [options] PRIORITY COMMAND | chrt -p [PRIORITY] PID
export const chrt = prefix(
  'chrt',
  { takesValue: ['-T', '--sched-runtime', '-P', '--sched-period', '-D', '--sched-deadline'], flags: ['-a', '--all-tasks', '-b', '--batch', '-d', '--deadline', '-e', '--ext', '-f', '--fifo', '-i', '--idle', '-o', '--other', '-r', '--rr', '-R', '--reset-on-fork', '-m', '--max', '-p', '--pid', '-v', '--verbose', '-h', '--help', '-V', '--version'] },
  1,
  (f) => f.some((x) => x === '-p' || x === '--pid' || x === '-m' || x === '--max'),
);
// taskset [options] MASK COMMAND | taskset -p [MASK] PID
export const taskset = prefix(
  'taskset',
  { flags: ['-a', '--all-tasks', '-c', '--cpu-list', '-p', '--pid', '-h', '--help', '-V', '--version'] },
  1,
  (f) => f.some((x) => x === '-p' || x === '--pid'),
);
export const unbuffer = prefix('unbuffer', { flags: ['-p'] });
export const caffeinate = prefix('caffeinate', { takesValue: ['-t', '-w'], flags: ['-d', '-i', '-m', '-s', '-u'] });
export const catchsegv = prefix('catchsegv', NONE);
export const rlwrap = prefix('rlwrap', {
  takesValue: ['-a', '--always-readline', '-b', '--break-chars', '-C', '--command-name', '-D', '--history-no-dupes', '-e', '--extra-char-after-completion', '-f', '--file', '-F', '--history-format', '-g', '--forget-matching', '-H', '--history-filename', '-l', '--logfile', '-o', '--one-shot', '-O', '--only-cook', '-p', '--prompt-colour', '-P', '--pre-given', '-q', '--quote-characters', '-s', '--histsize', '-S', '--substitute-prompt', '-w', '--wait-before-prompt', '-z', '--filter', '-M', '--multi-line-ext', '-W', '--polling'],
  flags: ['-A', '--ansi-colour-aware', '-c', '--complete-filenames', '-E', '--no-echo', '-i', '--case-insensitive', '-m', '--multi-line', '-n', '--no-warnings', '-N', '--no-children', '-r', '--remember', '-R', '--renice', '-t', '--set-term-name', '-U', '--mirror-arguments', '-v', '--version', '-h', '--help'],
});

// flock [options] FILE|DIR COMMAND [ARGS…] | flock [options] FILE|DIR -c COMMAND | flock [options] FD
const FLOCK: OptionSpec = {
  takesValue: ['-w', '--timeout', '-E', '--conflict-exit-code', '-c', '--command'],
  flags: ['-s', '--shared', '-x', '-e', '--exclusive', '-u', '--unlock', '-n', '--nb', '--nonblock', '-o', '--close', '-F', '--no-fork', '--verbose', '-h', '--help', '-V', '--version'],
  complete: true,
};

const FLOCK_HEAD: OptionSpec = { ...FLOCK, stopAtPositional: true };

export const flock: ProgramSpec = {
  names: ['flock'],
  options: FLOCK,
  runs(args) {
    // Options stop at FILE ("+" in flock's optstring); then `-c COMMAND` or the command's argv.
    const o = parseOptions(args, FLOCK_HEAD);
    if (o.unknown.length) return unknownOptions('flock', o.unknown);
    const rest = o.positionals.slice(1);
    const c = [...(o.values.get('-c') ?? []), ...(o.values.get('--command') ?? [])];
    if (rest[0]?.value === '-c' || rest[0]?.value === '--command') c.push(rest[1]?.value ?? null);
    else if (rest.length) return [{ kind: 'argv', argv: rest }];
    return scriptRuns(c, 'flock -c');
  },
};

export const programs = [nice, nohup, setsid, timeout, stdbuf, time, ionice, chrt, taskset, unbuffer, caffeinate, catchsegv, rlwrap, flock];
