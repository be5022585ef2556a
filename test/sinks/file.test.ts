// The file sink: the session log's own lines appended to a JSON Lines file a collector tails,
// from a real session (--log-sink) and from `agentguard check` (config.yaml log.sinks).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, makeWorld } from '../session/harness.js';
import { openLogSinks } from '../../src/sinks/index.js';
import { runSession } from './helpers.js';

const world = makeWorld('sinks-file');
afterAll(() => world.remove());
const sessions = path.join(world.home, '.local/state/agentguard/sessions');
const linesOf = (f: string) => fs.readFileSync(f, 'utf8').trim().split('\n');

describe('file sink', () => {
  it("a session's records are appended, line for line as in the session log, to a file only the user can read", async () => {
    const sink = path.join(world.base, 'shipped', 'agentguard.jsonl');
    fs.mkdirSync(path.dirname(sink));
    fs.writeFileSync(sink, '{"earlier":"line kept"}\n', { mode: 0o600 });
    const { records, exit } = await runSession(world, [`file:${sink}`]);
    expect(exit).toBe(0);
    const log = linesOf(path.join(sessions, `${records[0].session}.jsonl`));
    expect(records.map((r) => r.type)).toEqual(expect.arrayContaining(['session-start', 'decision', 'session-end']));
    expect(linesOf(sink)).toEqual(['{"earlier":"line kept"}', ...log]);
    expect(fs.statSync(sink).mode & 0o777).toBe(0o600);
  });

  it('a new sink file is created 0600, and a second session appends to it', async () => {
    const sink = path.join(world.base, 'new', 'deep', 'log.jsonl');
    const a = await runSession(world, [`file:${sink}`]);
    const b = await runSession(world, [`file:${sink}`]);
    expect(fs.statSync(sink).mode & 0o777).toBe(0o600);
    const shipped = linesOf(sink).map((l) => JSON.parse(l) as { session: string });
    expect(shipped.filter((r) => r.session === a.records[0].session)).toHaveLength(a.records.length);
    expect(shipped.filter((r) => r.session === b.records[0].session)).toHaveLength(b.records.length);
  });

  it("`agentguard check` ships its daily log's record to config.yaml's file sink before it exits", () => {
    const sink = path.join(world.base, 'check.jsonl');
    const config = path.join(world.base, 'xdg-config');
    fs.mkdirSync(path.join(config, 'agentguard'), { recursive: true });
    fs.writeFileSync(path.join(config, 'agentguard', 'config.yaml'), `log:\n  sinks: ["file:${sink}"]\n  queue: 100\n`);
    const env = { ...process.env, HOME: world.home, XDG_CONFIG_HOME: config, XDG_STATE_HOME: path.join(world.base, 'state') };
    const r = spawnSync(process.execPath, [BIN, 'check', '--', 'ls -la'], { cwd: world.ws, env, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const daily = fs.readdirSync(path.join(world.base, 'state/agentguard/sessions')).find((f) => f.startsWith('check-'))!;
    const log = linesOf(path.join(world.base, 'state/agentguard/sessions', daily));
    expect(linesOf(sink)).toEqual(log);
    expect(JSON.parse(log[0])).toMatchObject({ type: 'decision', source: 'check', command: 'ls -la', verdict: 'allow' });
  });

  it("a Claude Code hook ships its daily log's record to config.yaml's file sink too", () => {
    const sink = path.join(world.base, 'hook.jsonl');
    const config = path.join(world.base, 'xdg-config-hook');
    const state = path.join(world.base, 'state-hook');
    fs.mkdirSync(path.join(config, 'agentguard'), { recursive: true });
    fs.writeFileSync(path.join(config, 'agentguard', 'config.yaml'), `log:\n  sinks: ["file:${sink}"]\n`);
    const input = JSON.stringify({ session_id: 'sinks-test', transcript_path: path.join(world.base, 't.jsonl'), cwd: world.ws, permission_mode: 'default', hook_event_name: 'PreToolUse', tool_name: 'Bash', tool_input: { command: 'git status --short' }, tool_use_id: 'toolu_sinks' });
    const r = spawnSync(process.execPath, [BIN, 'hook', 'claude'], { cwd: world.ws, env: { ...process.env, HOME: world.home, XDG_CONFIG_HOME: config, XDG_STATE_HOME: state }, input, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const daily = fs.readdirSync(path.join(state, 'agentguard/sessions')).find((f) => f.startsWith('hook-'))!;
    const log = linesOf(path.join(state, 'agentguard/sessions', daily));
    expect(linesOf(sink)).toEqual(log);
    expect(JSON.parse(log[0])).toMatchObject({ type: 'decision', source: 'hook:claude', command: 'git status --short' });
  });

  it('a symlink at the sink path is refused: nothing is appended to the file it points at, and the loss is reported', async () => {
    const target = path.join(world.base, 'victim.txt');
    fs.writeFileSync(target, 'untouched\n');
    const link = path.join(world.base, 'planted.jsonl');
    fs.symlinkSync(target, link);
    const sinks = openLogSinks([`file:${link}`], { env: { XDG_STATE_HOME: path.join(world.base, 'state-link') } })!;
    const r = { v: 1 as const, session: 'unit', seq: 0, time: new Date(0).toISOString(), type: 'decision', prev: '0', hash: '0' };
    sinks.onAppend(r, JSON.stringify(r));
    const [f] = await sinks.close({ boundMs: 1000 });
    expect(f).toMatchObject({ sent: 0, unsent: 1 });
    expect(f.error).toMatch(/ELOOP/);
    expect(fs.readFileSync(target, 'utf8')).toBe('untouched\n');
  });
});
