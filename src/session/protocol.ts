// The line protocol between the shim (src/shim/shim.c) and the session: one JSON request
// line, one reply line ("ALLOW <token>", "DENY <message>", or "ESCALATE <ticket>": run it
// outside the sandbox through the broker, src/broker/broker.c).

export type ShimMode = 'c' | 'file' | 'stdin' | 'interactive' | 'line' | 'unreadable' | 'too-large';

export interface ShimRequest {
  v: 1;
  shell: string;
  mode: ShimMode;
  cwd: string;
  pid: number;
  ppid: number;
  /** Present when the shell was started by a command the session already allowed. */
  token?: string;
  argv: string[];
  /** The script: the -c string, the file's content, stdin's content, or the typed line. */
  script: string;
  /** Set when the shim already ran the shell on its token (checked locally): a note for the log, no reply is read. */
  local?: 1;
  /** From an agent's hook (shell "hook"): who asks, for the log. Never used to decide. */
  hook?: HookOrigin;
}

/** What an agent's hook input says about where a command comes from. */
export interface HookOrigin {
  /** claude, codex, gemini, cursor */
  agent: string;
  /** The agent's project directory. */
  project?: string;
  /** The agent's own session id (Claude's session_id, Cursor's conversation_id …). */
  agentSession?: string;
  /** The agent's tool name (Bash, run_shell_command). */
  tool?: string;
}

/** Sent by the shim after a checked command ends, for the log. */
export interface ExitReport {
  v: 1;
  report: 'exit';
  token: string;
  status: number;
  ms: number;
  /** The command's peak resident memory in KiB (wait4), for the per-command memory limit. */
  maxrss?: number;
}

const MODES = new Set<ShimMode>(['c', 'file', 'stdin', 'interactive', 'line', 'unreadable', 'too-large']);

/** Parses and validates one request line; throws with a reason on anything unexpected. */
export function parseRequest(line: string): ShimRequest | ExitReport {
  const r = JSON.parse(line) as Partial<ShimRequest> & Partial<ExitReport>;
  if (!r || typeof r !== 'object' || r.v !== 1) throw new Error('unknown protocol version');
  if (r.report === 'exit') {
    if (typeof r.token !== 'string' || typeof r.status !== 'number' || typeof r.ms !== 'number') throw new Error('malformed exit report');
    return r as ExitReport;
  }
  if (typeof r.shell !== 'string' || typeof r.cwd !== 'string' || typeof r.script !== 'string') throw new Error('missing shell, cwd or script');
  if (!MODES.has(r.mode as ShimMode)) throw new Error(`unknown mode ${String(r.mode)}`);
  if (!Array.isArray(r.argv) || !r.argv.every((a) => typeof a === 'string')) throw new Error('argv must be a list of strings');
  if (typeof r.pid !== 'number' || typeof r.ppid !== 'number') throw new Error('missing pid');
  if (r.token !== undefined && typeof r.token !== 'string') throw new Error('token must be a string');
  if (r.local !== undefined && (r.local !== 1 || typeof r.token !== 'string')) throw new Error('a local note needs its token');
  if (r.hook !== undefined) {
    const h = r.hook as unknown as Record<string, unknown>;
    if (!h || typeof h !== 'object' || typeof h.agent !== 'string') throw new Error('hook must name its agent');
    for (const k of ['project', 'agentSession', 'tool']) if (h[k] !== undefined && typeof h[k] !== 'string') throw new Error(`hook.${k} must be a string`);
  }
  return r as ShimRequest;
}

export function allowReply(token: string): string {
  return `ALLOW ${token}\n`;
}

/** The person approved what the sandbox would refuse: the shim hands its stdio to the broker with this ticket. */
export function escalateReply(ticket: string): string {
  return `ESCALATE ${ticket}\n`;
}

export function denyReply(message: string): string {
  // One line: the shim prints it to the agent's stderr as it is.
  return `DENY ${message.replace(/[\r\n]+/g, ' ')}\n`;
}
