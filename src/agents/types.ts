// The shape of what agentguard knows about one agent (src/agents/<agent>.ts): its hook's input
// and output format, where its settings live and what a hook entry looks like there, how a
// session injects the hook for one run, its session profile, and the wrapper it puts around
// its model's shell commands. Data and pure functions only: the machinery that uses them (the
// hook runner, the install engine, the session) lives in src/hooks/ and src/session/.

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
  /** The agent's own session id (Claude's, Codex's and Gemini's session_id, Cursor's conversation_id), for the log. */
  agentSession?: string;
  /** The agent's tool that runs the command (Bash, run_shell_command), for the log. */
  tool?: string;
  /**
   * Why no person will see a question about this command (the agent's hook cannot ask, or
   * the agent runs without asking anyone), or null when the agent shows the person agentguard's
   * "ask". When set, agentguard's ask is sent as a block that says what to do instead.
   */
  nobodyToAsk: string | null;
}

export type Parsed = { kind: 'check'; call: ShellCall } | { kind: 'pass' };

export interface HookAnswer {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** What the hook runner may ask of the agent's environment while it reads the input. */
export interface HookProbe {
  /** Whether this process can open its controlling terminal (/dev/tty). */
  terminal(): boolean;
}

/** An agent's pre-command hook: what it sends on stdin and how it reads each kind of answer. */
export interface HookFormat {
  /** The hook event agentguard is installed for (PreToolUse, BeforeTool, beforeShellExecution). */
  event: string;
  /** Reads the hook input; throws MalformedInput (src/agents/json.ts) for input it does not understand. */
  parse(input: unknown, env: NodeJS.ProcessEnv, probe: HookProbe): Parsed;
  /** An explicit allow (skips the agent's own permission prompt), or null when the agent accepts none (Codex). */
  allow(reason: string): HookAnswer | null;
  /** No opinion: the agent's own permission system decides. Also the answer for tools that are not the shell. */
  noOpinion(): HookAnswer;
  /** Ask the person, with the reason shown in the agent's prompt; absent when the hook cannot ask. */
  ask?(reason: string): HookAnswer;
  /** Refuse: toAgent is what the model reads (what to do instead), toPerson a short line for the person. */
  deny(toAgent: string, toPerson: string): HookAnswer;
  /** An internal error, malformed input or an unreachable session: the command must not run. */
  failure(reason: string): HookAnswer;
}

type Json = Record<string, unknown>;

export type Scope = 'user' | 'project';

export interface SettingsPlace {
  home: string;
  env: NodeJS.ProcessEnv;
  /** The project meant by --project: the git top-level of the current directory. */
  project: string;
}

/** Where an agent keeps its hook settings and what agentguard's entry looks like in them. */
export interface SettingsFormat {
  /** Where the hooks live in the file: hooks[event]. */
  event: string;
  /** The matcher group's matcher; null for Cursor, whose hooks.json has no groups. */
  matcher: string | null;
  /** agentguard's handler entry for a hook command line. */
  handler(command: string): Json;
  /** A new file starts as this. */
  empty(): Json;
  file(scope: Scope, where: SettingsPlace): string;
  /** Things in the agent's configuration that keep the hook from running. */
  problems?(doc: Json, where: SettingsPlace): string[];
  /** What the person has to do in the agent itself after install. */
  notes: string[];
}

export interface Injection {
  command: string[];
  /** Variables to set for the agent. */
  env: Record<string, string>;
  /** Why the hook could not be added (the shims still check every shell), or null. */
  skipped: string | null;
  /** Something the person should know although the hook was added. */
  warning?: string;
}

/** What a session asks of an agent module to add agentguard's hook for one run. */
export interface InjectRequest {
  command: string[];
  runtimeDir: string;
  env: NodeJS.ProcessEnv;
  /** A settings document holding only agentguard's hook, in this agent's shape. */
  settings: Json;
  /** The hook's command line (for agents that take it bare, like Codex's -c overrides). */
  hookCommand: string;
}

/** The built-in session profile: what the agent needs to keep working inside the guard. */
export interface AgentProfile {
  /** Command names (basename) the profile applies to. */
  programs: string[];
  /** Paths the agent keeps writable for its own state; ~ is the home directory. */
  write: string[];
  /** Hosts the agent itself talks to (its model API, sign-in, telemetry it sends at start). */
  hosts: string[];
}

/** The script an agent wraps its model's command in, recognised exactly (display only). */
export interface Unwrapped {
  /** The command the agent meant, de-quoted. */
  inner: string;
  /** The wrapper with the inner command elided (`'…'`). */
  wrapper: string;
}

export interface Agent {
  /** The name used on the command line (`agentguard install claude`) and for the profile. */
  name: string;
  /** How the agent is called in messages. */
  title: string;
  /** The command that starts the agent, for "run it inside agentguard shell -- …". */
  binary: string;
  profile: AgentProfile;
  hook?: HookFormat;
  settings?: SettingsFormat;
  /** Adds the hook for one run inside a session without touching the person's files. */
  inject?(req: InjectRequest): Injection;
  unwrap?(script: string): Unwrapped | null;
}
