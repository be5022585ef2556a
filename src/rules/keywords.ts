// What programs a rule file that could not be loaded might have matched, read leniently
// from whatever is left of it: a skipped file may have held a `deny`, so every command it
// could have reached asks until it is fixed (load.ts turns these into a synthetic rule).
// Best effort by design: more names only ask more; no name at all makes every command ask.
// Pure, and free of YAML and zod: the raw-text fallback serves files YAML cannot read.

/** A word that can name a program (or a glob of names, or an @list). */
const NAME = /^@?[A-Za-z0-9_+][A-Za-z0-9_.+*?[\]-]*$/;

/**
 * Program names a parsed (but invalid) rule names: every `program:` value at any depth of
 * its match block (any_of, not, pipeline.to, wrapped_by …) and the program of each of its
 * must-match examples. "@name" entries are kept for the caller to expand.
 */
export function keywordsOfValue(doc: unknown): string[] {
  const out = new Set<string>();
  const visit = (x: unknown, key: string | null) => {
    if (typeof x === 'string') {
      if ((key === 'program' || key === 'wrapped_by') && NAME.test(x)) out.add(x);
    } else if (Array.isArray(x)) for (const e of x) visit(e, key);
    else if (x && typeof x === 'object') for (const [k, v] of Object.entries(x)) visit(v, k);
  };
  if (doc && typeof doc === 'object') {
    const d = doc as Record<string, unknown>;
    visit(d.match, null);
    const ex = d.examples as Record<string, unknown> | undefined;
    const lines = ex && typeof ex === 'object' ? ex.match : undefined;
    for (const l of Array.isArray(lines) ? lines : typeof lines === 'string' ? [lines] : []) {
      const p = typeof l === 'string' ? firstProgram(l) : null;
      if (p) out.add(p);
    }
  }
  return [...out];
}

/** For a file YAML cannot read: `program: x`, `program: [x, y]` and `- x` items under a `program:` line. */
export function keywordsOfText(text: string): string[] {
  const out = new Set<string>();
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const m = /^(\s*)(?:-\s+)?program\s*:\s*(.*)$/.exec(lines[i]);
    if (!m) continue;
    const value = m[2].replace(/\s+#.*$/, '').trim();
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

/** The program an example command line starts with: the first word that is not an assignment, by basename. */
function firstProgram(line: string): string | null {
  for (const w of line.trim().split(/\s+/)) {
    if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(w)) continue;
    const base = w.replace(/^["'\\]+|["']+$/g, '').split('/').pop() ?? '';
    return NAME.test(base) && !base.startsWith('@') ? base : null;
  }
  return null;
}
