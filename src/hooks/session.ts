// Inside an `agentguard shell` session a hook does not decide: it hands the command to the
// session over its unix socket (the shim protocol, src/session/protocol.ts), so the person
// answers once, at the session's prompt. One request line out, one reply line back.
import net from 'node:net';
import type { HookOrigin } from '../session/protocol.js';

export interface SessionAnswer {
  allow: boolean;
  /** The session's message for a refusal ("agentguard: denied by …"). */
  message: string;
}

/**
 * The request line for a hook: a "typed line" checked like any other, with no shell to hand a
 * token to, and where it comes from (agent, project, the agent's session) for the session's log.
 */
export function hookRequest(command: string, cwd: string, origin?: HookOrigin): string {
  return JSON.stringify({ v: 1, shell: 'hook', mode: 'line', cwd, pid: process.pid, ppid: process.ppid, argv: [], script: command, ...(origin ? { hook: origin } : {}) }) + '\n';
}

/** Parses the session's reply; anything but ALLOW or DENY is an error. */
export function parseReply(line: string): SessionAnswer {
  const l = line.replace(/\r?\n$/, '');
  if (/^ALLOW(?: |$)/.test(l)) return { allow: true, message: '' };
  const m = /^DENY(?: (.*))?$/s.exec(l);
  if (m) return { allow: false, message: m[1]?.trim() || 'agentguard: the session refused the command' };
  throw new Error(`the session sent an unexpected reply (${JSON.stringify(l.slice(0, 80))})`);
}

/**
 * Asks the session. Rejects when the socket cannot be reached, the session closes without
 * an answer, the reply is malformed, or nobody answers within timeoutMs: the caller blocks.
 */
export function askSession(socketPath: string, command: string, cwd: string, timeoutMs: number, origin?: HookOrigin): Promise<SessionAnswer> {
  return new Promise((resolve, reject) => {
    if (!socketPath) {
      reject(new Error('AGENTGUARD_SOCKET is set but empty'));
      return;
    }
    let buf = '';
    let settled = false;
    const conn = net.createConnection(socketPath);
    const finish = (err: Error | null, answer?: SessionAnswer) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      conn.destroy();
      if (err) reject(err);
      else resolve(answer!);
    };
    const timer = setTimeout(() => finish(new Error(`no answer from the agentguard session within ${Math.round(timeoutMs / 1000)} s`)), timeoutMs);
    conn.setEncoding('utf8');
    conn.on('connect', () => conn.write(hookRequest(command, cwd, origin)));
    conn.on('data', (chunk: string) => {
      buf += chunk;
      const nl = buf.indexOf('\n');
      if (nl >= 0) {
        try {
          finish(null, parseReply(buf.slice(0, nl)));
        } catch (e) {
          finish(e as Error);
        }
      } else if (buf.length > 1024 * 1024) finish(new Error('the session sent an overlong reply'));
    });
    conn.on('end', () => {
      if (!buf) return finish(new Error('the session closed the connection without an answer'));
      try {
        finish(null, parseReply(buf));
      } catch (e) {
        finish(e as Error);
      }
    });
    conn.on('error', (e: NodeJS.ErrnoException) => finish(new Error(`cannot reach the agentguard session at ${socketPath} (${e.code ?? e.message})`)));
    conn.on('close', () => finish(new Error('the session closed the connection without an answer')));
  });
}
