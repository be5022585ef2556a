// The scripts real agents wrap their model's command in, recognised exactly, so that a
// prompt can show the command the agent meant and the wrapper once, as context.
//
//   Claude Code: bash -c -l "source ~/.claude/shell-snapshots/snapshot-bash-….sh 2>/dev/null || true
//                && shopt -u extglob 2>/dev/null || true && eval '<CMD>' < /dev/null && pwd -P >| /tmp/claude-…-cwd"
//   Codex CLI:   bash -c "if . '<CODEX_HOME>/shell_snapshots/<id>.sh' >/dev/null 2>&1; then :; fi
//                <blank line> exec '/bin/bash' -c '<CMD>'" (with optional lines that save and restore variables)
//
// Recognition is for display only: the policy always decides on the whole text. Anything
// in the wrapper that is not one of the known set-up steps means "not a wrapper", so a
// person is never shown a short command while something else hides in front of it.
// Pure: no I/O.

export type AgentName = 'Claude Code' | 'Codex';

export interface AgentWrapper {
  agent: AgentName;
  /** The command the agent meant, de-quoted: what the prompt shows as THE command. */
  inner: string;
  /** The wrapper with the inner command elided (`'…'`), for one line of context. */
  wrapper: string;
}

export function unwrapAgentCommand(script: string): AgentWrapper | null {
  return claudeCode(script) ?? codex(script);
}

// ---- Claude Code --------------------------------------------------------------

/** `'…'` with the `'\''` escape inside. */
const SQ_ESCAPED = String.raw`'((?:[^']|'\\'')*)'`;
/** The tail: eval of the command, stdin from /dev/null (the `<` may be escaped), the cwd written out. */
const CLAUDE_TAIL = new RegExp(
  String.raw`(?:^|&&\s*)eval ${SQ_ESCAPED}(?:\s+\\?<\s*/dev/null)?(?:\s+2>&1)?\s*&&\s*pwd -P >\| ('[^']*'|[^\s'"&;|<>]+)\s*$`,
);

function claudeCode(script: string): AgentWrapper | null {
  if (!script.includes('eval') || !script.includes('pwd -P')) return null;
  const m = CLAUDE_TAIL.exec(script);
  if (!m) return null;
  const prefix = script.slice(0, m.index).trim();
  if (prefix && !claudeSetup(prefix)) return null;
  const inner = m[1].replace(/'\\''/g, "'");
  const evalAt = m.index + m[0].indexOf('eval ');
  const wrapper = `${script.slice(0, evalAt)}eval '…'${script.slice(evalAt + 'eval '.length + m[1].length + 2)}`;
  return { agent: 'Claude Code', inner, wrapper: wrapper.replace(/\s+/g, ' ').trim() };
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

// ---- Codex ------------------------------------------------------------------

/** `'…'` with Codex's `'"'"'` escape inside. */
const SQ_CODEX = String.raw`'((?:[^']|'"'"')*)'`;
const CODEX_EXEC = new RegExp(String.raw`(?:^|\n)exec '([^']*)' -c ${SQ_CODEX}((?: '(?:[^']|'"'"')*')*)\s*$`);
const CODEX_SOURCE = /^if \. '([^']*\/shell_snapshots\/[^'/]*)' >\/dev\/null 2>&1; then :; fi$/;
/** Lines that save variables before the snapshot and put them back after it. */
const CODEX_SAVE = new RegExp(String.raw`^__CODEX_SNAPSHOT_${NAME}="\$\{${NAME}[+-]x?\}"$`);
const CODEX_RESTORE = new RegExp(
  String.raw`^if \[ -n "\$\{__CODEX_SNAPSHOT_${NAME}\}" \]; then export ${NAME}="\$\{__CODEX_SNAPSHOT_${NAME}\}";(?: else unset ${NAME};)? fi$`,
);

function codex(script: string): AgentWrapper | null {
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
  return { agent: 'Codex', inner, wrapper };
}

// ---- start-up scripts ---------------------------------------------------------

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
  ];
  // (No empty form: the exception exists only for the rc file, so one must be sourced here.)
  if (!rcOnly.some((re) => re.test(before))) return null;
  // After it: nothing may source or run another file or assign rc again. The gate also
  // checks this part on its own and lets it through only when allowed.
  const after = script.slice(marker.index);
  return /(^|[\s;&|(])["']?(\.|source|eval|exec)["']?\s/.test(after) || /\b(rc|ENV)=/.test(after) ? null : after;
}

/** The reasons the analysis gives for the one thing it cannot see in that script: the rc file. */
export function isRcSourceReason(reason: string): boolean {
  return /^file sourced by (\.|source) is not static: "\$(rc|ENV)"$/.test(reason);
}
