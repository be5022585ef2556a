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
 * is appended lexically. A dangling symlink is followed to where it points.
 */
export function realPath(p: string, depth = 0): string {
  try {
    return fs.realpathSync.native(p);
  } catch {
    // fall through: part of the path does not exist yet
  }
  if (depth > 40 || p === '/') return p;
  try {
    if (fs.lstatSync(p).isSymbolicLink()) {
      const target = fs.readlinkSync(p);
      return realPath(path.posix.resolve(path.posix.dirname(realPath(path.posix.dirname(p), depth + 1)), target), depth + 1);
    }
  } catch {
    // does not exist at all
  }
  const parent = path.posix.dirname(p);
  return path.posix.join(realPath(parent, depth + 1), path.posix.basename(p));
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
