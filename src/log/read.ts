// Reading the session logs back: the records of one session, the list of sessions with
// what each one is (whose, where, its counts, whether its writer still runs), and pruning
// old ones. Nothing here writes a record.
import fs from 'node:fs';
import path from 'node:path';
import { countEntries, foldRecords, type Outcome } from './actions.js';
import { lastRecord, notePruned, sessionsDir, writerAlive, type LogRecord } from './store.js';

/** The complete records of a log; a last line still being written (no newline yet) is left for the next read. */
export function readRecords(file: string): LogRecord[] {
  return readLog(file).records;
}

/**
 * The complete records of a log and the bytes they take (where a reader that follows the file
 * goes on from). A line that is not JSON is counted in `unreadable`, not fatal: the rest of the
 * log can still be read, and `agentguard log verify` says what happened to it.
 */
export function readLog(file: string, from = 0): { records: LogRecord[]; bytes: number; unreadable: number } {
  const fd = fs.openSync(file, 'r');
  let buf: Buffer;
  try {
    buf = Buffer.alloc(Math.max(0, fs.fstatSync(fd).size - from));
    buf = buf.subarray(0, fs.readSync(fd, buf, 0, buf.length, from));
  } finally {
    fs.closeSync(fd);
  }
  const end = buf.lastIndexOf(0x0a) + 1;
  const records: LogRecord[] = [];
  let unreadable = 0;
  for (const line of buf.subarray(0, end).toString('utf8').split('\n')) {
    if (!line) continue;
    try {
      const r = JSON.parse(line) as unknown;
      if (r && typeof r === 'object' && !Array.isArray(r)) records.push(r as LogRecord);
      else unreadable++;
    } catch {
      unreadable++;
    }
  }
  return { records, bytes: end, unreadable };
}

/** A string field of a record read back from disk ('' when it is anything else). */
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

export type LogKind = 'session' | 'hook' | 'check';

/** What a log is, from its first and last records: enough to choose a log and filter its records. */
export interface LogHead {
  id: string;
  file: string;
  /** session: `agentguard shell`; hook: an agent's hooks outside a session; check: `agentguard check`. */
  kind: LogKind;
  start: string | null;
  end: string | null;
  /** Who acted, in the person's words: the agent's command line, `claude (hook)`, `agentguard check`. */
  agent: string;
  /** Sessions: the agent's own command line as an argv (`agent` is it joined with spaces). */
  agentArgv?: string[];
  /** The program names `--agent` matches: the agent's program (`claude`), a hook's agents, `check`. */
  agentNames: string[];
  /** The session's workspaces, or the projects of a hook log. */
  workspaces: string[];
  workspace: string;
  /** The session wrote its end record. */
  ended: boolean;
  /** No end record, and its writer process is still the one that started it. */
  running: boolean;
  /** session-start's writer: pid and its start time (/proc/PID/stat field 22). */
  pid?: number;
  pidStart?: string;
}

/** A log with its counts: every record read (`agentguard sessions`). */
export interface SessionInfo extends LogHead {
  /** Hook logs: how many agent sessions wrote to it. */
  agentSessions?: number;
  /** Agent actions by outcome, network requests apart. */
  counts: Record<Outcome, number>;
  network: { requests: number; blocked: number };
  records: number;
}

export function logKind(id: string, records: readonly LogRecord[]): LogKind {
  if (/^check-/.test(id)) return 'check';
  if (/^hook-/.test(id)) return 'hook';
  if (records.some((r) => r.type === 'session-start')) return 'session';
  return records.some((r) => str(r.source).startsWith('hook:')) ? 'hook' : 'check';
}

/**
 * The agent's own command line from a session-start record. Older logs recorded the argv
 * agentguard really ran: the egress bridge in front (`…/agentguard-bridge SOCK PORT -- claude`)
 * and the settings agentguard injected (`--settings {…}`); both are dropped here.
 */
export function agentCommand(start: LogRecord): string[] {
  let argv = Array.isArray(start.agent) ? (start.agent as unknown[]).map(String) : [];
  if (start.launched !== undefined) return argv;
  if (argv.length && /(^|\/)agentguard-bridge$/.test(argv[0])) {
    const dashes = argv.indexOf('--');
    argv = dashes >= 0 ? argv.slice(dashes + 1) : argv.slice(1);
  }
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--settings' && /^\s*\{/.test(argv[i + 1] ?? '')) i++;
    else if (!/^--settings=\s*\{/.test(argv[i])) out.push(argv[i]);
  }
  return out;
}

/** Runners in front of the agent's own program: `npx claude`, `node agent.js`. */
const RUNNERS = new Set(['npx', 'bunx', 'pnpx', 'uvx', 'node', 'bun', 'deno', 'python', 'python3', 'env', 'exec']);

/** The agent's program name (`claude` for `/usr/local/bin/claude --resume`, and for `npx claude`). */
export function agentNames(argv: readonly string[]): string[] {
  const names: string[] = [];
  for (const a of argv) {
    if (a.startsWith('-') || a.includes('=')) continue;
    names.push(path.basename(a));
    if (!RUNNERS.has(path.basename(a))) break;
  }
  return names;
}

/** The agent a hook record speaks for: its `agent` field, or the name in `source: 'hook:<agent>'`. */
export function hookAgentOf(r: LogRecord): string | null {
  if (typeof r.agent === 'string') return r.agent;
  const m = /^hook:(.+)$/.exec(str(r.source));
  return m ? m[1] : null;
}

