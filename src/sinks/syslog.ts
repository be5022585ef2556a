// The syslog sinks. Remote: RFC 5424 over UDP (one datagram per record, RFC 5426: fire and
// forget, a dead receiver is not seen) or TCP (octet-counted frames, RFC 6587, one connection
// per writer, reconnected after a failure). Local: Node has no unix datagram sockets, so one
// long-lived `logger` (util-linux, on every Debian and Fedora system) per writer reads the
// records on its stdin, one line each with its own priority (--prio-prefix), and sends them
// to the daemon's socket as RFC 5424; a child's failure (no daemon, no logger) is the sink's.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import dgram from 'node:dgram';
import net from 'node:net';
import os from 'node:os';
import { LOGGER } from '../anchor/settings.js';
import { formatRfc5424, octetCounted, priority, SD_ID } from './rfc5424.js';
import type { SinkItem, Transport } from './queue.js';

/** Above this a datagram would not go out (EMSGSIZE) and block the queue: the record is sent as a stub naming its hash. */
const MAX_DATAGRAM = 60_000;
const CONNECT_TIMEOUT_MS = 3_000;

function stub(i: SinkItem): SinkItem {
  const line = JSON.stringify({ v: i.record.v, session: i.session, seq: i.seq, time: i.time, type: i.type, truncated: true, hash: i.record.hash });
  return { ...i, line };
}

export function udpTransport(host: string, port: number): Transport {
  const sock = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
  sock.unref();
  // Each send reports its own failure; an error event with no listener would end the process.
  sock.on('error', () => undefined);
  const name = os.hostname();
  return {
    async send(batch) {
      for (const i of batch) {
        let msg = Buffer.from(formatRfc5424(i, name, process.pid));
        if (msg.length > MAX_DATAGRAM) msg = Buffer.from(formatRfc5424(stub(i), name, process.pid));
        await new Promise<void>((resolve, reject) => sock.send(msg, port, host, (e) => (e ? reject(e) : resolve())));
      }
    },
    end() {
      return new Promise<void>((r) => sock.close(() => r()));
    },
    destroy() {
      try {
        sock.close();
      } catch {
        // closed already
      }
    },
  };
}

export function tcpTransport(host: string, port: number): Transport {
  const name = os.hostname();
  let sock: net.Socket | null = null;
  const connect = () =>
    new Promise<net.Socket>((resolve, reject) => {
      const s = net.connect({ host, port });
      const timer = setTimeout(() => s.destroy(new Error(`connect to ${host}:${port}: no answer within ${CONNECT_TIMEOUT_MS / 1000} s`)), CONNECT_TIMEOUT_MS);
      s.once('connect', () => {
        clearTimeout(timer);
        s.on('close', () => {
          if (sock === s) sock = null;
        });
        resolve(s);
      });
      // For the socket's whole life: an error with no listener would end the session's process.
      s.on('error', (e) => {
        clearTimeout(timer);
        if (sock === s) sock = null;
        reject(e);
      });
      sock = s;
    });
  return {
    async send(batch) {
      const s = sock && !sock.connecting && !sock.destroyed ? sock : await connect();
      const data = batch.map((i) => octetCounted(formatRfc5424(i, name, process.pid))).join('');
      await new Promise<void>((resolve, reject) => {
        const onError = (e: Error) => reject(e);
        s.once('error', onError);
        s.write(data, (e) => {
          s.off('error', onError);
          if (e) reject(e);
          else resolve();
        });
      });
    },
    end() {
      const s = sock;
      if (!s || s.destroyed) return Promise.resolve();
      return new Promise<void>((r) => {
        s.once('close', () => r());
        s.end();
      });
    },
    destroy() {
      sock?.destroy();
      sock = null;
    },
  };
}

/** The local daemon through `logger`, started at the first record (whose session names the structured data). */
export function localTransport(socket: string): Transport {
  let child: ChildProcessWithoutNullStreams | null = null;
  let exited: Promise<number | null> = Promise.resolve(null);
  let stderr = '';
  const start = (session: string) => {
    const c = spawn(
      LOGGER,
      ['--rfc5424=notq', '--socket-errors=on', '-u', socket, '--prio-prefix', '-t', 'agentguard', '--size', '65536', '--sd-id', SD_ID, '--sd-param', `session="${session.replace(/["\\\]]/g, '\\$&')}"`],
      { stdio: ['pipe', 'pipe', 'pipe'] },
    );
    c.stdout.resume();
    c.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-500)));
    c.stdin.on('error', () => undefined);
    exited = new Promise((resolve) => {
      c.once('error', (e) => {
        stderr = `cannot run logger (util-linux): ${e.message}`;
        resolve(-1);
      });
      c.once('exit', (code) => resolve(code));
    });
    void exited.then(() => {
      if (child === c) child = null;
    });
    return c;
  };
  return {
    async send(batch) {
      const c = (child ??= start(batch[0].session));
      const data = batch.map((i) => `<${priority(i.record)}>${i.line}\n`).join('');
      // An exit before or during the write is a failure; logger itself says why on stderr.
      const failed = exited.then((code) => Promise.reject(new Error(`logger: ${stderr.trim().split('\n').pop() || `exited with ${code}`}`)));
      await Promise.race([new Promise<void>((resolve, reject) => c.stdin.write(data, (e) => (e ? reject(e) : resolve()))), failed]);
    },
    async end() {
      const c = child;
      if (!c) return;
      c.stdin.end();
      const code = await exited;
      if (code !== 0) throw new Error(`logger: ${stderr.trim().split('\n').pop() || `exited with ${code}`}`);
    },
    destroy() {
      child?.kill();
      child = null;
    },
  };
}
