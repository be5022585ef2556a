// A hostile agent against the session log, with a real rsyslogd as the anchor: the test starts
// its own daemon (imuxsock on a socket in the temp dir, omfile to a file there, nothing
// system-wide) and points agentguard at it through config.yaml in a temp HOME. Each edit an
// agent with the user's rights can make — drop records and rechain (with and without the key),
// rewrite the index, delete a session, forge one, cut a tail, kill the session — must come out
// of `agentguard log verify` with its verdict; a clean session is intact, and one written with
// no anchor is unanchored, not intact.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnchorSettings } from '../../src/anchor/settings.js';
import { startAnchor } from '../../src/anchor/writer.js';
import { loadLogKey } from '../../src/log/key.js';
import { GENESIS, sealLine, SessionLog, type LogRecord } from '../../src/log/store.js';
import type { VerifyResult } from '../../src/log/verify.js';
import { BIN, FAKE_AGENT, makeWorld, Terminal } from '../session/harness.js';

const hasRsyslog = spawnSync('rsyslogd', ['-v'], { stdio: 'ignore' }).status === 0;
const world = makeWorld('tamper');
const home = world.home;
const sessions = path.join(home, '.local', 'state', 'agentguard', 'sessions');
const index = path.join(sessions, 'index.jsonl');
const keyFile = path.join(home, '.config', 'agentguard', 'log.key');
const rs = path.join(world.base, 'rsyslog');
const socket = path.join(rs, 'log.sock');
const anchors = path.join(rs, 'anchors.log');
const settings: AnchorSettings = { wanted: 'syslog', socket, files: [anchors] };
let rsyslogd: ChildProcess | null = null;

function cli(...args: string[]) {
  return spawnSync(process.execPath, [BIN, ...args], { cwd: world.ws, env: { PATH: process.env.PATH ?? '', HOME: home, NO_COLOR: '1' }, encoding: 'utf8' });
}

/** Every session's verdict from `agentguard log verify --all --json`, and the exit status. */
function verifyAll(): { status: number | null; by: Map<string, VerifyResult>; text: string } {
  const r = cli('log', 'verify', '--all', '--json');
  const by = new Map<string, VerifyResult>();
  for (const l of r.stdout.split('\n').filter(Boolean)) {
    const v = JSON.parse(l) as VerifyResult;
    by.set(v.session, v);
  }
  return { status: r.status, by, text: cli('log', 'verify', '--all').stdout };
}

