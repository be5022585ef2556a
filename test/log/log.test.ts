// The session log: records from a real session, tamper detection by `agentguard log
// verify`, and a gap-free sequence under concurrent commands.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listSessions, readRecords } from '../../src/log/read.js';
import type { LogRecord } from '../../src/log/store.js';
import { BIN, FAKE_AGENT, makeWorld, Terminal } from '../session/harness.js';

const world = makeWorld('log');
const sessions = path.join(world.home, '.local', 'state', 'agentguard', 'sessions');
afterAll(() => world.remove());

function cli(...args: string[]) {
  return spawnSync(process.execPath, [BIN, ...args], { cwd: world.ws, env: { PATH: process.env.PATH ?? '', HOME: world.home, NO_COLOR: '1' }, encoding: 'utf8' });
}

let sessionId = '';
let records: LogRecord[] = [];

beforeAll(async () => {
  // No anchor here, whatever the machine has: the verdicts below are about the files (test/log/tamper.test.ts has the anchor).
  fs.mkdirSync(path.join(world.home, '.config', 'agentguard'), { recursive: true });
  fs.writeFileSync(path.join(world.home, '.config', 'agentguard', 'config.yaml'), 'log:\n  anchor: none\n');
  fs.writeFileSync(path.join(world.ws, 'tracked.txt'), 'changed\n');
  const t = new Terminal(['shell', '--workspace', world.ws, '--', process.execPath, FAKE_AGENT, 'name', 'echo ok > out.txt; git reset --hard'], { cwd: world.ws, home: world.home, env: { MY_API_TOKEN: 'sekrit-value-123456' } });
  await t.answer('n');
  await t.waitFor(/AGENT-DONE \d+/);
  await t.exit();
  const t2 = new Terminal(['shell', '--workspace', world.ws, '--', process.execPath, FAKE_AGENT, 'name', 'echo sekrit-value-123456 > /dev/null; ls'], { cwd: world.ws, home: world.home, env: { MY_API_TOKEN: 'sekrit-value-123456' } });
  await t2.waitFor(/AGENT-DONE \d+/);
  await t2.exit();
  const list = listSessions(sessions);
  sessionId = list[0].id;
  records = readRecords(list[0].file);
}, 60_000);

describe('what a session records', () => {
  it('session start, each decision with its answer, and session end', () => {
    expect(records[0]).toMatchObject({ type: 'session-start', session: sessionId, seq: 0 });
    expect(typeof records[0].enforcement).toBe('string');
    expect((records[0].rules as string).length).toBe(64);
    const asked = records.find((r) => r.type === 'decision' && r.action === 'ask');
    expect(asked).toMatchObject({ command: 'echo ok > out.txt; git reset --hard', verdict: 'deny', answer: 'deny', answeredFrom: 'terminal', cwd: world.ws });
    expect((asked!.matches as { rule: string }[]).map((m) => m.rule)).toContain('git-reset-hard');
    expect(records.at(-1)).toMatchObject({ type: 'session-end', exit: 0 });
    expect(records.map((r) => r.seq)).toEqual(records.map((_, i) => i));
  });

  it('files are private to the user', () => {
    expect(fs.statSync(sessions).mode & 0o777).toBe(0o700);
    expect(fs.statSync(path.join(sessions, `${sessionId}.jsonl`)).mode & 0o777).toBe(0o600);
  });

  it('an allowed command records its exit status and duration', () => {
    const second = readRecords(listSessions(sessions)[1].file);
    const decision = second.find((r) => r.type === 'decision' && r.action === 'allow');
    const end = second.find((r) => r.type === 'command-end');
    expect(end).toMatchObject({ decision: decision!.seq, status: 0 });
    expect(typeof end!.ms).toBe('number');
  });

  it("the session's secret values never reach the log", () => {
    const text = fs.readFileSync(listSessions(sessions)[1].file, 'utf8');
    expect(text).not.toContain('sekrit-value-123456');
    expect(text).toContain('echo [REDACTED] > /dev/null; ls');
  });

  it('agentguard log shows the timeline; filters and --json work', () => {
    const all = cli('log', sessionId);
    expect(all.stdout).toMatch(/ASK +echo ok > out.txt; git reset --hard .*\[deny at the terminal\]/);
    const asks = cli('log', sessionId, '--action', 'ask', '--json').stdout.trim().split('\n').map((l) => JSON.parse(l) as LogRecord);
    // One action: its decision, the prompt record written when the question opened, and the
    // snapshot taken before the question (git reset --hard over uncommitted work, issue 17).
    expect(asks.map((r) => r.type)).toEqual(['prompt', 'snapshot', 'decision']);
    expect(asks[2].action).toBe('ask');
    expect(asks[2].prompt).toBe(asks[0].seq);
    expect(asks[1].parent).toBe(asks[0].seq);
    expect(cli('log', sessionId, '--grep', 'no-such-text').stdout).toBe('');
    expect(cli('sessions').stdout).toContain(sessionId);
  });
});

