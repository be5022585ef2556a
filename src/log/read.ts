// Reading the session logs back: the records of one session, the list of sessions with
// their counts, and pruning old ones. Nothing here writes a record.
import fs from 'node:fs';
import path from 'node:path';
import { notePruned, sessionsDir, type LogRecord } from './store.js';

export function readRecords(file: string): LogRecord[] {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as LogRecord);
}

export interface SessionInfo {
  id: string;
  file: string;
  start: string | null;
  end: string | null;
  agent: string;
  workspace: string;
  counts: Record<string, number>;
  records: number;
}

export function listSessions(dir = sessionsDir()): SessionInfo[] {
  if (!fs.existsSync(dir)) return [];
  const out: SessionInfo[] = [];
  for (const f of fs.readdirSync(dir)) {
    if (!f.endsWith('.jsonl') || f === 'index.jsonl') continue;
    const file = path.join(dir, f);
    let records: LogRecord[];
    try {
      records = readRecords(file);
    } catch {
      records = [];
    }
    const start = records.find((r) => r.type === 'session-start');
    const counts: Record<string, number> = { allow: 0, ask: 0, deny: 0 };
    for (const r of records) if (r.type === 'decision') counts[String(r.action)] = (counts[String(r.action)] ?? 0) + 1;
    out.push({
      id: f.slice(0, -6),
      file,
      start: records[0]?.time ?? null,
      end: records.length ? records[records.length - 1].time : null,
      agent: start ? String((start.agent as string[] | undefined)?.join(' ') ?? '') : 'agentguard check',
      workspace: start ? String((start.workspaces as string[] | undefined)?.join(', ') ?? '') : '',
      counts,
      records: records.length,
    });
  }
  return out.sort((a, b) => String(a.start).localeCompare(String(b.start)));
}

/** Removes sessions whose last record is older than `ms`, and their index entries. */
export function pruneSessions(olderThanMs: number, dir = sessionsDir(), now = Date.now()): string[] {
  const removed: string[] = [];
  for (const s of listSessions(dir)) {
    const last = s.end ? Date.parse(s.end) : fs.statSync(s.file).mtimeMs;
    if (now - last > olderThanMs) {
      notePruned(dir, s.id);
      fs.rmSync(s.file, { force: true });
      removed.push(s.id);
    }
  }
  const index = path.join(dir, 'index.jsonl');
  if (removed.length && fs.existsSync(index)) {
    const gone = new Set(removed);
    const kept = fs
      .readFileSync(index, 'utf8')
      .split('\n')
      .filter((l) => l && !gone.has((JSON.parse(l) as { session: string }).session));
    const tmp = `${index}.tmp-${process.pid}`;
    fs.writeFileSync(tmp, kept.map((l) => l + '\n').join(''), { mode: 0o600 });
    fs.renameSync(tmp, index);
  }
  return removed;
}
