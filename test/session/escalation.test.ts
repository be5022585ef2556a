// A yes means yes, end to end: `agentguard shell` in a real pty with the real bubblewrap
// sandbox, a fake agent, and this test answering the prompt. What the sandbox would refuse
// (a delete outside the write roots, a masked credential) happens after y, with the agent
// seeing the real output and exit status; after n nothing happens. Only sentinel files in a
// fresh directory under /var/tmp are targets.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAKE_AGENT, makeWorld, sandboxWorks, Terminal } from './harness.js';

const hasSandbox = sandboxWorks();

function world(prefix: string, owner?: number) {
  const w = makeWorld(prefix);
  const checkout = path.join(w.home, 'old-checkout');
  fs.mkdirSync(checkout);
  fs.writeFileSync(path.join(checkout, 'sentinel.txt'), 'keep me unless approved\n');
  fs.mkdirSync(path.join(w.home, '.aws'));
  fs.writeFileSync(path.join(w.home, '.aws', 'credentials'), '[default]\naws_access_key_id = SENTINEL-NOT-A-KEY\n');
  if (owner !== undefined) execFileSync('chown', ['-R', `${owner}:${owner}`, w.base]);
  return { ...w, checkout, outsideFile: path.join(w.base, 'outside.txt') };
}

function agent(w: ReturnType<typeof world>, way: string, command: string, asUser?: number) {
  const prefix = asUser === undefined ? undefined : ['setpriv', `--reuid=${asUser}`, `--regid=${asUser}`, '--clear-groups', '--inh-caps=-all', '--'];
  return new Terminal(['shell', '--workspace', w.ws, '--', process.execPath, FAKE_AGENT, way, command], { cwd: w.ws, home: w.home, prefix });
}

/** Pids of broker processes whose runtime directory lies under `dir`. */
function brokersOf(dir: string): number[] {
  const out: number[] = [];
  for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      if (argv[0].endsWith('agentguard-broker') && argv[1]?.startsWith(dir)) out.push(Number(pid));
    } catch {
      // gone
    }
  }
  return out;
}

