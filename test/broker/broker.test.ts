// The broker (src/broker/broker.c) with the real shim: a stand-in session answers
// "ESCALATE <ticket>", the shim hands its stdio to the broker, and what runs is the ticket's
// command, never the shim's. Wrong, reused and malformed tickets are refused.
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type Broker } from '../../src/session/escalate.js';
import { shimBinaryPath } from '../../src/session/runtime.js';

const base = fs.mkdtempSync(path.join(fs.existsSync('/var/tmp') ? '/var/tmp' : '/tmp', 'agentguard-broker-'));
const runDir = path.join(base, 'run');
const bin = path.join(base, 'bin');
const sentinel = path.join(base, 'sentinel');
fs.mkdirSync(runDir, { mode: 0o700 });
fs.mkdirSync(bin);
fs.symlinkSync(shimBinaryPath(), path.join(bin, 'bash'));

const BASH = fs.realpathSync('/bin/bash');
const COMMAND_PATH = '/usr/bin:/bin';
// stdin from /dev/null: bash reads ~/.bashrc when its stdin is a socket (Node's pipes are).
const STDIO: ['ignore', 'pipe', 'pipe'] = ['ignore', 'pipe', 'pipe'];
let broker: Broker;
let server: net.Server;
/** What the stand-in session answers next. */
let nextReply = '';
const ends: { ticket: string; status: number }[] = [];

beforeAll(async () => {
  broker = await startBroker({ runtimeDir: runDir, env: { PATH: COMMAND_PATH, HOME: base }, realShells: new Map([['bash', BASH]]), onEnd: (ticket, status) => ends.push({ ticket, status }) });
  server = net.createServer((c) => c.once('data', () => c.end(nextReply)));
  await new Promise<void>((r) => server.listen(path.join(runDir, 'session.sock'), r));
});

afterAll(() => {
  broker.close();
  server.close();
  fs.rmSync(base, { recursive: true, force: true });
});

/** Runs `bash -c <shimScript>` through the shim, the session answering ESCALATE <ticket>. */
function shim(ticket: string, shimScript = 'echo the shim script ran', env: Record<string, string> = {}) {
  nextReply = `ESCALATE ${ticket}\n`;
  return new Promise<{ status: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) => {
    const p = spawn(path.join(bin, 'bash'), ['-c', shimScript], { cwd: base, env: { PATH: `${bin}:/usr/bin:/bin`, AGENTGUARD_RUN_DIR: runDir, ...env }, stdio: STDIO });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('exit', (status, signal) => setTimeout(() => resolve({ status, signal, stdout, stderr }), 50));
  });
}

describe('a valid ticket', () => {
  it("runs the ticket's command with the shim's stdout and stderr, and returns its status", async () => {
    const ticket = await broker.register(BASH, base, ['bash', '-c', 'echo to-stdout; echo to-stderr >&2; pwd; exit 3']);
    const r = await shim(ticket);
    expect(r.status).toBe(3);
    expect(r.stdout).toBe(`to-stdout\n${base}\n`);
    expect(r.stderr).toBe('to-stderr\n');
    expect(r.stdout).not.toContain('the shim script ran');
    expect(ends).toContainEqual({ ticket, status: 3 });
  });

  it('is good once: the same ticket again is refused and nothing runs', async () => {
    fs.rmSync(sentinel, { force: true });
    const ticket = await broker.register(BASH, base, ['bash', '-c', `echo ran >> ${sentinel}`]);
    expect((await shim(ticket)).status).toBe(0);
    const again = await shim(ticket);
    expect(again.status).toBe(126);
    expect(again.stderr).toContain('the agentguard broker refused the command: unknown or already used ticket');
    expect(fs.readFileSync(sentinel, 'utf8')).toBe('ran\n');
  });

  it("keeps the requester's variables but not its PATH, HOME, start-up, loader or pager ones, nor the sandbox's proxy", async () => {
    const ticket = await broker.register(BASH, base, ['bash', '-c', 'echo "[$FOO][$PATH][$HOME][$BASH_ENV][$LD_PRELOAD][$PAGER][$HTTP_PROXY][$AGENTGUARD_RUN_DIR][$AGENTGUARD_REAL_DIR]"']);
    const startup = path.join(base, 'startup.sh');
    fs.writeFileSync(startup, 'echo startup file sourced\n');
    const r = await shim(ticket, 'true', { FOO: 'kept', HOME: path.join(base, 'elsewhere'), BASH_ENV: startup, LD_PRELOAD: path.join(base, 'evil.so'), PAGER: startup, HTTP_PROXY: 'http://127.0.0.1:3128' });
    expect(r.stdout).toBe(`[kept][${COMMAND_PATH}][${base}][][][][][${runDir}][${runDir}/host]\n`);
  });
});

