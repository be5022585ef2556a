// What a set of paths or a git operation would lose, read from REAL git repositories made
// in fresh directories under /var/tmp (nothing here deletes: the questions are only asked).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoOf } from '../../src/git/repo.js';
import { parsePorcelainV2 } from '../../src/git/status.js';
import {
  changedSince,
  describeLost,
  ignoredPaths,
  isUnknown,
  lostBy,
  lostIn,
  affectedPaths,
  nothingLost,
  readState,
  StateCache,
  type GitState,
  type Lost,
  type Question,
  type StateResult,
} from '../../src/git/state.js';

const BASE = fs.mkdtempSync(path.join(fs.existsSync('/var/tmp') ? '/var/tmp' : os.tmpdir(), 'agentguard-git-state-'));
const HOME = path.join(BASE, 'home');
const savedEnv = { ...process.env };
let n = 0;

function gitEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: savedEnv.PATH, HOME, GIT_CONFIG_NOSYSTEM: '1', LC_ALL: 'C' };
  return env;
}
function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, env: gitEnv(), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}
function write(root: string, rel: string, text = `${rel}\n`): void {
  fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
  fs.writeFileSync(path.join(root, rel), text);
}
/** A new repository with src/a.ts, src/b.ts, docs/readme.md committed on main, and node_modules/ dist/ ignored. */
function makeRepo(files: Record<string, string> = {}): string {
  const root = path.join(BASE, `repo${++n}`);
  fs.mkdirSync(root);
  git(root, 'init', '-q', '-b', 'main');
  git(root, 'config', 'user.name', 'Test');
  git(root, 'config', 'user.email', 'test@example.invalid');
  write(root, '.gitignore', 'node_modules/\ndist/\n');
  for (const f of ['src/a.ts', 'src/b.ts', 'docs/readme.md']) write(root, f);
  for (const [f, t] of Object.entries(files)) write(root, f, t);
  git(root, 'add', '-A');
  git(root, 'commit', '-qm', 'initial');
  return root;
}
async function state(root: string, timeoutMs = 20_000): Promise<GitState> {
  const s = await readState(root, { timeoutMs });
  if (isUnknown(s)) throw new Error(`unknown: ${s.unknown}`);
  return s;
}
function lost(s: GitState, q: Question): Lost {
  const l = lostBy(s, q);
  if (isUnknown(l)) throw new Error(`unknown: ${l.unknown}`);
  return l;
}

beforeAll(() => {
  fs.mkdirSync(HOME);
  process.env.HOME = HOME;
  process.env.GIT_CONFIG_NOSYSTEM = '1';
});
afterAll(() => {
  process.env = savedEnv;
  fs.rmSync(BASE, { recursive: true, force: true });
});

describe('parsePorcelainV2', () => {
  it('takes paths verbatim after the fields, with renames, conflicts, spaces and newlines', () => {
    const h = '0'.repeat(40);
    const out = [
      `# branch.oid ${h}`,
      '# branch.head main',
      `1 .M N... 100644 100644 100644 ${h} ${h} dir with space/a b.ts`,
      `2 R. N... 100644 100644 100644 ${h} ${h} R100 new name.ts`,
      'old name.ts',
      `u UU N... 100644 100644 100644 100644 ${h} ${h} ${h} con\nflict.ts`,
      '? ünï\ncode.txt',
      '',
    ].join('\0');
    const p = parsePorcelainV2(out);
    expect(p.oid).toBe(h);
    expect(p.branch).toBe('main');
    expect(p.changes).toEqual([
      { path: 'dir with space/a b.ts', xy: '.M', staged: false, modified: true, unmerged: false },
      { path: 'new name.ts', origPath: 'old name.ts', xy: 'R.', staged: true, modified: false, unmerged: false },
      { path: 'con\nflict.ts', xy: 'UU', staged: true, modified: true, unmerged: true },
    ]);
    expect(p.untracked).toEqual(['ünï\ncode.txt']);
  });
  it('detached and unborn HEADs', () => {
    const p = parsePorcelainV2('# branch.oid (initial)\0# branch.head (detached)\0');
    expect(p).toMatchObject({ oid: null, branch: null });
  });
  it('refuses a record it does not know rather than reading it as clean', () => {
    expect(() => parsePorcelainV2('X something\0')).toThrow(/unknown record/);
    expect(() => parsePorcelainV2('1 .M N...\0')).toThrow(/fewer than/);
    expect(() => parsePorcelainV2(`2 R. N... 100644 100644 100644 a b R100 x\0`)).toThrow(/original path/);
  });
});

