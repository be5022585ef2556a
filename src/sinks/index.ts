// Log sinks: ship every record of a session log (and of `check`'s and the hooks' daily logs)
// to a team's pipeline. Wired into the log through SessionLog's `onAppend`, which only puts
// the record on each sink's bounded queue (queue.ts): delivery is asynchronous and a dead
// sink never slows a command. At the end, each sink gets a bounded time to deliver; what was
// dropped or left is written to the log as a `sink-loss` record and kept per sink in
// $XDG_STATE_HOME/agentguard/sinks.json for `agentguard doctor`.
// Short-lived writers (check, hooks) hand network sinks to a detached delivery process
// (spool.ts, deliver.ts) so that neither the answer nor the process's exit waits on the network.
import type { LogRecord } from '../log/store.js';
import { recordFigures } from './history.js';
import { DEFAULT_QUEUE, SinkQueue, type SinkFigures, type SinkItem, type Transport } from './queue.js';
import { parseSinkSpecs, type SinkSpec } from './spec.js';

export { parseSinkSpec, parseSinkSpecs, SinkSpecError, SINK_FORMS, type SinkSpec } from './spec.js';
export { readSinkHistory, sinksStateFile, type SinkHistory } from './history.js';
export type { SinkFigures } from './queue.js';

/** How long a session's end waits for its sinks: a dead one costs the person at most this. */
export const SESSION_BOUND_MS = 1_500;
/** How long the detached delivery process of `check` and the hooks keeps trying. */
export const DELIVERY_BOUND_MS = 2_000;

/** The log a sink's loss is written to (a SessionLog). */
export interface LossLog {
  append(type: string, fields: Record<string, unknown>): number;
}

export interface LogSinks {
  readonly specs: SinkSpec[];
  /** SessionLog's onAppend: queues, nothing more. */
  readonly onAppend: (record: LogRecord, line: string) => void;
  /** Each sink's figures so far (sent, dropped, the last error). */
  figures(): SinkFigures[];
  /** Delivers within the bound, then writes what was lost to `log` (one `sink-loss` record per sink that lost any) and sinks.json. */
  close(opts?: { boundMs?: number; log?: LossLog; warn?: (message: string) => void }): Promise<SinkFigures[]>;
}

export interface SinkOptions {
  /** Records held per sink before the newest are dropped (config.yaml log.queue). */
  queue?: number;
  env?: NodeJS.ProcessEnv;
}

export function toItem(record: LogRecord, line: string): SinkItem {
  return { line, session: record.session, seq: record.seq, time: record.time, type: record.type, record };
}

function transportFor(s: SinkSpec): () => Promise<Transport> {
  // Each kind loads on its first record: a writer with only a file sink never loads sockets or the OpenTelemetry SDK.
  switch (s.kind) {
    case 'file':
      return async () => (await import('./file.js')).fileTransport(s.path);
    case 'otlp':
      return async () => (await import('./otlp.js')).otlpTransport(s.url);
    case 'syslog': {
      if (s.transport === 'local') return async () => (await import('./syslog.js')).localTransport(s.socket);
      const { host, port } = s;
      return s.transport === 'udp' ? async () => (await import('./syslog.js')).udpTransport(host, port) : async () => (await import('./syslog.js')).tcpTransport(host, port);
    }
  }
}

/** Opens the sinks of a list of SPECs (throws SinkSpecError on a bad one); null when there are none. */
export function openLogSinks(specs: readonly (string | SinkSpec)[], opts: SinkOptions = {}): LogSinks | null {
  const parsed = specs.map((s) => (typeof s === 'string' ? parseSinkSpecs([s])[0] : s)).filter((s, i, all) => all.findIndex((o) => o.spec === s.spec) === i);
  if (!parsed.length) return null;
  const queues = parsed.map((s) => new SinkQueue(s.spec, transportFor(s), opts.queue ?? DEFAULT_QUEUE));
  let open = true;
  return {
    specs: parsed,
    onAppend: (record, line) => {
      if (!open) return;
      const item = toItem(record, line);
      for (const q of queues) q.push(item);
    },
    figures: () => queues.map((q) => ({ ...q.figures })),
    async close({ boundMs = SESSION_BOUND_MS, log, warn } = {}) {
      open = false;
      const figures = await Promise.all(queues.map((q) => q.close(boundMs)));
      reportLoss(figures, { log, warn, env: opts.env });
      return figures;
    },
  };
}

/** Writes the loss: a `sink-loss` record per sink that lost any, a warning, and sinks.json (always: doctor shows the last run). */
export function reportLoss(figures: SinkFigures[], opts: { log?: LossLog; warn?: (message: string) => void; env?: NodeJS.ProcessEnv }): void {
  for (const f of figures) {
    const lost = f.dropped + f.unsent;
    if (!lost) continue;
    try {
      opts.log?.append('sink-loss', { sink: f.spec, lost, dropped: f.dropped, unsent: f.unsent, seqs: f.lostSeqs, sent: f.sent, ...(f.error ? { error: f.error } : {}) });
    } catch {
      // The log is gone too: sinks.json still says it.
    }
    opts.warn?.(`log sink ${f.spec}: ${lost} record${lost === 1 ? '' : 's'} not delivered (${f.dropped} dropped with the queue full, ${f.unsent} left at the end)${f.error ? `: ${f.error}` : ''}; they are in the session log`);
  }
  try {
    recordFigures(figures, opts.env);
  } catch {
    // Best effort: the loss is in the log already.
  }
}
