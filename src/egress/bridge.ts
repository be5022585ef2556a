// The bridge: runs INSIDE the sandbox, where only loopback exists, and forwards each TCP
// connection on 127.0.0.1:<port> to the proxy's unix socket (bound in from outside). It
// understands nothing of HTTP: every decision is the proxy's, outside the agent's reach.
// Node built-ins only, nothing else imported, so that it starts as fast as node does.
//
//   node dist/egress/bridge.js <unix-socket-path> <port> [--ready-fd N] [--watch-pid PID]
//
// --ready-fd N   writes "ready <port>\n" to file descriptor N once listening (port 0 picks one),
//                so the session can start the agent only when the proxy is reachable.
// --watch-pid P  exits when process P is gone (when the sandbox has no pid namespace of its own,
//                nothing else would end the bridge after the agent).
import fs from 'node:fs';
import net from 'node:net';
import { pathToFileURL } from 'node:url';

export interface Bridge {
  server: net.Server;
  port: number;
  close(): Promise<void>;
}

export function startBridge(socketPath: string, port: number, host = '127.0.0.1'): Promise<Bridge> {
  const open = new Set<net.Socket>();
  // allowHalfOpen on both sides: a client that has sent its request (FIN) still gets the answer.
  const server = net.createServer({ allowHalfOpen: true, noDelay: true }, (client) => {
    const upstream = net.connect({ path: socketPath, allowHalfOpen: true });
    open.add(client).add(upstream);
    const kill = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', kill);
    upstream.on('error', kill);
    client.once('close', () => {
      open.delete(client);
      if (!upstream.writableEnded) upstream.destroy();
    });
    upstream.once('close', () => {
      open.delete(upstream);
      if (!client.writableEnded) client.destroy();
    });
    client.pipe(upstream);
    upstream.pipe(client);
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
  const usage = 'usage: bridge.js <unix-socket-path> <port> [--ready-fd N] [--watch-pid PID]';
  const [socketPath, portText, ...rest] = argv;
  const port = Number(portText);
  if (!socketPath || !/^\d+$/.test(portText ?? '') || port > 65535) fail(usage);
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
    fail(`agentguard bridge: cannot listen on 127.0.0.1:${port}: ${(e as Error).message}`);
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
  for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(sig, () => process.exit(0));
}

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}

function isMain(): boolean {
  try {
    return !!process.argv[1] && import.meta.url === pathToFileURL(fs.realpathSync(process.argv[1])).href;
  } catch {
    return false;
  }
}

if (isMain()) void main(process.argv.slice(2));
