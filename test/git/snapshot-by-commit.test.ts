// Restoring a snapshot by its commit id, for one whose ref was deleted (an agent can run
// `git update-ref -d`) while git still has the commit: only agentguard's own snapshot commits
// are restored that way, never any commit named to it.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { restoreSnapshot, snapshotAt, takeSnapshot } from '../../src/git/snapshot.js';

let dir: string;
let home: string;
const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8', env: { ...process.env, HOME: home, GIT_CONFIG_NOSYSTEM: '1' } });

beforeEach(() => {
  const base = fs.mkdtempSync(path.join(fs.existsSync('/var/tmp') ? '/var/tmp' : '/tmp', 'agentguard-snapcommit-'));
  home = path.join(base, 'home');
  dir = path.join(base, 'repo');
  fs.mkdirSync(home);
  fs.mkdirSync(dir);
  git('init', '-q', '-b', 'main');
  git('config', 'user.name', 'Test');
  git('config', 'user.email', 'test@example.invalid');
  fs.writeFileSync(path.join(dir, 'a.txt'), 'committed\n');
  git('add', '-A');
  git('commit', '-qm', 'first');
});
afterEach(() => fs.rmSync(path.dirname(dir), { recursive: true, force: true }));

describe('snapshots by commit id', () => {
  it('restores a snapshot whose ref was deleted, from its commit', async () => {
    fs.writeFileSync(path.join(dir, 'a.txt'), 'uncommitted work\n');
    fs.writeFileSync(path.join(dir, 'new.txt'), 'untracked\n');
    const s = await takeSnapshot(dir, { session: 's', n: 1, command: 'rm -rf .', maxFileBytes: 1e6 });
    git('update-ref', '-d', s.ref);
    expect(git('for-each-ref', 'refs/agentguard/')).toBe('');
    fs.rmSync(path.join(dir, 'a.txt'));
    fs.rmSync(path.join(dir, 'new.txt'));
    const info = await snapshotAt(dir, s.commit);
    expect(info).toMatchObject({ ref: '', commit: s.commit, session: 's', n: 1, command: 'rm -rf .' });
    expect(info!.time).toBeGreaterThan(0);
    const r = await restoreSnapshot(dir, s.commit);
    expect(r).toMatchObject({ ref: s.commit, commit: s.commit, restored: ['a.txt', 'new.txt'] });
    expect(fs.readFileSync(path.join(dir, 'a.txt'), 'utf8')).toBe('uncommitted work\n');
    expect(fs.readFileSync(path.join(dir, 'new.txt'), 'utf8')).toBe('untracked\n');
  });

  it('refuses a commit that is not an agentguard snapshot, and one git does not have', async () => {
    const head = git('rev-parse', 'HEAD').trim();
    expect(await snapshotAt(dir, head)).toBeNull();
    await expect(restoreSnapshot(dir, head)).rejects.toThrow(/not an agentguard snapshot/);
    const missing = 'f'.repeat(40);
    expect(await snapshotAt(dir, missing)).toBeNull();
    await expect(restoreSnapshot(dir, missing)).rejects.toThrow(/git no longer has that commit/);
    // A tree id is not a commit.
    const tree = git('rev-parse', 'HEAD^{tree}').trim();
    expect(await snapshotAt(dir, tree)).toBeNull();
    await expect(snapshotAt(dir, 'HEAD')).rejects.toThrow(/not a full commit id/);
  });

  it('a commit whose message only pretends to be a snapshot cannot send a restore outside the work tree', async () => {
    // Made by hand, as an agent could: the message passes, the tree check (treeEntries) still applies.
    const blob = execFileSync('git', ['hash-object', '-w', '--stdin'], { cwd: dir, input: 'x\n', env: { ...process.env, HOME: home } }).toString().trim();
    const sub = execFileSync('git', ['mktree'], { cwd: dir, input: `100644 blob ${blob}\tevil\n`, env: { ...process.env, HOME: home } }).toString().trim();
    const tree = execFileSync('git', ['mktree'], { cwd: dir, input: `040000 tree ${sub}\t..\n`, env: { ...process.env, HOME: home } }).toString().trim();
    const commit = execFileSync('git', ['commit-tree', tree, '-m', 'agentguard snapshot s/9\n\nSession: s\nNumber: 9\nCommand: "x"\n'], { cwd: dir, env: { ...process.env, HOME: home } }).toString().trim();
    expect(await snapshotAt(dir, commit)).toMatchObject({ session: 's', n: 9 });
    await expect(restoreSnapshot(dir, commit)).rejects.toThrow(/holds an entry git would never write/);
    expect(fs.existsSync(path.join(path.dirname(dir), 'evil'))).toBe(false);
  });
});
