// environment: what the command's environment holds, as the engine's caller told it
// (GuardOptions.environment). Rules about printing the environment hold only where it may
// still hold secrets: a sandboxed session hands every shell a scrubbed one.
import { defineCondition, NO, YES } from './core.js';

export const environment = defineCondition({
  key: 'environment',
  schema: (z) =>
    z
      .enum(['secrets', 'scrubbed'])
      .describe(
        'The environment the command runs in: "secrets" when it may hold tokens and keys (agentguard check, a hook outside a session, a session without the sandbox), "scrubbed" in a sandboxed session, whose shells get secret-looking variables removed',
      ),
  example: { value: 'secrets', match: ['printenv'], no_match: ['printenv'], environments: { no_match: 'scrubbed' } },
  compile(want) {
    return { test: (_c, ctx) => ((ctx.environment ?? 'secrets') === want ? YES : NO), programs: null };
  },
});
