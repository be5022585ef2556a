// Codex: everything agentguard knows about it. Its PreToolUse hook for the Bash tool, where
// its hooks.json lives and the hook entry in it (and the config.toml switch that turns hooks
// off), its session profile, the wrapper script it puts around the model's command, and the
// start-up script it runs once to snapshot the person's shell. Pure except for reading
// config.toml.
import fs from 'node:fs';
import path from 'node:path';
import { HOOK_TIMEOUT_S, absolute, blocked, json, object, noteStr, optionalStr, otherEvent, silent, str } from './hook-input.js';
import { withCodexHook } from './codex-hook.js';
import type { Agent, HookFormat, SettingsFormat, Unwrapped } from './types.js';

// Hook format: https://developers.openai.com/codex/hooks (PreToolUse) and the schemas Codex ships,
// codex-rs/hooks/schema/generated/pre-tool-use.command.{input,output}.schema.json.
// stdin: {session_id, turn_id, transcript_path, cwd, hook_event_name: "PreToolUse", model,
//         permission_mode, tool_name: "Bash", tool_input: {command}, tool_use_id}
// stdout (exit 0): {"hookSpecificOutput": {"hookEventName": "PreToolUse", "permissionDecision": "deny",
//         "permissionDecisionReason": "…"}} blocks; empty stdout lets the command run.
// Codex accepts only deny: "allow" without updatedInput and "ask" are rejected as unsupported and the
// hook counts as failed, which does NOT block. So there is no explicit allow (even with --auto-approve),
// and ask becomes a deny that says how the person can approve.
const hook: HookFormat = {
  event: 'PreToolUse',
  parse(input) {
    const o = object(input, 'hook input');
    if (otherEvent(o, 'PreToolUse')) return { kind: 'pass' };
    if (str(o, 'tool_name', 'hook input') !== 'Bash') return { kind: 'pass' };
    const ti = object(o.tool_input, 'tool_input');
    const cwd = absolute(optionalStr(o, 'cwd', 'hook input'));
    // Codex sends "bypassPermissions" for approval policy never, "default" for the others.
    const never = optionalStr(o, 'permission_mode', 'hook input') === 'bypassPermissions';
    const nobodyToAsk = never ? 'Codex runs with approval policy never, which asks nobody' : "Codex's hook cannot ask a person";
    return { kind: 'check', call: { command: str(ti, 'command', 'tool_input'), cwd, project: cwd, nobodyToAsk, agentSession: noteStr(o, 'session_id'), tool: 'Bash' } };
  },
  allow: () => null,
  noOpinion: silent,
  deny: (toAgent) => ({
    stdout: json({ hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision: 'deny', permissionDecisionReason: toAgent } }),
    stderr: '',
    exitCode: 0,
  }),
  failure: blocked,
};

const home = (w: { home: string; env: NodeJS.ProcessEnv }) => w.env.CODEX_HOME || path.join(w.home, '.codex');

// Settings: https://developers.openai.com/codex/hooks (hooks.json next to config.toml; only "hooks" allowed at the top level).
const settings: SettingsFormat = {
  event: 'PreToolUse',
  matcher: 'Bash',
  handler: (command) => ({ type: 'command', command, timeout: HOOK_TIMEOUT_S, statusMessage: 'agentguard: checking the command' }),
  empty: () => ({}),
  file: (scope, w) => (scope === 'user' ? path.join(home(w), 'hooks.json') : path.join(w.project, '.codex', 'hooks.json')),
  problems: (_doc, w) => featureOff(path.join(home(w), 'config.toml')),
  notes: [
    'Codex runs a new or changed hook only after you review it: start codex and trust the agentguard hook with /hooks.',
    'A project hook (.codex/hooks.json) loads only in a project Codex trusts.',
  ],
};

