// Knowing, without a stat walk, that nothing in a work tree changed since a snapshot: one
// inotify watch (fs.watch, non-recursive) per directory git status would look at. The
// watcher only ever says "nothing changed since mark m" or "cannot tell"; every doubt
// (still setting up, a directory not yet watched, a check-ignore still running, an error,
// too many directories, the kernel's watch limit) is "cannot tell", and the cache then
// falls back to its stat walk or a git read. It never says "clean" on its own.
//
// What is watched: every directory of the work tree except `.git` entries (the cache key
// covers the git directory) and directories git ignores as a whole (`git check-ignore`,
// which knows that a directory holding tracked files is not ignored). Which directories are
// ignored depends on .gitignore files, info/exclude and the index (a `git add -f` makes a
// file under an ignored directory tracked): an event on a .gitignore, a changed
// info/exclude, or a new cache key re-checks every directory skipped so far.
import fs from 'node:fs';
import path from 'node:path';
import type { Repo } from './repo.js';
import { runGit } from './run.js';

export interface WatchOptions {
  /** directories watched before giving up (the cache then stat-walks as without a watcher) */
  maxDirs?: number;
  /** the budget of each git call the watcher makes (check-ignore) */
  gitTimeoutMs?: number;
  /** the cache key (stateKey) when the watcher starts: a different one later means the index may have changed */
  key?: string;
  /** called on every event, after the watcher has counted it (the cache's background refresh) */
  onChange?: () => void;
}

export const MAX_WATCHED_DIRS = 4000;
const GIT_TIMEOUT_MS = 10_000;

/** `busy`: git calls, walks and new directories not yet watched (the watcher vouches for nothing while any is under way) */
export type WatchStatus = { state: 'starting' | 'ready' | 'failed' | 'closed'; dirs: number; busy: number; reason?: string };

export class TreeWatch {
  private watchers = new Map<string, fs.FSWatcher>();
  /** directories found ignored as a whole, re-checked when the ignore rules or the index change */
  private ignored = new Set<string>();
  /** bumped by every event and every change to what is watched */
  private epoch = 0;
  /** git calls and directory walks under way: while any runs, some directory may be unwatched */
  private busy = 0;
  private state: WatchStatus['state'] = 'starting';
  private reason: string | undefined;
  private newDirs = new Set<string>();
  private flushQueued = false;
  private syncedKey: string | null = null;
  private ignoreSources: string[] = [];
  private excludeKey: string;
  private readonly maxDirs: number;
  private readonly gitTimeoutMs: number;
  private readonly onChange: (() => void) | undefined;
  /** settles (never rejects) when the first full set-up has finished or failed */
  readonly ready: Promise<void>;

  constructor(
    readonly repo: Repo,
    opts: WatchOptions = {},
  ) {
    this.maxDirs = opts.maxDirs ?? MAX_WATCHED_DIRS;
    this.gitTimeoutMs = opts.gitTimeoutMs ?? GIT_TIMEOUT_MS;
    this.onChange = opts.onChange;
    this.excludeKey = this.readExcludeKey();
    this.syncedKey = opts.key ?? null;
    this.ready = this.track(async () => {
      await this.findIgnoreSources();
      this.excludeKey = this.readExcludeKey();
      await this.addTrees([repo.root]);
    }).then(() => {
      if (this.state === 'starting') this.state = 'ready';
    });
  }

  status(): WatchStatus {
    return { state: this.state, dirs: this.watchers.size, busy: this.busy + this.newDirs.size, ...(this.reason ? { reason: this.reason } : {}) };
  }

  /**
   * A mark to store beside a snapshot whose read starts now, or null when the watcher cannot
   * vouch for the tree from now on. The caller must have yielded to the event loop first (see
   * StateCache.get) so that events for changes made before are counted.
   */
  mark(): number | null {
    return this.trusted() ? this.epoch : null;
  }

  /** True only when the watcher was and still is complete and saw no event since `m`. */
  unchangedSince(m: number | null): boolean {
    return m !== null && this.trusted() && this.epoch === m;
  }

  /**
   * Re-checks the ignored directories when the cache key (the index among it) changed since
   * the last call; resolves when done, so a read started after it can be vouched for.
   */
  async sync(key: string): Promise<void> {
    if (!this.alive() || this.syncedKey === key) return;
    this.syncedKey = key;
    return this.revalidate();
  }

  /** Whether `dir` (absolute) has a watch (for tests and diagnostics). */
  watches(dir: string): boolean {
    return this.watchers.has(dir);
  }

