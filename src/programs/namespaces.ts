// Programs that run a command in another root or namespace: chroot (relative paths start at
// the new root).
import { parseOptions, type OptionSpec } from './options.js';
import type { ProgramSpec } from './types.js';
import { unknownOptions } from './words.js';

const CHROOT: OptionSpec = { takesValue: ['--userspec', '--groups'], flags: ['--skip-chdir', '--help', '--version'], complete: true, stopAtPositional: true };

export const chroot: ProgramSpec = {
  names: ['chroot'],
  options: CHROOT,
  runs(args) {
    const o = parseOptions(args, CHROOT);
    if (o.unknown.length) return unknownOptions('chroot', o.unknown);
    const rest = o.positionals;
    return rest.length > 1 ? [{ kind: 'argv', argv: rest.slice(1), chdir: rest[0] }] : [];
  },
};

export const programs = [chroot];
