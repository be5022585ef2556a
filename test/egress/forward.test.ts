// A model server on the developer's own loopback (Ollama, a local ANTHROPIC_BASE_URL),
// reached from inside the sandbox at the same address after --allow-host 127.0.0.1:PORT.
import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentResult, FAKE_AGENT, makeWorld, networkRecords, sandboxWorks, Terminal } from '../session/harness.js';

const world = makeWorld('forward');
const hasSandbox = sandboxWorks();
let server: http.Server;
let port: number;

beforeAll(async () => {
  server = http.createServer((req, res) => res.end(`model server says hi to ${req.url}\n`));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as net.AddressInfo).port;
});
afterAll(() => {
  server.close();
  world.remove();
});

/** A plain http.get from the agent's own process: no proxy, straight to loopback, as a model client does. */
const fetchIn = (url: string) =>
  `const http = await import('node:http'); return await new Promise((resolve) => { const r = http.get(${JSON.stringify(url)}, (res) => { let b = ''; res.on('data', (d) => (b += d)); res.on('end', () => resolve(b)); }); r.on('error', (e) => resolve(e.code)); r.setTimeout(8000, () => { r.destroy(); resolve('TIMEOUT'); }); })`;

async function run(flags: string[], env: Record<string, string> = {}) {
  const t = new Terminal(['shell', '--workspace', world.ws, ...flags, '--', process.execPath, FAKE_AGENT, 'js', fetchIn(`http://127.0.0.1:${port}/v1/models`)], { cwd: world.ws, home: world.home, env });
  const out = await t.waitFor(/AGENT-RESULT [^\r\n]*[\r\n]/);
  await t.exit();
  return { value: agentResult(out).value as string, out };
}

describe.skipIf(!hasSandbox)('a loopback port of the host, forwarded on request', () => {
  it('with --allow-host 127.0.0.1:PORT the server answers at the same address inside, and the connection is logged', async () => {
    const { value, out } = await run(['--allow-host', `127.0.0.1:${port}`]);
    expect(value).toBe('model server says hi to /v1/models\n');
    expect(out).toContain(`forwarded to the host: 127.0.0.1:${port}`);
    expect(networkRecords(out).some((r) => r.method === 'FORWARD' && r.port === port && r.action === 'allow' && r.bytesDown > 0)).toBe(true);
  });

  it('localhost:PORT works the same way', async () => {
    expect((await run(['--allow-host', `localhost:${port}`])).value).toBe('model server says hi to /v1/models\n');
  });

  it('without it the port is refused inside, and a *_BASE_URL pointing there is warned about at the start', async () => {
    const { value, out } = await run([], { ANTHROPIC_BASE_URL: `http://127.0.0.1:${port}` });
    expect(value).toBe('ECONNREFUSED');
    expect(out).toContain(`ANTHROPIC_BASE_URL=http://127.0.0.1:${port} points at this machine's port ${port}`);
    expect(out).toContain(`--allow-host 127.0.0.1:${port}`);
  });
});
