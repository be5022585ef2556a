// subcommand: the first positional word after the program's global options.
import { subcommandOf } from './command-view.js';
import { defineCondition, oneOrMany } from './core.js';
import { anyWord, wordGlobs } from './glob.js';

export const subcommand = defineCondition({
  key: 'subcommand',
  schema: (z) => oneOrMany(z, "The first positional word after the program's global options (git -C dir push → push); any of these"),
  example: { value: 'push', match: ['git -C repo push origin main'], no_match: ['git log push'] },
  compile(value, env) {
    const res = wordGlobs(env.expand(value));
    return { test: (c) => anyWord(subcommandOf(c), res), programs: null };
  },
});
