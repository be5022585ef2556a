// Kernel enforcement, tested from inside a real sandboxed session with programs that
// never pass through a shell: the agent's own Node code, Python's open(), a fork loop.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { BIN, FAKE_AGENT, makeWorld, sandboxWorks, Terminal } from '../session/harness.js';

const hasSandbox = sandboxWorks();
const world = makeWorld('sandbox');
afterAll(() => world.remove());
const outside = path.join(world.base, 'outside');
fs.mkdirSync(outside);
fs.mkdirSync(path.join(world.home, '.ssh'), { mode: 0o700 });
fs.writeFileSync(path.join(world.home, '.ssh', 'id_rsa'), 'PRIVATE-KEY-MATERIAL\n');
fs.writeFileSync(path.join(world.home, '.netrc'), 'machine x login me password NETRC-SECRET\n');
const sessionsDir = path.join(world.home, '.local', 'state', 'agentguard', 'sessions');

async function inAgent(code: string, flags: string[] = [], env: Record<string, string> = {}, program = [process.execPath, FAKE_AGENT]) {
  const t = new Terminal(['shell', '--workspace', world.ws, ...flags, '--', ...program, 'js', code], { cwd: world.ws, home: world.home, env });
  const out = await t.waitFor(/AGENT-RESULT [^\r\n]*[\r\n]/);
  await t.exit();
  return { result: JSON.parse(/AGENT-RESULT ([^\r\n]*)/.exec(out)![1]) as { ok: boolean; value?: unknown; error?: string }, out };
}

async function run(way: string, command: string, flags: string[] = [], env: Record<string, string> = {}) {
  const t = new Terminal(['shell', '--workspace', world.ws, ...flags, '--', process.execPath, FAKE_AGENT, way, command], { cwd: world.ws, home: world.home, env });
  const out = await t.waitFor(/AGENT-DONE \d+/);
  await t.exit();
  return out;
}

