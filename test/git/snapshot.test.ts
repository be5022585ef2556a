// Snapshots in real git repositories in fresh directories under /var/tmp: what a snapshot
// holds, that the user's index, HEAD, branches, stash and status are left as they were, that
// restore brings deleted work back byte for byte and refuses to overwrite later work, that
// `git gc` keeps snapshots, and prune.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listSnapshots, pruneSnapshots, restoreSnapshot, SnapshotConflict, takeSnapshot } from '../../src/git/snapshot.js';

let dir: string;
let home: string;

function git(...args: string[]): string {
  return execFileSync('git', args, { cwd: dir, encoding: 'utf8', env: { ...process.env, HOME: home, GIT_CONFIG_NOSYSTEM: '1' } });
}
function gitBytes(...args: string[]): Buffer {
  return execFileSync('git', args, { cwd: dir, env: { ...process.env, HOME: home, GIT_CONFIG_NOSYSTEM: '1' } });
}
function write(p: string, content: string | Buffer, mode?: number): void {
  fs.mkdirSync(path.dirname(path.join(dir, p)), { recursive: true });
  fs.writeFileSync(path.join(dir, p), content);
  if (mode !== undefined) fs.chmodSync(path.join(dir, p), mode);
}
const read = (p: string) => fs.readFileSync(path.join(dir, p));

/** Everything the user owns in git that a snapshot must not touch. */
function userState() {
  return {
    index: fs.readFileSync(path.join(dir, '.git/index')),
    stage: git('ls-files', '-s'),
    head: git('rev-parse', 'HEAD'),
    symbolic: git('symbolic-ref', 'HEAD'),
    branches: git('for-each-ref', '--format=%(refname) %(objectname)', 'refs/heads', 'refs/stash'),
    stash: git('stash', 'list'),
    status: git('status', '--porcelain=v2', '-z', '--untracked-files=all'),
    headLog: fs.readFileSync(path.join(dir, '.git/logs/HEAD'), 'utf8'),
  };
}

const BINARY = Buffer.from([0, 1, 2, 255, 254, 10, 13, 10, 0, 128]);
const ODD = 'src/we ird\nname.txt';

/** A repository with a commit, a branch and a stash, then modified, staged, untracked and ignored work. */
function populate(): void {
  git('init', '-q', '-b', 'main');
  git('config', 'user.name', 'Test');
  git('config', 'user.email', 'test@example.invalid');
  write('.gitignore', 'dist/\n*.log\n');
  write('src/a.ts', 'export const a = 1;\n');
  write('src/b.ts', 'export const b = 1;\n');
  write('src/run.sh', '#!/bin/sh\necho hi\n', 0o755);
  write('src/bin.dat', BINARY);
  fs.symlinkSync('a.ts', path.join(dir, 'src/link.ts'));
  write('README', 'readme\n');
  git('add', '-A');
  git('commit', '-qm', 'first');
  git('branch', 'feature');
  write('README', 'stashed change\n');
  git('stash', '-q');
  // Work git cannot restore:
  write('src/a.ts', 'export const a = 2; // modified, unstaged\n');
  write('src/b.ts', 'export const b = 2; // staged\n');
  git('add', 'src/b.ts');
  write('src/b.ts', 'export const b = 3; // staged, then modified again\n');
  write('src/new.ts', 'untracked\n');
  write(ODD, 'odd name\n');
  write('src/tool', '#!/bin/sh\necho new tool\n', 0o755);
  write('src/bin2.dat', Buffer.concat([BINARY, BINARY]));
  write('dist/out.js', 'ignored build output\n');
  write('debug.log', 'ignored log\n');
}

beforeEach(() => {
  const base = fs.mkdtempSync('/var/tmp/agentguard-snap-test-');
  dir = path.join(base, 'repo');
  home = path.join(base, 'home');
  fs.mkdirSync(dir);
  fs.mkdirSync(home);
});
afterEach(() => {
  fs.rmSync(path.dirname(dir), { recursive: true, force: true });
});

const opts = (n: number, command = 'rm -rf src') => ({ session: 's1', n, command, maxFileBytes: 1 << 20 });

