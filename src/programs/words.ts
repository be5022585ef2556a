// Small helpers for building the words a program module hands back.
import type { Word } from '../shell/types.js';
import { parseOptions, type OptionSpec, type ParsedOptions } from './options.js';
import type { Effects, ProgramArgs, ProgramSpec, Run, RunContext } from './types.js';

export const lit = (value: string): Word => ({ value, raw: value, glob: false });
export const dyn = (raw: string): Word => ({ value: null, raw, glob: false });

/** Joins words with spaces, as eval/watch/sudo -s do; dynamic if any part is. */
export function joinWords(words: readonly Word[]): Word {
  const raw = words.map((w) => w.raw).join(' ');
  if (words.some((w) => w.value === null)) return dyn(raw);
  return { value: words.map((w) => w.value).join(' '), raw, glob: false };
}

/** to.push(...lists), without spreading: a command may have more words than a call takes arguments. */
export function pushAll(to: Word[], ...lists: readonly (readonly Word[])[]): void {
  for (const l of lists) for (const x of l) to.push(x);
}

/** A script given as an option's value (su -c CMD): the text, or a dynamic word when only known at run time. */
export function scriptRuns(values: readonly (string | null)[], label: string): Run[] {
  return values.map((c) => ({ kind: 'script' as const, script: c === null ? dyn(`${label} …`) : lit(c) }));
}

/** The run for unknown options of a program that runs commands: never guessed. */
export function unknownOptions(program: string, unknown: readonly string[]): Run[] {
  return [{ kind: 'opaque', reason: `${program} is given ${unknown.length > 1 ? 'options' : 'an option'} agentguard does not know (${unknown.join(' ')}), so not what it runs` }];
}

/**
 * A program that runs commands, read with its complete option table (`options`): an option
 * the table does not declare makes what it runs opaque before `run` sees the words, so no
 * runner can forget to refuse a guess.
 */
export function runner(spec: Omit<ProgramSpec, 'runs' | 'options'> & { options: OptionSpec; run: (o: ParsedOptions, args: readonly Word[], ctx: RunContext) => Run[] }): ProgramSpec {
  const { run, ...rest } = spec;
  return {
    ...rest,
    runs(args, ctx) {
      const o = parseOptions(args, spec.options);
      if (o.unknown.length) return unknownOptions(spec.names[0], o.unknown);
      return run(o, args, ctx);
    },
  };
}

function looksLikeFile(w: Word): boolean {
  const v = w.value;
  if (v === null || !v.length || v === '-' || /[\s\n]/.test(v) || /^[a-z][a-z0-9+.-]*:\/\//i.test(v)) return false;
  return /[/.~]/.test(v);
}

/**
 * What an unknown program may read: a word that names a file (it has a / or a .) might be
 * read, so credential reads are asked about; none is assumed written (the sandbox is the
 * wall for that). Bare words (npm run build) are subcommands and names, not files.
 */
export function mayReadFiles(a: ProgramArgs, out: Effects): void {
  for (const w of a.opts.positionals) if (looksLikeFile(w)) out.reads.push(w);
  for (const vs of a.opts.values.values()) for (const v of vs) if (v !== null && looksLikeFile(lit(v))) out.reads.push(lit(v));
}
