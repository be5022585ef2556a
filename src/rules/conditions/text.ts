// text: the command's source text as written, before expansion.
import { defineCondition, NO, oneOrMany, YES } from './core.js';
import { wordGlob } from './glob.js';

export const text = defineCondition({
  key: 'text',
  schema: (z) =>
    oneOrMany(z, "The command's source text, as written before expansion, matches any of these globs (* matches anything, including /): for literal mentions of a path whatever the program (a private copy of a shell, a socket)"),
  example: { value: '*/var/run/docker.sock*', match: ['curl --unix-socket /var/run/docker.sock http://x/containers/json'], no_match: ['curl http://x/containers/json'] },
  compile(value, env) {
    // A literal mention, never a maybe (a word only known at run time is not text that matches).
    // The literal pieces of a glob must all appear before its regular expression (a
    // backtracking ^[\s\S]*…$ over every command's text) is worth running.
    const globs = env.expand(value).map((g) => ({ re: wordGlob(g), pieces: g.split(/\*|\?|\[[^\]]*\]/).filter((p) => p.length > 1) }));
    const fits = (t: string) => globs.some((g) => g.pieces.every((p) => t.includes(p)) && g.re.test(t));
    return { test: (c) => (fits(c.text) ? YES : NO), programs: null };
  },
});
