// Compiles a rule's match block into a function over one analysed command, by compiling
// each condition present in the block (src/rules/conditions/, one module per condition).
// Three-valued: a condition that depends on a word only known at run time
// ("$DIR", $(…)) is MAYBE, and a rule that maybe matches is at least an ask.
import { allOf, expandList, UnknownListError, type CompileEnv, type CompiledMatch, type Lists, type MatchBlock } from './conditions/core.js';
import { CONDITIONS, type MatchExpr } from './conditions/index.js';

export { MAYBE, NO, UnknownListError, YES } from './conditions/core.js';
export type { CompiledMatch, HostSet, MatchContext, Matcher, Tri, Witness } from './conditions/core.js';
export { wordGlob } from './conditions/glob.js';
export { tildify } from './conditions/paths.js';

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

function envFor(lists: Lists): CompileEnv {
  return { lists, expand: (v) => expandList(v, lists), build: (e) => buildMatch(e, lists), programsOf: (e) => programsOf(e, lists) };
}

const present = (expr: MatchBlock) => CONDITIONS.filter((c) => expr[c.key] !== undefined);
// A condition's value was validated against its own schema when the rule loaded (parse.ts).
const valueOf = (expr: MatchBlock, key: string) => expr[key] as never;

/** The programs a match block can apply to (null: any): the intersection of what its conditions allow. */
function programsOf(expr: MatchBlock, lists: Lists): Set<string> | null {
  const env = envFor(lists);
  const sets: Set<string>[] = [];
  for (const c of present(expr)) {
    const p = c.programs?.(valueOf(expr, c.key), env);
    if (p) sets.push(p);
  }
  if (!sets.length) return null;
  return sets.reduce((a, b) => new Set([...a].filter((x) => b.has(x))));
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
  return allOf(present(expr).map((c) => c.compile(valueOf(expr, c.key), env)));
}
