// Claude Code: everything agentguard knows about it. Its PreToolUse hook for the Bash tool,
// where its settings live and the hook entry in them, the hook for one run inside a session
// (--settings on its command line), its session profile, and the wrapper script it puts
// around the model's command. Pure except for the settings paths it names.
import path from 'node:path';
import { HOOK_TIMEOUT_S, absolute, blocked, json, object, noteStr, optionalStr, otherEvent, silent, str } from './hook-input.js';
import type { Agent, HookFormat, HookProbe, Injection, SettingsFormat, Unwrapped } from './types.js';

// Hook format: https://code.claude.com/docs/en/hooks (PreToolUse input; "PreToolUse decision control";
// exit code 2 = blocking error, stderr fed to Claude).
// stdin: {session_id, transcript_path, cwd, permission_mode, hook_event_name: "PreToolUse",
//         tool_name: "Bash", tool_input: {command, description?, timeout?, run_in_background?}, tool_use_id}
// stdout (exit 0): {"hookSpecificOutput": {"hookEventName": "PreToolUse",
//         "permissionDecision": "allow" | "ask" | "deny", "permissionDecisionReason": "…"}}
// No output with exit 0 is "no opinion" (Claude's own permission rules and prompts apply).
// An ask's reason is shown to the person, not the model; a deny's reason goes to the model.
const decision = (permissionDecision: string, reason: string) => ({
  stdout: json({ hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision, permissionDecisionReason: reason } }),
  stderr: '',
  exitCode: 0,
});

/**
 * Why an "ask" would reach nobody, or null when Claude Code shows it to the person.
 *   - permission_mode (hook input): bypassPermissions (--dangerously-skip-permissions) approves
 *     everything without a prompt, and has been seen to run a hook's ask silently; dontAsk
 *     refuses whatever it would ask, without telling the model why.
 *   - CLAUDE_CODE_ENTRYPOINT, which Claude Code sets for its children (hooks included): "sdk-cli"
 *     is `claude -p` (or a run without a terminal on stdout), which shows no prompt.
 *   - No entrypoint at all (an older Claude Code, a cleaned environment) and no controlling
 *     terminal: nobody is at a terminal to answer.
 */
/** CLAUDE_CODE_ENTRYPOINT values whose permission prompt a person sees: the terminal, the IDE extensions, the desktop app. */
const INTERACTIVE_ENTRYPOINTS = new Set(['cli', 'claude-vscode', 'claude-desktop']);

function whyNobodyAsked(mode: string | undefined, env: NodeJS.ProcessEnv, probe: HookProbe): string | null {
  if (mode === 'bypassPermissions') return 'Claude Code runs in bypassPermissions mode, which asks nobody';
  if (mode === 'dontAsk') return 'Claude Code runs in dontAsk mode, which asks nobody';
  const entry = env.CLAUDE_CODE_ENTRYPOINT;
  if (entry === 'sdk-cli') return 'Claude Code runs non-interactively (claude -p), with no prompt for a person';
  if (entry === undefined) return probe.terminal() ? null : 'Claude Code runs without a terminal, with nobody to answer a prompt';
  // Only the entry points known to show a prompt to a person: the SDKs, CI actions and any
  // entry point added later may show an ask to nobody (fail closed: a block says why).
  if (!INTERACTIVE_ENTRYPOINTS.has(entry)) return `Claude Code runs from ${JSON.stringify(entry)}, which agentguard does not know to show a prompt to a person`;
  return null;
}

