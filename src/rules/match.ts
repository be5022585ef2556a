// Compiles a rule's match block into a function over one analysed command.
// Three-valued: a condition that depends on a word only known at run time
// ("$DIR", $(…)) is MAYBE, and a rule that maybe matches is at least an ask.
import path from 'node:path';
import { GLOBAL_OPTION_SPECS, longFlagMatches, parseOptions, PROGRAM_OPTIONS, type ParsedOptions } from '../shell/options.js';
import type { Command, PathTarget, Script, Word } from '../shell/types.js';
import { PathMatcher } from './paths.js';
import type { MatchExpr } from './schema.js';

export const NO = 0;
export const MAYBE = 1;
export const YES = 2;
export type Tri = 0 | 1 | 2;

/** Hosts counted as listed for host_not_in beside the rule's own list (the session's). */
export interface HostSet {
  has(host: string): boolean;
}

export interface MatchContext {
  script: Script;
  home: string;
  /** Workspace roots, for {workspace} in path globs. */
  workspaces: string[];
  /** $TMPDIR (default /tmp), for {tmpdir} in path globs. */
  tmpdir?: string;
  /** Every path a target may denote: lexical and symlink-resolved; null when unknown. */
  pathsOf(t: PathTarget): string[] | null;
  /** Hosts the person allowed during this session: they count as listed for host_not_in. */
  sessionHosts?: HostSet;
}

export type Matcher = (cmd: Command, ctx: MatchContext) => Tri;

/**
 * What made a match hit, for the person: the path, host, flag, word or variable. Only
 * called after `test` said YES or MAYBE, so commands that match nothing pay nothing.
 */
export type Witness = (cmd: Command, ctx: MatchContext) => string[];

export interface CompiledMatch {
  test: Matcher;
  /** Absent for parts that have nothing to show beyond the command itself (program, subcommand). */
  subjects?: Witness;
  /** Programs this match can apply to, or null when it may apply to any command. */
  programs: Set<string> | null;
}

export class UnknownListError extends Error {}

type Lists = ReadonlyMap<string, readonly string[]>;

/**
 * Compiles a match block. Which programs it applies to is worked out now (the rule
 * index needs it, and unknown @lists are reported at load time); the matcher itself is
 * built the first time a command could match, so a one-shot `agentguard check` only
 * pays for the rules its command reaches.
 */
export function compileMatch(expr: MatchExpr, lists: Lists): CompiledMatch {
  checkLists(expr, lists);
  let built: CompiledMatch | null = null;
  const build = () => (built ??= buildMatch(expr, lists));
  return { programs: programsOf(expr, lists), test: (c, ctx) => build().test(c, ctx), subjects: (c, ctx) => build().subjects?.(c, ctx) ?? [] };
}

