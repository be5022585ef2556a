// env (GNU coreutils): sets variables, changes directory, then runs a command.
// Options stop at the first operand ("+" in its optstring); NAME=VALUE operands follow,
// then the command. -S/--split-string splits one string into the command's argv.
import { parseOptions, type OptionSpec } from './options.js';
import type { ProgramSpec, Run } from './types.js';
import { dyn, lit, unknownOptions } from './words.js';
import { shq } from './context.js';
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
      // env -S 'STRING' [more]: the string is split into words (which may hold more options and
      // NAME=VALUE) that env reads again, before the rest.
      const s = split[split.length - 1];
      if (s === null || rest.some((w) => w.value === null)) return [{ kind: 'opaque', reason: 'env -S is given a string only known at run time' }];
      const dir = chdirs.length ? [lit('-C'), lit(chdirs[chdirs.length - 1] ?? '')] : [];
      const words = splitString(s);
      if (words) return env.runs!([...dir, ...words.map(lit), ...rest]);
      // Escapes and ${VAR} in the string: read as the shell line `env -C DIR STRING more…`.
      const line = ['env', ...dir.map((w) => shq(w.value!)), s, ...rest.map((w) => shellWord(w.value!))].join(' ');
      return [{ kind: 'script', script: lit(line) }];
    }
    return command.length ? [{ kind: 'argv', argv: command, assignments, chdir }] : [];
  },
};

/** env -S's splitting for strings without escapes or ${VAR}: blanks separate, '…' and "…" quote; null otherwise. */
function splitString(s: string): string[] | null {
  if (/[\\$#]/.test(s)) return null;
  const out: string[] = [];
  const re = /\s*(?:'([^']*)'|"([^"]*)"|([^\s'"]+))/gy;
  let word: string | null = null;
  let m: RegExpExecArray | null;
  let last = 0;
  while ((m = re.exec(s))) {
    const gap = m[0].length > 0 && /^\s/.test(m[0]);
    if (gap && word !== null) {
      out.push(word);
      word = null;
    }
    word = (word ?? '') + (m[1] ?? m[2] ?? m[3] ?? '');
    last = re.lastIndex;
    if (m[0].length === 0) break;
  }
  if (s.slice(last).trim()) return null; // an unbalanced quote
  if (word !== null) out.push(word);
  return out;
}

/** A word of the outer command line, quoted again for the script env -S is read as (~ stays home). */
function shellWord(v: string): string {
  return /^~[\w./-]*$/.test(v) ? v : shq(v);
}

export const programs = [env];
