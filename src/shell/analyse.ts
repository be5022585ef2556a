// bash source → Script: every simple command that would run, anywhere in the line,
// with its argv, redirects, possible cwds and paths. Fails closed: anything it cannot
// read with certainty is reported in Script.opaque (which the policy treats as ask).
import path from 'node:path';
import { realFs, type FileInput, type FsView } from './fsview.js';
import { parseBash, parseBashShared, type Node, type Tree } from './parser.js';
import type { Command, Origin, PathTarget, Redirect, RedirectKind, Script, ShellContext, Word } from './types.js';
import { decodeAnsiC, evalWord, findSubstitutions, type WordEnv } from './words.js';
import { codeItRuns, commandOfVariable, isCommandVariable, hasOwnEffects, innerCommands, interpreterReadsStdin, joinWords, MAX_FILE_BYTES, mayRunCode, programEffects, SHELLS, shellMode, STDIN_INTERPRETERS, type FileRead, type ProgramContext } from '../programs/index.js';
import { writesOwnFile } from '../programs/scripts.js';
import { followNewLinks } from './links.js';

export const MAX_SOURCE_BYTES = 256 * 1024;
export const MAX_DEPTH = 6;
const MAX_CWDS = 8;
/** Bytes of scripts, Makefiles, package.json and git config one analysis reads at most. */
export const MAX_READ_BYTES = 4 * 1024 * 1024;
/**
 * Syntactic nesting the walk follows ({ ( if … inside each other). The walk recurses per
 * level, so past this bound the rest is opaque rather than a stack overflow; long flat
 * chains (a && b && …, a | b | …) are walked in loops and do not count.
 */
export const MAX_NESTING = 200;
/** A for loop's body is analysed once per listed word up to this many words, else once with the variable unknown. */
const MAX_LOOP_VALUES = 16;
const MAX_LOOP_BUDGET = 64;

/** Wrappers inside wrappers (nice nice … cmd): each level copies the argv tail. */
export const MAX_WRAPPERS = 32;

/** The reason a line over MAX_SOURCE_BYTES gets, without being parsed. */
export function tooLongReason(bytes: number): string {
  return `too long to analyse (${bytes} bytes, limit ${MAX_SOURCE_BYTES})`;
}

