// The four agents' hook formats: what each sends on stdin before a shell command runs, and
// how each reads an answer. One adapter per agent; the decision itself is made elsewhere
// (src/hooks/run.ts). Every adapter fails closed: input it does not understand is an error,
// and an error blocks the command (exit status 2, the reason on stderr, which all four
// agents document as "block").
import path from 'node:path';
import type { Action } from '../policy/decision.js';

export const AGENTS = ['claude', 'gemini', 'codex', 'cursor'] as const;
export type AgentName = (typeof AGENTS)[number];

export function isAgent(name: string): name is AgentName {
  return (AGENTS as readonly string[]).includes(name);
}

/** A shell command the agent is about to run. */
export interface ShellCall {
  command: string;
  /** Absolute directory the command runs in, when the agent says. */
  cwd?: string;
  /** Workspace roots, when the agent says (Cursor's workspace_roots). */
  workspaces?: string[];
  /**
   * The agent's project directory (Claude Code's $CLAUDE_PROJECT_DIR, Gemini CLI's
   * $GEMINI_PROJECT_DIR, else the cwd in the hook input): the workspace is its git top-level.
   * Not the command's own directory: a command run from /etc must not make /etc the workspace.
   */
  project?: string;
}

export type Parsed = { kind: 'check'; call: ShellCall } | { kind: 'pass' };

/** What agentguard decided, in agentguard's terms, with the texts for the agent and the person. */
export interface Verdict {
  action: Action;
  /** For the agent (and, where the agent shows it, the person). */
  reason: string;
  /** Set when the decision came from a session (the person already answered there). */
  fromSession?: boolean;
}

export interface HookAnswer {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export interface Adapter {
  name: AgentName;
  /** How the agent is called in messages. */
  title: string;
  /** The command that starts the agent, for "run it inside agentguard shell -- …". */
  binary: string;
  parse(input: unknown, env: NodeJS.ProcessEnv): Parsed;
  answer(v: Verdict): HookAnswer;
  /** A tool that is not the shell tool: no opinion. */
  pass(): HookAnswer;
  /** An internal error, malformed input or an unreachable session: the command must not run. */
  failure(reason: string): HookAnswer;
}

export class MalformedInput extends Error {}

type Json = Record<string, unknown>;

function object(v: unknown, what: string): Json {
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new MalformedInput(`${what} is not a JSON object`);
  return v as Json;
}

function str(o: Json, key: string, what: string): string {
  const v = o[key];
  if (typeof v !== 'string') throw new MalformedInput(`${what}.${key} is missing or not a string`);
  return v;
}

function optionalStr(o: Json, key: string, what: string): string | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new MalformedInput(`${what}.${key} is not a string`);
  return v;
}

/** The event name, when present, must be the one the hook is installed for; another event is not ours to judge. */
function otherEvent(o: Json, expected: string): boolean {
  const e = o.hook_event_name;
  if (e === undefined) return false;
  if (typeof e !== 'string') throw new MalformedInput('hook_event_name is not a string');
  return e !== expected;
}

function absolute(dir: string | undefined, base?: string): string | undefined {
  if (!dir) return base;
  return path.isAbsolute(dir) ? path.normalize(dir) : base ? path.resolve(base, dir) : undefined;
}

const json = (v: unknown) => JSON.stringify(v) + '\n';

function blocked(reason: string): HookAnswer {
  return { stdout: '', stderr: oneLine(reason) + '\n', exitCode: 2 };
}

export function oneLine(s: string): string {
  return s.replace(/[\r\n]+/g, ' ').trim();
}

/** Codex and Gemini cannot ask the person: the refusal says how the person can let the command run. */
export function askAsDeny(a: Pick<Adapter, 'title' | 'binary'>, reason: string): string {
  return (
    `${reason} This command needs a person's approval, and ${a.title}'s hook cannot ask for it, so agentguard blocked it. ` +
    `To run it, the person can run the command themselves in a terminal, or start ${a.title} inside agentguard ` +
    `(\`agentguard shell -- ${a.binary}\`) and approve it at agentguard's prompt. Tell the person what you wanted to run and why.`
  );
}

