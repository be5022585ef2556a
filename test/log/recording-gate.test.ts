// The gate's side of recording, driven directly with real processes standing in for the
// agent's: the shell an agent starts to run agentguard's own hook is written after the
// hook's record, as its part; the agent's wrapper shell is linked to the hook that let its
// command run, and only from the same agent.
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Gate, type GateEvent, type PromptEvent } from '../../src/session/gate.js';
import type { ShimRequest } from '../../src/session/protocol.js';
import { hookCommand } from '../../src/hooks/command.js';
import { EXAMPLE_CONTEXT } from '../../src/rules/examples.js';
import { exampleGuard } from '../helpers.js';

const WS = EXAMPLE_CONTEXT.policy.workspaces[0];
const LAUNCHER = hookCommand('claude');

/** A gate that numbers its records like the session log does. */
async function recordingGate(more: { maxCommandsPerMinute?: number } = {}) {
  const records: (({ type: 'decision' } & GateEvent) | ({ type: 'prompt' } & PromptEvent) | { type: 'command-end'; decision: number | undefined })[] = [];
  const gate = new Gate({
    guard: await exampleGuard(),
    ask: async () => 'once',
    hookLaunchers: new Set([LAUNCHER]),
    onEvent: (e) => records.push({ type: 'decision', ...e }) - 1,
    onPrompt: (p) => records.push({ type: 'prompt', ...p }) - 1,
    onExit: (seq) => void records.push({ type: 'command-end', decision: seq }),
    ...more,
  });
  return { gate, records };
}

function req(more: Partial<ShimRequest> & { script: string; pid: number; ppid: number }): ShimRequest {
  return { v: 1, shell: 'bash', mode: 'c', cwd: WS, argv: ['bash', '-c', more.script], ...more };
}

// The agent's shell that runs the hook line: the shim (this test process, as the request's
// pid) forks the real shell (a bash child), which starts the hook (a sleep under that bash).
// The agent is the process above the shim (this process's parent).
let launcher: ChildProcess;
let hookProc: number;
let other: ChildProcess;
beforeAll(async () => {
  launcher = spawn('bash', ['-c', 'sleep 60 & echo $!; wait'], { stdio: ['ignore', 'pipe', 'ignore'] });
  hookProc = await new Promise<number>((resolve) => launcher.stdout!.once('data', (d: Buffer) => resolve(Number(String(d).trim()))));
  // Another agent: a process that is no ancestor of the hook.
  other = spawn('sleep', ['60'], { stdio: 'ignore' });
});
afterAll(() => {
  launcher.kill();
  if (hookProc) process.kill(hookProc);
  other.kill();
});

