// Checking the session logs: each session's records, hash chain and MACs, against the index
// and against the heads its anchor holds (read by src/anchor and handed in as data: nothing
// here starts a process). One verdict per session, with the reason a person can act on.
import fs from 'node:fs';
import path from 'node:path';
import { headMac, loadLogKey, logKeyPath, macOf, type LogKey } from './key.js';
import { GENESIS, lineHash, PRUNED_FILE, prunedText, sessionsDir, sha256, writerAlive, type AnchorHead, type LogRecord } from './store.js';

/**
 * intact: every check passed. running: intact so far, its writer is alive.
 * edited: a record was changed, removed, reordered, forged or rechained (`firstBad` names it).
 * truncated: the index or the anchor knows records the file lacks. missing: the file is gone.
 * wrong-key: the MACs were made with another key than yours (replaced or restored key).
 * unterminated: no session-end and its writer is dead (crashed or killed).
 * unanchored: nothing outside the user's reach confirms the chain (none was available, or it has no record of this session).
 */
export type Verdict = 'intact' | 'running' | 'edited' | 'truncated' | 'missing' | 'wrong-key' | 'unterminated' | 'unanchored';

/** What an exit code says about a set of verdicts: 0 all intact or running, 1 evidence of tampering, 2 not proven either way. */
export const VERDICT_EXIT: Record<Verdict, 0 | 1 | 2> = { intact: 0, running: 0, edited: 1, truncated: 1, missing: 1, 'wrong-key': 2, unterminated: 2, unanchored: 2 };

export interface VerifyResult {
  session: string;
  verdict: Verdict;
  /** intact or running (kept for older callers). */
  ok: boolean;
  records: number;
  /** One sentence: why this verdict. */
  reason: string;
  /** The same as `reason` when not ok (kept for older callers). */
  problem?: string;
  /** The first bad record's seq, numbered as `agentguard log` numbers records. */
  firstBad?: number;
  /** keyed: every MAC checked; unkeyed: records carry none; unchecked: no key to check them with. */
  keyed: 'keyed' | 'unkeyed' | 'unchecked' | 'wrong-key';
  /** The anchor the session was written with, and how many of its heads verify checked. */
  anchor: { kind: string; heads: number };
  /** Further findings that did not decide the verdict. */
  notes: string[];
}

/** What an anchor holds, read by src/anchor. */
export interface AnchorReading {
  kind: string;
  /** False when the anchor could not be read (its reason in `problem`): its sessions are unanchored. */
  ok: boolean;
  problem?: string;
  heads: AnchorHead[];
}

export interface VerifyOptions {
  dir?: string;
  /** Default: the person's key, not created if missing. */
  key?: LogKey;
  /** The heads held by an anchor of a kind ('journald', 'syslog'); absent: no anchor is consulted. */
  readAnchor?: (kind: string) => AnchorReading;
  /** The anchor daily logs (which have no session-start) were written with. */
  defaultAnchor?: string;
  /** Whether the writer named by session-start is alive; default: /proc. */
  isRunning?: (pid: number, pidStart: string | null) => boolean;
}

const count = (n: number) => `${n} record${n === 1 ? '' : 's'}`;
// A session-start without a start time cannot prove its writer still runs: verify says so.
const alive = (pid: number, start: string | null) => start !== null && writerAlive(pid, start);

/**
 * A head from the anchor. proven: its MAC is one your key made. Anyone can add a line to
 * syslog or the journal, so a head without a MAC, or any head when your key cannot be read,
 * may raise an alarm (it disagrees with the log) but never confirms a record.
 */
type Head = AnchorHead & { proven: boolean };

/** A pruned.list line: what `log prune` removed (store.ts notePruned). */
interface Tombstone {
  seq: number;
  first?: string;
  hash: string;
  /** Its MAC is one your key made. */
  proven: boolean;
}

interface Context {
  dir: string;
  key: LogKey;
  index: Map<string, Indexed>;
  /** Sessions removed on purpose by `log prune`, as pruned.list says. */
  pruned: Map<string, Tombstone>;
  heads: (kind: string) => { reading: AnchorReading; mine: Map<string, Head[]>; foreign: Map<string, number> };
  defaultAnchor: string;
  isRunning: (pid: number, pidStart: string | null) => boolean;
}

