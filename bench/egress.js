// node bench/egress.js (after a build): what the egress proxy costs, on loopback only.
//   throughput of a 100 MB download with curl: direct, and through the proxy as plain HTTP and
//   as a CONNECT tunnel (how https goes), both on the proxy's TCP port and the way a sandboxed
//   agent goes (curl → bridge process → unix socket → proxy);
//   added latency per small request: 500 keep-alive requests through the proxy vs direct, and
//   through a proxy with the budget accounting on (src/egress/budget.ts; issue 18's target:
//   within 0.05 ms of the proxy's p50 without it).
// The upstream server runs in its own process so that it does not share the proxy's event loop.
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startProxy } from '../dist/egress/proxy.js';
import { Budget, DailyStore, DEFAULT_BUDGETS } from '../dist/egress/budget.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const BRIDGE = path.resolve(here, '../build/Release/agentguard-bridge');
const MB = 1024 * 1024;
const SIZE = 100 * MB;
const REQUESTS = 500;

const UPSTREAM = `
import http from 'node:http';
import net from 'node:net';
const chunk = Buffer.alloc(1024 * 1024, 120);
const server = http.createServer((req, res) => {
  if (req.url === '/big') {
    res.writeHead(200, { 'Content-Length': ${SIZE}, 'Content-Type': 'application/octet-stream' });
    let left = ${SIZE / MB};
    const write = () => {
      while (left > 0) {
        left--;
        if (!res.write(chunk)) return void res.once('drain', write);
      }
      res.end();
    };
    write();
  } else res.end('ok\\n');
});
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
`;

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Starts the upstream server and resolves with the port it prints. */
function startUpstream() {
  const child = spawn(process.execPath, ['--input-type=module', '-e', UPSTREAM], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.stdout.setEncoding('utf8');
    child.stdout.once('data', (d) => resolve({ child, port: Number(d.trim()) }));
    child.once('exit', (code) => reject(new Error(`upstream server exited with ${code}`)));
  });
}

