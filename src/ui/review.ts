// Reading a session log as a person: one line per agent action with its parts folded under
// it, the filters of `agentguard log`, and the sessions list. Everything taken from a
// record is escaped (escapeForTerminal): an agent wrote most of it.
import path from 'node:path';
import { escapeForTerminal, paint as chalk, showArgv } from './display.js';
import { BLOCKED, entryRecords, entryRules, openPrompts, OUTCOMES, outcomeOf, type Entry, type Outcome } from '../log/actions.js';
import { agentCommand, hookAgentOf, type LogHead, type SessionInfo } from '../log/read.js';
import { snapshotKind } from '../log/record.js';
import { SNAPSHOT_PREFIX } from '../git/snapshot.js';
import type { LogRecord } from '../log/store.js';

export const ACTIONS = ['allow', 'ask', 'deny'] as const;

export interface LogFilter {
  /** allow, ask (a person was asked) or deny: the action's decision; or an outcome (approved, refused …). */
  action?: string;
  sinceMs?: number;
  grep?: string;
  /** The agent's program name (claude), or a hook's agent. */
  agent?: string;
  /** Resolved directories: an action whose workspace or project is one of them or below one. */
  projects?: string[];
  rule?: string;
  /** Only refused and denied actions and network requests. */
  blocked?: boolean;
}

export function checkAction(a: string): void {
  if (!([...ACTIONS, ...OUTCOMES] as string[]).includes(a)) throw new Error(`--action must be one of ${[...ACTIONS, ...OUTCOMES].join(', ')}, not ${a}`);
}

/** Whether an entry of log `s` passes the filter. Filters about actions leave out lines that are not actions. */
export function matchesEntry(e: Entry, s: LogHead, f: LogFilter, now = Date.now()): boolean {
  const r = e.root;
  if (f.sinceMs !== undefined && !(now - Date.parse(text(r.time)) <= f.sinceMs)) return false;
  if (f.blocked && !(e.outcome && BLOCKED.has(e.outcome))) return false;
  if (f.action) {
    const asked = r.type === 'prompt' || r.action === 'ask' || typeof r.answer === 'string';
    const ok = f.action === 'ask' ? asked : f.action === 'allow' || f.action === 'deny' ? e.outcome !== null && r.action === f.action : e.outcome === f.action;
    if (!ok) return false;
  }
  if (f.rule && !entryRules(e).includes(f.rule)) return false;
  if (f.agent) {
    const hook = r.type === 'decision' ? hookAgentOf(r) : null;
    const names = hook ? [hook] : s.agentNames;
    if (!names.some((n) => n.toLowerCase() === f.agent!.toLowerCase())) return false;
  }
  if (f.projects) {
    // A hook names its project; a session's records are in its workspaces; a check is where it ran.
    const places = typeof r.project === 'string' ? [r.project] : typeof r.repo === 'string' && snapshotKind(r) ? [r.repo] : s.kind === 'session' ? s.workspaces : typeof r.cwd === 'string' ? [r.cwd] : [];
    if (!places.some((p) => f.projects!.some((d) => p === d || p.startsWith(d.endsWith('/') ? d : d + '/')))) return false;
  }
  if (f.grep) {
    const g = f.grep.toLowerCase();
    if (!entryRecords(e).some((x) => JSON.stringify(x).toLowerCase().includes(g))) return false;
  }
  return true;
}

const ACTION = { allow: chalk.green('ALLOW'), ask: chalk.yellow('ASK  '), deny: chalk.red('DENY ') } as Record<string, string>;
const WAIT = () => chalk.yellow.bold('WAIT ');

/** A field of a record read back from disk, as text: a value that is not a string or a number shows as JSON, not [object Object]. */
function text(v: unknown): string {
  return typeof v === 'string' ? v : (JSON.stringify(v) ?? String(v));
}

/** The outcome the action alone implies; any other is said. */
const IMPLIED: Record<string, Outcome> = { allow: 'allowed', deny: 'denied' };
const OUTCOME_PAINT: Record<Outcome, (s: string) => string> = {
  allowed: (s) => chalk.green(s),
  approved: (s) => chalk.green.bold(s),
  refused: (s) => chalk.red.bold(s),
  denied: (s) => chalk.red(s),
  abandoned: (s) => chalk.yellow(s),
  escalated: (s) => chalk.magenta.bold(s),
  asked: (s) => chalk.yellow(s),
};

/** Characters of a command shown on its line; the whole text is in `--json`. */
const SHOWN_CHARS = 200;

