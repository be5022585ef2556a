// A hostile review of log verify: anchor lines and prune tombstones an agent with the user's
// rights can write without the key. Anyone can add a line to syslog (logger) and the agent
// can write pruned.list where it can write the log; neither may make verify say "intact" or
// hide a session the anchor knows. Real session files and key in a temp dir; the anchor is a
// syslog file read back by the real reader (src/anchor/read.ts), as rsyslogd would write it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readAnchor } from '../../src/anchor/read.js';
import { anchorLine } from '../../src/anchor/settings.js';
import { keyId, type LogKey } from '../../src/log/key.js';
import { GENESIS, notePruned, sealLine, SessionLog, type AnchorHead, type AnchorSink, type LogRecord } from '../../src/log/store.js';
import { verifyAll, verifySession, type VerifyOptions } from '../../src/log/verify.js';

const base = fs.mkdtempSync(path.join(fs.existsSync('/var/tmp') ? '/var/tmp' : os.tmpdir(), 'agentguard-hunt-'));
afterAll(() => fs.rmSync(base, { recursive: true, force: true }));
const KEY = Buffer.alloc(32, 9);
const key: LogKey = { ok: true, file: '(test)', key: KEY, id: keyId(KEY) };
const noKey: LogKey = { ok: false, file: '(test)', problem: 'no key (removed)' };

/** A fresh log directory and a syslog file standing for the daemon's. */
function world() {
  const dir = fs.mkdtempSync(path.join(base, 'w-'));
  const syslog = path.join(dir, 'syslog');
  fs.writeFileSync(syslog, '');
  /** What the real anchor writes for a head, as rsyslog files it. */
  const anchor: AnchorSink = { kind: 'syslog', head: (h) => fs.appendFileSync(syslog, `Dec  2 02:40:00 host agentguard-anchor: ${anchorLine(h)}\n`), close() {} };
  /** What anyone can add: `logger -t agentguard-anchor "agentguard-anchor session=… seq=… hash=…"`. */
  const forgeLine = (h: AnchorHead) => fs.appendFileSync(syslog, `Dec  2 02:41:00 host agentguard-anchor: ${anchorLine(h)}\n`);
  const opts = (k: LogKey): VerifyOptions => ({ dir, key: k, readAnchor: (kind) => readAnchor(kind, { wanted: 'syslog', socket: '/nonexistent', files: [syslog] }), defaultAnchor: 'syslog', isRunning: () => false });
  return { dir, syslog, anchor, forgeLine, opts };
}

/** A session as an agent without the key writes one: unkeyed, its own index lines. */
function forgeSession(dir: string, id: string): { last: AnchorHead } {
  let prev = GENESIS;
  const out: string[] = [];
  const idx: string[] = [];
  let last: AnchorHead = { session: id, seq: -1, hash: GENESIS };
  ['session-start', 'decision', 'session-end'].forEach((type, seq) => {
    const s = sealLine({ v: 1, session: id, seq, time: new Date().toISOString(), type, ...(seq === 0 ? { anchor: 'syslog', keyProblem: 'unkeyed' } : { command: 'ls', action: 'allow' }) }, prev);
    out.push(s.line);
    idx.push(JSON.stringify({ session: id, seq, hash: s.hash }));
    prev = s.hash;
    last = { session: id, seq, hash: s.hash };
  });
  fs.writeFileSync(path.join(dir, `${id}.jsonl`), out.join('\n') + '\n');
  fs.appendFileSync(path.join(dir, 'index.jsonl'), idx.map((l) => l + '\n').join(''));
  return { last };
}

function realSession(dir: string, id: string, anchor: AnchorSink, k: LogKey = key): LogRecord[] {
  const log = new SessionLog(id, { dir, key: k, anchor });
  log.append('session-start', { agent: ['fake-agent'] });
  log.append('decision', { command: 'git reset --hard', action: 'deny', verdict: 'deny' });
  log.append('session-end', { exit: 0 });
  log.close();
  return fs
    .readFileSync(path.join(dir, `${id}.jsonl`), 'utf8')
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as LogRecord);
}

describe('anchor lines anyone can write do not confirm a session', () => {
  it('a forged session with a forged head that carries no MAC: unanchored, never intact', () => {
    const w = world();
    const { last } = forgeSession(w.dir, 'forged-nomac');
    w.forgeLine(last);
    const v = verifySession('forged-nomac', w.opts(key));
    expect(v.verdict).toBe('unanchored');
    expect(v.reason).toMatch(/no MAC your key made/);
  });

  it('without your key, a forged session with a forged head (any MAC): unanchored, never intact', () => {
    const w = world();
    const { last } = forgeSession(w.dir, 'forged-nokey');
    w.forgeLine({ ...last, mac: 'c'.repeat(64) });
    const v = verifySession('forged-nokey', w.opts(noKey));
    expect(v.verdict).toBe('unanchored');
    expect(v.reason).toMatch(/your key could not be read/);
  });

  it('without your key, a real session is not proven either way (unanchored), and still edited when the anchor disagrees', () => {
    const w = world();
    const recs = realSession(w.dir, 'real', w.anchor);
    expect(verifySession('real', w.opts(key)).verdict).toBe('intact');
    expect(verifySession('real', w.opts(noKey)).verdict).toBe('unanchored');
    // Dropped the refusal and rechained without a MAC: the anchor's heads still catch it.
    const kept = recs.filter((r) => r.type !== 'decision');
    let prev = GENESIS;
    const lines = kept.map((r, seq) => {
      const { prev: _p, hash: _h, mac: _m, keyId: _k, ...body } = r;
      const s = sealLine({ ...body, seq, keyProblem: 'unkeyed' }, prev);
      prev = s.hash;
      return s.line;
    });
    fs.writeFileSync(path.join(w.dir, 'real.jsonl'), lines.join('\n') + '\n');
    expect(verifySession('real', w.opts(noKey)).verdict).toBe('edited');
  });

  it('a real session written while the key was refused, with its own (unMACed) heads: unanchored, its heads said to prove nothing', () => {
    const w = world();
    realSession(w.dir, 'refused-key', w.anchor, { ok: false, file: '(test)', problem: 'mode 644' });
    const v = verifySession('refused-key', w.opts(key));
    expect(v.verdict).toBe('unanchored');
    expect(v.reason).toMatch(/no MAC your key made/);
  });
});

