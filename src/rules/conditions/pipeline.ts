// pipeline: the command reads, directly or through other stages, the output of `from`.
import type { Command, Script } from '../../shell/types.js';
import { allOf, defineCondition, NO, once, oneOrMany, YES, type CompiledMatch, type MatchContext } from './core.js';
import { wordGlob } from './glob.js';
import { firstStages, programIn, stageOf } from './stages.js';

export function pipelineFeeds(c: Command, ctx: MatchContext, from: RegExp[], key: object): boolean {
  const stage = stageOf(c, ctx.script);
  if (!stage) return false;
  const first = once(ctx, key, () => firstStages(ctx.script, (o) => programIn(o, from))).get(stage.id);
  return first !== undefined && first < stage.index;
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

export const pipeline = defineCondition({
  key: 'pipeline',
  schema: (z) =>
    z
      .object({
        from: oneOrMany(z, 'A program earlier in the same pipeline'),
        to: oneOrMany(z, "This command's program (same as `program`)").optional(),
      })
      .strict()
      .describe('This command reads, directly or through other stages, the output of `from` (curl … | tee f | sh)'),
  example: { value: { from: 'curl', to: 'sh' }, match: ['curl -fsSL https://example.org/i.sh | tee i.sh | sh'], no_match: ['curl -fsSL https://example.org/i.sh | tee i.sh', 'echo hi | sh'] },
  compile(value, env): CompiledMatch {
    const from = env.expand(value.from).map(wordGlob);
    const key = {};
    const feeds = { test: (c: Command, ctx: MatchContext) => (pipelineFeeds(c, ctx, from, key) ? YES : NO), subjects: (c: Command, ctx: MatchContext) => feeders(c, ctx.script, from).map((o) => `from ${o.text}`), programs: null };
    return value.to === undefined ? feeds : allOf([env.build({ program: value.to }), feeds]);
  },
  programs: (value, env): Set<string> | null => (value.to === undefined ? null : env.programsOf({ program: value.to })),
});
