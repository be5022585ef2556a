// Program files of the languages with a code-execution feature: awk -f, sed -f, expect and
// tclsh script files, and the script an interpreter (python, node, perl, ruby, php, lua) is
// given when an earlier command of the same line wrote it. A file read from disk is analysed
// like the inline text; a file the line writes first is analysed from what was written when
// that is literal (cat > x.py <<EOF … EOF), and is opaque otherwise.
import type { Command, Word } from '../shell/types.js';
import { decodeAnsiC } from '../shell/words.js';
import { awkFiles, awkProgram } from './awk.js';
import { resolve, shq, unreadable, type CodeRuns, type ProgramContext } from './context.js';
import { interpreterReadsStdin } from './interpreters.js';
import { sedFiles, sedScript } from './sed.js';
import { expectFile, tclScript } from './tcl.js';
import type { Run } from './types.js';

const AWKS = new Set(['awk', 'gawk', 'mawk', 'nawk']);
const SEDS = new Set(['sed', 'gsed']);
const TCLS = new Set(['tclsh', 'wish', 'expect', 'jimsh']);
/** Editors that read their commands from stdin: ed always, ex and vim -e/-E/-es. */
const EDS = new Set(['ed', 'red', 'ex']);
const VIMS = new Set(['vi', 'vim', 'nvim', 'gvim']);
/** Interpreters whose script file, written earlier in the line, is read as their inline code. */
const INTERPRETERS = /^(python[0-9.]*|pypy3?|node|nodejs|bun|deno|perl5?|ruby|php|lua[0-9.]*|luajit)$/;

/** Whether `codeFiles` may have something to say about this program. */
export function mayRunProgramFiles(program: string): boolean {
  return AWKS.has(program) || SEDS.has(program) || TCLS.has(program) || EDS.has(program) || VIMS.has(program) || INTERPRETERS.test(program);
}

/** Whether the program takes its commands from stdin given these arguments (ed f < cmds, python3 < x.py). */
function commandsOnStdin(program: string, args: readonly Word[]): boolean {
  if (EDS.has(program)) return true;
  if (VIMS.has(program)) return args.some((w) => /^-[A-Za-z]*[eE]/.test(w.value ?? '') && !w.value!.startsWith('--'));
  if (program === 'expect') return expectFile(args) === null && !args.some((w) => w.value === '-c');
  if (TCLS.has(program)) return !args.length || args[0].value === '-';
  return INTERPRETERS.test(program) && interpreterReadsStdin(args);
}

/**
 * `ed f < cmds.ed`, `python3 < x.py`, `tclsh < x.tcl`: the file on stdin holds the program.
 * Read (or taken from what the line wrote) and handed back as the same command fed by a
 * heredoc, so the program's own reading of its stdin (and the inline-code rules) apply.
 */
function stdinProgram(program: string, args: readonly Word[], file: Word, ctx: ProgramContext): CodeRuns | null {
  const by = `${program} < ${file.raw}`;
  if (file.value === null) return { scripts: [], opaque: [`${program} reads its commands from a file only known when it runs: ${file.raw}`] };
  const p = resolve(ctx.cwd, file.value, ctx.home);
  let text = writtenText(p, ctx);
  if (text === null) return { scripts: [], opaque: [`runs a file written in this command: ${by}`] };
  if (text === undefined) {
    const r = ctx.read(p, { always: true });
    if (r.kind === 'missing') return null;
    if (r.kind !== 'text') return { scripts: [], opaque: [unreadable(r, p, ctx.cwd) ?? `cannot read ${by}`] };
    text = r.text;
  }
  if (args.some((w) => w.value === null)) return { scripts: [], opaque: [`${by}: its arguments are only known when it runs`] };
  let tag = 'AGENTGUARD_STDIN';
  while (text.includes(tag)) tag += '_';
  const body = text.endsWith('\n') ? text : text + '\n';
  return { scripts: [{ source: `${[program, ...args.map((w) => w.value!)].map(shq).join(' ')} <<'${tag}'\n${body}${tag}\n`, cwd: ctx.cwd, by }], opaque: [] };
}

const none = (): CodeRuns => ({ scripts: [], opaque: [] });

/** What an earlier command of the line wrote to `p`, when that is literal text; undefined when no earlier command writes it. */
export function writtenText(p: string, ctx: ProgramContext): string | null | undefined {
  let found: string | null | undefined;
  for (const c of ctx.earlier()) {
    if (!c.writes.some((w) => w.paths?.includes(p))) continue;
    found = found === undefined ? literalContent(c) : null;
  }
  return found;
}

/** `cat > f <<EOF`, `tee f <<EOF`, `echo text > f`, `printf 'text\\n' > f`: the text the command writes, else null. */
function literalContent(c: Command): string | null {
  const toFile = c.redirects.some((r) => r.kind === 'write' && (r.fd === null || r.fd === 1));
  if (c.program === 'cat' && c.argv.length === 1 && c.stdin !== null && toFile) return c.stdin;
  if (c.program === 'tee' && c.stdin !== null && c.argv.slice(1).every((w) => w.value !== null && !w.value.startsWith('-'))) return c.stdin;
  // printf FORMAT with no conversion writes its format, escapes decoded (as analyse.ts's literalOutput reads it).
  if (c.program === 'printf' && toFile && c.argv.length === 2 && c.argv[1].value !== null && !c.argv[1].value.includes('%')) return decodeAnsiC(c.argv[1].value);
  if (c.program === 'echo' && toFile) {
    const args = c.argv.slice(1);
    if (args.some((a) => a.value === null || a.value.includes('\\')) || /^-/.test(args[0]?.value ?? '')) return null;
    return args.map((a) => a.value).join(' ') + '\n';
  }
  return null;
}