/**
 * A command as recorded, on one line. Installed scripts (pyenv, nvm, asdf shims): newer logs
 * record their path and arguments; older ones the whole script, of which the first line is
 * shown. Any other command of several lines (an agent's start-up script) or longer than a line
 * shows its beginning and how much more there is.
 */
function commandText(r: LogRecord): string {
  return cutCommand(text(r.command ?? ''), r.kind === 'installed-script' ? 'installed script, ' : '');
}

function cutCommand(c: string, what = ''): string {
  const lines = c.split('\n');
  while (lines.length > 1 && lines.at(-1)?.trim() === '') lines.pop();
  const first = lines[0];
  if (lines.length === 1 && first.length <= SHOWN_CHARS) return escapeForTerminal(first);
  const shown = first.length > SHOWN_CHARS ? `${first.slice(0, SHOWN_CHARS)}…` : first;
  const more = lines.length > 1 ? `${lines.length} lines` : `${c.length} characters`;
  return `${escapeForTerminal(shown)}${chalk.dim(` (${what}${more})`)}`;
}

function ruleNames(r: LogRecord): string[] {
  const matches = (Array.isArray(r.matches) ? r.matches : []) as unknown[];
  const fromMatches = matches.filter((m): m is { rule: unknown; subject?: unknown } => !!m && typeof m === 'object').map((m) => (Array.isArray(m.subject) && m.subject.length ? `${text(m.rule)}: ${m.subject.map(text).join(' ')}` : text(m.rule)));
  const fromPrompt = Array.isArray(r.rules) ? (r.rules as unknown[]).map((x) => (typeof x === 'string' ? x : text((x as { rule?: unknown }).rule ?? x))) : [];
  return [...fromMatches, ...fromPrompt, ...(Array.isArray(r.opaque) && r.opaque.length ? ['not-analysable'] : [])].map((x) => escapeForTerminal(x));
}

export interface LineOptions {
  /** Show date and session id (views across sessions). */
  session?: boolean;
  /** `~` for this directory in paths. */
  home?: string;
  /** A session's workspaces: a hook record's project is named only when it is another (in hook logs, always). */
  workspaces?: string[];
  /** The outcome of the whole action, where it differs from the record's own (a part refused). */
  outcome?: Outcome | null;
}

function stamp(r: LogRecord, o: LineOptions): string {
  // Every field of a record read back may have been edited: the time and number are escaped too.
  const time = text(r.time);
  const t = o.session ? `${time.slice(0, 10)} ${time.slice(11, 19)} ${text(r.session)}` : time.slice(11, 19);
  // Padded so that the actions line up in a log of up to a thousand records.
  return `${chalk.dim(escapeForTerminal(t))} ${chalk.dim(escapeForTerminal(`#${text(r.seq)}`).padEnd(4))}`;
}

/** An agent's command line as the person would type it; `(interactive bash)` as it is. */
const commandLine = (argv: readonly string[]) => (argv.length === 1 && /^\(.*\)$/.test(argv[0]) ? escapeForTerminal(argv[0]) : showArgv(argv));

const tilde = (p: string, home?: string) => (home && (p === home || p.startsWith(home + '/')) ? '~' + p.slice(home.length) : p);

/** A decision's line after its number: action, command, how it came, answer, outcome, rules. */
function decisionBody(r: LogRecord, o: LineOptions): string {
  const hook = hookAgentOf(r);
  const project = typeof r.project === 'string' && !o.workspaces?.includes(r.project) ? ` in ${escapeForTerminal(tilde(r.project, o.home))}` : '';
  const where = hook ? chalk.dim(` (${escapeForTerminal(hook)} hook${project})`) : '';
  const via = r.kind && r.kind !== 'checked' ? chalk.dim(` (${escapeForTerminal(text(r.kind))})`) : '';
  const answer = r.answer ? chalk.bold(` [${escapeForTerminal(`${text(r.answer)}${r.answeredFrom ? ` at the ${text(r.answeredFrom)}` : ''}`)}]`) : '';
  const outcome = outcomeNote(r, o.outcome);
  const why = ruleNames(r);
  return `${ACTION[text(r.action)] ?? escapeForTerminal(text(r.action))} ${commandText(r)}${where}${via}${answer}${outcome}${why.length ? chalk.dim(`  ${why.join(', ')}`) : ''}`;
}

function outcomeNote(r: LogRecord, whole?: Outcome | null): string {
  const o = whole === undefined ? outcomeOf(r) : whole;
  return o && IMPLIED[text(r.action)] !== o ? ` → ${OUTCOME_PAINT[o](o)}` : '';
}

