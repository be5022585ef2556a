// What work in a git repository a set of paths or a git operation would lose, that git
// could not give back: changes not committed (staged or not), untracked files that are not
// ignored, stashes, commits on no other branch, remote or tag.
//
// readState() takes a snapshot with git under a deadline (or says why it could not:
// `{ unknown }`, which a caller must treat as "could not tell", never as clean);
// StateCache keeps one per repository, keyed by the index, HEAD and the refs, and checks
// the asked paths' own timestamps on every call, because editing a tracked file changes
// neither (or, with `{ watch: true }`, takes an inotify watcher's word that nothing in the
// tree changed: watch.ts); lostBy() is a pure function of a snapshot and a question.
import fs from 'node:fs';
import path from 'node:path';
import { repoOf, type Repo } from './repo.js';
import { filterOverrides, runGit } from './run.js';
import { parsePorcelainV2, type Change } from './status.js';
import { TreeWatch, type WatchOptions } from './watch.js';

export { repoOf, type Repo } from './repo.js';
export type { Change } from './status.js';

export interface BranchWork {
  branch: string;
  /** commits reachable from this branch and from no other local branch, remote-tracking branch or tag */
  count: number;
}

export interface GitState {
  repo: Repo;
  head: { oid: string | null; branch: string | null };
  /** tracked paths whose index or work tree differs (conflicts included) */
  changes: Change[];
  /** untracked, not ignored (every file, not just directories: --untracked-files=all) */
  untracked: string[];
  stashes: number;
  /** local branches holding commits found nowhere else (count > 0 only), or why they could not be counted */
  branches: BranchWork[] | { unknown: string };
  /**
   * .gitignore files that are themselves changed or untracked: what they ignore was
   * decided by a file the agent may just have written, so "only ignored output" under
   * them is the agent's word, not the repository's.
   */
  ignoreRulesChanged: string[];
  /**
   * gitlinks (submodules, or a nested repository added by `git add`): their work trees are
   * other repositories, not inspected (status runs with --ignore-submodules=all, since recursing
   * would run each one's config), so a question that covers one cannot be answered as clean.
   */
  submodules: string[];
  /** Date.now() just before git read the tree: anything changed at or after it is not in this snapshot */
  takenAt: number;
  /** the cache key the snapshot was taken under */
  key: string;
}

export type Unknown = { unknown: string };
export type StateResult = GitState | Unknown;

export function isUnknown<T extends object>(r: T | Unknown): r is Unknown {
  return 'unknown' in r;
}

export interface ReadOptions {
  /** the whole read's budget, every git process included */
  timeoutMs: number;
}

/** Branches beyond this many are not counted one by one (a process each): the answer for them is unknown. */
export const MAX_BRANCHES = 64;
const PARALLEL = 4;

// ---- the cache key ---------------------------------------------------------------

