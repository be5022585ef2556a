// Writing heads to the anchor. Node has no unix datagram sockets, and journald's and a
// syslog daemon's sockets are datagram sockets, so heads go through util-linux `logger`:
// for a session, one long-lived `logger` reading one head per line on its stdin (one process
// per session, not one per record; a write to its pipe never blocks the event loop, and the
// queue in front of it is bounded: past the bound heads are dropped and counted); for the
// short-lived `agentguard check` and hooks, one detached `logger` per process with the head
// as its argument, started after the record is written and never waited for.
import { spawn, type ChildProcess } from 'node:child_process';
import type { AnchorHead, AnchorSink } from '../log/store.js';
import { ANCHOR_TAG, anchorLine, chooseAnchor, LOGGER, type AnchorSettings } from './settings.js';

/** Bytes of heads queued for `logger` before further heads are dropped (a head is ~230 bytes). */
const QUEUE_BYTES = 64 * 1024;
/** How long the end of a session waits for the last head to reach the anchor. */
const CLOSE_WAIT_MS = 1000;

const loggerArgs = (socket: string) => ['-t', ANCHOR_TAG, '-u', socket, '--socket-errors=on'];

/** No anchor: session-start records `anchor: none` and verify reports its sessions unanchored. */
export const noAnchor: AnchorSink = { kind: 'none', head() {}, close() {} };

export interface RunningAnchor extends AnchorSink {
  /** Heads dropped because the queue was full or logger was gone. */
  readonly dropped: number;
  readonly note?: string;
}

export interface AnchorOptions {
  /**
   * Called once when heads stop reaching the anchor before close: its logger ended (an agent
   * without the sandbox can `kill` it: a literal pid is routine for the policy) or stopped
   * taking them. The session records it and tells the person; later heads are dropped.
   */
  onLost?: (reason: string) => void;
}

/** A session's anchor: one `logger` process for the whole session. */
export function startAnchor(settings: AnchorSettings, opts: AnchorOptions = {}): RunningAnchor {
  const choice = chooseAnchor(settings);
  if (!choice.socket) return { ...noAnchor, dropped: 0, note: choice.note };
  let child: ChildProcess | null;
  let dropped = 0;
  let exited = false;
  let closing = false;
  let said = false;
  const lost = (reason: string) => {
    if (closing || said) return;
    said = true;
    try {
      opts.onLost?.(reason);
    } catch {
      // the report is the session's; the anchor goes on dropping
    }
  };
  try {
    // Its own process group: a signal to agentguard's group (the terminal's Ctrl-C, kill -INT -PGID)
    // must not end the anchor before the session's last head. It exits at EOF when we do.
    child = spawn(LOGGER, loggerArgs(choice.socket), { stdio: ['pipe', 'ignore', 'ignore'], detached: true });
  } catch {
    child = null;
  }
  // Never what keeps agentguard running: close() waits for it, bounded, and nothing else does.
  child?.unref();
  (child?.stdin as { unref?: () => void } | null | undefined)?.unref?.();
  if (!child) lost('logger could not be started');
  child?.on('error', (e) => {
    exited = true;
    lost(`logger could not run: ${e.message}`);
  });
  child?.on('exit', (code, signal) => {
    exited = true;
    lost(`the anchor's logger (pid ${child?.pid}) ended ${signal ? `by ${signal}` : `with exit status ${code}`}`);
  });
  child?.stdin?.on('error', (e) => {
    exited = true;
    lost(`the anchor's logger stopped reading: ${e.message}`);
  });
  return {
    kind: choice.kind,
    get dropped() {
      return dropped;
    },
    head(h: AnchorHead) {
      const stdin = child?.stdin;
      if (!stdin || exited || stdin.writableLength > QUEUE_BYTES) {
        dropped++;
        if (!exited) lost(`the anchor's logger (pid ${child?.pid}) is not taking heads (stopped?): dropped from #${h.seq}`);
        return;
      }
      stdin.write(anchorLine(h) + '\n');
    },
    async close() {
      closing = true;
      if (!child || exited) return;
      const c = child;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          c.kill('SIGKILL');
          resolve();
        }, CLOSE_WAIT_MS);
        c.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        c.stdin?.end();
      });
    },
  };
}

/** Heads waiting for the detached logger, one per session: the last one wins. */
const pending = new Map<string, { socket: string; line: string }>();

/**
 * For a process that writes a record and exits (`agentguard check`, the hooks): the head goes
 * out on close through a detached `logger` nobody waits for, started on the next turn of the
 * event loop, after the answer is printed (the spawn costs a millisecond or two, paid on the
 * way out). A batch of checks in one process sends the last head of each log once per turn.
 */
export function detachedAnchor(settings: AnchorSettings): AnchorSink {
  const choice = chooseAnchor(settings);
  if (!choice.socket) return { ...noAnchor, note: choice.note };
  const socket = choice.socket;
  let last: AnchorHead | null = null;
  return {
    kind: choice.kind,
    head(h) {
      last = h;
    },
    close() {
      if (!last) return;
      if (!pending.size) setImmediate(flushDetached);
      pending.set(last.session, { socket, line: anchorLine(last) });
    },
  };
}

function flushDetached() {
  const heads = [...pending.values()];
  pending.clear();
  for (const h of heads) {
    try {
      const c = spawn(LOGGER, [...loggerArgs(h.socket), '--', h.line], { stdio: 'ignore', detached: true });
      c.on('error', () => {});
      c.unref();
    } catch {
      // the record is written; its head is not anchored, and verify will say so
    }
  }
}
