// Tcl as tclsh, wish and expect run it: `exec` and expect's `spawn` start programs (argv),
// expect's `system` runs a shell string, `send` types into what was spawned (a shell reads
// it as commands), `file delete` / `open FILE w` write files. Braced bodies (if, proc,
// expect { … }) and [command substitutions] are read as scripts too; a command word or
// argument only known at run time, eval/uplevel/subst/source/load and `open "|cmd"` are opaque.
import type { Word } from '../shell/types.js';
import { shq } from './context.js';
import { SHELLS } from './shells.js';
import type { ProgramSpec, Run } from './types.js';
import { capRuns, capWords, MAX_FOUND } from './shape.js';
import { dyn, lit, pushAll } from './words.js';

export interface TclEffects {
  runs: Run[];
  writes: Word[];
}

interface TclWord {
  /** The word's value, or null when it holds a substitution. */
  text: string | null;
  raw: string;
  braced: boolean;
  /** [command substitutions] inside it, to be read as scripts. */
  subs: string[];
}

const OPAQUE_COMMANDS = /^(eval|uplevel|subst|interp|source|load|rename|socket|unknown|apply|tailcall|coroutine|yieldto|trace|after|fileevent|chan|exp_internal|package)$/;

/** Splits Tcl source into commands of words (a simplified reading of the Tcl dodekalogue). */
function parse(src: string): TclWord[][] {
  const cmds: TclWord[][] = [];
  let words: TclWord[] = [];
  let i = 0;
  const n = src.length;
  const end = () => {
    if (words.length) cmds.push(words);
    words = [];
  };
  while (i < n) {
    const c = src[i];
    if (c === '\n' || c === ';') {
      end();
      i++;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r') {
      i++;
      continue;
    }
    if (c === '\\' && src[i + 1] === '\n') {
      i += 2;
      continue;
    }
    if (c === '#' && !words.length) {
      while (i < n && src[i] !== '\n') i++;
      continue;
    }
    if (c === '{') {
      let depth = 1;
      const start = ++i;
      while (i < n && depth) {
        if (src[i] === '\\') i++;
        else if (src[i] === '{') depth++;
        else if (src[i] === '}') depth--;
        i++;
      }
      const text = src.slice(start, i - 1);
      words.push({ text, raw: `{${text}}`, braced: true, subs: [] });
      continue;
    }
    // A quoted or bare word: substitutions make it dynamic.
    const quoted = c === '"';
    if (quoted) i++;
    let text = '';
    let dynamic = false;
    const subs: string[] = [];
    const start = i;
    while (i < n) {
      const d = src[i];
      if (quoted ? d === '"' : /[\s;]/.test(d)) break;
      if (d === '\\' && i + 1 < n) {
        const e = src[i + 1];
        text += e === 'n' ? '\n' : e === 'r' ? '\r' : e === 't' ? '\t' : e;
        i += 2;
        continue;
      }
      if (d === '[') {
        let depth = 1;
        const s = ++i;
        while (i < n && depth) {
          if (src[i] === '\\') i++;
          else if (src[i] === '[') depth++;
          else if (src[i] === ']') depth--;
          i++;
        }
        subs.push(src.slice(s, i - 1));
        dynamic = true;
        continue;
      }
      if (d === '$' && /[\w{:]/.test(src[i + 1] ?? '')) dynamic = true;
      text += d;
      i++;
    }
    const raw = src.slice(start, i);
    if (quoted) i++;
    words.push({ text: dynamic ? null : text, raw, braced: false, subs });
  }
  end();
  return cmds;
}

const SHELL_OPS = /^(\||\|&|<|<<|>|>>|2>|2>>|>&|>>&|2>@1|&)$|^(<|<@|<<|>|>>|2>|2>>|>&|>>&|2>@|>@)\S/;

/** `exec` and `spawn` argv, as a script (exec's | < > & are the shell's operators there). */
function argvScript(words: TclWord[], what: string): Run {
  if (words.some((w) => w.text === null)) return { kind: 'opaque', reason: `${what} runs a command built at run time: ${words.map((w) => w.raw).join(' ').slice(0, 80)}` };
  const parts = words.map((w) => w.text!);
  if (!parts.length) return { kind: 'opaque', reason: `${what} with no command` };
  return { kind: 'script', script: lit(parts.map((p) => (SHELL_OPS.test(p) ? p : shq(p))).join(' ')) };
}

/** Reads a Tcl (or expect) script for the programs it starts and the files it writes. */
export function tclScript(src: string, depth = 0, out: TclEffects = { runs: [], writes: [] }): TclEffects {
  if (depth > 8) {
    out.runs.push({ kind: 'opaque', reason: 'Tcl script nested too deep' });
    return out;
  }
  let spawnedShell = false;
  let spawnedOther = false;
  for (const cmd of parse(src)) {
    if (out.runs.length > MAX_FOUND || out.writes.length > MAX_FOUND) break;
    for (const w of cmd) {
      for (const s of w.subs) tclScript(s, depth + 1, out);
      // Braced words are bodies (if, proc, expect { … }, foreach …) or data: read as scripts.
      if (w.braced && /[\s;]/.test(w.text!)) tclScript(w.text!, depth + 1, out);
    }
    const name = cmd[0].text;
    if (name === null) {
      out.runs.push({ kind: 'opaque', reason: `Tcl command name only known at run time: ${cmd[0].raw}` });
      continue;
    }
    const args = cmd.slice(1);
    if (OPAQUE_COMMANDS.test(name) && !(name === 'package' && args[0]?.text === 'require') && !(name === 'after' && args.length === 1)) {
      out.runs.push({ kind: 'opaque', reason: `Tcl ${name} runs code agentguard does not follow` });
      continue;
    }
    if (name === 'exec' || name === 'spawn' || name === 'exp_spawn') {
      while (args[0]?.text?.startsWith('-')) {
        const opt = args.shift()!.text!;
        if (opt === '--') break;
      }
      const r = argvScript(args, name);
      out.runs.push(r);
      if (name !== 'exec') {
        const prog = args[0]?.text?.split('/').pop() ?? '';
        if (SHELLS.has(prog) && args.length === 1) spawnedShell = true;
        else spawnedOther = true;
      }
    } else if (name === 'system' || name === 'exp_system') {
      if (args.some((w) => w.text === null)) out.runs.push({ kind: 'opaque', reason: 'expect system runs a command built at run time' });
      else out.runs.push({ kind: 'script', script: lit(args.map((w) => w.text).join(' ')) });
    } else if (name === 'send' || name === 'exp_send') {
      while (args[0]?.text?.startsWith('-') && args.length > 1) {
        const opt = args.shift()!.text!;
        if (opt === '-i') args.shift();
        if (opt === '--') break;
      }
      const text = args[0];
      if (!text) continue;
      // A spawned shell runs what is typed into it; another interpreter may too.
      if (spawnedShell) out.runs.push(text.text === null ? { kind: 'opaque', reason: 'expect sends a shell text built at run time' } : { kind: 'script', script: lit(text.text.replace(/\r/g, '\n')) });
      else if (spawnedOther && text.text !== null && /[\r\n]/.test(text.text) && /\b(rm|sh|bash|exec|system|eval)\b/.test(text.text)) out.runs.push({ kind: 'opaque', reason: 'expect types commands into a program it spawned' });
    } else if (name === 'open') {
      const target = args[0];
      const mode = args[1]?.text ?? 'r';
      if (!target) continue;
      if (target.text === null ? target.raw.startsWith('|') || target.raw.startsWith('"|') : target.text.startsWith('|')) {
        // open "|cmd" w: what the script writes is cmd's stdin, not known before it runs.
        const cmd = target.text?.slice(1) ?? '';
        out.runs.push(target.text === null ? { kind: 'opaque', reason: 'Tcl open runs a pipeline built at run time' } : { kind: 'script', script: lit(/[wa+]/.test(mode) ? `cat /dev/stdin | ${cmd}` : cmd) });
      } else if (/[wa+]|WRONLY|RDWR|CREAT|TRUNC|APPEND/.test(mode)) out.writes.push(target.text === null ? dyn(target.raw) : lit(target.text));
    } else if (name === 'file') {
      const sub = args[0]?.text;
      const rest = args.slice(1);
      while (rest[0]?.text?.startsWith('-')) {
        const opt = rest.shift()!.text!;
        if (opt === '--') break;
      }
      const words = (ws: TclWord[]) => ws.map((w) => (w.text === null ? dyn(w.raw) : lit(w.text)));
      if (sub === 'delete' || sub === 'mkdir') pushAll(out.writes, words(rest));
      else if (sub === 'rename' || sub === 'copy' || sub === 'link') pushAll(out.writes, words(sub === 'rename' ? rest : rest.slice(-1)));
      else if (sub === 'attributes' && rest.length > 2) pushAll(out.writes, words(rest.slice(0, 1)));
    }
  }
  return out;
}

/** Tcl's own interpreters: tclsh and wish read the script from stdin when given no file. */
export const tclsh: ProgramSpec = {
  names: ['tclsh', 'wish', 'tclsh8.6', 'tclsh9.0', 'jimsh'],
  lists: ['interpreters'],
  runs(args, ctx) {
    if (args.length && args[0].value !== '-') return [];
    if (ctx.stdin !== null) return capRuns(tclScript(ctx.stdin).runs, 'Tcl script');
    return ctx.stdinUnknown ? [{ kind: 'opaque', reason: 'Tcl script fed on stdin is only known when it runs' }] : [];
  },
  effects(a, out) {
    if (a.args.length && a.args[0].value !== '-') {
      out.reads.push(a.args[0]);
      return;
    }
    if (a.stdin !== null) pushAll(out.writes, capWords(tclScript(a.stdin).writes, 'Tcl script'));
  },
};

/** expect: -c SCRIPT, -f FILE / FILE (read by src/programs/code.ts), or the script on stdin. */
function expectParts(args: readonly Word[]): { inline: Word[]; file: Word | null; stdin: boolean } {
  const inline: Word[] = [];
  let file: Word | null = null;
  let stdin = false;
  for (let i = 0; i < args.length; i++) {
    const v = args[i].value;
    if (v === '-c') inline.push(args[++i] ?? dyn('…'));
    else if (v === '-f') file = args[++i] ?? dyn('…');
    else if (v === '-') stdin = true;
    else if (v === '--') {
      file = args[i + 1] ?? null;
      break;
    } else if (v?.startsWith('-') && v.length > 1) continue;
    else {
      file = args[i];
      break;
    }
  }
  if (file?.value === '-') {
    file = null;
    stdin = true;
  }
  if (!inline.length && !file) stdin = true;
  return { inline, file, stdin };
}

export const expect: ProgramSpec = {
  names: ['expect', 'autoexpect'],
  lists: ['interpreters'],
  runs(args, ctx) {
    const p = expectParts(args);
    const out: Run[] = [];
    for (const w of p.inline) {
      if (w.value === null) out.push({ kind: 'opaque', reason: `expect -c script is not static: ${w.raw}` });
      else for (const r of tclScript(w.value).runs) out.push(r);
    }
    if (p.stdin && !p.file) {
      if (ctx.stdin !== null) for (const r of tclScript(ctx.stdin).runs) out.push(r);
      else if (ctx.stdinUnknown) out.push({ kind: 'opaque', reason: 'expect script fed on stdin is only known when it runs' });
    }
    if (p.file?.value === null) out.push({ kind: 'opaque', reason: `expect script file is not static: ${p.file.raw}` });
    return capRuns(out, 'expect script');
  },
  effects(a, out) {
    const p = expectParts(a.args);
    for (const w of p.inline) if (w.value !== null) pushAll(out.writes, tclScript(w.value).writes);
    if (p.stdin && !p.file && a.stdin !== null) pushAll(out.writes, tclScript(a.stdin).writes);
    if (p.file) out.reads.push(p.file);
  },
};

/** The script file expect runs, for the code reader. */
export function expectFile(args: readonly Word[]): Word | null {
  return expectParts(args).file;
}

export const programs = [tclsh, expect];
