// sed: the files it edits in place (-i), else reads; and its script's own effects, from the
// GNU manual: `e COMMAND` runs a shell command, `s///e` runs the pattern space, `w FILE`,
// `W FILE` and `s///w FILE` write files, `r`/`R FILE` read them. --sandbox makes sed refuse
// e, w and r, so a sandboxed script has none of these.
import type { Word } from '../shell/types.js';
import { hasFlag, parseOptions, type OptionSpec } from './options.js';
import type { ProgramSpec, Run } from './types.js';
import { capRuns, capWords, shapeOf } from './shape.js';
import { dyn, lit, pushAll } from './words.js';

const OPTIONS: OptionSpec = {
  takesValue: ['-e', '--expression', '-f', '--file', '-l', '--line-length'],
  optionalValue: ['-i', '--in-place'],
};

export interface SedScript {
  runs: Run[];
  writes: Word[];
  reads: Word[];
}

/** Reads a sed script (GNU syntax) for what it runs, writes and reads. */
export function sedScript(src: string): SedScript {
  const out: SedScript = { runs: [], writes: [], reads: [] };
  let i = 0;
  const n = src.length;
  const restOfLine = () => {
    const end = src.indexOf('\n', i);
    const text = src.slice(i, end < 0 ? n : end);
    i = end < 0 ? n : end + 1;
    return text;
  };
  const fileName = () => restOfLine().replace(/^[ \t]+/, '');
  const skipSpace = () => {
    while (i < n && /[ \t;\n]/.test(src[i])) i++;
  };
  /** A delimited part (s/…/…/, y/…/…/, \%regex%): returns its text. */
  const delimited = (d: string) => {
    let s = '';
    while (i < n && src[i] !== d) {
      if (src[i] === '\\' && i + 1 < n) s += src[i++];
      s += src[i++];
    }
    i++;
    return s;
  };
  const address = () => {
    if (src[i] === '$') i++;
    else if (/\d/.test(src[i] ?? '')) {
      while (/[\d~]/.test(src[i] ?? '')) i++;
    } else if (src[i] === '/') {
      i++;
      delimited('/');
      while (/[IM]/.test(src[i] ?? '')) i++;
    } else if (src[i] === '\\') {
      const d = src[i + 1];
      i += 2;
      delimited(d);
      while (/[IM]/.test(src[i] ?? '')) i++;
    } else return false;
    return true;
  };
  while (i < n) {
    skipSpace();
    if (i >= n) break;
    if (src[i] === '#') {
      restOfLine();
      continue;
    }
    if (address()) {
      while (src[i] === ' ') i++;
      if (src[i] === ',') {
        i++;
        while (src[i] === ' ') i++;
        if (src[i] === '+' || src[i] === '~') i++;
        address();
      }
    }
    while (src[i] === ' ' || src[i] === '!') i++;
    const c = src[i++];
    if (c === undefined) break;
    switch (c) {
      case '{':
      case '}':
      case '=':
      case 'd': case 'D': case 'g': case 'G': case 'h': case 'H': case 'n': case 'N': case 'p': case 'P': case 'x': case 'z': case 'F':
        break;
      case ':': case 'b': case 't': case 'T': case 'l': case 'L': case 'q': case 'Q': case 'v': {
        // A label or number, to ; or the end of the line (labels to the end of the line).
        while (i < n && src[i] !== '\n' && src[i] !== ';' && src[i] !== '}') i++;
        break;
      }
      case 'a': case 'i': case 'c': {
        // Text to the end of the line (a\ continues on the next lines while they end in \).
        let line = restOfLine();
        while (line.endsWith('\\') && i < n) line = restOfLine();
        break;
      }
      case 'e': {
        const cmd = restOfLine().replace(/^[ \t]+/, '');
        out.runs.push(cmd.trim() ? { kind: 'script', script: lit(cmd) } : { kind: 'opaque', reason: 'sed e runs the pattern space as a command' });
        break;
      }
      case 'w': case 'W': {
        const f = fileName();
        if (!/^\/dev\/(stdout|stderr)$/.test(f)) out.writes.push(lit(f));
        break;
      }
      case 'r': case 'R':
        out.reads.push(lit(fileName()));
        break;
      case 'y': {
        const d = src[i++];
        delimited(d);
        delimited(d);
        break;
      }
      case 's': {
        const d = src[i++];
        delimited(d);
        delimited(d);
        // Flags: g p i I m M e N, then w FILE to the end of the line.
        while (i < n && /[gpiImMe0-9]/.test(src[i])) {
          if (src[i] === 'e') out.runs.push({ kind: 'opaque', reason: 'sed s///e runs the pattern space as a command' });
          i++;
        }
        if (src[i] === 'w') {
          i++;
          const f = fileName();
          if (!/^\/dev\/(stdout|stderr)$/.test(f)) out.writes.push(lit(f));
        }
        break;
      }
      default:
        out.runs.push({ kind: 'opaque', reason: `sed command ${JSON.stringify(c)} is not understood` });
        return out;
    }
  }
  return out;
}

