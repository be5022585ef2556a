// The bridge: runs INSIDE the sandbox, where only loopback exists, and forwards each TCP
// connection on 127.0.0.1:<port> to the proxy's unix socket (bound in from outside). It
// understands nothing of HTTP: every decision is the proxy's, outside the agent's reach.
// Node built-ins and relay.ts only, so that it starts as fast as node does.
//
//   node dist/egress/bridge.js <unix-socket-path> <port> [--ready-fd N] [--watch-pid PID] [-- command…]
//
// --ready-fd N   writes "ready <port>\n" to file descriptor N once listening (port 0 picks one).
// --watch-pid P  exits when process P is gone.
// -- command…    the session's way: once listening, runs the agent as its child on the same
//                terminal, and exits with the agent's status when it ends. The agent starts only
//                when the proxy is reachable, and the bridge lives exactly as long as the agent.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import { pathToFileURL } from 'node:url';
import { connectRelay, join } from './relay.js';

export interface Bridge {
  server: net.Server;
  port: number;
  close(): Promise<void>;
}

export function startBridge(socketPath: string, port: number, host = '127.0.0.1'): Promise<Bridge> {
  const open = new Set<net.Socket>();
  // allowHalfOpen on both sides: a client that has sent its request (FIN) still gets the answer.
  const server = net.createServer({ allowHalfOpen: true, noDelay: true }, (client) => {
    const relay = connectRelay({ path: socketPath, allowHalfOpen: true });
    open.add(client).add(relay.socket);
    join(client, relay, () => {
      open.delete(client);
      open.delete(relay.socket);
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve({
        server,
        port: (server.address() as net.AddressInfo).port,
        close: () =>
          new Promise<void>((r) => {
            for (const s of open) s.destroy();
            server.close(() => r());
          }),
      });
    });
  });
}

async function main(argv: string[]) {
  const usage = 'usage: bridge.js <unix-socket-path> <port> [--ready-fd N] [--watch-pid PID] [-- command…]';
  const dash = argv.indexOf('--');
  const command = dash >= 0 ? argv.slice(dash + 1) : [];
  const [socketPath, portText, ...rest] = dash >= 0 ? argv.slice(0, dash) : argv;
  const port = Number(portText);
  if (!socketPath || !/^\d+$/.test(portText ?? '') || port > 65535 || (dash >= 0 && !command.length)) fail(usage);
  let readyFd: number | null = null;
  let watchPid: number | null = null;
  for (let i = 0; i < rest.length; i += 2) {
    const value = Number(rest[i + 1]);
    if (!Number.isInteger(value) || value < 0) fail(usage);
    if (rest[i] === '--ready-fd') readyFd = value;
    else if (rest[i] === '--watch-pid') watchPid = value;
    else fail(usage);
  }
  let bridge: Bridge;
  try {
    bridge = await startBridge(socketPath, port);
  } catch (e) {
    // Fail closed: without the bridge the agent would have no network it was promised, so it
    // does not start at all.
    fail(`agentguard: the egress bridge cannot listen on 127.0.0.1:${port} inside the sandbox (${(e as Error).message}); the agent was not started`);
  }
  if (readyFd !== null) {
    fs.writeSync(readyFd, `ready ${bridge.port}\n`);
    fs.closeSync(readyFd);
  }
  if (watchPid !== null) {
    const pid = watchPid;
    setInterval(() => {
      try {
        process.kill(pid, 0);
      } catch {
        process.exit(0);
      }
    }, 1000).unref(); // the listening server is what keeps the process alive
  }
  if (command.length) return runAgent(command);
  for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(sig, () => process.exit(0));
}

/** Runs the agent in the foreground of the same terminal; the bridge ends with it. */
function runAgent(command: string[]) {
  const child = spawn(command[0], command.slice(1), { stdio: 'inherit' });
  // Keys like Ctrl-C reach the agent directly (same process group); the bridge ignores them.
  for (const sig of ['SIGINT', 'SIGQUIT', 'SIGTSTP'] as const) process.on(sig, () => {});
  for (const sig of ['SIGTERM', 'SIGHUP'] as const) process.on(sig, () => child.kill(sig));
  child.on('error', (e) => fail(`agentguard: cannot start ${command[0]}: ${e.message}`, 127));
  child.on('exit', (code, signal) => {
    if (signal) {
      // Die of the same signal, so the session reports what happened to the agent.
      process.removeAllListeners(signal);
      process.kill(process.pid, signal);
    }
    process.exit(code ?? 1);
  });
}

function fail(message: string, code = 2): never {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

function isMain(): boolean {
  try {
    return !!process.argv[1] && import.meta.url === pathToFileURL(fs.realpathSync(process.argv[1])).href;
  } catch {
    return false;
  }
}

if (isMain()) void main(process.argv.slice(2));