describe.skipIf(!hasSandbox)('inside the sandbox (bubblewrap)', () => {
  it('a write outside the write roots fails, even from the agent process itself', async () => {
    const { result } = await inAgent(`fs.writeFileSync(${JSON.stringify(path.join(outside, 'x.txt'))}, 'x')`);
    expect(result).toEqual({ ok: false, error: 'EROFS' });
    expect(fs.existsSync(path.join(outside, 'x.txt'))).toBe(false);
  });

  it('a write inside the workspace succeeds', async () => {
    const { result } = await inAgent(`fs.writeFileSync(${JSON.stringify(path.join(world.ws, 'agent-wrote.txt'))}, 'yes'); return 1`);
    expect(result.ok).toBe(true);
    expect(fs.readFileSync(path.join(world.ws, 'agent-wrote.txt'), 'utf8')).toBe('yes');
  });

  it("Python's open() cannot write outside either", async () => {
    const code = `return spawnSync('python3', ['-c', 'open(${JSON.stringify(path.join(outside, 'py.txt'))}, "w").write("x")'], { encoding: 'utf8' }).stderr`;
    const { result } = await inAgent(code);
    expect(String(result.value)).toMatch(/Read-only file system/);
    expect(fs.existsSync(path.join(outside, 'py.txt'))).toBe(false);
  });

  it('credential directories are empty and credential files cannot be read', async () => {
    const read = (p: string) => `(() => { try { return fs.readFileSync(path.join(os.homedir(), ${JSON.stringify(p)}), 'utf8') } catch (e) { return e.code } })()`;
    const { result } = await inAgent(`return [${read('.ssh/id_rsa')}, ${read('.netrc')}, fs.readdirSync(path.join(os.homedir(), '.ssh'))]`);
    expect(result.value).toEqual(['ENOENT', 'EACCES', []]);
  });

  it('--allow-read hands one credential to the task on purpose', async () => {
    const { result } = await inAgent(`return fs.readFileSync(path.join(os.homedir(), '.netrc'), 'utf8')`, ['--allow-read', '~/.netrc']);
    expect(result.value).toContain('NETRC-SECRET');
  });

  it("the agent profile's state directory is writable", async () => {
    const bin = path.join(world.base, 'bin');
    fs.mkdirSync(bin, { recursive: true });
    if (!fs.existsSync(path.join(bin, 'claude'))) fs.symlinkSync(FAKE_AGENT, path.join(bin, 'claude'));
    fs.chmodSync(FAKE_AGENT, 0o755);
    const { result } = await inAgent(`fs.mkdirSync(path.join(os.homedir(), '.claude', 'todos'), { recursive: true }); fs.writeFileSync(path.join(os.homedir(), '.claude', 'todos', 't.json'), '[]'); return 1`, [], {}, [path.join(bin, 'claude')]);
    expect(result.ok).toBe(true);
    expect(fs.existsSync(path.join(world.home, '.claude', 'todos', 't.json'))).toBe(true);
  });

  it("the agent's own sign-in stays readable to it; another agent's is masked", async () => {
    const bin = path.join(world.base, 'bin');
    fs.mkdirSync(bin, { recursive: true });
    if (!fs.existsSync(path.join(bin, 'claude'))) fs.symlinkSync(FAKE_AGENT, path.join(bin, 'claude'));
    fs.chmodSync(FAKE_AGENT, 0o755);
    fs.mkdirSync(path.join(world.home, '.claude'), { recursive: true });
    fs.writeFileSync(path.join(world.home, '.claude', '.credentials.json'), '{"token":"CLAUDE-OWN"}');
    fs.mkdirSync(path.join(world.home, '.codex'), { recursive: true });
    fs.writeFileSync(path.join(world.home, '.codex', 'auth.json'), '{"token":"CODEX-SECRET"}');
    const read = (p: string) => `(() => { try { return fs.readFileSync(path.join(os.homedir(), ${JSON.stringify(p)}), 'utf8') } catch (e) { return e.code } })()`;
    const { result } = await inAgent(`return [${read('.claude/.credentials.json')}, ${read('.codex/auth.json')}]`, [], {}, [path.join(bin, 'claude')]);
    expect(result.value).toEqual(['{"token":"CLAUDE-OWN"}', 'EACCES']);
  });

  it("daemon sockets (an SSH agent, Docker) cannot be reached from inside; --allow-read hands one over", async () => {
    // Real unix-socket servers outside, named the way the environment names them.
    const sockets = path.join(world.base, 'sockets');
    fs.mkdirSync(sockets, { recursive: true });
    const servers = await Promise.all(
      ['agent.sock', 'docker.sock'].map(
        (name) =>
          new Promise<net.Server>((resolve) => {
            const srv = net.createServer((c) => c.end('DAEMON-ANSWERED'));
            srv.listen(path.join(sockets, name), () => resolve(srv));
          }),
      ),
    );
    const env = { SSH_AUTH_SOCK: path.join(sockets, 'agent.sock'), DOCKER_HOST: `unix://${path.join(sockets, 'docker.sock')}` };
    const probe = `const net = await import('node:net');
      const ask = (p) => new Promise((r) => { const s = net.connect(p); let got = ''; s.on('data', (d) => (got += d)); s.on('end', () => r(got)); s.on('error', (e) => r(e.code)); });
      return [await ask(env.SSH_AUTH_SOCK), await ask(env.DOCKER_HOST.slice(7))]`;
    try {
      const { result } = await inAgent(probe, [], env);
      expect(result.value).toEqual(['ECONNREFUSED', 'ECONNREFUSED']);
      const handed = await inAgent(probe, ['--allow-read', env.SSH_AUTH_SOCK], env);
      expect(handed.result.value).toEqual(['DAEMON-ANSWERED', 'ECONNREFUSED']);
    } finally {
      for (const s of servers) s.close();
    }
  });

  it("the session's runtime directory (shim links, rc hook, token files) is read-only inside", async () => {
    const code = `const dir = env.AGENTGUARD_RUN_DIR; const tryIt = (f) => { try { f(); return 'written'; } catch (e) { return e.code; } };
      return [tryIt(() => fs.writeFileSync(path.join(dir, 'tokens', 'a'.repeat(32)), '1 1\\n')), tryIt(() => fs.rmSync(path.join(dir, 'bin', 'bash'))), tryIt(() => fs.appendFileSync(path.join(dir, 'bashrc'), 'trap - DEBUG\\n'))]`;
    const { result } = await inAgent(code);
    expect(result.value).toEqual(['EROFS', 'EROFS', 'EROFS']);
  });

  it('the session log cannot be read or changed from inside', async () => {
    await run('name', 'true');
    expect(fs.readdirSync(sessionsDir).length).toBeGreaterThan(0);
    const { result } = await inAgent(`const d = ${JSON.stringify(sessionsDir)}; let w; try { fs.writeFileSync(path.join(d, 'forged.jsonl'), 'x') } catch (e) { w = e.code } return [fs.readdirSync(d), w]`);
    expect(result.value).toEqual([[], 'EROFS']);
    expect(fs.existsSync(path.join(sessionsDir, 'forged.jsonl'))).toBe(false);
  });

  it('a fork bomb stops at the process limit and the session survives', async () => {
    // Bounded on purpose: 400 forks at most even if no limit applied.
    const bomb = path.join(world.ws, 'bomb.py');
    fs.writeFileSync(bomb, 'import os, time\nfailed = 0\nkids = []\nfor i in range(400):\n    try:\n        pid = os.fork()\n    except OSError:\n        failed += 1\n        continue\n    if pid == 0:\n        time.sleep(3)\n        os._exit(0)\n    kids.append(pid)\nprint("FORKS", len(kids), "FAILED", failed)\nfor k in kids:\n    os.waitpid(k, 0)\n');
    const out = await run('name', 'python3 bomb.py && echo SURVIVED', ['--max-processes', '64']);
    const m = /FORKS (\d+) FAILED (\d+)/.exec(out);
    expect(m).not.toBeNull();
    expect(Number(m![1])).toBeLessThan(64);
    expect(Number(m![2])).toBeGreaterThan(300);
    expect(out).toContain('SURVIVED');
    expect(out).toContain('AGENT-DONE 0');
  });
});

