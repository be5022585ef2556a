// Codex's hook for one run inside a session, with no file written or changed.
//
// Codex starts /bin/bash by absolute path, so without the sandbox the shims never see its
// commands: its PreToolUse hook is the only way they reach agentguard. Codex reads config
// overrides from its command line (`-c key=value`, the "session flags" layer, above the
// person's ~/.codex/config.toml and a project's .codex/config.toml), hooks included, and it
// runs a hook only when that layer's [hooks.state] records the hook's trust hash under the
// hook's key. So the session puts three overrides in front of the person's arguments:
//   -c features.hooks=true                         a project config cannot switch hooks off
//   -c hooks.PreToolUse=[{matcher="Bash",…}]        agentguard's hook
//   -c hooks.state={"<key>"={trusted_hash="…"}}     trust for that one hook, nothing else
// Everything in CODEX_HOME stays as it is: the person's login, history and sessions, and the
// trust they gave their own hooks (whose keys are the absolute paths of their files, so a
// private copy of CODEX_HOME would silently untrust them).
//
// Verified against codex-cli 0.171.0 (a wrong hash: the hook is silently skipped; this hash:
// it runs). The identity and hash are codex-rs/hooks/src/engine/discovery.rs
// (command_hook_hash, NormalizedHookIdentity) and codex-rs/config/src/fingerprint.rs
// (version_for_toml: serde_json of the TOML value, keys sorted, sha256); the key is
// hooks/src/lib.rs hook_key: "<key source>:<event label>:<group>:<handler>", and the key source
// of the session-flags layer is the synthetic path "/<session-flags>/config.toml".
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** Seconds Codex lets the hook run: the person may take a while to answer at the session's prompt. */
const TIMEOUT_S = 600;
const STATUS = 'agentguard: checking the command';
const SESSION_FLAGS_KEY_SOURCE = '/<session-flags>/config.toml';
/** Where Codex reads requirements that can refuse every hook but a managed one. */
export const SYSTEM_REQUIREMENTS = '/etc/codex/requirements.toml';

/** The Codex release this was checked with; an older one may ignore the overrides without a word. */
export const VERIFIED_WITH = '0.171.0';

export interface CodexHookRun {
  command: string[];
  /** Why the hook was not added (Codex's commands then go unchecked without the sandbox), or null. */
  skipped: string | null;
  /** Something the person should know although the hook was added. */
  warning?: string;
}

/** The handler exactly as Codex normalises it before hashing (timeout filled in, async false). */
function handler(hookCommand: string) {
  return { type: 'command', command: hookCommand, timeout: TIMEOUT_S, async: false, statusMessage: STATUS };
}

function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === 'object')
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
    );
  return v;
}

/** Codex's trust hash for a PreToolUse hook on the Bash tool running this command. */
export function codexTrustHash(hookCommand: string): string {
  const identity = { event_name: 'pre_tool_use', matcher: 'Bash', hooks: [handler(hookCommand)] };
  return 'sha256:' + crypto.createHash('sha256').update(JSON.stringify(canonical(identity))).digest('hex');
}

/** A TOML basic string (JSON's escapes are TOML's; DEL must be escaped in TOML too). */
function tomlString(s: string): string {
  return JSON.stringify(s).replace(/\x7f/g, '\\u007f');
}

/** The `-c` overrides that add agentguard's hook, trusted, for one run. */
export function codexHookArgs(hookCommand: string): string[] {
  const h = handler(hookCommand);
  const key = `${SESSION_FLAGS_KEY_SOURCE}:pre_tool_use:0:0`;
  return [
    '-c',
    'features.hooks=true',
    '-c',
    `hooks.PreToolUse=[{matcher="Bash",hooks=[{type="command",command=${tomlString(h.command)},timeout=${h.timeout},statusMessage=${tomlString(h.statusMessage)}}]}]`,
    '-c',
    `hooks.state={${tomlString(key)}={trusted_hash=${tomlString(codexTrustHash(hookCommand))}}}`,
  ];
}

/**
 * What in the person's own arguments would undo the hook: their own hook overrides (ours must
 * be group 0 of the session-flags layer for its trust to match) or hooks switched off. Null
 * when nothing does.
 */