const hook: HookFormat = {
  event: 'PreToolUse',
  parse(input, env, probe) {
    const o = object(input, 'hook input');
    if (otherEvent(o, 'PreToolUse')) return { kind: 'pass' };
    if (str(o, 'tool_name', 'hook input') !== 'Bash') return { kind: 'pass' };
    const ti = object(o.tool_input, 'tool_input');
    const cwd = absolute(optionalStr(o, 'cwd', 'hook input'));
    const nobodyToAsk = whyNobodyAsked(optionalStr(o, 'permission_mode', 'hook input'), env, probe);
    return { kind: 'check', call: { command: str(ti, 'command', 'tool_input'), cwd, project: absolute(env.CLAUDE_PROJECT_DIR) ?? cwd, nobodyToAsk, agentSession: noteStr(o, 'session_id'), tool: 'Bash' } };
  },
  allow: (reason) => decision('allow', reason),
  noOpinion: silent,
  ask: (reason) => decision('ask', reason),
  deny: (toAgent) => decision('deny', toAgent),
  failure: blocked,
};

// Settings: https://code.claude.com/docs/en/hooks (settings.json "hooks" → event → [{matcher, hooks: [{type, command, timeout (s)}]}]).
const settings: SettingsFormat = {
  event: 'PreToolUse',
  matcher: 'Bash',
  handler: (command) => ({ type: 'command', command, timeout: HOOK_TIMEOUT_S }),
  empty: () => ({}),
  file: (scope, w) =>
    scope === 'user' ? path.join(w.env.CLAUDE_CONFIG_DIR || path.join(w.home, '.claude'), 'settings.json') : path.join(w.project, '.claude', 'settings.json'),
  problems: (doc) => (doc.disableAllHooks === true ? ['"disableAllHooks": true in this file turns every hook off'] : []),
  notes: [],
};

export const claude = {
  name: 'claude' as const,
  title: 'Claude Code',
  binary: 'claude',
  // Claude Code keeps its state (shell snapshots, todos, transcripts) here; its settings and
  // hooks stay protected by the persistence rules.
  profile: {
    programs: ['claude'],
    write: ['~/.claude', '~/.claude.json', '~/.claude.json.backup', '~/.cache/claude', '~/.local/state/claude', '~/.local/share/claude'],
    // Its model API, sign-in (claude.ai, platform.claude.com for Console accounts, console.anthropic.com
    // before that) and telemetry: https://code.claude.com/docs/en/network-config ("Network access
    // requirements"). Not sentry.io: its error reports go to a subdomain anyone can own a project
    // on, and Claude Code runs without them.
    hosts: ['api.anthropic.com', 'claude.ai', 'platform.claude.com', 'console.anthropic.com', 'statsig.anthropic.com'],
  },
  hook,
  settings,
  // Claude Code takes settings on its command line: the hook for this run, no file touched.
  inject({ command, settings: doc }): Injection {
    if (command.some((a) => a === '--settings' || a.startsWith('--settings='))) return { command, env: {}, skipped: 'claude was given its own --settings; the shims still check every shell' };
    return { command: [command[0], '--settings', JSON.stringify(doc), ...command.slice(1)], env: {}, skipped: null };
  },
  unwrap,
} satisfies Agent;

// ---- The wrapper ----------------------------------------------------------------
//
//   bash -c -l "source ~/.claude/shell-snapshots/snapshot-bash-….sh 2>/dev/null || true
//   && shopt -u extglob 2>/dev/null || true && eval '<CMD>' < /dev/null && pwd -P >| /tmp/claude-…-cwd"
//
// Recognition is for display only: the policy always decides on the whole text. Anything in
// front of the eval that is not one of the known set-up steps means "not the wrapper".

/** `'…'` with the `'\''` escape inside. */
const SQ_ESCAPED = String.raw`'((?:[^']|'\\'')*)'`;
/** The tail: eval of the command, stdin from /dev/null (the `<` may be escaped), the cwd written out. */
const CLAUDE_TAIL = new RegExp(
  String.raw`(?:^|&&\s*)eval ${SQ_ESCAPED}(?:\s+\\?<\s*/dev/null)?(?:\s+2>&1)?\s*&&\s*pwd -P >\| ('[^']*'|[^\s'"&;|<>]+)\s*$`,
);