describe('credential isolation in the environment', () => {
  it("printenv in the agent's commands shows no secret-looking variable; the agent keeps its own", async () => {
    const env = { MY_API_TOKEN: 'tok-abcdef123456', AWS_SECRET_ACCESS_KEY: 'aws-secret-0123456789', DB_PASSWORD: 'pw-0123456789', ORDINARY: 'plain-value' };
    const out = await run('name', 'printenv', [], env);
    expect(out).toContain('ORDINARY=plain-value');
    for (const v of ['tok-abcdef123456', 'aws-secret-0123456789', 'pw-0123456789']) expect(out).not.toContain(v);
    const { result } = await inAgent('return env.MY_API_TOKEN', [], env);
    expect(result.value).toBe('tok-abcdef123456');
  });

  it('--pass-env keeps one variable on purpose', async () => {
    // Written to a file, not printed: a secret kept on purpose is still a secret, so printing it
    // (printenv MY_API_TOKEN) asks, and there is nobody here to answer.
    const out = await run('name', `python3 -c 'import os; open("kept.txt", "w").write(os.environ["MY_API_TOKEN"])'`, ['--pass-env', 'MY_API_TOKEN'], { MY_API_TOKEN: 'tok-abcdef123456' });
    expect(out).toContain('AGENT-DONE 0');
    expect(fs.readFileSync(path.join(world.ws, 'kept.txt'), 'utf8')).toBe('tok-abcdef123456');
  });
});

describe('limits', () => {
  it('a runaway write stops at the file size limit', async () => {
    const out = await run('name', 'head -c 3000000 /dev/zero > big.bin; ls -l big.bin', ['--max-file-size', '1M']);
    expect(out).toContain('AGENT-DONE');
    expect(fs.statSync(path.join(world.ws, 'big.bin')).size).toBeLessThanOrEqual(1024 * 1024);
  });

  it('more commands per minute than the limit pause the agent (and refuse without a terminal)', () => {
    const r = spawnSync(process.execPath, [BIN, 'shell', '--workspace', world.ws, '--max-commands-per-minute', '5', '--', process.execPath, FAKE_AGENT, 'parallel', 'echo {i} > /dev/null'], {
      cwd: world.ws,
      env: { PATH: process.env.PATH ?? '', HOME: world.home, NO_COLOR: '1' },
      encoding: 'utf8',
      input: '',
    });
    expect(r.stdout).toContain('AGENT-DONE');
    const log = fs.readdirSync(sessionsDir).map((f) => fs.readFileSync(path.join(sessionsDir, f), 'utf8')).join('');
    expect(log).toContain('circuit-breaker');
  });
});
