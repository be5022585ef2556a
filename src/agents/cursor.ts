// Cursor: everything agentguard knows about it. Its beforeShellExecution hook, where its
// hooks.json lives and the hook entry in it, and its session profile. Cursor reads hooks only
// from its own files, so a session cannot add the hook for one run. Pure except for the
// settings paths it names.
import path from 'node:path';
import { HOOK_TIMEOUT_S, MalformedInput, absolute, json, object, oneLine, noteStr, optionalStr, otherEvent, str } from './hook-input.js';
import type { Agent, HookFormat, SettingsFormat } from './types.js';

// Hook format: https://cursor.com/docs/agent/hooks (beforeShellExecution; hooks.json "failClosed").
// stdin: {conversation_id, generation_id, hook_event_name: "beforeShellExecution", workspace_roots: [...],
//         command, cwd, model?, cursor_version?, user_email?}
// stdout: {"permission": "allow" | "ask" | "deny", "user_message": "<to the person>", "agent_message": "<to the agent>"};
// {} leaves the decision to Cursor's own settings (Cursor wants JSON on every path).
// Exit code 2 blocks; with "failClosed": true in hooks.json (agentguard install sets it) a crash or a
// timeout blocks too.
const answer = (out: Record<string, string>) => ({ stdout: json(out), stderr: '', exitCode: 0 });

const hook: HookFormat = {
  event: 'beforeShellExecution',
  parse(input) {
    const o = object(input, 'hook input');
    if (otherEvent(o, 'beforeShellExecution')) return { kind: 'pass' };
    const roots = o.workspace_roots;
    let workspaces: string[] | undefined;
    if (roots !== undefined && roots !== null) {
      if (!Array.isArray(roots) || !roots.every((r) => typeof r === 'string')) throw new MalformedInput('workspace_roots is not a list of strings');
      // Never / as a workspace: it would make every write "inside".
      workspaces = roots.filter((r) => path.isAbsolute(r)).map((r) => path.normalize(r)).filter((r) => r !== path.parse(r).root);
      if (!workspaces.length) workspaces = undefined;
    }
    const cwd = absolute(optionalStr(o, 'cwd', 'hook input') || undefined, workspaces?.[0]) ?? workspaces?.[0];
    return { kind: 'check', call: { command: str(o, 'command', 'hook input'), cwd, workspaces, project: workspaces?.[0], agentSession: noteStr(o, 'conversation_id'), nobodyToAsk: null } };
  },
  allow: () => answer({ permission: 'allow' }),
  noOpinion: () => answer({}),
  // What agentguard did, not what Cursor will do: in some of Cursor's run modes an ask is not shown.
  ask: (reason) => answer({ permission: 'ask', user_message: reason, agent_message: `${reason} agentguard asked Cursor to have the person approve it before it runs.` }),
  deny: (toAgent, toPerson) => answer({ permission: 'deny', user_message: toPerson, agent_message: toAgent }),
  failure(reason) {
    const r = oneLine(reason);
    return { stdout: json({ permission: 'deny', user_message: r, agent_message: r }), stderr: r + '\n', exitCode: 2 };
  },
};

// Settings: https://cursor.com/docs/agent/hooks (hooks.json {version: 1, hooks: {beforeShellExecution: [{command, timeout, failClosed}]}}).
const settings: SettingsFormat = {
  event: 'beforeShellExecution',
  matcher: null,
  handler: (command) => ({ command, timeout: HOOK_TIMEOUT_S, failClosed: true }),
  empty: () => ({ version: 1 }),
  file: (scope, w) => (scope === 'user' ? path.join(w.home, '.cursor', 'hooks.json') : path.join(w.project, '.cursor', 'hooks.json')),
  notes: ['Cursor shows the hook under Settings → Hooks; restart Cursor if it does not appear.'],
};

export const cursor = {
  name: 'cursor' as const,
  title: 'Cursor',
  binary: 'cursor',
  profile: {
    programs: ['cursor-agent', 'cursor'],
    write: ['~/.cursor'],
    // Its model API and sign-in.
    hosts: ['*.cursor.sh', '*.cursor.com'],
  },
  hook,
  settings,
} satisfies Agent;
