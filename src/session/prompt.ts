// Asking the person: one prompt at a time, drawn over the agent's screen, answered only
// by a single key typed on the real terminal. Everything shown from the agent's command
// is escaped; terminal replies and pasted text (several bytes at once) are ignored.
import { escapeForTerminal, paint as chalk } from '../shell/display.js';
import type { Answer, AskInfo } from './gate.js';
import type { TerminalBridge } from './terminal.js';

export interface PromptOptions {
  timeoutMs: number;
  /** Keys typed this soon after the prompt appears were meant for the agent: ignored. */
  typeAheadMs?: number;
}

export class Prompter {
  private queue: Promise<unknown> = Promise.resolve();
  /** Aborted when the session ends: every prompt open or waiting closes as abandoned. */
  private ending = new AbortController();
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
      let timer: NodeJS.Timeout;
      const signals = [info.signal, this.ending.signal].filter((s): s is AbortSignal => !!s);
      const onAbort = () => finish('abandoned');
      const finish = (a: Answer) => {
        clearTimeout(timer);
        for (const s of signals) s.removeEventListener('abort', onAbort);
        // Leave the prompt: back to the agent's own screen.
        this.term.write(alt ? '\x1b[2J\x1b[H' : '\x1b[2J\x1b[H\x1b[?1049l');
        this.term.giveBack();
        resolve(a);
      };
      for (const s of signals) s.addEventListener('abort', onAbort, { once: true });
      this.term.takeOver((data) => {
        if (Date.now() - shownAt < typeAhead) return;
        // One key per read: anything longer is a paste or a terminal's reply, not an answer.
        if (data.length !== 1) return;
        const k = data.toLowerCase();
        if (k === 'y') finish('once');
        else if (k === 'a') finish('session');
        else if (k === 'n' || k === '\r' || k === '\n' || k === '\x03' || k === '\x1b') finish('deny');
      });
      timer = setTimeout(() => finish('timeout'), this.opts.timeoutMs);
      this.term.write((alt ? '' : '\x1b[?1049h') + '\x1b[2J\x1b[H\x1b[?25h' + render(info, this.opts.timeoutMs));
    });
  }
}

export function render(info: AskInfo, timeoutMs: number): string {
  if (info.network) return renderNetwork(info.network, timeoutMs);
  const d = info.decision;
  const lines: string[] = [];
  const head = d.matches.some((m) => m.severity === 'critical' || m.severity === 'high') ? chalk.bgRed.white.bold : chalk.bgYellow.black.bold;
  lines.push(`${head(' agentguard ')} the agent wants to run a command that needs your approval`);
  lines.push('');
  for (const l of escapeForTerminal(info.command, { keepNewlines: true }).split('\n')) lines.push(`    ${chalk.bold(l)}`);
  lines.push(chalk.dim(`    in ${escapeForTerminal(info.cwd)}`));
  lines.push('');
  for (const m of d.matches) {
    const tag = m.action === 'deny' ? chalk.red(m.action.toUpperCase()) : chalk.yellow(m.action.toUpperCase());
    lines.push(`  ${tag} ${chalk.bold(m.rule)} ${chalk.dim(`(${m.severity})`)}`);
    lines.push(`       ${escapeForTerminal(m.message)}`);
  }
  for (const o of d.opaque) lines.push(`  ${chalk.yellow('NOT ANALYSABLE')} ${escapeForTerminal(o)}`);
  lines.push('');
  lines.push(`  ${chalk.green.bold('[y]')} allow once   ${chalk.green.bold('[a]')} allow this command in this directory for the session   ${chalk.red.bold('[n]')} or Enter: deny`);
  lines.push(footer(timeoutMs));
  return lines.join('\r\n') + '\r\n';
}

/** The egress proxy's question: a connection to a host that is not on the allowlist. */
function renderNetwork(n: NonNullable<AskInfo['network']>, timeoutMs: number): string {
  const target = n.url ? `${n.method} ${n.url}` : `${n.method} ${n.host}:${n.port}`;
  return [
    `${chalk.bgYellow.black.bold(' agentguard ')} the agent wants to connect to a host that is not on the egress allowlist`,
    '',
    `    ${chalk.bold(escapeForTerminal(target))}`,
    ...(n.url ? [] : [chalk.dim('    (an encrypted tunnel: only the host and port are visible)')]),
    '',
    `  ${chalk.green.bold('[y]')} allow this request   ${chalk.green.bold('[a]')} allow ${escapeForTerminal(n.host)} for the session   ${chalk.red.bold('[n]')} or Enter: refuse`,
    chalk.dim(`  To allow it in every session: add it to egress-allowlist in ~/.config/agentguard/rules/lists.yaml`),
    footer(timeoutMs),
  ].join('\r\n') + '\r\n';
}

function footer(timeoutMs: number): string {
  const mins = Math.floor(timeoutMs / 60000);
  const secs = Math.round((timeoutMs % 60000) / 1000);
  const wait = [mins ? `${mins} min` : '', secs ? `${secs} s` : ''].filter(Boolean).join(' ');
  return chalk.dim(`  No answer within ${wait} denies. Keys typed here never reach the agent.`);
}
