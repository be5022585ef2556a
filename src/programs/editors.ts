// Editors write the files they are given (an agent driving vim can change ~/.bashrc), and
// vi/vim/nvim/ex and ed run commands for you: an Ex command given with -c, +, --cmd (`!cmd`,
// `r !cmd`, `w !cmd`, `call system(…)`, `terminal`, `py3 …`), a script sourced with -S/-u,
// and ed's or ex's commands read from stdin (`!cmd`). A shell command whose text is literal
// is analysed like the line; anything the analysis cannot follow is opaque.
import type { Word } from '../shell/types.js';
import { parseOptions, type OptionSpec } from './options.js';
import type { ProgramSpec, Run, RunContext } from './types.js';
import { capRuns, capWords, MAX_FOUND } from './shape.js';
import { dyn, lit, pushAll } from './words.js';

export interface ExEffects {
  runs: Run[];
  writes: Word[];
  reads: Word[];
}

/** Ex commands that only change the editor's state or text: no shell, no files but the buffer. */
const HARMLESS = new Set(
  ('set se setlocal setl setglobal setg syntax syn filetype filet colorscheme colo nohlsearch noh q quit qa qall quita quitall q! qa! cq ' +
    'retab ret sort sor d delete j join m move t co copy > < undo u redo red y yank pu put k mark ma ' +
    'b buffer bn bnext bp bprevious sp split vs vsplit new vnew tabnew tabn tabp only on wincmd winc diffupdate diffu redraw redr ' +
    'startinsert star stopinsert stopi language lang highlight hi echo ec echom echomsg nohl normal! ' +
    'le left ri right ce center a append i insert c change p print nu number # z = l list g global v vglobal s substitute & ~ ' +
    'wall wa update up x xit xa xall wq wqa wqall exit exi w write sav saveas e edit ene enew r read checktime cle clearjumps ' +
    'autoread fixdel').split(' '),
);

/** Functions of Vim script that start processes, run code or change files: what `call`/`let`/`echo`/`\=` may not hide. */
const RUNNING_FUNCTIONS = /\b(system|systemlist|job_start|jobstart|termopen|term_start|libcall|libcallnr|execute|eval|luaeval|py3eval|pyeval|pyxeval|perleval|rubyeval|writefile|delete|rename|mkdir|setfperm|chdir|feedkeys|timer_start|function|funcref|call|inputsave|remote_send|remote_expr|serverlist|ch_open|sound_playfile|v:lua|vim\.fn|vim\.cmd|vim\.system)\b/;

/** A Vim script expression: a literal command given to system()/systemlist() is a script; anything that runs is opaque. */
function expression(expr: string, out: ExEffects) {
  const re = new RegExp(RUNNING_FUNCTIONS.source, 'g');
  for (const m of expr.matchAll(re)) {
    if (m[1] === 'system' || m[1] === 'systemlist') {
      const arg = /^\s*\(\s*(?:'((?:[^']|'')*)'|"((?:[^"\\]|\\.)*)")\s*[,)]/.exec(expr.slice(m.index + m[1].length));
      if (arg) {
        out.runs.push({ kind: 'script', script: lit(arg[1] !== undefined ? arg[1].replace(/''/g, "'") : arg[2].replace(/\\(.)/g, '$1')) });
        continue;
      }
    }
    out.runs.push({ kind: 'opaque', reason: `vim expression calls ${m[1]}() with what only Vim knows: ${expr.slice(0, 80)}` });
  }
}

