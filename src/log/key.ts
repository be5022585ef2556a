// The per-user key that seals the session log: every record's chain hash is HMACed with it,
// so rewriting a chain needs the key as well as write access to the log. It lives in
// agentguard's config directory (read-only inside the sandbox, and the file itself masked
// there), 32 random bytes, 0600, created on first use. A key that others could read or
// replace, or of the wrong size, is refused: the log is then written unkeyed and verify says
// so (a record is never lost, and the agent's command never fails, because of the key).
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const KEY_BYTES = 32;

export type LogKey = { ok: true; file: string; key: Buffer; id: string } | { ok: false; file: string; problem: string };

export function logKeyPath(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(env.XDG_CONFIG_HOME || path.join(env.HOME || os.homedir(), '.config'), 'agentguard', 'log.key');
}

/** A short fingerprint, recorded at session start so that verify can tell a wrong key from an edit. */
export function keyId(key: Buffer): string {
  return crypto.createHash('sha256').update('agentguard log key\0').update(key).digest('hex').slice(0, 16);
}

export function macOf(key: Buffer, hash: string): string {
  return crypto.createHmac('sha256', key).update(hash).digest('hex');
}

/**
 * An anchor head's MAC: over its session and seq as well as the hash, so that a head copied
 * from the journal (which the user can read) under another session or seq is not one of yours.
 */
export const headMac = (key: Buffer, h: { session: string; seq: number; hash: string }): string => macOf(key, `head:${h.session}:${h.seq}:${h.hash}`);

const cache = new Map<string, LogKey>();

/**
 * The key at `file`, created if missing (`create`), checked every time it is read from disk.
 * Cached per process: a session reads it once.
 */
export function loadLogKey(file = logKeyPath(), opts: { create?: boolean } = {}): LogKey {
  const hit = cache.get(file);
  if (hit?.ok) return hit;
  const k = readOrCreate(file, opts.create ?? true);
  cache.set(file, k);
  return k;
}

function readOrCreate(file: string, create: boolean): LogKey {
  const refuse = (problem: string): LogKey => ({ ok: false, file, problem: `${file}: ${problem}; records are written without a key until this is fixed` });
  try {
    const k = readKey(file);
    if (k) return k;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') return refuse((e as Error).message);
    if (!create) return refuse('no key (it is created by the first session or check that writes a log)');
  }
  try {
    const dir = path.dirname(file);
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const st = fs.statSync(dir);
    if (st.mode & 0o022) return refuse(`its directory ${dir} is writable by others (mode ${(st.mode & 0o777).toString(8)}): anyone could replace the key; chmod go-w ${dir}`);
    // Written whole under a private name, then linked into place: link fails if a key is
    // already there, so two first uses racing end with one key, and nobody reads a half-written one.
    const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}`;
    const fd = fs.openSync(tmp, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL, 0o600);
    try {
      fs.writeSync(fd, crypto.randomBytes(KEY_BYTES));
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    try {
      fs.linkSync(tmp, file);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      // another process won the race: its key is the key
    } finally {
      fs.rmSync(tmp, { force: true });
    }
    return readKey(file) ?? refuse('the key vanished while it was being created');
  } catch (e) {
    return refuse(`cannot create the key: ${(e as Error).message}`);
  }
}

/** Reads and checks the key file; null only if it is refused for a reason given in the thrown error. */
function readKey(file: string): LogKey | null {
  const fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
  try {
    const st = fs.fstatSync(fd);
    const uid = process.getuid?.();
    const mode = (st.mode & 0o777).toString(8);
    if (!st.isFile()) throw new Error('is not a regular file');
    if (uid !== undefined && st.uid !== uid) throw new Error(`belongs to uid ${st.uid}, not to you (uid ${uid})`);
    if (st.mode & 0o077) throw new Error(`is readable or writable by others (mode ${mode}): anyone who can read it can forge the log; chmod 600 ${file}, or remove it to start a new key (sessions sealed with the old one then verify as "wrong key")`);
    if (st.size !== KEY_BYTES) throw new Error(`holds ${st.size} bytes, not ${KEY_BYTES}: not an agentguard key; remove it to start a new one`);
    const key = Buffer.alloc(KEY_BYTES);
    if (fs.readSync(fd, key, 0, KEY_BYTES, 0) !== KEY_BYTES) throw new Error('could not be read whole');
    return { ok: true, file, key, id: keyId(key) };
  } finally {
    fs.closeSync(fd);
  }
}