function context(o: VerifyOptions): Context {
  const dir = o.dir ?? sessionsDir();
  const key = o.key ?? loadLogKey(logKeyPath(), { create: false });
  const cache = new Map<string, ReturnType<Context['heads']>>();
  const heads = (kind: string) => {
    let hit = cache.get(kind);
    if (!hit) {
      const reading = kind === 'none' || !o.readAnchor ? { kind, ok: false, problem: kind === 'none' ? 'no anchor was available when it was written' : 'anchors were not read', heads: [] } : o.readAnchor(kind);
      // Anyone can write a line to syslog: a head with a MAC that is not ours is ignored; one
      // without a MAC, or any head when the key cannot be read, is kept but unproven.
      const mine = new Map<string, Head[]>();
      const foreign = new Map<string, number>();
      for (const h of reading.heads) {
        const proven = key.ok && h.mac !== undefined && headMac(key.key, h) === h.mac;
        if (proven || h.mac === undefined || !key.ok) mine.set(h.session, [...(mine.get(h.session) ?? []), { ...h, proven }]);
        else foreign.set(h.session, (foreign.get(h.session) ?? 0) + 1);
      }
      hit = { reading, mine, foreign };
      cache.set(kind, hit);
    }
    return hit;
  };
  return { dir, key, index: readIndex(dir), pruned: readPruned(dir, key), heads, defaultAnchor: o.defaultAnchor ?? 'none', isRunning: o.isRunning ?? alive };
}

export function verifySession(session: string, opts: VerifyOptions | string = {}): VerifyResult {
  const o = typeof opts === 'string' ? { dir: opts } : opts;
  return check(session, context(o));
}

export function verifyAll(opts: VerifyOptions | string = {}): VerifyResult[] {
  const o = typeof opts === 'string' ? { dir: opts } : opts;
  const c = context(o);
  const ids = new Set<string>(c.index.keys());
  if (fs.existsSync(c.dir)) for (const f of fs.readdirSync(c.dir)) if (f.endsWith('.jsonl') && f !== 'index.jsonl') ids.add(f.slice(0, -6));
  // Sessions only the anchor remembers: deleted with their index lines.
  if (o.readAnchor) for (const s of c.heads(c.defaultAnchor).mine.keys()) if (prunedProblem(s, c) !== null) ids.add(s);
  return [...ids].sort().map((id) => check(id, c));
}

