// The short-lived writers' sinks (`check`, the hooks): file sinks appended before the writer
// exits, network sinks left in a spool file for the delivery process (deliver.ts), which is
// started unless one runs already.
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { processStart, stateDir, type LogRecord } from '../log/store.js';
import { DELIVERY_BOUND_MS, openLogSinks, toItem, type SinkOptions } from './index.js';
import { DEFAULT_QUEUE, type SinkItem } from './queue.js';
import { parseSinkSpecs, type SinkSpec } from './spec.js';

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
    // XDG_CONFIG_HOME too: the loss it writes to a daily log is sealed with the person's key, found there.
    env: { PATH: env.PATH ?? '/usr/bin:/bin', HOME: env.HOME ?? '', ...(env.XDG_STATE_HOME ? { XDG_STATE_HOME: env.XDG_STATE_HOME } : {}), ...(env.XDG_CONFIG_HOME ? { XDG_CONFIG_HOME: env.XDG_CONFIG_HOME } : {}), ...Object.fromEntries(Object.entries(env).filter(([k]) => k.startsWith('OTEL_'))) },
  });
  child.on('error', () => undefined);
  child.unref();
}

/**
 * Whether the delivery process named in its lock file lives (deliver.ts takes and drops the
 * lock, writing its pid and start time): a process that died without dropping it (SIGKILL, a
 * reboot) leaves a pid another process may get, which must not pass for it.
 */
export function deliveryRunning(lock: string): boolean {
  try {
    const [pidText, start] = fs.readFileSync(lock, 'utf8').trim().split(/\s+/);
    const pid = Number(pidText);
    if (!(pid > 0)) return false;
    if (start !== undefined && processStart(pid) !== start) return false;
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
