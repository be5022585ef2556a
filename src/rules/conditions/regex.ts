// regex, stdin_regex: a JavaScript regular expression over the words, or over the text fed to stdin.
import { defineCondition, NO, YES } from './core.js';
import { anyWord, userRegex, wordsHit } from './glob.js';

export const regex = defineCondition({
  key: 'regex',
  schema: (z) => z.string().describe('A JavaScript regular expression tested against each argv word after the program, for what nothing else expresses; a leading (?i) ignores case'),
  example: { value: '(?i)^drop\\s', match: ["psql -c 'DROP TABLE users'"], no_match: ["psql -c 'select 1'"] },
  literal: true,
  compile(value) {
    const re = userRegex(value);
    return { test: (c) => anyWord(c.argv.slice(1).map((w) => w.value), [re]), subjects: (c) => wordsHit(c.argv.slice(1), [re]), programs: null };
  },
});

export const stdinRegex = defineCondition({
  key: 'stdin_regex',
  schema: (z) => z.string().describe('A regular expression tested against the literal text fed to the command by a heredoc, here-string or echo pipe'),
  example: { value: 'DROP TABLE', match: ["psql <<< 'DROP TABLE users'"], no_match: ["psql <<< 'SELECT 1'"] },
  literal: true,
  compile(value) {
    const re = userRegex(value);
    return { test: (c) => (c.stdin !== null && re.test(c.stdin) ? YES : NO), subjects: (c) => (c.stdin === null ? [] : [`stdin: ${re.exec(c.stdin)?.[0] ?? ''}`]), programs: null };
  },
});
