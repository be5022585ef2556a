// env (GNU coreutils): sets variables, changes directory, then runs a command.
// Options stop at the first operand ("+" in its optstring); NAME=VALUE operands follow,
// then the command. -S/--split-string splits one string into words env reads again (options,
// NAME=VALUE, the command).
import type { OptionSpec } from './options.js';
import type { ProgramSpec, Run } from './types.js';
import { dyn, lit, runner } from './words.js';
import { shq } from './context.js';
import type { Word } from '../shell/types.js';

const OPTIONS: OptionSpec = {
  takesValue: ['-u', '--unset', '-C', '--chdir', '-S', '--split-string', '-a', '--argv0'],
  optionalValue: ['--block-signal', '--default-signal', '--ignore-signal'],
  flags: ['-i', '--ignore-environment', '-0', '--null', '-v', '--debug', '--list-signal-handling', '--help', '--version'],
  complete: true,
  stopAtPositional: true,
};

export const env: ProgramSpec = runner({
  names: ['env'],
  options: OPTIONS,
  run(o, _args, ctx): Run[] {
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
      if (words) return env.runs!([...dir, ...words.map(lit), ...rest], ctx);
      // ${VAR} (or a stray escape) in the string: read as the shell line `env -C DIR STRING more…`.
      const line = ['env', ...dir.map((w) => shq(w.value!)), s, ...rest.map((w) => shellWord(w.value!))].join(' ');
      return [{ kind: 'script', script: lit(line) }];
    }
    return command.length ? [{ kind: 'argv', argv: command, assignments, chdir }] : [];
  },
});

/**
 * env -S's own splitting (coreutils env.c): blanks separate words, '…' is literal, "…" takes
 * escapes, \_ is a separator outside quotes (a space inside), \c ends the string, # starts a
 * comment at a word's start. ${VAR} (expanded from the environment) gives null.
 */
function splitString(s: string): string[] | null {
  const out: string[] = [];
  let word: string | null = null;
  let quote: "'" | '"' | null = null;
  const ESC: Record<string, string> = { t: '\t', n: '\n', r: '\r', f: '\f', v: '\v', '\\': '\\', '"': '"', "'": "'", '#': '#', $: '$', ' ': ' ' };
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (quote === "'") {
      if (ch === "'") quote = null;
      else word += ch;
      continue;
    }
    if (ch === '\\') {
      const next = s[++i];
      if (next === 'c' && quote === null) break;
      if (next === '_') {
        if (quote === '"') word += ' ';
        else if (word !== null) {
          out.push(word);
          word = null;
        }
        continue;
      }
      if (next === undefined || !(next in ESC)) return null;
      word = (word ?? '') + ESC[next];
      continue;
    }
    if (ch === '$') return null;
    if (quote === '"') {
      if (ch === '"') quote = null;
      else word += ch;
      continue;
    }
    if (/\s/.test(ch)) {
      if (word !== null) out.push(word);
      word = null;
      continue;
    }
    if (ch === '#' && word === null) break;
    if (ch === "'" || ch === '"') {
      quote = ch;
      word ??= '';
      continue;
    }
    word = (word ?? '') + ch;
  }
  if (quote !== null) return null;
  if (word !== null) out.push(word);
  return out;
}

/** A word of the outer command line, quoted again for the script env -S is read as (~ stays home). */
function shellWord(v: string): string {
  return /^~[\w./-]*$/.test(v) ? v : shq(v);
}

export const programs = [env];
