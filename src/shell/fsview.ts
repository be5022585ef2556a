// The engine's only window on the file system: existence, directories, symlinks, bounded
// reads and change stamps. The analysis reads scripts, Makefiles, package.json and git
// config through it, so tests can hand it a table and the session can tell, from the
// stamps, when a cached decision is stale.
import fs from 'node:fs';
import path from 'node:path';

export type ReadResult =
  /** `stamp`: the file's stamp when it was read, when the view can give it without another call. */
  | { kind: 'text'; text: string; stamp?: Stamp }
  | { kind: 'missing' }
  | { kind: 'unreadable'; reason: string }
  | { kind: 'too-large'; size: number };

/** A file's identity and version: "ino:size:mtimeNs:ctimeNs" (ctime catches writes that keep the mtime), or "missing". */
export type Stamp = string;

export interface FsView {
  exists(p: string): boolean;
  isDirectory(p: string): boolean;
  /** Symlinks resolved; null when the path does not exist. */
  realpath(p: string): string | null;
  /** Contents as UTF-8, unless the file is missing, unreadable or larger than maxBytes. */
  readText(p: string, maxBytes: number): ReadResult;
  /** Names in a directory, or null when it is not one or cannot be read. */
  readdir(p: string): string[] | null;
  stamp(p: string): Stamp;
}

/** A file the analysis read or relied on (its absence included), with the stamp it had. */
export interface FileInput {
  path: string;
  stamp: Stamp;
}

/**
 * File contents kept across checks, each under the stamp it was read with, and handed out
 * again only while the file still has that stamp (one stat instead of stat, open, fstat,
 * reads and close). A rewrite that keeps size and mtime still changes ctime, but only to
 * the clock's tick: a file changed within `racyNs` before it was read is not kept (git's
 * "racily clean" rule), so any later change gives it a stamp it did not have.
 */
export class ReadCache {
  private entries = new Map<string, { stamp: Stamp; text: string }>();
  constructor(
    private maxEntries = 128,
    private maxBytes = 64 * 1024,
    private racyNs = 2_000_000_000n,
  ) {}

  get(p: string, stamp: Stamp): string | null {
    const e = this.entries.get(p);
    if (!e) return null;
    if (e.stamp === stamp) return e.text;
    this.entries.delete(p);
    return null;
  }

  put(p: string, st: fs.BigIntStats, text: string, bytes: number): void {
    const now = BigInt(Date.now()) * 1_000_000n;
    if (bytes > this.maxBytes || st.ctimeNs > now - this.racyNs || st.mtimeNs > now - this.racyNs) return;
    this.entries.delete(p);
    this.entries.set(p, { stamp: stampOf(st), text });
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }
}

