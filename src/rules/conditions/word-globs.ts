// args, words, operands: a glob over a command's words, differing only in which words.
import type { Command, Word } from '../../shell/types.js';
import { optionsOf } from './command-view.js';
import { defineCondition, oneOrMany, type CompileEnv, type CompiledMatch } from './core.js';
import { anyGlobWord, globPrefix, wordGlobs, wordsHit } from './glob.js';

function globsOver(value: string | string[], env: CompileEnv, wordsOf: (c: Command) => readonly Word[]): CompiledMatch {
  const globs = env.expand(value);
  const res = wordGlobs(globs);
  const prefixes = globs.map(globPrefix);
  return { test: (c) => anyGlobWord(wordsOf(c), res, prefixes), subjects: (c) => wordsHit(wordsOf(c), res), programs: null };
}

export const args = defineCondition({
  key: 'args',
  schema: (z) => oneOrMany(z, 'Any positional (non-option) word matches any of these globs (* matches anything, including /)'),
  example: { value: ['+*', ':*'], match: ['git push origin +main'], no_match: ['git push origin main'] },
  compile: (value, env) => globsOver(value, env, (c) => optionsOf(c).positionals),
});

export const words = defineCondition({
  key: 'words',
  schema: (z) => oneOrMany(z, 'Any argv word after the program, options included, matches any of these globs'),
  example: { value: '-delete', match: ['find . -name "*.o" -delete'], no_match: ['find . -name "*.o" -print'] },
  compile: (value, env) => globsOver(value, env, (c) => c.argv.slice(1)),
});

export const operands = defineCondition({
  key: 'operands',
  schema: (z) => oneOrMany(z, "Any positional word after the subcommand matches a glob (npm install <operand>), with the program's value-taking options skipped"),
  example: { value: 'left-pad', match: ['npm install --save left-pad'], no_match: ['npm left-pad install'] },
  compile: (value, env) => globsOver(value, env, (c) => optionsOf(c).positionals.slice(1)),
});