  close(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.closeAll();
  }

  // ---- internals -------------------------------------------------------------------

  private trusted(): boolean {
    if (this.state !== 'ready' || this.busy > 0 || this.newDirs.size > 0) return false;
    if (this.readExcludeKey() !== this.excludeKey) {
      void this.revalidate();
      return false;
    }
    return true;
  }

  /**
   * The files besides .gitignore that say what is ignored: info/exclude, the global ignore
   * file, and the configs that may name another one (core.excludesFile, read with git).
   * The system config is not among them: runGit sets GIT_CONFIG_NOSYSTEM.
   */
  private async findIgnoreSources(): Promise<void> {
    const home = process.env.HOME ?? '';
    const xdg = process.env.XDG_CONFIG_HOME || path.join(home, '.config');
    const files = [
      path.join(this.repo.commonDir, 'info', 'exclude'),
      path.join(this.repo.commonDir, 'config'),
      path.join(this.repo.gitDir, 'config.worktree'),
      path.join(home, '.gitconfig'),
      path.join(xdg, 'git', 'config'),
      path.join(xdg, 'git', 'ignore'),
    ];
    const r = await runGit(this.repo, ['config', '--path', '--get', 'core.excludesFile'], { deadline: Date.now() + this.gitTimeoutMs });
    if (!r.ok && r.status !== 1) return this.fail(r.error ?? 'git config failed');
    const named = r.stdout.toString('utf8').trim();
    if (named) files.push(path.resolve(this.repo.root, named));
    this.ignoreSources = files;
  }