describe('repoOf', () => {
  it('finds the root from a path below it that does not exist yet', () => {
    const root = makeRepo();
    expect(repoOf(path.join(root, 'src', 'nope', 'x.ts'))).toEqual({ root, gitDir: path.join(root, '.git'), commonDir: path.join(root, '.git') });
    expect(repoOf(root)?.root).toBe(root);
  });
  it('is null outside a repository, and readState says unknown', async () => {
    const dir = path.join(BASE, 'plain');
    fs.mkdirSync(dir);
    expect(repoOf(dir)).toBeNull();
    const r = await readState(dir, { timeoutMs: 5000 });
    expect(isUnknown(r) && r.unknown).toMatch(/not in a git repository/);
  });
  it('follows a linked worktree\'s .git file to its own git dir and the shared one', () => {
    const root = makeRepo();
    const wt = path.join(BASE, `wt${n}`);
    git(root, 'worktree', 'add', '-q', '-b', 'side', wt);
    const r = repoOf(path.join(wt, 'src'));
    expect(r).toEqual({ root: wt, gitDir: path.join(root, '.git', 'worktrees', path.basename(wt)), commonDir: path.join(root, '.git') });
  });
  it('does not take a .git file that points nowhere', () => {
    const dir = path.join(BASE, 'fake-dotgit');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, '.git'), 'gitdir: /nonexistent/agentguard\n');
    expect(repoOf(dir)).toBeNull();
  });
});

