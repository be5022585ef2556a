// The session log on disk: one JSON Lines file per session, each record carrying the
// SHA-256 of the one before (a hash chain), and an index holding the last hash of every
// session, so that an edit, a deletion, a reordering or a cut tail is detected.
// Files are written only by agentguard's own process, append-only, one write per record.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const GENESIS = '0'.repeat(64);

export interface LogRecord {
  v: 1;
  session: string;
  seq: number;
  time: string;
  type: string;
  [field: string]: unknown;
  prev: string;
  hash: string;
}

export function stateDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(env.XDG_STATE_HOME || path.join(env.HOME || os.homedir(), '.local', 'state'), 'agentguard');
}

export function sessionsDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(stateDir(env), 'sessions');
}

function ensureDir(dir: string) {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fs.chmodSync(dir, 0o700);
}

/** The line for a record: its body with the chain link, then its own hash appended. */
export function sealLine(body: Record<string, unknown>, prev: string): { line: string; hash: string } {
  const text = JSON.stringify({ ...body, prev });
  const hash = sha256(text);
  return { line: `${text.slice(0, -1)},"hash":"${hash}"}`, hash };
}

/** Recomputes a line's hash from its text (everything but the trailing hash field). */
export function lineHash(line: string): { body: string; claimed: string } | null {
  const m = /,"hash":"([0-9a-f]{64})"\}$/.exec(line);
  if (!m) return null;
  return { body: line.slice(0, m.index) + '}', claimed: m[1] };
}

function sha256(s: string): string {
  return crypto.createHash('sha256').update(s).digest('hex');
}

export interface AppendOptions {
  dir?: string;
  /** Serialise appends from several processes (agentguard check writes a shared daily log). */
  lock?: boolean;
}

/** An open session log. Appends are synchronous: a record is with the kernel before the decision is acted on. */
export class SessionLog {
  readonly file: string;
  private fd: number;
  private seq: number;
  private prev: string;
  private indexFd: number;
  private lockPath: string | null;

  constructor(
    readonly session: string,
    opts: AppendOptions = {},
  ) {
    const dir = opts.dir ?? sessionsDir();
    ensureDir(dir);
    this.file = path.join(dir, `${session}.jsonl`);
    this.lockPath = opts.lock ? `${this.file}.lock` : null;
    this.fd = fs.openSync(this.file, 'a', 0o600);
    fs.fchmodSync(this.fd, 0o600);
    this.indexFd = fs.openSync(path.join(dir, 'index.jsonl'), 'a', 0o600);
    const last = lastRecord(this.file);
    this.seq = last ? last.seq + 1 : 0;
    this.prev = last ? last.hash : GENESIS;
  }

  /** Appends one record; returns its sequence number. */
  append(type: string, fields: Record<string, unknown>): number {
    const release = this.lockPath ? acquire(this.lockPath) : null;
    try {
      if (this.lockPath) {
        // Another process may have appended since we last looked.
        const last = lastRecord(this.file);
        this.seq = last ? last.seq + 1 : 0;
        this.prev = last ? last.hash : GENESIS;
      }
      const seq = this.seq;
      const { line, hash } = sealLine({ v: 1, session: this.session, seq, time: new Date().toISOString(), type, ...fields }, this.prev);
      fs.writeSync(this.fd, line + '\n');
      fs.writeSync(this.indexFd, JSON.stringify({ session: this.session, seq, hash }) + '\n');
      this.seq = seq + 1;
      this.prev = hash;
      return seq;
    } finally {
      release?.();
    }
  }

  close(): void {
    fs.closeSync(this.fd);
    fs.closeSync(this.indexFd);
  }
}

function acquire(lockPath: string): () => void {
  const deadline = Date.now() + 5000;
  for (;;) {
    try {
      const fd = fs.openSync(lockPath, 'wx', 0o600);
      fs.closeSync(fd);
      return () => fs.rmSync(lockPath, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      try {
        // A lock left by a crashed process is stale after a few seconds.
        if (Date.now() - fs.statSync(lockPath).mtimeMs > 5000) fs.rmSync(lockPath, { force: true });
      } catch {
        // gone already
      }
      if (Date.now() > deadline) throw new Error(`log is locked by another process: ${lockPath}`, { cause: e });
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
    }
  }
}

/** The last complete record of a log file, read from its tail. */
function lastRecord(file: string): LogRecord | null {
  let size: number;
  try {
    size = fs.statSync(file).size;
  } catch {
    return null;
  }
  if (!size) return null;
  const fd = fs.openSync(file, 'r');
  try {
    let chunk = 64 * 1024;
    for (;;) {
      const start = Math.max(0, size - chunk);
      const buf = Buffer.alloc(size - start);
      fs.readSync(fd, buf, 0, buf.length, start);
      const lines = buf.toString('utf8').split('\n').filter(Boolean);
      if (lines.length > 1 || start === 0) return lines.length ? (JSON.parse(lines[lines.length - 1]) as LogRecord) : null;
      chunk *= 4;
    }
  } finally {
    fs.closeSync(fd);
  }
}

// ---- reading ------------------------------------------------------------------

export function readRecords(file: string): LogRecord[] {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as LogRecord);
}

