// Checking a session log: the hash chain of each session against the index.
import fs from 'node:fs';
import path from 'node:path';
import { GENESIS, lineHash, sessionsDir, sha256, type LogRecord } from './store.js';

export interface VerifyResult {
  session: string;
  ok: boolean;
  records: number;
  problem?: string;
}

/** Checks the hash chain of one session and that its end matches the index. */
export function verifySession(session: string, dir = sessionsDir()): VerifyResult {
  const file = path.join(dir, `${session}.jsonl`);
  const indexed = lastIndexed(dir).get(session);
  if (!fs.existsSync(file)) {
    return { session, ok: false, records: 0, problem: indexed ? `the log file is missing (the index has ${indexed.seq + 1} records)` : 'no such session' };
  }
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  let prev = GENESIS;
  for (let i = 0; i < lines.length; i++) {
    const where = `record ${i + 1} (line ${i + 1})`;
    const h = lineHash(lines[i]);
    if (!h) return { session, ok: false, records: i, problem: `${where} is not a sealed record` };
    let rec: LogRecord;
    try {
      rec = JSON.parse(lines[i]) as LogRecord;
    } catch {
      return { session, ok: false, records: i, problem: `${where} is not valid JSON` };
    }
    if (sha256(h.body) !== h.claimed) return { session, ok: false, records: i, problem: `${where} was changed after it was written (its hash does not match its content)` };
    if (rec.prev !== prev) return { session, ok: false, records: i, problem: `${where} does not follow the record before it (deleted or reordered records)` };
    if (rec.seq !== i) return { session, ok: false, records: i, problem: `${where} has sequence number ${rec.seq}, expected ${i} (deleted or reordered records)` };
    if (rec.session !== session) return { session, ok: false, records: i, problem: `${where} belongs to session ${rec.session}` };
    prev = h.claimed;
  }
  if (!indexed) return { session, ok: false, records: lines.length, problem: 'the session is not in the index' };
  if (indexed.seq !== lines.length - 1 || indexed.hash !== prev) {
    return { session, ok: false, records: lines.length, problem: `the log ends at record ${lines.length}, but the index says it has ${indexed.seq + 1} (a cut or replaced tail)` };
  }
  return { session, ok: true, records: lines.length };
}

export function verifyAll(dir = sessionsDir()): VerifyResult[] {
  const ids = new Set<string>(lastIndexed(dir).keys());
  if (fs.existsSync(dir)) for (const f of fs.readdirSync(dir)) if (f.endsWith('.jsonl') && f !== 'index.jsonl') ids.add(f.slice(0, -6));
  return [...ids].sort().map((id) => verifySession(id, dir));
}

function lastIndexed(dir: string): Map<string, { seq: number; hash: string }> {
  const m = new Map<string, { seq: number; hash: string }>();
  const file = path.join(dir, 'index.jsonl');
  if (!fs.existsSync(file)) return m;
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (!line) continue;
    try {
      const e = JSON.parse(line) as { session: string; seq: number; hash: string };
      const prev = m.get(e.session);
      if (!prev || e.seq >= prev.seq) m.set(e.session, { seq: e.seq, hash: e.hash });
    } catch {
      // a torn index line: the verification of that session will say so
    }
  }
  return m;
}