/** What a log is, from its first and last records, and for hook logs from the records given (all, or only the first). */
export function headOf(id: string, file: string, first: LogRecord | null, last: LogRecord | null, records: readonly LogRecord[] = first ? [first] : []): LogHead {
  const kind = logKind(id, records);
  const start = first?.type === 'session-start' ? first : undefined;
  let agent = 'agentguard check';
  let names = ['check'];
  let workspaces: string[] = [];
  let agentArgv: string[] | undefined;
  if (start) {
    agentArgv = agentCommand(start);
    agent = agentArgv.join(' ');
    names = agentNames(agentArgv);
    workspaces = Array.isArray(start.workspaces) ? (start.workspaces as unknown[]).map(String) : [];
  } else if (/^undo-/.test(id)) {
    // agentguard undo's restores: a daily log of their own, beside check's.
    agent = 'agentguard undo';
    names = ['undo'];
  } else if (kind === 'hook') {
    const hooks = records.filter((r) => r.type === 'decision');
    names = [...new Set(hooks.map(hookAgentOf).filter((a): a is string => !!a))];
    agent = `${names.join(', ') || 'agent'} (hook)`;
    workspaces = [...new Set(hooks.map((r) => str(r.project) || str(r.cwd)).filter(Boolean))];
  }
  const ended = last?.type === 'session-end';
  const pid = typeof start?.pid === 'number' ? start.pid : undefined;
  const pidStart = typeof start?.pidStart === 'number' || typeof start?.pidStart === 'string' ? String(start.pidStart) : undefined;
  return {
    id,
    file,
    kind,
    start: first ? str(first.time) || null : null,
    end: last ? str(last.time) || null : null,
    agent,
    ...(agentArgv ? { agentArgv } : {}),
    agentNames: names,
    workspaces,
    workspace: workspaces.join(', '),
    ended,
    running: !ended && pid !== undefined && writerAlive(pid, pidStart),
    ...(pid !== undefined ? { pid } : {}),
    ...(pidStart !== undefined ? { pidStart } : {}),
  };
}

export function describeLog(id: string, file: string, records: readonly LogRecord[]): SessionInfo {
  const head = headOf(id, file, records[0] ?? null, records.at(-1) ?? null, records);
  const c = countEntries(foldRecords(records));
  const hooks = head.kind === 'hook' ? records.filter((r) => r.type === 'decision') : [];
  const agentSessions = head.kind === 'hook' ? new Set(hooks.map((r) => r.agentSession).filter((s) => s !== undefined && s !== null).map(String)).size : undefined;
  return {
    ...head,
    ...(agentSessions !== undefined ? { agentSessions } : {}),
    counts: c.actions,
    network: { requests: c.network, blocked: c.networkBlocked },
    records: records.length,
  };
}

const logFiles = (dir: string) => (fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.jsonl') && f !== 'index.jsonl') : []);
const byStart = (a: LogHead, b: LogHead) => String(a.start).localeCompare(String(b.start));

/**
 * Every log, from its first and last records only: what `agentguard log` needs to choose
 * one (latest, running) without reading them all. A log whose ends cannot be read is listed
 * with what is known (its id).
 */
export function listLogs(dir = sessionsDir()): LogHead[] {
  return logFiles(dir)
    .map((f) => {
      const file = path.join(dir, f);
      return headOf(f.slice(0, -6), file, safe(() => firstRecord(file)), safe(() => lastRecord(file)));
    })
    .sort(byStart);
}

function safe<T>(f: () => T): T | null {
  try {
    return f();
  } catch {
    return null;
  }
}

/** The first complete record of a log, read from its head. */
function firstRecord(file: string): LogRecord | null {
  const fd = fs.openSync(file, 'r');
  try {
    for (let chunk = 64 * 1024; ; chunk *= 4) {
      const buf = Buffer.alloc(chunk);
      const n = fs.readSync(fd, buf, 0, chunk, 0);
      const nl = buf.subarray(0, n).indexOf(0x0a);
      if (nl >= 0) return JSON.parse(buf.subarray(0, nl).toString('utf8')) as LogRecord;
      if (n < chunk) return null;
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** Every log with its counts: each one read whole (`agentguard sessions`). */
export function listSessions(dir = sessionsDir()): SessionInfo[] {
  return logFiles(dir)
    .map((f) => {
      const file = path.join(dir, f);
      return describeLog(f.slice(0, -6), file, safe(() => readLog(file).records) ?? []);
    })
    .sort(byStart);
}

/** Removes sessions whose last record is older than `ms`, and their index entries. */
export function pruneSessions(olderThanMs: number, dir = sessionsDir(), now = Date.now()): string[] {
  const removed: string[] = [];
  for (const s of listSessions(dir)) {
    const last = s.end ? Date.parse(s.end) : fs.statSync(s.file).mtimeMs;
    if (now - last > olderThanMs) {
      notePruned(dir, s.id);
      fs.rmSync(s.file, { force: true });
      removed.push(s.id);
    }
  }
  const index = path.join(dir, 'index.jsonl');
  if (removed.length && fs.existsSync(index)) {
    const gone = new Set(removed);
    const kept = fs
      .readFileSync(index, 'utf8')
      .split('\n')
      .filter((l) => l && !gone.has((JSON.parse(l) as { session: string }).session));
    const tmp = `${index}.tmp-${process.pid}`;
    fs.writeFileSync(tmp, kept.map((l) => l + '\n').join(''), { mode: 0o600 });
    fs.renameSync(tmp, index);
  }
  return removed;
}
