// Language interpreters: which take their program from stdin (python3 - <<EOF, node < x.js),
// perl -i, which edits files in place, and the files their inline code (-c, -e, -r, or the
// program on stdin) writes or deletes by a literal path (src/programs/inline.ts). What else
// their inline code does is the inline-code rules' (rules/inline-code).
import type { Word } from '../shell/types.js';
import { inlineCommands, inlineWrites, type Language } from './inline.js';
import { parseOptions, type OptionSpec } from './options.js';
import type { Effects, ProgramArgs, ProgramSpec, Run, RunContext } from './types.js';
import { managerRuns } from './npx.js';
import { capRuns } from './shape.js';
import { lit, pushAll } from './words.js';

const PYTHONS = ['python', 'python2', 'python3', 'pypy', 'pypy3', 'python2.7', 'python3.6', 'python3.7', 'python3.8', 'python3.9', 'python3.10', 'python3.11', 'python3.12', 'python3.13', 'python3.14'];

/** Interpreters that read their program from stdin when given no script (or `-`). */
export const STDIN_INTERPRETERS: ReadonlySet<string> = new Set([...PYTHONS, 'node', 'nodejs', 'perl', 'ruby', 'php', 'lua', 'luajit', 'lua5.1', 'lua5.2', 'lua5.3', 'lua5.4', 'deno', 'bun', 'Rscript', 'osascript', 'tclsh', 'wish', 'expect', 'irb', 'groovy', 'jshell', 'elixir']);

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

/** As for any program: a word that names a file (python3 x.py ~/.aws/credentials) may be read. */
function readsFiles(a: ProgramArgs, out: Effects) {
  const file = (v: string | null) => v !== null && v.length > 0 && v !== '-' && !/\s/.test(v) && !/^[a-z][a-z0-9+.-]*:\/\//i.test(v) && /[/.~]/.test(v);
  for (const w of a.opts.positionals) if (file(w.value)) out.reads.push(w);
}

/** The writes of an interpreter's inline code: the values of its code options, else its program on stdin. */
function inlineEffects(lang: Language, codeOptions: readonly string[]) {
  return (a: ProgramArgs, out: Effects) => {
    readsFiles(a, out);
    const code = codeOptions.flatMap((o) => a.opts.values.get(o) ?? []);
    // deno eval CODE
    if (a.program === 'deno' && a.opts.positionals[0]?.value === 'eval' && a.opts.positionals[1]) code.push(a.opts.positionals[1].value);
    for (const c of code) if (c !== null) pushAll(out.writes, inlineWrites(c, lang));
    if (!code.length && a.stdin !== null && interpreterReadsStdin(a.args)) pushAll(out.writes, inlineWrites(a.stdin, lang));
  };
}

/** Inline code's literal shell commands (os.system("…")), analysed like the line. */
function inlineRuns(lang: Language, options: OptionSpec, codeOptions: readonly string[]) {
  return (args: readonly Word[], ctx: RunContext): Run[] => {
    const o = parseOptions(args, options);
    const code = codeOptions.flatMap((k) => o.values.get(k) ?? []);
    // deno eval CODE
    if (lang === 'js' && o.positionals[0]?.value === 'eval' && o.positionals[1]) code.push(o.positionals[1].value);
    if (!code.length && ctx.stdin !== null && interpreterReadsStdin(args)) code.push(ctx.stdin);
    const texts = lang === 'perl' ? [code.every((c) => c !== null) ? code.join('\n') : null] : code;
    return capRuns(texts.flatMap((c) => (c === null ? [] : inlineCommands(c, lang))).map((script): Run => ({ kind: 'script', script: lit(script) })), `${lang} code`);
  };
}

function interpreter(names: string[], options: OptionSpec, lang: Language, codeOptions: string[]): ProgramSpec {
  return { names, lists: ['interpreters'], options, runs: inlineRuns(lang, options, codeOptions), effects: inlineEffects(lang, codeOptions) };
}

