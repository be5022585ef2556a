// Compiles a rule's match block into a function over one analysed command, by compiling
// each condition present in the block (src/rules/conditions/, one module per condition).
// Three-valued: a condition that depends on a word only known at run time
// ("$DIR", $(…)) is MAYBE, and a rule that maybe matches is at least an ask.
import { allOf, expandList, intersectPrograms, UnknownListError, type CompileEnv, type CompiledMatch, type Lists, type MatchBlock } from './conditions/core.js';
import { CONDITIONS, type MatchExpr } from './conditions/index.js';

export { MAYBE, NO, UnknownListError, YES } from './conditions/core.js';
export type { CompiledMatch, Environment, HostSet, MatchContext, Matcher, Tri, Witness } from './conditions/core.js';
export { LARGE_WRITE_BYTES } from './conditions/core.js';
export { wordGlob } from './conditions/glob.js';
export { tildify } from './conditions/paths.js';

/**
 * Compiles a match block. Which programs it applies to is worked out now (the rule
 * index needs it, and unknown @lists are reported at load time); the matcher itself is
 * built the first time a command could match, so a one-shot `agentguard check` only
 * pays for the rules its command reaches.
 */
export function compileMatch(expr: MatchExpr, lists: Lists, known?: KnownPrograms): CompiledMatch {
  // Worked out at build time for the built-in rules (with these very lists, checked then).
  if (!known) checkLists(expr, lists);
  let built: CompiledMatch | null = null;
  const build = () => (built ??= buildMatch(expr, lists));
  return { programs: known ? (known.programs && new Set(known.programs)) : programsOf(expr, lists), test: (c, ctx) => build().test(c, ctx), subjects: (c, ctx) => build().subjects?.(c, ctx) ?? [] };
}

/** A match block's programs, worked out before (src/rules/cache.ts builtinIndex). */
export interface KnownPrograms {
  programs: readonly string[] | null;
}

const envs = new WeakMap<Lists, CompileEnv>();

function envFor(lists: Lists): CompileEnv {
  let env = envs.get(lists);
  if (!env) envs.set(lists, (env = { lists, expand: (v) => expandList(v, lists), build: (e) => buildMatch(e, lists), programsOf: (e) => programsOf(e, lists) }));
  return env;
}

// A condition's value was validated against its own schema when the rule loaded (parse.ts).
const valueOf = (expr: MatchBlock, key: string) => expr[key] as never;

// Only a few conditions narrow the programs (program, pipeline.to, the combinators): every
// rule's programs are worked out at load time, so only those are looked at.
const NARROWING = CONDITIONS.filter((c) => 'programs' in c);

/** The programs a match block can apply to (null: any): the intersection of what its conditions allow. */
function programsOf(expr: MatchBlock, lists: Lists): Set<string> | null {
  let out = null as Set<string> | null;
  for (const c of NARROWING) {
    const v = expr[c.key];
    const p: Set<string> | null = v === undefined ? null : c.programs!(v as never, envFor(lists));
    if (p) out = out === null ? p : intersectPrograms(out, p);
  }
  return out;
}

const LITERAL_KEYS = new Set<string>(CONDITIONS.filter((c) => c.literal).map((c) => c.key));

/** Every @list a match block names exists. */
function checkLists(expr: unknown, lists: Lists): void {
  if (typeof expr === 'string') {
    if (expr.startsWith('@') && !lists.has(expr.slice(1))) throw new UnknownListError(`unknown list ${expr}: define it under lists: in rules/lists.yaml`);
  } else if (Array.isArray(expr)) for (const e of expr) checkLists(e, lists);
  else if (expr && typeof expr === 'object') for (const [k, v] of Object.entries(expr)) if (!LITERAL_KEYS.has(k)) checkLists(v, lists);
}

function buildMatch(expr: MatchBlock, lists: Lists): CompiledMatch {
  const env = envFor(lists);
  // In the list's order, whatever the block's: the order in which witnesses are shown.
  return allOf(CONDITIONS.filter((c) => expr[c.key] !== undefined).map((c) => c.compile(valueOf(expr, c.key), env)));
}