/** A prompt: still open ("waiting for the person"), or one a later decision closed. */
function promptBody(p: LogRecord, open = true): string {
  const why = ruleNames(p);
  return `${open ? WAIT() : chalk.dim('ASKED')} ${open ? 'waiting for the person' : 'asked the person'}: ${cutCommand(text(p.command ?? ''))}${why.length ? chalk.dim(` (${why.join(', ')})`) : ''}`;
}

/** `s/3` for refs/agentguard/snapshots/s/3: what `agentguard undo` takes. */
function snapshotName(r: LogRecord): string {
  const ref = text(r.ref);
  return ref.startsWith(SNAPSHOT_PREFIX) ? ref.slice(SNAPSHOT_PREFIX.length) : ref || text(r.commit).slice(0, 12);
}

/**
 * A snapshot, a failed one, or a restore, without time and number: "snapshot #3 of /repo
 * (12 files; 1 too large: big.bin) → agentguard undo s/3".
 */
export function snapshotBody(r: LogRecord, o: LineOptions = {}): string {
  const repo = escapeForTerminal(tilde(text(r.repo), o.home));
  const kind = snapshotKind(r);
  if (kind === 'snapshot-failed') return `${chalk.red('snapshot failed')} in ${repo}: ${escapeForTerminal(text(r.error))}${chalk.dim(' (no way back through agentguard undo)')}`;
  const name = escapeForTerminal(snapshotName(r));
  if (kind === 'restore') {
    const over = Number(r.overwritten) || 0;
    return `${chalk.bold('restore')} ${name} into ${repo}: ${escapeForTerminal(text(r.restored))} file${Number(r.restored) === 1 ? '' : 's'} written${over ? chalk.yellow(`, ${over} later change${over === 1 ? '' : 's'} overwritten (--force)`) : ''}${r.fromLog ? chalk.dim(' (ref deleted; commit from the log)') : ''}`;
  }
  const stored = Number(r.stored) || 0;
  const skippedCount = Number(r.skippedCount) || (Array.isArray(r.skipped) ? r.skipped.length : 0);
  const named = (Array.isArray(r.skipped) ? (r.skipped as unknown[]) : []).map((x) => escapeForTerminal(text((x as { path?: unknown })?.path))).slice(0, 3);
  const skipped = skippedCount ? `; ${skippedCount} not stored: ${named.join(', ')}${skippedCount > named.length ? ', …' : ''}` : '';
  return `${chalk.cyan('snapshot')} #${escapeForTerminal(text(r.n))} of ${repo} (${stored} file${stored === 1 ? '' : 's'}${skipped}) ${chalk.dim(`→ agentguard undo ${name}`)}`;
}

/** One record on its own line (also what `--follow` prints as records arrive). */
export function formatRecord(r: LogRecord, o: LineOptions = {}): string {
  const head = stamp(r, o);
  if (r.type !== 'decision' && snapshotKind(r)) return `${head} ${snapshotBody(r, o)}`;
  switch (r.type) {
    case 'session-start': {
      const ws = Array.isArray(r.workspaces) ? (r.workspaces as unknown[]).map((w) => tilde(String(w), o.home)).join(', ') : '';
      return `${head} ${chalk.bold('session start')} ${commandLine(agentCommand(r))} ${chalk.dim(escapeForTerminal(`workspace ${ws} | ${text(r.enforcement)} | rules ${text(r.rules).slice(0, 12)}`))}`;
    }
    case 'session-end':
      return `${head} ${chalk.bold('session end')} exit ${escapeForTerminal(text(r.exit))}`;
    case 'command-end':
      return `${head} ${chalk.dim(`↳ #${escapeForTerminal(text(r.decision))} exited ${escapeForTerminal(text(r.status))} after ${escapeForTerminal(text(r.ms))} ms`)}`;
    case 'prompt':
      return `${head} ${promptBody(r)}`;
    case 'network':
      return `${head} ${ACTION[text(r.action)] ?? escapeForTerminal(text(r.action))} ${chalk.cyan('net')} ${escapeForTerminal(`${text(r.method)} ${text(r.host)}:${text(r.port)}${r.path ? text(r.path) : ''}`)} ${chalk.dim(escapeForTerminal(`↑${text(r.bytesUp)} ↓${text(r.bytesDown)}`))}${r.answer ? chalk.bold(` [${escapeForTerminal(text(r.answer))}]`) : ''}${outcomeNote(r)}${r.action === 'deny' && r.reason ? chalk.dim(`  ${escapeForTerminal(text(r.reason).replace(/^agentguard: /, '').split(/[;:] /)[0])}`) : ''}`;
    case 'decision':
      return `${head} ${decisionBody(r, o)}`;
    case 'limit': {
      // A machine limit (src/sandbox/limits.ts) says what happened in one message.
      if (r.event === undefined) return `${head} ${chalk.yellow('limit reached')} ${escapeForTerminal(text(r.message))}`;
      // An egress budget (src/egress/budget.ts): the pause with its figures, the answer, each refusal.
      const what = r.event === 'pause' ? `paused: ${text(r.text)}` : r.event === 'answer' ? `answered ${text(r.answer)}` : `refused ${text(r.method)} ${text(r.host)}:${text(r.port)} (${text(r.answer)})`;
      return `${head} ${chalk.yellow('limit')} ${escapeForTerminal(`${text(r.limit)} ${what}`)}`;
    }
    case 'anchor-lost':
      return `${head} ${chalk.red('anchor lost')} ${escapeForTerminal(text(r.reason))}${chalk.dim(' (later records rest on the key alone)')}`;
    case 'sink-loss':
      return `${head} ${chalk.yellow('sink loss')} ${escapeForTerminal(`${text(r.sink)}: ${text(r.lost)} records not delivered${r.error ? ` (${text(r.error)})` : ''}`)}`;
    default:
      return `${head} ${escapeForTerminal(r.type)}`;
  }
}

