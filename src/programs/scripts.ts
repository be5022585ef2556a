// Script files a shell runs: `bash x.sh`, `sh < x.sh`, `source x.sh` / `. x.sh`, and a
// command word that is a path (`./x.sh`, `bin/x`) naming a text file whose `#!` names a
// shell, or that has none (bash then runs it itself). The file's text is what runs, so it
// is read and analysed like the line; a file this line writes first, or that is missing,
// cannot be checked in advance.
import path from 'node:path';
import type { Word } from '../shell/types.js';
import { resolve, unreadable, type CodeRuns, type ProgramContext } from './context.js';
import { BASH_LIKE, OTHER_SHELLS } from './shells.js';


const none = (): CodeRuns => ({ scripts: [], opaque: [] });

/** `bash FILE …`, `sh FILE` (a shell given a script file): the shell is named, the `#!` line does not matter. */
export function shellFile(shell: string, file: Word, ctx: ProgramContext): CodeRuns {
  if (file.value === null) return { scripts: [], opaque: [`script run by ${shell} is not static: ${file.raw}`] };
  // /dev/stdin, /dev/fd/N, /proc/<pid>/fd/N: a script from whatever the line feeds in, not an installed file.
  if (/^\/(dev\/(stdin|fd\/)|proc\/[^/]+\/fd\/)/.test(file.value)) return { scripts: [], opaque: [`script run by ${shell} comes from a file descriptor: ${file.value}`] };
  if (OTHER_SHELLS.has(shell)) return { scripts: [], opaque: [`script run by ${shell} (not a bash-like shell) cannot be analysed: ${file.value}`] };
  return readScript(resolve(ctx.cwd, file.value, ctx.home), `${shell} ${file.value}`, ctx, false);
}

/** `sh < FILE`: the shell reads its script from a file on stdin. */
export function shellStdinFile(shell: string, file: Word, ctx: ProgramContext): CodeRuns {
  if (file.value === null) return { scripts: [], opaque: [`script fed to ${shell} from a file that is not static: ${file.raw}`] };
  return readScript(resolve(ctx.cwd, file.value, ctx.home), `${shell} < ${file.value}`, ctx, false);
}

/** `source FILE` / `. FILE`: runs in the calling shell. */
export function sourced(program: string, args: readonly Word[], ctx: ProgramContext): CodeRuns {
  const file = args[0];
  if (!file || file.value === null) return none();
  const r = readScript(resolve(ctx.cwd, file.value, ctx.home), `${program} ${file.value}`, ctx, false);
  for (const s of r.scripts) s.inCallingShell = true;
  return r;
}

/**
 * Programs that make executables as a side effect the analysis does not see as a write
 * (compilers, venvs, package managers, build systems): what they make is a program, like
 * any binary, so `gcc -o app app.c && ./app` does not ask.
 */
const BUILDERS = /^(cc|gcc|g\+\+|c\+\+|clang|clang\+\+|tcc|zig|go|cargo|rustc|javac|kotlinc|swiftc|swift|dotnet|ghc|ocamlfind|ocamlopt|nim|crystal|cmake|ninja|make|gmake|meson|bazel|bazelisk|gradle|mvn|npm|pnpm|yarn|bun|deno|npx|tsc|esbuild|pip|pip3|uv|poetry|pipenv|virtualenv|pyinstaller|nuitka|ld|as)$/;

/** A command word with a slash runs that file: a shell script unless its `#!` names another interpreter. */
export function pathCommand(argv0: string, ctx: ProgramContext): CodeRuns {
  const r = readScript(resolve(ctx.cwd, argv0, ctx.home), argv0, ctx, true);
  if (r.opaque[0]?.startsWith('runs a file that does not exist yet') && ctx.earlier().some(isBuilder)) return { scripts: [], opaque: [] };
  return r;
}

function isBuilder(c: { program: string | null; argv: readonly Word[] }): boolean {
  if (c.program === null) return false;
  if (BUILDERS.test(c.program)) return true;
  // python -m venv / virtualenv / pip
  return /^python[0-9.]*$/.test(c.program) && c.argv.some((w, i) => w.value === '-m' && /^(venv|virtualenv|pip)$/.test(c.argv[i + 1]?.value ?? ''));
}