describe('lostBy on real repositories', () => {
  it('clean tree: deleting a tracked directory or resetting loses nothing', async () => {
    const root = makeRepo();
    const s = await state(root);
    expect(s.changes).toEqual([]);
    expect(s.untracked).toEqual([]);
    expect(s.head).toMatchObject({ branch: 'main' });
    for (const q of [{ paths: ['src'] }, { paths: [path.join(root, 'docs')] }, { git: 'reset-hard' }, { git: 'checkout-all' }, { git: 'clean' }] as Question[]) {
      const l = lost(s, q);
      expect(nothingLost(l)).toBe(true);
      expect(describeLost(l)).toBe('');
    }
    // `rm -rf .` takes .git with it: with no remote, main's commits exist nowhere else
    expect(lost(s, { paths: ['.'] })).toMatchObject({ repository: true, modified: [], untracked: [], commits: [{ branch: 'main', count: 1 }] });
  });

  it('modified files: lost by deleting their directory, by checkout and by reset; not by deleting elsewhere', async () => {
    const root = makeRepo();
    write(root, 'src/a.ts', 'changed\n');
    const s = await state(root);
    expect(lost(s, { paths: ['src'] }).modified).toEqual(['src/a.ts']);
    expect(lost(s, { paths: [path.join(root, 'src/a.ts')] }).modified).toEqual(['src/a.ts']);
    expect(describeLost(lost(s, { paths: ['src'] }))).toBe('1 modified file (src/a.ts) would be lost');
    expect(nothingLost(lost(s, { paths: ['docs', 'src/b.ts', 'src/a'] }))).toBe(true);
    expect(lost(s, { git: 'checkout-all' }).modified).toEqual(['src/a.ts']);
    expect(lost(s, { git: 'checkout-all', paths: ['docs'] }).modified).toEqual([]);
    expect(lost(s, { git: 'reset-hard' }).modified).toEqual(['src/a.ts']);
    expect(nothingLost(lost(s, { git: 'clean' }))).toBe(true);
  });

  it('staged files: lost by reset --hard and by deleting them, not by checkout -- . (the index keeps them)', async () => {
    const root = makeRepo();
    write(root, 'src/new.ts', 'new\n');
    write(root, 'src/b.ts', 'staged\n');
    git(root, 'add', 'src/new.ts', 'src/b.ts');
    const s = await state(root);
    expect(lost(s, { git: 'reset-hard' }).staged.sort()).toEqual(['src/b.ts', 'src/new.ts']);
    expect(nothingLost(lost(s, { git: 'checkout-all' }))).toBe(true);
    expect(lost(s, { paths: ['src'] }).staged.sort()).toEqual(['src/b.ts', 'src/new.ts']);
    expect(describeLost(lost(s, { paths: ['src'] }))).toBe('2 staged files (src/b.ts, src/new.ts) would be lost');
  });

  it('untracked files, every one listed: lost by deleting them and by clean, not by reset', async () => {
    const root = makeRepo();
    for (let i = 0; i < 12; i++) write(root, `notes/deep/n${i}.md`);
    write(root, 'src/a.ts', 'x\n');
    write(root, 'src/b.ts', 'y\n');
    write(root, 'src/c.ts', 'z\n');
    git(root, 'add', 'src/c.ts');
    write(root, 'src/c.ts', 'zz\n');
    const s = await state(root);
    expect(s.untracked).toHaveLength(12);
    expect(lost(s, { paths: ['notes/deep'] }).untracked).toHaveLength(12);
    expect(lost(s, { git: 'clean', paths: ['notes'] }).untracked).toHaveLength(12);
    expect(lost(s, { git: 'reset-hard' }).untracked).toEqual([]);
    const all = lost(s, { paths: ['src', 'notes'] });
    expect(describeLost({ ...all, staged: [] })).toBe('3 modified files (src/a.ts, src/b.ts, …) and 12 untracked files (notes/deep/n0.md, notes/deep/n1.md, …) would be lost');
  });

  it('ignored output only (node_modules, dist): nothing lost; ignoredPaths says which are ignored', async () => {
    const root = makeRepo();
    write(root, 'dist/index.js');
    write(root, 'node_modules/x/index.js');
    const s = await state(root);
    expect(s.untracked).toEqual([]);
    expect(nothingLost(lost(s, { paths: ['dist', 'node_modules'] }))).toBe(true);
    expect(nothingLost(lost(s, { git: 'clean' }))).toBe(true);
    const ig = await ignoredPaths(s.repo, ['dist/index.js', path.join(root, 'node_modules/x'), 'src/a.ts'], { timeoutMs: 10_000 });
    expect(ig).toEqual(['dist/index.js', 'node_modules/x']);
  });

  it('ignoredPaths does not take a name that looks like pathspec magic for the ignored path it names', async () => {
    const root = makeRepo();
    write(root, ':(top)dist/work.ts');
    const s = await state(root);
    expect(s.untracked).toEqual([':(top)dist/work.ts']);
    expect(await ignoredPaths(s.repo, [':(top)dist/work.ts', 'dist/x.js'], { timeoutMs: 10_000 })).toEqual(['dist/x.js']);
  });

  it('a .gitignore the agent changed is reported with what it covers', async () => {
    const root = makeRepo();
    write(root, 'src/untracked.ts');
    write(root, '.gitignore', 'node_modules/\ndist/\nsrc/\n');
    const s = await state(root);
    expect(s.untracked).toEqual([]); // git now ignores it: only the changed .gitignore tells
    const l = lost(s, { paths: ['src'] });
    expect(l.ignoreRulesChanged).toEqual(['.gitignore']);
    expect(l.modified).toEqual([]);
  });

  it('stashes: one lost by drop, all by clear, and with .git', async () => {
    const root = makeRepo();
    write(root, 'src/a.ts', 'one\n');
    git(root, 'stash', '-q');
    write(root, 'src/a.ts', 'two\n');
    git(root, 'stash', '-q');
    const s = await state(root);
    expect(s.stashes).toBe(2);
    expect(s.changes).toEqual([]);
    expect(lost(s, { git: 'stash-drop' }).stashes).toBe(1);
    expect(lost(s, { git: 'stash-drop', all: true }).stashes).toBe(2);
    expect(nothingLost(lost(s, { paths: ['src'] }))).toBe(true);
    const dotgit = lost(s, { paths: ['.git'] });
    expect(dotgit).toMatchObject({ repository: true, stashes: 2 });
    expect(describeLost(dotgit)).toBe('the repository itself (.git), 2 stashes and 1 commit only on main would be lost');
    expect(lost(s, { paths: ['.git/objects'] }).repository).toBe(true);
  });

  it('branch commits on no other branch, remote or tag are lost by branch -D; merged ones are not', async () => {
    const root = makeRepo();
    git(root, 'checkout', '-qb', 'feature');
    write(root, 'src/f1.ts');
    git(root, 'add', '-A');
    git(root, 'commit', '-qm', 'f1');
    write(root, 'src/f2.ts');
    git(root, 'add', '-A');
    git(root, 'commit', '-qm', 'f2');
    git(root, 'branch', 'merged', 'main');
    git(root, 'checkout', '-q', 'main');
    git(root, 'tag', 'keep', 'feature~1');
    const s = await state(root);
    expect(s.branches).toEqual([{ branch: 'feature', count: 1 }]); // f1 is kept by the tag
    expect(lost(s, { git: 'branch-delete', branch: 'feature' }).commits).toEqual([{ branch: 'feature', count: 1 }]);
    expect(nothingLost(lost(s, { git: 'branch-delete', branch: 'merged' }))).toBe(true);
    expect(describeLost(lost(s, { git: 'branch-delete', branch: 'feature' }))).toBe('1 commit only on feature would be lost');
    expect(lost(s, { paths: [path.join(root, '.git')] }).commits).toEqual([{ branch: 'feature', count: 1 }]);
  });

  it('renames (read without rename detection): the new path carries the staged work, the old path\'s deletion loses nothing', async () => {
    const root = makeRepo();
    git(root, 'mv', 'src/a.ts', 'src/renamed.ts');
    const s = await state(root);
    expect(s.changes.map((c) => [c.path, c.xy]).sort()).toEqual([
      ['src/a.ts', 'D.'],
      ['src/renamed.ts', 'A.'],
    ]);
    expect(lost(s, { git: 'reset-hard' }).staged).toEqual(['src/renamed.ts']);
    expect(lost(s, { paths: ['src'] }).staged).toEqual(['src/renamed.ts']);
    expect(nothingLost(lost(s, { paths: ['src/a.ts'] }))).toBe(true);
  });

  it('deleted files (staged or not) hold nothing a checkout or reset would lose', async () => {
    const root = makeRepo();
    fs.unlinkSync(path.join(root, 'src/a.ts'));
    git(root, 'rm', '-q', 'src/b.ts');
    const s = await state(root);
    expect(s.changes.map((c) => c.xy).sort()).toEqual(['.D', 'D.']);
    for (const q of [{ git: 'checkout-all' }, { git: 'reset-hard' }, { paths: ['src'] }] as Question[]) expect(nothingLost(lost(s, q))).toBe(true);
  });

  it('paths with spaces, newlines and unicode are matched exactly', async () => {
    const root = makeRepo({ 'dir with space/a b.txt': 'x\n', 'ünï/çødé.txt': 'x\n' });
    write(root, 'dir with space/a b.txt', 'changed\n');
    write(root, 'ünï/çødé.txt', 'changed\n');
    write(root, 'new\nline.txt', 'untracked\n');
    write(root, 'dir with space/trail ', 'untracked\n');
    const s = await state(root);
    expect(s.changes.map((c) => c.path).sort()).toEqual(['dir with space/a b.txt', 'ünï/çødé.txt']);
    expect(s.untracked.sort()).toEqual(['dir with space/trail ', 'new\nline.txt']);
    expect(lost(s, { paths: ['dir with space'] })).toMatchObject({ modified: ['dir with space/a b.txt'], untracked: ['dir with space/trail '] });
    expect(lost(s, { paths: [path.join(root, 'new\nline.txt')] }).untracked).toEqual(['new\nline.txt']);
    expect(lost(s, { paths: ['ünï'] }).modified).toEqual(['ünï/çødé.txt']);
    expect(nothingLost(lost(s, { paths: ['dir with'] }))).toBe(true);
  });

  it('a nested repository: untracked it is listed as one entry; added (a gitlink) it is a submodule not inspected', async () => {
    const root = makeRepo();
    const nested = path.join(root, 'vendor', 'lib');
    fs.mkdirSync(nested, { recursive: true });
    git(nested, 'init', '-q', '-b', 'main');
    git(nested, 'config', 'user.name', 'Test');
    git(nested, 'config', 'user.email', 'test@example.invalid');
    write(nested, 'x.c');
    git(nested, 'add', '-A');
    git(nested, 'commit', '-qm', 'nested');
    const before = await state(root);
    expect(before.untracked).toEqual(['vendor/lib/']);
    expect(lost(before, { paths: ['vendor'] }).untracked).toEqual(['vendor/lib/']);
    git(root, 'add', 'vendor/lib');
    git(root, 'commit', '-qm', 'gitlink');
    write(nested, 'x.c', 'changed inside the submodule\n');
    const s = await state(root);
    expect(s.submodules).toEqual(['vendor/lib']);
    expect(s.changes).toEqual([]);
    const l = lost(s, { paths: ['vendor'] });
    expect(nothingLost(l)).toBe(false);
    expect(describeLost(l)).toBe('the submodule (vendor/lib) with work not inspected would be lost');
    expect(nothingLost(lost(s, { paths: ['src'] }))).toBe(true);
  });

  it('a repository with no commit yet: every file is untracked work, HEAD is unborn', async () => {
    const root = path.join(BASE, `unborn${++n}`);
    fs.mkdirSync(root);
    git(root, 'init', '-q', '-b', 'main');
    write(root, 'src/first.ts');
    const s = await state(root);
    expect(s.head).toEqual({ oid: null, branch: 'main' });
    expect(s.branches).toEqual([]);
    expect(lost(s, { paths: ['src'] }).untracked).toEqual(['src/first.ts']);
  });

  it('a file name that is not UTF-8 makes the state unknown, not clean', async () => {
    const root = makeRepo();
    fs.writeFileSync(Buffer.concat([Buffer.from(path.join(root, 'src') + '/'), Buffer.from([0xff, 0x2e, 0x74, 0x73])]), 'x\n');
    const r = await readState(root, { timeoutMs: 20_000 });
    expect(isUnknown(r) && r.unknown).toMatch(/not UTF-8/);
  });

  it('merge conflicts count as modified work', async () => {
    const root = makeRepo();
    git(root, 'checkout', '-qb', 'other');
    write(root, 'src/a.ts', 'theirs\n');
    git(root, 'commit', '-qam', 'theirs');
    git(root, 'checkout', '-q', 'main');
    write(root, 'src/a.ts', 'ours\n');
    git(root, 'commit', '-qam', 'ours');
    expect(() => git(root, 'merge', '-q', 'other')).toThrow();
    const s = await state(root);
    expect(s.changes).toEqual([{ path: 'src/a.ts', xy: 'UU', staged: true, modified: true, unmerged: true }]);
    expect(lost(s, { git: 'checkout-all' }).modified).toEqual(['src/a.ts']);
  });

  it('a linked worktree is judged by its own index and tree, with the shared refs', async () => {
    const root = makeRepo();
    const wt = path.join(BASE, `wt${n}`);
    git(root, 'worktree', 'add', '-q', '-b', 'side', wt);
    write(wt, 'src/a.ts', 'in the worktree\n');
    write(wt, 'side.txt');
    git(root, 'stash', 'list');
    const s = await state(path.join(wt, 'src'));
    expect(s.repo.root).toBe(wt);
    expect(s.head.branch).toBe('side');
    expect(lost(s, { paths: [wt] })).toMatchObject({ modified: ['src/a.ts'], untracked: ['side.txt'], repository: false });
    const main = await state(root);
    expect(main.changes).toEqual([]);
    expect(main.untracked).toEqual([]);
  });

  it('a GIT_DIR in the environment does not choose the repository', async () => {
    const a = makeRepo();
    const b = makeRepo();
    write(b, 'src/a.ts', 'changed in b\n');
    process.env.GIT_DIR = path.join(b, '.git');
    process.env.GIT_WORK_TREE = b;
    try {
      const s = await state(a);
      expect(s.changes).toEqual([]);
    } finally {
      delete process.env.GIT_DIR;
      delete process.env.GIT_WORK_TREE;
    }
  });
});

