// Egress inside a real session: bubblewrap's network namespace, the bridge in front of the
// agent, the proxy in the session, the person at a real pty, and servers on loopback
// outside the sandbox. The agent's own process makes the requests (as an agent's built-in
// fetch tool would), so that only the network layer stands in the way; where a shell
// command is involved, the policy and the proxy share their answers.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentResult, FAKE_AGENT, makeWorld, networkRecords, sandboxWorks, Terminal } from '../session/harness.js';

const world = makeWorld('egress');
const hasSandbox = sandboxWorks();
let server: http.Server;
let port: number;
const hits: string[] = [];

beforeAll(async () => {
  // A bare repository served as static files ("dumb" HTTP), for git inside the sandbox.
  const work = path.join(world.base, 'upstream-src');
  const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, env: { PATH: process.env.PATH, HOME: world.home, GIT_CONFIG_NOSYSTEM: '1' }, stdio: 'pipe' });
  fs.mkdirSync(work);
  git(work, 'init', '-q', '-b', 'main');
  fs.writeFileSync(path.join(work, 'README'), 'fetched through the egress proxy\n');
  git(work, 'add', 'README');
  git(work, '-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-qm', 'one');
  git(world.base, 'clone', '-q', '--bare', work, path.join(world.base, 'served', 'repo.git'));
  git(path.join(world.base, 'served', 'repo.git'), 'update-server-info');
  server = http.createServer((req, res) => {
    hits.push(req.url ?? '');
    if (req.url?.startsWith('/git/')) {
      const file = path.join(world.base, 'served', req.url.slice(5).split('?')[0]);
      return fs.readFile(file, (err, data) => (err ? ((res.statusCode = 404), res.end()) : res.end(data)));
    }
    res.end(`hello from outside ${req.url}\n`);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as net.AddressInfo).port;
});
afterAll(() => {
  server.close();
  world.remove();
});

const NET_PROMPT = 'wants to connect to a host that is not on the egress allowlist';

function agent(way: string, code: string, flags: string[] = []) {
  return new Terminal(['shell', '--workspace', world.ws, ...flags, '--', process.execPath, FAKE_AGENT, way, code], { cwd: world.ws, home: world.home });
}

/** curl run by the agent's own process (no shell): it honours the proxy variables. */
const curlIn = (url: string, ...args: string[]) => `return spawnSync('curl', ['-sS', '-m', '10', '--noproxy', '', ...${JSON.stringify(args)}, ${JSON.stringify(url)}], { encoding: 'utf8' }).stdout`;

async function result(t: Terminal) {
  const out = await t.waitFor(/AGENT-RESULT [^\r\n]*[\r\n]/);
  return agentResult(out);
}


