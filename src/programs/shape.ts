// The shape of a program text that is only partly known before it runs (sed "s/$OLD/$NEW/",
// awk "{print \$$N}"): its source with every expansion replaced by a placeholder, so that
// the commands it holds can still be read. What a variable holds could change that shape
// (a delimiter inside $OLD); that residue is the sandbox's, and is named in the pending corpus.
import type { Word } from '../shell/types.js';

const EXPANSION = /\$\{[^}]*\}|\$\(\([^)]*\)\)|\$\([^)]*\)|`[^`]*`|\$[A-Za-z_]\w*|\$[0-9@*#?$!-]/g;

/** The text of a word with its expansions replaced by `X`, quotes removed; null when it cannot be told. */
export function shapeOf(w: Word): string | null {
  if (w.value !== null) return w.value;
  const raw = w.raw;
  // Nested substitutions or unbalanced quoting: no shape to read.
  if (/\$\([^)]*\$\(|\$\{[^}]*\$\{/.test(raw)) return null;
  let out = '';
  let quote: string | null = null;
  const text = raw.replace(EXPANSION, '\u0000');
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\u0000') out += 'X';
    else if (quote === "'") {
      if (c === "'") quote = null;
      else out += c;
    } else if (c === "'" || c === '"') {
      if (quote === c) quote = null;
      else if (quote === null) quote = c;
      else out += c;
    } else if (c === '\\' && i + 1 < text.length) out += text[++i];
    else out += c;
  }
  return quote === null ? out : null;
}

/** At most this many commands or paths are taken from one program text: a line of thousands stays fast. */
export const MAX_FOUND = 64;

/** The first MAX_FOUND runs, and an opaque reason in place of the rest. */
export function capRuns<T extends { kind: string }>(runs: T[], what: string): (T | { kind: 'opaque'; reason: string })[] {
  if (runs.length <= MAX_FOUND) return runs;
  return [...runs.slice(0, MAX_FOUND), { kind: 'opaque', reason: `${what} runs more than ${MAX_FOUND} commands; the rest are not followed` }];
}

/** The first MAX_FOUND paths, and one only known at run time in place of the rest. */
export function capWords(words: Word[], what: string): Word[] {
  if (words.length <= MAX_FOUND) return words;
  return [...words.slice(0, MAX_FOUND), { value: null, raw: `${what}: more than ${MAX_FOUND} paths`, glob: false }];
}