/** `[features] hooks = false` (or the older codex_hooks) in Codex's config.toml turns hooks off. */
function featureOff(configToml: string): string[] {
  let text: string;
  try {
    text = fs.readFileSync(configToml, 'utf8');
  } catch {
    return [];
  }
  let section = '';
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*$/, '').trim();
    const s = /^\[([^\]]+)\]$/.exec(line);
    if (s) section = s[1].trim();
    else if (section === 'features' && /^(codex_)?hooks\s*=\s*false$/.test(line)) return [`hooks are turned off in ${configToml} ([features] ${line})`];
    else if (section === '' && /^features\.(codex_)?hooks\s*=\s*false$/.test(line)) return [`hooks are turned off in ${configToml} (${line})`];
  }
  return [];
}

export const codex = {
  name: 'codex' as const,
  title: 'Codex',
  binary: 'codex',
  profile: {
    programs: ['codex'],
    write: ['~/.codex'],
    // Its model API and sign-in.
    hosts: ['api.openai.com', 'chatgpt.com', 'auth.openai.com'],
  },
  hook,
  settings,
  // For one run, the hook and Codex's trust for it go on its command line as -c overrides
  // (src/agents/codex-hook.ts): nothing in the person's CODEX_HOME changes.
  inject: ({ command, env, hookCommand }) => ({ ...withCodexHook(command, hookCommand, { env }), env: {} }),
  unwrap,
} satisfies Agent;

// ---- The wrapper ----------------------------------------------------------------
//
//   bash -c "if . '<CODEX_HOME>/shell_snapshots/<id>.sh' >/dev/null 2>&1; then :; fi
//   <blank line> exec '/bin/bash' -c '<CMD>'" (with optional lines that save and restore variables)
//
// Recognition is for display only: the policy always decides on the whole text.

const NAME = String.raw`[A-Za-z_][A-Za-z0-9_]*`;