/** Splits off a leading range (%, 1,5, ., $, 'a, /pat/, +N). */
function skipRange(s: string): string {
  // A search address may be left open at the end: vim +/TODO file.
  return s.replace(/^(?:\s*(?:%|\d+|\.|\$|'[a-z<>]|\/(?:[^/\\]|\\.)*(?:\/|$)|\?(?:[^?\\]|\\.)*(?:\?|$)|[+-]\d*|[,;]))*\s*/, '');
}

/** What one Ex command line (as given to -c, +, --cmd, or on a line of ex's stdin) does. */
export function exCommands(line: string, out: ExEffects = { runs: [], writes: [], reads: [] }, depth = 0): ExEffects {
  let rest = line;
  while (rest.trim()) {
    rest = skipRange(rest.replace(/^[\s:]+/, ''));
    if (!rest) break;
    if (rest[0] === '!') {
      // :!cmd and :{range}!filter run the rest of the line, bars included, through the shell.
      const cmd = rest.slice(1).trim();
      out.runs.push(cmd ? { kind: 'script', script: lit(cmd) } : { kind: 'opaque', reason: 'vim :! repeats the last shell command' });
      return out;
    }
    if (rest[0] === '"') return out;
    // Modifiers run the command after them: :silent !cmd, :noautocmd w x; :sandbox refuses shell commands.
    const mod = /^(sil(?:ent)?!?|uns(?:ilent)?|noa(?:utocmd)?|keepj(?:umps)?|keepa(?:lt)?|keepm(?:arks)?|keepp(?:atterns)?|loc(?:kmarks)?|nos(?:wapfile)?|verb(?:ose)?|vert(?:ical)?|bo(?:tright)?|to(?:pleft)?|lefta(?:bove)?|rightb(?:elow)?|abo(?:veleft)?|bel(?:owright)?|conf(?:irm)?|bro(?:wse)?|hid(?:e)?|tab|\d+verb(?:ose)?)(?=[\s!]|$)\s*/.exec(rest);
    if (mod) {
      rest = rest.slice(mod[0].length);
      continue;
    }
    if (/^sandbox\b/.test(rest)) return out;
    const m = /^([A-Za-z]+!?|[&~<>=#])\s*/.exec(rest);
    if (!m) {
      out.runs.push({ kind: 'opaque', reason: `Ex command not understood: ${rest.slice(0, 60)}` });
      return out;
    }
    const name = m[1];
    const bare = name.replace(/!$/, '');
    rest = rest.slice(m[0].length);
    // Arguments run to the next | (not for commands that take | as their own text).
    const bar = rest.search(/(?<!\\)\|/);
    const arg = bar < 0 ? rest : rest.slice(0, bar);
    const next = bar < 0 ? '' : rest.slice(bar + 1);
    if (/^(s|substitute|&|~)$/.test(bare)) {
      // :s/pat/rep/ — a \= replacement is an expression.
      if (/\\=/.test(arg)) expression(arg.slice(arg.indexOf('\\=') + 2), out);
    } else if (/^(g|global|v|vglobal)$/.test(bare)) {
      // :g/pat/cmd runs cmd (to the end of the line) on each matching line.
      const d = rest[0];
      const end = d ? rest.indexOf(d, 1) : -1;
      if (end > 0 && depth < 3) exCommands(rest.slice(end + 1), out, depth + 1);
      else if (end <= 0) out.runs.push({ kind: 'opaque', reason: `Ex :global not understood: ${rest.slice(0, 60)}` });
      return out;
    } else if (/^(w|write|wq|x|xit|exit|exi|sav|saveas|up|update|wqa|wqall|xa|xall|wa|wall)$/.test(bare)) {
      const a = arg.trim().replace(/^>>\s*/, '').replace(/^\+\+\S+\s*/, '');
      if (a.startsWith('!')) {
        // :w !cmd feeds the buffer to cmd's stdin.
        const cmd = a.slice(1).trim() + (next ? '|' + next : '');
        out.runs.push({ kind: 'script', script: lit(`cat /dev/stdin | ${cmd}`) });
        return out;
      }
      if (a) out.writes.push(lit(a));
    } else if (/^(r|read)$/.test(bare)) {
      const a = arg.trim().replace(/^\+\+\S+\s*/, '');
      if (a.startsWith('!')) {
        out.runs.push({ kind: 'script', script: lit(a.slice(1).trim() + (next ? '|' + next : '')) });
        return out;
      }
      if (a) out.reads.push(lit(a));
    } else if (/^(ter|terminal)$/.test(bare)) {
      // :terminal CMD runs CMD in a terminal window (its ++options first).
      const cmd = rest.replace(/^(\+\+\S+\s*)*/, '').trim();
      out.runs.push(cmd ? { kind: 'script', script: lit(cmd) } : { kind: 'opaque', reason: 'vim :terminal starts a shell' });
      return out;
    } else if (/^(e|edit)$/.test(bare)) {
      if (arg.trim().startsWith('!')) out.runs.push({ kind: 'opaque', reason: 'vim :e with a command' });
    } else if (/^(call|cal|let|echo|ec|echom|echomsg|if|elseif|while|return|unlet)$/.test(bare)) {
      expression(arg, out);
    } else if (bare === 'normal' || bare === 'norm') {
      // Normal-mode keys can type :!cmd.
      if (/[:!Q]/.test(arg)) out.runs.push({ kind: 'opaque', reason: `vim :normal types keys that may run commands: ${arg.slice(0, 60)}` });
      return out;
    } else if (!HARMLESS.has(name) && !HARMLESS.has(bare)) {
      out.runs.push({ kind: 'opaque', reason: `vim runs an Ex command agentguard does not follow: ${name}` });
      return out;
    }
    rest = next;
  }
  return out;
}

/** ed's commands on stdin: `!cmd`, `r !cmd`, `w !cmd`, `e !cmd` run commands; `w FILE` writes it. */
export function edCommands(text: string, restricted: boolean): ExEffects {
  const out: ExEffects = { runs: [], writes: [], reads: [] };
  let inText = false;
  for (const raw of text.split('\n')) {
    if (out.runs.length > MAX_FOUND || out.writes.length > MAX_FOUND) break;
    if (inText) {
      if (raw === '.') inText = false;
      continue;
    }
    const line = skipRange(raw);
    const m = /^([aic])$|^([!])(.*)$|^([wWre]|wq|E)\s*(.*)$|^g\/(?:[^/\\]|\\.)*\/(.*)$/.exec(line);
    if (!m) continue;
    if (m[1]) inText = true;
    else if (m[2]) {
      if (restricted) continue;
      const cmd = m[3].trim();
      out.runs.push(cmd ? { kind: 'script', script: lit(cmd) } : { kind: 'opaque', reason: 'ed ! repeats the last shell command' });
    } else if (m[4]) {
      const a = m[5].trim();
      if (a.startsWith('!')) {
        if (!restricted) out.runs.push({ kind: 'script', script: lit(m[4].startsWith('w') ? `cat /dev/stdin | ${a.slice(1)}` : a.slice(1)) });
      } else if (a) (m[4].startsWith('w') || m[4] === 'W' ? out.writes : out.reads).push(lit(a));
    } else if (m[6] !== undefined && /^\s*!/.test(m[6]) && !restricted) out.runs.push({ kind: 'opaque', reason: 'ed g/re/! runs commands per line' });
  }
  return out;
}

const VIM: OptionSpec = {
  takesValue: ['-c', '--cmd', '-S', '-u', '-U', '-i', '-T', '-t', '-q', '-w', '-W', '-s', '-l', '--listen', '--server', '--servername', '--remote-send', '--remote-expr', '--startuptime', '--log', '-r'],
};

/** vi, vim, nvim, gvim, view, vimdiff … (rvim/rview refuse shell commands; their -c still writes files). */
const VIMS = ['vi', 'vim', 'nvim', 'gvim', 'vimdiff', 'nvi', 'elvis', 'vile', 'rvim', 'evim'];
/** Read-only Vim: the files it opens are read (a :w in -c still writes). */
const VIEWS = ['view', 'rview', 'gview'];

function vimRead(args: readonly Word[], ctx: RunContext, ex: boolean): ExEffects & { files: Word[] } {
  const out: ExEffects = { runs: [], writes: [], reads: [] };
  // -s after -e/-E is "silent", not a script file: read it as a flag then.
  const exMode = ex || args.some((w) => /^-[A-Za-z]*[eE]/.test(w.value ?? '') && !w.value!.startsWith('--'));
  const spec: OptionSpec = exMode ? { takesValue: VIM.takesValue!.filter((o) => o !== '-s') } : VIM;
  // `+cmd` words are commands, not files.
  const plus = args.filter((w) => w.value === null ? /^["']?\+/.test(w.raw) : w.value.startsWith('+') && w.value.length > 1);
  const o = parseOptions(args.filter((w) => !plus.includes(w)), spec);
  const commands: (string | null)[] = [...(o.values.get('-c') ?? []), ...(o.values.get('--cmd') ?? []), ...plus.map((w) => (w.value === null ? null : w.value.slice(1)))];
  for (const c of commands) {
    if (c === null) out.runs.push({ kind: 'opaque', reason: 'vim is given an Ex command only known when it runs' });
    else exCommands(c, out);
  }
  for (const k of ['-S', '-u', '-U', '-s', '-l']) {
    for (const v of o.values.get(k) ?? []) {
      if (v === 'NONE' || v === 'NORC' || v === 'DEFAULTS') continue;
      out.runs.push({ kind: 'opaque', reason: `vim ${k} runs ${k === '-s' ? 'normal-mode keys' : 'a script'} from ${v ?? 'a file only known when it runs'}` });
    }
  }
  if (o.flags.includes('-S') && !o.values.has('-S')) out.runs.push({ kind: 'opaque', reason: 'vim -S sources Session.vim' });
  for (const k of ['--remote-send', '--remote-expr']) if (o.values.has(k)) out.runs.push({ kind: 'opaque', reason: `vim ${k} drives another Vim` });
  pushAll(out.writes, o.values.has('-w') || o.values.has('-W') ? [...(o.values.get('-w') ?? []), ...(o.values.get('-W') ?? [])].map((v) => (v === null ? dyn('vim -w …') : lit(v))) : []);
  // ex, vim -e/-E/-es read Ex commands from stdin when it is not a terminal.
  if (exMode && ctx.stdin !== null) for (const line of ctx.stdin.split('\n')) exCommands(line, out);
  else if (exMode && ctx.stdinUnknown) out.runs.push({ kind: 'opaque', reason: 'Ex commands fed to vim on stdin are only known when it runs' });
  return { runs: capRuns(out.runs, 'vim'), writes: capWords(out.writes, 'vim'), reads: out.reads.slice(0, 64), files: o.positionals };
}

function vimSpec(names: string[], ex: boolean, readOnly = false): ProgramSpec {
  return {
    names,
    options: VIM,
    runs: (args, ctx) => vimRead(args, ctx, ex).runs,
    effects(a, out) {
      const r = vimRead(a.args, a, ex);
      pushAll(readOnly ? out.reads : out.writes, r.files);
      pushAll(out.writes, r.writes);
      pushAll(out.reads, r.reads);
    },
  };
}

export const vim = vimSpec(VIMS, false);
export const view = vimSpec(VIEWS, false, true);
/** ex (and vim -e) reads Ex commands from stdin when it is not a terminal. */
export const ex = vimSpec(['ex'], true);

function edSpec(names: string[], restricted: boolean): ProgramSpec {
  return {
    names,
    options: { takesValue: ['-p', '--prompt'] },
    runs(args, ctx) {
      const out: Run[] = [];
      // `ed !cmd` edits the output of cmd.
      for (const w of args) if (!restricted && w.value?.startsWith('!')) out.push({ kind: 'script', script: lit(w.value.slice(1)) });
      if (ctx.stdin !== null) for (const r of edCommands(ctx.stdin, restricted).runs) out.push(r);
      else if (ctx.stdinUnknown) out.push({ kind: 'opaque', reason: 'ed commands fed on stdin are only known when it runs' });
      return capRuns(out, 'ed');
    },
    effects(a, out) {
      // `ed !cmd` reads the output of cmd: not a file.
      pushAll(out.writes, a.opts.positionals.filter((p) => !p.value?.startsWith('!')));
      if (a.stdin !== null) {
        const r = edCommands(a.stdin, restricted);
      r.writes = capWords(r.writes, 'ed');
        pushAll(out.writes, r.writes);
        pushAll(out.reads, r.reads);
      }
    },
  };
}

export const ed = edSpec(['ed'], false);
/** red refuses ! commands and writes outside its directory. */
export const red = edSpec(['red'], true);

export const editors: ProgramSpec = {
  names: ['nano', 'pico', 'emacs', 'emacsclient', 'micro', 'joe', 'mcedit', 'code', 'subl', 'gedit', 'kate', 'hx'],
  effects(a, out) {
    pushAll(out.writes, a.opts.positionals.filter((p) => !p.value?.startsWith('+')));
  },
};

export const programs = [vim, view, ex, ed, red, editors];
