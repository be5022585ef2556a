// The session's unix socket: one request line in, one reply line out, per connection.
// The socket lives in a directory only the user can enter, and is itself mode 0600.
import fs from 'node:fs';
import net from 'node:net';
import { denyReply, parseRequest, type ExitReport, type ShimRequest } from './protocol.js';

const MAX_REQUEST = 4 * 1024 * 1024;

/** `signal` is aborted when the requester disconnects before its answer: it is gone, and so is its question. */
export type RequestHandler = (req: ShimRequest | ExitReport, signal: AbortSignal) => Promise<string>;

export interface SessionServer {
  server: net.Server;
  /** Stops listening and drops every open connection, aborting the requests still waiting. */
  close(): void;
}

export function listen(socketPath: string, handle: RequestHandler): Promise<SessionServer> {
  const open = new Set<net.Socket>();
  const server = net.createServer((conn) => {
    let buf = '';
    let done = false;
    const gone = new AbortController();
    open.add(conn);
    conn.setEncoding('utf8');
    conn.on('error', () => {});
    conn.on('close', () => {
      open.delete(conn);
      gone.abort();
    });
    conn.on('data', (chunk: string) => {
      if (done) return;
      buf += chunk;
      const nl = buf.indexOf('\n');
      if (nl < 0) {
        if (buf.length > MAX_REQUEST) {
          done = true;
          conn.end(denyReply('agentguard: request too large; the command was not run'));
        }
        return;
      }
      done = true;
      let req: ShimRequest | ExitReport;
      try {
        req = parseRequest(buf.slice(0, nl));
      } catch (e) {
        conn.end(denyReply(`agentguard: malformed request (${(e as Error).message}); the command was not run`));
        return;
      }
      handle(req, gone.signal).then(
        (reply) => conn.end(reply),
        // Fail closed: an internal error refuses the command.
        (e: Error) => conn.end(denyReply(`agentguard: internal error (${e.message}); the command was not run`)),
      );
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => {
      fs.chmodSync(socketPath, 0o600);
      resolve({
        server,
        close() {
          server.close();
          for (const c of open) c.destroy();
        },
      });
    });
  });
}
