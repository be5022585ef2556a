// awk (gawk, mawk, nawk, busybox awk): the program text runs commands through system(),
// `print | "cmd"`, `"cmd" | getline` and gawk's `|&` coprocesses, writes files through
// `print > "file"`, and loads native code with @load / -l. A command whose text is a string
// literal is handed back as a script and analysed like the line; any other is opaque.
import type { Word } from '../shell/types.js';
import type { Effects, ProgramArgs, ProgramSpec, Run } from './types.js';
import { parseOptions, type OptionSpec } from './options.js';
import { capRuns, capWords, MAX_FOUND, shapeOf } from './shape.js';
import { dyn, lit, pushAll } from './words.js';

const OPTIONS: OptionSpec = {
  takesValue: ['-F', '--field-separator', '-v', '--assign', '-f', '--file', '-e', '--source', '-i', '--include', '-l', '--load', '-E', '--exec', '-W', '-d', '--dump-variables', '-D', '--debug', '-o', '--pretty-print', '-p', '--profile', '-L', '--lint'],
};

/** What an awk program does beyond reading its input: commands it runs, files it writes. */
export interface AwkProgram {
  runs: Run[];
  writes: Word[];
}

type Tok = { kind: 'str'; text: string } | { kind: 'op'; text: string } | { kind: 'word'; text: string };

/** Tokens of an awk program: strings (unescaped), regex literals dropped, words and operators. */
function tokens(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  const operand = () => {
    const t = out[out.length - 1];
    return !!t && (t.kind === 'str' || (t.kind === 'word' && !/^(print|printf|return|in|getline|if|while|for|do|else)$/.test(t.text)) || t.text === ')' || t.text === ']' || t.text === '$');
  };
  while (i < src.length) {
    const c = src[i];
    if (c === '#') {
      while (i < src.length && src[i] !== '\n') i++;
      continue;
    }
    if (c === '\\' && src[i + 1] === '\n') {
      i += 2;
      continue;
    }
    if (c === '\n') {
      out.push({ kind: 'op', text: ';' });
      i++;
      continue;
    }
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '"') {
      let s = '';
      i++;
      while (i < src.length && src[i] !== '"') {
        if (src[i] === '\\' && i + 1 < src.length) {
          const e = src[++i];
          s += e === 'n' ? '\n' : e === 't' ? '\t' : e;
        } else s += src[i];
        i++;
      }
      i++;
      out.push({ kind: 'str', text: s });
      continue;
    }
    if (c === '/' && !operand()) {
      // A regex literal: its text is data.
      i++;
      while (i < src.length && src[i] !== '/' && src[i] !== '\n') i += src[i] === '\\' ? 2 : 1;
      i++;
      out.push({ kind: 'word', text: '/re/' });
      continue;
    }
    const w = /^(?:[A-Za-z_][\w:]*|@[A-Za-z_]\w*|\d[\w.]*)/.exec(src.slice(i, i + 64));
    if (w) {
      out.push({ kind: 'word', text: w[0] });
      i += w[0].length;
      continue;
    }
    const op = /^(?:\|&|\|\||>>|&&|[<>!=]=|\+\+|--|.)/s.exec(src.slice(i, i + 2))![0];
    out.push({ kind: 'op', text: op });
    i += op.length;
  }
  return out;
}

/**
 * The expression starting at tokens[i] up to the end of the statement: a string literal
 * alone is its text; anything else (a variable, a concatenation) is only known at run time.
 */
function expressionAt(t: Tok[], i: number): { text: string | null; raw: string } {
  let depth = 0;
  const parts: Tok[] = [];
  // Bounded: an expression longer than this is not a literal command, and a program of many calls stays linear.
  for (let j = i; j < t.length && j < i + 256; j++) {
    const x = t[j];
    if (x.kind === 'op' && (x.text === '(' || x.text === '[')) depth++;
    else if (x.kind === 'op' && (x.text === ')' || x.text === ']')) {
      if (depth === 0) break;
      depth--;
    } else if (depth === 0 && x.kind === 'op' && /^(;|}|\||\|&|,|>|>>)$/.test(x.text)) break;
    else if (depth === 0 && x.kind === 'word' && x.text === 'getline') break;
    parts.push(x);
  }
  const raw = parts.map((p) => (p.kind === 'str' ? JSON.stringify(p.text) : p.text)).join(' ');
  // Parentheses around one string: system(("rm -rf ~")).
  const inner = parts.filter((p) => !(p.kind === 'op' && (p.text === '(' || p.text === ')')));
  if (inner.length === 1 && inner[0].kind === 'str') return { text: inner[0].text, raw };
  // Adjacent strings concatenate: "rm " "-rf ~".
  if (inner.length > 1 && inner.every((p) => p.kind === 'str')) return { text: inner.map((p) => p.text).join(''), raw };
  return { text: null, raw: raw || '…' };
}

