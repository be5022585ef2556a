// A hostile agent inside the sandbox, run by root (as CI and containers do) and by an
// unprivileged user (as most people do): it attacks the mounts, agentguard's process, the
// terminal and the log without going through a shell. Every attempt must fail, the masked
// key and the npm token must stay unreadable, the log hidden and the outside sentinel intact.
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, makeWorld, sandboxWorks, Terminal } from '../session/harness.js';

const HOSTILE = path.join(__dirname, 'hostile-agent.py');
const PYTHON = fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const isRoot = process.getuid?.() === 0;
const hasSandbox = sandboxWorks();

/** setpriv to nobody, if this machine has it and the test runs as root. */
const DROP = ['setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups', '--inh-caps=-all', '--'];
function unprivilegedProblem(): string | null {
  if (!isRoot) return 'the test does not run as root, so it cannot switch to another user (it already is one)';
  if (spawnSync('setpriv', ['--version']).status !== 0) return 'setpriv is not installed (util-linux)';
  const r = spawnSync(DROP[0], [...DROP.slice(1), 'bwrap', '--unshare-user', '--cap-drop', 'ALL', '--unshare-pid', '--ro-bind', '/', '/', '--proc', '/proc', '--', 'true'], { encoding: 'utf8', cwd: '/' });
  if (r.status !== 0) return `unprivileged user namespaces are not available to nobody here (${(r.stderr || '').trim().split('\n')[0]}): the sandbox cannot start for that user`;
  // The checkout itself must be reachable for that user (a clone under /root is not).
  const reach = spawnSync(DROP[0], [...DROP.slice(1), process.execPath, BIN, '--version'], { encoding: 'utf8', cwd: '/' });
  if (reach.status !== 0 || spawnSync(DROP[0], [...DROP.slice(1), 'test', '-r', HOSTILE]).status !== 0) return `nobody cannot read this checkout (${BIN}): put it where other users can read it to run this part`;
  return null;
}

function hostileWorld(label: string, owner: 'root' | 'nobody') {
  const world = makeWorld(`hostile-${label}`);
  const key = path.join(world.home, '.ssh', 'id_rsa');
  fs.mkdirSync(path.dirname(key), { mode: 0o700 });
  fs.writeFileSync(key, 'PRIVATE-KEY-MATERIAL\n', { mode: 0o600 });
  fs.writeFileSync(path.join(world.home, '.npmrc'), 'registry=https://npm.example.test/\n//npm.example.test/:_authToken=NPM-TOKEN-SECRET\n', { mode: 0o600 });
  const outside = path.join(world.base, 'outside');
  fs.mkdirSync(outside);
  const sentinel = path.join(outside, 'sentinel.txt');
  fs.writeFileSync(sentinel, 'SENTINEL\n');
  const pidFile = path.join(world.ws, 'agentguard.pid');
  if (owner === 'nobody') execFileSync('chown', ['-R', 'nobody:nogroup', world.base]);
  fs.chmodSync(world.base, 0o755);
  return { ...world, key, sentinel, pidFile, sessions: path.join(world.home, '.local', 'state', 'agentguard', 'sessions') };
}

async function attack(w: ReturnType<typeof hostileWorld>, prefix: string[] = []) {
  const t = new Terminal(['shell', '--workspace', w.ws, '--', PYTHON, HOSTILE, w.pidFile, w.key, w.sentinel, w.sessions, path.join(w.home, '.npmrc')], { cwd: w.ws, home: w.home, prefix });
  await t.waitFor('agentguard');
  fs.writeFileSync(w.pidFile, String(t.pid));
  if (prefix.length) execFileSync('chown', ['nobody:nogroup', w.pidFile]);
  const out = await t.waitFor(/HOSTILE-RESULT [^\r\n]*[\r\n]/, 60_000);
  if (process.env.HOSTILE_DEBUG) console.log(out);
  await t.exit();
  return { result: JSON.parse(/HOSTILE-RESULT ([^\r\n]*)/.exec(out)![1]) as Record<string, string>, out, t };
}

