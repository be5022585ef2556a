// When SessionLog hands its head to the anchor: the first record, every 50 records, 30 s after
// a record that was not anchored, and at the end; and what each head carries. The anchor here
// is a recording stand-in (the real one, a logger process and rsyslogd, is in tamper.test.ts);
// the clock is vitest's fake one, so nothing here waits.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { headMac, keyId, macOf } from '../../src/log/key.js';
import { ANCHOR_EVERY_MS, ANCHOR_EVERY_RECORDS, SessionLog, type AnchorHead, type AnchorSink, type LogRecord } from '../../src/log/store.js';
import { readAnchor } from '../../src/anchor/read.js';
import { anchorLine, parseAnchorLine } from '../../src/anchor/settings.js';

const dir = fs.mkdtempSync(path.join(fs.existsSync('/var/tmp') ? '/var/tmp' : os.tmpdir(), 'agentguard-anchor-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const key = { ok: true as const, file: '(test)', key: Buffer.alloc(32, 7), id: keyId(Buffer.alloc(32, 7)) };

function recording(): AnchorSink & { heads: AnchorHead[]; closed: number } {
  return {
    kind: 'syslog',
    heads: [],
    closed: 0,
    head(h) {
      this.heads.push(h);
    },
    close() {
      this.closed++;
    },
  };
}
const lines = (id: string) =>
  fs
    .readFileSync(path.join(dir, `${id}.jsonl`), 'utf8')
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as LogRecord);

describe('anchoring cadence', () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  it('the first record, every 50th after it, and the last at close', () => {
    const a = recording();
    const log = new SessionLog('cadence', { dir, key, anchor: a });
    log.append('session-start', {});
    for (let i = 1; i < 120; i++) log.append('decision', { n: i });
    log.append('session-end', { exit: 0 });
    log.close();
    expect(ANCHOR_EVERY_RECORDS).toBe(50);
    expect(a.heads.map((h) => h.seq)).toEqual([0, 50, 100, 120]);
    expect(a.closed).toBe(1);
  });

  it('an asked or refused decision at once', () => {
    const a = recording();
    const log = new SessionLog('refused', { dir, key, anchor: a });
    log.append('session-start', {});
    log.append('decision', { action: 'allow' });
    log.append('decision', { action: 'ask' });
    log.append('decision', { action: 'allow' });
    log.append('decision', { action: 'deny' });
    expect(a.heads.map((h) => h.seq)).toEqual([0, 2, 4]);
    log.close();
  });

  it('30 s after a record that was not anchored, and not again while nothing is written', () => {
    const a = recording();
    const log = new SessionLog('timer', { dir, key, anchor: a });
    log.append('session-start', {});
    log.append('decision', {});
    log.append('decision', {});
    expect(a.heads.map((h) => h.seq)).toEqual([0]);
    vi.advanceTimersByTime(ANCHOR_EVERY_MS - 1);
    expect(a.heads.map((h) => h.seq)).toEqual([0]);
    vi.advanceTimersByTime(1);
    expect(a.heads.map((h) => h.seq)).toEqual([0, 2]);
    vi.advanceTimersByTime(10 * ANCHOR_EVERY_MS);
    expect(a.heads.map((h) => h.seq)).toEqual([0, 2]);
    log.close();
    // The last head was anchored already: close does not send it twice.
    expect(a.heads.map((h) => h.seq)).toEqual([0, 2]);
  });

  it('each head is the record on disk: its seq and hash, MACed with its session and seq; session-start names the anchor, the key and the writer', () => {
    const a = recording();
    const log = new SessionLog('heads', { dir, key, anchor: a });
    log.append('session-start', { agent: ['x'] });
    log.append('session-end', { exit: 0 });
    log.close();
    const recs = lines('heads');
    expect(a.heads).toEqual(recs.map((r) => ({ session: 'heads', seq: r.seq, hash: r.hash, mac: headMac(key.key, { session: 'heads', seq: r.seq, hash: r.hash }) })));
    for (const r of recs) expect(r.mac).toBe(macOf(key.key, r.hash));
    expect(recs[0]).toMatchObject({ anchor: 'syslog', keyId: key.id, pid: process.pid, agent: ['x'] });
    expect(recs[0].pidStart).toMatch(/^\d+$/);
  });

  it('the anchor line reads back as the head it was made from, and a person can read it', () => {
    const h = { session: 'abc123', seq: 42, hash: 'a'.repeat(64), mac: 'b'.repeat(64) };
    const line = anchorLine(h);
    expect(line).toBe(`agentguard-anchor session=abc123 seq=42 hash=${'a'.repeat(64)} mac=${'b'.repeat(64)}`);
    expect(parseAnchorLine(`Dec  2 01:46:58 vm agentguard-anchor: ${line}`)).toEqual(h);
    expect(parseAnchorLine('agentguard-anchor session=x seq=1 hash=short')).toBeNull();
  });
});

// No systemd journal on the test machines: journalctl is a stand-in printing what the real one
// prints (-o json: MESSAGE as a string, or as an array of bytes when it is not valid UTF-8).
describe('reading heads back from the journal', () => {
  const bin = path.join(dir, 'bin');
  const withJournal = (script: string) => {
    fs.mkdirSync(bin, { recursive: true });
    fs.writeFileSync(path.join(bin, 'journalctl'), `#!/bin/sh\n${script}\n`, { mode: 0o755 });
    const saved = process.env.PATH;
    process.env.PATH = `${bin}:${saved ?? ''}`;
    try {
      return readAnchor('journald', { wanted: 'journald', socket: '/dev/log', files: [] });
    } finally {
      process.env.PATH = saved;
    }
  };
  const h = { session: 's1', seq: 3, hash: 'c'.repeat(64), mac: 'd'.repeat(64) };

  it('asks for agentguard-anchor entries and reads MESSAGE in both shapes', () => {
    const asBytes = JSON.stringify({ MESSAGE: [...Buffer.from(anchorLine({ ...h, seq: 4 }))] });
    const r = withJournal(`[ "$4" = "SYSLOG_IDENTIFIER=agentguard-anchor" ] || exit 9\necho '${JSON.stringify({ MESSAGE: anchorLine(h) })}'\necho '${asBytes}'\necho '{"MESSAGE":"something else"}'`);
    expect(r).toEqual({ kind: 'journald', ok: true, heads: [h, { ...h, seq: 4 }] });
  });

  it('a journal it may not read is "could not be read", not "no record"', () => {
    const r = withJournal(`echo 'No journal files were opened due to insufficient permissions.' >&2`);
    expect(r.ok).toBe(false);
    expect(r.problem).toMatch(/insufficient permissions.*systemd-journal group/);
  });
});