/** An assignment to a variable that makes a shell run other code first (see run()). */
const STARTUP_VARIABLE = /(^|[\s;&|(`'"])(BASH_ENV|SHELLOPTS|BASHOPTS|PS4|ZDOTDIR|BASH_FUNC_[^=\s]*|MAKEFILES|MAKEFLAGS|GNUMAKEFLAGS|PROMPT_COMMAND)=/;
/**
 * Variables an interactive shell runs or expands before each prompt or command: PS0-PS3
 * with a substitution in them, and ENV (read by sh, and bash in POSIX mode, when
 * interactive) for a shell started with -i.
 */
const PROMPT_CODE = /(^|[\s;&|(`'"])(PS[0-3])=\S*(\$\(|`)/;
const ENV_FILE = /(^|[\s;&|(`'"])ENV=/;
const INTERACTIVE = /(^|\s)-[a-zA-Z]*i[a-zA-Z]*(\s|$)/;
/**
 * PATH set to include the current directory or a relative one: a script there without a `#!`
 * line then runs by its bare name in a subshell bash forks for it, with no shell started.
 */
const PATH_WITH_CWD = /(^|[\s;&|(`'"])PATH=(["']?)([^\s;&|]*)/;
function pathTakesCwd(value: string): boolean {
  return value.split(':').some((p) => {
    const v = p.replace(/^["']|["']$/g, '');
    // The temporary directories are write roots too: anything may have been put there.
    return v === '' || v === '.' || /^\$\{?PWD\b|^\$\(pwd\)|^`pwd`/.test(v) || /^(\/tmp|\/var\/tmp|\/dev\/shm|\$\{?TMPDIR\b)(\/|$)/.test(v) || (!v.startsWith('/') && !v.startsWith('$') && !v.startsWith('~'));
  });
}

/** Words bash reserves: as a command name they mean the parser misread the line. */
const RESERVED = new Set(['if', 'then', 'else', 'elif', 'fi', 'case', 'esac', 'for', 'select', 'while', 'until', 'do', 'done', 'in', 'function', '{', '}', '[[', ']]', '!', 'coproc']);

/** Node types that may appear inside test/arithmetic expressions; only substitutions in them run. */
const EXPRESSION_TYPES = new Set(['string_content', 'special_variable_name', 'file_descriptor', 'binary_expression', 'unary_expression', 'parenthesized_expression', 'ternary_expression', 'postfix_expression', 'test_operator', 'regex', 'subscript', 'word', 'string', 'raw_string', 'number', 'simple_expansion', 'expansion', 'concatenation', 'variable_name', 'arithmetic_expansion', 'ansi_c_string', 'extglob_pattern', 'command_substitution', 'process_substitution', 'translated_string']);

/** Node types whose whole span counts as read by the coverage check. */
const COVERING = new Set(['word', 'string', 'raw_string', 'ansi_c_string', 'heredoc_body', 'heredoc_content', 'comment', 'regex', 'extglob_pattern', 'string_content', 'number', 'variable_name', 'special_variable_name']);

type Cwds = string[] | null;
interface Flow {
  /** cwds after the statement succeeded. */
  ok: Cwds;
  /** cwds after the statement, whether or not it succeeded. */
  after: Cwds;
}

interface Scope {
  cwds: Cwds;
  origin: Origin;
  depth: number;
  vars: VarTable;
  /** Redirects of an enclosing compound statement ({ …; } > f). */
  redirects: Redirect[];
  pipeline: { id: number; index: number } | null;
  stdin: string | null;
  /** The line contains a cd: a function body's cwd (at call time) is unknown. */
  fnCwdUnknown: boolean;
  /** Offsets of a bare `-` argument before `<<` that tree-sitter drops (python3 - <<'EOF'). */
  droppedDashes: Set<number>;
  /** The innermost endless loop the walk is in (Command.loop). */
  loop?: number;
}

/** Redirect nodes (and heredoc text) to bind to the last simple command of a statement. */
interface Trailing {
  redirects: Node[];
  stdin: string | null;
  /** Append the `-` argument tree-sitter dropped before a heredoc. */
  dash?: boolean;
}

interface Stage extends Trailing {
  node: Node;
}

interface RedirectedParts {
  body: Node | null;
  redirects: Node[];
  stdin: string | null;
  trailingPipeline: Node | null;
  trailingList: { op: string; right: Node } | null;
}

interface VarEntry {
  at: number;
  value: string | null;
  /** An indexed array assigned from a literal list (`a=(npm test)`): its elements. */
  items?: string[];
}
type VarTable = Map<string, VarEntry[]>;

export function analyse(source: string, ctx: ShellContext): Script {
  const a = new Analysis(ctx);
  a.run(source, [ctx.cwd], { kind: 'top' }, 0);
  const fsv = ctx.fs ?? realFs;
  followNewLinks(a.commands, (p) => fsv.isDirectory(p));
  return { source, commands: a.commands, opaque: [...new Set(a.opaque)], functions: a.functions, inputs: [...a.inputs].map(([p, stamp]) => ({ path: p, stamp })) };
}

class Analysis {
  commands: Command[] = [];
  opaque: string[] = [];
  functions: Record<string, { recursive: boolean }> = {};
  /** Files read or relied on, with their stamps (FileInput). */
  inputs = new Map<string, FileInput['stamp']>();
  private pipelines = 0;
  private fs: FsView;
  private bytesRead = 0;
  /** Files looked up in this analysis: the real path (null: missing) and what reading gave. */
  private files = new Map<string, { real: string | null; read: FileRead | null }>();
  /** Current recursion depth of walk() (see MAX_NESTING). */
  private nesting = 0;
  /** Loop bodies still to be analysed once per listed word (see loopValues), and function bodies per call (see callWithArguments). */
  private loopBudget = MAX_LOOP_BUDGET;
  /** Endless loops seen so far (Command.loop numbers them). */
  private loops = 0;
  /** Bodies of the functions defined in the line, by name, and the ones being analysed for a call. */
  private fnBodies = new Map<string, Node>();
  private calling = new Set<string>();
  constructor(private ctx: ShellContext) {
    this.fs = ctx.fs ?? realFs;
  }

  /** Parses and walks one script (the line itself, or a nested bash -c / eval / heredoc script). */
  run(source: string, cwds: Cwds, origin: Origin, depth: number): Flow {
    const same = { ok: cwds, after: cwds };
    if (depth > MAX_DEPTH) {
      this.opaque.push(`scripts nested more than ${MAX_DEPTH} deep`);
      return same;
    }
    const bytes = Buffer.byteLength(source);
    // A script read from a file is held to the same bound as a typed line: analysis time
    // grows with the size, and the session answers one request at a time.
    if (bytes > MAX_SOURCE_BYTES) {
      this.opaque.push(tooLongReason(bytes));
      return same;
    }
    // bash and dash drop NUL bytes from the script text they read (a file, stdin, a heredoc
    // fed to a shell): `rm -rf .g<NUL>it` in a script file removes .git. Read it the same way
    // (a -c string cannot hold a NUL at all), never as a word break.
    if (source.includes('\0')) source = source.replaceAll('\0', '');
    // Variables that make a shell run a file or code before its own script: a shell started
    // with them would run what this check never read (the shim also drops them at run time).
    const startup = STARTUP_VARIABLE.exec(source);
    if (startup) this.opaque.push(`sets ${startup[2]}, which makes a shell or make run code this check does not see`);
    const prompt = PROMPT_CODE.exec(source);
    if (prompt) this.opaque.push(`sets ${prompt[2]} with a substitution, which an interactive shell runs at its prompt`);
    if (ENV_FILE.test(source) && INTERACTIVE.test(source)) this.opaque.push('sets ENV for an interactive shell, which runs that file first');
    const pathSet = PATH_WITH_CWD.exec(source);
    if (pathSet && pathTakesCwd(pathSet[3])) this.opaque.push(`puts the current, a relative or a temporary directory on PATH (${clip(pathSet[3])}): commands found there are not read ahead`);
    if (/(^|\s)--(rcfile|init-file)(\s|=)/.test(source)) this.opaque.push('starts a shell with its own rc file, which this check does not read');
    else if (/(^|[\s;&|(])HOME=/.test(source) && /(^|\s)(-l|--login|-[a-zA-Z]*l[a-zA-Z]*)(\s|$)/.test(source)) this.opaque.push('sets HOME for a login shell, which then runs that home\'s start-up files');
    // Code read from files (package.json scripts, Makefile recipes, git aliases, script files) comes
    // back on every check: it is parsed once per text. The line itself is always parsed.
    const tree = origin.kind === 'nested' && origin.from !== undefined ? parseBashShared(source) : parseBash(source);
    try {
      const root = tree.rootNode;
      if (root.hasError) this.opaque.push(`could not parse: ${describeError(root)}`);
      const droppedDashes = new Set<number>();
      this.checkCoverage(tree, source, droppedDashes);
      // Variables are only ever looked up for a `$`: without one there is nothing to collect.
      const vars = source.includes('$') ? collectVars(root, this.ctx, /read|mapfile|getopts|printf/.test(source)) : new Map();
      const hasCd = /\b(cd|pushd|popd)\b/.test(source);
      const flow = this.walk(root, { cwds, origin, depth, vars, redirects: [], pipeline: null, stdin: null, fnCwdUnknown: hasCd, droppedDashes });
      if (droppedDashes.size) this.opaque.push(`text the parser skipped at offset ${[...droppedDashes][0]}: "-"`);
      return flow;
    } finally {
      tree.delete();
    }
  }

  // ---- fail-closed checks -------------------------------------------------

  /** Every non-blank character must belong to a token the walk reads. */
  private checkCoverage(tree: Tree, source: string, droppedDashes: Set<number>) {
    // Covered spans arrive in document order from a cursor walk (no node objects made).
    const cursor = tree.walk();
    let pos = 0;
    const gap = (from: number, to: number): boolean => {
      for (let i = from; i < to; i++) {
        const ch = source[i];
        if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r') continue;
        if (ch === '\\' && source[i + 1] === '\n') {
          // A line continuation that joins two words (r\<newline>m) is read by bash as one word.
          const before = source[i - 1];
          const after = source[i + 2];
          if (before && !/\s/.test(before) && after && !/\s/.test(after)) {
            this.opaque.push('line continuation inside a word');
            return false;
          }
          i++;
          continue;
        }
        if (ch === '-' && /^-[ \t]+<</.test(source.slice(i, i + 12)) && /\s/.test(source[i - 1] ?? '')) {
          // Known tree-sitter-bash loss: `cmd - <<EOF` drops the `-`; the walk puts it back.
          droppedDashes.add(i);
          continue;
        }
        this.opaque.push(`text the parser skipped at offset ${i}: ${JSON.stringify(source.slice(i, i + 20))}`);
        return false;
      }
      return true;
    };
    try {
      for (;;) {
        const covering = COVERING.has(cursor.nodeType);
        if (!covering && cursor.gotoFirstChild()) continue;
        if (cursor.startIndex > pos && !gap(pos, cursor.startIndex)) return;
        if (cursor.endIndex > pos) pos = cursor.endIndex;
        while (!cursor.gotoNextSibling()) {
          if (!cursor.gotoParent()) {
            gap(pos, source.length);
            return;
          }
        }
      }
    } finally {
      cursor.delete();
    }
  }

  // ---- statements ---------------------------------------------------------

  private walk(node: Node, scope: Scope): Flow {
    return this.deeper(scope, () => this.walkNode(node, scope));
  }

  /** One level deeper in the walk's recursion; past MAX_NESTING the rest is opaque. */
  private deeper(scope: Scope, fn: () => Flow): Flow {
    if (this.nesting >= MAX_NESTING) {
      this.opaque.push(`statements nested more than ${MAX_NESTING} deep`);
      return { ok: scope.cwds, after: scope.cwds };
    }
    this.nesting++;
    try {
      return fn();
    } finally {
      this.nesting--;
    }
  }

  private walkNode(node: Node, scope: Scope): Flow {
    const same: Flow = { ok: scope.cwds, after: scope.cwds };
    switch (node.type) {
      case 'program':
      case 'compound_statement':
      case 'do_group':
      case 'else_clause':
        return this.sequence(node, scope, true);
      case 'comment':
      case 'heredoc_body':
      case 'heredoc_end':
      case 'heredoc_start':
        return same;
      case 'ERROR':
        // The parse error is already reported; still read what is inside (strictest wins).
        this.sequence(node, scope, false, isStatement);
        return same;
      case 'list':
        return this.list(node, scope);
      case 'pipeline':
        this.pipeline(flattenPipeline(node), scope);
        return same;
      case 'negated_command':
        return this.sequence(node, scope);
      case 'subshell':
        this.sequence(node, scope);
        return same;
      case 'redirected_statement':
        return this.redirected(node, scope);
      case 'command':
        return this.command(node, scope, [], scope.stdin);
      case 'declaration_command':
      case 'unset_command':
        return this.declaration(node, scope);
      case 'variable_assignment':
      case 'variable_assignments':
        for (const c of node.namedChildren) if (c) this.scanExpression(c, scope);
        for (const a of node.type === 'variable_assignment' ? [node] : node.namedChildren) {
          const name = a?.type === 'variable_assignment' ? a.childForFieldName('name')?.text : undefined;
          if (!a || !name || !isCommandVariable(name)) continue;
          const v = a.childForFieldName('value');
          // An array is not a command line a program reads from the variable.
          const w = !v ? { value: '' } : v.type === 'array' ? { value: null } : (evalWord(v, this.wordEnv(scope, []))[0] ?? { value: '' });
          this.commandVariable(name, w.value, { ...scope, depth: scope.depth + 1, redirects: [], stdin: null });
        }
        return same;
      case 'test_command':
      case 'binary_expression':
      case 'unary_expression':
      case 'parenthesized_expression':
      case 'postfix_expression':
      case 'ternary_expression':
      case 'arithmetic_expansion':
        this.scanExpression(node, scope);
        return same;
      case 'if_statement':
      case 'elif_clause':
        return this.branch(node.namedChildren, scope);
      case 'while_statement':
      case 'c_style_for_statement':
        return this.branch(node.namedChildren, endlessLoop(node) ? { ...scope, loop: ++this.loops } : scope);
      case 'case_item': {
        // The patterns before `)` are words, not commands.
        const patterns = new Set(node.childrenForFieldName('value').map((c) => c?.id));
        for (const c of node.namedChildren) if (c && patterns.has(c.id)) this.scanExpression(c, scope);
        return this.branch(node.namedChildren.filter((c) => c && !patterns.has(c.id)), scope);
      }
      case 'for_statement':
      case 'case_statement': {
        const values = new Set(node.childrenForFieldName('value').map((c) => c?.id));
        const body: Node[] = [];
        for (const c of node.namedChildren) {
          if (!c) continue;
          if (values.has(c.id) || c.type === 'variable_name') this.scanExpression(c, scope);
          else body.push(c);
        }
        const bound = node.type === 'for_statement' ? this.loopValues(node, scope) : null;
        if (!bound) return this.branch(body, scope);
        // `for d in / ~; do rm -rf "$d"; done`: the body once per listed word.
        let flow: Flow | null = null;
        for (const v of bound.values) {
          const vars = new Map(scope.vars);
          vars.set(bound.name, [{ at: -1, value: v }]);
          const f = this.branch(body, { ...scope, vars });
          flow = flow ? { ok: union(flow.ok, f.ok), after: union(flow.after, f.after) } : f;
        }
        return flow ?? same;
      }
      case 'function_definition': {
        // The body runs wherever the function is called: with a cd in the line, its cwd is unknown.
        const body = node.childForFieldName('body');
        const name = node.childForFieldName('name')?.text ?? '';
        const first = this.commands.length;
        const fnScope = { ...scope, cwds: scope.fnCwdUnknown ? null : scope.cwds };
        if (body) this.walk(body, fnScope);
        if (body) this.fnBodies.set(name, body);
        let recursive = false;
        // `builtin cd` / `command cd` inside cd() skip the function: that is a wrapper, not recursion.
        for (let i = first; i < this.commands.length && !recursive; i++) {
          const c = this.commands[i];
          recursive = c.program === name && !c.wrappers.some((w) => w === 'builtin' || w === 'command');
        }
        this.functions[name] = { recursive: recursive || !!this.functions[name]?.recursive };
        return same;
      }
      default:
        this.opaque.push(`unsupported syntax (${node.type}): ${clip(node.text)}`);
        return same;
    }
  }

  /**
   * The named children of `parent` in order (those `only` accepts). One pass over the
   * children: node.nextSibling costs a scan of the siblings in tree-sitter, which made
   * a line of many statements quadratic.
   */
  private sequence(parent: Node, scope: Scope, caseTerminators = false, only?: (n: Node) => boolean): Flow {
    const children = parent.children;
    if (caseTerminators) for (const c of children) if (c && (c.type === ';;' || c.type === ';&' || c.type === ';;&')) this.opaque.push(`${c.type} outside a case statement`);
    let cur: Flow = { ok: scope.cwds, after: scope.cwds };
    for (let i = 0; i < children.length; i++) {
      const n = children[i];
      if (!n || !n.isNamed || (only && !only(n))) continue;
      const r = this.walk(n, { ...scope, cwds: cur.after });
      // `cmd &` runs in a subshell: its cd does not move the rest of the line.
      cur = children[i + 1]?.type === '&' ? { ok: cur.after, after: cur.after } : r;
    }
    return cur;
  }

  /**
   * if/while/case parts may or may not run, and an else runs when its condition failed:
   * every part may see the cwd from before the statement or from any part before it.
   */
  private branch(nodes: (Node | null)[], scope: Scope): Flow {
    let seen: Cwds = scope.cwds;
    for (const n of nodes) {
      if (!n) continue;
      const r = this.walk(n, { ...scope, cwds: seen });
      seen = union(seen, r.after);
    }
    return { ok: seen, after: seen };
  }

  /** `trailing`: redirects that tree-sitter hung on the whole list but bash binds to its last command. */
  private list(node: Node, scope: Scope, trailing?: Trailing): Flow {
    // tree-sitter nests `a && b && c` to the left, one level per operator (and one more per
    // redirect in the chain: `a > f && b > g && c`). The spine is walked in a loop, not by
    // recursion, so that a long chain cannot overflow the stack; what each level does, and
    // in which order, is what the recursive walk did.
    const levels: { op: string | undefined; right: Node; trailing?: Trailing }[] = [];
    let cur = node;
    let curTrailing = trailing;
    let bottom: () => Flow;
    for (;;) {
      const named = cur.namedChildren;
      const [left, right] = [named[0], named[named.length - 1]];
      if (!left || !right) {
        bottom = () => ({ ok: scope.cwds, after: scope.cwds });
        break;
      }
      levels.push({ op: cur.children.find((c) => c && !c.isNamed)?.type, right, trailing: curTrailing });
      if (left.type === 'list') {
        cur = left;
        curTrailing = undefined;
        continue;
      }
      if (left.type === 'redirected_statement') {
        const parts = this.redirectedParts(left, scope);
        if (parts.body?.type === 'list' && !parts.trailingPipeline && !parts.trailingList) {
          cur = parts.body;
          curTrailing = this.bodyTrailing(left, parts, scope);
          continue;
        }
        bottom = () => this.finishRedirected(left, parts, scope);
        break;
      }
      bottom = () => this.walk(left, scope);
      break;
    }
    let flow = bottom();
    for (let i = levels.length - 1; i >= 0; i--) {
      const { op, right, trailing: t } = levels[i];
      const l = flow;
      const walkRight = (s: Scope) => (t ? this.withTrailing(right, s, t) : this.walk(right, s));
      if (op === '&&') {
        const r = walkRight({ ...scope, cwds: l.ok });
        flow = { ok: r.ok, after: union(l.after, r.after) };
      } else {
        // ||: the right side runs when the left failed, in the cwd from before it.
        const r = walkRight({ ...scope, cwds: scope.cwds });
        flow = { ok: union(l.ok, r.ok), after: union(l.after, r.after) };
      }
    }
    return flow;
  }

  /**
   * Walks `node` with redirects that belong to its last simple command: tree-sitter
   * parses `a && b > f` and `a | b > f` as a redirect of the whole list or pipeline,
   * bash binds it to `b`.
   */
  private withTrailing(node: Node, scope: Scope, trailing: Trailing): Flow {
    // It recurses without walk() (list → redirect → list …): it counts as a level too.
    return this.deeper(scope, () => this.trailingInto(node, scope, trailing));
  }

  private trailingInto(node: Node, scope: Scope, trailing: Trailing): Flow {
    if (node.type === 'list') return this.list(node, scope, trailing);
    if (node.type === 'pipeline') {
      const stages = flattenPipeline(node);
      const last = stages.pop()!;
      this.pipeline(stages, scope, undefined, 'redirects' in last ? { ...last, redirects: [...last.redirects, ...trailing.redirects], stdin: trailing.stdin ?? last.stdin } : { node: last, ...trailing });
      return { ok: scope.cwds, after: scope.cwds };
    }
    if (node.type === 'command') return this.command(node, scope, trailing.redirects, trailing.stdin ?? scope.stdin, trailing.dash);
    if (node.type === 'negated_command') {
      const inner = node.namedChildren[0];
      return inner ? this.withTrailing(inner, scope, trailing) : { ok: scope.cwds, after: scope.cwds };
    }
    // A compound statement ({ …; } > f, ( … ) < in): the redirect applies to everything inside.
    if (trailing.redirects.some((r) => redirectExtras(r).length)) this.opaque.push(`words after a redirect of a compound command: ${clip(node.text)}`);
    const evaluated = trailing.redirects.filter((r) => r.type === 'file_redirect').map((r) => this.redirect(r, scope, null)).filter((r): r is Redirect => r !== null);
    const s: Scope = { ...scope, redirects: [...scope.redirects, ...evaluated], stdin: trailing.stdin ?? scope.stdin };
    const herestring = trailing.redirects.find((r) => r.type === 'herestring_redirect');
    if (herestring) s.stdin = this.herestring(herestring, scope, null);
    return this.walk(node, s);
  }

  private pipeline(stages: (Node | Stage)[], scope: Scope, first?: Stage, last?: Stage) {
    const id = ++this.pipelines;
    let prevStart = this.commands.length;
    const all: (Stage | Node)[] = [...(first ? [first] : []), ...stages, ...(last ? [last] : [])];
    all.forEach((stage, index) => {
      const start = this.commands.length;
      const stdin = index === 0 ? scope.stdin : literalOutput(this.commands[prevStart]);
      const s: Scope = { ...scope, pipeline: { id, index }, stdin };
      if ('redirects' in stage) this.withTrailing(stage.node, s, { redirects: stage.redirects, stdin: stage.stdin ?? stdin });
      else this.walk(stage, s);
      prevStart = start;
    });
  }

  private redirected(node: Node, scope: Scope): Flow {
    return this.finishRedirected(node, this.redirectedParts(node, scope), scope);
  }

  /** The parts of a redirected statement; reads its heredoc (and runs what that substitutes). */
  private redirectedParts(node: Node, scope: Scope): RedirectedParts {
    const body = node.childForFieldName('body');
    const redirects: Node[] = [];
    let stdin: string | null = scope.stdin;
    let trailingPipeline: Node | null = null;
    let trailingList: { op: string; right: Node } | null = null;
    for (const c of node.children) {
      if (!c || (body && c.id === body.id)) continue;
      if (c.type === 'heredoc_redirect') {
        stdin = this.heredoc(c, scope);
        const right = new Set(c.childrenForFieldName('right').map((x) => x?.id));
        // tree-sitter puts what follows `<<EOF` on the same line inside the heredoc node.
        for (const h of c.namedChildren) {
          if (!h) continue;
          if (h.type === 'pipeline') trailingPipeline = h;
          else if (h.type === 'file_redirect' || h.type === 'herestring_redirect') redirects.push(h);
          else if (right.has(h.id)) {
            const op = c.children.find((x) => x && (x.type === '&&' || x.type === '||'))?.type ?? '&&';
            trailingList = { op, right: h };
          } else if (!['heredoc_start', 'heredoc_body', 'heredoc_end', 'heredoc_content'].includes(h.type)) {
            this.opaque.push(`unsupported syntax after heredoc (${h.type}): ${clip(h.text)}`);
          }
        }
      } else if (c.type === 'file_redirect' || c.type === 'herestring_redirect') redirects.push(c);
      else if (c.isNamed) this.opaque.push(`unsupported redirect (${c.type}): ${clip(c.text)}`);
    }
    return { body, redirects, stdin, trailingPipeline, trailingList };
  }

  /** What the redirects of a statement bind to when its body is walked with them. */
  private bodyTrailing(node: Node, parts: RedirectedParts, scope: Scope): Trailing {
    const { body, redirects, stdin } = parts;
    return { redirects, stdin: stdin === scope.stdin ? null : stdin, dash: this.takeDash(body!, redirects, node, scope) };
  }

  private finishRedirected(node: Node, parts: RedirectedParts, scope: Scope): Flow {
    const { body, redirects, stdin, trailingPipeline, trailingList } = parts;
    if (!body) {
      // `> file` alone truncates (creates) file: a write with no command.
      const subs: Node[] = [];
      const evaluated = redirects.filter((r) => r.type === 'file_redirect').map((r) => this.redirect(r, scope, subs)).filter((r): r is Redirect => r !== null);
      this.register([], scope, evaluated, stdin, node.text, { subs });
      return { ok: scope.cwds, after: scope.cwds };
    }
    if (trailingPipeline) {
      this.pipeline(flattenPipeline(trailingPipeline), scope, { node: body, redirects, stdin });
      return { ok: scope.cwds, after: scope.cwds };
    }
    const flow = this.withTrailing(body, scope, this.bodyTrailing(node, parts, scope));
    if (trailingList) {
      const r = this.walk(trailingList.right, { ...scope, cwds: trailingList.op === '&&' ? flow.ok : scope.cwds });
      return { ok: r.ok, after: union(flow.after, r.after) };
    }
    return flow;
  }

  private declaration(node: Node, scope: Scope): Flow {
    const keyword = node.children[0]?.type ?? 'declare';
    const argv: Word[] = [{ value: keyword, raw: keyword, glob: false }];
    const subs: Node[] = [];
    const env = this.wordEnv(scope, subs);
    for (const c of node.namedChildren) {
      if (!c) continue;
      if (c.type === 'variable_assignment') {
        const value = c.childForFieldName('value');
        const name = c.childForFieldName('name')?.text ?? '';
        const w = value ? evalWord(value, env)[0] : { value: '', raw: '', glob: false };
        argv.push({ value: w.value === null ? null : `${name}=${w.value}`, raw: c.text, glob: false });
      } else if (c.type === 'variable_name') argv.push({ value: c.text, raw: c.text, glob: false });
      else argv.push(...evalWord(c, env, true));
    }
    this.register(argv, scope, [], null, node.text, { subs });
    return { ok: scope.cwds, after: scope.cwds };
  }

  /**
   * The words a `for NAME in WORDS` loop binds NAME to, when every one is static and nothing
   * else assigns NAME; null otherwise (the variable stays unknown in the body).
   */
  private loopValues(node: Node, scope: Scope): { name: string; values: string[] } | null {
    // select binds what the person picks, or nothing on a bad answer: not only the words.
    if (node.children[0]?.type === 'select') return null;
    const name = node.childForFieldName('variable')?.text;
    const words = node.childrenForFieldName('value');
    if (!name || !words.length || scope.vars.get(name)?.length !== 1) return null;
    const env = this.wordEnv(scope, []);
    const values: string[] = [];
    for (const w of words) {
      for (const v of w ? evalWord(w, env, true) : []) {
        // A glob stands for the names it matches: bound as its text, `rm -rf "$d"` over `/*`
        // is judged like `rm -rf /*`, over `*.log` like `rm *.log`.
        if (v.value === null) return null;
        values.push(v.value);
      }
    }
    // Nested loops multiply: a budget over the whole analysis keeps it linear in the text.
    if (!values.length || values.length > MAX_LOOP_VALUES || values.length > this.loopBudget) return null;
    this.loopBudget -= values.length;
    return { name, values };
  }

  /** Finds and analyses substitutions inside expressions ([[ … ]], $(( … )), assignment values). */
  private scanExpression(node: Node, scope: Scope) {
    const subs: Node[] = [];
    // Depth first, in document order, with a stack: `[[ a && b && … ]]` nests as deep as it is long.
    const stack: Node[] = [node];
    while (stack.length) {
      const n = stack.pop()!;
      if (n.type === 'command_substitution' || n.type === 'process_substitution') subs.push(n);
      else if (n.type === 'simple_expansion' || n.type === 'expansion' || EXPRESSION_TYPES.has(n.type) || n.type === 'variable_assignment' || n.type === 'test_command' || n.type === 'array' || n.type === 'brace_expression') {
        const named = n.namedChildren;
        for (let i = named.length - 1; i >= 0; i--) if (named[i]) stack.push(named[i]!);
      } else this.opaque.push(`unsupported syntax in expression (${n.type}): ${clip(n.text)}`);
    }
    for (const s of subs) this.substitution(s, scope, null);
  }

  // ---- commands -----------------------------------------------------------

  /** A `-` tree-sitter dropped between a command and its heredoc belongs to that command. */
  private takeDash(body: Node, redirects: Node[], stmt: Node, scope: Scope): boolean {
    if (!scope.droppedDashes.size) return false;
    // Trailing redirects of a list or pipeline bind to its last command (`a && git commit -F - <<EOF`).
    while (body.type === 'list' || body.type === 'pipeline') {
      const named = body.namedChildren;
      const last = named[named.length - 1];
      if (!last) return false;
      body = last;
    }
    if (body.type !== 'command') return false;
    const heredoc = stmt.children.find((c) => c?.type === 'heredoc_redirect');
    const end = heredoc?.startIndex ?? redirects[0]?.startIndex ?? stmt.endIndex;
    // The first dash in [body end, end): scanning the range, not the whole set, keeps a line
    // of many `cmd - <<EOF` linear.
    for (let d = body.endIndex; d < end; d++) {
      if (scope.droppedDashes.has(d)) {
        scope.droppedDashes.delete(d);
        return true;
      }
    }
    return false;
  }

  private command(node: Node, scope: Scope, outerRedirects: Node[], stdin: string | null, dash = false): Flow {
    let stdinUnknown = false;
    const subs: Node[] = [];
    const env = this.wordEnv(scope, subs);
    const argv: Word[] = [];
    const assignments: Record<string, string | null> = {};
    const redirectNodes = [...outerRedirects];
    let nameNode: Node | null = null;
    const children = node.children.filter((c): c is Node => !!c);
    const fields = fieldNames(node, children.length);
    for (let i = 0; i < children.length; i++) {
      const c = children[i];
      const field = fields[i];
      if (c.type === 'variable_assignment' && !nameNode) {
        const value = c.childForFieldName('value');
        assignments[c.childForFieldName('name')?.text ?? ''] = value ? evalWord(value, env)[0].value : '';
      } else if (field === 'name') {
        nameNode = c;
        const inner = c.namedChildren[0] ?? c;
        argv.push(...evalWord(inner, env, true));
      } else if (field === 'redirect' || c.type === 'file_redirect' || c.type === 'herestring_redirect') {
        redirectNodes.push(c);
      } else if (field === 'argument') {
        // $"…" (locale translation) arrives as a bare `$` followed by a string.
        if (c.type === '$' && children[i + 1]?.type === 'string') continue;
        argv.push(...evalWord(c, env, true));
      } else if (c.isNamed) this.opaque.push(`unsupported syntax in command (${c.type}): ${clip(c.text)}`);
    }
    if (dash) argv.push({ value: '-', raw: '-', glob: false });
    // tree-sitter reads `cmd < f x y` as a redirect to f, x, y; bash passes x and y to cmd.
    for (const r of redirectNodes) for (const extra of redirectExtras(r)) argv.push(...evalWord(extra, env, true));
    const redirects: Redirect[] = [];
    for (const r of redirectNodes) {
      if (r.type === 'herestring_redirect') {
        stdin = this.herestring(r, scope, subs);
        if (stdin === null) stdinUnknown = true;
      }
      else {
        const ev = this.redirect(r, scope, subs);
        if (ev) redirects.push(ev);
      }
    }
    const coproc = nameNode?.text === 'coproc' && simpleCoproc(argv);
    if (coproc) argv.shift();
    dropTimedBang(argv);
    // An unquoted expansion may yield no word at all: the next word is then the command name.
    if (nameNode && argv.length) {
      const name = argv[0];
      const why = nameTrick(argv);
      if (why) this.opaque.push(why);
      if (RESERVED.has(nameNode.text) && !coproc) this.opaque.push(`reserved word used as a command name: ${nameNode.text}`);
      else if (name.value === null) this.opaque.push(`command name is not static: ${clip(name.raw)}`);
      else if (name.glob) this.opaque.push(`glob in command name: ${clip(name.raw)}`);
      // (${…} is a parameter expansion: "${a[@]}" yields several words too, with no brace expansion.)
      else if (argv.length > 1 && argv[0].raw === argv[1].raw && /[{}]/.test(name.raw.replace(/\$\{[^{}]*\}/g, ''))) this.opaque.push(`brace expansion in command name: ${clip(name.raw)}`);
    }
    const index = this.commands.length;
    const flow = this.register(argv, scope, redirects, stdin, node.text, { subs, assignments, stdinUnknown });
    if (argv[0]?.value === 'alias') this.aliasUses(argv, scope, index);
    this.callWithArguments(argv, scope);
    return flow;
  }

  /**
   * A call of a function defined in the line with static arguments: its body again, with $1 …
   * and "$@" bound to them (`f() { rm -rf "$1"; }; f ~`). The body was already analysed where
   * it is defined, with the arguments unknown; a body that shifts or sets them is left at that.
   */
  private callWithArguments(argv: Word[], scope: Scope) {
    const name = argv[0]?.value;
    const body = name != null ? this.fnBodies.get(name) : undefined;
    if (!body || argv.length < 2 || this.calling.has(name!) || this.loopBudget < 1) return;
    if (argv.some((w) => w.value === null) || /\b(shift|set)\b/.test(body.text)) return;
    this.loopBudget--;
    const args = argv.slice(1).map((w) => w.value!);
    const vars = new Map(scope.vars);
    args.forEach((v, i) => vars.set(String(i + 1), [{ at: -1, value: v }]));
    vars.set('@', [{ at: -1, value: args[0], items: args }]);
    vars.set('#', [{ at: -1, value: String(args.length) }]);
    this.calling.add(name!);
    try {
      this.walk(body, { ...scope, vars, cwds: scope.fnCwdUnknown ? null : scope.cwds });
    } finally {
      this.calling.delete(name!);
    }
  }

  /**
   * An alias is a command prefix: the words where it is used follow its text (and after a
   * value ending in a blank, bash alias-expands the next word too), in this line or in a
   * later one of the same shell. Its text is analysed again followed by arguments known only
   * there (`"$@"`), so `alias r='rm -rf'` is judged as `rm -rf "$@"`.
   */
  private aliasUses(argv: Word[], scope: Scope, parent: number) {
    for (const a of argv.slice(1)) {
      const eq = a.value?.indexOf('=') ?? -1;
      if (!a.value || eq <= 0) continue;
      const body = a.value.slice(eq + 1);
      if (body.trim() === '') continue;
      this.run(`${body} "$@"`, scope.cwds, { kind: 'nested', parent }, scope.depth + 1);
    }
  }

  /**
   * Records a command and whatever it runs inside itself (wrapped commands, -c scripts,
   * heredoc scripts). Returns how it changes the cwd (cd, pushd, eval 'cd …').
   */
  private register(
    argv: Word[],
    scope: Scope,
    redirects: Redirect[],
    stdin: string | null,
    text: string,
    extra: { subs?: Node[]; assignments?: Record<string, string | null>; wrappers?: string[]; dynamicArgs?: boolean; stdinUnknown?: boolean },
  ): Flow {
    const same: Flow = { ok: scope.cwds, after: scope.cwds };
    const program = argv[0]?.value != null ? path.posix.basename(argv[0].value) : null;
    const args = argv.slice(1);
    if (extra.dynamicArgs) args.push({ value: null, raw: '…', glob: false });
    const allRedirects = [...scope.redirects, ...redirects];
    const cmd: Command = {
      index: this.commands.length,
      argv: extra.dynamicArgs ? [...argv, { value: null, raw: '…', glob: false }] : argv,
      program,
      wrappers: extra.wrappers ?? [],
      assignments: extra.assignments ?? {},
      redirects: allRedirects,
      cwds: scope.cwds,
      pipeline: scope.pipeline,
      stdin,
      scriptFromStdin: false,
      origin: scope.origin,
      depth: scope.depth,
      writes: [],
      reads: [],
      hosts: [],
      text,
    };
    if (scope.loop !== undefined) cmd.loop = scope.loop;
    this.commands.push(cmd);
    let cwds = scope.cwds;
    if (program === 'git') {
      // git -C DIR acts on another repository: its paths resolve there.
      const c = args.findIndex((w) => w.value === '-C');
      if (c >= 0 && args[c + 1]) cwds = this.resolveDir(args[c + 1], cwds);
    }
    if (program !== null && program !== 'alias' && hasOwnEffects(program)) {
      const eff = programEffects(program, args, { stdin, stdinUnknown: extra.stdinUnknown, assignments: cmd.assignments });
      // Loops, not push(...): a command may have more words than a call takes arguments.
      for (const w of eff.writes) cmd.writes.push(this.target(w, cwds));
      for (const w of eff.reads) cmd.reads.push(this.target(w, cwds));
      for (const h of eff.hosts) cmd.hosts.push(h);
    }
    for (const r of allRedirects) {
      if (r.kind === 'dup' || r.kind === 'close') continue;
      (r.kind === 'read' ? cmd.reads : cmd.writes).push(this.target(r.target, scope.cwds));
      if (r.kind === 'readwrite') cmd.reads.push(this.target(r.target, scope.cwds));
    }
    for (const s of extra.subs ?? []) this.substitution(s, scope, cmd.index);
    if (program === null) {
      // A wrapper whose command is only known at run time (exec "$@", sudo $CMD).
      if (extra.wrappers?.length && argv.length) this.opaque.push(`command run by ${extra.wrappers[extra.wrappers.length - 1]} is not static: ${clip(argv[0].raw)}`);
      return same;
    }
    if ((program === 'source' || program === '.') && args[0] && args[0].value === null) this.opaque.push(`file sourced by ${program} is not static: ${clip(args[0].raw)}`);

    const nested = (o: Origin = { kind: 'nested', parent: cmd.index }): Scope => ({ ...scope, origin: o, depth: scope.depth + 1, redirects: [], stdin: null });
    // A variable programs run as a command (PAGER, EDITOR, LESSOPEN …), set for this command or exported.
    for (const [k, v] of Object.entries(cmd.assignments)) this.commandVariable(k, v, nested());
    if (program === 'export' || program === 'declare' || program === 'typeset' || program === 'readonly' || program === 'local') {
      for (const a of args) {
        const eq = a.value?.indexOf('=') ?? -1;
        if (a.value && eq > 0) this.commandVariable(a.value.slice(0, eq), a.value.slice(eq + 1), nested());
        else if (a.value === null && /^[A-Za-z_][A-Za-z0-9_]*=/.test(a.raw)) this.commandVariable(a.raw.slice(0, a.raw.indexOf('=')), null, nested());
      }
    }
    if (extra.wrappers && extra.wrappers.length >= MAX_WRAPPERS) {
      this.opaque.push(`wrappers nested more than ${MAX_WRAPPERS} deep`);
      return same;
    }
    // cd / pushd / popd: the cwd of what follows.
    if (program === 'cd' || program === 'pushd' || program === 'popd') return this.changeDir(program, args, scope);
    // Code the program runs for you from files: scripts, Makefile recipes, package.json scripts, git aliases and hooks.
    if (mayRunCode(program, argv[0].value!)) {
      const r = this.programCode(cmd, program, scope, stdin);
      if (r) return r;
    }
    if (SHELLS.has(program)) {
      const mode = shellMode(args);
      if (mode.mode === 'command') this.nestedScript(mode.script, scope.cwds, nested(), `${program} -c`);
      else if (mode.mode === 'file' && mode.file.value === null) this.opaque.push(`script run by ${program} is not static: ${clip(mode.file.raw)}`);
      else if (mode.mode === 'stdin') {
        cmd.scriptFromStdin = true;
        if (stdin !== null) this.run(stdin, scope.cwds, { kind: 'nested', parent: cmd.index }, scope.depth + 1);
        else if (extra.stdinUnknown) this.opaque.push(`script fed to ${program} by a here-string is not static`);
        else if (scope.pipeline && scope.pipeline.index > 0) this.opaque.push(`script piped into ${program}: its content is not known before it runs`);
      }
      return same;
    }
    if (STDIN_INTERPRETERS.has(program) && interpreterReadsStdin(args)) {
      cmd.scriptFromStdin = true;
      if (stdin === null && scope.pipeline && scope.pipeline.index > 0) this.opaque.push(`program piped into ${program}: its content is not known before it runs`);
    }
    if (program === 'alias') {
      for (const a of args) {
        const eq = a.value?.indexOf('=') ?? -1;
        if (a.value && eq > 0) this.run(a.value.slice(eq + 1), scope.cwds, { kind: 'nested', parent: cmd.index }, scope.depth + 1);
      }
      return same;
    }
    // A pipe from a program whose output is not literal feeds text only known at run time.
    const piped = stdin === null && !!scope.pipeline && scope.pipeline.index > 0;
    const inner = innerCommands(program, args, { stdin, stdinUnknown: extra.stdinUnknown || piped, assignments: cmd.assignments });
    if (!inner) return same;
    let flow = same;
    for (const i of inner) {
      if (i.kind === 'opaque') this.opaque.push(`${i.reason}: ${clip(cmd.text)}`);
      else if (i.kind === 'script') {
        const r = this.nestedScript(i.script, scope.cwds, nested(), program);
        // eval runs in this shell: its cd moves the rest of the line.
        if (program === 'eval' && r) flow = r;
      } else {
        const icwds = i.chdir ? this.resolveDir(i.chdir, scope.cwds) : scope.cwds;
        const s: Scope = { ...nested(), cwds: icwds, pipeline: scope.pipeline, stdin };
        const r = this.register(i.argv, s, [], stdin, joinWords(i.argv).raw, {
          stdinUnknown: extra.stdinUnknown,
          assignments: i.assignments,
          wrappers: [...(extra.wrappers ?? []), program],
          dynamicArgs: i.dynamicArgs,
        });
        if (program === 'builtin' || program === 'command') flow = r;
      }
    }
    return flow;
  }

  /**
   * Reads and analyses what `cmd` runs from files, once per possible cwd. Returns the flow of
   * a sourced script (it runs in this shell), else null.
   */
  private programCode(cmd: Command, program: string, scope: Scope, stdin: string | null): Flow | null {
    const argv = cmd.argv;
    const stdinRedirect = cmd.redirects.find((r) => r.kind === 'read' && (r.fd === null || r.fd === 0));
    const assigned = new Set(Object.keys(cmd.assignments));
    const dynamicEnv = new Set(Object.entries(cmd.assignments).filter(([, v]) => v === null).map(([k]) => k));
    const env: Record<string, string> = { ...this.ctx.env };
    for (const [k, v] of Object.entries(cmd.assignments)) if (v !== null) env[k] = v;
    else delete env[k];
    if (scope.cwds === null) {
      // npm scripts and git hooks in a directory only known at run time are not read here (their
      // shells reach the session's shim); make's recipe lines may run without any shell, so make asks.
      if (npmLike(program) || program === 'git') return null;
      const relative = !argv[0].value!.startsWith('/') && argv[0].value!.includes('/');
      const needsCwd = relative || !(SHELLS.has(program) || program === 'source' || program === '.' || argv[0].value!.includes('/'));
      // A shell or source given an absolute file needs no cwd to be read; anything else does.
      const file = SHELLS.has(program) ? (shellMode(argv.slice(1)) as { file?: Word }).file : program === 'source' || program === '.' ? argv[1] : undefined;
      if (needsCwd || (file && file.value !== null && !file.value.startsWith('/'))) {
        if (needsCwd && !SHELLS.has(program)) this.opaque.push(`cannot tell which directory ${program} runs in, so not what it runs: ${clip(cmd.text)}`);
        else if (file) this.opaque.push(`cannot tell which directory ${program} runs in, so not which file it runs: ${clip(cmd.text)}`);
        return null;
      }
    }
    let flow: Flow | null = null;
    for (const cwd of scope.cwds ?? ['/']) {
      const pctx: ProgramContext = {
        cwd,
        home: this.ctx.home,
        env,
        dynamicEnv,
        assigned,
        stdin,
        read: (p, opts) => this.readFile(p, opts?.always ?? false),
        earlier: () => this.commands.slice(0, cmd.index),
        exists: (p) => this.fs.exists(p),
        isDirectory: (p) => this.fs.isDirectory(p),
        readdir: (p) => {
          if (!this.inputs.has(p)) this.inputs.set(p, this.fs.stamp(p));
          return this.fs.readdir(p);
        },
      };
      const code = codeItRuns(program, argv, pctx, stdinRedirect?.target ?? null);
      if (!code) continue;
      this.opaque.push(...code.opaque);
      for (const s of code.scripts) {
        const first = this.commands.length;
        const r = this.run(s.source, [s.cwd], { kind: 'nested', parent: cmd.index, from: s.by }, scope.depth + 1);
        if (s.file) {
          const written = this.commands.slice(first).flatMap((c) => c.writes);
          if (writesOwnFile(written, s.file)) this.opaque.push(`the script modifies itself while running: ${s.by}`);
        }
        if (s.inCallingShell && scope.cwds?.length === 1) flow = r;
      }
    }
    return flow;
  }

  /** A file a program runs or reads its code from, through the file view, within the byte budget. */
  private readFile(p: string, always: boolean): FileRead {
    if (this.writtenEarlier(p)) return { kind: 'written' };
    let f = this.files.get(p);
    if (!f) {
      // Read once per analysis: nested runs (npm run inside an npm script, $(MAKE)) reuse it.
      const real = this.fs.realpath(p);
      if (real === null) {
        f = { real: null, read: { kind: 'missing' } };
        this.inputs.set(p, 'missing');
      } else {
        f = { real, read: null };
      }
      this.files.set(p, f);
    }
    // Outside the places the agent writes, a missing file is an uninstalled program, not one it is about to write.
    if (f.real === null) return !always && this.ctx.analysesFile && !this.ctx.analysesFile(p) ? { kind: 'installed' } : { kind: 'missing' };
    if (f.real !== p && this.writtenEarlier(f.real)) return { kind: 'written' };
    if (!always && this.ctx.analysesFile && !this.ctx.analysesFile(f.real)) {
      if (!this.inputs.has(p)) this.inputs.set(p, this.fs.stamp(p));
      return { kind: 'installed' };
    }
    if (!f.read) {
      const left = MAX_READ_BYTES - this.bytesRead;
      if (left <= 0) return { kind: 'over-budget' };
      const r = this.fs.readText(p, Math.min(MAX_FILE_BYTES, left));
      this.inputs.set(p, r.kind === 'text' && r.stamp ? r.stamp : this.fs.stamp(p));
      if (r.kind === 'too-large' && r.size <= MAX_FILE_BYTES) return { kind: 'over-budget' };
      if (r.kind === 'text') this.bytesRead += r.text.length;
      f.read = r;
    }
    return f.read;
  }

  /** Whether a command analysed before this point writes `p` or a directory above it (cp -r, mv, tar -C …). */
  private writtenEarlier(p: string): boolean {
    for (const c of this.commands) {
      // mkdir and touch make empty things: nothing below them comes from them.
      const exact = c.program === 'mkdir' || c.program === 'touch';
      for (const w of c.writes) {
        if (!w.paths) continue;
        for (const wp of w.paths) if (wp === p || (!exact && p.startsWith(wp.endsWith('/') ? wp : wp + '/'))) return true;
      }
    }
    return false;
  }

  /** The command a variable holds that programs run (PAGER, LESSOPEN, EDITOR …), analysed as a script. */
  private commandVariable(name: string, value: string | null, scope: Scope): void {
    const run = commandOfVariable(name, value);
    if (!run) return;
    if (run.kind === 'opaque') this.opaque.push(run.reason);
    else if (run.kind === 'script') this.nestedScript(run.script, scope.cwds, scope, name);
  }

  private nestedScript(script: Word, cwds: Cwds, scope: Scope, by: string): Flow | null {
    if (script.value === null) {
      this.opaque.push(`script run by ${by} is not static: ${clip(script.raw)}`);
      return null;
    }
    return this.run(script.value, cwds, scope.origin, scope.depth);
  }

  private substitution(node: Node, scope: Scope, parent: number | null) {
    if (node.text.startsWith('`') && node.text.slice(1, -1).includes('`')) this.opaque.push(`nested backquotes: ${clip(node.text)}`);
    const origin: Origin = parent === null ? scope.origin : { kind: 'substitution', parent };
    const s: Scope = { ...scope, origin, depth: scope.depth + 1, redirects: [], pipeline: null, stdin: null };
    if (s.depth > MAX_DEPTH) {
      this.opaque.push(`substitutions nested more than ${MAX_DEPTH} deep`);
      return;
    }
    this.sequence(node, s);
  }

  private changeDir(program: string, args: Word[], scope: Scope): Flow {
    const positional = args.filter((w) => w.value === null || !/^-[LPe@]+$/.test(w.value));
    if (program === 'popd') return { ok: null, after: null };
    let target: Word | undefined = positional[0];
    if (!target) {
      if (program === 'pushd') return { ok: null, after: null };
      target = { value: this.ctx.home, raw: '~', glob: false };
    }
    if (target.value === '-') return { ok: null, after: null };
    const next = this.resolveDir(target, scope.cwds);
    if (next === null) return { ok: null, after: null };
    const exists = next.every((d) => this.fs.isDirectory(d));
    return { ok: next, after: exists ? next : union(next, scope.cwds) };
  }

  private resolveDir(w: Word, cwds: Cwds): Cwds {
    if (w.value === null || w.glob) return null;
    if (path.posix.isAbsolute(w.value)) return [path.posix.normalize(w.value)];
    if (cwds === null) return null;
    return cwds.map((c) => path.posix.resolve(c, w.value!));
  }

  private target(w: Word, cwds: Cwds): PathTarget {
    if (w.value === null) return { raw: w.raw, paths: null, glob: false };
    let v = w.value;
    if (v === '~' || v.startsWith('~/')) v = this.ctx.home + v.slice(1);
    // `dir/*` and `dir/.*` stand for everything in dir: treat them as dir itself.
    const all = /(^|\/)(\*|\.\*|\*\*)$/.test(v);
    if (all) v = v.replace(/(\*|\.\*|\*\*)$/, '') || '.';
    if (path.posix.isAbsolute(v)) return { raw: w.raw, paths: [path.posix.normalize(v)], glob: w.glob && !all };
    if (cwds === null) return { raw: w.raw, paths: null, glob: w.glob };
    return { raw: w.raw, paths: cwds.map((c) => path.posix.resolve(c, v)), glob: w.glob && !all };
  }

  private redirect(node: Node, scope: Scope, subs: Node[] | null): Redirect | null {
    const collected: Node[] = [];
    const env = this.wordEnv(scope, subs ?? collected);
    const op = node.children.find((c) => c && !c.isNamed && c.type !== 'ERROR')?.type ?? '>';
    const fdNode = node.childForFieldName('descriptor');
    const fd = fdNode ? Number(fdNode.text) : null;
    const dest = node.childForFieldName('destination') ?? node.namedChildren.find((c) => c && c.type !== 'file_descriptor');
    if (!dest) return null;
    const target = evalWord(dest, env)[0];
    if (!subs) for (const s of collected) this.substitution(s, scope, null);
    let kind: RedirectKind;
    if (op === '<') kind = 'read';
    else if (op === '>>' || op === '&>>') kind = 'append';
    else if (op === '>&' || op === '<&') kind = target.value !== null && /^(\d+|-)$/.test(target.value) ? (target.value === '-' ? 'close' : 'dup') : 'write';
    else kind = 'write';
    return { kind, fd, target };
  }

  private herestring(node: Node, scope: Scope, subs: Node[] | null): string | null {
    const collected: Node[] = [];
    const env = this.wordEnv(scope, subs ?? collected);
    const w = node.namedChildren[0];
    const value = w ? evalWord(w, env)[0].value : null;
    if (!subs) for (const s of collected) this.substitution(s, scope, null);
    return value === null ? null : value + '\n';
  }

  private heredoc(node: Node, scope: Scope): string | null {
    const start = node.children.find((c) => c?.type === 'heredoc_start');
    const body = node.children.find((c) => c?.type === 'heredoc_body');
    if (!body) return '';
    const quoted = !!start && /['"\\]/.test(start.text);
    if (quoted) return body.text;
    // Unquoted delimiter: $(…) inside the body runs when the heredoc is read.
    const subs: Node[] = [];
    for (const c of body.namedChildren) {
      if (c && (c.type === 'command_substitution' || c.type === 'process_substitution')) subs.push(c);
      else if (c && (c.type === 'expansion' || c.type === 'simple_expansion')) findSubstitutions(c, this.wordEnv(scope, subs));
    }
    for (const sub of subs) this.substitution(sub, scope, null);
    // tree-sitter leaves `…` in a heredoc body as text, but bash runs it.
    if (/(^|[^\\])`/.test(body.text)) this.opaque.push('backquotes inside an unquoted heredoc');
    return body.text;
  }

  private wordEnv(scope: Scope, subs: Node[]): WordEnv {
    return {
      home: this.ctx.home,
      lookup: (name, at) => {
        if (name === 'PWD') return scope.cwds?.length === 1 ? scope.cwds[0] : null;
        return lookupVar(scope.vars, name, at, this.ctx);
      },
      onSubstitution: (n) => subs.push(n),
      onOpaque: (reason) => this.opaque.push(reason),
      // bash sets IFS at start-up and ignores the environment's (POSIX allows either).
      ifs: (at) => (scope.vars.has('IFS') ? lookupVar(scope.vars, 'IFS', at, this.ctx) : ' \t\n'),
      items: (name, at) => {
        const entries = scope.vars.get(name);
        if (entries?.length === 1 && entries[0].at < at) return entries[0].items ?? (entries[0].value === null ? null : [entries[0].value]);
        return null;
      },
    };
  }
}

// ---- helpers ----------------------------------------------------------------

function lookupVar(vars: VarTable, name: string, at: number, ctx: ShellContext): string | null {
  const entries = vars.get(name);
  if (!entries) return Object.prototype.hasOwnProperty.call(ctx.env, name) ? ctx.env[name] : null;
  // Known only when assigned exactly once, unconditionally, to a literal, before the use.
  if (entries.length === 1 && entries[0].at < at) return entries[0].value;
  return null;
}

/** Variables assigned in the script: straight-line literal assignments are known; any other assignment makes the name dynamic. */
function collectVars(root: Node, ctx: ShellContext, readers: boolean): VarTable {
  const vars: VarTable = new Map();
  const add = (name: string, e: VarEntry) => {
    const list = vars.get(name);
    if (list) list.push(e);
    else vars.set(name, [e]);
  };
  const visit = (n: Node, parent: Ancestor | undefined, grand: Ancestor | undefined) => {
    if (n.type === 'variable_assignment') {
      const name = n.childForFieldName('name')?.text ?? '';
      // `a=1 b=2` alone on a statement is a list of assignments (variable_assignments).
      const straight = parent?.type === 'program' || (parent?.type === 'declaration_command' && grand?.type === 'program' && parent.first !== 'local') || (parent?.type === 'variable_assignments' && grand?.type === 'program');
      // A prefix assignment (VAR=x cmd) only sets the command's environment.
      if (parent?.type !== 'command') {
        let value: string | null = null;
        let items: string[] | undefined;
        const v = n.childForFieldName('value');
        if (straight) {
          const env: WordEnv = { home: ctx.home, lookup: (nm) => (Object.prototype.hasOwnProperty.call(ctx.env, nm) ? ctx.env[nm] : null), onSubstitution: () => {}, onOpaque: () => {} };
          if (!v) value = '';
          else if (['word', 'raw_string', 'number', 'string', 'concatenation', 'ansi_c_string'].includes(v.type)) {
            const words = evalWord(v, env);
            value = words.length === 1 && !words[0].glob ? words[0].value : null;
          } else if (v.type === 'array' && !n.text.startsWith(`${name}+=`)) {
            // Each element is a command word: split, globbed, brace- and tilde-expanded.
            const words = v.namedChildren.flatMap((c) => (c ? evalWord(c, env, true) : []));
            if (words.length && words.every((w) => w.value !== null && !w.glob)) {
              items = words.map((w) => w.value!);
              value = items[0];
            }
          }
        }
        add(name, items ? { at: n.endIndex, value, items } : { at: n.endIndex, value });
      }
    } else if (n.type === 'for_statement' || n.type === 'c_style_for_statement') {
      const v = n.childForFieldName('variable');
      if (v) add(v.text, { at: n.startIndex, value: null });
    } else if (n.type === 'command') {
      const name = n.childForFieldName('name')?.text;
      if (name === 'read' || name === 'mapfile' || name === 'readarray' || name === 'getopts' || name === 'printf') {
        for (const c of n.childrenForFieldName('argument')) if (c && /^[A-Za-z_]\w*$/.test(c.text)) add(c.text, { at: n.startIndex, value: null });
      }
    } else if (n.type === 'declaration_command' || n.type === 'unset_command') {
      // declare -n makes a name a reference to another variable; -l/-u/-c change the case
      // of what is assigned, -i evaluates it, -a/-A make an array: the text is not the value.
      const transforms = n.namedChildren.some((c) => c?.type === 'word' && /^[-+][a-zA-Z]*[nluciaA]/.test(c.text));
      for (const c of n.namedChildren) {
        if (c?.type === 'variable_name') add(c.text, { at: n.startIndex, value: null });
        else if (transforms && c?.type === 'variable_assignment') add(c.childForFieldName('name')?.text ?? '', { at: n.startIndex, value: null });
      }
    }
  };
  // Named nodes in document order from a cursor: node objects only for the nodes of interest,
  // and the ancestors' types on a stack (node.parent walks down from the root in tree-sitter,
  // and lists nest as deep as they are long).
  const interesting = new Set(['variable_assignment', 'for_statement', 'c_style_for_statement', 'declaration_command', 'unset_command']);
  if (readers) interesting.add('command');
  const ancestors: Ancestor[] = [];
  const cursor = root.walk();
  try {
    for (;;) {
      const type = cursor.nodeType;
      const named = cursor.nodeIsNamed;
      if (named && interesting.has(type)) visit(cursor.currentNode, ancestors[ancestors.length - 1], ancestors[ancestors.length - 2]);
      if (named && cursor.gotoFirstChild()) {
        ancestors.push({ type, first: cursor.nodeType });
        continue;
      }
      while (!cursor.gotoNextSibling()) {
        if (!cursor.gotoParent()) return vars;
        ancestors.pop();
      }
    }
  } finally {
    cursor.delete();
  }
}

/** A node above the one collectVars looks at: its type and its first child's. */
interface Ancestor {
  type: string;
  first: string;
}

/** `coproc cmd args`: bash runs the simple command as a coprocess (the NAME form needs a compound command). */
function simpleCoproc(argv: Word[]): boolean {
  const next = argv[1]?.value;
  return next != null && !RESERVED.has(next) && next !== '(';
}

/** `time ! cmd` / `time -p ! cmd`: the `!` is the pipeline's negation, not a program. */
function dropTimedBang(argv: Word[]) {
  if (argv[0]?.value !== 'time') return;
  let i = 1;
  while (argv[i]?.value === '-p' || argv[i]?.value === '--') i++;
  while (argv[i]?.value === '!') argv.splice(i, 1);
}

/** Builtins that make a command name run something other than what it names. */
function nameTrick(argv: Word[]): string | null {
  const program = argv[0].value;
  const opts = argv.slice(1).filter((w) => w.value === null || w.value.startsWith('-'));
  if (program === 'hash' && opts.some((w) => w.value === null || /^-[a-zA-Z]*p/.test(w.value))) return 'hash -p makes a command name run another file, which this check does not follow';
  if (program === 'enable' && opts.some((w) => w.value === null || /^-[a-zA-Z]*f/.test(w.value))) return 'enable -f loads a builtin from a shared object: code this check cannot read';
  return null;
}

/** Text an echo/printf/heredoc-fed cat would write to a pipe, when it is literal. */
function literalOutput(cmd: Command | undefined): string | null {
  if (!cmd || cmd.program === null) return null;
  if (cmd.program === 'cat' && cmd.argv.length === 1 && cmd.stdin !== null) return cmd.stdin;
  if (cmd.program !== 'echo' && cmd.program !== 'printf') return null;
  const args = cmd.argv.slice(1);
  if (args.some((a) => a.value === null)) return null;
  const vals = args.map((a) => a.value!);
  if (cmd.program === 'printf') {
    // Only a format without conversions is literal text (its escapes decoded); %s … is not followed.
    if (vals.length !== 1 || vals[0].includes('%')) return null;
    return decodeAnsiC(vals[0]);
  }
  let escapes: boolean | null = null;
  while (vals.length && /^-[neE]+$/.test(vals[0])) {
    const f = vals.shift()!;
    if (f.includes('e')) escapes = true;
    if (f.includes('E')) escapes = false;
  }
  const text = vals.join(' ');
  // bash's echo leaves backslashes alone, dash's interprets them: without -e or -E, either may run.
  if (text.includes('\\') && escapes === null) return null;
  return (escapes ? decodeAnsiC(text) : text) + '\n';
}

/** Destination words after the first: arguments of the command, not redirect targets. */
function redirectExtras(r: Node): Node[] {
  if (r.type !== 'file_redirect') return [];
  return r.childrenForFieldName('destination').filter((c): c is Node => !!c).slice(1);
}

/**
 * The stages of a pipeline in order. tree-sitter nests `a | b 2>&1 | c` as a redirected
 * pipeline `a | b` inside the outer one; bash has one pipeline a, b, c with the redirect
 * on b. Plain nested pipelines are flattened too. A stack rather than recursion: each
 * `2>&1 |` adds a level, so a long pipeline nests as deep as it is long.
 */
function flattenPipeline(node: Node): (Node | Stage)[] {
  const out: (Node | Stage)[] = [];
  // A node is a stage (or a pipeline to open); an array holds the redirects of the stage placed last.
  const stack: (Node | Node[])[] = [];
  const open = (p: Node) => {
    const named = p.namedChildren;
    for (let i = named.length - 1; i >= 0; i--) if (named[i]) stack.push(named[i]!);
  };
  open(node);
  while (stack.length) {
    const c = stack.pop()!;
    if (Array.isArray(c)) {
      const last = out.pop()!;
      out.push('redirects' in last ? { ...last, redirects: [...last.redirects, ...c] } : { node: last, redirects: c, stdin: null });
    } else if (c.type === 'pipeline') open(c);
    else if (c.type === 'redirected_statement' && c.childForFieldName('body')?.type === 'pipeline' && c.namedChildren.every((x) => x && (x.type === 'file_redirect' || x.type === 'pipeline'))) {
      stack.push(c.namedChildren.filter((x): x is Node => !!x && x.type === 'file_redirect'));
      open(c.childForFieldName('body')!);
    } else out.push(c);
  }
  return out;
}

/**
 * The field name of each child of `node` (as node.children lists them), from one cursor
 * pass: node.fieldNameForChild(i) scans the children up to i, quadratic in a long command.
 */
function fieldNames(node: Node, count: number): (string | null)[] {
  const out: (string | null)[] = [];
  const cursor = node.walk();
  try {
    if (cursor.gotoFirstChild()) {
      do out.push(cursor.currentFieldName);
      while (cursor.gotoNextSibling());
    }
  } finally {
    cursor.delete();
  }
  // Should the cursor ever list the children differently, ask tree-sitter child by child.
  if (out.length !== count) return Array.from({ length: count }, (_, i) => node.fieldNameForChild(i));
  return out;
}

function isStatement(n: Node): boolean {
  return ['command', 'pipeline', 'list', 'redirected_statement', 'subshell', 'compound_statement', 'if_statement', 'for_statement', 'while_statement', 'function_definition', 'declaration_command', 'variable_assignment'].includes(n.type);
}

function npmLike(program: string): boolean {
  return program === 'npm' || program === 'pnpm' || program === 'yarn' || program === 'bun';
}

function union(a: Cwds, b: Cwds): Cwds {
  if (a === null || b === null) return null;
  if (a === b) return a;
  const u = [...new Set([...a, ...b])];
  return u.length > MAX_CWDS ? null : u;
}

function describeError(root: Node): string {
  const stack: Node[] = [root];
  while (stack.length) {
    const n = stack.pop()!;
    if (n.type === 'ERROR') return `unexpected ${JSON.stringify(clip(n.text))}`;
    if (n.isMissing) return `missing ${n.type}`;
    for (const c of n.children) if (c && (c.hasError || c.isMissing || c.type === 'ERROR')) stack.push(c);
  }
  return 'syntax error';
}

function clip(s: string, n = 60): string {
  return s.length > n ? s.slice(0, n) + '…' : s;
}

/** A condition that always succeeds (true, :, [ 1 ], ((1))) or, for until, always fails. */
const ALWAYS_TRUE = /^(?:(?:\/usr)?\/bin\/)?(?:true|:)$|^\[\[? +[\w.]+ +\]\]?$|^test +[\w.]+$|^\(\( *[1-9]\d* *\)\)$|^! *(?:(?:\/usr)?\/bin\/)?false$/;
const ALWAYS_FALSE = /^(?:(?:\/usr)?\/bin\/)?false$|^! *(?:(?:\/usr)?\/bin\/)?(?:true|:)$|^\(\( *0 *\)\)$/;

/** A loop its condition never ends: `while true`, `while :`, `until false`, `for ((;;))` (break and exit are the rules' business). */
function endlessLoop(node: Node): boolean {
  if (node.type === 'c_style_for_statement') return !node.childForFieldName('condition');
  const cond = node
    .childrenForFieldName('condition')
    .map((c) => c?.text ?? '')
    .join(' ')
    .replace(/[\s;&]+$/, '')
    .trim();
  return node.children[0]?.type === 'until' ? ALWAYS_FALSE.test(cond) : ALWAYS_TRUE.test(cond);
}