// Claude Code, PreToolUse hook for the Bash tool.
// Format: https://code.claude.com/docs/en/hooks (PreToolUse input; "PreToolUse decision control";
// exit code 2 = blocking error, stderr fed to Claude).
// stdin: {session_id, transcript_path, cwd, permission_mode, hook_event_name: "PreToolUse",
//         tool_name: "Bash", tool_input: {command, description?, timeout?, run_in_background?}, tool_use_id}
// stdout (exit 0): {"hookSpecificOutput": {"hookEventName": "PreToolUse",
//         "permissionDecision": "allow" | "ask" | "deny", "permissionDecisionReason": "…"}}
// No output with exit 0 is "no opinion" (Claude's own permission rules apply): used for other tools.
const claude: Adapter = {
  name: 'claude',
  title: 'Claude Code',
  binary: 'claude',
  parse(input, env) {
    const o = object(input, 'hook input');
    if (otherEvent(o, 'PreToolUse')) return { kind: 'pass' };
    if (str(o, 'tool_name', 'hook input') !== 'Bash') return { kind: 'pass' };
    const ti = object(o.tool_input, 'tool_input');
    const cwd = absolute(optionalStr(o, 'cwd', 'hook input'));
    return { kind: 'check', call: { command: str(ti, 'command', 'tool_input'), cwd, project: absolute(env.CLAUDE_PROJECT_DIR) ?? cwd } };
  },
  answer(v) {
    return {
      stdout: json({ hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision: v.action, permissionDecisionReason: v.reason } }),
      stderr: '',
      exitCode: 0,
    };
  },
  pass: () => ({ stdout: '', stderr: '', exitCode: 0 }),
  failure: blocked,
};

// Gemini CLI, BeforeTool hook for the run_shell_command tool.
// Format: https://github.com/google-gemini/gemini-cli/blob/main/docs/hooks/reference.md
// (base input schema, common output fields, "BeforeTool"; exit code 2 = "System Block", stderr is the reason).
// stdin: {session_id, transcript_path, cwd, hook_event_name: "BeforeTool", timestamp,
//         tool_name: "run_shell_command", tool_input: {command, description?, dir_path? (older: directory?)}}
// stdout (exit 0, nothing else on stdout): {"decision": "allow"} or
//         {"decision": "deny", "reason": "<to the agent>", "systemMessage": "<to the person>"}.
// The reference documents only allow and deny. Newer releases also accept "ask", but older ones
// treat an unknown decision as not blocking, so agentguard's ask is sent as a deny that says
// how the person can approve (the fail-closed reading).
const gemini: Adapter = {
  name: 'gemini',
  title: 'Gemini CLI',
  binary: 'gemini',
  parse(input, env) {
    const o = object(input, 'hook input');
    if (otherEvent(o, 'BeforeTool')) return { kind: 'pass' };
    if (str(o, 'tool_name', 'hook input') !== 'run_shell_command') return { kind: 'pass' };
    const ti = object(o.tool_input, 'tool_input');
    const base = absolute(optionalStr(o, 'cwd', 'hook input'));
    const dir = optionalStr(ti, 'dir_path', 'tool_input') ?? optionalStr(ti, 'directory', 'tool_input');
    const cwd = absolute(dir, base);
    if (dir && !cwd) throw new MalformedInput('tool_input.dir_path is relative and the hook input has no cwd');
    return { kind: 'check', call: { command: str(ti, 'command', 'tool_input'), cwd, project: absolute(env.GEMINI_PROJECT_DIR) ?? base } };
  },
  answer(v) {
    if (v.action === 'allow') return { stdout: json({ decision: 'allow' }), stderr: '', exitCode: 0 };
    const reason = v.action === 'ask' ? askAsDeny(gemini, v.reason) : v.reason;
    return { stdout: json({ decision: 'deny', reason, systemMessage: v.reason }), stderr: '', exitCode: 0 };
  },
  pass: () => ({ stdout: json({}), stderr: '', exitCode: 0 }),
  failure: blocked,
};

