// The session log on disk: one JSON Lines file per session, each record carrying the
// SHA-256 of the one before (a hash chain), and an index holding the last hash of every
// session, so that an edit, a deletion, a reordering or a cut tail is detected.
// Each record also carries `mac`, the HMAC of its hash under the person's key (key.ts), so
// rechaining needs the key; and the head of the chain goes to an anchor outside the user's
// reach (src/anchor, handed in as `AppendOptions.anchor`), so even the key's holder cannot
// rewrite what was anchored. Files are written only by agentguard's own process,
// append-only, one write per record.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { headMac, loadLogKey, logKeyPath, macOf, type LogKey } from './key.js';

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
  /** HMAC-SHA256 of `hash` under the person's log key; absent in unkeyed records (older logs, or a refused key). */
  mac?: string;
}

/** The head of a session's chain, as written to an anchor. */
export interface AnchorHead {
  session: string;
  seq: number;
  hash: string;
  /** key.ts headMac: over session, seq and hash. */
  mac?: string;
}

/** Where heads are anchored (src/anchor): never blocks, never throws. */
export interface AnchorSink {
  /** What session-start records as the anchor used: journald, syslog, none. */
  readonly kind: string;
  /** Why there is none (recorded at session start). */
  readonly note?: string;
  head(h: AnchorHead): void;
  /** Flushes and stops, waiting a bounded time. */
  close(): Promise<void> | void;
}

/** How often the head is anchored besides at the first and the last record. */
export const ANCHOR_EVERY_RECORDS = 50;
export const ANCHOR_EVERY_MS = 30_000;

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

/** The line for a record: its body with the chain link, then its own hash and (with a key) its MAC appended. */
export function sealLine(body: Record<string, unknown>, prev: string, key?: Buffer | null): { line: string; hash: string; mac?: string } {
  const text = JSON.stringify({ ...body, prev });
  const hash = sha256(text);
  const mac = key ? macOf(key, hash) : undefined;
  return { line: `${text.slice(0, -1)},"hash":"${hash}"${mac ? `,"mac":"${mac}"` : ''}}`, hash, mac };
}

/** Splits a line into the text its hash covers, the hash it claims and its MAC (if any). */
export function lineHash(line: string): { body: string; claimed: string; mac?: string } | null {
  const m = /,"hash":"([0-9a-f]{64})"(?:,"mac":"([0-9a-f]{64})")?\}$/.exec(line);
  if (!m) return null;
  return { body: line.slice(0, m.index) + '}', claimed: m[1], mac: m[2] };
}

/** A process's start time in clock ticks since boot (/proc/PID/stat field 22): with the pid, names one process for good. */
export function processStart(pid: number): string | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

/**
 * Whether the process that wrote a session-start still runs: the same pid and start time, not a
 * reused pid. Without a start time (`undefined`), the pid alone answers.
 */