export function conflictingArgument(args: string[]): string | null {
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--') break;
    let value: string | undefined;
    let flag: string;
    if (a === '-c' || a === '--config' || a === '--disable') {
      flag = a;
      value = args[++i];
    } else if (/^--(config|disable)=/.test(a)) {
      flag = a.slice(0, a.indexOf('='));
      value = a.slice(a.indexOf('=') + 1);
    } else if (/^-c./.test(a)) {
      flag = '-c';
      value = a.slice(2);
    } else continue;
    if (value === undefined) break;
    if (flag === '--disable') {
      if (value === 'hooks' || value === 'codex_hooks') return `${flag} ${value}`;
      continue;
    }
    const eq = value.indexOf('=');
    const key = (eq < 0 ? value : value.slice(0, eq)).trim();
    const val = eq < 0 ? '' : value.slice(eq + 1);
    if (key === 'hooks' || key.startsWith('hooks.')) return `${flag} ${value}`;
    if (/^features\.(codex_)?hooks$/.test(key) && !/^\s*true\s*$/.test(val)) return `${flag} ${value}`;
    if (key === 'features' && /(^|[{,\s])(codex_)?hooks\s*=\s*false/.test(val)) return `${flag} ${value}`;
  }
  return null;
}

/** requirements.toml's `allow_managed_hooks_only = true` drops every hook but a managed one, ours too. */
export function managedHooksOnly(file = SYSTEM_REQUIREMENTS): boolean {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return false;
  }
  return /^\s*allow_managed_hooks_only\s*=\s*true\b/m.test(text);
}

/**
 * The version of the npm package @openai/codex that `program` (a path, or a name looked up on
 * PATH) runs; null when it is not that package (a native install, a wrapper of the person's).
 */
export function codexPackageVersion(program: string, pathVar: string): string | null {
  const candidates = program.includes('/') ? [program] : pathVar.split(':').filter(Boolean).map((d) => path.join(d, program));
  const found = candidates.find((c) => fs.existsSync(c));
  if (!found) return null;
  let dir = path.dirname(fs.realpathSync(found));
  for (let up = 0; up < 4; up++, dir = path.dirname(dir)) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: unknown; version?: unknown };
      return pkg.name === '@openai/codex' && typeof pkg.version === 'string' ? pkg.version : null;
    } catch {
      // no package.json here: look one level up
    }
  }
  return null;
}

/** a < b for dotted release numbers (a pre-release counts as its release). */
function olderThan(a: string, b: string): boolean {
  const n = (v: string) => v.split(/[-+]/)[0].split('.').map((x) => Number.parseInt(x, 10) || 0);
  const [x, y] = [n(a), n(b)];
  for (let i = 0; i < 3; i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) < (y[i] ?? 0);
  return false;
}

export interface CodexHookOptions {
  /** For PATH, to find which Codex runs. */
  env?: NodeJS.ProcessEnv;
  requirementsFile?: string;
}

/** The command that starts Codex with agentguard's hook for this run, or why it cannot have it. */
export function withCodexHook(command: string[], hookCommand: string, opts: CodexHookOptions = {}): CodexHookRun {
  const requirementsFile = opts.requirementsFile ?? SYSTEM_REQUIREMENTS;
  const conflict = conflictingArgument(command.slice(1));
  if (conflict) return { command, skipped: `codex was given \`${conflict}\`, which would replace or switch off the hook agentguard adds` };
  if (managedHooksOnly(requirementsFile)) return { command, skipped: `${requirementsFile} sets allow_managed_hooks_only = true, so Codex runs no hook but its managed ones` };
  const run: CodexHookRun = { command: [command[0], ...codexHookArgs(hookCommand), ...command.slice(1)], skipped: null };
  const version = codexPackageVersion(command[0], opts.env?.PATH ?? '');
  // Codex skips a hook it does not trust, or config it does not know, without a word.
  if (version && olderThan(version, VERIFIED_WITH))
    run.warning = `codex-cli ${version} is older than ${VERIFIED_WITH}, the release agentguard's Codex hook was checked with: if Codex does not show "hook: PreToolUse" before a command, that command was NOT checked; update Codex or run the session with the sandbox`;
  return run;
}
