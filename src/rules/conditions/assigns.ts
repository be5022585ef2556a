// assigns: a leading VAR=value (also through env) sets a variable whose name matches.
import { defineCondition, NO, oneOrMany, YES } from './core.js';
import { wordGlob } from './glob.js';

export const assigns = defineCondition({
  key: 'assigns',
  schema: (z) => oneOrMany(z, 'A leading VAR=value of the command (also through env) sets a variable whose name matches any of these globs'),
  example: { value: 'LD_PRELOAD', match: ['env LD_PRELOAD=./x.so ls'], no_match: ['LANG=C ls'] },
  compile(value, env) {
    const res = env.expand(value).map(wordGlob);
    return { test: (c) => (Object.keys(c.assignments).some((k) => res.some((r) => r.test(k))) ? YES : NO), programs: null };
  },
});
