// What every rule condition shares: three-valued results, the context a command is
// matched in, a compiled part and how parts combine, @list expansion, and the shape of
// a condition module (defineCondition). zod is imported for types only: conditions are
// compiled on the cold path of `agentguard check`, which must not load zod.
import type { z } from 'zod';
import type { Command, PathTarget, Script } from '../../shell/types.js';

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
  /** Whether the command's environment may hold secrets (see Environment); absent: it may. */
  environment?: Environment;
  /** Sizes (bytes) above which an allocation or a write counts as large; absent: LARGE_WRITE_BYTES. */
  largeWriteBytes?: number;
}

/**
 * What the command's environment holds, told to the engine by its caller:
 * - `secrets`: it may hold tokens and keys (a hook outside a session, policy-only mode, `check`);
 * - `scrubbed`: the session removed secret-looking variables from every shell the agent starts
 *   and no unscrubbed process of the agent is visible to it (a sandboxed session).
 */
export type Environment = 'secrets' | 'scrubbed';

/** Default threshold for a large allocation or write: 10 GiB. */
export const LARGE_WRITE_BYTES = 10 * 1024 ** 3;

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

export type Lists = ReadonlyMap<string, readonly string[]>;

/**
 * A match block as conditions see a nested one. Opaque here: the block's real type
 * (MatchExpr, in index.ts) is derived from the condition list, which this module must
 * not depend on.
 */
export type MatchBlock = Readonly<Record<string, unknown>>;

/** What a condition's compile step may use besides its own value. */
export interface CompileEnv {
  lists: Lists;
  /** A value with every "@name" replaced by the named list's items. */
  expand(v: string | string[]): string[];
  /** Compiles a nested match block (combinators, pipeline.to). */
  build(expr: MatchBlock): CompiledMatch;
  /** The programs a nested match block can apply to (null: any). */
  programsOf(expr: MatchBlock): Set<string> | null;
}

type Zod = typeof z;

/**
 * One condition of the match language: its key in a match block, its zod schema (with a
 * description: the README and the JSON Schema are generated from it), an example that the
 * test suite checks, and how a value compiles into a matcher.
 */
export interface Condition<K extends string = string, S extends z.ZodType = z.ZodType> {
  key: K;
  /** Built with the zod passed in, so that only validation (never matching) loads zod. */
  schema(zod: Zod, matchBlock: z.ZodType<MatchBlock>): S;
  /** For the docs and the test suite: the condition alone must match `match` and not `no_match`. */
  example: {
    value: z.output<S>;
    match: string[];
    no_match: string[];
    /** The environment each kind of example runs in, where it is not the default (`secrets`). */
    environments?: { match?: Environment; no_match?: Environment };
  };
  compile(value: z.output<S>, env: CompileEnv): CompiledMatch;
  /** The programs a block with this condition can apply to (absent or null: any). */
  programs?(value: z.output<S>, env: CompileEnv): Set<string> | null;
  /** Its strings are not "@name" list references (regular expressions). */
  literal?: boolean;
}

/** Declares a condition; the identity, so that the value type is inferred from the schema. */
export function defineCondition<K extends string, S extends z.ZodType>(c: Condition<K, S>): Condition<K, S> {
  return c;
}

/** One value or a list of them; "@name" names a list. */
export const oneOrMany = (zod: Zod, what: string) =>
  zod.union([zod.string().min(1), zod.array(zod.string().min(1)).min(1)]).describe(`${what}: one value or a list; "@name" refers to a named list in lists.yaml`);