/** Reads a regular file as UTF-8 through `cache` (see ReadCache); what realFs.readText does. */
export function readTextCached(p: string, maxBytes: number, cache: ReadCache): ReadResult {
  let fd: number;
  try {
    // A FIFO or device would block the open (and the session's one thread) until a writer
    // comes: only regular files are opened, and without blocking.
    const pre = fs.statSync(p, { bigint: true, throwIfNoEntry: false });
    if (!pre) return { kind: 'missing' };
    if (!pre.isFile()) return { kind: 'unreadable', reason: pre.isDirectory() ? 'a directory' : 'not a regular file' };
    const stamp = stampOf(pre);
    const known = cache.get(p, stamp);
    if (known !== null) {
      const size = Number(pre.size);
      return size > maxBytes ? { kind: 'too-large', size } : { kind: 'text', text: known, stamp };
    }
    fd = fs.openSync(p, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { kind: 'missing' };
    return { kind: 'unreadable', reason: code ?? (e as Error).message };
  }
  try {
    const st = fs.fstatSync(fd, { bigint: true });
    if (!st.isFile()) return { kind: 'unreadable', reason: st.isDirectory() ? 'a directory' : 'not a regular file' };
    const size = Number(st.size);
    if (size > maxBytes) return { kind: 'too-large', size };
    // Read one byte past the limit: the file may have grown since fstat.
    const buf = Buffer.alloc(Math.min(size, maxBytes) + 1);
    let n = 0;
    for (;;) {
      const r = fs.readSync(fd, buf, n, buf.length - n, n);
      if (r === 0) break;
      n += r;
      if (n === buf.length) break;
    }
    if (n > maxBytes) return { kind: 'too-large', size: n };
    const text = buf.subarray(0, n).toString('utf8');
    // Kept only when what was read is all the stamp describes (it did not grow or shrink meanwhile).
    if (n === size) cache.put(p, st, text, n);
    return { kind: 'text', text, stamp: stampOf(st) };
  } catch (e) {
    return { kind: 'unreadable', reason: (e as NodeJS.ErrnoException).code ?? (e as Error).message };
  } finally {
    fs.closeSync(fd);
  }
}

const readCache = new ReadCache();

/** A file of agentguard's own installation (the grammar's WASM), read whole: never one the analysis looks at. */
export function readOwnFile(p: string): Uint8Array {
  return fs.readFileSync(p);
}

export const realFs: FsView = {
  exists: (p) => fs.existsSync(p),
  isDirectory(p) {
    try {
      return fs.statSync(p, { throwIfNoEntry: false })?.isDirectory() ?? false;
    } catch {
      return false;
    }
  },
  realpath(p) {
    // Most lookups are of files that do not exist (hooks, Makefiles, package.json above the
    // cwd): existsSync answers those without the exception a failing realpath throws.
    if (!fs.existsSync(p)) return null;
    try {
      return fs.realpathSync.native(p);
    } catch {
      return null;
    }
  },
  readText(p, maxBytes) {
    return readTextCached(p, maxBytes, readCache);
  },
  readdir(p) {
    try {
      return fs.readdirSync(p);
    } catch {
      return null;
    }
  },
  stamp(p) {
    try {
      const st = fs.statSync(p, { bigint: true, throwIfNoEntry: false });
      return st ? stampOf(st) : 'missing';
    } catch {
      return 'missing';
    }
  },
};

/** A file's state: inode, size, modification and change times (a rewrite with the same size and mtime still changes ctime). */
function stampOf(st: fs.BigIntStats): Stamp {
  return `${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
}

/**
 * An in-memory file system for tests: `files` maps absolute paths to contents (null: exists
 * but unreadable); directories are implied by the files under them and by `dirs`.
 * Paths not in the table are missing unless `fallback` knows them.
 */
export function tableFs(files: Record<string, string | null>, opts: { dirs?: string[]; fallback?: FsView } = {}): FsView {
  const dirs = new Set<string>(opts.dirs ?? []);
  for (const f of [...Object.keys(files), ...(opts.dirs ?? [])]) {
    for (let d = path.posix.dirname(f); ; d = path.posix.dirname(d)) {
      dirs.add(d);
      if (d === '/') break;
    }
  }
  const has = (p: string) => Object.prototype.hasOwnProperty.call(files, p);
  const fb = opts.fallback;
  const view: FsView = {
    exists: (p) => has(p) || dirs.has(p) || (fb?.exists(p) ?? false),
    isDirectory: (p) => dirs.has(p) || (!has(p) && (fb?.isDirectory(p) ?? false)),
    realpath: (p) => (has(p) || dirs.has(p) ? p : (fb?.realpath(p) ?? null)),
    readText(p, maxBytes) {
      if (!has(p)) return dirs.has(p) ? { kind: 'unreadable', reason: 'a directory' } : (fb?.readText(p, maxBytes) ?? { kind: 'missing' });
      const text = files[p];
      if (text === null) return { kind: 'unreadable', reason: 'EACCES' };
      const size = Buffer.byteLength(text);
      return size > maxBytes ? { kind: 'too-large', size } : { kind: 'text', text };
    },
    readdir(p) {
      if (!dirs.has(p)) return fb?.readdir(p) ?? null;
      const prefix = p === '/' ? '/' : p + '/';
      const names = new Set<string>();
      for (const x of [...Object.keys(files), ...dirs]) if (x.startsWith(prefix) && x.length > prefix.length) names.add(x.slice(prefix.length).split('/')[0]);
      return [...names].sort();
    },
    stamp(p) {
      if (dirs.has(p)) return `table:dir:${view.readdir(p)?.join('/') ?? ''}`;
      if (has(p)) return `table:${files[p]?.length ?? -1}:${hash(files[p] ?? '')}`;
      return fb ? fb.stamp(p) : 'missing';
    },
  };
  return view;
}

function hash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (h * 31 + s.charCodeAt(i)) | 0;
  return h;
}

/** True when every file an analysis relied on still has the stamp it had then. */
export function inputsUnchanged(inputs: readonly FileInput[], view: FsView = realFs): boolean {
  return inputs.every((i) => view.stamp(i.path) === i.stamp);
}