function statKey(p: string): string {
  try {
    const st = fs.statSync(p, { bigint: true });
    return `${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
  } catch {
    return '-';
  }
}

function readSmall(p: string): string {
  try {
    return fs.readFileSync(p, 'utf8');
  } catch {
    return '-';
  }
}

/** Every loose ref file under refs/heads, with its stamp (branches are few; refs packed are in packed-refs). */
function headsKey(dir: string, out: string[]): void {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  out.push(`${dir}=${statKey(dir)}`);
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) headsKey(p, out);
    else out.push(`${e.name}=${statKey(p)}`);
  }
}

/**
 * What the snapshot depends on apart from the work tree's files: the index (mtime, size,
 * inode), HEAD, the refs that say which commits are elsewhere, and the stash's reflog.
 */
export function stateKey(repo: Repo): string {
  const parts = [
    statKey(path.join(repo.gitDir, 'index')),
    readSmall(path.join(repo.gitDir, 'HEAD')),
    statKey(path.join(repo.commonDir, 'packed-refs')),
    statKey(path.join(repo.commonDir, 'logs', 'refs', 'stash')),
    statKey(path.join(repo.commonDir, 'refs', 'remotes')),
    statKey(path.join(repo.commonDir, 'refs', 'tags')),
  ];
  headsKey(path.join(repo.commonDir, 'refs', 'heads'), parts);
  return parts.join('|');
}

/**
 * What decides "ignored" besides the .gitignore files in the tree: the repository's
 * info/exclude and the exclude file core.excludesFile names (or git's default one). The agent
 * can write both without touching a .gitignore (`echo notes.md >> .git/info/exclude`), so a
 * change to them during a session makes "only ignored output" its word (judge.ts).
 * `stamps` is a cheap key (no git): while it is unchanged, so is the rest.
 */
export interface ExcludeSources {
  key: string;
  file: string;
  stamps: string;
}

export function excludeStamps(repo: Repo, file: string): string {
  const home = process.env.HOME ?? '';
  const xdg = process.env.XDG_CONFIG_HOME || path.join(home, '.config');
  const configs = [path.join(repo.commonDir, 'config'), path.join(repo.gitDir, 'config.worktree'), path.join(home, '.gitconfig'), path.join(xdg, 'git', 'config')];
  return [path.join(repo.commonDir, 'info', 'exclude'), ...configs, file].map(statKey).join('|');
}

export async function excludeSources(repo: Repo, timeoutMs: number): Promise<ExcludeSources | Unknown> {
  const r = await runGit(repo, ['config', '--path', '--get', 'core.excludesFile'], { deadline: Date.now() + timeoutMs });
  if (!r.ok && r.status !== 1) return { unknown: r.error ?? 'git config failed' };
  const named = r.stdout.toString('utf8').trim();
  const xdg = process.env.XDG_CONFIG_HOME || path.join(process.env.HOME ?? '', '.config');
  const file = named ? path.resolve(repo.root, named) : path.join(xdg, 'git', 'ignore');
  return { key: [statKey(path.join(repo.commonDir, 'info', 'exclude')), file, statKey(file)].join('|'), file, stamps: excludeStamps(repo, file) };
}

// ---- reading the state -----------------------------------------------------------

function nulList(b: Buffer): string[] {
  return b
    .toString('utf8')
    .split('\0')
    .filter((s) => s !== '');
}

async function inParallel<T, R>(items: T[], n: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]);
      }
    }),
  );
  return out;
}

/**
 * How many commits `ref` (a full refs/heads|remotes|tags/… name) reaches that no other local
 * branch, remote-tracking branch or tag does: what deleting or moving it would leave nameless.
 */
export async function commitsOnlyOn(repo: Repo, ref: string, deadline: number): Promise<{ count: number } | Unknown> {
  const m = /^refs\/(heads|remotes|tags)\/(.+)$/.exec(ref);
  // --exclude takes a glob: a name with glob characters would exclude others too, and count too few.
  if (m && /[*?[\\]/.test(m[2])) return { unknown: `${ref} has glob characters in its name` };
  const except = (kind: string) => (m?.[1] === kind ? [`--exclude=${m[2]}`] : []);
  const r = await runGit(repo, ['rev-list', '--count', `${ref}^{commit}`, '--not', ...except('heads'), '--branches', ...except('remotes'), '--remotes', ...except('tags'), '--tags', '--'], { deadline });
  if (!r.ok) return { unknown: r.error ?? `could not count the commits of ${ref}` };
  return { count: Number(r.stdout.toString('utf8').trim()) || 0 };
}

async function readRefs(repo: Repo, deadline: number): Promise<{ stashes: number; branches: BranchWork[] | Unknown } | Unknown> {
  const refs = await runGit(repo, ['for-each-ref', '--format=%(refname)', 'refs/heads', 'refs/stash'], { deadline });
  if (!refs.ok) return { unknown: refs.error ?? 'git for-each-ref failed' };
  const names = refs.stdout.toString('utf8').split('\n').filter(Boolean);
  let stashes = 0;
  if (names.includes('refs/stash')) {
    const s = await runGit(repo, ['rev-list', '--walk-reflogs', '--count', 'refs/stash', '--'], { deadline });
    if (!s.ok) return { unknown: s.error ?? 'could not count the stashes' };
    stashes = Number(s.stdout.toString().trim());
  }
  const heads = names.filter((n) => n.startsWith('refs/heads/')).map((n) => n.slice('refs/heads/'.length));
  if (heads.length > MAX_BRANCHES) return { stashes, branches: { unknown: `${heads.length} local branches (more than ${MAX_BRANCHES} are not counted)` } };
  const counted = await inParallel(heads, PARALLEL, async (b): Promise<BranchWork | Unknown> => {
    const n = await commitsOnlyOn(repo, `refs/heads/${b}`, deadline);
    return isUnknown(n) ? n : { branch: b, count: n.count };
  });
  const bad = counted.find(isUnknown);
  if (bad) return { stashes, branches: bad };
  return { stashes, branches: (counted as BranchWork[]).filter((c) => c.count > 0) };
}

/** A snapshot of what `root`'s repository holds that git could not restore, or why it could not be read within `timeoutMs`. */
export async function readState(root: string, opts: ReadOptions): Promise<StateResult> {
  const repo = repoOf(root);
  if (!repo) return { unknown: `${root} is not in a git repository` };
  return readRepoState(repo, opts);
}

export async function readRepoState(repo: Repo, opts: ReadOptions): Promise<StateResult> {
  const deadline = Date.now() + opts.timeoutMs;
  const key = stateKey(repo);
  const takenAt = Date.now();
  const statusP = (async () => {
    const config = await filterOverrides(repo, deadline);
    if (isUnknown(config)) return config;
    // --no-renames: rename detection reads blobs, which in a partial clone means a fetch (and
    // what is lost is the same: the new path's staged content; the old path's deletion loses nothing).
    const r = await runGit(repo, ['status', '--porcelain=v2', '-z', '--branch', '--untracked-files=all', '--ignore-submodules=all', '--no-renames'], {
      deadline,
      config,
    });
    if (!r.ok) return { unknown: r.error ?? 'git status failed' };
    try {
      return parsePorcelainV2(r.stdout);
    } catch (e) {
      return { unknown: (e as Error).message };
    }
  })();
  const linksP = (async (): Promise<string[] | Unknown> => {
    const r = await runGit(repo, ['ls-files', '-z', '--stage'], { deadline });
    if (!r.ok) return { unknown: r.error ?? 'git ls-files failed' };
    return nulList(r.stdout)
      .filter((l) => l.startsWith('160000 '))
      .map((l) => l.slice(l.indexOf('\t') + 1));
  })();
  const [status, refs, submodules] = await Promise.all([statusP, readRefs(repo, deadline), linksP]);
  if (isUnknown(status)) return status;
  if (isUnknown(refs)) return refs;
  if (isUnknown(submodules)) return submodules;
  // A name that is not UTF-8 decodes with U+FFFD and would never match the path asked about: say unknown rather than clean.
  const odd = [...status.changes.map((c) => c.path), ...status.untracked, ...submodules].find((p) => p.includes('\uFFFD'));
  if (odd !== undefined) return { unknown: `a file name that is not UTF-8 (${JSON.stringify(odd)}) cannot be matched to the paths asked about` };
  const isIgnoreFile = (p: string) => p === '.gitignore' || p.endsWith('/.gitignore');
  return {
    repo,
    head: { oid: status.oid, branch: status.branch },
    changes: status.changes,
    untracked: status.untracked,
    stashes: refs.stashes,
    branches: refs.branches,
    ignoreRulesChanged: [...status.changes.map((c) => c.path), ...status.untracked].filter(isIgnoreFile),
    submodules,
    takenAt,
    key,
  };
}

/** Which of `paths` (relative to the root or absolute) git ignores; asked on demand, one process. */
export async function ignoredPaths(repo: Repo, paths: string[], opts: ReadOptions): Promise<string[] | Unknown> {
  // check-ignore takes pathspecs (and refuses GIT_LITERAL_PATHSPECS): it answers `:(top)dist/x` as
  // ignored when dist is, though that untracked file is work. A leading ':' is never called ignored.
  const rel = paths.map((p) => relativeTo(repo.root, p)).filter((p): p is string => p !== null && p !== '' && !p.startsWith(':'));
  if (rel.length === 0) return [];
  const r = await runGit(repo, ['check-ignore', '-z', '--stdin'], { deadline: Date.now() + opts.timeoutMs, input: rel.join('\0') + '\0' });
  if (!r.ok && r.status !== 1) return { unknown: r.error ?? 'git check-ignore failed' };
  return nulList(r.stdout);
}

// ---- freshness and the cache --------------------------------------------------------

/** Kernel file times come from a coarse clock that can lag Date.now() by a tick: count anything this close as changed. */
const CLOCK_SLACK_MS = 100;
/** Entries a freshness check may stat before it gives up and reads the state again. */
export const MAX_FRESHNESS_ENTRIES = 5000;
/** The same budget once a watcher has seen an event since the snapshot (see StateCache.get). */
export const EVENTFUL_FRESHNESS_ENTRIES = 500;

/**
 * Whether anything at or under `paths` changed since the snapshot (content, a file added or
 * removed in a directory, a rename): true when a stat says so, when the walk exceeds its
 * budget, or when a path cannot be read. `.git` directories are not walked (the key covers them).
 */
export function changedSince(state: GitState, paths: string[], budget = MAX_FRESHNESS_ENTRIES): boolean {
  const since = state.takenAt - CLOCK_SLACK_MS;
  let left = budget;
  const walk = (p: string): boolean => {
    if (--left < 0) return true;
    let st: fs.Stats | undefined;
    try {
      st = fs.lstatSync(p, { throwIfNoEntry: false });
    } catch {
      return true;
    }
    if (!st) return false;
    if (st.mtimeMs >= since || st.ctimeMs >= since) return true;
    if (!st.isDirectory()) return false;
    let names: string[];
    try {
      names = fs.readdirSync(p);
    } catch {
      return true;
    }
    for (const n of names) if (n !== '.git' && walk(path.join(p, n))) return true;
    return false;
  };
  for (const p of paths) {
    const rel = relativeTo(state.repo.root, p);
    if (rel === null) continue;
    // Also the directory holding it: a file created there since shows in the parent's mtime.
    const abs = path.join(state.repo.root, rel);
    if (rel !== '' && walkParent(path.dirname(abs), since)) return true;
    if (walk(abs)) return true;
  }
  return false;
}

function walkParent(dir: string, since: number): boolean {
  try {
    const st = fs.statSync(dir);
    return st.mtimeMs >= since || st.ctimeMs >= since;
  } catch {
    return false;
  }
}

export interface CacheOptions {
  /**
   * Keep an inotify watcher per repository (see watch.ts): while it vouches that nothing
   * changed since a snapshot, the snapshot is used without a stat walk. `close()` releases it.
   */
  watch?: boolean | WatchOptions;
  /**
   * With a watcher: read a repository again in the background once its tree has been quiet
   * for `quietMs` (100) after a change, at most once every `minIntervalMs` (500), so that a command
   * coming after the agent's edits finds a fresh snapshot instead of paying for the read.
   * `false` turns it off. Only repositories already read (or primed) are refreshed.
   */
  refresh?: false | { quietMs?: number; minIntervalMs?: number; timeoutMs?: number };
  /**
   * Repositories watched at once (default 4): inotify watches come from a per-user budget the
   * person's editor and tools share. Repositories beyond it are answered with the stat walk.
   */
  maxWatchedRepos?: number;
}

interface Pending {
  p: Promise<StateResult>;
  /** undefined until git starts reading; then the watcher's mark at that moment */
  mark: number | null | undefined;
}

/**
 * One snapshot per repository root. `get` re-reads when the key changed or when the
 * asked paths changed since the snapshot (the watcher's word, else a stat walk); an
 * unknown result is not cached.
 */
export class StateCache {
  private states = new Map<string, GitState>();
  /** the watcher's mark taken as each snapshot's read started (null: the watcher could not vouch then) */
  private marks = new Map<string, number | null>();
  /** the order in which the stored snapshot's read started: a read that started earlier never replaces it */
  private seqs = new Map<string, number>();
  private seq = 0;
  private pending = new Map<string, Pending>();
  private watchers = new Map<string, TreeWatch>();
  private watchOpts: WatchOptions | null;
  private readonly refresh: { quietMs: number; minIntervalMs: number; timeoutMs: number } | null;
  private readonly maxWatchedRepos: number;
  private refreshTimers = new Map<string, NodeJS.Timeout>();
  private lastEvent = new Map<string, number>();
  private lastRefresh = new Map<string, number>();
  /** per repository, what the first state read by this cache held (see firstSeen) */
  private firsts = new Map<string, { takenAt: number; paths: Set<string>; excludes: Promise<ExcludeSources | Unknown> }>();
  /** the exclude files' key as the first read began, until that read succeeds */
  private firstExcludes = new Map<string, Promise<ExcludeSources | Unknown>>();
  /** how many times git was run (for tests and the bench) */
  reads = 0;

  constructor(opts: CacheOptions = {}) {
    this.watchOpts = opts.watch ? (opts.watch === true ? {} : opts.watch) : null;
    this.refresh =
      this.watchOpts && opts.refresh !== false
        ? { quietMs: opts.refresh?.quietMs ?? 100, minIntervalMs: opts.refresh?.minIntervalMs ?? 500, timeoutMs: opts.refresh?.timeoutMs ?? 10_000 }
        : null;
    this.maxWatchedRepos = opts.maxWatchedRepos ?? 4;
  }

  /** The repository's watcher, started on first use (null when the cache does not watch, or already watches its most). */
  watch(repo: Repo): TreeWatch | null {
    if (!this.watchOpts) return null;
    let w = this.watchers.get(repo.root);
    if (!w) {
      if (this.watchers.size >= this.maxWatchedRepos) return null;
      w = new TreeWatch(repo, { ...this.watchOpts, key: stateKey(repo), onChange: () => this.changed(repo) });
      this.watchers.set(repo.root, w);
    }
    return w;
  }

  /**
   * Warms the cache for the repository holding `cwd`: sets its watcher up (when watching)
   * and reads its state once, so the first command of a session does not pay for either.
   * Never rejects; null outside a repository.
   */
  async prime(cwd: string, opts: ReadOptions): Promise<StateResult | null> {
    const repo = repoOf(cwd);
    if (!repo) return null;
    const w = this.watch(repo);
    if (w) await w.ready;
    return this.get(repo, opts);
  }

  async get(repo: Repo, opts: ReadOptions & { paths?: string[] }): Promise<StateResult> {
    const w = this.watch(repo);
    if (w) {
      // Every change made before this call must be counted before the watcher is asked. The
      // kernel queues an inotify event inside the write itself, but Node delivers it only when
      // a poll phase reads the inotify fd, and the caller may be running in the middle of one
      // (a socket callback; the agent's write happened before its command reached us) or may
      // have written the file itself in this very phase, after the fd was polled. One
      // setImmediate resumes in this iteration's check phase, with no poll in between when we
      // are in a poll phase now; a second one, queued from the check phase, runs only in the
      // next iteration, after its poll phase has read everything the fd held (libuv reads
      // inotify until EAGAIN). Two yields therefore guarantee a full poll after this call began.
      await new Promise<void>((r) => setImmediate(r));
      await new Promise<void>((r) => setImmediate(r));
    }
    const key = stateKey(repo);
    const have = this.states.get(repo.root);
    if (have && have.key === key) {
      const mark = this.marks.get(repo.root) ?? null;
      if (w && w.unchangedSince(mark)) return have;
      // The watcher vouched for this snapshot and has since seen a change somewhere: a small
      // question may lie elsewhere (the walk says so in a few stats), but a walk over
      // thousands of entries would most likely end in the read anyway, only later.
      const budget = w && mark !== null && w.mark() !== null ? EVENTFUL_FRESHNESS_ENTRIES : MAX_FRESHNESS_ENTRIES;
      if (!(opts.paths && changedSince(have, opts.paths, budget))) return have;
    }
    return this.read(repo, w, key, opts);
  }

  /**
   * A read whose result reflects every change made before this call: one already running is
   * shared only if git has not started yet, or the watcher saw nothing since it started.
   */
  private read(repo: Repo, w: TreeWatch | null, key: string, opts: ReadOptions): Promise<StateResult> {
    const running = this.pending.get(repo.root);
    if (running && (running.mark === undefined || (w && w.unchangedSince(running.mark)))) return running.p;
    this.reads++;
    const entry: Pending = { p: undefined as unknown as Promise<StateResult>, mark: undefined };
    entry.p = (async () => {
      // A new key may mean a new index: a file added with -f under an ignored directory is
      // now tracked there, so the watcher re-checks what it skipped before it can vouch.
      if (w) await w.sync(key);
      const mark = w ? w.mark() : null;
      entry.mark = mark;
      const seq = ++this.seq;
      if (!this.firsts.has(repo.root) && !this.firstExcludes.has(repo.root)) this.firstExcludes.set(repo.root, excludeSources(repo, opts.timeoutMs));
      const r = await readRepoState(repo, opts);
      if (seq > (this.seqs.get(repo.root) ?? 0)) {
        this.seqs.set(repo.root, seq);
        if (isUnknown(r)) {
          this.states.delete(repo.root);
          this.marks.delete(repo.root);
        } else {
          this.states.set(repo.root, r);
          this.marks.set(repo.root, mark);
        }
      }
      if (!isUnknown(r) && !this.firsts.has(repo.root)) {
        const excludes = this.firstExcludes.get(repo.root) ?? Promise.resolve({ unknown: 'not read' });
        this.firsts.set(repo.root, { takenAt: r.takenAt, paths: new Set([...r.untracked, ...r.changes.flatMap((c) => (c.origPath ? [c.path, c.origPath] : [c.path]))]), excludes });
      }
      return r;
    })().finally(() => {
      if (this.pending.get(repo.root) === entry) this.pending.delete(repo.root);
    });
    this.pending.set(repo.root, entry);
    return entry.p;
  }

  /** A watcher event: arm the background refresh (the timer re-arms itself until the tree is quiet). */
  private changed(repo: Repo): void {
    if (!this.refresh) return;
    this.lastEvent.set(repo.root, Date.now());
    if (this.refreshTimers.has(repo.root) || !this.states.has(repo.root)) return;
    this.armRefresh(repo, this.refresh.quietMs);
  }

  private armRefresh(repo: Repo, ms: number): void {
    const r = this.refresh!;
    const t = setTimeout(() => {
      this.refreshTimers.delete(repo.root);
      const w = this.watchers.get(repo.root);
      if (!w) return;
      const now = Date.now();
      const wait = Math.max((this.lastEvent.get(repo.root) ?? 0) + r.quietMs, (this.lastRefresh.get(repo.root) ?? 0) + r.minIntervalMs) - now;
      if (wait > 0) return this.armRefresh(repo, wait);
      if (w.unchangedSince(this.marks.get(repo.root) ?? null)) return;
      this.lastRefresh.set(repo.root, now);
      // A failed read leaves the cache as a failed get would: the next question reads again.
      this.read(repo, w, stateKey(repo), { timeoutMs: r.timeoutMs }).catch(() => {});
    }, ms);
    t.unref();
    this.refreshTimers.set(repo.root, t);
  }

  /**
   * When this cache first read the repository, and the untracked and changed paths it held then
   * (a session primes its cache at the start). A file's birth time alone does not say the
   * session made it: `sed -i` or any rename over a file gives the person's content a new birth.
   * Null before any read succeeded.
   */
  firstSeen(repo: Repo): { takenAt: number; paths: ReadonlySet<string>; excludes: Promise<ExcludeSources | Unknown> } | null {
    return this.firsts.get(repo.root) ?? null;
  }

  clear(): void {
    this.states.clear();
    this.marks.clear();
  }

  /** Releases every watcher and timer (the session calls it at its end); the cache still works, stat-walking. */
  close(): void {
    for (const t of this.refreshTimers.values()) clearTimeout(t);
    this.refreshTimers.clear();
    for (const w of this.watchers.values()) w.close();
    this.watchers.clear();
    this.watchOpts = null;
  }
}

// ---- the question ---------------------------------------------------------------

export type Question =
  /** deleting or overwriting these paths (absolute or relative to the root; a directory means everything under it) */
  | { paths: string[] }
  /** `git checkout -- <paths>` / `git restore <paths>`: the work tree's changes go back to the index */
  | { git: 'checkout-all'; paths?: string[] }
  /** `git reset --hard`, `git checkout HEAD -- <paths>`, `git restore --staged --worktree`: index and work tree back to HEAD */
  | { git: 'reset-hard'; paths?: string[] }
  /** `git clean -f [-d] [-x]`: untracked files go (ignored ones with -x, which are not work) */
  | { git: 'clean'; paths?: string[] }
  /** `git stash drop [stash@{n}]` (one) or `git stash clear` (all: `all: true`) */
  | { git: 'stash-drop'; all?: boolean }
  /** `git branch -D <branch>` */
  | { git: 'branch-delete'; branch: string };

export interface Lost {
  modified: string[];
  staged: string[];
  untracked: string[];
  stashes: number;
  commits: BranchWork[];
  /** the question removes the repository's own git directory: every commit not pushed and every stash go with it */
  repository: boolean;
  /** submodules the question reaches, whose own work was not inspected: never "nothing lost" */
  submodules: string[];
  /** .gitignore files among the affected paths' ancestors or the paths themselves that the snapshot found changed */
  ignoreRulesChanged: string[];
}

/** `p` relative to `root` ('/'-separated, '' for the root itself), or null when it is outside. */
export function relativeTo(root: string, p: string): string | null {
  const rel = path.relative(root, path.resolve(root, p));
  if (rel === '..' || rel.startsWith('../') || path.isAbsolute(rel)) return null;
  return rel.split(path.sep).join('/');
}

function covers(prefixes: string[] | null, p: string): boolean {
  if (prefixes === null) return true;
  for (const q of prefixes) if (q === '' || p === q || (p.length > q.length && p.startsWith(q) && p[q.length] === '/')) return true;
  return false;
}

export function nothingLost(l: Lost): boolean {
  return !l.repository && l.submodules.length === 0 && l.modified.length + l.staged.length + l.untracked.length + l.stashes + l.commits.length === 0;
}

/**
 * What the question would lose, from the snapshot alone. Unknown only when the answer
 * depends on what could not be read (the branches of a repository with too many).
 */
export function lostBy(state: GitState, q: Question): Lost | Unknown {
  const lost: Lost = { modified: [], staged: [], untracked: [], stashes: 0, commits: [], repository: false, submodules: [], ignoreRulesChanged: [] };
  const rel = (ps: string[] | undefined): string[] | null => (ps === undefined ? null : ps.map((p) => relativeTo(state.repo.root, p)).filter((p): p is string => p !== null));
  const take = (prefixes: string[] | null, kinds: { modified?: boolean; staged?: boolean; untracked?: boolean }) => {
    for (const c of state.changes) {
      if (!covers(prefixes, c.path)) continue;
      // A deletion (staged or not) holds no content that going back to HEAD or the index would lose.
      if (kinds.modified && c.modified && (c.unmerged || c.xy[1] !== 'D')) lost.modified.push(c.path);
      if (kinds.staged && c.staged && (c.unmerged || c.xy[0] !== 'D')) lost.staged.push(c.path);
    }
    if (kinds.untracked) for (const u of state.untracked) if (covers(prefixes, u)) lost.untracked.push(u);
  };
  const allCommits = (): Lost | Unknown | null => {
    if (isUnknown(state.branches)) return state.branches;
    lost.commits = state.branches.map((b) => ({ ...b }));
    return null;
  };

  if ('paths' in q && !('git' in q)) {
    const prefixes = rel(q.paths)!;
    // Deleting a file loses its staged version too in practice (an agent's next `git add -A` records the
    // deletion); strictly the index still holds it, so this errs towards asking.
    take(prefixes, { modified: true, staged: true, untracked: true });
    lost.submodules = state.submodules.filter((m) => covers(prefixes, m));
    const dirs = [state.repo.gitDir, state.repo.commonDir].map((d) => relativeTo(state.repo.root, d)).filter((d): d is string => d !== null);
    if (dirs.some((d) => covers(prefixes, d) || prefixes.some((p) => covers([d], p)))) {
      lost.repository = true;
      lost.stashes = state.stashes;
      const bad = allCommits();
      if (bad) return bad;
    }
    lost.ignoreRulesChanged = state.ignoreRulesChanged.filter((g) => {
      const dir = g.includes('/') ? g.slice(0, g.lastIndexOf('/')) : '';
      return prefixes.some((p) => covers([dir], p) || covers([p], g));
    });
    return lost;
  }
  switch (q.git) {
    case 'checkout-all':
      take(rel(q.paths), { modified: true });
      break;
    case 'reset-hard':
      take(rel(q.paths), { modified: true, staged: true });
      break;
    case 'clean':
      take(rel(q.paths), { untracked: true });
      break;
    case 'stash-drop':
      lost.stashes = q.all ? state.stashes : Math.min(1, state.stashes);
      break;
    case 'branch-delete': {
      if (isUnknown(state.branches)) return state.branches;
      const b = state.branches.find((x) => x.branch === q.branch);
      if (b) lost.commits = [{ ...b }];
      break;
    }
  }
  return lost;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function named(paths: string[]): string {
  const shown = paths.slice(0, 2).join(', ');
  return ` (${shown}${paths.length > 2 ? ', …' : ''})`;
}

/** One line for a prompt: "3 modified files (src/a.ts, src/b.ts, …) and 12 untracked files (…) would be lost", or '' when nothing would. */
export function describeLost(l: Lost): string {
  const parts: string[] = [];
  if (l.repository) parts.push('the repository itself (.git)');
  if (l.modified.length) parts.push(plural(l.modified.length, 'modified file') + named(l.modified));
  if (l.staged.length) parts.push(plural(l.staged.length, 'staged file') + named(l.staged));
  if (l.untracked.length) parts.push(plural(l.untracked.length, 'untracked file') + named(l.untracked));
  if (l.submodules.length) parts.push(`${l.submodules.length === 1 ? 'the submodule' : `${l.submodules.length} submodules`}${named(l.submodules)} with work not inspected`);
  if (l.stashes) parts.push(plural(l.stashes, 'stash', 'stashes'));
  for (const c of l.commits) parts.push(`${plural(c.count, 'commit')} only on ${c.branch}`);
  if (parts.length === 0) return '';
  const line = parts.length === 1 ? parts[0] : `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
  return `${line} would be lost`;
}

// ---- one call for a caller ------------------------------------------------------------

/** The paths a question reaches, for the cache's freshness check: stashes and branches live in the refs (the key). */
export function affectedPaths(q: Question): string[] {
  if ('git' in q) return q.git === 'stash-drop' || q.git === 'branch-delete' ? [] : (q.paths ?? ['.']);
  return q.paths;
}

/**
 * What `q`, asked in the repository holding `cwd` (relative paths are relative to that
 * repository's root), would lose: null outside a repository (the caller keeps its path
 * rules), unknown when the state could not be read in time (the caller must not allow on it).
 */
export async function lostIn(cwd: string, q: Question, opts: ReadOptions & { cache: StateCache }): Promise<Lost | Unknown | null> {
  const repo = repoOf(cwd);
  if (!repo) return null;
  const s = await opts.cache.get(repo, { timeoutMs: opts.timeoutMs, paths: affectedPaths(q) });
  if (isUnknown(s)) return s;
  return lostBy(s, q);
}
