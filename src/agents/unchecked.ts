// What the start line says about an agent's shells that reach agentguard neither through a
// shim nor through a hook. Without the sandbox only shells started by name from PATH meet a
// shim; a shell started by absolute path (/bin/sh -c, /bin/bash -lc) does not. An agent's own
// hook sees the commands the agent runs itself, but not a shell one of them starts. Pure.

/** The hook the session added for this run (src/hooks/inject.ts), or why it could not. */
export interface HookForRun {
  injected: boolean;
  skipped: string | null;
}

/** One line for the start of a session, or null when there is nothing to add. */
export function uncheckedShellsNote(agent: string | undefined, sandboxed: boolean, hook: HookForRun): string | null {
  if (sandboxed || !agent) return null;
  if (agent === 'codex') {
    if (hook.injected)
      return "codex's own shell commands are checked by agentguard's hook, added for this run with -c overrides (Codex starts /bin/bash by absolute path, which no shim sees without the sandbox); a shell one of those commands starts by absolute path is NOT checked";
    return `codex runs UNGUARDED: without the sandbox and without agentguard's hook none of its shell commands are checked or logged (Codex starts /bin/bash by absolute path, which no shim sees). To check them, ${hook.skipped ? 'remove what is named above, or ' : ''}run the session with the sandbox`;
  }
  if (hook.injected || hook.skipped) return null;
  // Cursor reads hooks only from its own hooks.json: installed there, it sees Cursor's own shell tool.
  const installed = agent === 'cursor' ? ' unless agentguard\'s hook is installed in its hooks.json (`agentguard install cursor`), which sees the commands its shell tool runs' : '';
  return `${agent} has no switch that adds agentguard's hook for one run: without the sandbox, only the shells it starts by name from PATH (sh, bash) are checked; a shell it starts by absolute path (/bin/sh -c, as Python's subprocess and Node's child_process with shell: true do) is NOT checked or logged${installed}. Run the session with the sandbox to check them all`;
}
