// The agents agentguard knows. Adding an agent means adding its module (src/agents/<name>.ts,
// the shape in types.ts) and one entry in AGENTS; everything else (hook, install, status,
// session profile, the hook for one run, wrapper recognition) reads it from here.
import { aider } from './aider.js';
import { claude } from './claude.js';
import { codex } from './codex.js';
import { cursor } from './cursor.js';
import { gemini } from './gemini.js';
import type { Agent, HookFormat, SettingsFormat } from './types.js';

/** Every agent, in the order they are listed (doctor, status). */
export const AGENTS = [claude, gemini, codex, cursor, aider] as const;

type Known = (typeof AGENTS)[number];
/** An agent with a pre-command hook agentguard can install: `agentguard hook|install <name>`. */
export type HookAgent = Extract<Known, { hook: HookFormat }> & { hook: HookFormat; settings: SettingsFormat };
export type AgentName = HookAgent['name'];

const hasHook = (a: Agent): a is HookAgent => a.hook !== undefined && a.settings !== undefined;

/** The agents with a hook, in order. */
export const HOOK_AGENTS: readonly HookAgent[] = AGENTS.filter(hasHook);
export const HOOK_AGENT_NAMES: readonly AgentName[] = HOOK_AGENTS.map((a) => a.name);

export function isAgent(name: string): name is AgentName {
  return HOOK_AGENTS.some((a) => a.name === name);
}

export function hookAgent(name: AgentName): HookAgent {
  return HOOK_AGENTS.find((a) => a.name === name)!;
}

/** The agent whose profile has this name (a session's profile names the agent it runs). */
export function agentNamed(name: string): Known | undefined {
  return AGENTS.find((a) => a.name === name);
}