/** A file run as a program (a git hook, a path command) in `cwd`: analysed when it is a shell script. */
export function runFile(file: string, by: string, cwd: string, ctx: ProgramContext, byShebang: boolean): CodeRuns {
  const r = readScript(file, by, ctx, byShebang);
  for (const s of r.scripts) s.cwd = cwd;
  return r;
}

/** Language interpreters a #! line may name: their code is theirs (the inline-code rules cover what they see). */
const LANGUAGES = /^(python[0-9.]*|pypy[0-9.]*|node|nodejs|deno|bun|ts-node|tsx|perl[0-9.]*|ruby[0-9.]*|php[0-9.]*|lua[0-9.]*|luajit|Rscript|tclsh|wish|osascript|awk|gawk|mawk|jq|Rscript|julia|elixir|erl|escript|groovy|kotlin|scala|java|dotnet|pwsh|powershell|swift|rust-script|cargo|go|expect|fish|tcl)$/;

function readScript(file: string, by: string, ctx: ProgramContext, byShebang: boolean): CodeRuns {
  const r = ctx.read(file);
  if (r.kind === 'installed') return none();
  if (r.kind !== 'text') {
    // A directory or a missing installed path (./configure that is not there) fails at once for a path command too.
    const why = unreadable(r, file, ctx.cwd);
    return why ? { scripts: [], opaque: [why] } : none();
  }
  const text = r.text;
  // A binary (compiled in the workspace, ./a.out) is a program, not a script.
  if (text.slice(0, 4096).includes('\0')) return none();
  if (byShebang) {
    const interp = shebangInterpreter(text);
    if (interp === 'unknown') return { scripts: [], opaque: [`the #! line of ${by} is not understood`] };
    if (interp !== null) {
      if (OTHER_SHELLS.has(interp)) return { scripts: [], opaque: [`script run by ${interp} (not a bash-like shell) cannot be analysed: ${by}`] };
      // python, node, … scripts: code, but not shell; the interpreter rules see only the path.
      if (LANGUAGES.test(interp)) return none();
      // Anything else may run commands with no shell in between (#!/usr/bin/make -f runs
      // recipes; #!/usr/bin/nice bash runs bash): not read, so not allowed unread.
      if (!BASH_LIKE.has(interp)) return { scripts: [], opaque: [`${by} runs by its #! line with ${interp}, which this check does not read`] };
    }
  }
  return { scripts: [{ source: text, cwd: ctx.cwd, by, file }], opaque: [] };
}

/**
 * The interpreter a `#!` line names (basename; `env [-S] [VAR=x] NAME` looked through),
 * null when there is no `#!` (the calling shell runs the file), 'unknown' when unreadable.
 */
export function shebangInterpreter(text: string): string | null {
  if (!text.startsWith('#!')) return null;
  const line = text.slice(2, text.indexOf('\n') >= 0 ? text.indexOf('\n') : undefined).trim();
  const words = line.split(/[ \t]+/).filter(Boolean);
  if (!words.length) return 'unknown';
  let i = 0;
  let name = path.posix.basename(words[i++]);
  if (name === 'env') {
    while (i < words.length && (words[i].startsWith('-') || /^[A-Za-z_]\w*=/.test(words[i]))) {
      // -S splits the rest; -u NAME takes a value.
      if (words[i] === '-u' || words[i] === '--unset') i++;
      i++;
    }
    if (i >= words.length) return 'unknown';
    name = path.posix.basename(words[i]);
  }
  return name;
}

/** Whether a nested script's writes reach its own file: appended lines would run unchecked. */
export function writesOwnFile(raws: readonly { raw: string; paths: string[] | null }[], file: string): boolean {
  return raws.some((t) => /\$\{?0\b|\$\{?BASH_SOURCE\b/.test(t.raw) || !!t.paths?.includes(file));
}