export function writerAlive(pid: number, pidStart: string | undefined): boolean {
  const now = processStart(pid);
  return now !== null && (pidStart === undefined || now === pidStart);
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
  /**
   * The key that seals records; default: the person's (key.ts), created on first use, for a log
   * in agentguard's own state directory (a log elsewhere, a test's or the bench's, is unkeyed
   * unless given a key: it must not create a key in the real config directory); null: unkeyed.
   */
  key?: LogKey | null;
  /** Where the chain's head is anchored (src/anchor); default none. */
  anchor?: AnchorSink;
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
  readonly key: LogKey | null;
  private anchor: AnchorSink | null;
  private anchored = -1;
  private sinceAnchor = 0;
  private anchorTimer: NodeJS.Timeout | null = null;
  private sinkFailed = false;

  constructor(
    readonly session: string,
    opts: AppendOptions = {},
  ) {
    const dir = opts.dir ?? sessionsDir();
    ensureDir(dir);
    this.file = path.join(dir, `${session}.jsonl`);
    this.lockPath = opts.lock ? `${this.file}.lock` : null;
    this.onAppend = opts.onAppend;
    this.key = opts.key === undefined ? keyFor(dir) : opts.key;
    this.anchor = opts.anchor ?? null;
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
      const prev = this.prev;
      // A record written while the key is refused says why, inside what its hash covers.
      const own = type === 'session-start' ? this.startFields() : this.key && !this.key.ok ? { keyProblem: this.key.problem } : {};
      const body = { v: 1 as const, session: this.session, seq, time: new Date().toISOString(), type, ...own, ...fields };
      const key = this.key?.ok ? this.key.key : null;
      const { line, hash, mac } = sealLine(body, prev, key);
      fs.writeSync(this.fd, line + '\n');
      fs.writeSync(this.indexFd, JSON.stringify({ session: this.session, seq, hash }) + '\n');
      this.seq = seq + 1;
      this.prev = hash;
      // The anchor first: a refusal's head must not depend on a sink. A sink that throws
      // (it must not) is said once; the record is written and its seq is the caller's.
      this.maybeAnchor(seq, hash, fields.action === 'ask' || fields.action === 'deny');
      try {
        this.onAppend?.({ ...body, prev, hash, ...(mac ? { mac } : {}) }, line);
      } catch (e) {
        if (!this.sinkFailed) process.stderr.write(`agentguard: log sink failed: ${(e as Error).message} (the session log itself is complete)\n`);
        this.sinkFailed = true;
      }
      return seq;
    } finally {
      release?.();
    }
  }

  /** Closes the files and anchors the last head (the anchor flushes on its own). */
  close(): void {
    this.closing = this.finish();
  }

  /** Closes, and settles when the anchor has the last head (bounded by the anchor: about a second). */
  async end(): Promise<void> {
    this.close();
    await this.closing;
  }

  private closing: Promise<void> | void = undefined;

  private finish(): Promise<void> | void {
    fs.closeSync(this.fd);
    fs.closeSync(this.indexFd);
    if (!this.anchor) return;
    if (this.anchorTimer) clearTimeout(this.anchorTimer);
    this.anchorTimer = null;
    if (this.seq > 0 && this.anchored !== this.seq - 1) this.anchorNow();
    return this.anchor.close();
  }

  /** What session-start says about the log itself: the key that seals it, the anchor, and the writer (for verify's "unterminated"). */
  private startFields(): Record<string, unknown> {
    return {
      ...(this.key?.ok ? { keyId: this.key.id } : { keyProblem: this.key?.problem ?? 'unkeyed' }),
      anchor: this.anchor?.kind ?? 'none',
      ...(this.anchor?.note ? { anchorNote: this.anchor.note } : {}),
      pid: process.pid,
      pidStart: processStart(process.pid),
    };
  }

  /**
   * The first record, every ANCHOR_EVERY_RECORDS records, ANCHOR_EVERY_MS after an unanchored
   * one, and at once for an asked or refused decision: those are what a hostile agent would
   * remove first, and anchoring each one pins the edit to the record.
   */
  private maybeAnchor(seq: number, hash: string, now: boolean): void {
    if (!this.anchor) return;
    this.last = { seq, hash };
    if (now || this.anchored < 0 || ++this.sinceAnchor >= ANCHOR_EVERY_RECORDS) {
      this.anchorNow();
      return;
    }
    if (!this.anchorTimer) {
      this.anchorTimer = setTimeout(() => {
        this.anchorTimer = null;
        this.anchorNow();
      }, ANCHOR_EVERY_MS);
      this.anchorTimer.unref();
    }
  }

  private last: { seq: number; hash: string } | null = null;

  private anchorNow(): void {
    if (!this.anchor || !this.last || this.anchored === this.last.seq) return;
    const { seq, hash } = this.last;
    const key = this.key?.ok ? this.key.key : null;
    this.anchor.head({ session: this.session, seq, hash, ...(key ? { mac: headMac(key, { session: this.session, seq, hash }) } : {}) });
    this.anchored = this.last.seq;
    this.sinceAnchor = 0;
    if (this.anchorTimer) clearTimeout(this.anchorTimer);
    this.anchorTimer = null;
  }
}

/** Not .jsonl: it is not a session. */
export const PRUNED_FILE = 'pruned.list';

const keyFor = (dir: string): LogKey | null => (path.resolve(dir) === path.resolve(sessionsDir()) ? defaultKey() : null);

/** The person's key; a refused one is reported once on stderr and the log goes on unkeyed. */
function defaultKey(): LogKey {
  const k = loadLogKey(logKeyPath());
  if (!k.ok && !warned.has(k.problem)) {
    warned.add(k.problem);
    process.stderr.write(`agentguard: log key refused: ${k.problem}\n`);
  }
  return k;
}
const warned = new Set<string>();

/**
 * Before `log prune` deletes a session: a line in pruned.list with its first hash, last seq and
 * last hash, MACed, so that verify does not report a session the anchor still remembers as
 * missing. Without the key nobody can write one that verify accepts; and the MAC covers the
 * seq and the first hash as well, so that it covers those records only, not a later session of
 * the same name (a daily log written again that day) nor heads past the seq.
 */
export function notePruned(dir: string, session: string, key: LogKey | null = keyFor(dir)): void {
  const file = path.join(dir, `${session}.jsonl`);
  const last = lastRecord(file);
  const hash = last?.hash ?? GENESIS;
  const first = firstHash(file) ?? GENESIS;
  const seq = last?.seq ?? -1;
  const mac = key?.ok ? macOf(key.key, prunedText(session, seq, first, hash)) : undefined;
  fs.appendFileSync(path.join(dir, PRUNED_FILE), JSON.stringify({ session, seq, first, hash, time: new Date().toISOString(), ...(mac ? { mac } : {}) }) + '\n', { mode: 0o600 });
}

/** What a pruned.list line's MAC covers. */
export const prunedText = (session: string, seq: number, first: string, hash: string) => `pruned:${session}:${seq}:${first}:${hash}`;

function firstHash(file: string): string | null {
  try {
    const fd = fs.openSync(file, 'r');
    try {
      // The first line only, however long session-start is.
      const parts: Buffer[] = [];
      for (let pos = 0; ; ) {
        const buf = Buffer.alloc(64 * 1024);
        const n = fs.readSync(fd, buf, 0, buf.length, pos);
        const nl = buf.subarray(0, n).indexOf(10);
        parts.push(buf.subarray(0, nl >= 0 ? nl : n));
        if (nl >= 0 || n === 0) break;
        pos += n;
      }
      return lineHash(Buffer.concat(parts).toString('utf8'))?.claimed ?? null;
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return null;
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
