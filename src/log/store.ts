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

export function sha256(s: string): string {
  return crypto.createHash('sha256').update(s).digest('hex');
}

export interface AppendOptions {
  dir?: string;
  /** Serialise appends from several processes (agentguard check writes a shared daily log). */
  lock?: boolean;
  /** Called with each record once it is written: the sinks that ship the log (never blocks; see src/log/sinks). */
  onAppend?: (record: LogRecord, line: string) => void;
}

/** An open session log. Appends are synchronous: a record is with the kernel before the decision is acted on. */
export class SessionLog {
  readonly file: string;
  private fd: number;
  private seq: number;
  private prev: string;
  private indexFd: number;
  private lockPath: string | null;
  private onAppend: AppendOptions['onAppend'];

  constructor(
    readonly session: string,
    opts: AppendOptions = {},
  ) {
    const dir = opts.dir ?? sessionsDir();
    ensureDir(dir);
    this.file = path.join(dir, `${session}.jsonl`);
    this.lockPath = opts.lock ? `${this.file}.lock` : null;
    this.onAppend = opts.onAppend;
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
      const body = { v: 1 as const, session: this.session, seq, time: new Date().toISOString(), type, ...fields };
      const { line, hash } = sealLine(body, this.prev);
      fs.writeSync(this.fd, line + '\n');
      fs.writeSync(this.indexFd, JSON.stringify({ session: this.session, seq, hash }) + '\n');
      this.seq = seq + 1;
      this.prev = hash;
      this.onAppend?.({ ...body, prev: this.prev, hash }, line);
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
export function lastRecord(file: string): LogRecord | null {
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
