// createGuard(): loads the parser and rules once, then answers check({command, cwd})
// synchronously. The same engine serves the CLI, the session and the agent hooks.
import os from 'node:os';
import path from 'node:path';
import { findWorkspace, isInside, realPath } from './policy/confine.js';
import type { Decision } from './policy/decision.js';
import { evaluate, type PolicyContext } from './policy/evaluate.js';
import type { Environment, HostSet } from './rules/match.js';
import { defaultRuleSources, loadRules, RuleLoadError, warningText, type RuleSources, type RuleWarning } from './rules/load.js';
import { compileRules, type RuleSet } from './rules/ruleset.js';
import { analyse } from './shell/analyse.js';
import { realFs, type FsView } from './shell/fsview.js';
import { loadParser } from './shell/parser.js';
import type { Script, ShellContext } from './shell/types.js';

// For front ends that load only this module (the hook): the one-line note on a skipped rule file.
export { ruleProblemLine } from './rules/load.js';

/** Claude Code's and Codex's shell snapshots (…/shell-snapshots/snapshot-bash-….sh, …/shell_snapshots/….sh). */
const AGENT_SNAPSHOT = /\/shell[-_]snapshots\/[^/]+\.(sh|zsh|bash)$/;

export interface GuardOptions {
  /** Default cwd for checks (and for finding the project's rules): process.cwd(). */
  cwd?: string;
  /** Workspace roots; default: the git top-level of each check's cwd, or the cwd. */
  workspaces?: string[];
  /** Home directory: $HOME. */
  home?: string;
  /** Environment variables whose values the analysis may rely on; default: HOME, USER, LOGNAME, TMPDIR, SHELL from process.env. */
  env?: Record<string, string>;
  /** Where rules come from; default: built-in, ~/.config/agentguard/rules, <workspace>/.agentguard/rules. */
  ruleSources?: RuleSources;
  /** An already compiled rule set (skips loading). */
  rules?: RuleSet;
  /** More write roots beside the workspaces, $TMPDIR and /tmp (--allow-write). Scripts there are analysed when they run. */
  extraWriteRoots?: string[];
  /**
   * Write roots that hold an agent's own state (~/.claude, ~/.codex …): writable, but the
   * scripts there (Claude Code's shell snapshots, sourced before every command) are the
   * agent's machinery and run unread, like installed programs.
   */
  agentStateRoots?: string[];
  /** How the analysis sees files (scripts, Makefiles, package.json, git config); default: the real file system. */
  fs?: FsView;
  /**
   * Hosts allowed for this session beside the egress allowlist; the session and its egress
   * proxy add to this set as the person answers, and checks see it at once.
   */
  sessionHosts?: HostSet;
  /**
   * Whether the commands' environment may hold secrets (tokens, keys): `secrets` (the
   * default, fail closed) makes environment dumps ask; a sandboxed session, whose shells get
   * a scrubbed environment, says `scrubbed`.
   */
  environment?: Environment;
  /** Bytes above which an allocation or a write asks (default 10 GiB; the user config's limits.large_write). */
  largeWriteBytes?: number;
  /**
   * Any rule warning is fatal (--strict-rules, `rules test`): createGuard throws RuleLoadError
   * instead of skipping a broken file. By default a broken user or project file is skipped and
   * what it could have matched asks.
   */
  strictRules?: boolean;
}

export interface CheckRequest {
  command: string;
  cwd?: string;
}

export interface Explanation {
  script: Script;
  context: PolicyContext & { cwd: string };
  decision: Decision;
}

export interface Guard {
  rules: RuleSet;
  /** Rule and config problems worked around at load time: every front end shows them from here. */
  warnings: readonly RuleWarning[];
  /** The write roots for a cwd: its workspace(s), $TMPDIR, /tmp and any extra roots, symlinks resolved. */
  writeRoots(cwd: string): string[];
  check(req: CheckRequest): Decision;
  explain(req: CheckRequest): Explanation;
}

const KNOWN_ENV = ['HOME', 'USER', 'LOGNAME', 'TMPDIR', 'SHELL'];

