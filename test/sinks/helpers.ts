// Shared by the sink tests: free loopback ports, a real session run with sinks, and waiting
// for a receiver's file to hold what it should (never for a length of time).
import dgram from 'node:dgram';
import fs from 'node:fs';
import net from 'node:net';
import type { LogRecord } from '../../src/log/store.js';
import { FAKE_AGENT, makeWorld, sessionLog, Terminal } from '../session/harness.js';

export async function freeTcpPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

export async function freeUdpPort(): Promise<number> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** A real `agentguard shell` whose fake agent runs `command`; returns the session's own log records and the screen. */
export async function runSession(world: ReturnType<typeof makeWorld>, sinks: string[], command = 'echo sink-test', opts: { answer?: string; env?: Record<string, string> } = {}): Promise<{ records: LogRecord[]; output: string; exit: number }> {
  fs.chmodSync(FAKE_AGENT, 0o755);
  const t = new Terminal(['shell', '--no-sandbox', '--workspace', world.ws, ...sinks.flatMap((s) => ['--log-sink', s]), '--', process.execPath, FAKE_AGENT, 'name', command], { cwd: world.ws, home: world.home, env: opts.env });
  if (opts.answer) await t.answer(opts.answer);
  await t.waitFor(/AGENT-DONE \d+/);
  const exit = await t.exit();
  await t.waitFor(/session \S+ ended/);
  return { records: sessionLog(t.output), output: t.output, exit };
}

/** Polls until `cond` holds (a receiver started, a file written); fails after `timeoutMs`. */
export async function until(what: string, cond: () => boolean, timeoutMs = 15_000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error(`never happened: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Polls a file until `done` says its content is complete; fails with what it holds after `timeoutMs`. */
export async function waitForFile(file: string, done: (text: string) => boolean, timeoutMs = 15_000): Promise<string> {
  const start = Date.now();
  for (;;) {
    const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
    if (done(text)) return text;
    if (Date.now() - start > timeoutMs) throw new Error(`${file} never became complete; it holds:\n${text}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
