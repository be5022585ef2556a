// Machine limits in real sessions: a memory hog stopped at --max-memory, a busy loop held to
// --max-cpu, --max-session-time ending the session. Through the cgroup where this machine lets
// the session make one (root here: cgroup v1 or v2), and through the per-command rlimits as an
// unprivileged user (setpriv), whichever apply; each part says why it is skipped. Every hog and
// loop is bounded, so a limit that failed to hold shows as a failed test, not a stuck machine.
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { makeCgroup } from '../../src/sandbox/cgroup.js';
import { BIN, FAKE_AGENT, makeWorld, sandboxWorks, sessionLog, Terminal } from './harness.js';

const PYTHON = fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const isRoot = process.getuid?.() === 0;
// At most 1.5 GB even if no limit held; touched (bytearray zero-fills) so it is really resident.
const HOG = 'b = []\nfor i in range(150):\n    b.append(bytearray(10 * 1024 * 1024))\nprint("HOG-SURVIVED")\n';
// Spins on the CPU for at most 60 s of wall time.
const SPIN = 'import time\nt = time.time()\nwhile time.time() - t < 60:\n    pass\nprint("SPIN-SURVIVED")\n';
// Spins for 2 s of wall time and prints the share of a core it got.
const SPIN_JS = 'const t0 = Date.now(), c0 = process.cpuUsage();\nwhile (Date.now() - t0 < 2000) {}\nconst c = process.cpuUsage(c0);\nconsole.log("RATIO", ((c.user + c.system) / 1000 / (Date.now() - t0)).toFixed(2));\n';

/** Whether this user can make a memory and cpu cgroup here (the probe is removed at once). */
function cgroupProblem(): string | null {
  const r = makeCgroup({ memory: 1024 ** 3, cpu: 1 }, `probe-${process.pid}`);
  if (!r.ok) return `no cgroup can be made here: ${r.reason}`;
  r.cgroup.remove();
  return null;
}

const DROP = ['setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups', '--inh-caps=-all', '--'];
function unprivilegedProblem(): string | null {
  if (!isRoot) return 'the test does not run as root, so it cannot switch to another user';
  if (spawnSync('setpriv', ['--version']).status !== 0) return 'setpriv is not installed (util-linux)';
  const reach = spawnSync(DROP[0], [...DROP.slice(1), process.execPath, BIN, '--version'], { encoding: 'utf8', cwd: '/' });
  if (reach.status !== 0) return `nobody cannot run this checkout (${BIN})`;
  return null;
}

const worlds: { remove(): void }[] = [];
afterAll(() => {
  for (const w of worlds) w.remove();
});

function world(label: string, owner: 'root' | 'nobody' = 'root') {
  const w = makeWorld(`ml-${label}`);
  worlds.push(w);
  fs.writeFileSync(path.join(w.ws, 'hog.py'), HOG);
  fs.writeFileSync(path.join(w.ws, 'spin.py'), SPIN);
  fs.writeFileSync(path.join(w.ws, 'spin.js'), SPIN_JS);
  if (owner === 'nobody') execFileSync('chown', ['-R', 'nobody:nogroup', w.base]);
  fs.chmodSync(w.base, 0o755);
  return w;
}

async function session(w: ReturnType<typeof world>, flags: string[], agent: string[], prefix: string[] = []) {
  const t = new Terminal(['shell', '--workspace', w.ws, ...flags, '--', ...agent], { cwd: w.ws, home: w.home, prefix });
  const code = await t.exit();
  // node-pty can report the exit before the last output.
  await t.waitFor(/ended \(exit \d+\)[^\n]*\n(?:[^\n]*\n)*/, 2000).catch(() => undefined);
  await new Promise((r) => setTimeout(r, 200));
  return { code, out: t.output.replace(/\r/g, ''), log: sessionLog(t.output) };
}

const limitRecords = (log: { type: string }[]) => log.filter((r) => r.type === 'limit') as unknown as { limit: string; via: string; value: number; status?: number; oomKills?: number; throttledMs?: number; maxRssKiB?: number; message: string }[];
const fakeAgent = (way: string, command: string) => [process.execPath, FAKE_AGENT, way, command];