describe('the repository cannot make a read run its code', () => {
  it('core.fsmonitor and filter clean commands are switched off, and the answer is still right', async () => {
    const root = makeRepo({ '.gitattributes': '*.ts filter=evil\n' });
    const sentinel = path.join(BASE, `ran${n}`);
    git(root, 'config', 'core.fsmonitor', `echo fsmonitor >> '${sentinel}'`);
    git(root, 'config', 'filter.evil.clean', `sh -c "echo clean >> '${sentinel}'; cat"`);
    git(root, 'config', 'filter.evil.process', `sh -c "echo process >> '${sentinel}'"`);
    // a stat change forces git to compare content, which is when it runs the clean filter
    fs.utimesSync(path.join(root, 'src/b.ts'), new Date(2030, 0, 1), new Date(2030, 0, 1));
    write(root, 'src/a.ts', 'changed\n');
    const s = await state(root);
    expect(fs.existsSync(sentinel)).toBe(false);
    expect(s.changes.map((c) => c.path)).toEqual(['src/a.ts']);
  });
});

describe('a partial clone cannot make a read fetch', () => {
  it('a staged rename with its old blob missing reads without running core.sshCommand', async () => {
    const src = makeRepo();
    git(src, 'config', 'uploadpack.allowFilter', 'true');
    const clone = path.join(BASE, `partial${n}`);
    git(BASE, 'clone', '-q', '--filter=blob:none', '--no-checkout', `file://${src}`, clone);
    git(clone, 'reset', '-q');
    const sentinel = path.join(BASE, `fetched${n}`);
    git(clone, 'config', 'remote.origin.url', 'ssh://example.invalid/x');
    git(clone, 'config', 'core.sshCommand', `sh -c "echo fetch >> '${sentinel}'; exit 1" --`);
    // a similar new file staged for an old one whose blob is not here: rename detection would fetch it
    write(clone, 'src/c.ts', 'src/a.ts\nand more\n');
    git(clone, 'add', 'src/c.ts');
    git(clone, 'rm', '-q', '--cached', 'src/a.ts');
    const s = await state(clone);
    expect(fs.existsSync(sentinel)).toBe(false);
    expect(lost(s, { git: 'reset-hard' }).staged).toEqual(['src/c.ts']);
  });
});

