// What programs a rule file that could not be loaded might have matched, read leniently
// from whatever is left of it: a skipped file may have held a `deny`, so every command it
// could have reached asks until it is fixed (load.ts turns these into a synthetic rule).
// Only a program the match block pins narrows it: a block that can match a command of any
// program (a `reads:` rule, a `not: {program: …}`, an any_of branch without a program), or a
// file whose structure cannot be read, names nothing, and then every command asks.
// Pure, and free of YAML and zod: the raw-text fallback serves files YAML cannot read.

/** A word that can name a program (or a glob of names, or an @list). */
const NAME = /^@?[A-Za-z0-9_+][A-Za-z0-9_.+*?[\]-]*$/;

/**
 * The programs a match block is pinned to: its own `program:`, else one pinned member of
 * its `all_of`, else the union over its `any_of` when every branch is pinned; null when it
 * can match a command of any program. "@name" entries are kept for the caller to expand.
 * Nothing under `not:` counts (it excludes programs, it does not name the ones matched).
 */
export function pinnedPrograms(match: unknown): string[] | null {
  if (!match || typeof match !== 'object' || Array.isArray(match)) return null;
  const m = match as Record<string, unknown>;
  if (m.program !== undefined) {
    const names = (Array.isArray(m.program) ? m.program : [m.program]).filter((x): x is string => typeof x === 'string' && NAME.test(x));
    return names.length ? names : null;
  }
  if (Array.isArray(m.all_of)) {
    for (const b of m.all_of) {
      const p = pinnedPrograms(b);
      if (p) return p;
    }
  }
  if (Array.isArray(m.any_of) && m.any_of.length) {
    const out = new Set<string>();
    for (const b of m.any_of) {
      const p = pinnedPrograms(b);
      if (!p) return null;
      for (const x of p) out.add(x);
    }
    return [...out];
  }
  return null;
}

/**
 * For a file YAML cannot read: the `program:` of its match block, read from the lines
 * directly under `match:` (`program: x`, `program: [x, y]`, or `- x` items below it).
 * Anything nested deeper (any_of, not, pipeline) is not read: its meaning depends on the
 * structure, so such a file names nothing unless its match block has a program of its own.
 */
export function keywordsOfText(text: string): string[] {
  const out = new Set<string>();
  const lines = text.split(/\r?\n/);
  const start = lines.findIndex((l) => /^match\s*:\s*(#.*)?$/.test(l));
  if (start < 0) return [];
  const child = lines.slice(start + 1).find((l) => l.trim() && !l.trim().startsWith('#'));
  const indent = child ? /^(\s*)/.exec(child)![1] : null;
  if (!indent) return [];
  for (let i = start + 1; i < lines.length; i++) {
    const line = lines[i];
    if (line.trim() && !line.startsWith(indent) && !/^\s*#/.test(line)) break;
    const m = new RegExp(`^${indent}program\\s*:\\s*(.*)$`).exec(line);
    if (!m) continue;
    const value = m[1].replace(/\s+#.*$/, '').trim();
    if (value) {
      for (const w of value.replace(/^\[|\]$/g, '').split(',')) add(out, w);
      continue;
    }
    // A block list on the following lines.
    for (let j = i + 1; j < lines.length; j++) {
      const item = /^\s*-\s+(.*)$/.exec(lines[j]);
      if (!item) break;
      add(out, item[1].replace(/\s+#.*$/, ''));
    }
  }
  return [...out];
}

function add(out: Set<string>, raw: string) {
  const w = raw.trim().replace(/^["']|["']$/g, '');
  if (NAME.test(w)) out.add(w);
}

/** Program names with "@name" lists expanded, sorted (an unknown list names nothing). */
export function expandPrograms(words: readonly string[], lists: ReadonlyMap<string, readonly string[]>): string[] {
  const out = new Set<string>();
  for (const w of words) {
    if (!w.startsWith('@')) out.add(w);
    else for (const item of lists.get(w.slice(1)) ?? []) if (NAME.test(item) && !item.startsWith('@')) out.add(item);
  }
  return [...out].sort();
}

/** Every "@name" a rule's match block refers to (at any depth, `not:` included). */
export function listReferences(match: unknown, out = new Set<string>()): Set<string> {
  if (typeof match === 'string') {
    if (match.startsWith('@')) out.add(match.slice(1));
  } else if (Array.isArray(match)) for (const x of match) listReferences(x, out);
  else if (match && typeof match === 'object') for (const v of Object.values(match)) listReferences(v, out);
  return out;
}
