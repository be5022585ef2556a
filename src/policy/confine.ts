// Workspace confinement: where a path really is (symlinks through the longest existing
// prefix) and whether that lies inside the write roots.
import fs from 'node:fs';
import path from 'node:path';

/** Paths any command may write without touching a file: terminals, /dev/null, its own fds. */
const HARMLESS_DEVICES = [/^\/dev\/(null|stdout|stderr|stdin|tty|zero|full|random|urandom)$/, /^\/dev\/fd\/\d+$/, /^\/proc\/self\/fd\/\d+$/, /^\/dev\/pts\/\d+$/];

export function isHarmlessDevice(p: string): boolean {
  return HARMLESS_DEVICES.some((re) => re.test(p));
}

/**
 * Resolves symlinks through the longest existing prefix of an absolute path; the rest
 * is appended lexically. A dangling symlink is followed to where it points. `memo`
 * shares the resolution of common parents within one check.
 */
export function realPath(p: string, memo: Map<string, string> = new Map(), depth = 0): string {
  const known = memo.get(p);
  if (known !== undefined) return known;
  let r: string;
  // Paths about to be written are often missing, and a failing realpath costs an exception
  // (~15 µs, most of a simple check's file-system time): ask whether the path exists first.
  if (fs.existsSync(p)) {
    try {
      r = fs.realpathSync.native(p);
    } catch {
      r = resolveMissing(p, memo, depth);
    }
  } else r = resolveMissing(p, memo, depth);
  memo.set(p, r);
  return r;
}

function resolveMissing(p: string, memo: Map<string, string>, depth: number): string {
  if (depth > 40 || p === '/') return p;
  const parent = realPath(path.posix.dirname(p), memo, depth + 1);
  const candidate = path.posix.join(parent, path.posix.basename(p));
  try {
    if (fs.lstatSync(candidate, { throwIfNoEntry: false })?.isSymbolicLink()) {
      return realPath(path.posix.resolve(parent, fs.readlinkSync(candidate)), memo, depth + 1);
    }
  } catch {
    // the last component does not exist (yet)
  }
  return candidate;
}

export function isInside(p: string, roots: readonly string[]): boolean {
  return roots.some((r) => p === r || p.startsWith(r === '/' ? '/' : r + '/'));
}

/**
 * The workspace for a cwd: the nearest enclosing git work tree, or the cwd itself.
 * Never `/`: a guard whose workspace is the whole filesystem confines nothing.
 */
export function findWorkspace(cwd: string): string | null {
  let dir = path.resolve(cwd);
  for (;;) {
    if (fs.existsSync(path.join(dir, '.git'))) return dir === '/' ? null : dir;
    const up = path.dirname(dir);
    if (up === dir) return path.resolve(cwd) === '/' ? null : path.resolve(cwd);
    dir = up;
  }
}
