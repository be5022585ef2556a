// The scripts real agents wrap their model's command in, recognised exactly, so that a
// prompt can show the command the agent meant and the wrapper once, as context. Each agent's
// module knows its own wrapper (claude.ts, codex.ts); this asks them in turn.
//
// Recognition is for display only: the policy always decides on the whole text. Anything
// in the wrapper that is not one of the known set-up steps means "not a wrapper", so a
// person is never shown a short command while something else hides in front of it.
// Pure: no I/O.
import { AGENTS } from './index.js';

export { codexStartupBody, isCodexStartupScript, isRcSourceReason, isSnapshotHelperReason } from './codex.js';

export interface AgentWrapper {
  /** The agent's title ("Claude Code", "Codex"). */
  agent: string;
  /** The command the agent meant, de-quoted: what the prompt shows as THE command. */
  inner: string;
  /** The wrapper with the inner command elided (`'…'`), for one line of context. */
  wrapper: string;
}

export function unwrapAgentCommand(script: string): AgentWrapper | null {
  for (const a of AGENTS) {
    if (!('unwrap' in a)) continue;
    const u = a.unwrap(script);
    if (u) return { agent: a.title, ...u };
  }
  return null;
}
