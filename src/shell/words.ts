// Turns word-like syntax nodes into argv words: quote removal, $'…' decoding,
// known-variable and ~ expansion, brace expansion. Anything decided at run time
// ($(…), unknown $VAR, ${x:-y} …) makes the word dynamic (value null).
import type { Node } from './parser.js';
import type { Word } from './types.js';

export interface WordEnv {
  /** Value of a variable, or null when it is not statically known. */
  lookup(name: string, at: number): string | null;
  home: string;
  /** A command or process substitution found inside a word: the caller analyses it. */
  onSubstitution(node: Node): void;
  onOpaque(reason: string): void;
  /** IFS at a point of the script, null when not statically known; absent: the default. */
  ifs?(at: number): string | null;
  /** Elements of an array variable assigned in the script, null when not statically known. */
  items?(name: string, at: number): string[] | null;
}

interface Segment {
  text: string;
  quoted: boolean;
  /**
   * The value of an unquoted $VAR / ${VAR}: in a command's words bash splits it at IFS and
   * globs it (bash(1), Word Splitting), but never tilde- or brace-expands it.
   */
  expanded?: boolean;
  /** A word ends before this segment whatever IFS is: the next element of "${a[@]}". */
  breakBefore?: boolean;
}

const DEFAULT_IFS = ' \t\n';