function unwrap(script: string): Unwrapped | null {
  if (!script.includes('eval') || !script.includes('pwd -P')) return null;
  const m = CLAUDE_TAIL.exec(script);
  if (!m) return null;
  const prefix = script.slice(0, m.index).trim();
  if (prefix && !claudeSetup(prefix)) return null;
  const inner = m[1].replace(/'\\''/g, "'");
  const evalAt = m.index + m[0].indexOf('eval ');
  const wrapper = `${script.slice(0, evalAt)}eval '…'${script.slice(evalAt + 'eval '.length + m[1].length + 2)}`;
  return { inner, wrapper: wrapper.replace(/\s+/g, ' ').trim() };
}

const REDIRECTS = String.raw`(?:\s+(?:[12]?>\s*/dev/null|2>&1|>\s*/dev/null\s+2>&1))*`;
const OR_TRUE = String.raw`(?:\s*\|\|\s*true)?`;
const NAME = String.raw`[A-Za-z_][A-Za-z0-9_]*`;
const SIMPLE_VALUE = String.raw`(?:'[^']*'|"[^"$\x60\\]*"|[^\s'"$\x60\\;&|<>(){}]*)`;
/** One set-up step Claude Code puts before the eval. Anything else: not the wrapper. */
const CLAUDE_STEPS: RegExp[] = [
  // its own shell snapshot
  new RegExp(String.raw`^(?:source|\.)\s+('[^']*/shell-snapshots/snapshot-[^'/]*'|"[^"$\x60\\]*/shell-snapshots/snapshot-[^"/]*"|[^\s'"$\x60\\;&|<>]*/shell-snapshots/snapshot-[^\s'"/;&|<>]*)${REDIRECTS}${OR_TRUE}$`),
  // shell options that keep the model's command parsing the same everywhere
  new RegExp(String.raw`^(?:shopt\s+-[su]|setopt|unsetopt|set\s+[+-]o)(?:\s+${NAME})+${REDIRECTS}${OR_TRUE}$`),
  // environment for the command: NAME=value …, export NAME=value …
  new RegExp(String.raw`^(?:export\s+)?${NAME}=${SIMPLE_VALUE}(?:\s+${NAME}=${SIMPLE_VALUE})*$`),
  // a group that removes aliases and functions shadowing builtins, or sets options
  new RegExp(
    String.raw`^\{\s*(?:(?:\\?builtin\s+)?(?:unalias|unset\s+-f)\s+(?:--\s+)?'[^']*'\s*;\s*|(?:shopt\s+-[su]|setopt|unsetopt)(?:\s+${NAME})+${REDIRECTS}${OR_TRUE}\s*;\s*)+\}${REDIRECTS}${OR_TRUE}$`,
  ),
];

function claudeSetup(prefix: string): boolean {
  const steps = splitTopLevel(prefix.replace(/\s*&&\s*$/, ''));
  return steps !== null && steps.length > 0 && steps.every((s) => CLAUDE_STEPS.some((re) => re.test(s)));
}

/**
 * Splits on `&&`, `;` and newlines outside quotes and braces. `a || true && b` gives
 * `a || true` and `b`. Null when quotes or braces do not balance.
 */
function splitTopLevel(text: string): string[] | null {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === "'" || ch === '"') {
      const end = text.indexOf(ch, i + 1);
      if (end < 0) return null;
      cur += text.slice(i, end + 1);
      i = end;
      continue;
    }
    if (ch === '\\' && i + 1 < text.length) {
      cur += text.slice(i, i + 2);
      i++;
      continue;
    }
    if (ch === '{') depth++;
    if (ch === '}') depth--;
    if (depth < 0) return null;
    if (depth === 0 && (ch === ';' || ch === '\n' || (ch === '&' && text[i + 1] === '&'))) {
      if (ch === '&') i++;
      if (cur.trim()) out.push(cur.trim());
      cur = '';
      continue;
    }
    cur += ch;
  }
  if (depth !== 0) return null;
  if (cur.trim()) out.push(cur.trim());
  return out;
}
