// program: which program a command runs, by basename, after wrappers are unwrapped.
import { defineCondition, NO, oneOrMany, YES } from './core.js';
import { wordGlob } from './glob.js';

const isExact = (pats: string[]) => pats.every((p) => !/[*?[]/.test(p));

export const program = defineCondition({
  key: 'program',
  schema: (z) => oneOrMany(z, 'Program names, compared by basename (/usr/bin/rm, \\rm and "rm" all mean rm), after wrappers such as sudo/env/xargs are unwrapped'),
  example: { value: ['rm', 'shred'], match: ['sudo /bin/rm -f notes.txt'], no_match: ['echo rm'] },
  compile(value, env) {
    const pats = env.expand(value);
    const res = pats.map(wordGlob);
    // A list of plain names (most are: @interpreters, @downloaders …) is a set lookup, not a regex per name.
    const names = isExact(pats) ? new Set(pats) : null;
    return { test: (c) => (c.program !== null && (names ? names.has(c.program) : res.some((r) => r.test(c.program!))) ? YES : NO), programs: names };
  },
  programs(value, env) {
    const pats = env.expand(value);
    return isExact(pats) ? new Set(pats) : null;
  },
});