function expectAllRefused(r: Record<string, string>, w: ReturnType<typeof hostileWorld>, uid: string) {
  // Mounts: nothing is unmounted or made writable, by the agent or by a namespace it makes.
  for (const k of ['umount-masked', 'umount-lazy-masked', 'remount-rw']) expect(r[k], k).toMatch(/^exit [1-9]/);
  // (As root the nested namespace is not even created; as a user it is, and its mounts are locked.)
  for (const k of ['nested-userns-umount', 'nested-userns-remount']) expect(r[k], k).toMatch(/^exit [1-9]/);
  expect(r['key-after-umount']).toMatch(/^refused/);
  expect(r['write-outside']).toMatch(/^refused: (EROFS|EACCES|ENOENT)/);
  // agentguard's process is not in the agent's PID namespace.
  for (const k of ['proc-root-log', 'proc-fd', 'proc-fd1-write', 'signal', 'ptrace']) expect(r[k], k).toMatch(/^refused: (ENOENT|ESRCH|EPERM|EACCES)/);
  // The terminal: TIOCSTI and TIOCLINUX are refused by the seccomp filter.
  for (const k of ['tiocsti-stdin', 'tiocsti-dev-tty', 'tioclinux']) expect(r[k], k).toBe('refused: EPERM');
  // The log is hidden; the key masked; the token filtered out of ~/.npmrc, its registry kept.
  expect(r['sessions-dir']).toBe('LISTED: ');
  expect(r.key).toMatch(/^refused: ENOENT/);
  expect(r.npmrc).toContain('registry=https://npm.example.test/');
  expect(JSON.stringify(r)).not.toMatch(/NPM-TOKEN-SECRET|PRIVATE-KEY-MATERIAL/);
  // No capability at all, and the same uid as outside.
  expect(r.capeff).toBe('0000000000000000');
  expect(r.uid).toBe(uid);
  expect(fs.readFileSync(w.sentinel, 'utf8')).toBe('SENTINEL\n');
  expect(fs.readdirSync(w.sessions).some((f) => f.endsWith('.jsonl') && f !== 'index.jsonl')).toBe(true);
}

describe.skipIf(!hasSandbox)('a hostile agent inside the sandbox', () => {
  const worlds: { remove(): void }[] = [];
  afterAll(() => worlds.forEach((w) => w.remove()));

  it(`as ${isRoot ? 'root' : 'this user'}: every attempt on the mounts, agentguard's process, the terminal and the log fails`, async () => {
    const w = hostileWorld('self', 'root');
    worlds.push(w);
    const { result } = await attack(w);
    expectAllRefused(result, w, String(process.getuid?.()));
  });

  const problem = unprivilegedProblem();
  if (problem) {
    // Printed by CI: the unprivileged run did not happen, and why.
    it.skip(`as an unprivileged user (nobody): SKIPPED because ${problem}`, () => {});
    console.warn(`hostile-agent test as an unprivileged user SKIPPED: ${problem}`);
  } else {
    it('as an unprivileged user (nobody): the same attempts fail the same way', { timeout: 90_000 }, async () => {
      const w = hostileWorld('nobody', 'nobody');
      worlds.push(w);
      const { result } = await attack(w, DROP);
      expectAllRefused(result, w, '65534');
    });
  }
});

describe("the session's internals are no way around the check", () => {
  const w = makeWorld('internals');
  afterAll(() => w.remove());
  const FAKE = path.join(__dirname, '..', 'session', 'fake-agent.mjs');

  it.each([
    ['AGENTGUARD_SOCKET=/var/tmp/forged.sock bash -c "echo forged"', 'session-variable-tamper'],
    ['nc -U "$AGENTGUARD_SOCKET"', 'session-socket-connect'],
    ['"$AGENTGUARD_RUN_DIR/real/bash" -c "echo unchecked"', 'session-socket-connect'],
  ])('%s is denied (%s) and logged', async (command, rule) => {
    const t = new Terminal(['shell', '--workspace', w.ws, '--', process.execPath, FAKE, 'name', command], { cwd: w.ws, home: w.home });
    const out = await t.waitFor(/AGENT-DONE \d+/);
    await t.exit();
    expect(out).toContain(`agentguard: denied by ${rule}`);
    expect(out).not.toMatch(/^(forged|unchecked)/m);
    const log = fs.readFileSync(/log (\S+\.jsonl)/.exec(out)![1], 'utf8');
    expect(log).toContain(`"${rule}"`);
  });

  it("without the sandbox, a Codex session says its commands go through agentguard's hook, added for this run", async () => {
    const bin = path.join(w.base, 'bin');
    fs.mkdirSync(bin, { recursive: true });
    fs.chmodSync(FAKE, 0o755);
    if (!fs.existsSync(path.join(bin, 'codex'))) fs.symlinkSync(FAKE, path.join(bin, 'codex'));
    const t = new Terminal(['shell', '--no-sandbox', '--workspace', w.ws, '--', path.join(bin, 'codex'), 'name', 'true'], { cwd: w.ws, home: w.home });
    const out = await t.waitFor(/AGENT-DONE \d+/);
    await t.exit();
    expect(out).toContain("codex's own shell commands are checked by agentguard's hook, added for this run");
    expect(out).toContain('not a boundary against an agent that attacks agentguard itself');
  });
});