// Codex, PreToolUse hook for the Bash tool.
// Format: https://developers.openai.com/codex/hooks (PreToolUse) and the schemas Codex ships,
// codex-rs/hooks/schema/generated/pre-tool-use.command.{input,output}.schema.json.
// stdin: {session_id, turn_id, transcript_path, cwd, hook_event_name: "PreToolUse", model,
//         permission_mode, tool_name: "Bash", tool_input: {command}, tool_use_id}
// stdout (exit 0): {"hookSpecificOutput": {"hookEventName": "PreToolUse", "permissionDecision": "deny",
//         "permissionDecisionReason": "…"}} blocks; empty stdout lets the command run.
// Codex accepts only deny: "allow" without updatedInput and "ask" are rejected as unsupported and the
// hook counts as failed, which does NOT block. So allow is no output, and ask becomes a deny that says
// how the person can approve.
const codex: Adapter = {
  name: 'codex',
  title: 'Codex',
  binary: 'codex',
  parse(input) {
    const o = object(input, 'hook input');
    if (otherEvent(o, 'PreToolUse')) return { kind: 'pass' };
    if (str(o, 'tool_name', 'hook input') !== 'Bash') return { kind: 'pass' };
    const ti = object(o.tool_input, 'tool_input');
    const cwd = absolute(optionalStr(o, 'cwd', 'hook input'));
    return { kind: 'check', call: { command: str(ti, 'command', 'tool_input'), cwd, project: cwd } };
  },
  answer(v) {
    if (v.action === 'allow') return { stdout: '', stderr: '', exitCode: 0 };
    const reason = v.action === 'ask' ? askAsDeny(codex, v.reason) : v.reason;
    return {
      stdout: json({ hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision: 'deny', permissionDecisionReason: reason } }),
      stderr: '',
      exitCode: 0,
    };
  },
  pass: () => ({ stdout: '', stderr: '', exitCode: 0 }),
  failure: blocked,
};

// Cursor, beforeShellExecution hook.
// Format: https://cursor.com/docs/agent/hooks (beforeShellExecution; hooks.json "failClosed").
// stdin: {conversation_id, generation_id, hook_event_name: "beforeShellExecution", workspace_roots: [...],
//         command, cwd, model?, cursor_version?, user_email?}
// stdout: {"permission": "allow" | "ask" | "deny", "user_message": "<to the person>", "agent_message": "<to the agent>"}.
// Exit code 2 blocks; with "failClosed": true in hooks.json (agentguard install sets it) a crash or a
// timeout blocks too.
const cursor: Adapter = {
  name: 'cursor',
  title: 'Cursor',
  binary: 'cursor',
  parse(input) {
    const o = object(input, 'hook input');
    if (otherEvent(o, 'beforeShellExecution')) return { kind: 'pass' };
    const roots = o.workspace_roots;
    let workspaces: string[] | undefined;
    if (roots !== undefined && roots !== null) {
      if (!Array.isArray(roots) || !roots.every((r) => typeof r === 'string')) throw new MalformedInput('workspace_roots is not a list of strings');
      // Never / as a workspace: it would make every write "inside".
      workspaces = roots.filter((r) => path.isAbsolute(r)).map((r) => path.normalize(r)).filter((r) => r !== path.parse(r).root);
      if (!workspaces.length) workspaces = undefined;
    }
    const cwd = absolute(optionalStr(o, 'cwd', 'hook input') || undefined, workspaces?.[0]) ?? workspaces?.[0];
    return { kind: 'check', call: { command: str(o, 'command', 'hook input'), cwd, workspaces } };
  },
  answer(v) {
    const out: Json = { permission: v.action };
    if (v.action !== 'allow') {
      out.user_message = v.reason;
      out.agent_message =
        v.action === 'ask' ? `${v.reason} Cursor asks the person to approve this command.` : v.reason;
    }
    return { stdout: json(out), stderr: '', exitCode: 0 };
  },
  pass: () => ({ stdout: json({}), stderr: '', exitCode: 0 }),
  failure(reason) {
    const r = oneLine(reason);
    return { stdout: json({ permission: 'deny', user_message: r, agent_message: r }), stderr: r + '\n', exitCode: 2 };
  },
};

export const ADAPTERS: Record<AgentName, Adapter> = { claude, gemini, codex, cursor };