/** A free loopback port (the bridge takes a fixed one, as in a session's own network namespace). */
function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** The bridge in front of a command that just waits; resolves once it accepts connections. */
async function startBridge(socketPath) {
  const port = await freePort();
  const child = spawn(BRIDGE, [socketPath, String(port), '--', 'sleep', '3600'], { stdio: 'inherit' });
  for (let i = 0; i < 200; i++) {
    const up = await new Promise((r) => net.connect(port, '127.0.0.1').once('connect', function () { this.destroy(); r(true); }).once('error', () => r(false)));
    if (up) return { child, port };
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('the bridge did not start');
}

function curlDownload(url, extra) {
  // A clean environment: a developer's http_proxy or no_proxy must not change the route.
  const args = ['-sS', '-o', '/dev/null', '-w', '%{size_download} %{time_total}', ...extra, url];
  return new Promise((resolve, reject) =>
    execFile('curl', args, { env: { PATH: process.env.PATH } }, (err, stdout) => {
      if (err) return reject(err);
      const [size, secs] = stdout.trim().split(' ').map(Number);
      if (size !== SIZE) return reject(new Error(`downloaded ${size} bytes, expected ${SIZE}`));
      resolve(size / MB / secs);
    }),
  );
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** A new CONNECT tunnel and one request through it, against a new direct connection. */
async function tunnelSetup(upstreamPort, viaPort) {
  const once = (port, connect) =>
    new Promise((resolve, reject) => {
      const t = process.hrtime.bigint();
      const s = net.connect(port, '127.0.0.1', () => s.write(connect ? `CONNECT 127.0.0.1:${upstreamPort} HTTP/1.1\r\nHost: x\r\n\r\n` : request));
      const request = 'GET /small HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n';
      let buf = '';
      let sent = !connect;
      s.on('data', (d) => {
        buf += d;
        if (!sent && buf.includes('\r\n\r\n')) {
          sent = true;
          s.write(request);
        }
      });
      s.on('end', () => {
        s.destroy();
        resolve(Number(process.hrtime.bigint() - t) / 1e6);
      });
      s.on('error', reject);
    });
  const direct = [];
  const via = [];
  for (let i = 0; i < 200; i++) {
    direct.push(await once(upstreamPort, false));
    via.push(await once(viaPort, true));
  }
  return { direct: median(direct), via: median(via) };
}

function get(options) {
  return new Promise((resolve, reject) => {
    const t = process.hrtime.bigint();
    http
      .get(options, (res) => {
        res.resume();
        res.on('end', () => resolve(Number(process.hrtime.bigint() - t) / 1e6));
      })
      .on('error', reject);
  });
}

async function latency(upstreamPort, viaPorts) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const target = `http://127.0.0.1:${upstreamPort}/small`;
  const ways = [{ name: 'direct', options: { host: '127.0.0.1', port: upstreamPort, path: '/small', agent } }];
  for (const [name, port] of viaPorts) ways.push({ name, options: { host: '127.0.0.1', port, path: target, agent } });
  const times = new Map(ways.map((w) => [w.name, []]));
  for (let i = 0; i < 50; i++) for (const w of ways) await get(w.options); // warm up
  // Interleaved, so that drift in the machine's load touches every way alike.
  for (let i = 0; i < REQUESTS; i++) for (const w of ways) times.get(w.name).push(await get(w.options));
  agent.destroy();
  const p50 = (name) => percentile([...times.get(name)].sort((a, b) => a - b), 50);
  return { p50 };
}

async function main() {
  const started = Date.now();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agentguard-egress-bench-'));
  const socketPath = path.join(dir, 'proxy.sock');
  const upstream = await startUpstream();
  const port = upstream.port;
  let records = 0;
  const proxy = await startProxy({ socketPath, port: 0, allow: ['127.0.0.1'], onRecord: () => records++ });
  // Every limit on and every request counted (a model API host, the day's figures flushed on
  // their timer), with limits high enough that the bench's own loop never reaches them.
  const daily = new DailyStore(path.join(dir, 'budgets'), 'bench');
  const budget = new Budget({ ...DEFAULT_BUDGETS, ratePerMinute: 1e9, maxModelRequests: 1e9 }, { agent: 'bench', modelHosts: ['127.0.0.1'], daily });
  const budgeted = await startProxy({ port: 0, allow: ['127.0.0.1'], budget, askLimit: null, onRecord: () => records++ });
  const bridge = await startBridge(socketPath);
  const bridgePort = bridge.port;
  try {
    const big = `http://127.0.0.1:${port}/big`;
    const proxyUrl = `http://127.0.0.1:${proxy.port}`;
    const bridgeUrl = `http://127.0.0.1:${bridgePort}`;
    // -p makes curl open a CONNECT tunnel even for http://: the way every https:// download
    // (npm, pip, cargo, git over https) goes through the proxy.
    const ways = [
      ['plain HTTP via proxy', [ '-x', proxyUrl]],
      ['CONNECT tunnel via proxy', ['-p', '-x', proxyUrl]],
      ['plain HTTP via bridge+unix socket+proxy (in a session)', ['-x', bridgeUrl]],
      ['CONNECT tunnel via bridge+unix socket+proxy (in a session)', ['-p', '-x', bridgeUrl]],
    ];
    // Each way against direct runs interleaved with it (five pairs, medians), so that drift in
    // the machine's load touches both alike. A transfer lasts only tens of milliseconds.
    for (const [label, args] of ways) {
      const direct = [];
      const via = [];
      for (let i = 0; i < 5; i++) {
        direct.push(await curlDownload(big, []));
        via.push(await curlDownload(big, args));
      }
      const [d, v] = [median(direct), median(via)];
      console.log(`egress: 100 MB download  ${label} ${v.toFixed(0)} MB/s  direct ${d.toFixed(0)} MB/s  (${(v / d).toFixed(2)}x)`);
    }

    const { p50 } = await latency(port, [
      ['proxy', proxy.port],
      ['budget', budgeted.port],
      ['bridge', bridgePort],
    ]);
    const ms = (x) => `${x.toFixed(2)} ms`;
    console.log(`egress: added latency per request  p50 ${ms(p50('proxy') - p50('direct'))}  (direct ${ms(p50('direct'))}, proxy ${ms(p50('proxy'))}; ${REQUESTS} keep-alive requests)`);
    console.log(`egress: added latency per request with budget accounting  p50 ${ms(p50('budget') - p50('direct'))}  (proxy with budgets ${ms(p50('budget'))} vs without ${ms(p50('proxy'))}: ${(p50('budget') - p50('proxy')).toFixed(3)} ms; target within 0.05 ms)`);
    console.log(`egress: added latency per request via bridge  p50 ${ms(p50('bridge') - p50('direct'))}  (bridge+unix socket+proxy ${ms(p50('bridge'))})`);
    const setup = await tunnelSetup(port, bridgePort);
    console.log(`egress: a new tunnel and one request via bridge  p50 ${ms(setup.via)}  (a new direct connection ${ms(setup.direct)}; added ${ms(setup.via - setup.direct)})`);
    console.log(`egress: ${records} requests recorded, ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } finally {
    bridge.child.kill('SIGTERM');
    upstream.child.kill();
    await proxy.close();
    await budgeted.close();
    daily.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

await main();
