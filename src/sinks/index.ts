// Log sinks: ship every record of a session log (and of `check`'s and the hooks' daily logs)
// to a team's pipeline. Wired into the log through SessionLog's `onAppend`, which only puts
// the record on each sink's bounded queue (queue.ts): delivery is asynchronous and a dead
// sink never slows a command. At the end, each sink gets a bounded time to deliver; what was
// dropped or left is written to the log as a `sink-loss` record and kept per sink in
// $XDG_STATE_HOME/agentguard/sinks.json for `agentguard doctor`.
// Short-lived writers (check, hooks) hand network sinks to a detached delivery process
// (deliver.ts) so that neither the answer nor the process's exit waits on the network.
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stateDir, type LogRecord } from '../log/store.js';
import { DEFAULT_QUEUE, SinkQueue, type SinkFigures, type SinkItem, type Transport } from './queue.js';
import { parseSinkSpecs, type SinkSpec } from './spec.js';

export { parseSinkSpec, parseSinkSpecs, SinkSpecError, SINK_FORMS, type SinkSpec } from './spec.js';
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

/** What sinks.json holds for one sink. */
export interface SinkHistory {
  /** The last writer that used it. */
  last: { time: string; sent: number; lost: number; error?: string };
  /** Totals since the file was created. */
  sent: number;
  lost: number;
  /** The last time it lost records. */
  lastLoss?: { time: string; lost: number; sessions: string[]; error?: string };
}

export function sinksStateFile(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(stateDir(env), 'sinks.json');
}

export function readSinkHistory(env: NodeJS.ProcessEnv = process.env): Record<string, SinkHistory> {
  try {
    return JSON.parse(fs.readFileSync(sinksStateFile(env), 'utf8')) as Record<string, SinkHistory>;
  } catch {
    return {};
  }
}

function recordFigures(figures: SinkFigures[], env: NodeJS.ProcessEnv = process.env): void {
  const file = sinksStateFile(env);
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  // Read-modify-rename: two writers ending at once may lose one's update of the totals, never the file.
  const all = readSinkHistory(env);
  const time = new Date().toISOString();
  for (const f of figures) {
    const lost = f.dropped + f.unsent;
    const h = all[f.spec] ?? { last: { time, sent: 0, lost: 0 }, sent: 0, lost: 0 };
    h.last = { time, sent: f.sent, lost, ...(f.error ? { error: f.error } : {}) };
    h.sent += f.sent;
    h.lost += lost;
    if (lost) h.lastLoss = { time, lost, sessions: Object.keys(f.lostSeqs), ...(f.error ? { error: f.error } : {}) };
    all[f.spec] = h;
  }
  const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}`;
  fs.writeFileSync(tmp, JSON.stringify(all, null, 1) + '\n', { mode: 0o600 });
  fs.renameSync(tmp, file);
}

/**
 * Sinks for `check` and the hooks, which write a record or a few and exit. File sinks are
 * written before `finish` returns (a local append); network sinks are handed, with the
 * records, to a detached process (deliver.ts) that delivers them within DELIVERY_BOUND_MS
 * and records any loss: the agent waits for the hook's exit, so nothing network waits there.
 */
export function shortLivedSinks(specs: readonly string[], opts: SinkOptions = {}): { onAppend: (record: LogRecord, line: string) => void; finish: () => Promise<void> } | null {
  const parsed = parseSinkSpecs(specs);
  if (!parsed.length) return null;
  const files = openLogSinks(
    parsed.filter((s) => s.kind === 'file'),
    opts,
  );
  const network = parsed.filter((s) => s.kind !== 'file');
  const items: SinkItem[] = [];
  return {
    onAppend: (record, line) => {
      files?.onAppend(record, line);
      if (network.length && items.length < (opts.queue ?? DEFAULT_QUEUE)) items.push(toItem(record, line));
    },
    async finish() {
      if (network.length && items.length) handOver(network, items, opts);
      // Loss of a file sink goes to sinks.json and stderr only: the daily log is closed by now.
      await files?.close({ boundMs: DELIVERY_BOUND_MS });
    },
  };
}

/**
 * The spool a delivery process reads (one JSON line with the sinks, then the records), and
 * that process started unless one is running already: it picks this file up too.
 */
function handOver(specs: SinkSpec[], items: SinkItem[], opts: SinkOptions): void {
  const env = opts.env ?? process.env;
  const dir = path.join(stateDir(env), 'sink-spool');
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const name = `${Date.now()}-${process.pid}-${crypto.randomBytes(6).toString('hex')}`;
  // Written whole under another name, then renamed: the delivery process never reads half a file.
  fs.writeFileSync(path.join(dir, `${name}.tmp`), [JSON.stringify({ specs: specs.map((s) => s.spec), queue: opts.queue }), ...items.map((i) => i.line)].join('\n') + '\n', { mode: 0o600 });
  fs.renameSync(path.join(dir, `${name}.tmp`), path.join(dir, `${name}.jsonl`));
  if (deliveryRunning(path.join(dir, 'deliver.pid'))) return;
  const child = spawn(process.execPath, [fileURLToPath(new URL('../sinks/deliver.js', import.meta.url)), dir], {
    detached: true,
    stdio: 'ignore',
    env: { PATH: env.PATH ?? '/usr/bin:/bin', HOME: env.HOME ?? '', ...(env.XDG_STATE_HOME ? { XDG_STATE_HOME: env.XDG_STATE_HOME } : {}), ...Object.fromEntries(Object.entries(env).filter(([k]) => k.startsWith('OTEL_'))) },
  });
  child.on('error', () => undefined);
  child.unref();
}

/** Whether the delivery process named in its lock file lives (deliver.ts takes and drops the lock). */
export function deliveryRunning(lock: string): boolean {
  try {
    const pid = Number(fs.readFileSync(lock, 'utf8'));
    if (!(pid > 0)) return false;
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
