// program: which program a command runs, by basename, after wrappers are unwrapped.
import { defineCondition, NO, oneOrMany, YES } from './core.js';
import { wordGlob } from './glob.js';


export const program = defineCondition({
  key: 'program',
  schema: (z) => oneOrMany(z, 'Program names, compared by basename (/usr/bin/rm, \\rm and "rm" all mean rm), after wrappers such as sudo/env/xargs are unwrapped'),
  example: { value: ['rm', 'shred'], match: ['sudo /bin/rm -f notes.txt'], no_match: ['echo rm'] },
  compile(value, env) {
    const pats = env.expand(value);
    // Plain names (most are: @interpreters, @downloaders …) are a set lookup; the few globs
    // (python3.*) are tried once per program name and remembered.
    const names = new Set(pats.filter((p) => !/[*?[]/.test(p)));
    const globs = pats.filter((p) => /[*?[]/.test(p)).map(wordGlob);
    const seen = new Map<string, boolean>();
    const fits = (p: string) => {
      if (names.has(p)) return true;
      if (!globs.length) return false;
      let r = seen.get(p);
      if (r === undefined) seen.set(p, (r = globs.some((g) => g.test(p))));
      return r;
    };
    return { test: (c) => (c.program !== null && fits(c.program) ? YES : NO), programs: new Set(pats) };
  },
  // Names and globs: the rule index tries a glob against each program name it meets.
  programs: (value, env) => new Set(env.expand(value)),
});