/**
 * Network requests the proxy let through to the same host, one after another, as one line
 * ("×5", bytes added up): an agent's own API calls otherwise fill the view. Requests that
 * were asked about or refused always keep their own line.
 */
export function networkRunKey(e: Entry): string | null {
  const r = e.root;
  if (r.type !== 'network' || e.outcome !== 'allowed' || r.answer) return null;
  return `${text(r.method)} ${text(r.host)}:${text(r.port)}`;
}

export function formatNetworkRun(run: Entry[], o: LineOptions = {}): string {
  const first = run[0].root;
  if (run.length === 1) return formatRecord(first, o);
  const sum = (k: string) => run.reduce((n, e) => n + (Number(e.root[k]) || 0), 0);
  const last = run[run.length - 1].root;
  return `${stamp(first, o)} ${ACTION.allow} ${chalk.cyan('net')} ${escapeForTerminal(`${text(first.method)} ${text(first.host)}:${text(first.port)}`)} ${chalk.bold(`×${run.length}`)} ${chalk.dim(escapeForTerminal(`↑${sum('bytesUp')} ↓${sum('bytesDown')}  #${text(first.seq)}…#${text(last.seq)}, until ${text(last.time).slice(11, 19)}`))}`;
}

/** "+2 shells, 1 installed script" for the parts folded under an action. */
export function partsSummary(e: Entry): string {
  if (!e.parts.length) return '';
  const scripts = e.parts.filter((p) => p.record.kind === 'installed-script').length;
  const shells = e.parts.length - scripts;
  const blocked = e.parts.filter((p) => {
    const o = outcomeOf(p.record);
    return o && BLOCKED.has(o);
  }).length;
  const bits = [shells ? `${shells} shell${shells === 1 ? '' : 's'}` : '', scripts ? `${scripts} installed script${scripts === 1 ? '' : 's'}` : ''].filter(Boolean);
  return `+${bits.join(', ')}${blocked ? `, ${blocked} blocked` : ''}`;
}

/**
 * An agent action as lines: its own line (with "+N shells" and its exit status), the prompts
 * still open under it, and with `parts` every record folded under it, indented by depth.
 */