interface Parsed {
  scripts: Word[];
  files: Word[];
  operands: Word[];
  sandbox: boolean;
  inPlace: boolean;
}

function parsed(args: readonly Word[]): Parsed {
  const o = parseOptions(args, OPTIONS);
  const get = (names: string[]) => names.flatMap((k) => (o.values.get(k) ?? []).map((v) => (v === null ? dyn('…') : lit(v))));
  const scripts = get(['-e', '--expression']);
  const files = get(['-f', '--file']);
  const operands = [...o.positionals];
  if (!scripts.length && !files.length && operands.length) scripts.push(operands.shift()!);
  return { scripts, files, operands, sandbox: hasFlag(o, ['--sandbox']), inPlace: o.flags.some((f) => f === '-i' || f === '--in-place' || f === '-I') };
}

/** What the inline script (-e, or the first operand) does; -e pieces join with newlines as sed joins them. */
function inlineScript(p: Parsed): SedScript | null {
  const texts = p.scripts.map(shapeOf);
  if (texts.some((t) => t === null)) return null;
  const s = sedScript(texts.join('\n'));
  return { runs: capRuns(s.runs, 'sed script'), writes: capWords(s.writes, 'sed script'), reads: s.reads.slice(0, 64) };
}

export const sed: ProgramSpec = {
  names: ['sed', 'gsed'],
  options: OPTIONS,
  runs(args) {
    const p = parsed(args);
    if (p.sandbox) return [];
    const s = inlineScript(p);
    if (!s) return [{ kind: 'opaque', reason: 'sed script is not static' }];
    // Script files (-f) are read by src/programs/code.ts, which sees the file system.
    // A command or file in a script only partly known is only known when it runs.
    if (p.scripts.some((w) => w.value === null)) return s.runs.map((r) => (r.kind === 'script' ? { kind: 'opaque', reason: `sed e runs a command built at run time: ${r.script.raw}` } : r));
    return s.runs;
  },
  effects(a, out) {
    const p = parsed(a.args);
    pushAll(p.inPlace ? out.writes : out.reads, p.operands);
    pushAll(out.reads, p.files);
    if (p.sandbox) return;
    const s = inlineScript(p);
    const partly = p.scripts.some((w) => w.value === null);
    if (s) {
      for (const w of s.writes) out.writes.push(partly && w.value?.includes('X') ? dyn(`sed w ${w.raw}`) : w);
      pushAll(out.reads, s.reads);
    }
    // A script only known at run time may hold w FILE: where it writes is unknown.
    else out.writes.push(dyn('sed script …'));
  },
};

/** Script files sed is given (-f), unless --sandbox forbids what they could do. */
export function sedFiles(args: readonly Word[]): Word[] {
  const p = parsed(args);
  return p.sandbox ? [] : p.files;
}

export const programs = [sed];
