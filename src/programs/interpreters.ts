// Language interpreters: which take their program from stdin (python3 - <<EOF, node < x.js),
// and perl -i, which edits files in place. What their inline code does is the inline-code
// rules' (rules/inline-code).
import type { Word } from '../shell/types.js';
import type { ProgramSpec } from './types.js';
import { pushAll } from './words.js';

const PYTHONS = ['python', 'python2', 'python3', 'pypy', 'pypy3', 'python2.7', 'python3.6', 'python3.7', 'python3.8', 'python3.9', 'python3.10', 'python3.11', 'python3.12', 'python3.13', 'python3.14'];

/** Interpreters that read their program from stdin when given no script (or `-`). */
export const STDIN_INTERPRETERS: ReadonlySet<string> = new Set([...PYTHONS, 'node', 'nodejs', 'perl', 'ruby', 'php', 'lua', 'luajit', 'deno', 'bun', 'Rscript', 'osascript', 'tclsh', 'wish', 'irb', 'groovy', 'jshell', 'elixir']);

/** Whether the interpreter takes its program from stdin: python -c / -m, node -e / script.js … do not. */
export function interpreterReadsStdin(args: readonly Word[]): boolean {
  for (const a of args) {
    if (a.value === null) return false;
    if (a.value === '-') return true;
    if (!a.value.startsWith('-')) return false;
    if (/^-(c|m|e|E|r|p|i)$/.test(a.value) || /^--(eval|print|require|import)/.test(a.value)) return false;
  }
  return true;
}

export const python: ProgramSpec = { names: PYTHONS, lists: ['interpreters'], options: { takesValue: ['-c', '-m', '-W', '-X', '--check-hash-based-pycs'] } };
export const node: ProgramSpec = { names: ['node', 'nodejs', 'deno', 'bun'], lists: ['interpreters'], options: { takesValue: ['-e', '--eval', '-p', '--print', '-r', '--require', '--import', '--loader', '--experimental-loader', '-C', '--conditions', '--input-type', '--env-file', '--max-old-space-size', '--stack-size', '--title', '--inspect-port'] } };
export const others: ProgramSpec = {
  names: ['ruby', 'php', 'lua', 'luajit', 'Rscript', 'tclsh', 'wish', 'osascript', 'jshell', 'groovy', 'elixir', 'irb', 'julia', 'swift', 'kotlin', 'scala', 'clojure', 'guile', 'racket', 'sbcl', 'ghci', 'runghc', 'dotnet-script', 'pwsh-script'],
  lists: ['interpreters'],
  options: { takesValue: ['-e', '-r', '-E', '-I', '-d', '-f', '-c'] },
};

export const perl: ProgramSpec = {
  names: ['perl', 'perl5'],
  lists: ['interpreters'],
  options: { takesValue: ['-e', '-E', '-M', '-m', '-I', '-x', '-C', '-l', '-0', '-d', '-D'], optionalValue: ['-i'] },
  effects(a, out) {
    // perl -pi -e 's/…/…/' FILES edits the files in place.
    const o = a.opts;
    if (o.flags.includes('-i') && (o.values.has('-e') || o.values.has('-E'))) pushAll(out.writes, o.positionals);
  },
};

export const programs = [python, node, others, perl];
