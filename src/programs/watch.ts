// watch (procps) runs its command again and again: the operands joined with spaces and
// given to `sh -c`, or with -x/--exec as an argv.
import { parseOptions, type OptionSpec } from './options.js';
import type { ProgramSpec } from './types.js';
import { joinWords, unknownOptions } from './words.js';

const WATCH: OptionSpec = {
  takesValue: ['-n', '--interval', '-q', '--equexit'],
  optionalValue: ['-d', '--differences'],
  flags: ['-b', '--beep', '-c', '--color', '-C', '--no-color', '-e', '--errexit', '-g', '--chgexit', '-p', '--precise', '-t', '--no-title', '-w', '--no-wrap', '-x', '--exec', '-r', '--no-rerun', '-s', '--shotsdir', '-h', '--help', '-v', '--version'],
  complete: true,
  stopAtPositional: true,
};

export const watch: ProgramSpec = {
  names: ['watch'],
  options: WATCH,
  runs(args) {
    const o = parseOptions(args, WATCH);
    if (o.unknown.length) return unknownOptions('watch', o.unknown);
    const rest = o.positionals;
    if (!rest.length) return [];
    if (o.flags.includes('-x') || o.flags.includes('--exec')) return [{ kind: 'argv', argv: rest }];
    return [{ kind: 'script', script: joinWords(rest) }];
  },
};

export const programs = [watch];
