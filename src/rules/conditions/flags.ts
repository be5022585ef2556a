// flags: an option given in any spelling (bundled, --opt=value, an unambiguous long prefix).
import { longFlagMatches, optionsOf, optionTakesValue } from './command-view.js';
import type { Command } from '../../shell/types.js';
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
    const want = (f: string, o: ReturnType<typeof optionsOf>, c: Command) => wanted.some((w) => (w.startsWith('--') ? longFlagMatches(f, w) : f === w)) && !switchedOff(f, o, c);
    return {
      test: (c) => {
        const o = optionsOf(c);
        if (o.flags.some((f) => want(f, o, c))) return YES;
        return c.argv.slice(1).some((w) => w.value === null) ? MAYBE : NO;
      },
      subjects: (c) => {
        const o = optionsOf(c);
        const hits = o.flags.filter((f) => want(f, o, c));
        return hits.length ? hits : unknownWords(c.argv.slice(1));
      },
      programs: null,
    };
  },
});

const OFF = /^(?:false|0|no|off)$/i;

/**
 * --dry-run=false, --force=0: a switch (an option the program does not declare as taking a
 * value) given with an explicit false value is off (npm, yargs and
 * most option parsers read it so), so it neither matches nor exempts (`not: {flags: [--dry-run]}`).
 */
function switchedOff(flag: string, o: ReturnType<typeof optionsOf>, c: Command): boolean {
  // An option the program declares as taking a value keeps it: `psql --file=no` reads a file named no.
  if (!flag.startsWith('--') || optionTakesValue(c.program, flag)) return false;
  const values = o.values.get(flag);
  return !!values?.length && values.every((v) => v !== null && OFF.test(v));
}