async function until<T>(what: string, f: () => T | null | undefined | false, timeoutMs = 15_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const readLines = (id: string) => fs.readFileSync(path.join(sessions, `${id}.jsonl`), 'utf8').trimEnd().split('\n');
const records = (id: string) => readLines(id).map((l) => JSON.parse(l) as LogRecord);
const anchoredUpTo = (id: string, seq: number) => until(`the anchor of ${id} #${seq}`, () => fs.existsSync(anchors) && fs.readFileSync(anchors, 'utf8').includes(`session=${id} seq=${seq} `));

/** A session written the way the session writes it, through SessionLog with the person's key and the anchor. */
async function writeSession(id: string, actions: string[], o: { end?: boolean; anchor?: AnchorSettings } = {}): Promise<SessionLog> {
  const log = new SessionLog(id, { dir: sessions, key: loadLogKey(keyFile), anchor: startAnchor(o.anchor ?? settings) });
  log.append('session-start', { agent: ['fake-agent'] });
  for (const a of actions) log.append('decision', { command: `step ${a}`, action: a, verdict: a });
  if (o.end === false) return log;
  log.append('session-end', { exit: 0 });
  await log.end();
  return log;
}

// The attacker's tools: what an agent with the user's rights can do to the files.
/** Keeps the records `keep` accepts and recomputes the chain; with the key, the MACs too (without it they are stripped, and the key id with them). */
function rechain(id: string, keep: (r: LogRecord) => boolean, key: Buffer | null): string[] {
  let prev = GENESIS;
  const lines: string[] = [];
  const indexLines: string[] = [];
  records(id)
    .filter(keep)
    .forEach((r, seq) => {
      const { prev: _p, hash: _h, mac: _m, ...body } = r;
      body.seq = seq;
      if (!key) delete body.keyId;
      const sealed = sealLine(body, prev, key);
      lines.push(sealed.line);
      indexLines.push(JSON.stringify({ session: id, seq, hash: sealed.hash }));
      prev = sealed.hash;
    });
  fs.writeFileSync(path.join(sessions, `${id}.jsonl`), lines.join('\n') + '\n');
  return indexLines;
}
function rewriteIndex(id: string, lines: string[]) {
  const kept = fs
    .readFileSync(index, 'utf8')
    .split('\n')
    .filter((l) => l && (JSON.parse(l) as { session: string }).session !== id);
  fs.writeFileSync(index, [...kept, ...lines].map((l) => l + '\n').join(''));
}
const theKey = () => fs.readFileSync(keyFile);
const dropsDecisions = (r: LogRecord) => !(r.type === 'decision' && r.action !== 'allow');

/** Runs one tampering, then puts every file back as it was. */
function tampered(edit: () => void): ReturnType<typeof verifyAll> {
  const saved = new Map(fs.readdirSync(sessions).map((f) => [f, fs.readFileSync(path.join(sessions, f))]));
  const savedKey = theKey();
  try {
    edit();
    return verifyAll();
  } finally {
    for (const f of fs.readdirSync(sessions)) if (!saved.has(f)) fs.rmSync(path.join(sessions, f));
    for (const [f, b] of saved) fs.writeFileSync(path.join(sessions, f), b);
    fs.writeFileSync(keyFile, savedKey, { mode: 0o600 });
  }
}

let clean = '';
let shellSession = '';
let killed = '';
let running: SessionLog | null = null;
const firstDropped = (id: string) => records(id).findIndex((r) => !dropsDecisions(r));

describe.skipIf(!hasRsyslog)('tampering with the session log, against a real rsyslogd as the anchor', () => {
  beforeAll(async () => {
    fs.mkdirSync(rs);
    const conf = path.join(rs, 'rsyslog.conf');
    fs.writeFileSync(
      conf,
      [
        `global(workDirectory="${rs}")`,
        'module(load="imuxsock" SysSock.Use="off")',
        `input(type="imuxsock" Socket="${socket}" CreatePath="on" RateLimit.Interval="0")`,
        `*.* action(type="omfile" file="${anchors}")`,
        '',
      ].join('\n'),
    );
    rsyslogd = spawn('rsyslogd', ['-f', conf, '-i', path.join(rs, 'rsyslogd.pid'), '-n'], { stdio: 'ignore' });
    await until('rsyslogd socket', () => fs.existsSync(socket));
    fs.mkdirSync(path.dirname(keyFile), { recursive: true });
    fs.writeFileSync(path.join(path.dirname(keyFile), 'config.yaml'), `log:\n  anchor: syslog\n  syslog:\n    socket: ${socket}\n    files: [${anchors}]\n`);

    // A real session: the agent's command is asked about (tracked.txt holds uncommitted work) and refused at the terminal.
    fs.writeFileSync(path.join(world.ws, 'tracked.txt'), 'changed\n');
    const t = new Terminal(['shell', '--workspace', world.ws, '--', process.execPath, FAKE_AGENT, 'name', 'echo ok > out.txt; git reset --hard'], { cwd: world.ws, home });
    await t.answer('n');
    await t.waitFor(/AGENT-DONE \d+/);
    await t.exit();
    shellSession = /session (\S+) \|/.exec(t.output)![1];

    clean = 'direct-clean';
    await writeSession(clean, ['allow', 'ask', 'allow', 'deny', 'allow', 'allow']);
    await writeSession('direct-noanchor', ['allow', 'deny'], { anchor: { ...settings, socket: path.join(rs, 'no-such.sock') } });
    running = await writeSession('direct-running', ['allow', 'allow'], { end: false });

    // A session killed with SIGKILL while its agent's command runs.
    const k = new Terminal(['shell', '--workspace', world.ws, '--', process.execPath, FAKE_AGENT, 'name', 'sleep 5'], { cwd: world.ws, home });
    killed = (await until('the killed session id', () => /session (\S+) \|/.exec(k.output)))[1];
    await until('the sleep decision', () => fs.existsSync(path.join(sessions, `${killed}.jsonl`)) && /"type":"decision".*"command":"sleep 5"/.test(fs.readFileSync(path.join(sessions, `${killed}.jsonl`), 'utf8')));
    process.kill(k.pid, 'SIGKILL');
    await k.exit();

    const lastSeq = (id: string) => records(id).at(-1)!.seq;
    await anchoredUpTo(shellSession, lastSeq(shellSession));
    await anchoredUpTo(clean, lastSeq(clean));
    await anchoredUpTo(killed, 0);
  }, 90_000);

  afterAll(async () => {
    await running?.end();
    rsyslogd?.kill('SIGTERM');
    world.remove();
  });

  it('the anchor holds heads a person can read', () => {
    expect(fs.readFileSync(anchors, 'utf8')).toMatch(new RegExp(`agentguard-anchor: agentguard-anchor session=${clean} seq=7 hash=[0-9a-f]{64} mac=[0-9a-f]{64}`));
  });

  it('untouched: intact when anchored, running while its writer lives, unterminated when killed, unanchored without an anchor', () => {
    const { by, status, text } = verifyAll();
    expect(by.get(clean)).toMatchObject({ verdict: 'intact', keyed: 'keyed', anchor: { kind: 'syslog' } });
    expect(by.get(shellSession)).toMatchObject({ verdict: 'intact', keyed: 'keyed', anchor: { kind: 'syslog' } });
    expect(by.get('direct-running')?.verdict).toBe('running');
    expect(by.get(killed)).toMatchObject({ verdict: 'unterminated' });
    expect(by.get(killed)?.reason).toMatch(/no session-end record after #[1-9]\d* and its writer \(pid \d+\) is gone/);
    expect(by.get('direct-noanchor')).toMatchObject({ verdict: 'unanchored', anchor: { kind: 'none' } });
    expect(by.get('direct-noanchor')?.reason).toMatch(/no anchor \(journald or syslog\) was available/);
    expect(text).toMatch(new RegExp(`^intact +${clean}: 8 records, keyed, syslog-anchored`, 'm'));
    expect(status).toBe(2);
  });

  it.each([
    ['without the key (MACs and key id stripped)', null],
    ['with the key', 'key'],
  ])('drop the ask and deny records of the real session and rechain %s: edited', (_name, withKey) => {
    const first = firstDropped(shellSession);
    expect(first).toBeGreaterThan(0);
    const { by, status } = tampered(() => rechain(shellSession, dropsDecisions, withKey ? theKey() : null));
    // Without the key, session-start itself had to change (its key id stripped): #0 is the first edited record.
    expect(by.get(shellSession)).toMatchObject({ verdict: 'edited', firstBad: withKey ? first : 0 });
    expect(status).toBe(1);
  });

  it.each([
    ['without the key', null],
    ['with the key', 'key'],
  ])('rechain and rewrite the index %s: the anchor still holds the real head', (_name, withKey) => {
    const first = firstDropped(clean);
    const { by } = tampered(() => rewriteIndex(clean, rechain(clean, dropsDecisions, withKey ? theKey() : null)));
    expect(by.get(clean)?.verdict).toBe('edited');
    if (withKey) {
      // Asked and refused decisions are anchored one by one: the edit is pinned to the first one removed.
      expect(by.get(clean)?.firstBad).toBe(first);
      expect(by.get(clean)?.reason).toMatch(new RegExp(`record #${first} differs from the head the syslog anchor holds for it \\(the chain was rewritten by someone holding your key\\)`));
    } else {
      expect(by.get(clean)?.firstBad).toBe(0);
      expect(by.get(clean)?.reason).toMatch(/record #0 differs from the head the syslog anchor holds/);
    }
  });

  it('drop an allowed record between two heads, rechain with the key and rewrite the index: edited, placed after the last head that agrees', () => {
    const { by } = tampered(() => rewriteIndex(clean, rechain(clean, (r) => r.seq !== 5, theKey())));
    expect(by.get(clean)).toMatchObject({ verdict: 'edited', firstBad: 5 });
    expect(by.get(clean)?.reason).toMatch(/records were removed after #4 and the chain recomputed: the log ends with its session-end at #6, but the syslog anchor holds a head at #7/);
  });

  it('rechain with the key, rewrite the index and make session-start say no anchor was available: the anchor still holds the real head', () => {
    const { by } = tampered(() => {
      const lines = readLines(clean).map((l, i) => (i === 0 ? l.replace('"anchor":"syslog"', '"anchor":"none"') : l));
      fs.writeFileSync(path.join(sessions, `${clean}.jsonl`), lines.join('\n') + '\n');
      rewriteIndex(clean, rechain(clean, dropsDecisions, theKey()));
    });
    expect(by.get(clean)).toMatchObject({ verdict: 'edited', firstBad: 0 });
    expect(by.get(clean)?.notes.join(' ')).toMatch(/session-start says no anchor was available, but the syslog anchor holds heads for it/);
  });

  it('rechain with the key, rewrite the index, and without an anchor it would pass: the anchor is what catches it', () => {
    // The same edit on the session that had no anchor: only unanchored, never intact.
    const { by } = tampered(() => rewriteIndex('direct-noanchor', rechain('direct-noanchor', dropsDecisions, theKey())));
    expect(by.get('direct-noanchor')?.verdict).toBe('unanchored');
  });

  it('delete a session file and its index lines: missing (the anchor knows it)', () => {
    const { by, status } = tampered(() => {
      fs.rmSync(path.join(sessions, `${clean}.jsonl`));
      rewriteIndex(clean, []);
    });
    expect(by.get(clean)?.verdict).toBe('missing');
    expect(by.get(clean)?.reason).toMatch(/syslog anchor has heads up to #7/);
    expect(status).toBe(1);
  });

  it('delete a session and claim it was pruned, without the key: still missing', () => {
    const { by } = tampered(() => {
      fs.rmSync(path.join(sessions, `${clean}.jsonl`));
      rewriteIndex(clean, []);
      fs.appendFileSync(path.join(sessions, 'pruned.list'), JSON.stringify({ session: clean, seq: 7, hash: records(shellSession)[0].hash, mac: 'f'.repeat(64) }) + '\n');
    });
    expect(by.get(clean)?.verdict).toBe('missing');
  });

  it('cut the tail: truncated, by the index, and by the anchor when the index is cut too', () => {
    const cut = () => fs.writeFileSync(path.join(sessions, `${clean}.jsonl`), readLines(clean).slice(0, -2).join('\n') + '\n');
    expect(tampered(cut).by.get(clean)).toMatchObject({ verdict: 'truncated', firstBad: 6 });
    const both = tampered(() => {
      cut();
      rewriteIndex(clean, records(clean).map((r) => JSON.stringify({ session: clean, seq: r.seq, hash: r.hash })));
    });
    expect(both.by.get(clean)).toMatchObject({ verdict: 'truncated', firstBad: 6 });
    expect(both.by.get(clean)?.reason).toMatch(/syslog anchor holds a head at #7/);
  });

  describe('append a forged session (file and index lines)', () => {
    const forge = (id: string, key: Buffer | null, start: Record<string, unknown> = {}) => () => {
      let prev = GENESIS;
      const idx: string[] = [];
      const lines = ['session-start', 'decision', 'session-end'].map((type, seq) => {
        const s = sealLine({ v: 1, session: id, seq, time: new Date().toISOString(), type, ...(seq === 0 ? { anchor: 'syslog', ...start } : { command: 'ls', action: 'allow' }) }, prev, key);
        idx.push(JSON.stringify({ session: id, seq, hash: s.hash }));
        prev = s.hash;
        return s.line;
      });
      fs.writeFileSync(path.join(sessions, `${id}.jsonl`), lines.join('\n') + '\n');
      fs.appendFileSync(index, idx.map((l) => l + '\n').join(''));
    };
    it('without the key: unanchored and unkeyed, never intact', () => {
      const { by, status } = tampered(forge('forged-nokey', null));
      expect(by.get('forged-nokey')).toMatchObject({ verdict: 'unanchored', keyed: 'unkeyed' });
      expect(by.get('forged-nokey')?.reason).toMatch(/the syslog anchor has no record of this session/);
      expect(status).toBe(2);
    });
    it('claiming your key id without the key: edited', () => {
      const fake = crypto.randomBytes(32);
      const { by } = tampered(forge('forged-keyid', fake, { keyId: (loadLogKey(keyFile) as { id: string }).id }));
      expect(by.get('forged-keyid')).toMatchObject({ verdict: 'edited', firstBad: 0 });
    });
    it('with the key: MACs check out, but the anchor never saw it (unanchored)', () => {
      const { by } = tampered(forge('forged-key', theKey()));
      expect(by.get('forged-key')).toMatchObject({ verdict: 'unanchored', keyed: 'keyed' });
    });
    it('with anchor lines forged without the key: they are ignored', async () => {
      spawnSync('logger', ['-t', 'agentguard-anchor', '-u', socket, '--', `agentguard-anchor session=forged-lines seq=2 hash=${'a'.repeat(64)} mac=${'b'.repeat(64)}`]);
      await until('the forged anchor line', () => fs.readFileSync(anchors, 'utf8').includes('session=forged-lines'));
      const { by } = tampered(forge('forged-lines', null));
      expect(by.get('forged-lines')?.verdict).toBe('unanchored');
      expect(by.get('forged-lines')?.notes.join(' ')).toMatch(/carry a MAC your key did not make: ignored/);
    });
  });

  it('agentguard check anchors its daily log through a detached logger', async () => {
    const r = cli('check', '--', 'ls');
    expect(r.status).toBe(0);
    const id = `check-${new Date().toISOString().slice(0, 10)}`;
    await anchoredUpTo(id, records(id).at(-1)!.seq);
    expect(verifyAll().by.get(id)).toMatchObject({ verdict: 'intact', keyed: 'keyed', anchor: { kind: 'syslog', heads: 1 } });
  });

  it("a replaced key file: the old sessions are sealed with another key (wrong-key), not reported as edited", () => {
    const { by } = tampered(() => fs.writeFileSync(keyFile, crypto.randomBytes(32), { mode: 0o600 }));
    expect(by.get('direct-noanchor')?.verdict).toBe('wrong-key');
    expect(by.get('direct-noanchor')?.reason).toMatch(/sealed with key [0-9a-f]{16}, not with yours/);
  });

  it('the text output: one line per session, verdict first, and --help documents the exit codes', () => {
    const { text } = verifyAll();
    expect(text.trim().split('\n').length).toBe(verifyAll().by.size);
    for (const l of text.trim().split('\n')) expect(l).toMatch(/^(intact|running|edited|truncated|missing|wrong-key|unterminated|unanchored) +\S+: /);
    expect(cli('log', 'verify', '--help').stdout).toMatch(/Exit status: 0 every session intact or running; 1 any edited, truncated or missing; 2/);
  });

  it('agentguard log prune removes sessions on purpose: verify does not report them missing afterwards', () => {
    const before = verifyAll().by;
    expect(cli('log', 'prune', '--older-than', '0s').stdout).toMatch(new RegExp(`removed ${before.size} sessions`));
    const after = verifyAll();
    expect([...after.by.values()]).toEqual([]);
    expect(after.status).toBe(0);
    expect(cli('log', 'verify', clean).stdout).toMatch(/^missing +direct-clean: removed on purpose by agentguard log prune/);
  });
});
