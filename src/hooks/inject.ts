// agentguard's hook for one run of an agent inside a session, without touching any of its
// settings files. How depends on the agent (its module's inject(): Claude Code's --settings,
// Gemini CLI's system settings path, Codex's -c overrides); the agent then shows the reason for a refusal itself,
// and the person answers once, at the session's prompt. Agents without a way to take a hook
// for one run (Cursor) are checked by the shims alone.
import { agentNamed, isAgent } from '../agents/index.js';
import type { Injection } from '../agents/types.js';
import { hookCommand } from './command.js';
import { hookSettings } from './install.js';

export type RunWithHook = Injection;

export function withAgentHook(command: string[], profile: string | undefined, runtimeDir: string, env: NodeJS.ProcessEnv): RunWithHook {
  const agent = profile === undefined ? undefined : agentNamed(profile);
  if (!agent || !('inject' in agent) || !isAgent(agent.name)) return { command, env: {}, skipped: null };
  return agent.inject({ command, runtimeDir, env, settings: hookSettings(agent.name, hookCommand(agent.name)), hookCommand: hookCommand(agent.name) });
}
