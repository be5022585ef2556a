// min_operands: how many positional words follow the subcommand. Tools whose read and write
// share a spelling tell them apart by count: `git config --global user.name` prints the
// value, `git config --global user.name Dev` sets it.
import { optionsOf } from './command-view.js';
import { defineCondition, MAYBE, NO, YES } from './core.js';

export const minOperands = defineCondition({
  key: 'min_operands',
  schema: (z) =>
    z
      .number()
      .int()
      .min(1)
      .describe("At least this many positional words follow the subcommand, with the program's value-taking options skipped (git config KEY VALUE sets, git config KEY reads)"),
  example: { value: 2, match: ['git config --global user.name Dev'], no_match: ['git config --global user.name'] },
  compile(min) {
    return {
      test: (c) => {
        const o = optionsOf(c);
        if (o.positionals.length - 1 >= min) return YES;
        // A word only known at run time ("$@") may stand for any number of words.
        return c.argv.slice(1).some((w) => w.value === null) ? MAYBE : NO;
      },
      programs: null,
    };
  },
});