export function formatEntry(e: Entry, o: LineOptions & { parts?: boolean } = {}): string[] {
  const r = e.root;
  if (r.type !== 'decision') return [formatRecord(r, o)];
  // The exit status of what ran: the root's own, else the last part's (the agent's wrapper runs
  // after its hook); none for an action that was stopped, whose parts are only the hook's launcher.
  const end = e.ends.find((x) => x.decision === r.seq) ?? (e.outcome && BLOCKED.has(e.outcome) ? undefined : e.ends.at(-1));
  const summary = partsSummary(e);
  const tail = `${summary && !o.parts ? chalk.dim(`  ${summary}`) : ''}${end && !o.parts ? chalk.dim(`  exit ${escapeForTerminal(text(end.status))}`) : ''}`;
  const lines = [`${formatRecord(r, { ...o, outcome: e.outcome })}${tail}`];
  const indent = ' '.repeat(o.session ? 8 : 4);
  if (o.parts) {
    const depth = new Map(e.parts.map((p) => [p.record.seq, p.depth]));
    const open = new Set(openPrompts(e));
    for (const x of entryRecords(e).filter((x) => x !== r)) {
      const d = x.type === 'decision' ? (depth.get(x.seq) ?? 1) : x.type === 'command-end' ? (depth.get(Number(x.decision)) ?? 0) + 1 : 1;
      const line = x.type === 'prompt' ? `${stamp(x, {})} ${promptBody(x, open.has(x))}` : formatRecord(x, { ...o, session: false, outcome: undefined });
      lines.push(`${indent}${'  '.repeat(d - 1)}${line}`);
    }
  } else {
    for (const p of openPrompts(e)) lines.push(`${indent}${chalk.dim(escapeForTerminal(`#${text(p.seq)}`))} ${promptBody(p)}`);
    // The way back is shown with the action even when its parts are folded.
    for (const x of e.snapshots ?? []) lines.push(`${indent}${snapshotBody(x, o)}`);
  }
  return lines;
}

function duration(s: SessionInfo): string {
  if (s.running) return 'running';
  const dur = s.start && s.end ? Math.round((Date.parse(s.end) - Date.parse(s.start)) / 1000) : 0;
  return dur >= 3600 ? `${Math.floor(dur / 3600)}h${Math.floor((dur % 3600) / 60)}m` : dur >= 60 ? `${Math.floor(dur / 60)}m${dur % 60}s` : `${dur}s`;
}

/** Who acted, for the sessions list: the agent's own command line, `claude (hook) ~/proj`, `agentguard check`. */
export function agentColumn(s: SessionInfo, home?: string): string {
  const where = s.workspaces.length === 1 ? tilde(s.workspaces[0], home) : s.workspaces.length ? `${s.workspaces.length} projects` : '';
  if (s.kind === 'hook') return `${escapeForTerminal(s.agent)}${where ? ` ${escapeForTerminal(where)}` : ''}${s.agentSessions ? chalk.dim(` (${s.agentSessions} agent session${s.agentSessions === 1 ? '' : 's'})`) : ''}`;
  if (s.kind === 'check') return s.agent;
  return `${s.agentArgv ? commandLine(s.agentArgv) : escapeForTerminal(s.agent)}${s.workspaces.length ? chalk.dim(`  ${escapeForTerminal(s.workspaces.map((w) => tilde(w, home)).join(', '))}`) : ''}`;
}

/** The columns of the sessions list: the four outcomes always, the rarer ones and the network when some row has them. */
export function formatSessions(list: SessionInfo[], home?: string): string {
  if (!list.length) return chalk.dim('no sessions recorded yet');
  const cols: { name: string; paint: (s: string) => string; get: (s: SessionInfo) => number }[] = [
    ...OUTCOMES.filter((o) => ['allowed', 'approved', 'refused', 'denied'].includes(o) || list.some((s) => s.counts[o])).map((o) => ({ name: o, paint: OUTCOME_PAINT[o], get: (s: SessionInfo) => s.counts[o] })),
    ...(list.some((s) => s.network.requests) ? [{ name: 'network', paint: (x: string) => chalk.cyan(x), get: (s: SessionInfo) => s.network.requests }, { name: 'net-blocked', paint: (x: string) => chalk.red(x), get: (s: SessionInfo) => s.network.blocked }] : []),
  ];
  const idWidth = Math.max(22, ...list.map((s) => s.id.length));
  const rows = list.map(
    (s) =>
      `${escapeForTerminal(s.id).padEnd(idWidth)} ${escapeForTerminal(String(s.start ?? '').slice(0, 19).replace('T', ' ')).padEnd(19)}  ${duration(s).padStart(7)}  ${cols.map((c) => c.paint(String(c.get(s)).padStart(c.name.length))).join(' ')}  ${agentColumn(s, home)}`,
  );
  return [chalk.bold(`${'session'.padEnd(idWidth)} ${'started'.padEnd(19)}  ${'length'.padStart(7)}  ${cols.map((c) => c.name).join(' ')}  agent`), ...rows].join('\n');
}

/** A directory given to --project, in the spellings a log may hold it (as given, and with symlinks resolved). */
export function projectSpellings(dir: string, realpath: (p: string) => string): string[] {
  const abs = path.resolve(dir);
  let real = abs;
  try {
    real = realpath(abs);
  } catch {
    // not there any more: the log may still name it
  }
  return [...new Set([abs, real])];
}
