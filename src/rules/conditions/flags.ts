// flags: an option given in any spelling (bundled, --opt=value, an unambiguous long prefix).
import { longFlagMatches, optionsOf } from './command-view.js';
import { defineCondition, MAYBE, NO, YES } from './core.js';
import { unknownWords } from './glob.js';

export const flags = defineCondition({
  key: 'flags',
  schema: (z) =>
    z
      .array(z.string().regex(/^--?[^-=\s][^=\s]*$/, 'a flag looks like -f or --force'))
      .min(1)
      .describe('Any of these flags is present, in any spelling: bundled (-rf has -r), --opt=value, and unambiguous long prefixes (--rec means --recursive)'),
  example: { value: ['-f', '--force'], match: ['git push -fu origin main', 'git push --forc'], no_match: ['git push origin main'] },
  compile(wanted) {
    return {
      test: (c) => {
        const o = optionsOf(c);
        const hit = o.flags.some((f) => wanted.some((w) => (w.startsWith('--') ? longFlagMatches(f, w) : f === w)));
        if (hit) return YES;
        return c.argv.slice(1).some((w) => w.value === null) ? MAYBE : NO;
      },
      subjects: (c) => {
        const hits = optionsOf(c).flags.filter((f) => wanted.some((w) => (w.startsWith('--') ? longFlagMatches(f, w) : f === w)));
        return hits.length ? hits : unknownWords(c.argv.slice(1));
      },
      programs: null,
    };
  },
});