export function expandList(v: string | string[], lists: Lists): string[] {
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

const GLOB = /[*?[]/;
const globRes = new Map<string, RegExp>();

/** Whether a program name fits an entry of a program set (a name, or a glob such as python3.*). */
export function programFits(entry: string, name: string): boolean {
  if (!GLOB.test(entry)) return entry === name;
  // * and ? only (python3.*, the most common): matched by hand, since a cold check meets
  // dozens of these globs once each and compiling a RegExp for each cost more than the check.
  if (!entry.includes('[')) return starGlob(entry, name);
  let re = globRes.get(entry);
  if (!re) globRes.set(entry, (re = new RegExp(`^${entry.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '[\\s\\S]*').replace(/\?/g, '[\\s\\S]')}$`)));
  return re.test(name);
}

/** Whether name fits a glob of * (any run) and ? (any one character). */
function starGlob(glob: string, name: string): boolean {
  let g = 0;
  let n = 0;
  let star = -1;
  let mark = 0;
  while (n < name.length) {
    if (g < glob.length && (glob[g] === '?' || (glob[g] !== '*' && glob[g] === name[n]))) {
      g++;
      n++;
    } else if (g < glob.length && glob[g] === '*') {
      star = g++;
      mark = n;
    } else if (star >= 0) {
      g = star + 1;
      n = ++mark;
    } else return false;
  }
  while (g < glob.length && glob[g] === '*') g++;
  return g === glob.length;
}

/**
 * The programs both sets allow. Sets may hold globs (python3.*): the result is never smaller
 * than the true intersection (a rule must not lose a program it can apply to), so a name of
 * one set that fits a glob of the other stays, and globs stay when the other set has globs too.
 */
export function intersectPrograms(a: Set<string>, b: Set<string>): Set<string> {
  const globsA = [...a].filter((x) => GLOB.test(x));
  const globsB = [...b].filter((x) => GLOB.test(x));
  const out = new Set<string>();
  for (const x of a) if (!GLOB.test(x) && (b.has(x) || globsB.some((g) => programFits(g, x)))) out.add(x);
  for (const x of b) if (!GLOB.test(x) && globsA.some((g) => programFits(g, x))) out.add(x);
  if (globsA.length && globsB.length) for (const g of [...globsA, ...globsB]) out.add(g);
  return out;
}

export function allOf(parts: CompiledMatch[]): CompiledMatch {
  let programs = null as Set<string> | null;
  for (const p of parts) {
    const own = p.programs;
    if (own) programs = programs === null ? own : intersectPrograms(programs, own);
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

export function anyOf(parts: CompiledMatch[]): CompiledMatch {
  const programs = parts.every((p) => p.programs) ? new Set(parts.flatMap((p) => [...p.programs!])) : null;
  const branches = programDispatch(parts, (p) => p.programs);
  return {
    programs,
    test: (c, ctx) => {
      let r: Tri = NO;
      for (const p of branches(c.program)) {
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

/**
 * The alternatives of an any_of that can apply to a program: most rules list one branch per
 * tool (npm …, pnpm …, yarn …), and a command can only match the branches of its own program.
 * An alternative whose programs are unknown (null) or hold a glob is tried for every command.
 * Which are tried does not change an any_of's answer, only how many are asked. Serves both the
 * compiled any_of (below) and its gate (gate.ts).
 */
export function programDispatch<T>(parts: readonly T[], programsOf: (p: T) => ReadonlySet<string> | null): (program: string | null) => readonly T[] {
  const always = parts.filter((p) => {
    const own = programsOf(p);
    return !own || [...own].some((x) => GLOB.test(x));
  });
  if (always.length === parts.length) return () => parts;
  const byProgram = new Map<string, T[]>();
  for (const p of parts) {
    if (always.includes(p)) continue;
    for (const name of programsOf(p)!) if (!byProgram.get(name)?.includes(p)) byProgram.set(name, [...(byProgram.get(name) ?? []), p]);
  }
  // In the parts' own order, with the always-tried ones among them.
  for (const [name, list] of byProgram) byProgram.set(name, parts.filter((p) => list.includes(p) || always.includes(p)));
  return (program) => (program === null ? always : (byProgram.get(program) ?? always));
}

const perEvaluation = new WeakMap<MatchContext, Map<object, unknown>>();

/** `make()` once per evaluation (a MatchContext is made per evaluate) and per `key`. */
export function once<T>(ctx: MatchContext, key: object, make: () => T): T {
  let m = perEvaluation.get(ctx);
  if (!m) perEvaluation.set(ctx, (m = new Map<object, unknown>()));
  if (!m.has(key)) m.set(key, make());
  return m.get(key) as T;
}
