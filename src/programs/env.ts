// env (GNU coreutils): sets variables, changes directory, then runs a command.
// Options stop at the first operand ("+" in its optstring); NAME=VALUE operands follow,
// then the command. -S/--split-string splits one string into the command's argv.
import { parseOptions, type OptionSpec } from './options.js';
import type { ProgramSpec, Run } from './types.js';
import { dyn, joinWords, lit, unknownOptions } from './words.js';
import type { Word } from '../shell/types.js';

const OPTIONS: OptionSpec = {
  takesValue: ['-u', '--unset', '-C', '--chdir', '-S', '--split-string', '-a', '--argv0'],
  optionalValue: ['--block-signal', '--default-signal', '--ignore-signal'],
  flags: ['-i', '--ignore-environment', '-0', '--null', '-v', '--debug', '--list-signal-handling', '--help', '--version'],
  complete: true,
  stopAtPositional: true,
};

export const env: ProgramSpec = {
  names: ['env'],
  options: OPTIONS,
  runs(args) {
    const o = parseOptions(args, OPTIONS);
    if (o.unknown.length) return unknownOptions('env', o.unknown);
    if (o.dynamicOption) return [{ kind: 'opaque', reason: 'env is given a word only known at run time where an option may stand' }];
    const split = [...(o.values.get('-S') ?? []), ...(o.values.get('--split-string') ?? [])];
    const chdirs = [...(o.values.get('-C') ?? []), ...(o.values.get('--chdir') ?? [])];
    const chdir: Word | undefined = chdirs.length ? (chdirs[chdirs.length - 1] === null ? dyn('…') : lit(chdirs[chdirs.length - 1]!)) : undefined;
    let rest = o.positionals;
    // `env -` is `env -i`.
    if (rest[0]?.value === '-') rest = rest.slice(1);
    const assignments: Record<string, string | null> = {};
    let i = 0;
    for (; i < rest.length; i++) {
      const v = rest[i].value;
      if (v === null) {
        if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(rest[i].raw)) {
          assignments[rest[i].raw.slice(0, rest[i].raw.indexOf('='))] = null;
          continue;
        }
        break;
      }
      const eq = v.indexOf('=');
      if (eq > 0) {
        assignments[v.slice(0, eq)] = v.slice(eq + 1);
        continue;
      }
      break;
    }
    const command = rest.slice(i);
    if (split.length) {
      // env -S 'cmd args' [more]: the string is split into words that come before the rest.
      const s = split[split.length - 1];
      const script = joinWords([s === null ? dyn('…') : lit(s), ...command]);
      const out: Run[] = [{ kind: 'script', script }];
      return out;
    }
    return command.length ? [{ kind: 'argv', argv: command, assignments, chdir }] : [];
  },
};

export const programs = [env];
