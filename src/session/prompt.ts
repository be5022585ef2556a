// Asking the person: one prompt at a time, drawn over the agent's screen, answered only
// by a single key typed on the real terminal. Everything shown from the agent's command
// is escaped; terminal replies and pasted text (several bytes at once) are ignored.
// The prompt is laid out to the terminal's size: what is asked and which rules matched at
// the top, the keys at the bottom, the command in between (cut to fit, keeping the lines
// that matched), and it is drawn again when the terminal is resized.
import { unwrapAgentCommand } from '../agents/wrappers.js';
import { escapeForTerminal, paint as chalk } from '../ui/display.js';
import type { Answer, AskInfo } from './gate.js';
import type { TerminalBridge } from './terminal.js';

export interface PromptOptions {
  timeoutMs: number;
  /** Keys typed this soon after the prompt appears were meant for the agent: ignored. */
  typeAheadMs?: number;
  /**
   * Keys typed this soon after a prompt closed without the person's key (abandoned by its
   * requester, or timed out) were meant for that prompt: ignored, so that a `y` typed as the
   * old prompt vanished cannot answer the next one.
   */
  afterWithdrawnMs?: number;
}

export interface ScreenSize {
  cols: number;
  rows: number;
}

/**
 * What the agent may have left in the terminal's state, undone before the prompt is drawn,
 * so that its text cannot be hidden, recoloured, scrolled away or drawn in line-drawing
 * characters:
 * - ST then CAN: ends a control string (OSC, DCS) or sequence the agent left unfinished,
 *   which would otherwise swallow the prompt's text;
 * - scroll region to the whole screen, origin mode off;
 * - character sets G0/G1 to ASCII, shift in;
 * - every attribute off (colours, bold, reverse, hidden/concealed text), screen not reversed;
 * - insert mode off, auto-wrap on, cursor visible;
 * - mouse tracking off while the prompt is up (the bridge turns back on what the agent had);
 * - the colour palette and default colours back to the terminal's own (text drawn in the
 *   background colour would be unreadable).
 * Bracketed paste is left as the agent had it: with it on a paste arrives framed, with it
 * off as several bytes at once; the prompt ignores both, so it cannot answer by pasting.
 */
export const TERMINAL_RESET =
  '\x1b\\\x18' +
  '\x1b[r\x1b[?6l' +
  '\x1b(B\x1b)B\x0f' +
  '\x1b[0m\x1b[?5l' +
  '\x1b[4l\x1b[?7h\x1b[?25h' +
  '\x1b[?1000l\x1b[?1002l\x1b[?1003l\x1b[?1005l\x1b[?1006l\x1b[?1015l' +
  '\x1b]104\x07\x1b]110\x07\x1b]111\x07';

const CLEAR = '\x1b[2J\x1b[H';

/**
 * Keys as plain bytes while the prompt is up: an agent that turned on the kitty keyboard
 * protocol would otherwise have `y` arrive as an escape sequence, which the prompt ignores.
 * Pushing flags 0 on the terminal's stack and popping them afterwards gives the agent back
 * exactly what it had; terminals without the protocol ignore both.
 */
const KEYS_PLAIN = '\x1b[>0u';
const KEYS_AGENT = '\x1b[<u';

export class Prompter {
  private queue: Promise<unknown> = Promise.resolve();
  /** Aborted when the session ends: every prompt open or waiting closes as abandoned. */
  private ending = new AbortController();
  /** When the last prompt closed without a key from the person (0: never). */
  private withdrawnAt = 0;
  constructor(
    private term: TerminalBridge,
    private opts: PromptOptions,
  ) {}