describe('takeSnapshot', () => {
  it('stores modified, staged and untracked files, not ignored ones, under the session ref with HEAD as parent', async () => {
    populate();
    const snap = await takeSnapshot(dir, opts(1));
    expect(snap.ref).toBe('refs/agentguard/snapshots/s1/1');
    expect(git('rev-parse', snap.ref).trim()).toBe(snap.commit);
    expect(git('rev-parse', `${snap.commit}^1`)).toBe(git('rev-parse', 'HEAD'));
    const files = git('ls-tree', '-r', '-z', '--name-only', snap.commit).split('\0').filter(Boolean).sort();
    expect(files).toEqual(['.gitignore', 'README', 'src/a.ts', 'src/b.ts', 'src/bin.dat', 'src/bin2.dat', 'src/link.ts', 'src/new.ts', 'src/run.sh', 'src/tool', ODD].sort());
    expect(git('show', `${snap.commit}:src/a.ts`)).toBe('export const a = 2; // modified, unstaged\n');
    expect(git('show', `${snap.commit}:src/b.ts`)).toBe('export const b = 3; // staged, then modified again\n');
    expect(git('show', `${snap.commit}:README`)).toBe('readme\n'); // the stashed change is not in the work tree
    expect(snap.stored).toEqual(['src/a.ts', 'src/b.ts', 'src/bin2.dat', 'src/new.ts', 'src/tool', ODD].sort());
    expect(snap.skipped).toEqual([]);
    const modes = git('ls-tree', '-r', snap.commit);
    expect(modes).toMatch(/^120000 blob \S+\tsrc\/link\.ts$/m);
    expect(modes).toMatch(/^100755 blob \S+\tsrc\/tool$/m);
    expect(modes).toMatch(/^100755 blob \S+\tsrc\/run\.sh$/m);
    expect(git('log', '-1', '--format=%B', snap.commit)).toContain('Command: "rm -rf src"');
  });

  it('leaves the index (bytes and stages), HEAD, its reflog, branches, stash and status as they were', async () => {
    populate();
    const before = userState();
    await takeSnapshot(dir, opts(1));
    await takeSnapshot(dir, opts(2));
    expect(userState()).toEqual(before);
  });

  it('stores a same-size edit whose mtime was set back, with core.trustctime off', async () => {
    populate();
    git('config', 'core.trustctime', 'false'); // as a repository may set; the ctime would give the edit away
    git('add', 'src/a.ts'); // the index is now as new as the file
    write('src/a.ts', read('src/a.ts').toString().replace('2', '9'));
    const mtime = fs.statSync(path.join(dir, '.git/index')).mtime;
    fs.utimesSync(path.join(dir, 'src/a.ts'), mtime, mtime); // the stat data alone cannot tell
    const snap = await takeSnapshot(dir, opts(1));
    expect(git('show', `${snap.commit}:src/a.ts`)).toBe('export const a = 9; // modified, unstaged\n');
  });

  it('stores a file in a merge conflict as it stands in the work tree, leaving the conflict in the index', async () => {
    populate();
    git('stash', '-q', '-u');
    git('checkout', '-q', 'feature');
    write('README', 'feature side\n');
    git('commit', '-qam', 'feature');
    git('checkout', '-q', 'main');
    write('README', 'main side\n');
    git('commit', '-qam', 'main');
    expect(() => git('merge', '-q', 'feature')).toThrow();
    const before = userState();
    expect(before.stage).toMatch(/ 3\tREADME/);
    const snap = await takeSnapshot(dir, opts(1));
    expect(git('show', `${snap.commit}:README`)).toMatch(/<<<<<<<[^]*main side[^]*feature side/);
    expect(userState()).toEqual(before);
  });

  it('lists a file over the size bound as skipped and does not store it', async () => {
    populate();
    write('big.bin', Buffer.alloc(5000, 7));
    const snap = await takeSnapshot(dir, { ...opts(1), maxFileBytes: 4096 });
    expect(snap.skipped).toEqual([{ path: 'big.bin', bytes: 5000, reason: 'too-large' }]);
    expect(git('ls-tree', '-r', '--name-only', snap.commit)).not.toContain('big.bin');
  });

  it('works in an empty repository (no HEAD, no index): a root commit', async () => {
    git('init', '-q', '-b', 'main');
    write('notes.txt', 'first words\n');
    const snap = await takeSnapshot(dir, opts(1));
    expect(git('rev-list', '--parents', '-1', snap.commit).trim()).toBe(snap.commit);
    expect(git('show', `${snap.commit}:notes.txt`)).toBe('first words\n');
    expect(fs.existsSync(path.join(dir, '.git/index'))).toBe(false);
    expect(() => git('rev-parse', '--verify', '-q', 'HEAD')).toThrow();
  });

  it('refuses to replace an existing snapshot number and an unusable session id', async () => {
    populate();
    await takeSnapshot(dir, opts(1));
    await expect(takeSnapshot(dir, opts(1))).rejects.toThrow(/update-ref/);
    await expect(takeSnapshot(dir, { ...opts(2), session: '../heads/main' })).rejects.toThrow(/not usable in a ref name/);
  });

  it('runs no filter driver, fsmonitor or reference-transaction hook the repository configures', async () => {
    populate();
    const marker = path.join(path.dirname(dir), 'ran');
    git('config', 'filter.evil.clean', `touch ${marker}-clean; cat`);
    git('config', 'filter.evil.smudge', `touch ${marker}-smudge; cat`);
    git('config', 'core.fsmonitor', `touch ${marker}-fsmonitor; false`);
    write('.gitattributes', '* filter=evil\n');
    write('.git/hooks/reference-transaction', `#!/bin/sh\ntouch ${marker}-hook\n`, 0o755);
    git('config', 'commit.gpgSign', 'true');
    git('config', 'gpg.program', `touch ${marker}-gpg; false`);
    const snap = await takeSnapshot(dir, opts(1));
    fs.rmSync(path.join(dir, 'src'), { recursive: true });
    await restoreSnapshot(dir, snap.ref);
    await pruneSnapshots(dir, { session: 's1' });
    expect(fs.readdirSync(path.dirname(dir)).filter((f) => f.startsWith('ran'))).toEqual([]);
    // The hook itself works when git runs it, so its silence above means something.
    git('update-ref', 'refs/heads/probe', 'HEAD');
    expect(fs.existsSync(`${marker}-hook`)).toBe(true);
  });

  it('gives up without writing a ref when its time limit has passed', async () => {
    populate();
    await expect(takeSnapshot(dir, { ...opts(1), timeoutMs: 0 })).rejects.toThrow(/ran out of time/);
    expect(git('for-each-ref', 'refs/agentguard')).toBe('');
    const snap = await takeSnapshot(dir, { ...opts(1), timeoutMs: 60_000 });
    expect(git('for-each-ref', '--format=%(objectname)', 'refs/agentguard').trim()).toBe(snap.commit);
  });

  it('lists a changed file whose name is not UTF-8 as skipped rather than storing something else', async () => {
    populate();
    const name = Buffer.from([0x6c, 0x61, 0x74, 0xe9, 0x2e, 0x74, 0x78, 0x74]); // 'lat\xe9.txt'
    fs.writeFileSync(Buffer.concat([Buffer.from(dir + '/'), name]), 'latin-1 name\n');
    const snap = await takeSnapshot(dir, opts(1));
    expect(snap.skipped).toEqual([{ path: 'lat\uFFFD.txt', bytes: 0, reason: 'unreadable' }]);
    expect(snap.stored).not.toContain('lat\uFFFD.txt');
  });

  it('refuses a root that is not the top level of its work tree', async () => {
    populate();
    await expect(takeSnapshot(path.join(dir, 'src'), opts(1))).rejects.toThrow(/not the top level/);
  });
});

