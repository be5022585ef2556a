// script_from_stdin: the command reads the program it runs from stdin.
import { defineCondition, NO, YES } from './core.js';

export const scriptFromStdin = defineCondition({
  key: 'script_from_stdin',
  schema: (z) => z.boolean().describe('The command takes the program it runs from stdin: sh, bash -s, python -, node with no script argument'),
  example: { value: true, match: ['cat setup.sh | bash -s'], no_match: ['bash setup.sh'] },
  compile(want) {
    return { test: (c) => (c.scriptFromStdin === want ? YES : NO), programs: null };
  },
});
