// wrapped_by: the command was started through a wrapper (sudo, env, xargs …).
import { defineCondition, NO, oneOrMany, YES } from './core.js';
import { wordGlob } from './glob.js';

export const wrappedBy = defineCondition({
  key: 'wrapped_by',
  schema: (z) => oneOrMany(z, 'The command was started through one of these wrappers (sudo, env, xargs …)'),
  example: { value: 'sudo', match: ['sudo ls /root'], no_match: ['ls /root', 'env ls /root'] },
  compile(value, env) {
    const res = env.expand(value).map(wordGlob);
    return { test: (c) => (c.wrappers.some((w) => res.some((r) => r.test(w))) ? YES : NO), subjects: (c) => c.wrappers.filter((w) => res.some((r) => r.test(w))), programs: null };
  },
});