describe('restoreSnapshot', () => {
  it('brings back every file after rm -rf src byte for byte (binary, executable bit, symlink, odd name), leaving the index alone', async () => {
    populate();
    const files = ['src/a.ts', 'src/b.ts', 'src/run.sh', 'src/bin.dat', 'src/new.ts', ODD, 'src/tool', 'src/bin2.dat'];
    const bytes = Object.fromEntries(files.map((f) => [f, read(f)]));
    const before = userState();
    const snap = await takeSnapshot(dir, opts(1));
    fs.rmSync(path.join(dir, 'src'), { recursive: true });
    const r = await restoreSnapshot(dir, snap.ref);
    for (const f of files) expect(read(f).equals(bytes[f])).toBe(true);
    expect(fs.statSync(path.join(dir, 'src/tool')).mode & 0o111).not.toBe(0);
    expect(fs.statSync(path.join(dir, 'src/run.sh')).mode & 0o111).not.toBe(0);
    expect(fs.statSync(path.join(dir, 'src/a.ts')).mode & 0o111).toBe(0);
    expect(fs.lstatSync(path.join(dir, 'src/link.ts')).isSymbolicLink()).toBe(true);
    expect(fs.readlinkSync(path.join(dir, 'src/link.ts'))).toBe('a.ts');
    expect(r.restored).toEqual([...files, 'src/link.ts'].sort());
    expect(userState()).toEqual(before);
  });

  it('undoes git checkout -- . and git reset --hard without force: what they overwrote is in HEAD', async () => {
    populate();
    const a = read('src/a.ts');
    await takeSnapshot(dir, opts(1, 'git reset --hard'));
    git('reset', '-q', '--hard');
    expect(read('src/a.ts').equals(a)).toBe(false);
    const r = await restoreSnapshot(dir, 's1/1'); // the short form of the ref
    expect(read('src/a.ts').equals(a)).toBe(true);
    expect(r.restored).toEqual(['src/a.ts', 'src/b.ts']);
    expect(r.overwritten).toEqual([]);
  });

  it('refuses, naming the paths, when a file was changed after the snapshot; force overwrites', async () => {
    populate();
    const snap = await takeSnapshot(dir, opts(1));
    write('src/a.ts', 'work done after the snapshot\n');
    fs.rmSync(path.join(dir, 'src/new.ts'));
    const err = await restoreSnapshot(dir, snap.ref).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SnapshotConflict);
    expect((err as SnapshotConflict).paths).toEqual(['src/a.ts']);
    expect((err as Error).message).toMatch(/src\/a\.ts.*--force/);
    expect(read('src/a.ts').toString()).toBe('work done after the snapshot\n'); // nothing written on refusal
    expect(fs.existsSync(path.join(dir, 'src/new.ts'))).toBe(false);
    const r = await restoreSnapshot(dir, snap.ref, { force: true });
    expect(read('src/a.ts').toString()).toBe('export const a = 2; // modified, unstaged\n');
    expect(r.overwritten).toEqual(['src/a.ts']);
  });

  it('refuses when a file clean at the snapshot was edited after it (same size)', async () => {
    populate();
    const snap = await takeSnapshot(dir, opts(1));
    write('README', 'README\n'); // as long as 'readme\n': only its content tells
    const err = await restoreSnapshot(dir, snap.ref).catch((e: unknown) => e);
    expect((err as SnapshotConflict).paths).toEqual(['README']);
    expect(read('README').toString()).toBe('README\n');
  });

  it('gives back an executable bit removed after the snapshot, without calling it a conflict', async () => {
    populate();
    const snap = await takeSnapshot(dir, opts(1));
    fs.chmodSync(path.join(dir, 'src/tool'), 0o644);
    const r = await restoreSnapshot(dir, snap.ref);
    expect(fs.statSync(path.join(dir, 'src/tool')).mode & 0o111).toBe(0o111);
    expect(r.restored).toEqual(['src/tool']);
  });

  it('leaves files created after the snapshot alone and lists them', async () => {
    populate();
    const snap = await takeSnapshot(dir, opts(1));
    write('src/later.ts', 'later\n');
    const r = await restoreSnapshot(dir, snap.ref);
    expect(read('src/later.ts').toString()).toBe('later\n');
    expect(r.leftAlone).toEqual(['src/later.ts']);
    expect(r.restored).toEqual([]);
  });

  it('does not write through a directory replaced by a symlink', async () => {
    populate();
    const outside = path.join(path.dirname(dir), 'outside');
    fs.mkdirSync(outside);
    const snap = await takeSnapshot(dir, opts(1));
    fs.rmSync(path.join(dir, 'src'), { recursive: true });
    fs.symlinkSync(outside, path.join(dir, 'src'));
    await expect(restoreSnapshot(dir, snap.ref)).rejects.toThrow(/src/);
    expect(fs.readdirSync(outside)).toEqual([]);
    await restoreSnapshot(dir, snap.ref, { force: true });
    expect(fs.readdirSync(outside)).toEqual([]);
    expect(fs.lstatSync(path.join(dir, 'src')).isDirectory()).toBe(true);
    expect(read('src/new.ts').toString()).toBe('untracked\n');
  });

  it('restores into an empty repository', async () => {
    git('init', '-q', '-b', 'main');
    write('notes.txt', 'first words\n');
    const snap = await takeSnapshot(dir, opts(1));
    fs.rmSync(path.join(dir, 'notes.txt'));
    await restoreSnapshot(dir, snap.ref);
    expect(read('notes.txt').toString()).toBe('first words\n');
  });

  it('refuses a hand-made snapshot whose tree names .. or .git', async () => {
    populate();
    const blob = git('hash-object', '-w', 'README').trim();
    for (const name of ['..', '.git', '.GIT']) {
      const inner = execFileSync('git', ['mktree'], { cwd: dir, input: `100644 blob ${blob}\tpwned\n`, encoding: 'utf8' }).trim();
      const tree = execFileSync('git', ['mktree'], { cwd: dir, input: `040000 tree ${inner}\t${name}\n`, encoding: 'utf8' }).trim();
      const commit = execFileSync('git', ['commit-tree', '-m', 'x', tree], { cwd: dir, encoding: 'utf8', env: { ...process.env, HOME: home } }).trim();
      git('update-ref', 'refs/agentguard/snapshots/evil/1', commit);
      await expect(restoreSnapshot(dir, 'evil/1', { force: true })).rejects.toThrow(/never write/);
    }
    expect(fs.existsSync(path.join(path.dirname(dir), 'pwned'))).toBe(false);
    expect(fs.existsSync(path.join(dir, '.git/pwned'))).toBe(false);
  });

  it('refuses a ref outside the snapshot namespace', async () => {
    populate();
    await expect(restoreSnapshot(dir, 'refs/heads/main')).rejects.toThrow(/not an agentguard snapshot/);
  });
});

