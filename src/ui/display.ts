// Showing commands to a person safely. An agent's command can carry terminal escape
// sequences (or bidi overrides) that would repaint a prompt or hide text: every command
// shown on a terminal goes through escapeForTerminal.
import { createRequire } from 'node:module';
import type { ChalkInstance } from 'chalk';

const require = createRequire(import.meta.url);
let chalk: ChalkInstance | null = null;

/**
 * Colour for everything agentguard prints. chalk already turns colour off for pipes and
 * on for FORCE_COLOR; NO_COLOR (present and non-empty, per no-color.org) turns it off.
 * Loaded on first use: `check --json` and the hooks print no colour and skip its start-up.
 */
export const paint: ChalkInstance = new Proxy({} as ChalkInstance, {
  get(_t, prop) {
    // Where chalk would colour nothing (its own test: no terminal and no FORCE_COLOR), a plain
    // stand-in: loading chalk costs a cold `agentguard check` into a pipe several milliseconds.
    if (!chalk && process.env.FORCE_COLOR === undefined && (process.env.NO_COLOR || !process.stdout.isTTY)) return plain;
    if (!chalk) {
      const { Chalk } = require('chalk') as typeof import('chalk');
      chalk = new Chalk(process.env.NO_COLOR ? { level: 0 } : {});
    }
    return Reflect.get(chalk, prop) as unknown;
  },
});

/** chalk without colour: any chain of styles gives back its text (chalk joins arguments with a space). */
const plain: unknown = new Proxy(function () {}, {
  get: () => plain,
  apply: (_t, _this, args: unknown[]) => args.join(' '),
});

const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/g;

export function escapeForTerminal(text: string, { keepNewlines = false } = {}): string {
  const s = text.replace(UNSAFE, (ch) => {
    const code = ch.charCodeAt(0);
    if (code === 0x1b) return '\\e';
    if (code === 0x0d) return '\\r';
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`;
  });
  return keepNewlines ? s : s.replace(/\t/g, '\\t').replace(/\n/g, '\\n');
}

/** An argv as a shell would need it typed, escaped for the terminal. */
export function showArgv(argv: readonly string[]): string {
  const { quote } = require('shell-quote') as typeof import('shell-quote');
  return escapeForTerminal(quote([...argv]));
}
