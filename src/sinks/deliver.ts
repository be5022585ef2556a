// The detached delivery process of `check` and the hooks (index.ts shortLivedSinks): reads a
// spool file (the network sinks, then the records' log lines), delivers them within a bound,
// writes any loss to the daily log they came from and to sinks.json, and removes the spool.
// Run as `node dist/sinks/deliver.js SPOOL`, never by a person.
import fs from 'node:fs';
import { SessionLog, type LogRecord } from '../log/store.js';
import { DELIVERY_BOUND_MS, openLogSinks, type LossLog } from './index.js';

async function deliver(spool: string): Promise<void> {
  const [head, ...lines] = fs.readFileSync(spool, 'utf8').split('\n').filter(Boolean);
  fs.rmSync(spool, { force: true });
  const { specs, queue } = JSON.parse(head) as { specs: string[]; queue?: number };
  const sinks = openLogSinks(specs, { queue });
  if (!sinks) return;
  const records = lines.map((l) => [JSON.parse(l) as LogRecord, l] as const);
  for (const [r, l] of records) sinks.onAppend(r, l);
  const session = records[0]?.[0].session;
  const log: LossLog | undefined = session
    ? {
        append(type, fields) {
          const l = new SessionLog(session, { lock: true });
          try {
            return l.append(type, fields);
          } finally {
            l.close();
          }
        },
      }
    : undefined;
  await sinks.close({ boundMs: DELIVERY_BOUND_MS, log });
}

const spool = process.argv[2];
if (spool) {
  deliver(spool)
    .catch(() => undefined)
    // Sockets given up on must not keep this process alive past its bound.
    .finally(() => process.exit(0));
}