const GLOB_CHARS = /[*?[]/;
const MAX_BRACE_WORDS = 64;
/** Enough for any expansion into MAX_BRACE_WORDS words through two-way groups (127 steps). */
const MAX_BRACE_STEPS = 256;

/**
 * Evaluates one argument node to one or more words (brace expansion may yield several).
 * `split`: the node is a word of a command (not an assignment value, redirect target or
 * here-string), so an unquoted variable's value is split at IFS into several words and
 * globbed: `x='rm -rf /'; $x` runs rm.
 */
export function evalWord(node: Node, env: WordEnv, split = false): Word[] {
  const segs: Segment[] = [];
  const dynamic = collect(node, env, segs, false);
  const raw = node.text;
  if (dynamic) return [{ value: null, raw, glob: false }];
  // A C string ends at NUL: bash passes $'a\0b' as "a".
  const nul = segs.findIndex((s) => s.text.includes('\0'));
  if (nul >= 0) segs.splice(nul, segs.length - nul, { ...segs[nul], text: segs[nul].text.slice(0, segs[nul].text.indexOf('\0')) });
  if (segs.some((s) => s.expanded || s.breakBefore)) {
    // Outside a command's words a variable's value is taken as it is, like quoted text.
    if (split) return splitFields(segs, env, node);
    for (const s of segs) {
      if (s.breakBefore) s.text = ' ' + s.text;
      if (s.expanded) s.quoted = true;
      s.expanded = s.breakBefore = false;
    }
  }
  const unquotedText = segs.filter((s) => !s.quoted).map((s) => s.text).join('');
  let glob = GLOB_CHARS.test(unquotedText);
  let value = segs.map((s) => s.text).join('');
  // Tilde expansion: only an unquoted leading ~ or ~/ (~user is not knowable here).
  const first = segs[0];
  if (first && !first.quoted && first.text.startsWith('~')) {
    const rest = value.slice(1);
    if (rest === '' || rest.startsWith('/')) value = env.home + rest;
    else if (/^[A-Za-z_][\w.-]*(\/|$)/.test(rest)) return [{ value: null, raw, glob: false }];
    // ~+ is $PWD, ~- $OLDPWD, ~N / ~+N / ~-N the directory stack: only known when it runs.
    else if (/^[+-]?\d*(\/|$)/.test(rest)) return [{ value: null, raw, glob: false }];
  }
  if (/[{}]/.test(unquotedText) && hasBraceExpansion(unquotedText)) {
    if (segs.some((s) => s.quoted)) return [{ value: null, raw, glob: false }];
    const expanded = expandBraces(value);
    if (!expanded) {
      env.onOpaque(`brace expansion too complex to analyse: ${raw}`);
      return [{ value: null, raw, glob: false }];
    }
    return expanded.map((v) => ({ value: v, raw, glob: GLOB_CHARS.test(v) }));
  }
  if (glob && !GLOB_CHARS.test(value)) glob = false;
  return [{ value, raw, glob }];
}

/**
 * Word splitting of a command word holding unquoted expansions (bash(1), Word Splitting):
 * only the expanded text splits, at IFS characters; IFS whitespace runs are one break and
 * never make empty words. A leading ~ or a brace in the word's own text still expands, as
 * bash does that before it expands variables.
 */
function splitFields(segs: Segment[], env: WordEnv, node: Node): Word[] {
  const raw = node.text;
  const ifs = env.ifs ? env.ifs(node.startIndex) : DEFAULT_IFS;
  if (ifs === null && segs.some((s) => s.expanded && s.text !== '')) return [{ value: null, raw, glob: false }];
  const sep = ifs ?? DEFAULT_IFS;
  const words: Word[] = [];
  let cur = '';
  let started = false;
  let glob = false;
  const end = (always: boolean) => {
    if (started || always) words.push({ value: cur, raw, glob: glob && GLOB_CHARS.test(cur) });
    cur = '';
    started = false;
    glob = false;
  };
  for (let i = 0; i < segs.length; i++) {
    const s = segs[i];
    if (s.breakBefore) end(true);
    if (!s.expanded) {
      let text = s.text;
      if (i === 0 && !s.quoted && (text === '~' || text.startsWith('~/'))) text = env.home + text.slice(1);
      else if (i === 0 && !s.quoted && /^~([A-Za-z_]|[+-]?\d*(\/|$))/.test(text)) return [{ value: null, raw, glob: false }];
      if (!s.quoted && /[{}]/.test(text) && hasBraceExpansion(text)) return [{ value: null, raw, glob: false }];
      cur += text;
      started = true;
      if (!s.quoted && GLOB_CHARS.test(text)) glob = true;
      continue;
    }
    for (const ch of s.text) {
      if (sep.includes(ch)) {
        if (/[ \t\n]/.test(ch)) end(false);
        else end(true);
      } else {
        cur += ch;
        started = true;
        if (GLOB_CHARS.test(ch)) glob = true;
      }
    }
  }
  end(false);
  return words;
}

/** Fills segs; returns true if any part is dynamic. `inQuotes`: node is inside "…". */
function collect(node: Node, env: WordEnv, segs: Segment[], inQuotes: boolean): boolean {
  switch (node.type) {
    case 'word':
      if (node.text.includes('`')) {
        env.onOpaque(`nested or stray backquote: ${node.text}`);
        return true;
      }
      for (const s of unescapeUnquoted(node.text)) segs.push(s);
      return false;
    case 'number':
    case 'extglob_pattern':
      segs.push({ text: node.text, quoted: false });
      return false;
    case 'raw_string':
      segs.push({ text: node.text.slice(1, -1), quoted: true });
      return false;
    case 'ansi_c_string': {
      const decoded = decodeAnsiC(node.text.slice(2, -1));
      if (decoded === null) {
        env.onOpaque(`unsupported $'…' escape: ${node.text}`);
        return true;
      }
      segs.push({ text: decoded, quoted: true });
      return false;
    }
    case 'string':
    case 'translated_string':
      return collectDoubleQuoted(node.type === 'translated_string' ? node.namedChildren[0] ?? node : node, env, segs);
    case 'concatenation': {
      let dyn = false;
      for (const c of node.children) if (c && collect(c, env, segs, inQuotes)) dyn = true;
      return dyn;
    }
    case 'simple_expansion':
    case 'expansion':
      return expandVariable(node, env, segs, inQuotes);
    case 'command_substitution':
    case 'process_substitution':
      env.onSubstitution(node);
      return true;
    case 'arithmetic_expansion':
      findSubstitutions(node, env);
      return true;
    case 'brace_expression':
      segs.push({ text: node.text, quoted: false });
      return false;
    default:
      env.onOpaque(`unsupported word syntax (${node.type}): ${node.text}`);
      return true;
  }
}

function collectDoubleQuoted(node: Node, env: WordEnv, segs: Segment[]): boolean {
  let dyn = false;
  // Walk the gaps between children too: tree-sitter leaves some literal text unlabelled.
  let pos = node.startIndex + 1;
  const end = node.endIndex - 1;
  const src = node.text;
  const base = node.startIndex;
  for (const c of node.children) {
    if (!c || !c.isNamed) continue;
    if (c.startIndex > pos) segs.push({ text: unescapeDouble(src.slice(pos - base, c.startIndex - base)), quoted: true });
    if (c.type === 'string_content') segs.push({ text: unescapeDouble(c.text), quoted: true });
    else if (collect(c, env, segs, true)) dyn = true;
    pos = c.endIndex;
  }
  if (end > pos) segs.push({ text: unescapeDouble(src.slice(pos - base, end - base)), quoted: true });
  // Inside "…" nothing is a glob or brace: mark every segment quoted.
  return dyn;
}

function expandVariable(node: Node, env: WordEnv, segs: Segment[], inQuotes: boolean): boolean {
  if (node.type === 'simple_expansion') {
    const name = node.namedChildren[0];
    // "$@" / $* of a function called with known arguments (the caller binds them).
    if (name?.type === 'special_variable_name' && (name.text === '@' || name.text === '*') && env.items) {
      const items = env.items('@', node.startIndex);
      const words = items && (name.text === '@' || !inQuotes ? items : joinIfs(items, env, node));
      if (words) {
        words.forEach((text, i) => segs.push({ text, quoted: inQuotes, expanded: !inQuotes, breakBefore: i > 0 }));
        return false;
      }
    }
    if (name?.type === 'variable_name') {
      const v = env.lookup(name.text, node.startIndex);
      if (v !== null) {
        segs.push(inQuotes ? { text: v, quoted: true } : { text: v, quoted: false, expanded: true });
        return false;
      }
    }
    return true;
  }
  // ${NAME} with no operator is the same as $NAME; anything else is run-time logic.
  const named = node.namedChildren.filter((c): c is Node => !!c);
  if (named.length === 1 && named[0].type === 'variable_name' && node.text === `\${${named[0].text}}`) {
    const v = env.lookup(named[0].text, node.startIndex);
    if (v !== null) {
      segs.push(inQuotes ? { text: v, quoted: true } : { text: v, quoted: false, expanded: true });
      return false;
    }
  }
  const items = arrayItems(node, named, env, inQuotes);
  if (items) {
    items.forEach((text, i) => segs.push({ text, quoted: inQuotes, expanded: !inQuotes, breakBefore: i > 0 }));
    return false;
  }
  // ${NAME:-word} and ${NAME-word} of a known NAME are static: its value, or the word when NAME
  // is empty (":-" only). `${TMPDIR:-/tmp}/x` is how scripts name a scratch file. An unknown NAME
  // may be unset, so the word may or may not be used: dynamic, as before.
  const all = node.children.filter((c): c is Node => !!c);
  const op = all[2]?.type;
  if (all[0]?.type === '${' && all[1]?.type === 'variable_name' && (op === ':-' || op === '-') && all[all.length - 1]?.type === '}') {
    const v = env.lookup(all[1].text, node.startIndex);
    if (v !== null) {
      if (v !== '' || op === '-') {
        // The default word is not expanded then, but whatever it would run is still reported.
        findSubstitutions(node, env);
        segs.push(inQuotes ? { text: v, quoted: true } : { text: v, quoted: false, expanded: true });
        return false;
      }
      // One word node only: tree-sitter splits `${A:-a b}` into nodes without the space between.
      const word = all.slice(3, -1);
      if (word.length === 0) return false;
      if (word.length === 1) return collect(word[0], env, segs, inQuotes);
    }
  }
  findSubstitutions(node, env);
  return true;
}

/**
 * ${a[N]}, ${a[@]}, ${a[*]} of an array the script assigned from a literal list: the
 * elements, one word each for "${a[@]}" (and for ${a[@]} / ${a[*]} before splitting),
 * joined by the first IFS character for "${a[*]}". Null when not statically known.
 */
function arrayItems(node: Node, named: Node[], env: WordEnv, inQuotes: boolean): string[] | null {
  const sub = named.length === 1 && named[0].type === 'subscript' ? named[0] : null;
  const name = sub?.namedChildren[0];
  const index = sub?.namedChildren[1];
  if (!sub || !env.items || name?.type !== 'variable_name' || !index || node.text !== `\${${name.text}[${index.text}]}`) return null;
  const items = env.items(name.text, node.startIndex);
  if (!items || !items.length) return null;
  if (/^\d+$/.test(index.text)) return [items[Number(index.text)] ?? ''];
  if (index.text === '@') return items;
  if (index.text === '*') return inQuotes ? joinIfs(items, env, node) : items;
  return null;
}

/** "${a[*]}" / "$*": one word, the elements joined by the first character of IFS. */
function joinIfs(items: string[], env: WordEnv, node: Node): string[] | null {
  const ifs = env.ifs ? env.ifs(node.startIndex) : DEFAULT_IFS;
  return ifs === null ? null : [items.join(ifs.slice(0, 1))];
}

/** Reports substitutions nested anywhere below node (e.g. in ${x:-$(cmd)} or $(( $(cmd) ))). */
export function findSubstitutions(node: Node, env: WordEnv): void {
  // In document order, with a stack: ${a:-${b:-${c:-…}}} nests as deep as it is long.
  const stack: Node[] = [];
  const push = (n: Node) => {
    const named = n.namedChildren;
    for (let i = named.length - 1; i >= 0; i--) if (named[i]) stack.push(named[i]!);
  };
  push(node);
  while (stack.length) {
    const c = stack.pop()!;
    if (c.type === 'command_substitution' || c.type === 'process_substitution') env.onSubstitution(c);
    else push(c);
  }
}

/** Unquoted word text: a backslash quotes the next character. */
function unescapeUnquoted(text: string): Segment[] {
  if (!text.includes('\\')) return [{ text, quoted: false }];
  const out: Segment[] = [];
  let buf = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '\\' && i + 1 < text.length) {
      if (buf) out.push({ text: buf, quoted: false });
      buf = '';
      const next = text[++i];
      if (next !== '\n') out.push({ text: next, quoted: true });
    } else buf += ch;
  }
  if (buf) out.push({ text: buf, quoted: false });
  return out;
}