describe('time bound', () => {
  it('a git that does not answer in time gives unknown, not a clean tree', async () => {
    const root = makeRepo();
    const bin = path.join(BASE, 'slowbin');
    fs.mkdirSync(bin, { recursive: true });
    fs.writeFileSync(path.join(bin, 'git'), '#!/bin/sh\nexec sleep 30\n', { mode: 0o755 });
    process.env.PATH = `${bin}:${savedEnv.PATH}`;
    let r: StateResult;
    try {
      r = await readState(root, { timeoutMs: 300 });
    } finally {
      process.env.PATH = savedEnv.PATH;
    }
    expect(isUnknown(r) && r.unknown).toMatch(/ran out of time/);
  });
  it('a git that fails gives unknown', async () => {
    const root = makeRepo();
    fs.writeFileSync(path.join(root, '.git', 'index'), 'garbage');
    const r = await readState(root, { timeoutMs: 20_000 });
    expect(isUnknown(r) && r.unknown).toMatch(/git status exited/);
  });
});

describe('StateCache', () => {
  it('reuses a snapshot until the index, HEAD or the asked paths change', async () => {
    const root = makeRepo();
    const repo = repoOf(root)!;
    const cache = new StateCache();
    // files written within the clock slack before a snapshot count as changed after it
    await new Promise((r) => setTimeout(r, 150));
    const opts = { timeoutMs: 20_000, paths: ['src'] };
    const first = await cache.get(repo, opts);
    await cache.get(repo, opts);
    expect(cache.reads).toBe(1);
    // wait out the clock slack so that the snapshot's own time does not mark the files as changed
    await new Promise((r) => setTimeout(r, 150));
    const again = await cache.get(repo, opts);
    expect(again).toBe(first);
    expect(cache.reads).toBe(1);

    // editing a tracked file changes neither index nor HEAD: only the paths' check sees it
    write(root, 'src/a.ts', 'edited after the snapshot\n');
    const unasked = await cache.get(repo, { timeoutMs: 20_000, paths: ['docs'] });
    expect(cache.reads).toBe(1);
    expect(isUnknown(unasked) || unasked.changes).toEqual([]);
    const s = (await cache.get(repo, opts)) as GitState;
    expect(cache.reads).toBe(2);
    expect(lost(s, { paths: ['src'] }).modified).toEqual(['src/a.ts']);

    // a new file in a directory shows in that directory's mtime
    await new Promise((r) => setTimeout(r, 150));
    write(root, 'src/new.ts');
    const s2 = (await cache.get(repo, opts)) as GitState;
    expect(cache.reads).toBe(3);
    expect(s2.untracked).toEqual(['src/new.ts']);

    // staging changes the index
    await new Promise((r) => setTimeout(r, 150));
    git(root, 'add', 'src/new.ts');
    const s3 = (await cache.get(repo, { timeoutMs: 20_000 })) as GitState;
    expect(cache.reads).toBe(4);
    expect(s3.changes.find((c) => c.path === 'src/new.ts')?.staged).toBe(true);
  });
  it('changedSince gives up (says changed) past its budget of entries', async () => {
    const root = makeRepo();
    await new Promise((r) => setTimeout(r, 150));
    const s = await state(root);
    expect(changedSince(s, ['src'])).toBe(false);
    expect(changedSince(s, ['src'], 2)).toBe(true);
  });
});

