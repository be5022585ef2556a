// recursive_function: the command calls a shell function of the line that calls itself.
import { defineCondition, NO, YES } from './core.js';

export const recursiveFunction = defineCondition({
  key: 'recursive_function',
  schema: (z) => z.boolean().describe('The command calls a shell function defined in the line that calls itself (the shape of a fork bomb)'),
  example: { value: true, match: ['f() { f | f & }; f'], no_match: ['f() { echo hi; }; f'] },
  compile(want) {
    return { test: (c, ctx) => ((c.program !== null && !!ctx.script.functions[c.program]?.recursive) === want ? YES : NO), programs: null };
  },
});