describe('listing, gc and prune', () => {
  it('lists a session’s snapshots with their command and time, oldest first', async () => {
    populate();
    const t0 = Date.now();
    await takeSnapshot(dir, opts(2, 'git clean -fdx'));
    await takeSnapshot(dir, opts(1, 'rm -rf "src"\necho done'));
    await takeSnapshot(dir, { ...opts(1, 'other'), session: 's2' });
    const list = await listSnapshots(dir, 's1');
    expect(list.map((s) => [s.ref, s.n, s.command])).toEqual([
      ['refs/agentguard/snapshots/s1/1', 1, 'rm -rf "src"\necho done'],
      ['refs/agentguard/snapshots/s1/2', 2, 'git clean -fdx'],
    ]);
    expect(list[0].time).toBeGreaterThanOrEqual(Math.floor(t0 / 1000) * 1000);
    expect((await listSnapshots(dir)).map((s) => s.session)).toEqual(['s1', 's1', 's2']);
  });

  it('git gc --prune=now keeps a snapshot and its untracked files', async () => {
    populate();
    const snap = await takeSnapshot(dir, opts(1));
    git('gc', '-q', '--prune=now');
    expect(gitBytes('cat-file', '-p', `${snap.commit}:src/new.ts`).toString()).toBe('untracked\n');
  });

  it('prunes by session and by age', async () => {
    populate();
    await takeSnapshot(dir, opts(1));
    await takeSnapshot(dir, { ...opts(1), session: 's2' });
    expect(await pruneSnapshots(dir, { session: 's2' })).toEqual(['refs/agentguard/snapshots/s2/1']);
    expect((await listSnapshots(dir)).map((s) => s.ref)).toEqual(['refs/agentguard/snapshots/s1/1']);
    expect(await pruneSnapshots(dir, { olderThanMs: 60_000 })).toEqual([]);
    expect(await pruneSnapshots(dir, { olderThanMs: 60_000, now: Date.now() + 120_000 })).toEqual(['refs/agentguard/snapshots/s1/1']);
    expect(await listSnapshots(dir)).toEqual([]);
  });
});
