// Word globs and regular expressions over argv words, and the witnesses they leave:
// shared by the conditions that compare words (program, args, words, operands, regex …).
import type { Word } from '../../shell/types.js';
import { MAYBE, NO, YES, type Tri } from './core.js';

const globCache = new Map<string, RegExp>();

/** A glob over one word: * and ? match any character, / included; [..] is a class. */
export function wordGlob(pattern: string): RegExp {
  let re = globCache.get(pattern);
  if (re) return re;
  let src = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '*') src += '[\\s\\S]*';
    else if (ch === '?') src += '[\\s\\S]';
    else if (ch === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end < 0) src += '\\[';
      else {
        src += '[' + pattern.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\') + ']';
        i = end;
      }
    } else src += ch.replace(/[.+^${}()|\\\]]/g, '\\$&');
  }
  re = new RegExp(`^${src}$`);
  globCache.set(pattern, re);
  return re;
}

/**
 * Several word globs as one regular expression: a list of two dozen program names (@database-clients)
 * is one test per word instead of one per name. Same answers: each glob is anchored alone.
 */
export function wordGlobs(patterns: readonly string[]): RegExp[] {
  if (patterns.length < 2) return patterns.map(wordGlob);
  return [new RegExp(`^(?:${patterns.map((p) => wordGlob(p).source.slice(1, -1)).join('|')})$`)];
}

export function userRegex(source: string): RegExp {
  return source.startsWith('(?i)') ? new RegExp(source.slice(4), 'i') : new RegExp(source);
}

/** The start of a glob that every word it matches begins with (up to its first * ? or [). */
export function globPrefix(pattern: string): string {
  return /^[^*?[]*/.exec(pattern)![0];
}

/** The start of a word only known at run time that is literal text (TEST="$F" → TEST=). */
function literalPrefix(raw: string): string {
  return /^[^$"'`\\{*?[~]*/.exec(raw)![0];
}

/**
 * Globs over words, where a word only known at run time is a maybe only if its literal start
 * could begin a match: TEST="$F" can never be `release`, "$GOAL" can be anything.
 */
export function anyGlobWord(words: readonly Word[], res: RegExp[], prefixes: string[]): Tri {
  let r: Tri = NO;
  for (const w of words) {
    if (w.value === null) {
      if (r === NO) {
        const lit = literalPrefix(w.raw);
        if (prefixes.some((p) => p.startsWith(lit) || lit.startsWith(p))) r = MAYBE;
      }
    } else if (res.some((re) => re.test(w.value!))) return YES;
  }
  return r;
}

export function anyWord(values: (string | null)[], res: RegExp[]): Tri {
  let r: Tri = NO;
  for (const v of values) {
    if (v === null) r = MAYBE;
    else if (res.some((re) => re.test(v))) return YES;
  }
  return r;
}

/** Words a glob hit, as the agent wrote them; or, when none surely did, the words only known at run time. */
export function wordsHit(words: readonly Word[], res: RegExp[]): string[] {
  const hits = words.filter((w) => w.value !== null && res.some((re) => re.test(w.value!))).map((w) => w.value!);
  return hits.length ? [...new Set(hits)] : unknownWords(words);
}

export function unknownWords(words: readonly Word[]): string[] {
  return [...new Set(words.filter((w) => w.value === null).map((w) => w.raw))];
}
