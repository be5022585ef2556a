// Gemini CLI: everything agentguard knows about it. Its BeforeTool hook for the
// run_shell_command tool, where its settings live and the hook entry in them (and the
// settings that turn hooks off), the hook for one run inside a session (its system settings
// file), and its session profile.
import fs from 'node:fs';
import path from 'node:path';
import { HOOK_TIMEOUT_S, MalformedInput, absolute, blocked, json, object, noteStr, optionalStr, otherEvent, str, type Json } from './hook-input.js';
import type { Agent, HookFormat, Injection, SettingsFormat } from './types.js';

// Hook format: https://github.com/google-gemini/gemini-cli/blob/main/docs/hooks/reference.md
// (base input schema, common output fields, "BeforeTool"; exit code 2 = "System Block", stderr is the reason).
// stdin: {session_id, transcript_path, cwd, hook_event_name: "BeforeTool", timestamp,
//         tool_name: "run_shell_command", tool_input: {command, description?, dir_path? (older: directory?)}}
// stdout (exit 0, nothing else on stdout): {"decision": "allow"} or
//         {"decision": "deny", "reason": "<to the agent>", "systemMessage": "<to the person>"}; {} is no opinion.
// The reference documents only allow and deny. Newer releases also accept "ask", but older ones
// treat an unknown decision as not blocking, so agentguard's ask is sent as a deny that says
// how the person can approve (the fail-closed reading).
const hook: HookFormat = {
  event: 'BeforeTool',
  parse(input, env) {
    const o = object(input, 'hook input');
    if (otherEvent(o, 'BeforeTool')) return { kind: 'pass' };
    if (str(o, 'tool_name', 'hook input') !== 'run_shell_command') return { kind: 'pass' };
    const ti = object(o.tool_input, 'tool_input');
    const base = absolute(optionalStr(o, 'cwd', 'hook input'));
    const dir = optionalStr(ti, 'dir_path', 'tool_input') ?? optionalStr(ti, 'directory', 'tool_input');
    const cwd = absolute(dir, base);
    if (dir && !cwd) throw new MalformedInput('tool_input.dir_path is relative and the hook input has no cwd');
    return {
      kind: 'check',
      call: { command: str(ti, 'command', 'tool_input'), cwd, project: absolute(env.GEMINI_PROJECT_DIR) ?? base, nobodyToAsk: "Gemini CLI's hook cannot ask a person", agentSession: noteStr(o, 'session_id'), tool: 'run_shell_command' },
    };
  },
  allow: () => ({ stdout: json({ decision: 'allow' }), stderr: '', exitCode: 0 }),
  noOpinion: () => ({ stdout: json({}), stderr: '', exitCode: 0 }),
  deny: (toAgent, toPerson) => ({ stdout: json({ decision: 'deny', reason: toAgent, systemMessage: toPerson }), stderr: '', exitCode: 0 }),
  failure: blocked,
};

// Settings: https://github.com/google-gemini/gemini-cli/blob/main/docs/hooks/reference.md (settings.json, timeout in ms, "name").
const settings: SettingsFormat = {
  event: 'BeforeTool',
  matcher: 'run_shell_command',
  handler: (command) => ({
    name: 'agentguard',
    type: 'command',
    command,
    description: 'agentguard checks each shell command before it runs',
    timeout: HOOK_TIMEOUT_S * 1000,
  }),
  empty: () => ({}),
  file: (scope, w) => (scope === 'user' ? path.join(w.home, '.gemini', 'settings.json') : path.join(w.project, '.gemini', 'settings.json')),
  problems: (doc) => {
    const p: string[] = [];
    const cfg = doc.hooksConfig as Json | undefined;
    if (cfg && cfg.enabled === false) p.push('"hooksConfig.enabled": false in this file turns every hook off');
    const disabled = [cfg?.disabled, (doc.hooks as Json | undefined)?.disabled].flat();
    if (disabled.includes('agentguard')) p.push('the agentguard hook is listed as disabled in this file');
    return p;
  },
  notes: [],
};

export const gemini = {
  name: 'gemini' as const,
  title: 'Gemini CLI',
  binary: 'gemini',
  profile: {
    programs: ['gemini'],
    write: ['~/.gemini'],
    // Its model API and sign-in.
    hosts: ['generativelanguage.googleapis.com', 'cloudcode-pa.googleapis.com', 'oauth2.googleapis.com'],
  },
  hook,
  settings,
  // Gemini CLI reads its highest-precedence settings from GEMINI_CLI_SYSTEM_SETTINGS_PATH. That
  // file overrides the others and merges objects and arrays, so the file the machine already
  // has (if any) is kept whole, with the hook added to it, in the session's runtime directory.
  inject({ command, runtimeDir, env, settings: ours }): Injection {
    const existingPath = env.GEMINI_CLI_SYSTEM_SETTINGS_PATH || '/etc/gemini-cli/settings.json';
    let base: Json = {};
    if (fs.existsSync(existingPath)) {
      try {
        base = JSON.parse(fs.readFileSync(existingPath, 'utf8')) as Json;
      } catch (e) {
        return { command, env: {}, skipped: `cannot read ${existingPath} (${(e as Error).message}) to add the hook to it; the shims still check every shell` };
      }
    }
    const hooks = { ...((base.hooks as Record<string, unknown[]> | undefined) ?? {}) };
    for (const [event, groups] of Object.entries(ours.hooks as Record<string, unknown[]>)) hooks[event] = [...(hooks[event] ?? []), ...groups];
    const file = path.join(runtimeDir, 'gemini-system-settings.json');
    fs.writeFileSync(file, JSON.stringify({ ...base, hooks }, null, 2), { mode: 0o600 });
    return { command, env: { GEMINI_CLI_SYSTEM_SETTINGS_PATH: file }, skipped: null };
  },
} satisfies Agent;
