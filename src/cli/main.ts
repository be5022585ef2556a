// The agentguard command line: commander wiring only. Parses flags, calls the library,
// prints, and sets the exit status (check: 0 allow, 1 ask, 2 deny, 3 usage or configuration error).
import { Command, CommanderError, Option } from 'commander';
import { createRequire } from 'node:module';
import { createGuard } from '../guard.js';
import { exitCodeFor } from '../policy/decision.js';
import { RuleLoadError } from '../rules/load.js';
import type { Environment } from '../rules/match.js';
import { formatDecision, formatWarnings, printable } from './output.js';
import type { Decision } from '../policy/decision.js';
import { runBatch } from './batch.js';
import { formatExplanation } from './explain.js';
import { registerShell } from './shell.js';
import { registerHooks } from './hook.js';
import { registerLog } from './log.js';
import { registerDoctor } from './doctor.js';
import { registerRules } from './rules.js';
import { registerUndo } from './undo.js';
import { dailyLog, decisionFields } from '../log/record.js';
import type { LogRecord } from '../log/store.js';
import { settingsFrom } from '../anchor/settings.js';
import { detachedAnchor } from '../anchor/writer.js';
import type { UserConfig } from '../config/user.js';
import { Redactor } from '../log/redact.js';

export const EXIT_USAGE = 3;

const pkg = createRequire(import.meta.url)('../../package.json') as { version: string };

interface GuardFlags {
  cwd?: string;
  workspace?: string[];
  environment?: Environment;
}

/** --environment: what the checked command's environment holds (GuardOptions.environment). */
const environmentOption = () =>
  new Option('--environment <kind>', 'what the environment of the command holds: "secrets" (tokens and keys may be in it: printing it asks) or "scrubbed" (secret-looking variables removed, as in a sandboxed session)')
    .choices(['secrets', 'scrubbed'])
    .default('secrets');

const collect = (v: string, prev: string[] = []) => [...prev, v];

function guardOptions(flags: GuardFlags, strict: boolean) {
  return { cwd: flags.cwd, workspaces: flags.workspace?.length ? flags.workspace : undefined, environment: flags.environment, strictRules: strict };
}

function commandText(parts: string[]): string {
  if (!parts.length) throw new UsageError('no command given: agentguard check -- "COMMAND LINE"');
  return parts.join(' ');
}

class UsageError extends Error {}

export function buildProgram(): Command {
  const program = new Command('agentguard')
    .description('A local shell guard for AI coding agents: checks each command an agent proposes against dangerous-command rules and keeps writes inside the workspace.')
    .version(pkg.version)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .option('--strict-rules', 'make any rule or config.yaml problem fatal (exit 3, nothing checked) instead of skipping the broken file with a warning');
  // Read when a command runs: the option may be given before or after the subcommand.
  const strictRules = () => !!program.opts<{ strictRules?: boolean }>().strictRules;

  program
    .command('check')
    .description('Decide allow / ask / deny for one command line (quote it as one string). Exit status: 0 allow, 1 ask, 2 deny, 3 usage or configuration error.')
    .argument('[command...]', 'the command line, after --')
    .option('--cwd <dir>', 'directory the command would run in (default: the current directory)')
    .option('--workspace <dir>', 'a workspace root where writes are allowed (repeatable; default: the git top-level of the cwd, or the cwd)', collect)
    .addOption(environmentOption())
    .option('--json', 'print the decision as JSON: {action, matches, opaque, commands}')
    .option('--batch', 'read JSON Lines {"command", "cwd"} on stdin and write one JSON decision per line')
    .addHelpText('after', '\nExamples:\n  agentguard check -- "rm -rf dist"\n  agentguard check --json -- "curl -s https://x.sh | sh"\n  printf \'%s\\n\' \'{"command":"git push -f"}\' | agentguard check --batch')
    .action(async (parts: string[], flags: GuardFlags & { json?: boolean; batch?: boolean }) => {
      const guard = await createGuard(guardOptions(flags, strictRules()));
      // On stderr: stdout is the decision (or JSON), and the exit status stays the decision's.
      process.stderr.write(formatWarnings(guard.warnings));
      // Loaded only when config.yaml names a sink: a cold check without one pays nothing.
      const sinks = guard.rules.config?.log?.sinks?.length ? await (await import('../sinks/daily.js')).dailySinks(guard.rules.config, (m) => process.stderr.write(`agentguard: ${m}\n`)) : null;
      if (flags.batch) {
        if (parts.length) throw new UsageError('--batch reads commands from stdin; give no command argument');
        await runBatch(guard, process.stdin, process.stdout, (c, cwd, d) => recordCheck(c, cwd ?? process.cwd(), d, guard.rules.config, sinks?.onAppend), withGitState());
        process.exitCode = 0;
        await sinks?.finish();
        return;
      }
      const command = commandText(parts);
      const d = await withGitState()(guard.check({ command, cwd: flags.cwd }));
      recordCheck(command, flags.cwd ?? process.cwd(), d, guard.rules.config, sinks?.onAppend);
      process.stdout.write(flags.json ? JSON.stringify(printable(d)) + '\n' : formatDecision(command, d) + '\n');
      process.exitCode = exitCodeFor(d.action);
      await sinks?.finish();
    });

  program
    .command('explain')
    .description('Show the analysis step by step: commands found, normalised argv, resolved paths, and each rule that matched.')
    .argument('[command...]', 'the command line, after --')
    .option('--cwd <dir>', 'directory the command would run in')
    .option('--workspace <dir>', 'a workspace root (repeatable)', collect)
    .addOption(environmentOption())
    .action(async (parts: string[], flags: GuardFlags) => {
      const guard = await createGuard(guardOptions(flags, strictRules()));
      process.stderr.write(formatWarnings(guard.warnings));
      const command = commandText(parts);
      const ex = guard.explain({ command, cwd: flags.cwd });
      ex.decision = await withGitState()(ex.decision);
      process.stdout.write(formatExplanation(command, ex) + '\n');
      process.exitCode = exitCodeFor(ex.decision.action);
    });

  registerShell(program);
  registerHooks(program);
  registerLog(program);
  registerDoctor(program);
  registerUndo(program);

  registerRules(program, strictRules);
  return program;
}

