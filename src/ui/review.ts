// Reading a session log as a person: a coloured timeline, filters, and the sessions list.
import { escapeForTerminal, paint as chalk } from './display.js';
import type { SessionInfo } from '../log/read.js';
import type { LogRecord } from '../log/store.js';

export interface LogFilter {
  action?: 'allow' | 'ask' | 'deny';
  sinceMs?: number;
  grep?: string;
}

export function matchesFilter(r: LogRecord, f: LogFilter, now = Date.now()): boolean {
  if (f.sinceMs !== undefined && now - Date.parse(r.time) > f.sinceMs) return false;
  if (f.action && (r.type !== 'decision' || r.action !== f.action)) return false;
  if (f.grep && !JSON.stringify(r).toLowerCase().includes(f.grep.toLowerCase())) return false;
  return true;
}

/** "2h", "30m", "7d", "45s" → milliseconds. */
export function parseDuration(s: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(s|m|h|d|w)$/.exec(s.trim());
  if (!m) throw new Error(`not a duration: ${s} (use a number and s, m, h, d or w: 30m, 2h, 7d)`);
  const unit = { s: 1e3, m: 6e4, h: 3.6e6, d: 8.64e7, w: 6.048e8 }[m[2] as 's' | 'm' | 'h' | 'd' | 'w'];
  return Number(m[1]) * unit;
}

const ACTION = { allow: chalk.green('ALLOW'), ask: chalk.yellow('ASK  '), deny: chalk.red('DENY ') } as Record<string, string>;

/** A field of a record read back from disk, as text: a value that is not a string or a number shows as JSON, not [object Object]. */
function text(v: unknown): string {
  return typeof v === 'string' ? v : (JSON.stringify(v) ?? String(v));
}

export function formatRecord(r: LogRecord): string {
  const t = chalk.dim(r.time.slice(11, 19));
  switch (r.type) {
    case 'session-start':
      return `${t} ${chalk.bold('session start')} ${escapeForTerminal((r.agent as string[]).join(' '))} ${chalk.dim(`workspace ${(r.workspaces as string[]).join(', ')} | ${text(r.enforcement)} | rules ${text(r.rules).slice(0, 12)}`)}`;
    case 'session-end':
      return `${t} ${chalk.bold('session end')} exit ${text(r.exit)} ${chalk.dim(JSON.stringify(r.counts))}`;
    case 'command-end':
      return `${t}   ${chalk.dim(`↳ #${text(r.decision)} exited ${text(r.status)} after ${text(r.ms)} ms`)}`;
    case 'network':
      return `${t} ${ACTION[text(r.action)] ?? text(r.action)} ${chalk.cyan('net')} ${escapeForTerminal(`${text(r.method)} ${text(r.host)}:${text(r.port)}${r.path ? text(r.path) : ''}`)} ${chalk.dim(`↑${text(r.bytesUp)} ↓${text(r.bytesDown)}`)}${r.answer ? chalk.bold(` [${text(r.answer)}]`) : ''}${r.action === 'deny' && r.reason ? chalk.dim(`  ${escapeForTerminal(text(r.reason).replace(/^agentguard: /, '').split(/[;:] /)[0])}`) : ''}`;
    case 'decision': {
      const rules = (r.matches as { rule: string; subject?: string[] }[] | undefined)?.map((m) => (m.subject?.length ? `${m.rule}: ${escapeForTerminal(m.subject.join(' '))}` : m.rule)) ?? [];
      const answer = r.answer ? chalk.bold(` [${text(r.answer)}${r.answeredFrom ? ` at the ${text(r.answeredFrom)}` : ''}]`) : '';
      const verdict = r.verdict && r.verdict !== r.action ? chalk.dim(` → ${text(r.verdict)}`) : '';
      const via = r.kind && r.kind !== 'checked' ? chalk.dim(` (${text(r.kind)})`) : '';
      const why = [...rules, ...((r.opaque as string[] | undefined)?.length ? ['not-analysable'] : [])];
      return `${t} ${chalk.dim(`#${r.seq}`)} ${ACTION[text(r.action)] ?? text(r.action)} ${escapeForTerminal(text(r.command))}${via}${answer}${verdict}${why.length ? chalk.dim(`  ${why.join(', ')}`) : ''}`;
    }
    default:
      return `${t} ${r.type}`;
  }
}

export function formatSessions(list: SessionInfo[]): string {
  if (!list.length) return chalk.dim('no sessions recorded yet');
  const rows = list.map((s) => {
    const dur = s.start && s.end ? Math.round((Date.parse(s.end) - Date.parse(s.start)) / 1000) : 0;
    const d = dur >= 3600 ? `${Math.floor(dur / 3600)}h${Math.floor((dur % 3600) / 60)}m` : dur >= 60 ? `${Math.floor(dur / 60)}m${dur % 60}s` : `${dur}s`;
    return `${s.id.padEnd(22)} ${String(s.start ?? '').slice(0, 19).replace('T', ' ')}  ${d.padStart(7)}  ${chalk.green(String(s.counts.allow).padStart(4))} ${chalk.yellow(String(s.counts.ask).padStart(4))} ${chalk.red(String(s.counts.deny).padStart(4))}  ${escapeForTerminal(s.agent)}${s.workspace ? chalk.dim(`  ${s.workspace}`) : ''}`;
  });
  return [chalk.bold(`${'session'.padEnd(22)} ${'started'.padEnd(19)}  ${'length'.padStart(7)}  allow  ask deny  agent`), ...rows].join('\n');
}
