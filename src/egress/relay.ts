// Moving bytes between two sockets inside Node, faster than pipe(). Node reads a socket
// 64 KB at a time into a fresh buffer; at loopback speed the cost per chunk, not the
// copying, is the limit (a pipe() relay reached a quarter of a direct transfer). Here the
// upstream socket reads into one fixed 1 MB buffer (net's `onread` option), each chunk is
// written on and reading pauses until that write is done, so the buffer is free again:
// fewer, larger reads, no allocation, and backpressure for free. A relay can also be
// stopped cleanly, so that a long tunnel can be handed to the splice relay (bridge.c).
import net from 'node:net';

export const READ_BUFFER_SIZE = 1 << 20;

export interface Relay {
  socket: net.Socket;
  /** Starts (or resumes) forwarding what the socket reads to `to`, and its end. */
  forwardTo(to: net.Socket): void;
  /** What arrived while nothing was forwarded; reading stays paused. */
  takeEarly(): Buffer[];
  /** Stops forwarding once the write in flight is done; reading stays paused. */
  stop(): Promise<void>;
  /** Calls `cb` once, when at least `bytes` have been forwarded. */
  whenForwarded(bytes: number, cb: () => void): void;
  /** Bytes forwarded so far. */
  forwarded(): number;
}

/**
 * Connects with a large read buffer. Until forwardTo() is called, what arrives (a server that
 * speaks first: SSH, SMTP) is copied aside and reading pauses.
 */
export function connectRelay(options: net.NetConnectOpts, size = READ_BUFFER_SIZE): Relay {
  let sink: net.Socket | null = null;
  let ended = false;
  let inflight = false;
  let stopped: (() => void) | null = null;
  let forwarded = 0;
  let watch: { bytes: number; cb: () => void } | null = null;
  const early: Buffer[] = [];
  const socket = net.connect({
    ...options,
    onread: {
      buffer: Buffer.allocUnsafe(size),
      callback: (n: number, buf: Uint8Array) => {
        if (!sink) {
          early.push(Buffer.from(buf.subarray(0, n)));
          return false;
        }
        inflight = true;
        forwarded += n;
        sink.write(buf.subarray(0, n), (err) => {
          inflight = false;
          if (err) {
            // A stop() waiting for this write learns of it first (and finds the socket gone).
            socket.destroy();
            const done = stopped;
            stopped = null;
            return void done?.();
          }
          if (stopped) {
            const done = stopped;
            stopped = null;
            return done();
          }
          if (watch && forwarded >= watch.bytes) {
            const w = watch;
            watch = null;
            queueMicrotask(w.cb);
          }
          socket.resume();
        });
        return false; // paused until the write is done: the buffer is reused by the next read
      },
    },
  } as net.NetConnectOpts);
  socket.once('end', () => {
    ended = true;
    sink?.end();
  });
  return {
    socket,
    takeEarly: () => early.splice(0),
    forwardTo(to) {
      sink = to;
      for (const b of early.splice(0)) to.write(b);
      if (ended) to.end();
      else socket.resume();
    },
    stop() {
      sink = null;
      if (inflight) return new Promise((resolve) => (stopped = resolve));
      socket.pause();
      return Promise.resolve();
    },
    whenForwarded(bytes, cb) {
      watch = { bytes, cb };
    },
    forwarded: () => forwarded,
  };
}

export interface Joined {
  /** Takes both sockets out of the join: no more forwarding, no more close handling. */
  detach(): Promise<void>;
}

/**
 * Two sockets joined: `relay` carries the download direction, pipe() the upload one.
 * Half-closes pass through (each side is ended once its source ends); a side that closes
 * without ending (a reset, a kill) takes the other down with it.
 */
export function join(client: net.Socket, relay: Relay, onClosed?: () => void): Joined {
  const upstream = relay.socket;
  const kill = () => {
    client.destroy();
    upstream.destroy();
  };
  let open = 2;
  const closed = () => {
    if (--open === 0) onClosed?.();
  };
  const clientClosed = () => {
    if (!upstream.writableEnded) upstream.destroy();
    closed();
  };
  const upstreamClosed = () => {
    if (!client.writableEnded) client.destroy();
    closed();
  };
  client.on('error', kill);
  upstream.on('error', kill);
  client.once('close', clientClosed);
  upstream.once('close', upstreamClosed);
  client.pipe(upstream);
  relay.forwardTo(client);
  return {
    async detach() {
      client.unpipe(upstream);
      client.pause();
      await relay.stop();
      client.off('close', clientClosed).off('error', kill).on('error', () => {});
      upstream.off('close', upstreamClosed).off('error', kill).on('error', () => {});
    },
  };
}