export const python = interpreter(PYTHONS, { takesValue: ['-c', '-m', '-W', '-X', '--check-hash-based-pycs'] }, 'python', ['-c']);
const NODE_OPTIONS: OptionSpec = { takesValue: ['-e', '--eval', '-p', '--print', '-r', '--require', '--import', '--loader', '--experimental-loader', '-C', '--conditions', '--input-type', '--env-file', '--max-old-space-size', '--stack-size', '--title', '--inspect-port'] };
export const node = interpreter(['node', 'nodejs', 'deno'], NODE_OPTIONS, 'js', ['-e', '--eval', '-p', '--print']);
/** bun is a JavaScript runtime first and a package manager too: `bun x PKG` is bunx (src/programs/npx.ts). */
const bunRuntime = interpreter(['bun'], NODE_OPTIONS, 'js', ['-e', '--eval', '-p', '--print']);
const BUN_HEAD: OptionSpec = { ...NODE_OPTIONS, stopAtPositional: true };
export const bun: ProgramSpec = {
  ...bunRuntime,
  runs(args, ctx) {
    const first = parseOptions(args, BUN_HEAD).positionals;
    const sub = first[0]?.value;
    if (sub) {
      const m = managerRuns('bun', sub, first.slice(1));
      if (m) return m;
    }
    return bunRuntime.runs!(args, ctx);
  },
};
export const ruby: ProgramSpec = {
  ...interpreter(['ruby', 'jruby', 'truffleruby'], { takesValue: ['-e', '-r', '-I', '-E', '--encoding', '-C', '-F', '-x'], optionalValue: ['-i'] }, 'ruby', ['-e']),
  effects(a, out) {
    // ruby -pi -e 'gsub(…)' FILES edits the files in place, as perl -pi does.
    if (a.opts.flags.includes('-i') && a.opts.values.has('-e')) pushAll(out.writes, a.opts.positionals);
    inlineEffects('ruby', ['-e'])(a, out);
  },
};
export const php = interpreter(['php', 'php-cli'], { takesValue: ['-r', '-f', '-d', '-c', '-z', '-t', '-S', '-B', '-R', '-F', '-E'] }, 'php', ['-r', '-B', '-R', '-E']);
export const lua = interpreter(['lua', 'luajit', 'lua5.1', 'lua5.2', 'lua5.3', 'lua5.4'], { takesValue: ['-e', '-l'] }, 'lua', ['-e']);
export const others: ProgramSpec = {
  names: ['Rscript', 'osascript', 'jshell', 'groovy', 'elixir', 'irb', 'julia', 'swift', 'kotlin', 'scala', 'clojure', 'guile', 'racket', 'sbcl', 'ghci', 'runghc', 'dotnet-script', 'pwsh-script'],
  lists: ['interpreters'],
  options: { takesValue: ['-e', '-r', '-E', '-I', '-d', '-f', '-c'] },
};

const PERL: OptionSpec = { takesValue: ['-e', '-E', '-M', '-m', '-I', '-x', '-C', '-l', '-0', '-d', '-D'], optionalValue: ['-i'] };

export const perl: ProgramSpec = {
  names: ['perl', 'perl5'],
  lists: ['interpreters'],
  options: PERL,
  runs: inlineRuns('perl', PERL, ['-e', '-E']),
  effects(a, out) {
    readsFiles(a, out);
    // perl -pi -e 's/…/…/' FILES edits the files in place.
    const o = a.opts;
    if (o.flags.includes('-i') && (o.values.has('-e') || o.values.has('-E'))) pushAll(out.writes, o.positionals);
    // -e pieces are lines of one program.
    const code = [...(o.values.get('-e') ?? []), ...(o.values.get('-E') ?? [])];
    if (code.length && code.every((c) => c !== null)) pushAll(out.writes, inlineWrites(code.join('\n'), 'perl'));
    else if (!code.length && a.stdin !== null && interpreterReadsStdin(a.args)) pushAll(out.writes, inlineWrites(a.stdin, 'perl'));
  },
};

export const programs = [python, node, bun, ruby, php, lua, others, perl];