describe.skipIf(!hasSandbox)('egress in a sandboxed session', () => {
  it('says at the start that the network goes only through the proxy, and sets the proxy variables', async () => {
    const t = agent('js', 'return [env.HTTP_PROXY, env.https_proxy, env.NO_PROXY]');
    expect((await result(t)).value).toEqual(['http://127.0.0.1:3128', 'http://127.0.0.1:3128', 'localhost,127.0.0.1,::1']);
    expect(t.output).toContain('network: only through the egress proxy');
    await t.exit();
  });

  it('an allowed host works through curl, and the request is logged', async () => {
    const t = agent('js', curlIn(`http://127.0.0.1:${port}/allowed`), ['--allow-host', `127.0.0.1:${port}`]);
    expect((await result(t)).value).toBe('hello from outside /allowed\n');
    expect(await t.exit()).toBe(0);
    expect(networkRecords(t.output)).toMatchObject([{ action: 'allow', method: 'GET', host: '127.0.0.1', port, path: '/allowed', bytesDown: 28, status: 200 }]);
    expect(t.output).toMatch(/1 network requests \(0 refused\)/);
  });

  it('git clones from an allowed host inside the sandbox, through the proxy variables', async () => {
    // NO_PROXY keeps 127.0.0.1 inside the sandbox; the served repository is outside, so this
    // clone clears it to reach the developer machine's loopback the way an allowed host is.
    const dest = path.join(world.ws, 'cloned');
    const code = `const r = spawnSync('git', ['clone', '-q', 'http://127.0.0.1:${'${PORT}'}/git/repo.git', ${JSON.stringify(dest)}], { encoding: 'utf8', env: { ...env, NO_PROXY: '', no_proxy: '', GIT_TERMINAL_PROMPT: '0' } }); return [r.status, r.stderr]`;
    const t = agent('js', code.replace('${PORT}', String(port)), ['--allow-host', `127.0.0.1:${port}`]);
    expect((await result(t)).value).toEqual([0, '']);
    await t.exit();
    expect(fs.readFileSync(path.join(dest, 'README'), 'utf8')).toBe('fetched through the egress proxy\n');
    const recs = networkRecords(t.output);
    expect(recs.length).toBeGreaterThanOrEqual(3);
    expect(recs.every((r) => r.action === 'allow' && r.path?.startsWith('/git/repo.git/'))).toBe(true);
  });

  it('a host not on the list is asked about; refused at the prompt, it gets nothing', async () => {
    const t = agent('js', curlIn('http://unlisted.invalid/data?q=1'));
    const screen = await t.answer('n', 0, NET_PROMPT);
    expect(screen).toContain('GET http://unlisted.invalid/data?q=1');
    expect(String((await result(t)).value)).toMatch(/unlisted\.invalid:80 was refused at the prompt/);
    await t.exit();
    expect(networkRecords(t.output)).toMatchObject([{ action: 'deny', host: 'unlisted.invalid', answer: 'deny', path: '/data?q=1' }]);
  });

  it('the metadata service and the developer machine are refused without a prompt', async () => {
    const code = `return [${JSON.stringify('http://169.254.169.254/latest/meta-data/')}, ${JSON.stringify(`http://127.0.0.1:${port}/local`)}].map((u) => spawnSync('curl', ['-sS', '--noproxy', '', u], { encoding: 'utf8' }).stdout)`;
    const t = agent('js', code);
    const [metadata, local] = (await result(t)).value as string[];
    expect(metadata).toMatch(/169\.254\.169\.254 is a cloud metadata address/);
    expect(local).toMatch(/127\.0\.0\.1 is a loopback address: a service on the developer's machine/);
    expect(t.output).not.toContain(NET_PROMPT);
    expect(hits).not.toContain('/local');
    await t.exit();
    expect(networkRecords(t.output).map((r) => [r.action, r.host])).toEqual([
      ['deny', '169.254.169.254'],
      ['deny', '127.0.0.1'],
    ]);
  });

  it('a program that ignores the proxy variables cannot connect anywhere', async () => {
    const code = `const net = await import('node:net');
      const attempt = (host, port) => new Promise((r) => { const s = net.connect({ host, port, timeout: 3000 }, () => { s.destroy(); r('connected'); }); s.on('error', (e) => r(e.code)); s.on('timeout', () => { s.destroy(); r('timeout'); }); });
      return [await attempt('127.0.0.1', ${port}), await attempt('1.1.1.1', 443), spawnSync('curl', ['-sS', '--noproxy', '*', '-m', '5', 'http://127.0.0.1:${port}/direct'], { encoding: 'utf8' }).status]`;
    const t = agent('js', code);
    const [loopback, internet, curlStatus] = (await result(t)).value as [string, string, number];
    expect(loopback).toBe('ECONNREFUSED');
    expect(internet).toBe('ENETUNREACH');
    expect(curlStatus).not.toBe(0);
    expect(hits).not.toContain('/direct');
    await t.exit();
    expect(networkRecords(t.output)).toEqual([]);
  });

  it('one answer for both layers: a command the person allowed does not make the proxy ask', async () => {
    // The policy asks about curl to a new host; after "y" the proxy lets the request out
    // (here it cannot resolve the .invalid name: a 502 from the proxy, not a second prompt).
    const t = agent('name', `curl -sS -m 10 --noproxy '' http://first.invalid/one`);
    await t.answer('y');
    const out = await t.waitFor(/AGENT-DONE \d+/);
    expect(out).toMatch(/cannot resolve first\.invalid/);
    expect(out).not.toContain(NET_PROMPT);
    await t.exit();
    expect(networkRecords(t.output)).toMatchObject([{ action: 'allow', host: 'first.invalid', status: 502, entry: 'session' }]);
  });

  it('one answer for both layers: a host allowed for the session at the proxy is not asked about by the policy', async () => {
    const code = `const first = spawnSync('curl', ['-sS', '--noproxy', '', 'http://second.invalid/a'], { encoding: 'utf8' }).stdout;
      const viaShell = spawnSync('bash', ['-c', "curl -sS --noproxy '' http://second.invalid/b"], { encoding: 'utf8' });
      return [first, viaShell.stdout, viaShell.status]`;
    const t = agent('js', code);
    await t.answer('a', 0, NET_PROMPT);
    const [first, second] = (await result(t)).value as string[];
    expect(first).toMatch(/cannot resolve second\.invalid/);
    expect(second).toMatch(/cannot resolve second\.invalid/);
    expect(t.output).not.toContain('needs your approval');
    expect(t.output.split(NET_PROMPT).length - 1).toBe(1);
    await t.exit();
    expect(networkRecords(t.output).map((r) => [r.path, r.answer ?? r.entry])).toEqual([
      ['/a', 'session'],
      ['/b', 'session'],
    ]);
  });

  it('--no-network: no proxy and no network at all', async () => {
    const code = `const r = spawnSync('curl', ['-sS', '-m', '5', '-x', 'http://127.0.0.1:3128', 'http://127.0.0.1:${port}/none'], { encoding: 'utf8' }); return [env.HTTP_PROXY ?? null, r.status]`;
    const t = agent('js', code, ['--no-network']);
    const [proxyVar, status] = (await result(t)).value as [string | null, number];
    expect(proxyVar).toBeNull();
    expect(status).not.toBe(0);
    expect(t.output).toContain('network: none (--no-network)');
    expect(hits).not.toContain('/none');
    await t.exit();
  });

  it('--network open: the host network, stated at the start', async () => {
    const t = agent('js', curlIn(`http://127.0.0.1:${port}/open`), ['--network', 'open']);
    expect((await result(t)).value).toBe('hello from outside /open\n');
    expect(t.output).toContain("network: open (--network open: the agent's own connections are not confined");
    await t.exit();
    expect(networkRecords(t.output)).toEqual([]);
  });
});

describe('egress flags', () => {
  it('refuses an --allow-host that is not a host, before starting anything', async () => {
    const t = new Terminal(['shell', '--allow-host', 'http://x/y', '--', 'true'], { cwd: world.ws, home: world.home });
    expect(await t.exit()).not.toBe(0);
    expect(t.output).toMatch(/--allow-host http:\/\/x\/y: not a host, \*\.suffix or host:port/);
  });

  it('refuses an unknown --network mode', async () => {
    const t = new Terminal(['shell', '--network', 'wide', '--', 'true'], { cwd: world.ws, home: world.home });
    expect(await t.exit()).not.toBe(0);
    expect(t.output).toMatch(/--network must be proxy, open or none/);
  });

  it('--no-network without the sandbox refuses to start rather than keep the network', async () => {
    const t = new Terminal(['shell', '--no-sandbox', '--no-network', '--', 'true'], { cwd: world.ws, home: world.home });
    expect(await t.exit()).not.toBe(0);
    expect(t.output).toMatch(/--no-network needs the sandbox, which is not available: disabled with --no-sandbox/);
  });

  it('without the sandbox the network is stated as not confined', async () => {
    const t = agent('js', 'return 1', ['--no-sandbox']);
    await result(t);
    expect(t.output).toContain('network: not confined (no sandbox)');
    await t.exit();
  });
});