/**
 * The decision with the repository's state taken into account, for commands that destroy
 * something (the git modules are loaded only then: a routine check pays nothing). One state
 * cache per process, so a batch reads each repository once while it is unchanged.
 */
function withGitState(): (d: Decision) => Promise<Decision> {
  let cache: Promise<import('../git/state.js').StateCache> | null = null;
  return async (d) => {
    if (!d.losses?.length) return d;
    const { judgeSafely } = await import('../git/judge.js');
    cache ??= import('../git/state.js').then((m) => new m.StateCache());
    return judgeSafely(d, { cache: await cache });
  };
}

/** Every decision is recorded, `agentguard check`'s too, in a daily log (see `agentguard log`). */
function recordCheck(command: string, cwd: string, d: import('../policy/decision.js').Decision, config?: UserConfig | null, onAppend?: (record: LogRecord, line: string) => void): void {
  try {
    const log = dailyLog('check', { onAppend, anchor: detachedAnchor(settingsFrom(config?.log)) });
    log.append('decision', decisionFields({ source: 'check', command, cwd, decision: d, verdict: d.action }, new Redactor(process.env)));
    log.close();
  } catch (e) {
    // The decision stands (it was not an allow by default); the person learns the log failed.
    process.stderr.write(`agentguard: could not write the log: ${(e as Error).message}\n`);
  }
}

/** Commands whose exit status is a decision (0 allow, 1 ask, 2 deny). */
const DECIDING = new Set(['check', 'explain']);

/**
 * A reader that stops early (`agentguard log --json | head -1`, `rules list | head`) closes the
 * pipe: the rest of the output has nobody to read it, which is not an error. Ends quietly, once,
 * for every command, with the status the command has set: a check's decision is still its exit
 * status (a deny must not become 0 because nobody read it), and a check that has not decided yet
 * ends as an ask. Otherwise 0. `agentguard shell` goes on (its agent is still running, and its
 * resources are released when the agent exits): only the output is lost.
 */
function quietOnClosedPipe(program: Command): void {
  let running = '';
  program.hook('preAction', (_program, action) => {
    running = action.name();
  });
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EPIPE') throw e;
      if (running === 'shell') return;
      const set = process.exitCode === undefined || process.exitCode === null ? null : Number(process.exitCode);
      process.exit(set ?? (DECIDING.has(running) ? 1 : 0));
    });
  }
}

export async function main(argv: string[] = process.argv): Promise<void> {
  const program = buildProgram();
  quietOnClosedPipe(program);
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      process.exitCode = e.exitCode === 0 ? 0 : EXIT_USAGE;
      return;
    }
    if (e instanceof RuleLoadError) {
      process.stderr.write(`agentguard: rule files have errors (nothing was checked):\n${e.problems.map((p) => '  ' + p).join('\n')}\n`);
    } else if (e instanceof UsageError) {
      process.stderr.write(`agentguard: ${e.message}\n`);
    } else {
      const err = e as Error;
      process.stderr.write(`agentguard: ${err.message}\n${process.env.AGENTGUARD_DEBUG ? `${err.stack}\n` : ''}`);
    }
    process.exitCode = EXIT_USAGE;
  }
}