/** Inside double quotes a backslash only escapes $ ` " \ and newline. */
function unescapeDouble(text: string): string {
  return text.replace(/\\([$`"\\\n])/g, (_, c: string) => (c === '\n' ? '' : c));
}

const SIMPLE_ESCAPES: Record<string, string> = {
  a: '\x07', b: '\b', e: '\x1b', E: '\x1b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v',
  '\\': '\\', "'": "'", '"': '"', '?': '?',
};

/** Decodes the body of $'…'. Returns null for escapes bash would treat specially (\c). */
export function decodeAnsiC(body: string): string | null {
  let out = '';
  // out up to here holds no NUL: each check looks only at what was added since (linear).
  let clean = 0;
  for (let i = 0; i < body.length; i++) {
    const ch = body[i];
    if (ch !== '\\') {
      out += ch;
      continue;
    }
    const n = body[++i];
    if (n === undefined) return out + '\\';
    if (out.indexOf('\0', clean) >= 0) break;
    clean = out.length;
    if (n in SIMPLE_ESCAPES) out += SIMPLE_ESCAPES[n];
    else if (n === 'x') {
      const m = /^[0-9a-fA-F]{1,2}/.exec(body.slice(i + 1));
      if (!m) {
        out += '\\x';
        continue;
      }
      out += String.fromCharCode(parseInt(m[0], 16));
      i += m[0].length;
    } else if (n === 'u' || n === 'U') {
      const m = new RegExp(`^[0-9a-fA-F]{1,${n === 'u' ? 4 : 8}}`).exec(body.slice(i + 1));
      if (!m) {
        out += '\\' + n;
        continue;
      }
      out += String.fromCodePoint(parseInt(m[0], 16));
      i += m[0].length;
    } else if (/[0-7]/.test(n)) {
      const m = /^[0-7]{1,3}/.exec(body.slice(i))!;
      out += String.fromCharCode(parseInt(m[0], 8) & 0xff);
      i += m[0].length - 1;
    } else if (n === 'c') return null;
    else out += '\\' + n;
  }
  // bash's strings end at NUL.
  const nul = out.indexOf('\0');
  return nul >= 0 ? out.slice(0, nul) : out;
}

function hasBraceExpansion(text: string): boolean {
  return /\{[^{}]*(,|\.\.)[^{}]*\}/.test(text);
}

/** Bash brace expansion for literal text: a{b,c}d, {1..3}, {1..10..2}, nested. Null when it would explode. */
export function expandBraces(text: string, budget = { steps: 0 }): string[] | null {
  // Each step copies and rescans the word: bound their number, not only the words made
  // ({a,b}{a,b}… of 250 KiB went 50,000 steps deep before its first word: a stack overflow).
  if (++budget.steps > MAX_BRACE_STEPS) return null;
  if (budget.steps === 1 && independentGroups(text) > Math.log2(MAX_BRACE_WORDS)) return null;
  const m = findBrace(text);
  if (!m) return [text];
  if (m === 'too-large') return null;
  const [start, end, parts] = m;
  const out: string[] = [];
  for (const p of parts) {
    // Expand left to right: the alternatives in order, then whatever follows.
    const rest = expandBraces(text.slice(0, start) + p + text.slice(end + 1), budget);
    if (!rest) return null;
    out.push(...rest);
    if (out.length > MAX_BRACE_WORDS) return null;
  }
  return out;
}

/** Brace groups with a comma that are inside no other group: each at least doubles the words. */
function independentGroups(s: string): number {
  let depth = 0;
  let comma = false;
  let count = 0;
  for (let j = 0; j < s.length; j++) {
    if (s[j] === '{') depth++;
    else if (s[j] === '}' && depth > 0) {
      if (--depth === 0 && comma) count++;
      if (depth === 0) comma = false;
    } else if (s[j] === ',' && depth === 1) comma = true;
  }
  return count;
}

/** The leftmost brace group that expands: its `{`, its `}` and its alternatives. */
function findBrace(s: string): [number, number, string[]] | 'too-large' | null {
  // One pass pairs every `{` with its `}` and gives each comma to the innermost open group;
  // rescanning from each `{` was quadratic in a word of many braces.
  const close = new Map<number, number>();
  const commas = new Map<number, number[]>();
  const open: number[] = [];
  for (let j = 0; j < s.length; j++) {
    if (s[j] === '{') open.push(j);
    else if (s[j] === '}') {
      const i = open.pop();
      if (i !== undefined) close.set(i, j);
    } else if (s[j] === ',' && open.length) {
      const top = open[open.length - 1];
      const list = commas.get(top);
      if (list) list.push(j);
      else commas.set(top, [j]);
    }
  }
  for (let i = 0; i < s.length; i++) {
    if (s[i] !== '{') continue;
    const j = close.get(i);
    if (j === undefined) continue;
    const cs = commas.get(i);
    if (cs) {
      const parts: string[] = [];
      let prev = i + 1;
      for (const c of cs) {
        parts.push(s.slice(prev, c));
        prev = c + 1;
      }
      parts.push(s.slice(prev, j));
      return [i, j, parts];
    }
    const seq = /^(-?\d+|[a-zA-Z])\.\.(-?\d+|[a-zA-Z])(?:\.\.(-?\d+))?$/.exec(s.slice(i + 1, j));
    if (seq) {
      const parts = sequence(seq[1], seq[2], seq[3]);
      if (parts === null) return 'too-large';
      if (parts) return [i, j, parts];
    }
  }
  return null;
}

function sequence(a: string, b: string, stepText?: string): string[] | null | undefined {
  const num = /^-?\d+$/.test(a) && /^-?\d+$/.test(b);
  if (!num && (/^-?\d+$/.test(a) || /^-?\d+$/.test(b))) return undefined;
  const from = num ? Number(a) : a.charCodeAt(0);
  const to = num ? Number(b) : b.charCodeAt(0);
  const step = Math.abs(Number(stepText ?? 1)) || 1;
  if (Math.abs(to - from) / step > MAX_BRACE_WORDS) return null;
  const dir = from <= to ? step : -step;
  const out: string[] = [];
  for (let v = from; dir > 0 ? v <= to : v >= to; v += dir) out.push(num ? String(v) : String.fromCharCode(v));
  return out;
}
