// sinks.json in agentguard's state directory (outside what the sandbox shows the agent): per
// sink, what its last writer delivered and lost, totals, and the last loss, for `doctor`.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { stateDir } from '../log/store.js';
import type { SinkFigures } from './queue.js';

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

export function recordFigures(figures: SinkFigures[], env: NodeJS.ProcessEnv = process.env): void {
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
