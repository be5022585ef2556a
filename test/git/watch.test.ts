// The watched StateCache (src/git/watch.ts) on REAL git repositories in fresh directories
// under /var/tmp: whatever the agent does in the tree, a state the watcher vouches for is
// never stale, and every doubt falls back to the stat walk or a git read.
//
// Each repository holds zz/future.txt with an mtime in 2100: the stat walk over '.' then
// always says "changed", so a get that does NOT run git was vouched for by the watcher
// alone, and a stale answer can only be the watcher's fault.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { repoOf, type Repo } from '../../src/git/repo.js';
import { EVENTFUL_FRESHNESS_ENTRIES, isUnknown, lostIn, StateCache, type GitState, type Lost } from '../../src/git/state.js';

const BASE = fs.mkdtempSync(path.join(fs.existsSync('/var/tmp') ? '/var/tmp' : os.tmpdir(), 'agentguard-git-watch-'));
const HOME = path.join(BASE, 'home');
const savedEnv = { ...process.env };
const T = { timeoutMs: 20_000 };
let n = 0;
const caches: StateCache[] = [];

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, env: { PATH: savedEnv.PATH, HOME, GIT_CONFIG_NOSYSTEM: '1', LC_ALL: 'C' }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}
function write(root: string, rel: string, text = `${rel}\n`): void {
  fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
  fs.writeFileSync(path.join(root, rel), text);
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** src/a.ts, src/lib/b.ts, docs/readme.md, zz/future.txt committed; dist/ and node_modules/ ignored (dist/ holds a build). */
function makeRepo(ignore = 'node_modules/\ndist/\n*.log\n'): { root: string; repo: Repo } {
  const root = path.join(BASE, `repo${++n}`);
  fs.mkdirSync(root);
  git(root, 'init', '-q', '-b', 'main');
  git(root, 'config', 'user.name', 'Test');
  git(root, 'config', 'user.email', 'test@example.invalid');
  write(root, '.gitignore', ignore);
  for (const f of ['src/a.ts', 'src/lib/b.ts', 'docs/readme.md', 'zz/future.txt', 'dist/out.js', 'node_modules/pkg/index.js']) write(root, f);
  const future = new Date('2100-01-01T00:00:00Z');
  fs.utimesSync(path.join(root, 'zz/future.txt'), future, future);
  git(root, 'add', '-A');
  git(root, 'commit', '-qm', 'initial');
  return { root, repo: repoOf(root)! };
}

/** A cache without the background refresh unless asked: the tests count git reads. */
function watched(opts: ConstructorParameters<typeof StateCache>[0] = { watch: true }): StateCache {
  const c = new StateCache({ refresh: false, ...opts });
  caches.push(c);
  return c;
}

async function get(cache: StateCache, repo: Repo, paths = ['.']): Promise<GitState> {
  const s = await cache.get(repo, { ...T, paths });
  if (isUnknown(s)) throw new Error(`unknown: ${s.unknown}`);
  return s;
}

/** Waits for the watcher to be quiet, stores a snapshot it vouches for, and checks that it does. */
async function vouched(cache: StateCache, repo: Repo): Promise<void> {
  const w = cache.watch(repo)!;
  await w.ready;
  for (let i = 0; i < 1000 && w.status().busy > 0; i++) await sleep(5);
  expect(w.status()).toMatchObject({ state: 'ready', busy: 0 });
  await get(cache, repo);
  const before = cache.reads;
  await get(cache, repo);
  expect(cache.reads, 'a quiet watcher vouches: no git read, no stat walk').toBe(before);
}

const paths = (s: GitState) => ({ changed: s.changes.map((c) => `${c.xy} ${c.path}`).sort(), untracked: [...s.untracked].sort() });

beforeAll(() => {
  fs.mkdirSync(HOME);
  process.env.HOME = HOME;
  process.env.GIT_CONFIG_NOSYSTEM = '1';
});
afterEach(() => {
  for (const c of caches.splice(0)) c.close();
});
afterAll(() => {
  process.env = savedEnv;
  fs.rmSync(BASE, { recursive: true, force: true });
});

describe('a watched StateCache', () => {
  it('serves a quiet tree without git or a stat walk, where an unwatched cache re-reads', async () => {
    const { root, repo } = makeRepo();
    const plain = watched({});
    await get(plain, repo);
    await get(plain, repo);
    expect(plain.reads, 'the future mtime makes every stat walk say changed').toBe(2);
    const c = watched();
    expect(await c.prime(root, T)).toMatchObject({ untracked: [] });
    await vouched(c, repo);
    expect(c.watch(repo)!.watches(root) && c.watch(repo)!.watches(path.join(root, 'src', 'lib'))).toBe(true);
  });

  it('sees an edit to a tracked file, a new file, and a delete', async () => {
    const { root, repo } = makeRepo();
    const c = watched();
    await vouched(c, repo);
    fs.appendFileSync(path.join(root, 'src/lib/b.ts'), 'edit\n');
    expect(paths(await get(c, repo))).toEqual({ changed: ['.M src/lib/b.ts'], untracked: [] });
    await vouched(c, repo);
    write(root, 'docs/new.md');
    expect(paths(await get(c, repo)).untracked).toEqual(['docs/new.md']);
    await vouched(c, repo);
    fs.rmSync(path.join(root, 'src/a.ts'));
    expect(paths(await get(c, repo)).changed).toEqual(['.D src/a.ts', '.M src/lib/b.ts']);
  });

  it('watches a new directory and what is made in it later', async () => {
    const { root, repo } = makeRepo();
    const c = watched();
    await vouched(c, repo);
    write(root, 'src/new/deeper/x.ts');
    expect(paths(await get(c, repo)).untracked).toEqual(['src/new/deeper/x.ts']);
    await vouched(c, repo);
    expect(c.watch(repo)!.watches(path.join(root, 'src/new/deeper'))).toBe(true);
    write(root, 'src/new/deeper/y.ts');
    expect(paths(await get(c, repo)).untracked).toEqual(['src/new/deeper/x.ts', 'src/new/deeper/y.ts']);
    await vouched(c, repo);
    write(root, 'src/new/deeper/z/w.ts');
    expect(paths(await get(c, repo)).untracked).toContain('src/new/deeper/z/w.ts');
  });

  it('follows a renamed directory: what is made under its new name is seen', async () => {
    const { root, repo } = makeRepo();
    const c = watched();
    await vouched(c, repo);
    fs.renameSync(path.join(root, 'src'), path.join(root, 'lib'));
    const s = await get(c, repo);
    expect(paths(s).untracked).toEqual(['lib/a.ts', 'lib/lib/b.ts']);
    await vouched(c, repo);
    const w = c.watch(repo)!;
    expect([w.watches(path.join(root, 'src')), w.watches(path.join(root, 'lib/lib'))]).toEqual([false, true]);
    write(root, 'lib/lib/sub/c.ts');
    expect(paths(await get(c, repo)).untracked).toContain('lib/lib/sub/c.ts');
    await vouched(c, repo);
    write(root, 'lib/lib/sub/d.ts');
    expect(paths(await get(c, repo)).untracked).toContain('lib/lib/sub/d.ts');
    await vouched(c, repo);
    fs.appendFileSync(path.join(root, 'lib/lib/b.ts'), 'edit\n');
    // The content changed, the untracked list did not: the snapshot must be a new one.
    const before = c.reads;
    await get(c, repo);
    expect(c.reads).toBe(before + 1);
  });

  it('a directory removed and made again under the same name is watched again', async () => {
    const { root, repo } = makeRepo();
    const c = watched();
    await vouched(c, repo);
    fs.rmSync(path.join(root, 'src'), { recursive: true });
    await get(c, repo);
    await vouched(c, repo);
    write(root, 'src/again/x.ts');
    await get(c, repo);
    await vouched(c, repo);
    write(root, 'src/again/y.ts');
    expect(paths(await get(c, repo)).untracked).toEqual(['src/again/x.ts', 'src/again/y.ts']);
    // Removed and made again before any event is delivered: both events arrive when the name is a directory again.
    fs.rmSync(path.join(root, 'docs'), { recursive: true });
    write(root, 'docs/readme.md');
    await get(c, repo);
    await vouched(c, repo);
    write(root, 'docs/later.md');
    expect(paths(await get(c, repo)).untracked).toContain('docs/later.md');
  });

  it('ignored directories are not watched: a build there costs no read, and never hides a change elsewhere', async () => {
    const { root, repo } = makeRepo();
    const c = watched();
    await vouched(c, repo);
    const w = c.watch(repo)!;
    expect([w.watches(path.join(root, 'dist')), w.watches(path.join(root, 'node_modules')), w.watches(path.join(root, 'zz'))]).toEqual([false, false, true]);
    const before = c.reads;
    write(root, 'dist/more/bundle.js');
    write(root, 'node_modules/other/index.js');
    await get(c, repo);
    expect(c.reads, 'changes only under ignored directories do not re-read').toBe(before);
    write(root, 'src/real.ts');
    expect(paths(await get(c, repo)).untracked).toEqual(['src/real.ts']);
  });

  it('a directory whose name looks like pathspec magic is watched, not taken for the ignored one it names', async () => {
    const { root, repo } = makeRepo();
    const c = watched();
    await vouched(c, repo);
    write(root, ':(top)dist/x.ts');
    expect(paths(await get(c, repo)).untracked).toEqual([':(top)dist/x.ts']);
    await vouched(c, repo);
    expect(c.watch(repo)!.watches(path.join(root, ':(top)dist'))).toBe(true);
    write(root, ':(top)dist/sub/y.ts');
    expect(paths(await get(c, repo)).untracked).toEqual([':(top)dist/sub/y.ts', ':(top)dist/x.ts']);
  });

  it('a directory holding only ignored files is still watched (it is not ignored as a whole)', async () => {
    const { root, repo } = makeRepo();
    write(root, 'logs/a.log');
    const c = watched();
    await vouched(c, repo);
    expect(c.watch(repo)!.watches(path.join(root, 'logs'))).toBe(true);
    write(root, 'logs/important.ts');
    expect(paths(await get(c, repo)).untracked).toEqual(['logs/important.ts']);
  });

  it('a tracked file under an ignored directory is watched, including one added with -f later', async () => {
    const { root, repo } = makeRepo();
    write(root, 'dist/keep/kept.js');
    git(root, 'add', '-f', 'dist/keep/kept.js');
    git(root, 'commit', '-qm', 'kept');
    write(root, 'build/later/x.js');
    fs.appendFileSync(path.join(root, '.gitignore'), 'build/\n');
    git(root, 'commit', '-qam', 'ignore build');
    const c = watched();
    await vouched(c, repo);
    fs.appendFileSync(path.join(root, 'dist/keep/kept.js'), 'edit\n');
    expect(paths(await get(c, repo)).changed).toEqual(['.M dist/keep/kept.js']);
    git(root, 'add', '-f', 'build/later/x.js');
    git(root, 'commit', '-qm', 'force');
    await get(c, repo);
    await vouched(c, repo);
    expect(c.watch(repo)!.watches(path.join(root, 'build/later'))).toBe(true);
    fs.appendFileSync(path.join(root, 'build/later/x.js'), 'edit\n');
    expect(paths(await get(c, repo)).changed).toEqual(['.M build/later/x.js', '.M dist/keep/kept.js']);
  });

  it('a .gitignore edit that stops ignoring a directory: its files are seen and it is watched from then on', async () => {
    const { root, repo } = makeRepo();
    const c = watched();
    await vouched(c, repo);
    write(root, '.gitignore', 'node_modules/\n');
    expect(paths(await get(c, repo))).toEqual({ changed: ['.M .gitignore'], untracked: ['dist/out.js'] });
    await vouched(c, repo);
    expect(c.watch(repo)!.watches(path.join(root, 'dist'))).toBe(true);
    write(root, 'dist/sub/new.js');
    expect(paths(await get(c, repo)).untracked).toEqual(['dist/out.js', 'dist/sub/new.js']);
  });

  it('an info/exclude edit is noticed the same way', async () => {
    const { root, repo } = makeRepo();
    write(root, 'tmpwork/x.ts');
    fs.writeFileSync(path.join(repo.commonDir, 'info', 'exclude'), 'tmpwork/\n');
    const c = watched();
    await vouched(c, repo);
    expect(c.watch(repo)!.watches(path.join(root, 'tmpwork'))).toBe(false);
    fs.writeFileSync(path.join(repo.commonDir, 'info', 'exclude'), '# nothing\n');
    await get(c, repo);
    await vouched(c, repo);
    write(root, 'tmpwork/sub/y.ts');
    expect(paths(await get(c, repo)).untracked).toEqual(['tmpwork/sub/y.ts', 'tmpwork/x.ts']);
  });

  it('an edit to the file core.excludesFile names is noticed too', async () => {
    const { root, repo } = makeRepo();
    const excludes = path.join(BASE, `excludes${n}`);
    fs.writeFileSync(excludes, 'cachedir/\n');
    git(root, 'config', 'core.excludesFile', excludes);
    write(root, 'cachedir/x.ts');
    const c = watched();
    await vouched(c, repo);
    expect(paths(await get(c, repo)).untracked).toEqual([]);
    expect(c.watch(repo)!.watches(path.join(root, 'cachedir'))).toBe(false);
    fs.writeFileSync(excludes, '# nothing ignored\n');
    await get(c, repo);
    await vouched(c, repo);
    write(root, 'cachedir/sub/y.ts');
    expect(paths(await get(c, repo)).untracked).toEqual(['cachedir/sub/y.ts', 'cachedir/x.ts']);
  });

  it('sees a write made just before the question, every time (events are delivered before the watcher is asked)', async () => {
    const { root, repo } = makeRepo();
    const c = watched();
    await vouched(c, repo);
    const file = path.join(root, 'src/a.ts');
    let stale = 0;
    for (let i = 0; i < 60; i++) {
      fs.writeFileSync(file, `version ${i}\n`);
      const l = (await lostIn(root, { paths: ['src'] }, { cache: c, ...T })) as Lost;
      if (!l.modified.includes('src/a.ts')) stale++;
      // back to the committed content: the next write must be seen as a change again
      fs.writeFileSync(file, 'src/a.ts\n');
      const back = (await lostIn(root, { paths: ['src'] }, { cache: c, ...T })) as Lost;
      if (back.modified.includes('src/a.ts')) stale++;
    }
    expect(stale).toBe(0);
  });

  it('never vouches before it is set up', async () => {
    const { repo } = makeRepo();
    const c = watched();
    const w = c.watch(repo)!;
    expect(w.status().state).toBe('starting');
    expect(w.mark()).toBeNull();
    expect(w.unchangedSince(0)).toBe(false);
    await w.ready;
    expect(w.mark()).not.toBeNull();
  });

  it('more directories than its limit: gives up and the cache falls back to the stat walk and git', async () => {
    const { root, repo } = makeRepo();
    const c = watched({ watch: { maxDirs: 3 } });
    await c.prime(root, T);
    const w = c.watch(repo)!;
    expect(w.status()).toMatchObject({ state: 'failed', dirs: 0 });
    expect(w.status().reason).toMatch(/more than 3 directories/);
    expect(w.mark()).toBeNull();
    const before = c.reads;
    await get(c, repo);
    expect(c.reads, 'not vouched for: the walk (future mtime) re-reads').toBe(before + 1);
    fs.appendFileSync(path.join(root, 'src/lib/b.ts'), 'edit\n');
    expect(paths(await get(c, repo)).changed).toEqual(['.M src/lib/b.ts']);
  });

  it('close() releases every inotify watch, and the cache still answers (stat walk and git)', async () => {
    const count = () => {
      let total = 0;
      for (const fd of fs.readdirSync('/proc/self/fd')) {
        try {
          if (fs.readlinkSync(`/proc/self/fd/${fd}`) !== 'anon_inode:inotify') continue;
          total += fs.readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8').split('\n').filter((l) => l.startsWith('inotify wd:')).length;
        } catch {
          /* closed meanwhile */
        }
      }
      return total;
    };
    const { root, repo } = makeRepo();
    const base = count();
    const c = watched();
    await vouched(c, repo);
    const dirs = c.watch(repo)!.status().dirs;
    expect(dirs).toBe(5); // the root, src, src/lib, docs, zz: not .git, not the ignored dist and node_modules
    expect(count() - base).toBe(dirs);
    c.close();
    expect(count()).toBe(base);
    expect(c.watch(repo)).toBeNull();
    fs.appendFileSync(path.join(root, 'src/a.ts'), 'edit\n');
    expect(paths(await get(c, repo)).changed).toEqual(['.M src/a.ts']);
  });

  it('reads again in the background once the tree is quiet after a change, so the next question runs no git', async () => {
    const { root, repo } = makeRepo();
    const c = watched({ watch: true, refresh: { quietMs: 20, minIntervalMs: 0 } });
    await c.prime(root, T);
    await vouched(c, repo);
    const before = c.reads;
    fs.appendFileSync(path.join(root, 'src/a.ts'), 'edit\n');
    for (let i = 0; i < 1000 && c.reads === before; i++) await sleep(5);
    expect(c.reads, 'a background read after the edit').toBe(before + 1);
    for (let i = 0; i < 1000 && c.watch(repo)!.status().busy > 0; i++) await sleep(5);
    await sleep(50); // the background read itself has finished
    const s = await get(c, repo);
    expect(paths(s).changed).toEqual(['.M src/a.ts']);
    expect(c.reads, 'the question found the refreshed snapshot').toBe(before + 1);
  });

  it('a read that git had already started before a change is not shared with a question asked after it', async () => {
    const { root, repo } = makeRepo();
    const c = watched();
    await vouched(c, repo);
    let stale = 0;
    for (let i = 0; i < 20; i++) {
      fs.appendFileSync(path.join(root, 'docs/readme.md'), 'edit\n');
      const reads = c.reads;
      const first = c.get(repo, { ...T, paths: ['.'] });
      while (c.reads === reads) await new Promise((r) => setImmediate(r));
      for (let k = 0; k < 3; k++) await new Promise((r) => setImmediate(r)); // git is running now
      write(root, `src/late${i}.ts`);
      const second = await get(c, repo);
      if (!second.untracked.includes(`src/late${i}.ts`)) stale++;
      await first;
    }
    expect(stale).toBe(0);
  });

  it('watches no more repositories than its limit; the others are answered as without a watcher', async () => {
    const a = makeRepo();
    const b = makeRepo();
    const c = watched({ watch: true, maxWatchedRepos: 1 });
    await c.prime(a.root, T);
    expect(c.watch(a.repo)).not.toBeNull();
    expect(c.watch(b.repo)).toBeNull();
    await get(c, b.repo);
    const before = c.reads;
    await get(c, b.repo);
    expect(c.reads, 'the stat walk (future mtime) re-reads').toBe(before + 1);
    fs.appendFileSync(path.join(b.root, 'src/a.ts'), 'edit\n');
    expect(paths(await get(c, b.repo)).changed).toEqual(['.M src/a.ts']);
  });

  it('after an event, a small question elsewhere is answered by a short walk, a large one goes straight to git', async () => {
    const { root, repo } = makeRepo();
    for (let i = 0; i < 600; i++) write(root, `big/f${i}.ts`);
    git(root, 'add', '-A');
    git(root, 'commit', '-qm', 'big');
    await sleep(150); // the files' times fall outside the walk's clock slack
    const c = watched();
    await vouched(c, repo);
    fs.appendFileSync(path.join(root, 'src/a.ts'), 'edit\n');
    let before = c.reads;
    await get(c, repo, ['docs']);
    expect(c.reads, 'docs/ was not touched: the walk says so').toBe(before);
    before = c.reads;
    const s = await get(c, repo, ['big']);
    expect(c.reads, `more than ${EVENTFUL_FRESHNESS_ENTRIES} entries: read, not walked`).toBe(before + 1);
    expect(paths(s).changed).toEqual(['.M src/a.ts']);
  });
});