/** `'…'` with Codex's `'"'"'` escape inside. */
const SQ_CODEX = String.raw`'((?:[^']|'"'"')*)'`;
const CODEX_EXEC = new RegExp(String.raw`(?:^|\n)exec '([^']*)' -c ${SQ_CODEX}((?: '(?:[^']|'"'"')*')*)\s*$`);
const CODEX_SOURCE = /^if \. '([^']*\/shell_snapshots\/[^'/]*)' >\/dev\/null 2>&1; then :; fi$/;
/** Lines that save variables before the snapshot and put them back after it. */
const CODEX_SAVE = new RegExp(String.raw`^__CODEX_SNAPSHOT_${NAME}="\$\{${NAME}[+-]x?\}"$`);
const CODEX_RESTORE = new RegExp(
  String.raw`^if \[ -n "\$\{__CODEX_SNAPSHOT_${NAME}\}" \]; then export ${NAME}="\$\{__CODEX_SNAPSHOT_${NAME}\}";(?: else unset ${NAME};)? fi$`,
);

function unwrap(script: string): Unwrapped | null {
  if (!script.includes('shell_snapshots') || !script.includes('exec ')) return null;
  const m = CODEX_EXEC.exec(script);
  if (!m || !/(^|\/)(ba|z|da)?sh$/.test(m[1])) return null;
  const head = script.slice(0, m.index).split('\n').filter((l) => l.trim());
  let sources = 0;
  for (const line of head) {
    if (CODEX_SOURCE.test(line)) sources++;
    else if (!CODEX_SAVE.test(line) && !CODEX_RESTORE.test(line)) return null;
  }
  if (sources !== 1) return null;
  const inner = m[2].replace(/'"'"'/g, "'");
  const snapshot = head.find((l) => CODEX_SOURCE.test(l))!;
  const saved = head.length - 1;
  const wrapper = `${snapshot}${saved ? ` (and ${saved} lines that save and restore variables)` : ''}; exec '${m[1]}' -c '…'${m[3]}`;
  return { inner, wrapper };
}

// ---- The start-up script ---------------------------------------------------------

/**
 * Codex CLI's start-up script: at the start of a session it runs the person's login shell
 * once (`bash -lc`, `zsh -lc`, `sh -lc`) to take a snapshot of their functions, options,
 * aliases and exports. It sources the person's own rc file (~/.bashrc, $ZDOTDIR/.zshrc or
 * ~/.zshrc, $ENV), which the analysis cannot name statically, and prints the
 * `# Snapshot file` marker Codex looks for. Recognised by that shape; the gate lets it run
 * without a prompt only when nothing in it matched a rule.
 */
export function isCodexStartupScript(script: string): boolean {
  return codexStartupBody(script) !== null;
}

/**
 * The part of Codex's start-up script after its rc block (for the gate to check alone), or
 * null when the script does not have that shape.
 */
export function codexStartupBody(script: string): string | null {
  if (script.length > 16_384) return null;
  const marker = /^\s*(?:echo|print) '# Snapshot file'$/m.exec(script);
  if (!marker) return null;
  const before = script.slice(0, marker.index);
  // Before the marker: only sourcing the person's own rc file, in one of the known spellings.
  const rcOnly = [
    /^\s*if \[ -z "\$BASH_ENV" \] && \[ -r "\$HOME\/\.bashrc" \]; then\n\s*\. "\$HOME\/\.bashrc"\nfi\s*$/,
    /^\s*if \[\[ -n "\$ZDOTDIR" \]\]; then\n\s*rc="\$ZDOTDIR\/\.zshrc"\nelse\n\s*rc="\$HOME\/\.zshrc"\nfi\n\[\[ -r "\$rc" \]\] && \. "\$rc"\s*$/,
    /^\s*if \[ -n "\$ENV" \] && \[ -r "\$ENV" \]; then\n\s*\. "\$ENV"\nfi\s*$/,
    // codex-cli 0.171.0 and later: set -u safe spellings.
    /^\s*if \[ -z "\$\{BASH_ENV-\}" \] && \[ -n "\$\{HOME-\}" \] && \[ -r "\$HOME\/\.bashrc" \]; then\n\s*\. "\$HOME\/\.bashrc"\nfi\s*$/,
    /^\s*if \[\[ -n "\$\{ZDOTDIR-\}" \]\]; then\n\s*rc="\$ZDOTDIR\/\.zshrc"\nelif \[\[ -n "\$\{HOME-\}" \]\]; then\n\s*rc="\$HOME\/\.zshrc"\nelse\n\s*rc=\nfi\n\[\[ -r "\$rc" \]\] && \. "\$rc"\s*$/,
  ];
  // (No empty form: the exception exists only for the rc file, so one must be sourced here.)
  if (!rcOnly.some((re) => re.test(before))) return null;
  // After it: nothing may source or run another file or assign rc again. The gate also
  // checks this part on its own and lets it through only when allowed.
  let after = script.slice(marker.index);
  // codex-cli 0.171.0 and later run the tools after the marker through a helper that runs
  // "$@" (found on PATH, else on the default path). Only that exact definition is read as
  // `command`; any other mention of the helper's name is not the start-up script.
  if (after.includes(SNAPSHOT_HELPER_NAME)) {
    const parts = after.split(SNAPSHOT_HELPER);
    if (parts.length !== 2) return null;
    after = parts.join('');
    after = after.replaceAll(`${SNAPSHOT_HELPER_NAME} `, 'command ');
    if (after.includes(SNAPSHOT_HELPER_NAME)) return null;
  }
  return /(^|[\s;&|(])["']?(\.|source|eval|exec)["']?\s/.test(after) || /\b(rc|ENV)=/.test(after) ? null : after;
}

const SNAPSHOT_HELPER_NAME = '__codex_snapshot_command';
/** The helper exactly as codex-cli 0.171.0 writes it. */
const SNAPSHOT_HELPER = `${SNAPSHOT_HELPER_NAME}() {
  if command -v "$1" >/dev/null 2>&1; then
    "$@"
  else
    command -p "$@"
  fi
}
`;

/** The reasons the analysis gives for that helper's "$@" (the gate then checks the script with the helper read as `command`). */
export function isSnapshotHelperReason(reason: string): boolean {
  return reason === 'command name is not static: "$@"' || reason === 'command run by command is not static: "$@"';
}

/** The reasons the analysis gives for the one thing it cannot see in that script: the rc file. */
export function isRcSourceReason(reason: string): boolean {
  return /^file sourced by (\.|source) is not static: "\$(rc|ENV)"$/.test(reason);
}