export async function createGuard(options: GuardOptions = {}): Promise<Guard> {
  // The grammar compiles on V8's background threads while the rules load on this one.
  const parser = loadParser();
  // Settled, so that a rule load that throws first leaves no unhandled rejection behind.
  parser.catch(() => {});
  const baseCwd = path.resolve(options.cwd ?? process.cwd());
  const home = options.home ?? process.env.HOME ?? os.homedir();
  const env: Record<string, string> = options.env ?? {};
  if (!options.env) for (const k of KNOWN_ENV) if (process.env[k] !== undefined) env[k] = process.env[k]!;
  env.HOME ??= home;
  const tmp = env.TMPDIR || '/tmp';
  const rules =
    options.rules ??
    compileRules(await loadRules(options.ruleSources ?? defaultRuleSources(options.workspaces?.[0] ?? findWorkspace(baseCwd))));
  if (options.strictRules && rules.warnings.length) throw new RuleLoadError(rules.warnings.flatMap((w) => w.details ?? [warningText(w)]));
  await parser;

  const fsview = options.fs ?? realFs;
  const agentRoots = (options.agentStateRoots ?? []).map((r) => realPath(r));
  const contexts = new Map<string, { policy: PolicyContext; analysesFile: (p: string) => boolean; shell: ShellContext; explained: PolicyContext & { cwd: string } }>();
  const contextFor = (cwd: string) => {
    let ctx = contexts.get(cwd);
    if (!ctx) {
      const found = options.workspaces ? null : findWorkspace(cwd);
      const workspaces = options.workspaces?.map((w) => path.resolve(baseCwd, w)) ?? (found ? [found] : []);
      const analysed = [...new Set([...workspaces, tmp, '/tmp', ...(options.extraWriteRoots ?? [])].map((r) => realPath(r)))];
      const roots = [...new Set([...analysed, ...agentRoots])];
      // The temporary roots never open $HOME (unless a workspace or extra root is the same directory).
      const real = new Set([...workspaces, ...(options.extraWriteRoots ?? []), ...agentRoots].map((r) => realPath(r)));
      const tempRoots = [...new Set([tmp, '/tmp'].map((r) => realPath(r)))].filter((r) => !real.has(r));
      // Scripts are the agent's where it writes as routine; elsewhere they are installed programs.
      // An agent's state directory is writable, so a script there is read like one in the
      // workspace; only the agents' own shell snapshots (Claude Code's and Codex's, sourced
      // before every command) are their machinery and run unread.
      const analysesFile = (p: string) => isInside(p, roots) && !(isInside(p, agentRoots) && AGENT_SNAPSHOT.test(p));
      const policy: PolicyContext = {
        home,
        workspaces,
        writeRoots: roots,
        sessionHosts: options.sessionHosts,
        tmpdir: tmp,
        tempRoots,
        homeReal: realPath(home),
        environment: options.environment ?? 'secrets',
        largeWriteBytes: options.largeWriteBytes ?? rules.config?.largeWriteBytes,
      };
      // Made once per cwd, not per check: what a check in this cwd hands the analysis and the policy.
      ctx = { policy, analysesFile, shell: { cwd, home, env, fs: fsview, analysesFile }, explained: { ...policy, cwd } };
      if (contexts.size > 1000) contexts.clear();
      contexts.set(cwd, ctx);
    }
    return ctx;
  };

  const explain = (req: CheckRequest): Explanation => {
    // baseCwd is absolute already: most checks name no cwd of their own.
    const cwd = req.cwd === undefined ? baseCwd : path.resolve(baseCwd, req.cwd);
    const { policy, shell, explained } = contextFor(cwd);
    const script = analyse(req.command, shell);
    return { script, context: explained, decision: evaluate(script, rules, policy) };
  };

  return {
    rules,
    warnings: rules.warnings,
    explain,
    writeRoots: (cwd) => contextFor(path.resolve(baseCwd, cwd)).policy.writeRoots,
    check(req) {
      try {
        return explain(req).decision;
      } catch (e) {
        // Fail closed: an internal error is never an allow.
        return { action: 'ask', matches: [], opaque: [`internal error while checking: ${(e as Error).message}`], commands: [] };
      }
    },
  };
}