function check(session: string, c: Context): VerifyResult {
  const file = path.join(c.dir, `${session}.jsonl`);
  const indexed = c.index.get(session);
  const notes: string[] = [];
  const result = (verdict: Verdict, reason: string, extra: Partial<VerifyResult> = {}): VerifyResult => {
    const ok = verdict === 'intact' || verdict === 'running';
    return { session, verdict, ok, records: 0, reason, ...(ok ? {} : { problem: reason }), keyed: 'unkeyed', anchor: { kind: c.defaultAnchor, heads: 0 }, notes, ...extra };
  };
  if (!fs.existsSync(file)) {
    const anchored = c.heads(c.defaultAnchor).mine.get(session);
    if (indexed) return result('missing', `the log file is missing (the index has ${indexed.seq + 1} records)`);
    const tomb = prunedProblem(session, c);
    if (tomb === null) return result('missing', 'removed on purpose by agentguard log prune');
    if (tomb) notes.push(tomb);
    if (anchored) return result('missing', `the log file and its index lines are missing (the ${c.defaultAnchor} anchor has heads up to #${Math.max(...anchored.map((h) => h.seq))})${tomb ? `; ${tomb}` : ''}`);
    if (tomb) return result('missing', tomb);
    return result('missing', 'no such session');
  }
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  if (lines[lines.length - 1] === '') lines.pop();

  // The chain, record by record.
  const records: LogRecord[] = [];
  const hashes: string[] = [];
  let prev = GENESIS;
  let macs = 0;
  let badMacs = 0;
  let firstBadMac = -1;
  let missingMac = -1;
  const unkeyed: number[] = [];
  let start: LogRecord | null = null;
  for (let i = 0; i < lines.length; i++) {
    const where = `record #${i}`;
    const edited = (why: string) => result('edited', `${where} ${why}`, { records: i, firstBad: i });
    const h = lineHash(lines[i]);
    if (!h) return edited('is not a sealed record');
    let rec: LogRecord;
    try {
      rec = JSON.parse(lines[i]) as LogRecord;
    } catch {
      return edited('is not valid JSON');
    }
    if (sha256(h.body) !== h.claimed) return edited('was changed after it was written (its hash does not match its content)');
    if (rec.prev !== prev) return edited('does not follow the record before it (deleted or reordered records)');
    if (rec.seq !== i) return edited(`has sequence number ${rec.seq} (deleted or reordered records)`);
    if (rec.session !== session) return edited(`belongs to session ${rec.session}`);
    // After session-end only the sinks' loss reports (src/sinks), written as the session releases them.
    if (i > 0 && (records[i - 1].type === 'session-end' || records[i - 1].type === 'sink-loss') && rec.type !== 'sink-loss') {
      if (records.slice(0, i).some((r) => r.type === 'session-end')) return edited('comes after the session ended (appended later)');
    }
    if (i === 0 && rec.type === 'session-start') start = rec;
    if (h.mac) {
      macs++;
      if (c.key.ok && macOf(c.key.key, h.claimed) !== h.mac) {
        badMacs++;
        if (firstBadMac < 0) firstBadMac = i;
      }
    } else if (typeof rec.keyProblem === 'string') unkeyed.push(i);
    else if (missingMac < 0) missingMac = i;
    records.push(rec);
    hashes.push(h.claimed);
    prev = h.claimed;
  }
  const n = records.length;
  const last = n - 1;
  const base: Partial<VerifyResult> = { records: n };

  // The key: which one sealed the session, and whether every MAC is its.
  const sealedWith = typeof start?.keyId === 'string' ? start.keyId : null;
  let keyed: VerifyResult['keyed'];
  if (sealedWith || macs) {
    if (missingMac >= 0) return result('edited', `record #${missingMac} carries no MAC, but the session is sealed with a key (stripped and rechained)`, { ...base, firstBad: missingMac, keyed: 'keyed' });
    if (!c.key.ok) {
      keyed = 'unchecked';
      notes.push(`MACs not checked: ${c.key.problem}`);
    } else if (sealedWith && sealedWith !== c.key.id) {
      keyed = 'wrong-key';
    } else if (badMacs === macs && !sealedWith) {
      keyed = 'wrong-key';
    } else if (badMacs) {
      return result('edited', `record #${firstBadMac} has a MAC that your key did not make (rechained without the key)`, { ...base, firstBad: firstBadMac, keyed: 'keyed' });
    } else keyed = 'keyed';
  } else {
    keyed = 'unkeyed';
    notes.push(typeof start?.keyProblem === 'string' ? `unkeyed: ${start.keyProblem}` : 'unkeyed: written before records carried a MAC, or with the MACs stripped');
  }
  if (unkeyed.length && keyed !== 'unkeyed') notes.push(`${unkeyed.length} record${unkeyed.length === 1 ? '' : 's'} (first #${unkeyed[0]}) written without a MAC while the key was refused: ${records[unkeyed[0]].keyProblem as string}`);
  base.keyed = keyed;

  // The index and the anchor: every hash they hold for a record must be that record's; then
  // neither may know records the file lacks.
  if (!indexed) return result('edited', 'the session is not in the index (added by hand?)', { ...base, firstBad: 0 });
  // The anchor session-start names, and the one configured now: a session-start rewritten to
  // say "none" must not hide the heads an anchor holds.
  const recorded = typeof start?.anchor === 'string' ? start.anchor : start ? 'none' : c.defaultAnchor;
  const other = c.defaultAnchor !== recorded && c.defaultAnchor !== 'none' ? c.heads(c.defaultAnchor).mine.get(session) : undefined;
  const kind = recorded === 'none' && other?.length ? c.defaultAnchor : recorded;
  if (kind !== recorded) notes.push(`session-start says no anchor was available, but the ${kind} anchor holds heads for it`);
  const { reading, mine, foreign } = c.heads(kind);
  let heads = [...(mine.get(session) ?? []), ...(kind === recorded ? (other ?? []) : [])].sort((a, b) => a.seq - b.seq);
  if (foreign.get(session)) notes.push(`${foreign.get(session)} ${kind} line(s) for this session carry a MAC your key did not make: ignored (forged, or another key)`);
  // Every head of a keyed session carries its MAC: one without is a line someone else wrote.
  if (keyed === 'keyed' && heads.some((h) => !h.proven)) {
    notes.push(`${heads.filter((h) => !h.proven).length} ${kind} line(s) for this session carry no MAC: ignored (not written by agentguard)`);
    heads = heads.filter((h) => h.proven);
  }
  base.anchor = { kind, heads: heads.length };
  const unindexed = hashes.findIndex((h, seq) => indexed.hashes.get(seq) !== h);
  const conflict = heads.find((h) => h.seq <= last && hashes[h.seq] !== h.hash);
  if (conflict && (unindexed < 0 || conflict.seq <= unindexed)) {
    return result('edited', `record #${conflict.seq} differs from the head the ${kind} anchor holds for it (the chain was rewritten${keyed === 'keyed' ? ' by someone holding your key' : ''})`, { ...base, firstBad: conflict.seq });
  }
  if (unindexed >= 0) {
    const why = indexed.hashes.has(unindexed) ? 'is not the record the index holds for it (rewritten)' : 'is not in the index (appended by hand?)';
    return result('edited', `record #${unindexed} ${why}`, { ...base, firstBad: unindexed });
  }
  if (indexed.seq > last) return result('truncated', `the log ends at #${last}, but the index has records up to #${indexed.seq} (a cut tail)`, { ...base, firstBad: last + 1 });
  const beyond = heads.at(-1);
  if (beyond && beyond.seq > last) {
    // A cut tail loses the session-end too; a file that still ends with it was rewritten
    // shorter: records were removed somewhere after the last head the anchor agrees with.
    if (records[last].type === 'session-end' || records[last].type === 'sink-loss') {
      const agreed = heads.filter((h) => h.seq <= last).at(-1)?.seq ?? -1;
      return result('edited', `records were removed after #${agreed} and the chain recomputed: the log ends with its session-end at #${last}, but the ${kind} anchor holds a head at #${beyond.seq}`, { ...base, firstBad: agreed + 1 });
    }
    return result('truncated', `the log ends at #${last}, but the ${kind} anchor holds a head at #${beyond.seq} (a cut tail)`, { ...base, firstBad: last + 1 });
  }
  if (keyed === 'wrong-key') {
    return result('wrong-key', `sealed with key ${sealedWith ?? '(unknown)'}, not with yours (${c.key.ok ? c.key.id : '-'}): the key file was replaced or restored, or the chain was rewritten with another key`, base);
  }

  // The end: a session without session-end is running or was killed.
  let end = last;
  while (end > 0 && records[end]?.type === 'sink-loss') end--;
  const ended = records[end]?.type === 'session-end';
  if (start && !ended) {
    const pid = typeof start.pid === 'number' ? start.pid : null;
    // pidStart as a string or a number: whoever writes session-start (src/session) may use either.
    const pidStart = typeof start.pidStart === 'string' || typeof start.pidStart === 'number' ? String(start.pidStart) : null;
    if (pid !== null && c.isRunning(pid, pidStart)) {
      return result('running', `${count(n)} so far; its writer (pid ${pid}) is still running${heads.length ? `, ${kind}-anchored up to #${heads.at(-1)!.seq}` : ''}`, base);
    }
    return result('unterminated', `no session-end record after #${last} and its writer${pid !== null ? ` (pid ${pid})` : ''} is gone: crashed or killed${heads.length ? `; ${kind}-anchored up to #${heads.at(-1)!.seq}` : ''}`, base);
  }
  if (!heads.length) {
    const why = kind === 'none' ? 'no anchor (journald or syslog) was available when it was written' : !reading.ok ? `the ${kind} anchor could not be read: ${reading.problem}` : `the ${kind} anchor has no record of this session`;
    return result('unanchored', `${count(n)}, chain ${keyed === 'keyed' ? 'and MACs ' : ''}check out, but ${why}: nothing outside your account confirms them`, base);
  }
  // Only a head whose MAC your key made confirms the records up to it.
  const proven = heads.filter((h) => h.proven);
  if (!proven.length) {
    const why = !c.key.ok
      ? `your key could not be read (${c.key.problem}), so its ${heads.length} ${kind} head(s) cannot be told from lines anyone can write`
      : `its ${heads.length} ${kind} head(s) carry no MAC your key made (written without a key): anyone can write such a line`;
    return result('unanchored', `${count(n)} and their chain check out, but ${why}: nothing confirms them`, base);
  }
  if (proven.at(-1)!.seq < last) {
    return result('unanchored', `records #${proven.at(-1)!.seq + 1}–#${last} came after the last head the ${kind} anchor holds with your key's MAC (#${proven.at(-1)!.seq}): those are not confirmed`, base);
  }
  return result('intact', `${count(n)}, ${keyed === 'keyed' ? 'keyed' : keyed}, ${kind}-anchored (${proven.length} head${proven.length === 1 ? '' : 's'}, last #${proven.at(-1)!.seq})`, base);
}

/**
 * pruned.list, per session: its last line whose MAC your key made, else its last line
 * (unproven: anyone who can write the log directory can write one; without your key none is proven).
 */
function readPruned(dir: string, key: LogKey): Map<string, Tombstone> {
  const out = new Map<string, Tombstone>();
  let text: string;
  try {
    text = fs.readFileSync(path.join(dir, PRUNED_FILE), 'utf8');
  } catch {
    return out;
  }
  for (const line of text.split('\n')) {
    try {
      const e = JSON.parse(line) as { session: string; seq: number; first?: string; hash: string; mac?: string };
      if (typeof e.session !== 'string' || typeof e.seq !== 'number' || typeof e.hash !== 'string') continue;
      const proven = key.ok && typeof e.first === 'string' && e.mac === macOf(key.key, prunedText(e.session, e.seq, e.first, e.hash));
      if (proven || !out.get(e.session)?.proven) out.set(e.session, { seq: e.seq, first: e.first, hash: e.hash, proven });
    } catch {
      // a torn line
    }
  }
  return out;
}

/**
 * Whether pruned.list accounts for a session that is gone: null if it does (a tombstone your
 * key made, and no head the anchor holds for that name lies outside the records it names),
 * '' if there is no tombstone, else why the one there does not count.
 */
function prunedProblem(session: string, c: Context): string | null {
  const t = c.pruned.get(session);
  if (!t) return '';
  const said = 'pruned.list says agentguard log prune removed it';
  if (!c.key.ok) return `${said}, but that line cannot be checked without your key (${c.key.problem})`;
  if (!t.proven) return `${said}, but that line carries no MAC your key made (forged?)`;
  // The anchor's heads for that name: none past the pruned seq, and the first and last records the pruned ones.
  const heads = c.heads(c.defaultAnchor).mine.get(session) ?? [];
  const outside = heads.find((h) => h.seq > t.seq || (h.seq === 0 && h.hash !== t.first) || (h.seq === t.seq && h.hash !== t.hash));
  if (outside) return `${said}, but the ${c.defaultAnchor} anchor holds a head (#${outside.seq}) that is not of the records it removed (a later session of that name?)`;
  return null;
}

/** Every index line, per session: the hash of each record and the last seq. */
function readIndex(dir: string): Map<string, Indexed> {
  const m = new Map<string, Indexed>();
  const file = path.join(dir, 'index.jsonl');
  if (!fs.existsSync(file)) return m;
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (!line) continue;
    try {
      const e = JSON.parse(line) as { session: string; seq: number; hash: string };
      let s = m.get(e.session);
      if (!s) m.set(e.session, (s = { seq: e.seq, hashes: new Map() }));
      s.hashes.set(e.seq, e.hash);
      s.seq = Math.max(s.seq, e.seq);
    } catch {
      // a torn index line: the verification of that session will say so
    }
  }
  return m;
}

interface Indexed {
  seq: number;
  hashes: Map<number, string>;
}