describe('refused', () => {
  it.each([
    ['a ticket that was never registered', crypto.randomBytes(16).toString('hex'), 'unknown or already used ticket'],
    ['a malformed ticket', 'not-a-ticket', 'malformed request'],
  ])('%s', async (_name, ticket, why) => {
    fs.rmSync(sentinel, { force: true });
    // A real ticket exists for another command: guessing is what is refused.
    await broker.register(BASH, base, ['bash', '-c', `touch ${sentinel}`]);
    const r = await shim(ticket);
    expect(r.status).toBe(126);
    expect(r.stderr).toContain(`the agentguard broker refused the command: ${why}`);
    expect(r.stdout).toBe('');
    expect(fs.existsSync(sentinel)).toBe(false);
  });

  it('with no broker to reach, the shim refuses (126) and runs nothing', () => {
    const lonely = path.join(base, 'lonely');
    fs.mkdirSync(lonely);
    const srv = spawnSync(process.execPath, [
      '-e',
      `const net=require('net');const s=net.createServer(c=>c.once('data',()=>c.end('ESCALATE ${'0'.repeat(32)}\\n')));s.listen(process.argv[1],()=>{require('child_process').execFile(process.argv[2],['-c','echo ran'],{env:{AGENTGUARD_RUN_DIR:process.argv[3]}},(e,o,er)=>{console.log(JSON.stringify({code:e?e.code:0,o,er}));s.close()})})`,
      path.join(lonely, 'session.sock'),
      path.join(bin, 'bash'),
      lonely,
    ], { encoding: 'utf8' });
    const r = JSON.parse(srv.stdout) as { code: number | string; o: string; er: string };
    expect(r.code).toBe(126);
    expect(r.o).toBe('');
    expect(r.er).toContain('cannot reach the agentguard broker');
  });
});

describe('a broker that is gone', () => {
  it('refuses new tickets at once, so the approved command is refused rather than left waiting', async () => {
    const dir = path.join(base, 'gone');
    fs.mkdirSync(dir, { mode: 0o700 });
    const b = await startBroker({ runtimeDir: dir, env: {}, realShells: new Map(), onEnd: () => {} });
    const exited = new Promise((r) => {
      const poll = setInterval(() => {
        try {
          process.kill(b.pid!, 0);
        } catch {
          clearInterval(poll);
          r(null);
        }
      }, 20);
    });
    process.kill(b.pid!, 'SIGKILL');
    await exited;
    await new Promise((r) => setTimeout(r, 50));
    await expect(b.register(BASH, base, ['bash', '-c', 'true'])).rejects.toThrow(/the escalation broker exited/);
  });
});

describe('signals and the end of the requester', () => {
  it('Ctrl-C at the shim reaches the command outside, and the shim ends by the same signal', async () => {
    const ticket = await broker.register(BASH, base, ['bash', '-c', 'echo started; exec sleep 30']);
    nextReply = `ESCALATE ${ticket}\n`;
    const p = spawn(path.join(bin, 'bash'), ['-c', 'true'], { cwd: base, env: { PATH: `${bin}:/usr/bin:/bin`, AGENTGUARD_RUN_DIR: runDir }, stdio: STDIO });
    await new Promise<void>((r) => p.stdout.on('data', (d) => String(d).includes('started') && r()));
    p.kill('SIGINT');
    const signal = await new Promise((r) => p.on('exit', (_c, s) => r(s)));
    expect(signal).toBe('SIGINT');
    await new Promise((r) => setTimeout(r, 200));
    expect(ends.find((e) => e.ticket === ticket)?.status).toBe(128 + 2);
  });

  it('a requester killed outright takes its command with it', async () => {
    fs.rmSync(sentinel, { force: true });
    const ticket = await broker.register(BASH, base, ['bash', '-c', `echo started; sleep 1; touch ${sentinel}`]);
    nextReply = `ESCALATE ${ticket}\n`;
    const p = spawn(path.join(bin, 'bash'), ['-c', 'true'], { cwd: base, env: { PATH: `${bin}:/usr/bin:/bin`, AGENTGUARD_RUN_DIR: runDir }, stdio: STDIO });
    await new Promise<void>((r) => p.stdout.on('data', (d) => String(d).includes('started') && r()));
    p.kill('SIGKILL');
    await new Promise((r) => setTimeout(r, 1800));
    expect(fs.existsSync(sentinel)).toBe(false);
    expect(ends.find((e) => e.ticket === ticket)?.status).toBe(128 + 9);
  });
});