  private readExcludeKey(): string {
    return this.ignoreSources
      .map((f) => {
        try {
          const st = fs.statSync(f, { bigint: true });
          return `${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
        } catch {
          return '-';
        }
      })
      .join('|');
  }

  private fail(reason: string): void {
    if (this.state === 'closed' || this.state === 'failed') return;
    this.state = 'failed';
    this.reason = reason;
    this.epoch++;
    this.closeAll();
  }

  private closeAll(): void {
    for (const w of this.watchers.values()) w.close();
    this.watchers.clear();
    this.newDirs.clear();
  }

  private alive(): boolean {
    return this.state === 'starting' || this.state === 'ready';
  }

  /** Runs `fn` counted as busy (untrusted while it runs); any throw fails the watcher. */
  private async track(fn: () => Promise<void>): Promise<void> {
    this.busy++;
    try {
      await fn();
    } catch (e) {
      this.fail(`watcher error: ${(e as Error).message}`);
    } finally {
      this.busy--;
    }
  }

  private watchDir(dir: string): boolean {
    if (this.watchers.has(dir)) return true;
    if (this.watchers.size >= this.maxDirs) {
      this.fail(`more than ${this.maxDirs} directories to watch`);
      return false;
    }
    let w: fs.FSWatcher;
    try {
      w = fs.watch(dir, { persistent: false }, (type, name) => this.onEvent(dir, type, name));
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      // Gone since it was listed: its parent's watch has seen the removal.
      if (code === 'ENOENT' || code === 'ENOTDIR') return true;
      this.fail(code === 'ENOSPC' ? 'the kernel inotify watch limit (fs.inotify.max_user_watches) is reached' : `cannot watch ${dir}: ${(e as Error).message}`);
      return false;
    }
    w.on('error', (e) => {
      // A watched directory that was removed may report an error as its watch ends; that
      // removal was already an event in its parent. Any other error: stop vouching.
      if (!fs.existsSync(dir)) this.unwatchTree(dir);
      else this.fail(`watch on ${dir} failed: ${e.message}`);
    });
    this.watchers.set(dir, w);
    this.epoch++;
    return true;
  }

  private unwatchTree(dir: string): void {
    const prefix = dir + path.sep;
    for (const [d, w] of this.watchers) {
      if (d === dir || d.startsWith(prefix)) {
        w.close();
        this.watchers.delete(d);
      }
    }
    this.epoch++;
  }

  private onEvent(dir: string, type: string, name: string | Buffer | null): void {
    this.epoch++;
    if (!this.alive()) return;
    this.onChange?.();
    if (name === null || name === undefined) return this.fail(`an event in ${dir} without a file name`);
    const base = String(name);
    if (base.includes('\uFFFD')) return this.fail(`a file name in ${dir} that is not UTF-8`);
    if (base === '.gitignore') void this.revalidate();
    if (type !== 'rename') return;
    const p = path.join(dir, base);
    if (base === '.git') return;
    let st: fs.Stats | undefined;
    try {
      st = fs.lstatSync(p, { throwIfNoEntry: false });
    } catch {
      st = undefined;
    }
    if (!st || !st.isDirectory()) {
      // Removed, or renamed away (a watch follows the inode, so a renamed directory's watch
      // would report under its old name): drop it and everything under it; the new name
      // arrives as its own event and is watched afresh.
      if (this.watchers.has(p)) this.unwatchTree(p);
      this.ignored.delete(p);
      return;
    }
    if (this.watchers.has(p)) {
      // Same name, maybe a different directory (removed and made again, or moved over): watch it again.
      this.unwatchTree(p);
    }
    this.newDirs.add(p);
    if (!this.flushQueued) {
      this.flushQueued = true;
      setImmediate(() => void this.track(() => this.flushNewDirs()));
    }
  }

  private async flushNewDirs(): Promise<void> {
    this.flushQueued = false;
    // Taken out of newDirs at once: from here `busy` (track) keeps the watcher untrusted until they are watched.
    const dirs = [...this.newDirs];
    this.newDirs.clear();
    if (!this.alive()) return;
    const ignored = await this.ignoredOf(dirs);
    if (ignored === null) return;
    for (const d of ignored) this.ignored.add(d);
    await this.addTrees(dirs.filter((d) => !ignored.has(d)));
  }

  /** Watches each directory and every directory under it that git does not ignore as a whole, a level at a time. */
  private async addTrees(starts: string[]): Promise<void> {
    let level = starts;
    while (level.length > 0) {
      const next: string[] = [];
      for (const dir of level) {
        if (!this.alive()) return;
        if (!this.watchDir(dir)) return;
        // Listed after the watch is in place: a directory made between the two is seen by both, never by neither.
        let entries: fs.Dirent[];
        try {
          entries = fs.readdirSync(dir, { withFileTypes: true });
        } catch (e) {
          const code = (e as NodeJS.ErrnoException).code;
          if (code === 'ENOENT' || code === 'ENOTDIR') continue; // removed meanwhile: the parent's watch saw it
          // Unlistable: what lies under it cannot be watched.
          return this.fail(`cannot list ${dir}: ${(e as Error).message}`);
        }
        for (const e of entries) {
          if (!e.isDirectory() || e.name === '.git') continue;
          if (e.name.includes('\uFFFD')) return this.fail(`a directory name in ${dir} that is not UTF-8`);
          next.push(path.join(dir, e.name));
        }
      }
      if (next.length === 0) break;
      const ignored = await this.ignoredOf(next);
      if (ignored === null) return;
      for (const d of ignored) this.ignored.add(d);
      level = next.filter((d) => !ignored.has(d));
    }
  }

  /** Which of `dirs` git ignores as a whole, or null (and the watcher failed) when git could not say. */
  private async ignoredOf(dirs: string[]): Promise<Set<string> | null> {
    if (dirs.length === 0) return new Set();
    // check-ignore reads its paths as pathspecs (GIT_LITERAL_PATHSPECS is refused): a leading
    // ':' is magic, and `:(top)dist` would be answered for dist. Such a directory is not
    // asked about and is watched, which costs a watch and never hides a change.
    const rel = dirs.map((d) => path.relative(this.repo.root, d).split(path.sep).join('/')).filter((r) => !r.startsWith(':'));
    if (rel.length === 0) return new Set();
    const r = await runGit(this.repo, ['check-ignore', '-z', '--stdin'], { deadline: Date.now() + this.gitTimeoutMs, input: rel.join('\0') + '\0' });
    if (!r.ok && r.status !== 1) {
      this.fail(r.error ?? 'git check-ignore failed');
      return null;
    }
    const out = new Set<string>();
    for (const p of r.stdout.toString('utf8').split('\0')) if (p !== '') out.add(path.join(this.repo.root, p));
    return out;
  }

  /** Re-checks every directory skipped as ignored: one that no longer is gets watched, with everything under it. */
  private revalidate(): Promise<void> {
    this.epoch++;
    return this.track(async () => {
      await this.findIgnoreSources();
      // Taken before git reads the rules: a change from here on is seen by the next trusted().
      this.excludeKey = this.readExcludeKey();
      const was = [...this.ignored].filter((d) => fs.existsSync(d));
      this.ignored = new Set(was);
      const still = await this.ignoredOf(was);
      if (still === null) return;
      const now = was.filter((d) => !still.has(d));
      for (const d of now) this.ignored.delete(d);
      if (now.length > 0) await this.addTrees(now);
    });
  }
}