describe('agentguard log verify detects tampering', () => {
  const file = () => path.join(sessions, `${sessionId}.jsonl`);
  let original = '';
  beforeAll(() => {
    original = fs.readFileSync(file(), 'utf8');
  });
  const tamper = (f: (lines: string[]) => string[] | null) => {
    const lines = original.trimEnd().split('\n');
    const changed = f(lines);
    if (changed === null) fs.rmSync(file());
    else fs.writeFileSync(file(), changed.join('\n') + '\n');
    const r = cli('log', 'verify', sessionId);
    fs.writeFileSync(file(), original);
    return r;
  };

  it('an untouched log checks out, but without an anchor it is unanchored, not intact', () => {
    const r = cli('log', 'verify', sessionId);
    expect(r.stdout).toMatch(/^unanchored +\S+: \d+ records, chain and MACs check out, but no anchor/);
    expect(r.status).toBe(2);
  });

  it.each([
    // Records are numbered #seq, as `agentguard log` numbers them.
    ['an edited field', (l: string[]) => l.map((x, i) => (i === 2 ? x.replace(/"time":"\d{4}/, '"time":"1999') : x)), /^edited .*record #2 was changed after it was written/],
    ['a deleted line', (l: string[]) => l.filter((_, i) => i !== 1), /^edited .*record #1 does not follow/],
    ['two swapped lines', (l: string[]) => [l[0], l[2], l[1], ...l.slice(3)], /^edited .*record #1 does not follow/],
    ['a cut tail', (l: string[]) => l.slice(0, -1), /^truncated .*the index has records up to/],
    ['a deleted file', () => null, /^missing .*log file is missing/],
  ])('%s', (_name, f, message) => {
    const r = tamper(f);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(message);
  });
});

describe('concurrent commands in one session', () => {
  it('produce a gap-free sequence', async () => {
    const t = new Terminal(['shell', '--workspace', world.ws, '--', process.execPath, FAKE_AGENT, 'parallel', 'echo {i} > par-{i}.txt'], { cwd: world.ws, home: world.home });
    await t.waitFor(/AGENT-DONE \d+/);
    await t.exit();
    const last = listSessions(sessions).at(-1)!;
    const recs = readRecords(last.file);
    expect(recs.filter((r) => r.type === 'decision').length).toBe(20);
    expect(recs.map((r) => r.seq)).toEqual(recs.map((_, i) => i));
    const v = cli('log', 'verify', '--all');
    expect(v.stdout.trim().split('\n').map((l) => l.split(' ')[0])).toEqual(listSessions(sessions).map(() => 'unanchored'));
    expect(v.status).toBe(2);
  });
});

describe('pruning', () => {
  it('removes old sessions on purpose and keeps the index consistent', () => {
    const r = cli('log', 'prune', '--older-than', '0s');
    expect(r.stdout).toMatch(/removed \d+ sessions?/);
    expect(listSessions(sessions)).toEqual([]);
    expect(cli('log', 'verify', '--all').status).toBe(0);
  });
});
