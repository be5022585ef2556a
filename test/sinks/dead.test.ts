// A sink that is down (a closed port: connection refused; 192.0.2.1, TEST-NET-1: black-holed
// or unreachable) loses nothing of the session log and does not hold the session up: its
// queue drops what it cannot hold and counts it, the session's end gives it a bounded time,
// and the loss is a sink-loss record in the log itself and a failing line in `doctor`.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { LogRecord } from '../../src/log/store.js';
import { openLogSinks, readSinkHistory } from '../../src/sinks/index.js';
import { BIN, makeWorld } from '../session/harness.js';
import { freeTcpPort, runSession, until } from './helpers.js';

const world = makeWorld('sinks-dead');
afterAll(() => world.remove());

const fake = (seq: number): [LogRecord, string] => {
  const r = { v: 1 as const, session: 'unit', seq, time: new Date(0).toISOString(), type: 'decision', prev: '0', hash: String(seq) };
  return [r, JSON.stringify(r)];
};

describe('the bounded queue', () => {
  it('keeps the oldest records up to its bound, drops the newest, and reports every lost one', async () => {
    const port = await freeTcpPort();
    const state = path.join(world.base, 'state-unit');
    const sinks = openLogSinks([`tcp://127.0.0.1:${port}`], { queue: 5, env: { XDG_STATE_HOME: state } })!;
    for (let seq = 0; seq < 20; seq++) sinks.onAppend(...fake(seq));
    // The queue keeps trying in the background; by the time it has failed once, nothing more was taken.
    await until('the first delivery failed', () => !!sinks.figures()[0].error);
    expect(sinks.figures()[0]).toMatchObject({ sent: 0, dropped: 15 });
    const written: [string, Record<string, unknown>][] = [];
    const [f] = await sinks.close({ boundMs: 300, log: { append: (type, fields) => written.push([type, fields]) } });
    expect(f).toMatchObject({ spec: `tcp://127.0.0.1:${port}`, sent: 0, dropped: 15, unsent: 5, lostSeqs: { unit: [0, 19] } });
    expect(f.error).toMatch(/ECONNREFUSED/);
    expect(written).toEqual([['sink-loss', expect.objectContaining({ sink: `tcp://127.0.0.1:${port}`, lost: 20, dropped: 15, unsent: 5 })]]);
    // After close the sinks take nothing more (a record written after the end is not queued).
    sinks.onAppend(...fake(20));
    expect(readSinkHistory({ XDG_STATE_HOME: state })[`tcp://127.0.0.1:${port}`]).toMatchObject({ sent: 0, lost: 20, last: { lost: 20 } });
  });
});

describe('a dead sink in a real session', () => {
  it('loses no record of the log or of a file sink beside it, and the loss is logged and shown by doctor', async () => {
    const closed = await freeTcpPort();
    const file = path.join(world.base, 'beside.jsonl');
    const dead = [`syslog+tcp://127.0.0.1:${closed}`, 'syslog+tcp://192.0.2.1:601', 'otlp-http://192.0.2.1:4318'];
    const { records, exit, output } = await runSession(world, [...dead, `file:${file}`]);
    expect(exit).toBe(0);
    const losses = records.filter((r) => r.type === 'sink-loss');
    const shipped = records.filter((r) => r.type !== 'sink-loss');
    expect(shipped.map((r) => r.type)).toEqual(expect.arrayContaining(['session-start', 'decision', 'session-end']));
    // Every record the sinks were given is in the log, in order; the sink-loss records come after the end.
    expect(records.map((r) => r.seq)).toEqual(records.map((_, i) => i));
    expect(records.findIndex((r) => r.type === 'sink-loss')).toBeGreaterThan(records.findIndex((r) => r.type === 'session-end'));
    expect(losses.map((r) => r.sink).sort()).toEqual([...dead].sort());
    for (const l of losses) expect(l).toMatchObject({ lost: shipped.length, seqs: { [records[0].session]: [0, shipped.length - 1] } });
    // The file sink beside them got every record the others lost.
    expect(fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as LogRecord).seq)).toEqual(shipped.map((r) => r.seq));
    expect(output).toContain(`log sink syslog+tcp://127.0.0.1:${closed}: ${shipped.length} records not delivered`);

    const doctor = spawnSync(process.execPath, [BIN, 'doctor', '--json'], { cwd: world.ws, env: { ...process.env, HOME: world.home }, encoding: 'utf8' });
    const lines = JSON.parse(doctor.stdout) as { ok: boolean | null; what: string; fix?: string }[];
    for (const spec of dead) {
      const line = lines.find((l) => l.what.startsWith(`log sink ${spec} `));
      expect(line?.ok, spec).toBe(false);
      expect(line?.what, spec).toContain(`its last run lost ${shipped.length} records`);
    }
    expect(lines.find((l) => l.what.startsWith(`log sink file:${file} `))).toMatchObject({ ok: true });

    // The loss reports written after session-end are the session's own, not records appended later.
    const verify = spawnSync(process.execPath, [BIN, 'log', 'verify', records[0].session, '--json'], { cwd: world.ws, env: { ...process.env, HOME: world.home }, encoding: 'utf8' });
    const verdicts = verify.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { verdict: string }).verdict);
    expect(verdicts).toHaveLength(1);
    expect(['intact', 'unanchored']).toContain(verdicts[0]);
  });

  it("check's dead sink: the answer stands, and the delivery process writes the loss to the daily log and sinks.json", async () => {
    const closed = await freeTcpPort();
    const config = path.join(world.base, 'xdg-config');
    const state = path.join(world.base, 'xdg-state');
    fs.mkdirSync(path.join(config, 'agentguard'), { recursive: true });
    fs.writeFileSync(path.join(config, 'agentguard', 'config.yaml'), `log:\n  sinks: ["tcp://127.0.0.1:${closed}"]\n`);
    const r = spawnSync(process.execPath, [BIN, 'check', '--', 'git status'], { cwd: world.ws, env: { ...process.env, HOME: world.home, XDG_CONFIG_HOME: config, XDG_STATE_HOME: state }, encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('ALLOW');
    const sessions = path.join(state, 'agentguard', 'sessions');
    const daily = () => {
      const f = fs.readdirSync(sessions).find((n) => n.startsWith('check-'));
      return f ? fs.readFileSync(path.join(sessions, f), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as LogRecord) : [];
    };
    await until('the loss is in the daily log', () => daily().some((x) => x.type === 'sink-loss'), 20_000);
    const [decision, loss] = daily();
    expect(decision).toMatchObject({ type: 'decision', command: 'git status' });
    expect(loss).toMatchObject({ type: 'sink-loss', sink: `tcp://127.0.0.1:${closed}`, lost: 1, seqs: { [decision.session]: [decision.seq, decision.seq] } });
    expect(loss.error).toMatch(/ECONNREFUSED/);
    await until('sinks.json has it', () => readSinkHistory({ XDG_STATE_HOME: state })[`tcp://127.0.0.1:${closed}`]?.lost === 1);
  });
});
