// agentguard's hook for one run of an agent inside a session, without touching any of its
// settings files: Claude Code takes settings on its command line (--settings), Gemini CLI
// reads its highest-precedence settings from GEMINI_CLI_SYSTEM_SETTINGS_PATH. The agent then
// shows the reason for a refusal itself, and the person answers once, at the session's
// prompt. Codex takes its hook and the hook's trust as -c overrides (src/agents/codex-hook.ts).
// Cursor reads hooks only from its own files (agentguard install).
import fs from 'node:fs';
import path from 'node:path';
import { hookCommand } from './command.js';
import { hookSettings } from './install.js';
import { withCodexHook } from '../agents/codex-hook.js';

export interface RunWithHook {
  command: string[];
  /** Variables to set for the agent. */
  env: Record<string, string>;
  /** Why the hook could not be added (the shims still check every shell), or null. */
  skipped: string | null;
  /** Something the person should know although the hook was added. */
  warning?: string;
}

export function withAgentHook(command: string[], profile: string | undefined, runtimeDir: string, env: NodeJS.ProcessEnv): RunWithHook {
  if (profile === 'claude') {
    if (command.includes('--settings')) return { command, env: {}, skipped: 'claude was given its own --settings; the shims still check every shell' };
    return { command: [command[0], '--settings', JSON.stringify(hookSettings('claude', hookCommand('claude'))), ...command.slice(1)], env: {}, skipped: null };
  }
  if (profile === 'gemini') {
    // The system settings file overrides the others and merges objects and arrays, so the
    // file the machine already has (if any) is kept whole, with the hook added to it.
    const existingPath = env.GEMINI_CLI_SYSTEM_SETTINGS_PATH || '/etc/gemini-cli/settings.json';
    let base: Record<string, unknown> = {};
    if (fs.existsSync(existingPath)) {
      try {
        base = JSON.parse(fs.readFileSync(existingPath, 'utf8')) as Record<string, unknown>;
      } catch (e) {
        return { command, env: {}, skipped: `cannot read ${existingPath} (${(e as Error).message}) to add the hook to it; the shims still check every shell` };
      }
    }
    const ours = hookSettings('gemini', hookCommand('gemini')).hooks as Record<string, unknown[]>;
    const hooks = { ...((base.hooks as Record<string, unknown[]> | undefined) ?? {}) };
    for (const [event, groups] of Object.entries(ours)) hooks[event] = [...(hooks[event] ?? []), ...groups];
    const file = path.join(runtimeDir, 'gemini-system-settings.json');
    fs.writeFileSync(file, JSON.stringify({ ...base, hooks }, null, 2), { mode: 0o600 });
    return { command, env: { GEMINI_CLI_SYSTEM_SETTINGS_PATH: file }, skipped: null };
  }
  if (profile === 'codex') return { ...withCodexHook(command, hookCommand('codex'), { env }), env: {} };
  return { command, env: {}, skipped: null };
}