describe('lostIn', () => {
  it('answers null outside a repository, the loss inside, and re-reads for a whole-tree git operation after an edit', async () => {
    const cache = new StateCache();
    const plain = path.join(BASE, 'plain-lostin');
    fs.mkdirSync(plain);
    expect(await lostIn(plain, { paths: ['x'] }, { cache, timeoutMs: 20_000 })).toBeNull();
    const root = makeRepo();
    await new Promise((r) => setTimeout(r, 150));
    const clean = await lostIn(path.join(root, 'src'), { git: 'checkout-all' }, { cache, timeoutMs: 20_000 });
    expect(clean && !isUnknown(clean) && nothingLost(clean)).toBe(true);
    write(root, 'docs/readme.md', 'edited\n');
    const after = await lostIn(root, { git: 'checkout-all' }, { cache, timeoutMs: 20_000 });
    expect(after && !isUnknown(after) && after.modified).toEqual(['docs/readme.md']);
    expect(cache.reads).toBe(2);
  });
  it('affectedPaths: the whole tree for git operations without paths, none for refs', () => {
    expect(affectedPaths({ git: 'reset-hard' })).toEqual(['.']);
    expect(affectedPaths({ git: 'clean', paths: ['dist'] })).toEqual(['dist']);
    expect(affectedPaths({ git: 'stash-drop' })).toEqual([]);
    expect(affectedPaths({ paths: ['a', 'b'] })).toEqual(['a', 'b']);
  });
});
