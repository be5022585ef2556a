// Small helpers for building the words a program module hands back.
import type { Word } from '../shell/types.js';
import type { Run } from './types.js';

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