/** The session log's records, from the file named on the session's first line. */
function logRecords(out: string): Record<string, unknown>[] {
  const file = /\| log (\S+\.jsonl)/.exec(out)?.[1];
  if (!file) throw new Error(`no log file in:\n${out}`);
  return fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe.skipIf(!hasSandbox)('approving what the sandbox would refuse', () => {
  let w!: ReturnType<typeof world>;
  // Made when a test of this block runs (not when it is filtered out), and always removed.
  beforeAll(() => void (w = world('escalate')));
  afterAll(() => w?.remove());

  it('y to a delete outside the write roots deletes it; the prompt said it runs outside the sandbox', async () => {
    const t = agent(w, 'name', `rm -rf ${w.checkout} && echo removed-$((1+1))`);
    const screen = await t.answer('y');
    expect(screen).toContain(`runs outside the sandbox: writes ${w.checkout}`);
    const out = await t.waitFor(/AGENT-DONE \d+/);
    expect(out).toContain('removed-2');
    expect(out).toContain('AGENT-DONE 0');
    expect(fs.existsSync(w.checkout)).toBe(false);
    await t.exit();
    fs.mkdirSync(w.checkout);
    fs.writeFileSync(path.join(w.checkout, 'sentinel.txt'), 'keep me unless approved\n');
  });

  it('n keeps it, and the agent gets 126', async () => {
    const t = agent(w, 'name', `rm -rf ${w.checkout} && echo removed-$((1+1))`);
    expect(await t.answer('n')).toContain('runs outside the sandbox');
    const out = await t.waitFor(/AGENT-DONE \d+/);
    expect(out).toContain('AGENT-DONE 126');
    expect(out).not.toContain('removed-2');
    expect(fs.readFileSync(path.join(w.checkout, 'sentinel.txt'), 'utf8')).toBe('keep me unless approved\n');
    await t.exit();
  });

  it("the agent sees the command's own output, error output and exit status, and the log says escalated", async () => {
    fs.rmSync(w.outsideFile, { force: true });
    const t = agent(w, 'name', `echo written > ${w.outsideFile}; echo to-stdout; echo to-stderr >&2; exit 3`);
    await t.waitFor('needs your approval');
    expect(brokersOf(w.base)).toHaveLength(1);
    expect(await t.answer('y')).toContain(`runs outside the sandbox: writes ${w.outsideFile}`);
    const out = await t.waitFor(/AGENT-DONE \d+/);
    expect(out).toContain('to-stdout');
    expect(out).toContain('to-stderr');
    expect(out).toContain('AGENT-DONE 3');
    expect(fs.readFileSync(w.outsideFile, 'utf8')).toBe('written\n');
    await t.exit();
    // The broker ends with the session.
    await new Promise((r) => setTimeout(r, 300));
    expect(brokersOf(w.base)).toEqual([]);
    const records = logRecords(t.output);
    const decision = records.find((r) => r.type === 'decision' && r.kind === 'escalated');
    expect(decision).toMatchObject({ verdict: 'allow', answer: 'once', outside: [`writes ${w.outsideFile}`] });
    expect(records.find((r) => r.type === 'command-end')).toMatchObject({ decision: decision!.seq, status: 3, escalated: true });
  });

  it('y to reading a masked credential shows the agent its content', async () => {
    const file = path.join(w.home, '.aws', 'credentials');
    const t = agent(w, 'name', `cat ${file}`);
    expect(await t.answer('y')).toContain(`runs outside the sandbox: reads ${file} (masked in the sandbox)`);
    const out = await t.waitFor(/AGENT-DONE \d+/);
    expect(out).toContain('aws_access_key_id = SENTINEL-NOT-A-KEY');
    expect(out).toContain('AGENT-DONE 0');
    await t.exit();
  });

  it('without a yes the masked credential stays unreadable inside', async () => {
    const file = path.join(w.home, '.aws', 'credentials');
    const t = agent(w, 'name', `cat ${file}`);
    await t.answer('n');
    const out = await t.waitFor(/AGENT-DONE \d+/);
    expect(out).not.toContain('SENTINEL-NOT-A-KEY');
    expect(out).toContain('AGENT-DONE 126');
    await t.exit();
  });

  it('a escalates every later identical call without asking again', async () => {
    fs.rmSync(w.outsideFile, { force: true });
    const cmd = `echo run >> ${w.outsideFile}`;
    const t = agent(w, 'steps', JSON.stringify([{ run: cmd, cwd: w.ws }, { run: cmd, cwd: w.ws }, { run: cmd, cwd: w.ws }]));
    await t.answer('a');
    const out = await t.waitFor(/AGENT-DONE \d+/);
    expect(out.split('needs your approval').length - 1).toBe(1);
    expect(out).toMatch(/STEP 0 0[\s\S]*STEP 1 0[\s\S]*STEP 2 0/);
    expect(fs.readFileSync(w.outsideFile, 'utf8')).toBe('run\nrun\nrun\n');
    await t.exit();
    expect(logRecords(t.output).filter((r) => r.kind === 'escalated')).toHaveLength(3);
  });

  it("through an agent's own hook: one question, and the agent's shell runs it outside", async () => {
    const t = agent(w, 'claude-hook', `rm -rf ${w.checkout} && echo removed-$((1+1))`);
    expect(await t.answer('y')).toContain(`runs outside the sandbox: writes ${w.checkout}`);
    const out = await t.waitFor(/AGENT-DONE \d+/);
    expect(out).toContain('HOOK-DECISION allow');
    expect(out).toContain('removed-2');
    expect(out).toContain('AGENT-DONE 0');
    expect(out.split('needs your approval').length - 1).toBe(1);
    expect(fs.existsSync(w.checkout)).toBe(false);
    await t.exit();
    fs.mkdirSync(w.checkout);
    fs.writeFileSync(path.join(w.checkout, 'sentinel.txt'), 'keep me unless approved\n');
  });

  it('the same command approved with a, run in another cwd, is asked about again', async () => {
    fs.rmSync(w.outsideFile, { force: true });
    const other = path.join(w.ws, 'sub');
    fs.mkdirSync(other, { recursive: true });
    const cmd = `echo run >> ${w.outsideFile}`;
    const t = agent(w, 'steps', JSON.stringify([{ run: cmd, cwd: w.ws }, { run: cmd, cwd: w.ws }, { run: cmd, cwd: other }]));
    await t.answer('a');
    await t.waitFor('STEP 1 ');
    const second = await t.answer('n', t.output.indexOf('STEP 1 '));
    expect(second).toContain(`in ${other}`);
    expect(second).toContain('runs outside the sandbox');
    const out = await t.waitFor(/AGENT-DONE \d+/);
    expect(out).toMatch(/STEP 0 0[\s\S]*STEP 1 0[\s\S]*STEP 2 126/);
    expect(fs.readFileSync(w.outsideFile, 'utf8')).toBe('run\nrun\n');
    await t.exit();
  });
});

// A connection the sandbox's own network cannot make: ssh to this machine's non-loopback
// address (the sandbox has only its own loopback), to a TCP server here that records the
// client's first bytes (ssh's version banner) and hangs up.
const hostAddress = Object.values(os.networkInterfaces())
  .flat()
  .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;
const hasSsh = (() => {
  try {
    execFileSync('ssh', ['-V'], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
})();

describe.skipIf(!hasSandbox || !hostAddress || !hasSsh)('approving a connection the sandbox cannot make', () => {
  let w!: ReturnType<typeof world>;
  beforeAll(() => void (w = world('escalate-net')));
  let received = '';
  const server = net.createServer((c) => {
    c.on('data', (d) => {
      received += d.toString('latin1');
      c.destroy();
    });
  });
  afterAll(() => {
    server.close();
    w?.remove();
  });

  const ssh = (port: number) => `ssh -p ${port} -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o ConnectTimeout=5 ${hostAddress} true`;

  it('n: nothing connects; y: ssh runs outside and reaches the host', async () => {
    await new Promise<void>((r) => server.listen(0, hostAddress, r));
    const port = (server.address() as net.AddressInfo).port;
    let t = agent(w, 'name', ssh(port));
    expect(await t.answer('n')).toContain(`runs outside the sandbox: connects to ${hostAddress} with ssh`);
    expect(await t.waitFor(/AGENT-DONE \d+/)).toContain('AGENT-DONE 126');
    await t.exit();
    expect(received).toBe('');
    t = agent(w, 'name', ssh(port));
    await t.answer('y');
    // ssh gives up when the server hangs up after its banner: its own status, 255, reaches the agent.
    expect(await t.waitFor(/AGENT-DONE \d+/)).toContain('AGENT-DONE 255');
    await t.exit();
    expect(received).toMatch(/^SSH-2\.0-/);
  });
});

// CI runs as root; a person usually does not. The same yes, from an unprivileged user.
const NOBODY = 65534;
const canDropPrivileges = hasSandbox && process.getuid?.() === 0 && (() => {
  try {
    execFileSync('setpriv', [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', 'bwrap', '--ro-bind', '/', '/', '--unshare-net', '--', 'true'], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
})();

describe.skipIf(!canDropPrivileges)('approving as an unprivileged user', () => {
  let w!: ReturnType<typeof world>;
  beforeAll(() => void (w = world('escalate-user', NOBODY)));
  afterAll(() => w?.remove());

  it('y deletes outside the write roots, n keeps', async () => {
    let t = agent(w, 'name', `rm -rf ${w.checkout} && echo removed-$((1+1))`, NOBODY);
    await t.answer('n');
    expect(await t.waitFor(/AGENT-DONE \d+/)).toContain('AGENT-DONE 126');
    await t.exit();
    expect(fs.existsSync(path.join(w.checkout, 'sentinel.txt'))).toBe(true);
    t = agent(w, 'name', `rm -rf ${w.checkout} && echo removed-$((1+1))`, NOBODY);
    expect(await t.answer('y')).toContain(`runs outside the sandbox: writes ${w.checkout}`);
    const out = await t.waitFor(/AGENT-DONE \d+/);
    expect(out).toContain('removed-2');
    expect(out).toContain('AGENT-DONE 0');
    expect(fs.existsSync(w.checkout)).toBe(false);
    await t.exit();
  });
});
