// writes, reads: the paths a command writes or reads, against path globs, after cd, ~, ..
// and symlinks are resolved.
import type { PathTarget } from '../../shell/types.js';
import { PathMatcher } from '../paths.js';
import { defineCondition, MAYBE, NO, oneOrMany, YES, type MatchContext, type Tri } from './core.js';

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
