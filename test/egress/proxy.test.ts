// The egress proxy against real clients (curl, git, npm) and real servers on loopback. DNS
// is the one thing simulated (the `lookup` option): a name can then stand for a public host
// or for a rebinding attacker's answer, without any traffic leaving the machine.
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProxy, type EgressAnswer, type EgressAsk, type EgressProxy, type EgressRecord } from '../../src/egress/proxy.js';

const run = promisify(execFile);
const hits: string[] = [];
let upstream: http.Server;
let port: number;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'agentguard-egress-'));

beforeAll(async () => {
  upstream = http.createServer((req, res) => {
    hits.push(`${req.method} ${req.headers.host} ${req.url}`);
    // A "dumb" git server: static files of a bare repository.
    if (req.url?.startsWith('/git/')) return serveFile(path.join(tmp, req.url.slice(5).split('?')[0]), res);
    if (req.url === '/npm/left-pad') {
      const tarball = `http://registry.example:${port}/npm/left-pad/-/left-pad-1.3.0.tgz`;
      res.setHeader('Content-Type', 'application/json');
      return res.end(JSON.stringify({ name: 'left-pad', 'dist-tags': { latest: '1.3.0' }, versions: { '1.3.0': { name: 'left-pad', version: '1.3.0', dist: { tarball } } } }));
    }
    const big = /^\/bytes\/(\d+)$/.exec(req.url ?? '');
    if (big) {
      // Deterministic content, so the client can check every byte arrived in order.
      const n = Number(big[1]);
      res.writeHead(200, { 'Content-Length': n });
      let sent = 0;
      const write = () => {
        while (sent < n) {
          const chunk = pattern(sent, Math.min(256 * 1024, n - sent));
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', write);
        }
        res.end();
      };
      return write();
    }
    if (req.url === '/digest') {
      const h = crypto.createHash('sha256');
      req.on('data', (c: Buffer) => h.update(c));
      return req.on('end', () => res.end(h.digest('hex')));
    }
    let body = 0;
    req.on('data', (c: Buffer) => (body += c.length));
    req.on('end', () => res.end(`hello ${req.url} got ${body} proxy-authorization=${req.headers['proxy-authorization'] ?? 'none'}\n`));
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  port = (upstream.address() as net.AddressInfo).port;
});
afterAll(() => {
  upstream.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

function pattern(offset: number, length: number): Buffer {
  const b = Buffer.allocUnsafe(length);
  for (let i = 0; i < length; i++) b[i] = (offset + i) % 251;
  return b;
}

function serveFile(file: string, res: http.ServerResponse) {
  fs.readFile(file, (err, data) => {
    if (err) {
      res.statusCode = 404;
      return res.end();
    }
    res.end(data);
  });
}

interface Setup {
  allow?: string[];
  answers?: EgressAnswer[];
  dns?: Record<string, string[]>;
  noTerminal?: boolean;
}

/** A proxy on a TCP port; the test's DNS answers; the person's answers in order. */
async function proxyWith(s: Setup) {
  const records: EgressRecord[] = [];
  const asked: EgressAsk[] = [];
  const answers = [...(s.answers ?? [])];
  const proxy: EgressProxy = await startProxy({
    port: 0,
    allow: s.allow ?? [],
    ask: s.noTerminal ? null : async (q) => (asked.push(q), answers.shift() ?? 'deny'),
    onRecord: (r) => records.push(r),
    lookup: async (h) => {
      const got = s.dns?.[h];
      if (!got) throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
      return got.map((address) => ({ address, family: net.isIPv6(address) ? 6 : 4 }));
    },
  });
  const url = `http://127.0.0.1:${proxy.port}`;
  /** curl through the proxy, in an environment free of the developer's proxy settings. */
  const curl = async (...args: string[]) => {
    const r = await run('curl', ['-sS', '-x', url, '-w', '\n%{http_code}', ...args], { env: { PATH: process.env.PATH } }).catch((e: { stdout?: string; stderr?: string }) => ({ stdout: String(e.stdout ?? ''), stderr: String(e.stderr) }));
    const lines = r.stdout.trimEnd().split('\n');
    return { status: Number(lines.pop()), body: lines.join('\n').trimEnd(), stderr: r.stderr };
  };
  return { proxy, url, records, asked, curl, close: () => proxy.close() };
}

/** Waits until the proxy has recorded n requests (a record is written when a request ends). */
async function recorded(records: EgressRecord[], n: number) {
  for (let i = 0; i < 100 && records.length < n; i++) await new Promise((r) => setTimeout(r, 20));
  return records;
}

describe('an allowed host', () => {
  it('plain HTTP is forwarded and recorded with method, path and bytes each way', async () => {
    const p = await proxyWith({ allow: [`127.0.0.1:${port}`] });
    const r = await p.curl('--data-binary', 'abcdef', '-H', 'Proxy-Authorization: Basic c2VjcmV0', `http://127.0.0.1:${port}/upload?x=1`);
    expect(r.status).toBe(200);
    // Proxy credentials are for the proxy: never passed on.
    expect(r.body).toBe('hello /upload?x=1 got 6 proxy-authorization=none');
    const [rec] = await recorded(p.records, 1);
    expect(rec).toMatchObject({ host: '127.0.0.1', port, method: 'POST', path: '/upload?x=1', bytesUp: 6, decision: 'allow', entry: `127.0.0.1:${port}`, status: 200 });
    expect(rec.bytesDown).toBe(Buffer.byteLength(r.body) + 1);
    expect(p.asked).toEqual([]);
    await p.close();
  });

  it('a CONNECT tunnel (how HTTPS goes) carries the bytes and is recorded', async () => {
    const p = await proxyWith({ allow: [`127.0.0.1:${port}`] });
    const r = await p.curl('-p', `http://127.0.0.1:${port}/tunnelled`);
    expect(r.status).toBe(200);
    expect(r.body).toContain('hello /tunnelled');
    const [rec] = await recorded(p.records, 1);
    expect(rec).toMatchObject({ method: 'CONNECT', host: '127.0.0.1', port, decision: 'allow', status: 200 });
    expect(rec.path).toBeUndefined();
    expect(rec.bytesUp).toBeGreaterThan(50);
    expect(rec.bytesDown).toBeGreaterThan(50);
    await p.close();
  });

  it('a name on the list is resolved by the proxy and reached at the checked address', async () => {
    // The address is named exactly, as a developer would for a service on a private network.
    const p = await proxyWith({ allow: ['api.example.com', `127.0.0.1:${port}`], dns: { 'api.example.com': ['127.0.0.1'] } });
    const r = await p.curl(`http://api.example.com:${port}/named`);
    expect(r.body).toContain('hello /named');
    expect(hits.at(-1)).toBe(`GET api.example.com:${port} /named`);
    expect((await recorded(p.records, 1))[0]).toMatchObject({ host: 'api.example.com', address: '127.0.0.1', decision: 'allow', entry: 'api.example.com' });
    await p.close();
  });

  it('git clones through it, using the proxy variables', async () => {
    const bare = path.join(tmp, 'repo.git');
    const work = path.join(tmp, 'src');
    const git = (cwd: string, ...args: string[]) => run('git', args, { cwd, env: { PATH: process.env.PATH, HOME: tmp, GIT_CONFIG_NOSYSTEM: '1' } });
    fs.mkdirSync(work);
    await git(work, 'init', '-q', '-b', 'main');
    fs.writeFileSync(path.join(work, 'README'), 'cloned through the proxy\n');
    await git(work, 'add', 'README');
    await git(work, '-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-qm', 'one');
    await git(tmp, 'clone', '-q', '--bare', work, bare);
    await git(bare, 'update-server-info');
    const p = await proxyWith({ allow: ['git.example', `127.0.0.1:${port}`], dns: { 'git.example': ['127.0.0.1'] } });
    const dest = path.join(tmp, 'clone');
    await run('git', ['clone', '-q', `http://git.example:${port}/git/repo.git`, dest], { env: { PATH: process.env.PATH, HOME: tmp, GIT_CONFIG_NOSYSTEM: '1', http_proxy: p.url, GIT_TERMINAL_PROMPT: '0' } });
    expect(fs.readFileSync(path.join(dest, 'README'), 'utf8')).toBe('cloned through the proxy\n');
    const recs = await recorded(p.records, 3);
    expect(recs.length).toBeGreaterThanOrEqual(3);
    expect(recs.every((r) => r.host === 'git.example' && r.decision === 'allow')).toBe(true);
    await p.close();
  });

  it('npm reaches a registry through it, using the proxy variables', async () => {
    const p = await proxyWith({ allow: ['registry.example', `127.0.0.1:${port}`], dns: { 'registry.example': ['127.0.0.1'] } });
    const home = path.join(tmp, 'npm-home');
    fs.mkdirSync(home, { recursive: true });
    const r = await run('npm', ['view', 'left-pad', 'version', '--registry', `http://registry.example:${port}/npm/`, '--cache', path.join(home, 'cache'), '--prefer-online'], {
      env: { PATH: process.env.PATH, HOME: home, HTTP_PROXY: p.url, HTTPS_PROXY: p.url, npm_config_userconfig: path.join(home, '.npmrc') },
    });
    expect(r.stdout.trim()).toBe('1.3.0');
    expect((await recorded(p.records, 1)).some((x) => x.host === 'registry.example' && x.path === '/npm/left-pad' && x.decision === 'allow')).toBe(true);
    await p.close();
  });
});

describe('a host not on the list', () => {
  it('is refused when nobody can be asked, and the upstream never sees it', async () => {
    const p = await proxyWith({ noTerminal: true, dns: { 'unlisted.example': ['127.0.0.1'] } });
    const before = hits.length;
    const r = await p.curl(`http://unlisted.example:${port}/secret?k=v`);
    expect(r.status).toBe(403);
    expect(r.body).toMatch(/unlisted\.example is not on the egress allowlist and there is no terminal/);
    expect(hits.length).toBe(before);
    expect((await recorded(p.records, 1))[0]).toMatchObject({ host: 'unlisted.example', decision: 'deny', answer: 'no-terminal', path: '/secret?k=v', bytesDown: 0 });
    await p.close();
  });

  it('is asked about; "once" lets this request through and asks again next time', async () => {
    const p = await proxyWith({ allow: [`127.0.0.1:${port}`], answers: ['once', 'deny'], dns: { 'new.example': ['127.0.0.1'] } });
    expect((await p.curl(`http://new.example:${port}/first`)).status).toBe(200);
    expect((await p.curl(`http://new.example:${port}/second`)).status).toBe(403);
    expect(p.asked).toEqual([
      { host: 'new.example', port, method: 'GET', url: `http://new.example:${port}/first` },
      { host: 'new.example', port, method: 'GET', url: `http://new.example:${port}/second` },
    ]);
    const recs = await recorded(p.records, 2);
    expect(recs.map((r) => [r.decision, r.answer])).toEqual([
      ['allow', 'once'],
      ['deny', 'deny'],
    ]);
    await p.close();
  });

  it('"session" allows the host for the rest of the session, without asking again', async () => {
    const p = await proxyWith({ allow: [`127.0.0.1:${port}`], answers: ['session'], dns: { 'new.example': ['127.0.0.1'] } });
    expect((await p.curl(`http://new.example:${port}/a`)).status).toBe(200);
    expect((await p.curl('-p', `http://new.example:${port}/b`)).status).toBe(200);
    expect(p.asked.length).toBe(1);
    expect((await recorded(p.records, 2)).map((r) => r.entry)).toEqual([undefined, 'session']);
    await p.close();
  });

  it('requests waiting for the same answer share one prompt', async () => {
    let release!: (a: EgressAnswer) => void;
    const asked: EgressAsk[] = [];
    const proxy = await startProxy({
      port: 0,
      allow: [`127.0.0.1:${port}`],
      ask: (q) => (asked.push(q), new Promise((r) => (release = r))),
      lookup: async () => [{ address: '127.0.0.1', family: 4 }],
    });
    const get = () => run('curl', ['-sS', '-o', '/dev/null', '-w', '%{http_code}', '-x', `http://127.0.0.1:${proxy.port}`, `http://busy.example:${port}/`], { env: { PATH: process.env.PATH } });
    const all = Promise.all([get(), get(), get()]);
    while (asked.length === 0) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 200));
    release('once');
    expect((await all).map((r) => r.stdout)).toEqual(['200', '200', '200']);
    expect(asked.length).toBe(1);
    await proxy.close();
  });

  it('allowHost() (the policy approved a command going there) stops the proxy asking', async () => {
    const p = await proxyWith({ allow: [`127.0.0.1:${port}`], dns: { 'approved.example': ['127.0.0.1'] } });
    expect(p.proxy.allowHost('approved.example')).toBe(true);
    expect((await p.curl(`http://approved.example:${port}/`)).status).toBe(200);
    expect(p.asked).toEqual([]);
    expect(p.proxy.allowHost('not a host!')).toBe(false);
    await p.close();
  });
});

describe('private, loopback and metadata addresses', () => {
  const refused = async (setup: Setup, target: string, pattern: RegExp) => {
    const p = await proxyWith(setup);
    const before = hits.length;
    const r = await p.curl(target);
    expect(r.status).toBe(403);
    expect(r.body).toMatch(pattern);
    expect(hits.length).toBe(before);
    const [rec] = await recorded(p.records, 1);
    expect(rec.decision).toBe('deny');
    expect(p.asked).toEqual([]);
    await p.close();
    return rec;
  };

  it.each([
    ['http://169.254.169.254/latest/meta-data/', /169\.254\.169\.254 is a cloud metadata address/],
    ['http://[fd00:ec2::254]/latest/', /fd00:ec2::254 is a cloud metadata address/],
    ['http://[::ffff:169.254.169.254]/', /cloud metadata address/],
    ['http://10.1.2.3/', /a private address/],
    ['http://192.168.1.1/', /a private address/],
    ['http://[fe80::1]/', /link-local/],
  ])('%s is refused without asking, even when the person could answer', async (url, pattern) => {
    await refused({ answers: ['session'] }, url, pattern);
  });

  it('a loopback service on the developer machine is refused unless named exactly, in any spelling', async () => {
    for (const spelling of [`http://127.0.0.1:${port}/`, `http://0x7f.1:${port}/`, `http://2130706433:${port}/`, `http://[::ffff:7f00:1]:${port}/`]) {
      await refused({ answers: ['session'] }, spelling, /loopback address: a service on the developer's machine/);
    }
  });

  it('a listed name whose DNS answer is private is refused (no rebinding into the network)', async () => {
    const rec = await refused({ allow: ['rebind.example'], dns: { 'rebind.example': ['93.184.216.34', '169.254.169.254'] } }, `http://rebind.example:${port}/`, /rebind\.example resolves to 169\.254\.169\.254, a cloud metadata address/);
    expect(rec.entry).toBe('rebind.example');
  });

  it('a name listed exactly may point into a private network, never at the metadata service', async () => {
    const p = await proxyWith({ allow: ['git.corp.example'], dns: { 'git.corp.example': ['10.0.0.5'] } });
    // Allowed: the proxy tries the private address (nothing answers there in a test machine).
    const r = await p.curl('-m', '5', 'http://git.corp.example:9/');
    expect(r.status).not.toBe(403);
    await p.close();
    await refused({ allow: ['git.corp.example'], dns: { 'git.corp.example': ['169.254.169.254'] } }, 'http://git.corp.example/', /cloud metadata/);
  });

  it('a wildcard or a prompt answer never opens a private address', async () => {
    await refused({ allow: ['*.corp.example'], dns: { 'db.corp.example': ['10.0.0.5'] } }, 'http://db.corp.example/', /private address/);
    const p = await proxyWith({ answers: ['session'], dns: { 'asked.example': ['10.0.0.5'] } });
    const r = await p.curl('http://asked.example/');
    expect(r.status).toBe(403);
    expect(p.asked.length).toBe(1);
    await p.close();
  });

  it('a host not on the list never reaches the resolver before it is allowed', async () => {
    const looked: string[] = [];
    const proxy = await startProxy({ port: 0, allow: [], ask: null, lookup: async (h) => (looked.push(h), [{ address: '127.0.0.1', family: 4 }]) });
    await run('curl', ['-sS', '-x', `http://127.0.0.1:${proxy.port}`, 'http://exfil.secret-value.example/'], { env: { PATH: process.env.PATH } });
    expect(looked).toEqual([]);
    await proxy.close();
  });
});

describe('requests the proxy does not forward', () => {
  it('an origin-form request, a bad CONNECT target and userinfo in the URL are refused with 400 and recorded', async () => {
    const p = await proxyWith({ allow: ['*'] });
    const raw = (text: string) =>
      new Promise<string>((resolve) => {
        const s = net.connect(p.proxy.port!, '127.0.0.1', () => s.end(text));
        let out = '';
        s.on('data', (d) => (out += d.toString()));
        s.on('close', () => resolve(out));
      });
    expect(await raw('GET /local HTTP/1.1\r\nHost: x\r\n\r\n')).toMatch(/^HTTP\/1\.1 400[\s\S]*this is a forward proxy/);
    expect(await raw('CONNECT nohostport HTTP/1.1\r\nHost: x\r\n\r\n')).toMatch(/^HTTP\/1\.1 400[\s\S]*CONNECT needs host:port/);
    expect(await raw('GET http://user:pw@example.com/ HTTP/1.1\r\nHost: example.com\r\n\r\n')).toMatch(/^HTTP\/1\.1 400[\s\S]*credentials in the proxy request URL/);
    expect((await recorded(p.records, 3)).map((r) => r.status)).toEqual([400, 400, 400]);
    await p.close();
  });

  it('the unix socket is private to the user', async () => {
    const socketPath = path.join(tmp, 'p.sock');
    const proxy = await startProxy({ socketPath, allow: [] });
    expect(fs.statSync(socketPath).mode & 0o777).toBe(0o600);
    await proxy.close();
    expect(fs.existsSync(socketPath)).toBe(false);
  });
});

describe('a long tunnel from the sandbox', () => {
  /** Reads one HTTP response with a Content-Length from a raw socket. */
  function response(sock: net.Socket): Promise<{ head: string; body: Buffer }> {
    return new Promise((resolve, reject) => {
      let buf = Buffer.alloc(0);
      const onData = (d: Buffer) => {
        buf = Buffer.concat([buf, d]);
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buf.subarray(0, end).toString();
        const len = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? 0);
        if (buf.length < end + 4 + len) return;
        sock.off('data', onData);
        resolve({ head, body: buf.subarray(end + 4, end + 4 + len) });
      };
      sock.on('data', onData);
      sock.once('error', reject);
    });
  }

  it('moves to the splice relay after a few megabytes without losing or reordering a byte, both ways', async () => {
    const socketPath = path.join(tmp, 'tunnel.sock');
    const records: EgressRecord[] = [];
    const proxy = await startProxy({ socketPath, allow: [`127.0.0.1:${port}`], onRecord: (r) => records.push(r) });
    const sock = net.connect({ path: socketPath });
    await new Promise((r) => sock.once('connect', r));
    sock.write(`CONNECT 127.0.0.1:${port} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`);
    await new Promise<void>((resolve) => {
      let got = '';
      const onData = (d: Buffer) => {
        got += d.toString('latin1');
        if (got.includes('\r\n\r\n')) {
          sock.off('data', onData);
          expect(got).toMatch(/^HTTP\/1\.1 200/);
          resolve();
        }
      };
      sock.on('data', onData);
    });
    // Down: 12 MB, well past the hand-off point, on a keep-alive connection.
    const n = 12 * 1024 * 1024;
    sock.write(`GET /bytes/${n} HTTP/1.1\r\nHost: x\r\n\r\n`);
    const down = await response(sock);
    expect(down.body.length).toBe(n);
    expect(down.body.equals(pattern(0, n))).toBe(true);
    // Up, on the same tunnel after the hand-off: 5 MB whose digest the server sends back.
    const upload = crypto.randomBytes(5 * 1024 * 1024);
    sock.write(`POST /digest HTTP/1.1\r\nHost: x\r\nContent-Length: ${upload.length}\r\n\r\n`);
    sock.write(upload);
    const digest = await response(sock);
    expect(digest.body.toString()).toBe(crypto.createHash('sha256').update(upload).digest('hex'));
    // The tunnel is in the relay process now, a child of this (the proxy's) process.
    const children = (await run('ps', ['--ppid', String(process.pid), '-o', 'args='])).stdout;
    expect(children).toMatch(/agentguard-bridge --relay/);
    sock.end();
    const [rec] = await recorded(records, 1);
    expect(rec).toMatchObject({ method: 'CONNECT', decision: 'allow' });
    expect(rec.bytesDown).toBeGreaterThan(n);
    expect(rec.bytesUp).toBeGreaterThan(upload.length);
    await proxy.close();
  });

  /** A raw upstream on loopback, a proxy on a unix socket, and a tunnel to the upstream through it. */
  async function tunnelTo(onUpstream: (s: net.Socket) => void) {
    const server = net.createServer({ allowHalfOpen: true }, (s) => {
      s.on('error', () => {});
      onUpstream(s);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const upPort = (server.address() as net.AddressInfo).port;
    const records: EgressRecord[] = [];
    const socketPath = path.join(tmp, `t-${upPort}.sock`);
    const proxy = await startProxy({ socketPath, allow: [`127.0.0.1:${upPort}`], onRecord: (r) => records.push(r) });
    const client = net.connect({ path: socketPath, allowHalfOpen: true });
    client.on('error', () => {});
    client.write(`CONNECT 127.0.0.1:${upPort} HTTP/1.1\r\nHost: x\r\n\r\n`);
    // The proxy's answer, and whatever of the upstream's came with it; then paused.
    const rest = await new Promise<Buffer>((resolve) => {
      let buf = Buffer.alloc(0);
      const onData = (d: Buffer) => {
        buf = Buffer.concat([buf, d]);
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        client.off('data', onData);
        client.pause();
        resolve(buf.subarray(end + 4));
      };
      client.on('data', onData);
    });
    return { client, rest, records, close: async () => (client.destroy(), await proxy.close(), server.close()) };
  }

  it('loses no upload bytes when the upstream is slow to read while the tunnel moves', async () => {
    const UP = 16 << 20;
    let received = 0;
    let firstBad = -1;
    let upstreamDone!: () => void;
    const done = new Promise<void>((r) => (upstreamDone = r));
    const t = await tunnelTo((s) => {
      // Reads late: the upload backs up in Node while the download passes the hand-off point.
      s.pause();
      setTimeout(() => s.resume(), 300);
      s.on('data', (d: Buffer) => {
        for (let i = 0; i < d.length && firstBad < 0; i++) if (d[i] !== (received + i) % 251) firstBad = received + i;
        received += d.length;
      });
      s.on('end', () => (upstreamDone(), s.end()));
      setTimeout(() => s.write(Buffer.alloc(2 << 20, 0x61)), 150);
    });
    let sent = 0;
    const pump = () => {
      while (sent < UP) {
        const b = pattern(sent, 32 * 1024);
        sent += b.length;
        if (!t.client.write(b)) return void t.client.once('drain', pump);
      }
      t.client.end();
    };
    t.client.resume();
    pump();
    await done;
    expect(received).toBe(UP);
    expect(firstBad).toBe(-1);
    await t.close();
  }, 60_000);

  it('a tunnel in the relay is closed on both sides and logged when the agent goes away', async () => {
    let upstreamClosed = false;
    const t = await tunnelTo((s) => {
      s.resume();
      s.on('end', () => s.end()); // a server that closes when its client does
      s.on('close', () => (upstreamClosed = true));
      s.write(Buffer.alloc(3 << 20, 0x61));
    });
    let got = t.rest.length;
    await new Promise<void>((resolve) =>
      t.client.on('data', (d: Buffer) => {
        got += d.length;
        if (got >= 3 << 20) resolve();
      }).resume(),
    );
    t.client.destroy();
    for (let i = 0; i < 100 && !(upstreamClosed && t.records.length); i++) await new Promise((r) => setTimeout(r, 30));
    expect(upstreamClosed).toBe(true);
    expect(t.records).toMatchObject([{ method: 'CONNECT', decision: 'allow' }]);
    expect(t.records[0].bytesDown).toBeGreaterThanOrEqual(3 << 20);
    await t.close();
  }, 60_000);
});
