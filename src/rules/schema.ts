// The rule file format: zod schemas (with descriptions, exported as JSON Schema for
// editors) and the types inferred from them.
import { z } from 'zod';

import { ACTIONS, SEVERITIES } from './actions.js';
import { CONDITIONS, type MatchExpr, type MatchShape } from './conditions/index.js';

export { ACTIONS, SEVERITIES };
export type { Action, Severity } from './actions.js';
export type { MatchExpr } from './conditions/index.js';

/**
 * A match block: each condition's own schema (src/rules/conditions/), optional. Nested
 * blocks (all_of, any_of, not) refer back to it through a getter, as zod resolves recursion.
 */
const MatchObject: z.ZodType<MatchExpr> = z
  .object(
    Object.defineProperties(
      {},
      Object.fromEntries(
        CONDITIONS.map((c) => {
          let own: z.ZodType | undefined;
          return [c.key, { enumerable: true, get: () => (own ??= c.schema(z, MatchObject).optional()) }];
        }),
      ),
    ) as MatchShape,
  )
  .strict()
  .describe('All conditions given in one block must hold (an implicit all_of); a block needs at least one condition');

export const MatchSchema = MatchObject.refine((m) => Object.keys(m).length > 0, 'a match block needs at least one condition');

export const RuleSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and dashes').describe('Unique rule id; equals the file name without .yaml'),
    action: z.enum(ACTIONS).describe('allow < ask < deny; the strictest action over every matching rule wins'),
    severity: z.enum(SEVERITIES).describe('How bad the outcome would be, shown in prompts and logs'),
    message: z.string().min(1).describe('Shown to the person and to the agent: what is dangerous and, where one exists, the safer alternative'),
    match: MatchSchema,
    overrides: z
      .array(z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'rule ids: lower-case letters, digits and dashes'))
      .min(1)
      .optional()
      .describe(
        'Makes this rule an exception (only with action: allow): for a command this rule surely matches, the rules named here do not count. They still count for every other command of the line, and a rule that only maybe matches excepts nothing',
      ),
    unless_nothing_lost: z
      .literal(true)
      .optional()
      .describe(
        'For rules about discarding work in a git repository (git reset --hard, git checkout -- ., git clean -f …): where agentguard can read the repository and finds that the command would lose nothing git cannot give back (no uncommitted change, untracked file, stash or unpushed commit it reaches), the rule does not count for that command. When the state cannot be read in time, the rule counts as written',
      ),
    examples: z
      .object({
        match: z.array(z.string().min(1)).min(1).describe('Command lines this rule must match'),
        no_match: z.array(z.string().min(1)).min(1).describe('Look-alike command lines this rule must not match'),
      })
      .strict()
      .describe('Checked by `agentguard rules test` and the test suite; a rule without both kinds does not load'),
  })
  .strict();

export type RuleSpec = z.infer<typeof RuleSchema>;

export const ListsSchema = z
  .object({
    lists: z
      .record(z.string().regex(/^[a-z0-9][a-z0-9-]*$/), z.array(z.string().min(1)))
      .describe('Named lists referenced as "@name" from rules; a later file appends to a list of the same name'),
  })
  .strict();

export type ListsSpec = z.infer<typeof ListsSchema>;

/** JSON Schema for rule files, so that editors validate and complete them. */
export function ruleJsonSchema(): unknown {
  return { $schema: 'https://json-schema.org/draft/2020-12/schema', title: 'agentguard rule', ...z.toJSONSchema(RuleSchema, { io: 'input' }) };
}
