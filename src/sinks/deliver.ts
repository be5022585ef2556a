// The delivery process of `check` and the hooks (index.ts shortLivedSinks). Each writer leaves
// its records for network sinks in a spool file and starts this process only when none is
// running (sink-spool/deliver.pid): an agent's burst of hooks costs one process, not one each.
// It delivers every spool file it finds (first line: the sinks; then the records' log lines),
// keeps its connections while files keep coming, and ends after IDLE_MS without one, giving
// its sinks DELIVERY_BOUND_MS; any loss goes to the daily log the records came from and to
// sinks.json. Run as `node dist/sinks/deliver.js SPOOL-DIR`, never by a person.
import fs from 'node:fs';
import path from 'node:path';
import { processStart, SessionLog, type LogRecord } from '../log/store.js';
import { fileURLToPath } from 'node:url';
import { DELIVERY_BOUND_MS, openLogSinks, type LogSinks, type LossLog } from './index.js';
import { deliveryRunning } from './spool.js';
import { anchorSettings, type AnchorSettings } from '../anchor/settings.js';
import { detachedAnchor } from '../anchor/writer.js';

const IDLE_MS = 2_000;
const POLL_MS = 100;

/** Takes the lock; false when another live delivery process holds it. */
export function takeLock(lock: string): boolean {
  for (let i = 0; i < 2; i++) {
    try {
      fs.writeFileSync(lock, `${process.pid} ${processStart(process.pid) ?? ''}`.trim(), { flag: 'wx', mode: 0o600 });
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      if (deliveryRunning(lock)) return false;
      fs.rmSync(lock, { force: true });
    }
  }
  return false;
}


const spoolFiles = (dir: string) =>
  fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .sort();

/**
 * The daily logs the lost records came from: each gets the loss of its own records, its head
 * anchored like the writers' own (else verify finds the log's last record unanchored).
 */
const lossLog = (settings: AnchorSettings): LossLog => ({
  append(type, fields) {
    const seqs = (fields.seqs ?? {}) as Record<string, [number, number]>;
    let seq = -1;
    for (const [session, range] of Object.entries(seqs)) {
      const l = new SessionLog(session, { lock: true, anchor: detachedAnchor(settings) });
      try {
        seq = l.append(type, { ...fields, seqs: { [session]: range } });
      } finally {
        l.close();
      }
    }
    return seq;
  },
});

async function run(dir: string): Promise<void> {
  const lock = path.join(dir, 'deliver.pid');
  if (!takeLock(lock)) return;
  const open = new Map<string, LogSinks>();
  let idleSince = Date.now();
  for (;;) {
    const files = spoolFiles(dir);
    for (const f of files) {
      const file = path.join(dir, f);
      let text: string;
      try {
        text = fs.readFileSync(file, 'utf8');
        fs.rmSync(file, { force: true });
      } catch {
        continue;
      }
      const [head, ...lines] = text.split('\n').filter(Boolean);
      try {
        const { specs, queue } = JSON.parse(head) as { specs: string[]; queue?: number };
        const key = JSON.stringify([specs, queue]);
        let sinks = open.get(key);
        if (!sinks) {
          sinks = openLogSinks(specs, { queue }) ?? undefined;
          if (sinks) open.set(key, sinks);
        }
        for (const l of lines) sinks?.onAppend(JSON.parse(l) as LogRecord, l);
      } catch {
        // A torn or foreign file: nothing in it can be delivered.
      }
    }
    if (files.length) idleSince = Date.now();
    else if (Date.now() - idleSince > IDLE_MS) {
      // A writer that saw the lock has written its file before it looked: after the lock is
      // gone, one more look finds it, or the next writer starts a new process.
      fs.rmSync(lock, { force: true });
      if (!spoolFiles(dir).length || !takeLock(lock)) break;
      continue;
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  const settings = await anchorSettings();
  await Promise.all([...open.values()].map((s) => s.close({ boundMs: DELIVERY_BOUND_MS, log: lossLog(settings) })));
}

// Only as the process's own script: importing the module starts nothing.
const dir = process.argv[2];
if (dir && process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  run(dir)
    .catch(() => undefined)
    // Sockets given up on must not keep this process alive past its bound; one turn first, for
    // the detached anchor of the loss records (started on the next turn after they are written).
    .finally(() => setImmediate(() => process.exit(0)));
}
