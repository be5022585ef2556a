// One sink's bounded queue and its delivery loop: records wait here in memory, never on the
// writer's path (push only appends to an array), and go out in batches through the sink's
// transport when the event loop is free. A full queue drops the newest record and counts it;
// a failing transport is retried with a growing pause; closing waits a bounded time, then
// whatever is still queued counts as lost.

/** One record as a sink receives it: the session log's exact line and the fields it needs. */
export interface SinkItem {
  line: string;
  session: string;
  seq: number;
  time: string;
  type: string;
  record: Record<string, unknown>;
}

/** How one kind of sink delivers. `send` settles once the batch is handed over as far as it can tell. */
export interface Transport {
  send(batch: SinkItem[]): Promise<void>;
  /** Ends gracefully (what is in flight gets out), within the caller's bound. */
  end(): Promise<void>;
  /** Gives up at once: sockets and children go, the process can exit. */
  destroy(): void;
}

/** What happened to one sink's records in this writer. */
export interface SinkFigures {
  spec: string;
  /** Records handed to the receiver. */
  sent: number;
  /** Dropped because the queue was full. */
  dropped: number;
  /** Still queued when the writer ended and the bound passed. */
  unsent: number;
  /** Sequence numbers of the first and last record lost, per session. */
  lostSeqs: Record<string, [number, number]>;
  error?: string;
}

export const DEFAULT_QUEUE = 10_000;
const BATCH = 256;
const MAX_PAUSE_MS = 5_000;

export class SinkQueue {
  private items: SinkItem[] = [];
  private busy = false;
  private closing = false;
  private finished = false;
  private failures = 0;
  private pauseTimer: NodeJS.Timeout | null = null;
  private wake: (() => void) | null = null;
  private idle: (() => void) | null = null;
  private transport: Transport | null = null;
  readonly figures: SinkFigures;

  constructor(
    spec: string,
    private readonly open: () => Promise<Transport>,
    private readonly max = DEFAULT_QUEUE,
  ) {
    this.figures = { spec, sent: 0, dropped: 0, unsent: 0, lostSeqs: {} };
  }

  /** Queues one record; never blocks, never throws. */
  push(item: SinkItem): void {
    if (this.closing) return;
    if (this.items.length >= this.max) {
      // The newest goes: what is queued is the continuation of what the receiver already has,
      // and dropping at the tail needs no copying of a 10,000-entry array on the writer's path.
      this.figures.dropped++;
      this.lost(item);
      return;
    }
    this.items.push(item);
    if (!this.busy) {
      this.busy = true;
      setImmediate(() => void this.pump());
    }
  }

  get queued(): number {
    return this.items.length;
  }

  private lost(item: SinkItem) {
    const r = this.figures.lostSeqs[item.session];
    if (!r) this.figures.lostSeqs[item.session] = [item.seq, item.seq];
    else this.figures.lostSeqs[item.session] = [Math.min(r[0], item.seq), Math.max(r[1], item.seq)];
  }

  private async pump(): Promise<void> {
    this.busy = true;
    try {
      while (this.items.length) {
        const batch = this.items.slice(0, BATCH);
        try {
          this.transport ??= await this.open();
          await this.transport.send(batch);
          // Given up on meanwhile (close's bound passed): those were counted as unsent.
          if (this.finished) break;
          this.items.splice(0, batch.length);
          this.figures.sent += batch.length;
          this.failures = 0;
        } catch (e) {
          if (this.finished) break;
          this.figures.error = (e as Error).message;
          this.failures++;
          // Closing: one more try right away is all the bound allows for.
          if (this.closing && this.failures > 1) break;
          await this.pause(Math.min(MAX_PAUSE_MS, 50 * 2 ** this.failures));
        }
      }
    } finally {
      this.busy = false;
      this.idle?.();
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.wake = resolve;
      this.pauseTimer = setTimeout(resolve, ms);
      // A pause never keeps a short-lived writer alive; close() decides how long to wait.
      this.pauseTimer.unref();
    });
  }

  /** Delivers what it can within `boundMs`, then gives up on the rest: it is counted as unsent. */
  async close(boundMs: number): Promise<SinkFigures> {
    this.closing = true;
    const deadline = Date.now() + boundMs;
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<void>((r) => (timer = setTimeout(r, boundMs)));
    if (this.items.length) {
      if (this.pauseTimer) {
        clearTimeout(this.pauseTimer);
        this.wake?.();
      }
      const done = new Promise<void>((r) => (this.idle = r));
      if (!this.busy) void this.pump();
      await Promise.race([done, bound]);
    }
    this.finished = true;
    if (this.items.length) {
      this.figures.unsent = this.items.length;
      for (const i of this.items) this.lost(i);
      this.items = [];
      this.transport?.destroy();
    } else if (this.transport) {
      const left = Math.max(0, deadline - Date.now());
      const ended = await Promise.race([this.transport.end().then(() => true, () => false), new Promise<boolean>((r) => setTimeout(() => r(false), left).unref())]);
      if (!ended) this.transport.destroy();
    }
    clearTimeout(timer);
    return this.figures;
  }
}