describe('prune tombstones', () => {
  it('without your key, a tombstone cannot hide a session the anchor knows', () => {
    const w = world();
    realSession(w.dir, 'gone', w.anchor);
    notePruned(w.dir, 'gone', key);
    const lines = fs.readFileSync(path.join(w.dir, 'pruned.list'), 'utf8');
    fs.rmSync(path.join(w.dir, 'gone.jsonl'));
    fs.writeFileSync(path.join(w.dir, 'index.jsonl'), '');
    // With the key: the real tombstone is honoured.
    expect(verifyAll(w.opts(key)).map((v) => v.session)).toEqual([]);
    // A forged one (no MAC) with the key absent is not: an agent that removed the key could write it.
    fs.writeFileSync(path.join(w.dir, 'pruned.list'), lines.replace(/,"mac":"[0-9a-f]+"/, ''));
    const all = verifyAll(w.opts(noKey));
    expect(all.map((v) => [v.session, v.verdict])).toEqual([['gone', 'missing']]);
    expect(all[0].reason).toMatch(/cannot be checked without your key/);
  });

  it('a tombstone covers the records it names, not a later session of the same name', () => {
    const w = world();
    // The same name again later that day (a daily log).
    prunedThenWrittenAgainAndDeleted(w, 'check-2026-12-02');
    const all = verifyAll(w.opts(key));
    expect(all.map((v) => [v.session, v.verdict])).toEqual([['check-2026-12-02', 'missing']]);
    expect(all[0].reason).toMatch(/anchor has heads up to #4/);
  });

  it("a tombstone's seq is covered by its MAC: raising it past the later heads does not hide them", () => {
    const w = world();
    prunedThenWrittenAgainAndDeleted(w, 'raised');
    const t = fs.readFileSync(path.join(w.dir, 'pruned.list'), 'utf8');
    expect(t).toContain('"seq":2,');
    fs.writeFileSync(path.join(w.dir, 'pruned.list'), t.replace('"seq":2,', '"seq":99,'));
    expect(verifyAll(w.opts(key)).map((v) => [v.session, v.verdict])).toEqual([['raised', 'missing']]);
  });
});

/**
 * A session pruned (its tombstone written), then a session of the same name written (five
 * denials, anchored) and deleted by hand with its index lines.
 */
function prunedThenWrittenAgainAndDeleted(w: ReturnType<typeof world>, id: string) {
  const deleteByHand = () => {
    fs.rmSync(path.join(w.dir, `${id}.jsonl`));
    fs.writeFileSync(path.join(w.dir, 'index.jsonl'), '');
  };
  realSession(w.dir, id, w.anchor);
  notePruned(w.dir, id, key);
  deleteByHand();
  const log = new SessionLog(id, { dir: w.dir, key, anchor: w.anchor });
  for (let i = 0; i < 5; i++) log.append('decision', { command: `step ${i}`, action: 'deny', verdict: 'deny' });
  log.close();
  deleteByHand();
}

describe('a sink that throws', () => {
  it('does not lose the head of a refusal, nor fail the append of the record it was handed', () => {
    const w = world();
    const heads: AnchorHead[] = [];
    const anchor: AnchorSink = { kind: 'syslog', head: (h) => void heads.push(h), close() {} };
    const log = new SessionLog('throwing-sink', {
      dir: w.dir,
      key,
      anchor,
      onAppend: () => {
        throw new Error('sink broke');
      },
    });
    expect(log.append('session-start', {})).toBe(0);
    expect(log.append('decision', { command: 'rm -rf ~', action: 'deny', verdict: 'deny' })).toBe(1);
    log.close();
    expect(heads.map((h) => h.seq)).toEqual([0, 1]);
  });
});

describe('a real head replayed under another name', () => {
  it("a head's MAC covers its session and seq: copied to another name or seq, it is ignored, not an alarm", () => {
    const w = world();
    realSession(w.dir, 'victim', w.anchor);
    realSession(w.dir, 'other', w.anchor);
    const real = fs
      .readFileSync(w.syslog, 'utf8')
      .split('\n')
      .find((l) => l.includes('session=victim seq=2 '))!;
    const [, hash, mac] = /hash=(\S+) mac=(\S+)/.exec(real)!;
    // Anyone who can read the journal or syslog can copy a head: a ghost session, and a cut tail that is not there.
    w.forgeLine({ session: 'ghost', seq: 7, hash, mac });
    w.forgeLine({ session: 'other', seq: 9, hash, mac });
    const all = verifyAll(w.opts(key));
    expect(all.map((v) => [v.session, v.verdict])).toEqual([
      ['other', 'intact'],
      ['victim', 'intact'],
    ]);
  });
});