describe("the shell that starts agentguard's hook", () => {
  it('is recorded after the hook, as its part; the wrapper is the hook\'s part too', async () => {
    const { gate, records } = await recordingGate();
    const l = await gate.handle(req({ shell: 'sh', script: LAUNCHER, pid: process.pid, ppid: process.ppid }));
    expect(l).toMatch(/^ALLOW [0-9a-f]{32}/);
    // Nothing yet: the hook's record comes first.
    expect(records).toHaveLength(0);
    expect(await gate.handle(req({ shell: 'hook', mode: 'line', argv: [], script: 'ls', pid: hookProc, ppid: launcher.pid! }))).toMatch(/^ALLOW/);
    expect(records.map((r) => [r.type, 'request' in r ? r.request.script : '', 'parent' in r ? r.parent : undefined])).toEqual([
      ['decision', 'ls', undefined],
      ['decision', LAUNCHER, 0],
    ]);
    // Claude's wrapper around `ls` (unquoted, as Claude writes a plain word), from the agent.
    await gate.handle(req({ script: "shopt -u extglob 2>/dev/null || true && eval ls < /dev/null && pwd -P >| /tmp/claude-1a2b-cwd", pid: other.pid!, ppid: process.ppid }));
    expect(records[2]).toMatchObject({ type: 'decision', kind: 'checked', verdict: 'allow', parent: 0 });
    // The launcher's exit report names its own record.
    await gate.handle({ v: 1, report: 'exit', token: l.slice(6).trim(), status: 0, ms: 5 });
    expect(records[3]).toEqual({ type: 'command-end', decision: 1 });
  });

  it('whose hook never asked is recorded on its own when it ends', async () => {
    const { gate, records } = await recordingGate();
    const l = await gate.handle(req({ shell: 'sh', script: LAUNCHER, pid: process.pid, ppid: process.ppid }));
    await gate.handle({ v: 1, report: 'exit', token: l.slice(6).trim(), status: 2, ms: 5 });
    expect(records.map((r) => [r.type, 'parent' in r ? r.parent : undefined])).toEqual([
      ['decision', undefined],
      ['command-end', undefined],
    ]);
    expect(records[1]).toEqual({ type: 'command-end', decision: 0 });
  });

  it('still waiting when the session ends is recorded by flush()', async () => {
    const { gate, records } = await recordingGate();
    await gate.handle(req({ shell: 'sh', script: LAUNCHER, pid: process.pid, ppid: process.ppid }));
    gate.flush();
    expect(records.map((r) => [r.type, 'request' in r ? r.request.script : '', 'parent' in r ? r.parent : undefined])).toEqual([['decision', LAUNCHER, undefined]]);
  });
});

describe("the agent's wrapper", () => {
  it('is not linked to a hook of another agent, nor to a hook for another command', async () => {
    const { gate, records } = await recordingGate();
    await gate.handle(req({ shell: 'hook', mode: 'line', argv: [], script: 'ls', pid: hookProc, ppid: launcher.pid! }));
    // The same command from a shell whose parent is not above the hook: another agent's.
    await gate.handle(req({ script: 'ls', pid: other.pid!, ppid: other.pid! }));
    // Another command from the same agent.
    await gate.handle(req({ script: 'git status', pid: other.pid!, ppid: process.ppid }));
    expect(records.map((r) => ('parent' in r ? r.parent : undefined))).toEqual([undefined, undefined, undefined]);
    // The right one still links.
    await gate.handle(req({ script: 'ls', pid: other.pid!, ppid: process.ppid }));
    expect(records[3]).toMatchObject({ parent: 0 });
  });

  it('of an approved hook closes nothing itself; the hook\'s decision points at its prompt', async () => {
    const { gate, records } = await recordingGate();
    await gate.handle(req({ shell: 'hook', mode: 'line', argv: [], script: 'git reset --hard', pid: hookProc, ppid: launcher.pid! }));
    await gate.handle(req({ script: 'git reset --hard', pid: other.pid!, ppid: process.ppid }));
    expect(records.map((r) => [r.type, 'kind' in r ? r.kind : '', 'prompt' in r ? r.prompt : undefined, 'parent' in r ? r.parent : undefined])).toEqual([
      ['prompt', '', undefined, undefined],
      ['decision', 'checked', 0, undefined],
      ['decision', 'hook-approved', undefined, 1],
    ]);
    expect((records[0] as PromptEvent).decision.matches.map((m) => m.rule)).toContain('git-reset-hard');
  });
});

describe('the runaway-loop breaker', () => {
  it('opens a prompt record, closed by the record of the command that waited for it', async () => {
    const { gate, records } = await recordingGate({ maxCommandsPerMinute: 1 });
    await gate.handle(req({ script: 'ls', pid: other.pid!, ppid: process.ppid }));
    await gate.handle(req({ script: 'git status', pid: other.pid!, ppid: process.ppid }));
    expect(records.map((r) => [r.type, 'prompt' in r ? r.prompt : undefined])).toEqual([
      ['decision', undefined],
      ['prompt', undefined],
      ['decision', 1],
    ]);
    expect((records[1] as PromptEvent).decision.matches.map((m) => m.rule)).toEqual(['circuit-breaker']);
  });
});
