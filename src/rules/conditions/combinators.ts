// all_of, any_of, not: match blocks combined. A block's own conditions are an implicit all_of.
import type { z } from 'zod';
import { allOf as allParts, anyOf as anyParts, defineCondition, intersectPrograms, type Condition, type Tri } from './core.js';
import type { MatchExpr } from './index.js';

// Annotated: their value type is MatchExpr itself, which is derived from the condition list.
type Block = z.ZodType<MatchExpr>;

export const allOf: Condition<'all_of', z.ZodArray<Block>> = defineCondition({
  key: 'all_of',
  schema: (z, block: Block) => z.array(block).min(1).describe('All of these hold'),
  example: { value: [{ program: 'git' }, { subcommand: 'push' }], match: ['git push'], no_match: ['git pull'] },
  compile: (value, env) => allParts(value.map((m) => env.build(m))),
  programs(value, env) {
    const sets = value.map((m) => env.programsOf(m)).filter((p) => p !== null);
    return sets.length ? sets.reduce((a, b) => intersectPrograms(a, b)) : null;
  },
});

export const anyOf: Condition<'any_of', z.ZodArray<Block>> = defineCondition({
  key: 'any_of',
  schema: (z, block: Block) => z.array(block).min(1).describe('At least one of these holds'),
  example: { value: [{ program: 'rm' }, { program: 'unlink' }], match: ['unlink notes.txt'], no_match: ['ls notes.txt'] },
  compile: (value, env) => anyParts(value.map((m) => env.build(m))),
  programs(value, env) {
    const each = value.map((m) => env.programsOf(m));
    return each.every((p) => p) ? new Set(each.flatMap((p) => [...p!])) : null;
  },
});

export const not: Condition<'not', Block> = defineCondition({
  key: 'not',
  schema: (_z, block: Block) => block.describe('This does not hold'),
  example: { value: { flags: ['-n', '--dry-run'] }, match: ['git clean -fd'], no_match: ['git clean -n'] },
  compile(value, env) {
    const inner = env.build(value);
    return { test: (c, ctx) => (2 - inner.test(c, ctx)) as Tri, programs: null };
  },
});
