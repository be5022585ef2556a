// `agentguard hook`, `install` and `uninstall`: commander wiring for the agents' native hooks.
// The implementations are imported when a command runs, so a plain `agentguard check` never
// loads them, and a hook loads only what it needs.
import type { Command } from 'commander';

const AGENT_LIST = 'claude, gemini, codex or cursor';

export function registerHooks(program: Command): void {
  program
    .command('hook')
    .description(`Answer an agent's pre-command hook (${AGENT_LIST}): read the hook JSON on stdin and print allow, ask or deny in the agent's format. Installed by \`agentguard install\`.`)
    .argument('<agent>', AGENT_LIST)
    .option('--auto-approve', 'answer allow for a command agentguard does not flag, skipping the agent\'s own prompt for it (default: no opinion, the agent decides)')
    .option('--strict-rules', 'block every command while a rule file or config.yaml has a problem, instead of skipping the broken file with a warning')
    .addHelpText(
      'after',
      `
Inside an \`agentguard shell\` session (AGENTGUARD_SOCKET set) the session decides and you answer at its prompt;
outside one the hook decides alone. A command agentguard does not flag gets no opinion, so the agent's own
permission settings decide. When nobody would see a question (the agent's hook cannot ask, or the agent runs
without asking anyone: Claude Code's bypassPermissions or dontAsk mode, claude -p, Codex's approval policy
never), a command agentguard would ask about is blocked with the reason and what to run instead.
Malformed input, an unreachable session or any internal error blocks the command (exit status 2, the reason
on stderr).`,
    )
    .action(async (agent: string, flags: { autoApprove?: boolean; strictRules?: boolean }) => {
      try {
        const { runHook } = await import('../hooks/run.js');
        process.exitCode = await runHook(agent, undefined, { autoApprove: flags.autoApprove === true, strictRules: flags.strictRules === true || program.opts<{ strictRules?: boolean }>().strictRules === true });
      } catch (e) {
        // Not even the hook could load: block, never fall through to commander's exit status 3.
        process.stderr.write(`agentguard: the hook failed (${(e as Error).message}); the command was blocked\n`);
        process.exitCode = 2;
      }
    });

  for (const verb of ['install', 'uninstall'] as const) {
    const cmd = program
      .command(verb)
      .description(
        verb === 'install'
          ? `Add agentguard's hook to an agent's settings (${AGENT_LIST}), keeping everything else in the file; a timestamped backup is written first. Running it again changes nothing.`
          : `Remove the hook \`agentguard install\` added (${AGENT_LIST}), leaving everything else in the file as it was.`,
      )
      .argument('<agent>', AGENT_LIST)
      .option('--user', "the agent's settings in your home directory (default)")
      .option('--project', "the agent's settings in this project (the git top-level of the current directory), with a command that works on a teammate's machine");
    if (verb === 'install')
      cmd.option('--auto-approve', "answer allow for commands agentguard does not flag, skipping the agent's own prompts for them (default: no opinion, the agent's own permission settings decide)");
    cmd
      .addHelpText(
        'after',
        `
Files: claude ~/.claude/settings.json, gemini ~/.gemini/settings.json, codex ~/.codex/hooks.json,
cursor ~/.cursor/hooks.json; with --project: .claude/settings.json, .gemini/settings.json,
.codex/hooks.json, .cursor/hooks.json in the project. A user install names this Node and this
agentguard by absolute path; a project install runs \`agentguard\` from PATH, and blocks with a message
saying how to install it on a machine that does not have it.`,
      )
      .action(async (agent: string, flags: { user?: boolean; project?: boolean; autoApprove?: boolean }) => {
        const { isAgent } = await import('../agents/index.js');
        if (!isAgent(agent)) throw new Error(`unknown agent "${agent}": expected ${AGENT_LIST}`);
        if (flags.user && flags.project) throw new Error('give --user or --project, not both');
        const scope = flags.project ? 'project' : 'user';
        const { install, uninstall } = await import('../hooks/install.js');
        const r = verb === 'install' ? install({ agent, scope, autoApprove: flags.autoApprove === true }) : uninstall({ agent, scope });
        const lines: string[] = [];
        if (verb === 'install') {
          lines.push(r.changed ? `installed the agentguard hook for ${agent} in ${r.file}` : `the agentguard hook for ${agent} is already installed in ${r.file}`);
          lines.push(`  command: ${r.command}`);
        } else {
          lines.push(r.changed ? `removed the agentguard hook for ${agent} from ${r.file}` : `no agentguard hook for ${agent} in ${r.file}; nothing to remove`);
        }
        if (r.backup) lines.push(`  backup of the previous file: ${r.backup}`);
        if (verb === 'install') for (const n of r.notes) lines.push(`  note: ${n}`);
        process.stdout.write(lines.join('\n') + '\n');
        process.exitCode = 0;
      });
  }
}
