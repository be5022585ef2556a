// Running `agentguard hook <agent>` as the agents do: a real process, the hook JSON on stdin.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '../..');
export const BIN = path.join(ROOT, 'bin/agentguard.js');

/** A scratch world outside /tmp (a write root): a home and a git project. */
export function makeWorld(prefix: string) {
  const base = fs.mkdtempSync(path.join(fs.existsSync('/var/tmp') ? '/var/tmp' : os.homedir(), `agentguard-${prefix}-`));
  const home = path.join(base, 'home');
  const project = path.join(base, 'project');
  fs.mkdirSync(home, { recursive: true });
  fs.mkdirSync(path.join(project, '.git'), { recursive: true });
  return { base, home, project, remove: () => fs.rmSync(base, { recursive: true, force: true }) };
}

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function baseEnv(home: string, extra: Record<string, string> = {}): Record<string, string> {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, XDG_CONFIG_HOME: path.join(home, '.config'), NO_COLOR: '1', ...extra };
}

const stdinOf = (input: unknown) => (typeof input === 'string' ? input : JSON.stringify(input));

/** Synchronous: for hooks that decide alone. */
export function hookSync(agent: string, input: unknown, opts: { home: string; cwd: string; env?: Record<string, string>; args?: string[] }): Run {
  const r = spawnSync(process.execPath, [BIN, 'hook', agent, ...(opts.args ?? [])], { cwd: opts.cwd, input: stdinOf(input), encoding: 'utf8', env: baseEnv(opts.home, opts.env) });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Asynchronous: for hooks that talk to a server in this test process (a sync spawn would block it). */
export function hookAsync(agent: string, input: unknown, opts: { home: string; cwd: string; env?: Record<string, string> }): Promise<Run> {
  return runAsync(process.execPath, [BIN, 'hook', agent], stdinOf(input), { cwd: opts.cwd, env: baseEnv(opts.home, opts.env) });
}

export function runAsync(cmd: string, args: string[], input: string, opts: { cwd: string; env: Record<string, string> }): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
    child.stdin.end(input);
  });
}

// The documented stdin of each agent, filled in for one command.

/** Claude Code PreToolUse (https://code.claude.com/docs/en/hooks). */
// The answers as each agent documents them: the fields the tests read. Claude's shape is Codex's too.
export interface ClaudeAnswer {
  hookSpecificOutput: { hookEventName: string; permissionDecision: string; permissionDecisionReason?: string };
}
export interface GeminiAnswer {
  decision: string;
  reason?: string;
  systemMessage?: string;
}
export interface CursorAnswer {
  permission: string;
  user_message?: string;
  agent_message?: string;
}

export function claudeInput(command: string, cwd: string, tool = 'Bash') {
  return {
    session_id: 'abc123',
    transcript_path: '/home/dev/.claude/projects/p/00893aaf.jsonl',
    cwd,
    permission_mode: 'default',
    hook_event_name: 'PreToolUse',
    tool_name: tool,
    tool_input: tool === 'Bash' ? { command, description: 'Run the command', timeout: 120000 } : { file_path: path.join(cwd, 'README.md') },
    tool_use_id: 'toolu_01ABC123',
  };
}

/** Gemini CLI BeforeTool (docs/hooks/reference.md). */
export function geminiInput(command: string, cwd: string, tool = 'run_shell_command', dirPath?: string) {
  return {
    session_id: 'f3b1c2d4',
    transcript_path: '/home/dev/.gemini/tmp/chats/session.json',
    cwd,
    hook_event_name: 'BeforeTool',
    timestamp: '2026-01-15T10:30:00Z',
    tool_name: tool,
    tool_input: tool === 'run_shell_command' ? { command, description: 'Run the command', ...(dirPath ? { dir_path: dirPath } : {}) } : { file_path: 'README.md' },
  };
}

/** Codex PreToolUse (pre-tool-use.command.input.schema.json). */
export function codexInput(command: string, cwd: string, tool = 'Bash') {
  return {
    session_id: '0199c2a4-7b1e-7c3a-9f0e-1c2d3e4f5a6b',
    turn_id: 'turn-1',
    transcript_path: null,
    cwd,
    hook_event_name: 'PreToolUse',
    model: 'gpt-5-codex',
    permission_mode: 'default',
    tool_name: tool,
    tool_input: tool === 'Bash' ? { command } : { command: '*** Begin Patch\n*** End Patch' },
    tool_use_id: 'call_abc123',
  };
}

/** Cursor beforeShellExecution (https://cursor.com/docs/agent/hooks). */
export function cursorInput(command: string, cwd: string, roots: string[] = [cwd]) {
  return {
    conversation_id: 'conv-123',
    generation_id: 'gen-456',
    hook_event_name: 'beforeShellExecution',
    workspace_roots: roots,
    model: 'claude-sonnet-4',
    cursor_version: '2.0.77',
    user_email: 'dev@example.com',
    command,
    cwd,
  };
}