const cgroupSkip = cgroupProblem();
describe.skipIf(!!cgroupSkip || !sandboxWorks())(`the agent tree's cgroup${cgroupSkip ? ` (skipped: ${cgroupSkip})` : ''}`, () => {
  it('a memory hog is killed at --max-memory; the session says so at start and at the end, logs it, and removes its cgroup', async () => {
    const w = world('hog');
    const { out, log } = await session(w, ['--max-memory', '200M'], fakeAgent('name', 'python3 hog.py; echo AFTER $?'));
    expect(out).toMatch(/memory: cgroup v[12] limit 200 MiB for the agent tree/);
    expect(out).not.toContain('HOG-SURVIVED');
    expect(out).toContain('AFTER 137');
    expect(out).toContain('limit reached: a process was killed by the memory limit (200 MiB for the agent tree)');
    const hits = limitRecords(log);
    expect(hits).toHaveLength(1);
    expect(hits[0]).toMatchObject({ limit: 'memory', via: 'cgroup', value: 200 * 1024 ** 2 });
    expect(hits[0].oomKills).toBeGreaterThanOrEqual(1);
    const start = log.find((r) => r.type === 'session-start') as unknown as { limits: { via: string; cgroup: string[] } };
    expect(start.limits.via).toMatch(/^cgroup v[12]$/);
    for (const dir of start.limits.cgroup) expect(fs.existsSync(dir), dir).toBe(false);
    expect((log.find((r) => r.type === 'session-end') as unknown as { limits: string[] }).limits).toEqual(['memory']);
    // And in the log as a person reads it.
    const id = /session (\w+) ended/.exec(out)![1];
    const review = spawnSync(process.execPath, [BIN, 'log', id], { encoding: 'utf8', env: { ...process.env, HOME: w.home, NO_COLOR: '1' } }).stdout;
    expect(review).toMatch(/#\d+ +limit reached a process was killed by the memory limit \(200 MiB for the agent tree\)/);
  });

  it('the agent itself killed by the memory limit: the end says it was the agent', async () => {
    const w = world('ahog');
    const { code, out } = await session(w, ['--max-memory', '200M'], [PYTHON, path.join(w.ws, 'hog.py')]);
    expect(out).not.toContain('HOG-SURVIVED');
    expect(code).toBe(137);
    expect(out).toContain('limit reached: the agent was killed by the memory limit (200 MiB)');
  });

  it('a busy loop is held to --max-cpu: it gets about that share of a core, and the throttling is a record', async () => {
    const w = world('spin');
    const { out, log } = await session(w, ['--max-cpu', '0.2'], fakeAgent('name', 'node spin.js'));
    expect(out).toMatch(/cpu: cgroup v[12] limit 0\.2 cores for the agent tree/);
    const ratio = Number(/RATIO ([\d.]+)/.exec(out)![1]);
    // Held to 0.2 of a core by the kernel; unheld, a spinning loop gets a whole one on an idle core.
    expect(ratio).toBeLessThan(0.5);
    const cpu = limitRecords(log).find((r) => r.limit === 'cpu');
    expect(cpu).toMatchObject({ via: 'cgroup', value: 0.2 });
    expect(cpu!.throttledMs).toBeGreaterThan(0);
    expect(out).toContain('limit reached: the agent tree was held to 0.2 cores');
  });
});

const userSkip = unprivilegedProblem();
describe.skipIf(!!userSkip || !sandboxWorks())(`per-command rlimits, as an unprivileged user${userSkip ? ` (skipped: ${userSkip})` : ''}`, () => {
  // Whether nobody can make a cgroup here decides which path this part tests: on a machine that
  // delegates one to every user, the per-command path is not in force and is not tested here.
  it('a memory hog fails at --max-memory (RLIMIT_DATA) and a forever loop is stopped by SIGXCPU, each a record and a line', async () => {
    const w = world('rl', 'nobody');
    const steps = JSON.stringify([{ run: 'python3 hog.py' }, { run: 'python3 spin.py' }]);
    const { out, log } = await session(w, ['--max-memory', '200M', '--max-command-cpu', '1s'], fakeAgent('steps', steps), DROP);
    if (/memory: cgroup/.test(out)) return void console.log('nobody can make a cgroup here: the rlimit path is not in force');
    expect(out).toMatch(/memory: per-command rlimit 200 MiB \(RLIMIT_DATA .*no cgroup could be made: /);
    expect(out).toContain('each command may use 1s of CPU (RLIMIT_CPU)');
    expect(out).toContain('MemoryError');
    expect(out).not.toContain('HOG-SURVIVED');
    expect(out).not.toContain('SPIN-SURVIVED');
    const hits = limitRecords(log);
    expect(hits.map((h) => h.limit)).toEqual(['memory', 'command-cpu']);
    expect(hits[0]).toMatchObject({ via: 'rlimit', value: 200 * 1024 ** 2 });
    expect(hits[0].maxRssKiB! * 1024).toBeGreaterThan(0.8 * 200 * 1024 ** 2);
    // 128 + SIGXCPU (24): the kernel's CPU limit, not anything else, ended the loop.
    expect(hits[1]).toMatchObject({ via: 'rlimit', value: 1, status: 152 });
    expect(out).toContain('limit reached: a command reached the per-command memory limit (200 MiB');
    expect(out).toContain('limit reached: a command was stopped by the per-command CPU limit (1s, RLIMIT_CPU; exit 152)');
  });
});

describe.skipIf(!sandboxWorks())('--max-session-time', () => {
  it('ends a session whose agent would run forever: the message, a limit record, the end summary, exit status 124', async () => {
    const w = world('time');
    const { code, out, log } = await session(w, ['--max-session-time', '3s'], [process.execPath, '-e', 'console.log("AGENT-UP"); setInterval(() => {}, 1e9)']);
    expect(code).toBe(124);
    expect(out).toContain('AGENT-UP');
    expect(out).toContain('agentguard: the session reached its time limit (--max-session-time 3s): the agent was stopped');
    expect(out).toMatch(/session \w+ ended \(exit 124\)/);
    expect(limitRecords(log)).toEqual([expect.objectContaining({ limit: 'session-time', via: 'timer', value: 3000 })]);
    expect(log.find((r) => r.type === 'session-end')).toMatchObject({ exit: 124, limits: ['session-time'] });
  });
});

describe('doctor and --dry-run', () => {
  it('doctor says how memory and CPU would be held here, as a session would find it', () => {
    const w = world('doc');
    const r = spawnSync(process.execPath, [BIN, 'doctor', '--json'], { cwd: w.ws, encoding: 'utf8', env: { ...process.env, HOME: w.home, NO_COLOR: '1' } });
    const line = (JSON.parse(r.stdout) as { ok: boolean | null; what: string }[]).find((l) => l.what.startsWith('memory and CPU limits:'));
    expect(line).toBeDefined();
    if (cgroupSkip) expect(line!.what).toMatch(/^memory and CPU limits: per command only .*: cgroup v2: /);
    else {
      expect(line!.ok).toBe(true);
      expect(line!.what).toMatch(/^memory and CPU limits: a cgroup v[12] for the agent's whole tree/);
    }
  });
  it('--dry-run names the limits asked for and creates nothing', () => {
    const w = world('dry');
    const r = spawnSync(process.execPath, [BIN, 'shell', '--dry-run', '--workspace', w.ws, '--max-memory', '1G', '--max-cpu', '1.5', '--max-session-time', '2h', '--', 'true'], { cwd: w.ws, encoding: 'utf8', env: { ...process.env, HOME: w.home, NO_COLOR: '1' } });
    expect(r.stdout).toContain('limits: memory 1 GiB, cpu 1.5 cores, 4096 processes, files up to 8 GiB, session ends after 2h');
  });
});
