// The sandboxed session as a person uses it and leaves it: Ctrl-C reaches the agent (not
// bubblewrap, which would take the whole sandbox down), job control works in an interactive
// shell, and every resource the session made (runtime directory, socket, private /tmp) is
// gone after SIGTERM, SIGHUP or a failure half-way through start-up.
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, makeWorld, sandboxWorks, Terminal } from '../session/harness.js';

const hasSandbox = sandboxWorks();
const world = makeWorld('lifecycle');
afterAll(() => world.remove());
const state = path.join(world.home, '.local', 'state', 'agentguard');
const PYTHON = fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

/** What the session left in its runtime and private /tmp areas. */
function leftovers(): string[] {
  const out: string[] = [];
  for (const d of ['run', 'tmp']) {
    const dir = path.join(state, d);
    if (fs.existsSync(dir)) out.push(...fs.readdirSync(dir).map((f) => `${d}/${f}`));
  }
  return out;
}

const SIGINT_AGENT = `
import signal, sys, time
n = 0
def on_int(s, f):
    global n
    n += 1
    print("GOT-SIGINT", n, flush=True)
signal.signal(signal.SIGINT, on_int)
print("READY", flush=True)
while n < 2:
    time.sleep(0.05)
print("SURVIVED", flush=True)
`;

describe.skipIf(!hasSandbox)('the terminal in the sandbox', () => {
  it('Ctrl-C reaches the agent, which catches it and keeps running', async () => {
    const t = new Terminal(['shell', '--workspace', world.ws, '--', PYTHON, '-c', SIGINT_AGENT], { cwd: world.ws, home: world.home });
    await t.waitFor('READY');
    t.type('\x03');
    await t.waitFor('GOT-SIGINT 1');
    t.type('\x03');
    await t.waitFor('SURVIVED');
    expect(await t.exit()).toBe(0);
  });

  it('job control in an interactive shell: Ctrl-C ends the foreground job, Ctrl-Z stops one and jobs lists it', async () => {
    const t = new Terminal(['shell', '--workspace', world.ws], { cwd: world.ws, home: world.home });
    await t.waitFor(/[$#] $/);
    let mark = t.output.length;
    t.type('sleep 30\r');
    await new Promise((r) => setTimeout(r, 500));
    t.type('\x03');
    t.type('echo after-ctrl-c\r');
    await t.waitFor(/after-ctrl-c[\s\S]*[$#] $/, 20_000, mark);
    mark = t.output.length;
    t.type('sleep 30\r');
    await new Promise((r) => setTimeout(r, 500));
    t.type('\x1a');
    await t.waitFor(/Stopped/, 10_000, mark);
    t.type('jobs -l\r');
    await t.waitFor(/\[1\]\+[\s\S]*sleep 30/, 10_000, mark);
    mark = t.output.length;
    t.type('kill %1; echo killed-job\r');
    await t.waitFor('killed-job', 10_000, mark);
    t.type('exit 3\r');
    expect(await t.exit()).toBe(3);
  });
});

describe.skipIf(!hasSandbox)('every resource is released', () => {
  for (const sig of ['SIGTERM', 'SIGHUP'] as const) {
    it(`${sig} to a running agentguard shell leaves no runtime directory, socket or private /tmp behind`, async () => {
      const t = new Terminal(['shell', '--workspace', world.ws, '--', PYTHON, '-c', 'import time; open("/tmp/inside.txt", "w").write("x"); print("RUNNING", flush=True); time.sleep(60)'], { cwd: world.ws, home: world.home });
      await t.waitFor('RUNNING');
      const during = leftovers();
      expect(during.filter((l) => l.startsWith('run/')).length).toBe(1);
      expect(during.filter((l) => l.startsWith('tmp/')).length).toBe(1);
      const id = during[0].split('/')[1];
      expect(fs.existsSync(path.join(state, 'run', id, 'session.sock'))).toBe(true);
      expect(fs.readFileSync(path.join(state, 'tmp', id, 'inside.txt'), 'utf8')).toBe('x');
      process.kill(t.pid, sig);
      await t.exit();
      expect(leftovers()).toEqual([]);
    });
  }

  it('--keep-tmp keeps the private /tmp and says where', async () => {
    const t = new Terminal(['shell', '--keep-tmp', '--workspace', world.ws, '--', PYTHON, '-c', 'open("/tmp/kept.txt", "w").write("kept")'], { cwd: world.ws, home: world.home });
    const out = await t.waitFor(/kept at (\S+) \(--keep-tmp\)/);
    const dir = /kept at (\S+) \(--keep-tmp\)/.exec(out)![1];
    await t.exit();
    expect(fs.readFileSync(path.join(dir, 'kept.txt'), 'utf8')).toBe('kept');
    expect(leftovers()).toEqual([`tmp/${path.basename(dir)}`]);
    fs.rmSync(dir, { recursive: true });
  });

  it('a failure half-way through start-up (a forward that cannot be made) leaves nothing behind', () => {
    const r = spawnSync(process.execPath, [BIN, 'shell', '--workspace', world.ws, '--allow-host', '127.0.0.1:3128', '--', 'true'], { cwd: world.ws, env: { ...process.env, HOME: world.home }, encoding: 'utf8' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain("port 3128 is the egress proxy's");
    // The runtime directory had been created (the plan was being applied) and is gone again.
    expect(leftovers()).toEqual([]);
    expect(fs.existsSync(path.join(state, 'run'))).toBe(true);
  });

  it('--dry-run prints the plan and the bwrap argv and creates nothing', () => {
    const r = spawnSync(process.execPath, [BIN, 'shell', '--dry-run', '--workspace', world.ws, '--', 'claude'], { cwd: world.ws, env: { ...process.env, HOME: world.home }, encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('nothing was created and the agent was not started');
    expect(r.stdout).toMatch(/private \/tmp: .*bound at \/tmp/);
    expect(r.stdout).toContain('"--unshare-user","--cap-drop","ALL","--unshare-pid"');
    expect(r.stdout).toContain('"--seccomp","3"');
    expect(leftovers()).toEqual([]);
  });
});

describe.skipIf(!hasSandbox)('doctor', () => {
  it("reports the capabilities and namespaces a process in the agent's place really has, and the plan", () => {
    const r = spawnSync(process.execPath, [BIN, 'doctor', '--json'], { cwd: world.ws, env: { ...process.env, HOME: world.home }, encoding: 'utf8' });
    const lines = JSON.parse(r.stdout) as { ok: boolean | null; what: string; detail?: string }[];
    const caps = lines.find((l) => l.what.startsWith('the agent runs with capabilities'));
    expect(caps).toMatchObject({ ok: true });
    expect(caps!.what).toMatch(/capabilities 0+ \(none\), uid \d+, in its own user, pid, mnt/);
    expect(caps!.detail).toContain('TIOCSTI and TIOCLINUX refused');
    expect(lines.some((l) => /private \/tmp: .* bound at \/tmp/.test(l.what))).toBe(true);
    expect(leftovers()).toEqual([]);
  });
});