/**
 * A command awk starts through the shell. `print | "cmd"` feeds it awk's output, which is
 * not known before it runs: written as a pipe so that a shell on the other end is opaque.
 */
const commandRun = (e: { text: string | null; raw: string }, how: string, piped = false): Run =>
  e.text === null ? { kind: 'opaque', reason: `awk runs a command built at run time (${how} ${e.raw})` } : { kind: 'script', script: lit(piped ? `cat /dev/stdin | ${e.text}` : e.text) };

/** Reads an awk program's text for the commands it runs and the files it writes. */
export function awkProgram(src: string): AwkProgram {
  const runs: Run[] = [];
  const writes: Word[] = [];
  const t = tokens(src);
  let inPrint = false;
  let parens = 0;
  for (let i = 0; i < t.length; i++) {
    if (runs.length > MAX_FOUND || writes.length > MAX_FOUND) break;
    const x = t[i];
    if (x.kind === 'word') {
      if (x.text === '@load') runs.push({ kind: 'opaque', reason: 'awk loads a native extension (@load)' });
      else if (x.text === 'system' && t[i + 1]?.text === '(') runs.push(commandRun(expressionAt(t, i + 2), 'system'));
      else if (x.text === 'print' || x.text === 'printf') {
        inPrint = true;
        parens = 0;
      }
      continue;
    }
    if (x.kind !== 'op') continue;
    if (x.text === '(') parens++;
    else if (x.text === ')') parens--;
    else if (x.text === ';' || x.text === '}' || x.text === '{') inPrint = false;
    else if ((x.text === '|' || x.text === '|&') && t[i + 1]?.kind === 'word' && t[i + 1].text === 'getline') {
      // "cmd" | getline: the command is the expression before the pipe.
      const before = t[i - 1];
      const twoBack = t[i - 2];
      const alone = before?.kind === 'str' && !(twoBack?.kind === 'str');
      runs.push(alone ? { kind: 'script', script: lit(before.text) } : { kind: 'opaque', reason: `awk runs a command built at run time (… ${x.text} getline)` });
    } else if (inPrint && parens <= 0 && (x.text === '|' || x.text === '|&')) runs.push(commandRun(expressionAt(t, i + 1), `print ${x.text}`, true));
    else if (inPrint && parens <= 0 && (x.text === '>' || x.text === '>>')) {
      const e = expressionAt(t, i + 1);
      if (e.text === null) writes.push(dyn(`awk print > ${e.raw}`));
      else if (!/^\/dev\/(stdout|stderr|fd\/[12])$/.test(e.text)) writes.push(lit(e.text));
    }
  }
  return { runs: capRuns(runs, 'awk program'), writes: capWords(writes, 'awk program') };
}

/** The program text given inline (the first operand, or -e / --source), and program files (-f / -E). */
function programOf(args: readonly Word[]): { inline: Word[]; files: Word[]; loads: boolean; operands: Word[] } {
  const o = parseOptions(args, OPTIONS);
  const get = (names: string[]) => names.flatMap((n) => (o.values.get(n) ?? []).map((v) => (v === null ? dyn('…') : lit(v))));
  const inline = get(['-e', '--source']);
  const files = get(['-f', '--file', '-E', '--exec', '-i', '--include']);
  const operands = [...o.positionals];
  if (!inline.length && !files.length && operands.length) inline.push(operands.shift()!);
  return { inline, files, loads: get(['-l', '--load']).length > 0, operands };
}

export const awk: ProgramSpec = {
  names: ['awk', 'gawk', 'mawk', 'nawk'],
  lists: ['interpreters'],
  options: OPTIONS,
  runs(args) {
    const p = programOf(args);
    const out: Run[] = [];
    if (p.loads) out.push({ kind: 'opaque', reason: 'awk loads a native extension (-l)' });
    for (const w of p.inline) {
      const text = shapeOf(w);
      if (text === null) out.push({ kind: 'opaque', reason: `awk program is not static: ${w.raw}` });
      else for (const r of awkProgram(text).runs) out.push(w.value === null && r.kind === 'script' ? { kind: 'opaque', reason: `awk runs a command built at run time: ${r.script.raw}` } : r);
    }
    // Program files are read by src/programs/code.ts (awkFiles), which sees the file system.
    return out;
  },
  effects(a: ProgramArgs, out: Effects) {
    const p = programOf(a.args);
    for (const w of p.inline) {
      const text = shapeOf(w);
      if (text !== null) for (const x of awkProgram(text).writes) out.writes.push(w.value === null && x.value?.includes('X') ? dyn(`awk print > ${x.raw}`) : x);
    }
    // Operands are input files, except var=value assignments.
    pushAll(out.reads, p.files, p.operands.filter((w) => w.value === null || !/^[A-Za-z_]\w*=/.test(w.value)));
  },
};

/** Program files awk is given (-f, -E, -i), for the code reader. */
export function awkFiles(args: readonly Word[]): Word[] {
  return programOf(args).files;
}

export const programs = [awk];
