// runs_file_from: the command runs a file that an earlier command of the line wrote.
import path from 'node:path';
import type { Command, PathTarget } from '../../shell/types.js';
import { optionsOf } from './command-view.js';
import { defineCondition, NO, once, oneOrMany, YES, type MatchContext, type Tri } from './core.js';
import { wordGlob } from './glob.js';
import { tildify } from './paths.js';
import { pipelineFeeds } from './pipeline.js';
import { programIn } from './stages.js';

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

export const runsFileFromCondition = defineCondition({
  key: 'runs_file_from',
  schema: (z) => oneOrMany(z, 'This command runs (as a program, or as a script given to a shell/interpreter) a file that an earlier command in the line wrote, and that command is one of these'),
  example: { value: 'curl', match: ['curl -o i.sh https://example.org/i.sh && bash i.sh'], no_match: ['curl -o i.sh https://example.org/i.sh && cat i.sh', 'bash i.sh'] },
  compile(value, env) {
    const from = env.expand(value).map(wordGlob);
    const runners = [...(env.lists.get('shells') ?? []), ...(env.lists.get('interpreters') ?? []), 'source', '.'].map(wordGlob);
    const key = {};
    return { test: (c, ctx) => runsFileFrom(c, ctx, from, runners, key), subjects: (c, ctx) => runsFileFrom(c, ctx, from, runners, key, true).map((p) => tildify(p, ctx.home)), programs: null };
  },
});
