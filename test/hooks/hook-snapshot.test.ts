// An agent's hook outside a session (issue 17): the person's answer to the agent's ask is not
// seen here, so a command that would lose work gets its snapshot before the hook answers ask,
// and the reason the agent shows says where the way back is. A command that loses nothing is
// not asked about and leaves no snapshot.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { claudeInput, hookSync, makeWorld, type ClaudeAnswer } from './helpers.js';

let w: ReturnType<typeof makeWorld>;
const git = (...args: string[]) => execFileSync('git', args, { cwd: w.project, encoding: 'utf8', env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: w.home, GIT_CONFIG_NOSYSTEM: '1' } });
// Claude Code started from its own terminal: its ask reaches a person.
const interactive = { CLAUDE_CODE_ENTRYPOINT: 'cli' };

beforeEach(() => {
  w = makeWorld('hook-snapshot');
  fs.rmSync(path.join(w.project, '.git'), { recursive: true });
  git('init', '-q', '-b', 'main');
  git('config', 'user.name', 'Test');
  git('config', 'user.email', 'test@example.invalid');
  fs.mkdirSync(path.join(w.project, 'src'));
  fs.writeFileSync(path.join(w.project, 'src', 'app.ts'), 'export const app = 1;\n');
  git('add', '-A');
  git('commit', '-qm', 'first');
});
afterEach(() => w.remove());

describe('claude hook outside a session, rm -rf src', () => {
  it('with uncommitted work: a snapshot first, then ask, naming the work and the way back; both in the hook log', () => {
    fs.writeFileSync(path.join(w.project, 'src', 'app.ts'), 'export const app = 2; // work\n');
    const r = hookSync('claude', claudeInput('rm -rf src', w.project), { home: w.home, cwd: w.project, env: interactive });
    expect(r.status, r.stderr).toBe(0);
    const out = (JSON.parse(r.stdout) as ClaudeAnswer).hookSpecificOutput;
    expect(out.permissionDecision).toBe('ask');
    expect(out.permissionDecisionReason).toContain('1 modified file (src/app.ts) would be lost');
    expect(out.permissionDecisionReason).toMatch(/snapshot kept: `agentguard undo hook-claude-\d{4}-\d\d-\d\d-abc123\/1` in .* brings back 1 file/);
    expect(git('for-each-ref', '--format=%(refname)', 'refs/agentguard').trim()).toMatch(/^refs\/agentguard\/snapshots\/hook-claude-\d{4}-\d\d-\d\d-abc123\/1$/);
    const dir = path.join(w.home, '.local', 'state', 'agentguard', 'sessions');
    const file = fs.readdirSync(dir).find((f) => f.startsWith('hook-claude-') && f.endsWith('.jsonl'))!;
    const records = fs.readFileSync(path.join(dir, file), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; seq: number; parent?: number });
    const decision = records.find((x) => x.type === 'decision')!;
    expect(records.filter((x) => x.type === 'snapshot')).toEqual([expect.objectContaining({ parent: decision.seq })]);
  });

  it('on a clean tree: no opinion, and no snapshot', () => {
    const r = hookSync('claude', claudeInput('rm -rf src', w.project), { home: w.home, cwd: w.project, env: interactive });
    expect([r.status, r.stdout.trim()]).toEqual([0, '']);
    expect(git('for-each-ref', 'refs/agentguard').trim()).toBe('');
  });
});
