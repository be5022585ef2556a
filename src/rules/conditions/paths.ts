// writes, reads: the paths a command writes or reads, against path globs, after cd, ~, ..
// and symlinks are resolved.
import { Minimatch } from 'minimatch';
import type { PathTarget } from '../../shell/types.js';
import { defineCondition, MAYBE, NO, once, oneOrMany, YES, type MatchContext, type Tri } from './core.js';

/**
 * A rule's path globs, compiled by minimatch for a given home and workspace set.
 * Contexts are few and long-lived (one per cwd), so the compiled globs are cached by
 * the identity of the context's workspace list.
 */
class PathMatcher {
  private cache = new WeakMap<readonly string[], Minimatch[]>();
  private home: string | null = null;
  private tmpdir: string | undefined = undefined;
  constructor(private patterns: string[]) {}

  test(paths: readonly string[], ctx: MatchContext): boolean {
    if (this.home !== ctx.home || this.tmpdir !== ctx.tmpdir) {
      this.cache = new WeakMap();
      this.home = ctx.home;
      this.tmpdir = ctx.tmpdir;
    }
    let mms = this.cache.get(ctx.workspaces);
    if (!mms) {
      mms = this.patterns.flatMap((p) => concretePatterns(p, ctx)).map((p) => new Minimatch(p, { dot: true, nonegate: true, nocomment: true }));
      this.cache.set(ctx.workspaces, mms);
    }
    // A long line names the same paths again and again (> /dev/null, one output file per step):
    // each path is matched against the globs once per evaluation.
    const seen = once(ctx, this, () => new Map<string, boolean>());
    for (const p of paths) {
      let hit = seen.get(p);
      if (hit === undefined) seen.set(p, (hit = mms.some((m) => m.match(p))));
      if (hit) return true;
    }
    return false;
  }

  /** The first of `paths` a glob matches (the same search as test), or null. */
  first(paths: readonly string[], ctx: MatchContext): string | null {
    for (const p of paths) if (this.test([p], ctx)) return p;
    return null;
  }
}

function concretePatterns(pattern: string, ctx: MatchContext): string[] {
  let ps = [pattern];
  if (pattern.includes('{workspace}')) ps = ctx.workspaces.map((w) => pattern.split('{workspace}').join(w));
  return ps.flatMap((p) => {
    if (p === '~' || p.startsWith('~/')) p = ctx.home + p.slice(1);
    p = p.split('{home}').join(ctx.home);
    p = p.split('{tmpdir}').join(ctx.tmpdir || '/tmp');
    if (!p.startsWith('/') && !p.startsWith('**')) p = '**/' + p;
    if (p.length > 1 && p.endsWith('/') && !p.endsWith('**/')) p = p.slice(0, -1);
    // "dir/**" also means dir itself.
    return p.endsWith('/**') ? [p, p.slice(0, -3) || '/'] : [p];
  });
}

function anyPath(targets: PathTarget[], matcher: PathMatcher, ctx: MatchContext, unknown: Tri): Tri {
  let r: Tri = NO;
  for (const t of targets) {
    const paths = ctx.pathsOf(t);
    if (paths === null) r = unknown > r ? unknown : r;
    else if (matcher.test(paths, ctx)) return YES;
  }
  return r;
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

export const writes = defineCondition({
  key: 'writes',
  schema: (z) =>
    oneOrMany(
      z,
      'Any path the command writes (redirects, cp/mv/ln destinations, tee, dd of=, sed -i, rm …) matches any of these path globs, after cd, ~, .. and symlinks are resolved. {workspace} is each workspace root, {tmpdir} is $TMPDIR (or /tmp); "dir/**" also matches dir itself',
    ),
  example: { value: '{workspace}/config/production.yaml', match: ["sed -i 's/a/b/' config/production.yaml"], no_match: ['cat config/production.yaml'] },
  compile(value, env) {
    const m = new PathMatcher(env.expand(value));
    return { test: (c, ctx) => (c.writes.length ? anyPath(c.writes, m, ctx, MAYBE) : NO), subjects: (c, ctx) => pathsHit(c.writes, m, ctx, true), programs: null };
  },
});

export const reads = defineCondition({
  key: 'reads',
  schema: (z) => oneOrMany(z, 'Any path the command reads (input redirects, cat/grep files, cp sources, curl -d @file …) matches any of these path globs'),
  example: { value: '~/.ssh/**', match: ['cat ~/.ssh/id_ed25519'], no_match: ['cat ~/notes.txt'] },
  compile(value, env) {
    const m = new PathMatcher(env.expand(value));
    // A read of a path only known at run time stays allowed (the sandbox masks credentials);
    // an unknown write is what asks.
    return { test: (c, ctx) => (c.reads.length ? anyPath(c.reads, m, ctx, NO) : NO), subjects: (c, ctx) => pathsHit(c.reads, m, ctx, false), programs: null };
  },
});