export interface SessionInfo {
  id: string;
  file: string;
  start: string | null;
  end: string | null;
  agent: string;
  workspace: string;
  counts: Record<string, number>;
  records: number;
}

export function listSessions(dir = sessionsDir()): SessionInfo[] {
  if (!fs.existsSync(dir)) return [];
  const out: SessionInfo[] = [];
  for (const f of fs.readdirSync(dir)) {
    if (!f.endsWith('.jsonl') || f === 'index.jsonl') continue;
    const file = path.join(dir, f);
    let records: LogRecord[];
    try {
      records = readRecords(file);
    } catch {
      records = [];
    }
    const start = records.find((r) => r.type === 'session-start');
    const counts: Record<string, number> = { allow: 0, ask: 0, deny: 0 };
    for (const r of records) if (r.type === 'decision') counts[String(r.action)] = (counts[String(r.action)] ?? 0) + 1;
    out.push({
      id: f.slice(0, -6),
      file,
      start: records[0]?.time ?? null,
      end: records.length ? records[records.length - 1].time : null,
      agent: start ? String((start.agent as string[] | undefined)?.join(' ') ?? '') : 'agentguard check',
      workspace: start ? String((start.workspaces as string[] | undefined)?.join(', ') ?? '') : '',
      counts,
      records: records.length,
    });
  }
  return out.sort((a, b) => String(a.start).localeCompare(String(b.start)));
}

// ---- verification ---------------------------------------------------------------

export interface VerifyResult {
  session: string;
  ok: boolean;
  records: number;
  problem?: string;
}

/** Checks the hash chain of one session and that its end matches the index. */
export function verifySession(session: string, dir = sessionsDir()): VerifyResult {
  const file = path.join(dir, `${session}.jsonl`);
  const indexed = lastIndexed(dir).get(session);
  if (!fs.existsSync(file)) {
    return { session, ok: false, records: 0, problem: indexed ? `the log file is missing (the index has ${indexed.seq + 1} records)` : 'no such session' };
  }
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  let prev = GENESIS;
  for (let i = 0; i < lines.length; i++) {
    const where = `record ${i + 1} (line ${i + 1})`;
    const h = lineHash(lines[i]);
    if (!h) return { session, ok: false, records: i, problem: `${where} is not a sealed record` };
    let rec: LogRecord;
    try {
      rec = JSON.parse(lines[i]) as LogRecord;
    } catch {
      return { session, ok: false, records: i, problem: `${where} is not valid JSON` };
    }
    if (sha256(h.body) !== h.claimed) return { session, ok: false, records: i, problem: `${where} was changed after it was written (its hash does not match its content)` };
    if (rec.prev !== prev) return { session, ok: false, records: i, problem: `${where} does not follow the record before it (deleted or reordered records)` };
    if (rec.seq !== i) return { session, ok: false, records: i, problem: `${where} has sequence number ${rec.seq}, expected ${i} (deleted or reordered records)` };
    if (rec.session !== session) return { session, ok: false, records: i, problem: `${where} belongs to session ${rec.session}` };
    prev = h.claimed;
  }
  if (!indexed) return { session, ok: false, records: lines.length, problem: 'the session is not in the index' };
  if (indexed.seq !== lines.length - 1 || indexed.hash !== prev) {
    return { session, ok: false, records: lines.length, problem: `the log ends at record ${lines.length}, but the index says it has ${indexed.seq + 1} (a cut or replaced tail)` };
  }
  return { session, ok: true, records: lines.length };
}

export function verifyAll(dir = sessionsDir()): VerifyResult[] {
  const ids = new Set<string>(lastIndexed(dir).keys());
  if (fs.existsSync(dir)) for (const f of fs.readdirSync(dir)) if (f.endsWith('.jsonl') && f !== 'index.jsonl') ids.add(f.slice(0, -6));
  return [...ids].sort().map((id) => verifySession(id, dir));
}

function lastIndexed(dir: string): Map<string, { seq: number; hash: string }> {
  const m = new Map<string, { seq: number; hash: string }>();
  const file = path.join(dir, 'index.jsonl');
  if (!fs.existsSync(file)) return m;
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (!line) continue;
    try {
      const e = JSON.parse(line) as { session: string; seq: number; hash: string };
      const prev = m.get(e.session);
      if (!prev || e.seq >= prev.seq) m.set(e.session, { seq: e.seq, hash: e.hash });
    } catch {
      // a torn index line: the verification of that session will say so
    }
  }
  return m;
}

/** Removes sessions whose last record is older than `ms`, and their index entries. */
export function pruneSessions(olderThanMs: number, dir = sessionsDir(), now = Date.now()): string[] {
  const removed: string[] = [];
  for (const s of listSessions(dir)) {
    const last = s.end ? Date.parse(s.end) : fs.statSync(s.file).mtimeMs;
    if (now - last > olderThanMs) {
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