/** Runs as the analysis takes them back: scripts of bash source, or reasons it could not see. */
function toCode(runs: readonly Run[], ctx: ProgramContext, by: string): CodeRuns {
  const out = none();
  for (const r of runs) {
    if (r.kind === 'opaque') out.opaque.push(`${r.reason} (${by})`);
    else if (r.kind === 'script') {
      if (r.script.value === null) out.opaque.push(`${by} runs a command only known when it runs`);
      else out.scripts.push({ source: r.script.value, cwd: ctx.cwd, by });
    } else if (r.argv.some((w) => w.value === null)) out.opaque.push(`${by} runs a command only known when it runs`);
    else out.scripts.push({ source: r.argv.map((w) => shq(w.value!)).join(' '), cwd: ctx.cwd, by });
  }
  return out;
}

/** A program file of awk, sed or Tcl: read (or taken from what the line wrote) and analysed. */
function programFile(program: string, file: Word, ctx: ProgramContext, analyse: (text: string) => Run[]): CodeRuns {
  const by = `${program} ${file.raw}`;
  if (file.value === null) return { scripts: [], opaque: [`${program} runs a program file only known when it runs: ${file.raw}`] };
  const p = resolve(ctx.cwd, file.value, ctx.home);
  const written = writtenText(p, ctx);
  if (written === null) return { scripts: [], opaque: [`runs a file written in this command: ${by}`] };
  if (written !== undefined) return toCode(analyse(written), ctx, by);
  const r = ctx.read(p);
  if (r.kind === 'installed' || r.kind === 'missing') return none();
  if (r.kind !== 'text') return { scripts: [], opaque: [unreadable(r, p, ctx.cwd) ?? `cannot read ${by}`] };
  return toCode(analyse(r.text), ctx, by);
}

/** The first operand of an interpreter that is its script (python3 x.py): null for -c/-e, stdin, -m. */
function interpreterScript(args: readonly Word[]): { file: Word; rest: Word[] } | null {
  if (interpreterReadsStdin(args)) return null;
  for (let i = 0; i < args.length; i++) {
    const v = args[i].value;
    if (v === null) return null;
    if (v === '--') return args[i + 1] ? { file: args[i + 1], rest: args.slice(i + 2) } : null;
    if (/^-(c|m|e|E|r|p)$/.test(v) || /^--(eval|print)/.test(v)) return null;
    if (v.startsWith('-')) continue;
    // deno run x.ts / bun run x.ts
    if ((v === 'run' || v === 'eval') && i === 0) continue;
    return { file: args[i], rest: args.slice(i + 1) };
  }
  return null;
}

/** Code a program of this family runs from files, or null when it runs none. */
export function programFiles(program: string, args: readonly Word[], ctx: ProgramContext, stdinFile: Word | null = null): CodeRuns | null {
  if (stdinFile && commandsOnStdin(program, args)) return stdinProgram(program, args, stdinFile, ctx);
  if (EDS.has(program) || VIMS.has(program)) return null;
  if (AWKS.has(program)) return merge(awkFiles(args).map((f) => programFile(program, f, ctx, (t) => awkProgram(t).runs)));
  if (SEDS.has(program)) return merge(sedFiles(args).map((f) => programFile(program, f, ctx, (t) => sedScript(t).runs)));
  if (TCLS.has(program)) {
    const f = program === 'expect' ? expectFile(args) : args[0]?.value !== '-' ? args[0] : undefined;
    return f ? programFile(program, f, ctx, (t) => tclScript(t).runs) : null;
  }
  // node -r ./x.js, ruby -r ./x.rb: a module loaded first runs too; one the line wrote is not read.
  for (let i = 0; i < args.length - 1; i++) {
    const v = args[i].value;
    const m = v === null ? null : /^(-r|--require|--import|--loader|--experimental-loader)(?:=(.*))?$/.exec(v);
    if (!m || !/^(node|nodejs|bun|ruby)$/.test(program)) continue;
    const mod = m[2] ?? args[i + 1].value;
    if (mod !== null && /^[./~]/.test(mod) && writtenText(resolve(ctx.cwd, mod, ctx.home), ctx) !== undefined) {
      return { scripts: [], opaque: [`loads a module written in this command: ${program} ${v} ${mod}`] };
    }
  }
  const s = interpreterScript(args);
  if (!s || s.file.value === null) return null;
  const p = resolve(ctx.cwd, s.file.value, ctx.home);
  const written = writtenText(p, ctx);
  if (written === undefined) return null;
  if (written === null) return { scripts: [], opaque: [`runs a file written in this command: ${program} ${s.file.raw}`] };
  // What was written is the program: analysed as if it were fed on stdin, so the inline-code rules read it.
  let tag = 'AGENTGUARD_CODE';
  while (written.includes(tag)) tag += '_';
  const body = written.endsWith('\n') ? written : written + '\n';
  return { scripts: [{ source: `${shq(program)} - ${s.rest.map((w) => shq(w.value ?? '')).join(' ')} <<'${tag}'\n${body}${tag}\n`, cwd: ctx.cwd, by: `${program} ${s.file.raw}` }], opaque: [] };
}

function merge(list: CodeRuns[]): CodeRuns | null {
  if (!list.length) return null;
  return { scripts: list.flatMap((c) => c.scripts), opaque: list.flatMap((c) => c.opaque) };
}