/** The programs a match block can apply to (null: any), mirroring how buildMatch combines parts. */
function programsOf(expr: MatchExpr, lists: Lists): Set<string> | null {
  const sets: Set<string>[] = [];
  const own = (v: string | string[] | undefined) => {
    if (v === undefined) return;
    const pats = expandList(v, lists);
    if (pats.every((p) => !/[*?[]/.test(p))) sets.push(new Set(pats));
  };
  own(expr.program);
  own(expr.pipeline?.to);
  if (expr.all_of) for (const m of expr.all_of) {
    const p = programsOf(m, lists);
    if (p) sets.push(p);
  }
  if (expr.any_of) {
    const each = expr.any_of.map((m) => programsOf(m, lists));
    if (each.every((p) => p)) sets.push(new Set(each.flatMap((p) => [...p!])));
  }
  if (!sets.length) return null;
  return sets.reduce((a, b) => new Set([...a].filter((x) => b.has(x))));
}

/** Every @list a match block names exists. */
function checkLists(expr: unknown, lists: Lists): void {
  if (typeof expr === 'string') {
    if (expr.startsWith('@') && !lists.has(expr.slice(1))) throw new UnknownListError(`unknown list ${expr}: define it under lists: in rules/lists.yaml`);
  } else if (Array.isArray(expr)) for (const e of expr) checkLists(e, lists);
  else if (expr && typeof expr === 'object') for (const [k, v] of Object.entries(expr)) if (k !== 'regex' && k !== 'stdin_regex') checkLists(v, lists);
}

function buildMatch(expr: MatchExpr, lists: Lists): CompiledMatch {
  const parts: CompiledMatch[] = [];
  const expand = (v: string | string[]) => expandList(v, lists);
  if (expr.program !== undefined) {
    const pats = expand(expr.program);
    const res = pats.map(wordGlob);
    const exact = pats.every((p) => !/[*?[]/.test(p));
    // A list of plain names (most are: @interpreters, @downloaders …) is a set lookup, not a regex per name.
    const names = exact ? new Set(pats) : null;
    parts.push({ test: (c) => (c.program !== null && (names ? names.has(c.program) : res.some((r) => r.test(c.program!))) ? YES : NO), programs: names });
  }
  if (expr.subcommand !== undefined) {
    const res = expand(expr.subcommand).map(wordGlob);
    parts.push({ test: (c) => anyWord(subcommandOf(c), res), programs: null });
  }
  if (expr.flags) {
    const wanted = expr.flags;
    parts.push({
      test: (c) => {
        const o = optionsOf(c);
        const hit = o.flags.some((f) => wanted.some((w) => (w.startsWith('--') ? longFlagMatches(f, w) : f === w)));
        if (hit) return YES;
        return c.argv.slice(1).some((w) => w.value === null) ? MAYBE : NO;
      },
      subjects: (c) => {
        const hits = optionsOf(c).flags.filter((f) => wanted.some((w) => (w.startsWith('--') ? longFlagMatches(f, w) : f === w)));
        return hits.length ? hits : unknownWords(c.argv.slice(1));
      },
      programs: null,
    });
  }
  if (expr.args !== undefined) {
    const res = expand(expr.args).map(wordGlob);
    parts.push({ test: (c) => anyWord(optionsOf(c).positionals.map((w) => w.value), res), subjects: (c) => wordsHit(optionsOf(c).positionals, res), programs: null });
  }
  if (expr.words !== undefined) {
    const res = expand(expr.words).map(wordGlob);
    parts.push({ test: (c) => anyWord(c.argv.slice(1).map((w) => w.value), res), subjects: (c) => wordsHit(c.argv.slice(1), res), programs: null });
  }
  if (expr.regex !== undefined) {
    const re = userRegex(expr.regex);
    parts.push({ test: (c) => anyWord(c.argv.slice(1).map((w) => w.value), [re]), subjects: (c) => wordsHit(c.argv.slice(1), [re]), programs: null });
  }
  if (expr.stdin_regex !== undefined) {
    const re = userRegex(expr.stdin_regex);
    parts.push({ test: (c) => (c.stdin !== null && re.test(c.stdin) ? YES : NO), subjects: (c) => (c.stdin === null ? [] : [`stdin: ${re.exec(c.stdin)?.[0] ?? ''}`]), programs: null });
  }
  if (expr.operands !== undefined) {
    const res = expand(expr.operands).map(wordGlob);
    parts.push({ test: (c) => anyWord(optionsOf(c).positionals.slice(1).map((w) => w.value), res), subjects: (c) => wordsHit(optionsOf(c).positionals.slice(1), res), programs: null });
  }
  if (expr.hosts !== undefined) {
    const res = expand(expr.hosts).map(hostGlob);
    parts.push({ test: (c) => anyWord(c.hosts.map((h) => h.host), res), subjects: (c) => hostsWhere(c, (h) => res.some((re) => re.test(h))), programs: null });
  }
  if (expr.host_not_in !== undefined) {
    const res = expand(expr.host_not_in).map(hostGlob);
    parts.push({
      test: (c, ctx) => {
        let r: Tri = NO;
        for (const h of c.hosts) {
          if (h.host === null) r = MAYBE;
          else if (!res.some((re) => re.test(h.host!)) && !ctx.sessionHosts?.has(h.host)) return YES;
        }
        return r;
      },
      subjects: (c, ctx) => hostsWhere(c, (h) => !res.some((re) => re.test(h)) && !ctx.sessionHosts?.has(h)),
      programs: null,
    });
  }
  if (expr.variables !== undefined) {
    const res = expand(expr.variables).map(wordGlob);
    const key = {};
    parts.push({
      test: (c, ctx) => (variablesFlowInto(c, ctx, res, key) ? YES : NO),
      subjects: (c, ctx) => [...new Set(referencedVariables(c, ctx.script).filter((v) => res.some((re) => re.test(v))))].map((v) => `$${v}`),
      programs: null,
    });
  }
  if (expr.recursive_function !== undefined) {
    const want = expr.recursive_function;
    parts.push({ test: (c, ctx) => ((c.program !== null && !!ctx.script.functions[c.program]?.recursive) === want ? YES : NO), programs: null });
  }
  if (expr.script_from_stdin !== undefined) {
    const want = expr.script_from_stdin;
    parts.push({ test: (c) => (c.scriptFromStdin === want ? YES : NO), programs: null });
  }
  if (expr.writes !== undefined) {
    const m = new PathMatcher(expand(expr.writes));
    parts.push({ test: (c, ctx) => (c.writes.length ? anyPath(c.writes, m, ctx, MAYBE) : NO), subjects: (c, ctx) => pathsHit(c.writes, m, ctx, true), programs: null });
  }
  if (expr.reads !== undefined) {
    const m = new PathMatcher(expand(expr.reads));
    // A read of a path only known at run time stays allowed (the sandbox masks credentials);
    // an unknown write is what asks.
    parts.push({ test: (c, ctx) => (c.reads.length ? anyPath(c.reads, m, ctx, NO) : NO), subjects: (c, ctx) => pathsHit(c.reads, m, ctx, false), programs: null });
  }
  if (expr.text !== undefined) {
    // The command's source text as written: a literal mention, never a maybe (a word only
    // known at run time is not text that matches).
    const res = expand(expr.text).map(wordGlob);
    parts.push({ test: (c) => (res.some((r) => r.test(c.text)) ? YES : NO), programs: null });
  }
  if (expr.assigns !== undefined) {
    const res = expand(expr.assigns).map(wordGlob);
    parts.push({ test: (c) => (Object.keys(c.assignments).some((k) => res.some((r) => r.test(k))) ? YES : NO), programs: null });
  }
  if (expr.wrapped_by !== undefined) {
    const res = expand(expr.wrapped_by).map(wordGlob);
    parts.push({ test: (c) => (c.wrappers.some((w) => res.some((r) => r.test(w))) ? YES : NO), subjects: (c) => c.wrappers.filter((w) => res.some((r) => r.test(w))), programs: null });
  }
  if (expr.pipeline) {
    const from = expand(expr.pipeline.from).map(wordGlob);
    if (expr.pipeline.to !== undefined) parts.push(buildMatch({ program: expr.pipeline.to }, lists));
    const key = {};
    parts.push({ test: (c, ctx) => (pipelineFeeds(c, ctx, from, key) ? YES : NO), subjects: (c, ctx) => feeders(c, ctx.script, from).map((o) => `from ${o.text}`), programs: null });
  }
  if (expr.substitution) {
    const from = expand(expr.substitution.from).map(wordGlob);
    const key = {};
    parts.push({ test: (c, ctx) => (substitutedFrom(c, ctx, from, key) ? YES : NO), subjects: (c, ctx) => substitutionSources(c, ctx.script, from).map((o) => `from ${o.text}`), programs: null });
  }
  if (expr.runs_file_from !== undefined) {
    const from = expand(expr.runs_file_from).map(wordGlob);
    const runners = [...(lists.get('shells') ?? []), ...(lists.get('interpreters') ?? []), 'source', '.'].map(wordGlob);
    const key = {};
    parts.push({ test: (c, ctx) => runsFileFrom(c, ctx, from, runners, key), subjects: (c, ctx) => runsFileFrom(c, ctx, from, runners, key, true).map((p) => tildify(p, ctx.home)), programs: null });
  }
  if (expr.all_of) parts.push(allOf(expr.all_of.map((m) => buildMatch(m, lists))));
  if (expr.any_of) parts.push(anyOf(expr.any_of.map((m) => buildMatch(m, lists))));
  if (expr.not) {
    const inner = buildMatch(expr.not, lists);
    parts.push({ test: (c, ctx) => (2 - inner.test(c, ctx)) as Tri, programs: null });
  }
  return allOf(parts);
}

function allOf(parts: CompiledMatch[]): CompiledMatch {
  let programs: Set<string> | null = null;
  for (const p of parts) {
    const own = p.programs;
    if (own) programs = programs === null ? own : new Set<string>([...(programs as Set<string>)].filter((x) => own.has(x)));
  }
  return {
    programs,
    test: (c, ctx) => {
      let r: Tri = YES;
      for (const p of parts) {
        const t = p.test(c, ctx);
        if (t === NO) return NO;
        if (t === MAYBE) r = MAYBE;
      }
      return r;
    },
    // Every part matched, so each one's witness is part of the answer.
    subjects: (c, ctx) => parts.flatMap((p) => p.subjects?.(c, ctx) ?? []),
  };
}

function anyOf(parts: CompiledMatch[]): CompiledMatch {
  const programs = parts.every((p) => p.programs) ? new Set(parts.flatMap((p) => [...p.programs!])) : null;
  return {
    programs,
    test: (c, ctx) => {
      let r: Tri = NO;
      for (const p of parts) {
        const t = p.test(c, ctx);
        if (t === YES) return YES;
        if (t === MAYBE) r = MAYBE;
      }
      return r;
    },
    // The alternatives that hit; those that only maybe hit when none surely did.
    subjects: (c, ctx) => {
      const tests = parts.map((p) => p.test(c, ctx));
      const want = tests.includes(YES) ? YES : MAYBE;
      return parts.flatMap((p, i) => (tests[i] === want ? (p.subjects?.(c, ctx) ?? []) : []));
    },
  };
}

function expandList(v: string | string[], lists: Lists): string[] {
  const out: string[] = [];
  for (const item of Array.isArray(v) ? v : [v]) {
    if (item.startsWith('@')) {
      const l = lists.get(item.slice(1));
      if (!l) throw new UnknownListError(`unknown list ${item}: define it under lists: in rules/lists.yaml`);
      out.push(...expandList([...l], lists));
    } else out.push(item);
  }
  return out;
}

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

function userRegex(source: string): RegExp {
  return source.startsWith('(?i)') ? new RegExp(source.slice(4), 'i') : new RegExp(source);
}

function anyWord(values: (string | null)[], res: RegExp[]): Tri {
  let r: Tri = NO;
  for (const v of values) {
    if (v === null) r = MAYBE;
    else if (res.some((re) => re.test(v))) return YES;
  }
  return r;
}

// ---- witnesses (what made a part match) -----------------------------------------

/** Words a glob hit, as the agent wrote them; or, when none surely did, the words only known at run time. */
function wordsHit(words: readonly Word[], res: RegExp[]): string[] {
  const hits = words.filter((w) => w.value !== null && res.some((re) => re.test(w.value!))).map((w) => w.value!);
  return hits.length ? [...new Set(hits)] : unknownWords(words);
}

function unknownWords(words: readonly Word[]): string[] {
  return [...new Set(words.filter((w) => w.value === null).map((w) => w.raw))];
}

function hostsWhere(c: Command, hit: (host: string) => boolean): string[] {
  const hits = c.hosts.filter((h) => h.host !== null && hit(h.host)).map((h) => h.host!);
  return [...new Set(hits.length ? hits : c.hosts.filter((h) => h.host === null).map((h) => h.raw))];
}

/** `~/.npmrc` rather than `/home/dev/.npmrc`: shorter, and what people recognise. */
export function tildify(p: string, home: string): string {
  if (!home || home === '/') return p;
  if (p === home) return '~';
  return p.startsWith(home + '/') ? '~' + p.slice(home.length) : p;
}

/** The paths a path glob hit; unknown targets count only where an unknown path is a maybe (writes). */
function pathsHit(targets: PathTarget[], matcher: PathMatcher, ctx: MatchContext, unknownCounts: boolean): string[] {
  const hits: string[] = [];
  const unknown: string[] = [];
  for (const t of targets) {
    const paths = ctx.pathsOf(t);
    if (paths === null) unknown.push(t.raw);
    else {
      const p = matcher.first(paths, ctx);
      if (p !== null) hits.push(tildify(p, ctx.home));
    }
  }
  return [...new Set(hits.length ? hits : unknownCounts ? unknown : [])];
}

const optionCache = new WeakMap<Command, ParsedOptions>();
const SINGLE_DASH = new Set(['find', 'dd', 'terraform', 'tofu', 'java']);

function optionsOf(c: Command): ParsedOptions {
  let o = optionCache.get(c);
  if (!o) {
    const p = c.program ?? '';
    o = parseOptions(c.argv.slice(1), { singleDashLong: SINGLE_DASH.has(p), takesValue: PROGRAM_OPTIONS[p] });
    optionCache.set(c, o);
  }
  return o;
}

const VAR_REF = /\$\{?#?!?([A-Za-z_][A-Za-z0-9_]*)/g;

/** The names of the variables referenced in some text. */
function variablesIn(raw: string): string[] {
  const names: string[] = [];
  if (raw.includes('$')) for (const m of raw.matchAll(VAR_REF)) names.push(m[1]);
  return names;
}

/**
 * Whether a variable `res` names flows into a command: referenced in its words, redirects
 * or heredoc, or in the words of an earlier stage of its pipeline (echo "$SECRET" | nc host 80).
 * The earliest such stage of each pipeline is found once per evaluation, not per command.
 */
/** The variables a command and the earlier stages of its pipeline refer to (the witness of variablesFlowInto). */
function referencedVariables(c: Command, script: Script): string[] {
  const names: string[] = [];
  const own = (x: Command) => {
    for (const w of x.argv) names.push(...variablesIn(w.raw));
    for (const r of x.redirects) names.push(...variablesIn(r.target.raw));
    if (x.stdin) names.push(...variablesIn(x.stdin));
  };
  own(c);
  const stage = stageOf(c, script);
  if (stage) {
    for (const o of script.commands) {
      const s = o === c ? null : stageOf(o, script);
      if (s && s.id === stage.id && s.index < stage.index) own(o);
    }
  }
  return names;
}

function variablesFlowInto(c: Command, ctx: MatchContext, res: RegExp[], key: object): boolean {
  const named = (raw: string) => variablesIn(raw).some((v) => res.some((re) => re.test(v)));
  // One heredoc text reaches every stage of `cat <<EOF | cat | …`: each text is scanned once.
  const stdinNamed = new Map<string, boolean>();
  const refers = (x: Command) => {
    if (x.argv.some((w) => named(w.raw)) || x.redirects.some((r) => named(r.target.raw))) return true;
    if (!x.stdin) return false;
    let r = stdinNamed.get(x.stdin);
    if (r === undefined) stdinNamed.set(x.stdin, (r = named(x.stdin)));
    return r;
  };
  if (refers(c)) return true;
  const stage = stageOf(c, ctx.script);
  if (!stage) return false;
  const first = once(ctx, key, () => firstStages(ctx.script, refers)).get(stage.id);
  return first !== undefined && first < stage.index;
}

/** Host globs: `*` is the only wildcard ([::1] is a literal IPv6 address, not a class). */
function hostGlob(pattern: string): RegExp {
  const p = pattern.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  return new RegExp(`^${p.split('*').map((x) => x.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^]*')}$`);
}

function subcommandOf(c: Command): (string | null)[] {
  const spec = (c.program && GLOBAL_OPTION_SPECS[c.program]) || { stopAtPositional: true };
  const first = parseOptions(c.argv.slice(1), { ...spec, stopAtPositional: true }).positionals[0];
  return first ? [first.value] : [];
}

// ---- paths ------------------------------------------------------------------

function anyPath(targets: PathTarget[], matcher: PathMatcher, ctx: MatchContext, unknown: Tri): Tri {
  let r: Tri = NO;
  for (const t of targets) {
    const paths = ctx.pathsOf(t);
    if (paths === null) r = unknown > r ? unknown : r;
    else if (matcher.test(paths, ctx)) return YES;
  }
  return r;
}

// ---- relations between commands ----------------------------------------------

// Each relation below holds between a command and others anywhere in the line. What they
// need about the whole line is worked out once per evaluation (`once`), so that checking
// every command of a long line stays linear rather than scanning the line per command.

const perEvaluation = new WeakMap<MatchContext, Map<object, unknown>>();

/** `make()` once per evaluation (a MatchContext is made per evaluate) and per `key`. */
function once<T>(ctx: MatchContext, key: object, make: () => T): T {
  let m = perEvaluation.get(ctx);
  if (!m) perEvaluation.set(ctx, (m = new Map()));
  if (!m.has(key)) m.set(key, make());
  return m.get(key) as T;
}

/** The pipeline stage a command runs in: its own, or that of the command it runs inside. */
function stageOf(c: Command, script: Script): { id: number; index: number } | null {
  let cur: Command | undefined = c;
  while (cur) {
    if (cur.pipeline) return cur.pipeline;
    cur = cur.origin.kind === 'top' ? undefined : script.commands[cur.origin.parent];
  }
  return null;
}

/** For each pipeline, the earliest stage holding a command that `pred` accepts. */
function firstStages(script: Script, pred: (o: Command) => boolean): Map<number, number> {
  const first = new Map<number, number>();
  for (const o of script.commands) {
    const s = stageOf(o, script);
    if (!s || !pred(o)) continue;
    const prev = first.get(s.id);
    if (prev === undefined || s.index < prev) first.set(s.id, s.index);
  }
  return first;
}

const programIn = (o: Command, from: RegExp[]) => o.program !== null && from.some((r) => r.test(o.program!));

function pipelineFeeds(c: Command, ctx: MatchContext, from: RegExp[], key: object): boolean {
  const stage = stageOf(c, ctx.script);
  if (!stage) return false;
  const first = once(ctx, key, () => firstStages(ctx.script, (o) => programIn(o, from))).get(stage.id);
  return first !== undefined && first < stage.index;
}

function substitutedFrom(c: Command, ctx: MatchContext, from: RegExp[], key: object): boolean {
  const script = ctx.script;
  // The commands that have a `from` command inside a substitution in their words, at any depth.
  const parents = once(ctx, key, () => {
    const out = new Set<Command>();
    for (const o of script.commands) {
      if (!programIn(o, from)) continue;
      let cur: Command | undefined = o;
      while (cur && cur.origin.kind !== 'top') {
        const parent: Command = script.commands[cur.origin.parent];
        if (cur.origin.kind === 'substitution') out.add(parent);
        cur = parent;
      }
    }
    return out;
  });
  // c and the wrappers it was unwrapped from (sudo bash <(curl …): the <(…) belongs to sudo's words).
  if (parents.has(c)) return true;
  for (let cur: Command = c; cur.wrappers.length && cur.origin.kind === 'nested'; ) {
    cur = script.commands[cur.origin.parent];
    if (parents.has(cur)) return true;
  }
  return false;
}

/** The earlier stages of c's pipeline that run one of `from` (the witness of pipelineFeeds, for subjects). */
function feeders(c: Command, script: Script, from: RegExp[]): Command[] {
  const stage = stageOf(c, script);
  if (!stage) return [];
  return script.commands.filter((o) => {
    if (o === c || !programIn(o, from)) return false;
    const s = stageOf(o, script);
    return !!s && s.id === stage.id && s.index < stage.index;
  });
}

/** The `from` commands inside substitutions in c's words or its wrappers' (the witness of substitutedFrom). */
function substitutionSources(c: Command, script: Script, from: RegExp[]): Command[] {
  const owners = new Set<Command>([c]);
  for (let cur: Command = c; cur.wrappers.length && cur.origin.kind === 'nested'; ) {
    cur = script.commands[cur.origin.parent];
    owners.add(cur);
  }
  return script.commands.filter((o) => {
    if (!programIn(o, from)) return false;
    let cur: Command | undefined = o;
    while (cur && cur.origin.kind !== 'top') {
      const parent: Command = script.commands[cur.origin.parent];
      if (cur.origin.kind === 'substitution' && owners.has(parent)) return true;
      cur = parent;
    }
    return false;
  });
}

function runsFileFrom(c: Command, ctx: MatchContext, from: RegExp[], runners: RegExp[], key: object): Tri;
function runsFileFrom(c: Command, ctx: MatchContext, from: RegExp[], runners: RegExp[], key: object, collect: true): string[];
function runsFileFrom(c: Command, ctx: MatchContext, from: RegExp[], runners: RegExp[], key: object, collect = false): Tri | string[] {
  // Each path written by a `from` command (or one it pipes into), with the first such command's index.
  const writtenAt = once(ctx, key, () => {
    const feeds = {};
    const at = new Map<string, number>();
    for (const o of ctx.script.commands) {
      if (o.program === null) continue;
      if (!programIn(o, from) && !pipelineFeeds(o, ctx, from, feeds)) continue;
      for (const t of o.writes) for (const p of ctx.pathsOf(t) ?? []) if ((at.get(p) ?? Infinity) > o.index) at.set(p, o.index);
    }
    return at;
  });
  // Written by a command before this one.
  const written = { has: (p: string) => (writtenAt.get(p) ?? Infinity) < c.index };
  if (!writtenAt.size) return collect ? [] : NO;
  const candidates: PathTarget[] = [];
  const resolve = (v: string): PathTarget => ({ raw: v, paths: v.startsWith('/') ? [path.posix.normalize(v)] : (c.cwds ?? []).map((d) => path.posix.resolve(d, v)), glob: false });
  if (c.argv[0]?.value?.includes('/')) candidates.push(resolve(c.argv[0].value));
  if (c.program !== null && runners.some((r) => r.test(c.program!))) {
    // The script is the first positional (bash i.sh, python3 x.py); later ones are its data.
    const script = optionsOf(c).positionals[0];
    if (script?.value) candidates.push(resolve(script.value));
  }
  const hits: string[] = [];
  for (const t of candidates) for (const p of ctx.pathsOf(t) ?? []) if (written.has(p)) {
    if (!collect) return YES;
    hits.push(p);
  }
  return collect ? [...new Set(hits)] : NO;
}