  ask(info: AskInfo): Promise<Answer> {
    const next = this.queue.then(() => this.show(info));
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** The agent is gone: close the prompt on screen and answer every waiting one as abandoned. */
  closeAll(): void {
    this.ending.abort();
  }

  private show(info: AskInfo): Promise<Answer> {
    // Whoever asked may have gone while this prompt waited its turn: never show it then.
    if (info.signal?.aborted || this.ending.signal.aborted) return Promise.resolve('abandoned');
    return new Promise((resolve) => {
      const alt = this.term.agentAltScreen;
      const shownAt = Date.now();
      const typeAhead = this.opts.typeAheadMs ?? 150;
      const notBefore = Math.max(shownAt + typeAhead, this.withdrawnAt + (this.opts.afterWithdrawnMs ?? 1000));
      const signals = [info.signal, this.ending.signal].filter((s): s is AbortSignal => !!s);
      const onAbort = () => finish('abandoned');
      const finish = (a: Answer) => {
        clearTimeout(timer);
        if (a === 'abandoned' || a === 'timeout') this.withdrawnAt = Date.now();
        for (const s of signals) s.removeEventListener('abort', onAbort);
        // Leave the prompt: back to the agent's own screen.
        this.term.write(KEYS_AGENT + (alt ? CLEAR : CLEAR + '\x1b[?1049l'));
        this.term.giveBack();
        resolve(a);
      };
      for (const s of signals) s.addEventListener('abort', onAbort, { once: true });
      const draw = (first: boolean) => this.term.write(drawPrompt(info, this.opts.timeoutMs, this.term.size(), { first, enterAltScreen: first && !alt }));
      this.term.takeOver(
        (data) => {
          if (Date.now() < notBefore) return;
          // One key per read: anything longer is a paste or a terminal's reply, not an answer.
          if (data.length !== 1) return;
          const k = data.toLowerCase();
          if (k === 'y') finish('once');
          else if (k === 'a') finish('session');
          else if (k === 'n' || k === '\r' || k === '\n' || k === '\x03' || k === '\x1b') finish('deny');
        },
        () => draw(false),
      );
      const timer = setTimeout(() => finish('timeout'), this.opts.timeoutMs);
      draw(true);
    });
  }
}

/** Everything written to draw the prompt: the alternate screen, the reset, a clear screen, the prompt. */
export function drawPrompt(info: AskInfo, timeoutMs: number, size: ScreenSize, { first = true, enterAltScreen = false } = {}): string {
  return (enterAltScreen ? '\x1b[?1049h' : '') + (first ? KEYS_PLAIN : '') + TERMINAL_RESET + CLEAR + render(info, timeoutMs, size);
}

/** The prompt's text for a terminal of `size`: at most size.rows lines, none wider than the screen. */
export function render(info: AskInfo, timeoutMs: number, size: ScreenSize = { cols: 80, rows: 24 }): string {
  const cols = Math.max(20, size.cols || 80);
  const rows = Math.max(4, size.rows || 24);
  const lines = info.network ? renderNetwork(info.network, timeoutMs, cols - 1) : layout(info, timeoutMs, cols - 1, rows);
  return lines.slice(0, rows).join('\r\n');
}

// ---- layout of the command prompt -------------------------------------------------

interface Sections {
  title: string;
  rules: { line: string; message: string[] }[];
  opaque: string[];
  context: string | null;
  command: string[];
  cwd: string;
  /** "runs outside the sandbox: …" (escalate.ts) and the snapshot line, said before the key is pressed; kept at every size. */
  outside: string[];
  keys: string;
  footer: string;
}

/**
 * The prompt at the largest level of detail that still leaves room for the command:
 * blank lines, then rule messages, then the footer and context go first; the title, the
 * rule names with their subjects and the keys stay.
 */
function layout(info: AskInfo, timeoutMs: number, width: number, rows: number): string[] {
  const s = sections(info, timeoutMs, width);
  const levels = [
    { blanks: true, message: 3, footer: true, context: true, minCommand: 8 },
    { blanks: true, message: 1, footer: true, context: true, minCommand: 5 },
    { blanks: false, message: 1, footer: true, context: true, minCommand: 4 },
    { blanks: false, message: 0, footer: false, context: true, minCommand: 3 },
    { blanks: false, message: 0, footer: false, context: false, minCommand: 1 },
  ];
  for (const [i, lv] of levels.entries()) {
    const rules = [...s.rules.flatMap((r) => [r.line, ...r.message.slice(0, lv.message)]), ...s.opaque];
    const fixedHead = 1 + (lv.blanks ? 1 : 0);
    const fixedTail = 1 + s.outside.length + (lv.context && s.context ? 1 : 0) + (lv.blanks ? 2 : 0) + 1 + (lv.footer ? 1 : 0);
    let room = rows - fixedHead - fixedTail - rules.length;
    let shownRules = rules;
    const last = i === levels.length - 1;
    if (room < Math.min(lv.minCommand, s.command.length)) {
      if (!last) continue;
      // Too many rules for this screen: keep what fits, and say how many are left out.
      const keep = Math.max(1, rules.length - (Math.min(lv.minCommand, s.command.length) - room) - 1);
      shownRules = [...rules.slice(0, keep), chalk.dim(cut(`  … ${rules.length - keep} more (see the log)`, width))];
      room = rows - fixedHead - fixedTail - shownRules.length;
    }
    const command = pickLines(s.command, Math.max(1, room), subjectsOf(info), width);
    const out = [s.title];
    if (lv.blanks) out.push('');
    out.push(...shownRules);
    if (lv.blanks) out.push('');
    if (lv.context && s.context) out.push(s.context);
    out.push(...command, s.cwd);
    out.push(...s.outside);
    if (lv.blanks) out.push('');
    out.push(s.keys);
    if (lv.footer) out.push(s.footer);
    if (out.length > rows) {
      // A screen too small for even one line of each: the keys line is the one that must stay.
      return [...out.slice(0, rows - 1), s.keys];
    }
    return out;
  }
  return [s.title, s.keys];
}

function sections(info: AskInfo, timeoutMs: number, width: number): Sections {
  const d = info.decision;
  const head = d.matches.some((m) => m.severity === 'critical' || m.severity === 'high') ? chalk.bgRed.white.bold : chalk.bgYellow.black.bold;
  const asks = ['the agent wants to run a command that needs your approval', 'a command needs your approval', 'needs your approval', 'approval needed'];
  const title = `${head(' agentguard ')} ${cut(asks.find((a) => a.length <= width - 13) ?? asks[3], width - 13)}`;
  // The strictest first: on a small screen the last ones are the ones left out.
  const order = { deny: 2, ask: 1, allow: 0 };
  const severity = { critical: 3, high: 2, medium: 1, low: 0 };
  const sorted = [...d.matches].sort((a, b) => order[b.action] - order[a.action] || severity[b.severity] - severity[a.severity]);
  const rules = sorted.map((m) => {
    const tag = m.action === 'deny' ? chalk.red(m.action.toUpperCase()) : chalk.yellow(m.action.toUpperCase());
    const subject = m.subject?.length ? `: ${escapeForTerminal(m.subject.join(', '))}` : '';
    const sev = ` (${m.severity})`;
    const name = cut(`${m.rule}${subject}`, width - 3 - m.action.length - sev.length);
    return { line: `  ${tag} ${chalk.bold(name)}${chalk.dim(sev)}`, message: wrapWords(escapeForTerminal(m.message), width - 7).map((l) => `       ${l}`) };
  });
  const opaque = d.opaque.map((o) => `  ${chalk.yellow('NOT ANALYSABLE')} ${cut(escapeForTerminal(o), width - 17)}`);
  // Kept at every size, like the opaque reasons: a skipped rule file is a rule the person thinks holds.
  if (info.ruleProblem) opaque.push(`  ${chalk.yellow(cut(escapeForTerminal(info.ruleProblem), width - 2))}`);
  const wrapped = unwrapAgentCommand(info.command);
  // Long paths in the wrapper (its snapshot file) shortened: it is context, not the question.
  const shortWrapper = wrapped?.wrapper.replace(/[^\s']*\/[^\s']*/g, (p) => (p.length > 24 ? `…/${p.slice(p.lastIndexOf('/') + 1)}` : p));
  const context = wrapped ? chalk.dim(cut(`    run by ${wrapped.agent}'s wrapper: ${escapeForTerminal(shortWrapper!)}`, width)) : null;
  const text = wrapped ? wrapped.inner : info.command;
  const command = text.split('\n').flatMap((l) => hardWrap(escapeForTerminal(l.replace(/\t/g, '    ')), width - 4));
  const cwd = chalk.dim(cut(`    in ${escapeForTerminal(info.cwd)}`, width));
  const outsideText = info.outside?.length ? hardWrap(`runs outside the sandbox: ${escapeForTerminal(info.outside.join('; '))}`, width - 2) : [];
  const outside = outsideText.slice(0, 3).map((l, i) => `  ${chalk.magenta.bold(i === 2 && outsideText.length > 3 ? cut(`${l}…`, width - 2) : l)}`);
  // Whether approving can be undone: known before the key is pressed, so kept at every size too.
  if (info.snapshot) {
    const colour = info.snapshot.startsWith('no snapshot') ? chalk.red : chalk.green;
    const lines = hardWrap(escapeForTerminal(info.snapshot), width - 2);
    outside.push(...lines.slice(0, 2).map((l, i) => `  ${colour(i === 1 && lines.length > 2 ? cut(`${l}…`, width - 2) : l)}`));
  }
  return { title, rules, opaque, context, command, cwd, outside, keys: info.breaker ? breakerKeysLine(width) : keysLine(width), footer: chalk.dim(cut(footer(timeoutMs), width)) };
}

/** What the rules named (paths, hosts, flags), as they may appear in the command's text. */
function subjectsOf(info: AskInfo): string[] {
  const out = new Set<string>();
  for (const m of info.decision.matches) {
    for (const raw of m.subject ?? []) {
      const s = escapeForTerminal(raw.replace(/^from /, '').replace(/ \(→ .*\)$/, ''));
      out.add(s);
      // `~/.npmrc` may be spelled $HOME/.npmrc or /home/dev/.npmrc in the command.
      const base = s.includes('/') ? s.slice(s.lastIndexOf('/') + 1) : '';
      if (base.length >= 3) out.add(base);
    }
  }
  return [...out].filter((s) => s.length >= 2).sort((a, b) => b.length - a.length);
}

/**
 * Chooses which of the command's (already wrapped) lines to show in `room` rows: the lines
 * holding what a rule matched first, then the first line, then the lines after each of
 * them, then lines from the top; every run of lines left out becomes one marker line.
 */
export function pickLines(lines: string[], room: number, subjects: string[], width = 80): string[] {
  // What a rule matched is underlined where it appears (colour terminals only; the text is the same).
  const marks = subjects.filter((x) => x.length >= 3);
  const indent = (l: string) => {
    const hit = new Array<boolean>(l.length).fill(false);
    for (const m of marks) for (let at = l.indexOf(m); at >= 0; at = l.indexOf(m, at + 1)) hit.fill(true, at, at + m.length);
    let out = '';
    for (let i = 0; i < l.length; ) {
      let j = i;
      while (j < l.length && hit[j] === hit[i]) j++;
      out += hit[i] ? chalk.underline(l.slice(i, j)) : l.slice(i, j);
      i = j;
    }
    return `    ${chalk.bold(out)}`;
  };
  if (lines.length <= room) return lines.map(indent);
  const wanted: number[] = [];
  // Longer subjects first: `~/.npmrc` says more than `-f`.
  for (const s of subjects) for (let i = 0; i < lines.length && wanted.length < room * 4; i++) if (lines[i].includes(s)) wanted.push(i);
  wanted.push(0);
  for (const i of [...wanted]) wanted.push(i + 1);
  for (let i = 0; i < Math.min(lines.length, room * 2); i++) wanted.push(i);
  const chosen = new Set<number>();
  const cost = (set: Set<number>) => {
    const sorted = [...set].sort((a, b) => a - b);
    let gaps = 0;
    let prev = -1;
    for (const i of sorted) {
      if (i > prev + 1) gaps++;
      prev = i;
    }
    if (prev < lines.length - 1) gaps++;
    return set.size + gaps;
  };
  for (const i of wanted) {
    if (i >= lines.length || chosen.has(i)) continue;
    chosen.add(i);
    if (cost(chosen) > room) chosen.delete(i);
    if (chosen.size >= room) break;
  }
  if (!chosen.size) chosen.add(0);
  // Each run of lines left out is one marker; the last one says where the whole command is.
  const parts: (string | number)[] = [];
  let prev = -1;
  for (const i of [...chosen].sort((a, b) => a - b)) {
    if (i > prev + 1) parts.push(i - prev - 1);
    parts.push(lines[i]);
    prev = i;
  }
  if (prev < lines.length - 1) parts.push(lines.length - 1 - prev);
  let lastMarker = -1;
  parts.forEach((p, i) => typeof p === 'number' && (lastMarker = i));
  const marker = (n: number, end: boolean) => chalk.dim(cut(`    … ${n} more line${n === 1 ? '' : 's'}${end ? ' (the whole command is in the log)' : ''}`, width));
  return parts.map((p, i) => (typeof p === 'number' ? marker(p, i === lastMarker) : indent(p))).slice(0, Math.max(room, 1));
}

function keysLine(width: number): string {
  const y = chalk.green.bold('[y]');
  const a = chalk.green.bold('[a]');
  const n = chalk.red.bold('[n]');
  const variants = [
    `  ${y} allow once   ${a} allow this command in this directory for the session   ${n} or Enter: deny`,
    `  ${y} once   ${a} this command, this directory, this session   ${n}/Enter: deny`,
    `  ${y} once   ${a} this command here, this session   ${n}/Enter: deny`,
    `  ${y} once  ${a} session  ${n} deny`,
  ];
  for (const line of variants) if (textWidth(line.replace(/\x1b\[[0-9;]*m/g, '')) <= width) return line;
  return `${y}${a}${n}`;
}

/** The runaway-loop breaker's keys: the same keys, but `a` there means "stop asking for this session". */
function breakerKeysLine(width: number): string {
  const y = chalk.green.bold('[y]');
  const a = chalk.green.bold('[a]');
  const n = chalk.red.bold('[n]');
  const variants = [
    `  ${y} go on for another minute   ${a} go on, stop asking for this session   ${n} or Enter: refuse`,
    `  ${y} another minute   ${a} stop asking for this session   ${n}/Enter: refuse`,
    `  ${y} 1 more min  ${a} stop asking  ${n} refuse`,
    `  ${y} 1 min  ${a} stop asking  ${n} no`,
  ];
  for (const line of variants) if (textWidth(line.replace(/\x1b\[[0-9;]*m/g, '')) <= width) return line;
  return `${y}${a}${n}`;
}

/** The egress proxy's question: a connection to a host that is not on the egress allowlist. */
function renderNetwork(n: NonNullable<AskInfo['network']>, timeoutMs: number, width: number): string[] {
  if (n.over) return renderLimit(n, n.over, timeoutMs, width);
  const target = n.url ? `${n.method} ${n.url}` : `${n.method} ${n.host}:${n.port}`;
  const host = escapeForTerminal(n.host);
  const keys =
    width >= 60 + host.length
      ? `  ${chalk.green.bold('[y]')} allow this request   ${chalk.green.bold('[a]')} allow ${host} for the session   ${chalk.red.bold('[n]')} or Enter: refuse`
      : `  ${chalk.green.bold('[y]')} once  ${chalk.green.bold('[a]')} host  ${chalk.red.bold('[n]')} refuse`;
  return [
    `${chalk.bgYellow.black.bold(' agentguard ')} ${cut('the agent wants to connect to a host that is not on the egress allowlist', width - 13)}`,
    keys,
    '',
    ...hardWrap(escapeForTerminal(target), width - 4)
      .slice(0, 3)
      .map((l) => `    ${chalk.bold(l)}`),
    ...(n.url ? [] : [chalk.dim(cut('    (an encrypted tunnel: only the host and port are visible)', width))]),
    '',
    chalk.dim(cut('  To allow it in every session: add it to egress-allowlist in ~/.config/agentguard/rules/lists.yaml', width)),
    chalk.dim(cut(footer(timeoutMs), width)),
  ];
}

/** The egress proxy's budget question (src/egress/budget.ts): traffic over a limit, with the figures. */
function renderLimit(n: NonNullable<AskInfo['network']>, over: NonNullable<NonNullable<AskInfo['network']>['over']>, timeoutMs: number, width: number): string[] {
  const target = n.url ? `${n.method} ${n.url}` : `${n.method} ${n.host}:${n.port}`;
  const more = escapeForTerminal(over.more);
  const keys =
    width >= 62 + more.length
      ? `  ${chalk.green.bold('[y]')} allow ${more}   ${chalk.green.bold('[a]')} lift this limit for the session   ${chalk.red.bold('[n]')} or Enter: refuse`
      : `  ${chalk.green.bold('[y]')} more  ${chalk.green.bold('[a]')} lift  ${chalk.red.bold('[n]')} refuse`;
  return [
    `${chalk.bgRed.white.bold(' agentguard ')} ${cut(`limit reached (${over.limit}): the agent's network traffic is paused`, width - 13)}`,
    '',
    ...wrapWords(escapeForTerminal(over.text), width - 4).slice(0, 4).map((l) => `    ${chalk.bold(l)}`),
    chalk.dim(cut(`    next: ${escapeForTerminal(target)}`, width)),
    '',
    chalk.dim(cut('  Refused, the agent gets HTTP 429 with this reason. Set limits with flags or budgets: in config.yaml.', width)),
    keys,
    chalk.dim(cut(footer(timeoutMs), width)),
  ];
}

function footer(timeoutMs: number): string {
  const mins = Math.floor(timeoutMs / 60000);
  const secs = Math.round((timeoutMs % 60000) / 1000);
  const wait = [mins ? `${mins} min` : '', secs ? `${secs} s` : ''].filter(Boolean).join(' ');
  return `  No answer within ${wait} denies. Keys typed here never reach the agent.`;
}

// ---- text that fits ---------------------------------------------------------------

/** Columns a character takes: 2 for East Asian wide and emoji, 0 for combining marks. */
function charWidth(cp: number): number {
  if ((cp >= 0x300 && cp <= 0x36f) || (cp >= 0x200b && cp <= 0x200f) || (cp >= 0xfe00 && cp <= 0xfe0f)) return 0;
  if (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0xa4cf) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1faff) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  )
    return 2;
  return 1;
}

export function textWidth(s: string): number {
  let w = 0;
  for (const ch of s) w += charWidth(ch.codePointAt(0)!);
  return w;
}

/** `s` cut to `width` columns, with … where it was cut. */
function cut(s: string, width: number): string {
  if (width <= 0) return '';
  if (textWidth(s) <= width) return s;
  let out = '';
  let w = 0;
  for (const ch of s) {
    const cw = charWidth(ch.codePointAt(0)!);
    if (w + cw > width - 1) break;
    out += ch;
    w += cw;
  }
  return out + '…';
}

/** Splits a line into pieces of at most `width` columns (a command's long line, nothing hidden). */
function hardWrap(s: string, width: number): string[] {
  if (width < 1) width = 1;
  if (s.length <= width && textWidth(s) <= width) return [s];
  const out: string[] = [];
  let cur = '';
  let w = 0;
  for (const ch of s) {
    const cw = charWidth(ch.codePointAt(0)!);
    if (w + cw > width) {
      out.push(cur);
      cur = '';
      w = 0;
    }
    cur += ch;
    w += cw;
  }
  out.push(cur);
  return out;
}

/** Wraps prose at spaces to `width` columns. */
function wrapWords(s: string, width: number): string[] {
  const out: string[] = [];
  let cur = '';
  for (const word of s.split(/\s+/).filter(Boolean)) {
    if (!cur) cur = word;
    else if (textWidth(cur) + 1 + textWidth(word) <= width) cur += ' ' + word;
    else {
      out.push(cur);
      cur = word;
    }
  }
  if (cur) out.push(cur);
  return out.flatMap((l) => hardWrap(l, width));
}
