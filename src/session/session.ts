// agentguard shell: runs the agent in a pty the session owns, routes every shell it
// starts through the shim to the gate, asks the person on the real terminal, and exits
// with the agent's status. Start-up is a plan (plan.ts) worked out first, then applied:
// every resource it creates is registered with the session's lifecycle (lifecycle.ts) and
// released on every way out, including a failure half-way and SIGTERM/SIGHUP.
import { escapeForTerminal, paint as chalk } from '../ui/display.js';
import { warningText } from '../rules/load.js';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { IPty } from 'node-pty';
import { createGuard, type Guard, type GuardOptions } from '../guard.js';
import type { Environment } from '../rules/match.js';
import { probeConfinementAsync, type Confinement } from '../sandbox/bwrap.js';
import { behindBridge, proxyEnv, startSessionEgress, BRIDGE_PORT, type NetworkMode, type SessionEgress } from '../egress/session.js';
import type { EgressRecord } from '../egress/proxy.js';
import { budgetSettings, describeBudgets, type BudgetSettings } from '../egress/budget.js';
import { Allowlist } from '../net/hosts.js';
import { applyLimits, defaultMaxMemory, describeAsked, sessionTimeHit, type LimitHit, type Limits } from '../sandbox/limits.js';
import { Gate } from './gate.js';
import { Escalator, startBroker } from './escalate.js';
import { expandHome, loadProfiles, profileFor, type Profile } from './profiles.js';
import { Prompter } from './prompt.js';
import { createPrivateTmp, createRuntime, findRealShells, insideOwnInstall, PACKAGE_ROOT } from './runtime.js';
import { listen } from './server.js';
import { TerminalBridge } from './terminal.js';
import { withAgentHook } from '../hooks/inject.js';
import { uncheckedShellsNote } from '../agents/unchecked.js';
import { decisionFields, outcomeOf, promptRules } from '../log/record.js';
import { hookCommand, portableHookCommand, quoteWord } from '../hooks/command.js';
import { HOOK_AGENT_NAMES } from '../agents/index.js';
import { Actions, summaryLines } from './summary.js';
import crypto from 'node:crypto';
import { Redactor } from '../log/redact.js';
import { settingsFrom } from '../anchor/settings.js';
import { startAnchor } from '../anchor/writer.js';
import { SessionLog } from '../log/store.js';
import { judgeSafely } from '../git/judge.js';
import { StateCache } from '../git/state.js';
import { Snapshotter, snapshotLine, snapshotRecords } from '../git/take.js';
import { openLogSinks } from '../sinks/index.js';
import { Lifecycle, StartAborted } from './lifecycle.js';
import { sandboxProc } from './pidns.js';
import { inputsUnchanged } from '../shell/fsview.js';
import { describePlan, planSession, sandboxArgv, type ExtraResource, type LoopbackForward, type SessionPlan } from './plan.js';
export interface ShellOptions {
  /** The agent command; empty for an interactive shell. */
  command: string[];
  cwd: string;
  workspaces?: string[];
  /** Any rule or config.yaml problem stops the start (--strict-rules); otherwise the broken file is skipped with a warning. */
  strictRules?: boolean;
  noSandbox: boolean;
  requireSandbox?: boolean;
  /** Let shells started by allowed commands through unchecked on their token (weaker; off by default). */
  trustNested?: boolean;
  promptTimeoutMs: number;
  /** More writable directories (--allow-write). */
  allowWrite?: string[];
  /** Credential paths handed to the task on purpose (--allow-read). */
  allowRead?: string[];
  /** Secret-looking variables the agent's commands may keep (--pass-env). */
  passEnv?: string[];
  /** Bytes above which an allocation or write asks (the user config's limits.large_write). */
  largeWriteBytes?: number;
  /** Commands per minute before the session pauses and asks whether to go on. */
  maxCommandsPerMinute?: number;
  limits?: Limits;
  /** End the session after this long (--max-session-time), exit status 124 like timeout(1). */
  maxSessionMs?: number;
  /** proxy (default): out only through the egress proxy; none: no network; open: the host's network. */
  network?: NetworkMode;
  /** More egress allowlist entries (--allow-host); a loopback entry with a port is forwarded to the host. */
  allowHosts?: string[];
  /** Keep the private /tmp after the session (--keep-tmp) and print where it is. */
  keepTmp?: boolean;
  /** Print the plan and the argv, start nothing (--dry-run). */
  dryRun?: boolean;
  /** Resources a later part of the session adds to the plan (the escalation broker). */
  extraResources?: ExtraResource[];
  env?: NodeJS.ProcessEnv;
  /** Where the log is shipped too (--log-sink SPEC, besides config.yaml's log.sinks). */
  logSinks?: string[];
  /** The egress proxy's limits from flags (--rate-limit …); they win over config.yaml's budgets. */
  budgets?: Partial<BudgetSettings>;
}

/**
 * Agent actions by outcome (src/log/record.ts Outcome): one per action, its parts (records with
 * a parent) never counted again.
 */
export interface SessionCounts {
  allowed: number;
  approved: number;
  /** Approved, and run outside the sandbox. */
  escalated: number;
  refused: number;
  denied: number;
  /** Prompts closed because whoever asked was gone. */
  abandoned: number;
  /** Records of shells that ran without a check (installed scripts; --trust-nested): not actions of their own. */
  nested: number;
  /** Requests through the egress proxy, and how many it refused. */
  network: number;
  networkRefused: number;
}

export async function runShell(opts: ShellOptions): Promise<number> {
  const env = opts.env ?? process.env;
  const home = env.HOME ?? '';
  const stdout = process.stdout;
  const profiles = loadProfiles(home, env);
  const interactiveDefault = opts.command.length === 0;
  const profile = interactiveDefault ? null : profileFor(opts.command, profiles);
  const profileWrites = profile?.write.map((p) => expandHome(p, home)) ?? [];
  // The session's own hosts (the profile's API hosts, --allow-host, and what the person allows
  // as the session goes): the policy counts them as on the egress allowlist, like the proxy.
  const sessionHosts = new Allowlist([...(profile?.hosts ?? []), ...(opts.allowHosts ?? [])]);
  const guardOptions: GuardOptions = {
    sessionHosts,
    cwd: opts.cwd,
    workspaces: opts.workspaces,
    home,
    // The agent's own state (~/.claude, ~/.codex …) is writable, but scripts there (Claude Code's
    // shell snapshots) are the agent's machinery, not code it wrote for the task: not read ahead.
    agentStateRoots: profileWrites,
    extraWriteRoots: (opts.allowWrite ?? []).map((p) => path.resolve(opts.cwd, p)),
    largeWriteBytes: opts.largeWriteBytes,
    strictRules: opts.strictRules,
  };
  let guard = await createGuard(guardOptions);

  // 1. The plan: nothing exists yet.
  const plan = planSession(
    { command: opts.command, cwd: opts.cwd, home, env, noSandbox: opts.noSandbox, requireSandbox: opts.requireSandbox, network: opts.network, allowHosts: opts.allowHosts, allowRead: opts.allowRead, keepTmp: opts.keepTmp, profile, profileWrites, extraResources: opts.extraResources },
    guard,
  );
  // The environment the agent's commands see. The shim removes secret-looking variables from
  // every shell, but only the sandbox makes that hold for all of them (outside it /bin/sh -c
  // skips the shim); a variable passed on purpose (--pass-env) is a secret kept. Environment
  // dumps ask unless the environment is scrubbed.
  const environment = sessionEnvironment(plan.sandbox.ok, opts.passEnv);
  if (environment !== 'secrets') guard = await createGuard({ ...guardOptions, rules: guard.rules, environment });
  if (opts.dryRun) {
    const agent = interactiveDefault ? [path.join(plan.runtime.shimDir, 'bash')] : opts.command;
    const inner = plan.network === 'proxy' ? behindBridge(path.join(plan.runtime.dir, 'egress.sock'), agent, BRIDGE_PORT, plan.forwards) : agent;
    stdout.write(`${chalk.bold('agentguard')} session plan (--dry-run: nothing was created and the agent was not started)\n`);
    for (const l of describePlan(plan, home)) stdout.write(`  ${l}\n`);
    stdout.write(`  limits: ${describeAsked(opts.limits, opts.maxSessionMs)} (memory and CPU through a cgroup where one can be made, else per command: agentguard doctor says which)\n`);
    const own = ownInstallWarning(opts, guard);
    if (own) stdout.write(`agentguard: warning: ${own}\n`);
    stdout.write(`  argv (before the process-limit prefix and the agent's hook): ${JSON.stringify(sandboxArgv(plan, inner, opts.cwd, findRealShells(env.PATH ?? '/usr/bin:/bin')))}\n`);
    return 0;
  }

  // 2. Apply it. From here every resource is registered with the lifecycle as it is made.
  // What the agent will really have is read from a probe sandbox, started now so that it
  // runs while the rest starts up (it is only needed for the start line).
  const confinement = plan.sandbox.ok ? probeConfinementAsync({ isolateNetwork: plan.network !== 'open' }) : Promise.resolve(null);
  const life = new Lifecycle();
  try {
    return await applyAndRun(opts, plan, guard, life, { env, home, profile, profileWrites, interactiveDefault, sessionHosts, confinement });
  } catch (e) {
    await life.releaseAll();
    if (e instanceof StartAborted) {
      stdout.write(`agentguard: ${e.message}; everything it had created was removed\r\n`);
      return 128 + (e.signal === 'SIGHUP' ? 1 : 15);
    }
    throw e;
  }
}

interface Context {
  env: NodeJS.ProcessEnv;
  home: string;
  profile: Profile | null;
  profileWrites: string[];
  interactiveDefault: boolean;
  sessionHosts: Allowlist;
  confinement: Promise<Confinement | null>;
}

async function applyAndRun(opts: ShellOptions, plan: SessionPlan, guard: Guard, life: Lifecycle, c: Context): Promise<number> {
  const { env, home, profile, interactiveDefault, sessionHosts } = c;
  const sandbox = plan.sandbox;
  const network = plan.network;
  const stdin = process.stdin;
  const stdout = process.stdout;
  const hasTerminal = !!stdin.isTTY && !!stdout.isTTY;

  const runtime = createRuntime({ env, mountPoints: sandbox.ok, pathVar: env.PATH ?? '/usr/bin:/bin', paths: plan.runtime });
  life.add('runtime directory', () => runtime.remove());
  if (plan.mounts) {
    // The plan hides these directories; they must exist for bwrap to mount over them.
    for (const d of plan.mounts.hidden) fs.mkdirSync(d, { recursive: true, mode: 0o700 });
    for (const f of plan.mounts.filtered) fs.writeFileSync(f.copy, f.text, { mode: 0o600 });
    if ('bytes' in plan.seccomp) fs.writeFileSync(plan.runtime.seccompFile, plan.seccomp.bytes, { mode: 0o600 });
  }
  if (plan.privateTmp) {
    createPrivateTmp(plan.privateTmp);
    const tmp = plan.privateTmp;
    life.add('private /tmp', () => {
      if (plan.keepTmp) stdout.write(`agentguard: the session's /tmp is kept at ${tmp} (--keep-tmp)\r\n`);
      else fs.rmSync(tmp, { recursive: true, force: true });
    });
  }
  life.check();

  const counts: SessionCounts = { allowed: 0, approved: 0, escalated: 0, refused: 0, denied: 0, abandoned: 0, nested: 0, network: 0, networkRefused: 0 };
  const actions = new Actions();
  const sinks = openLogSinks([...(opts.logSinks ?? []), ...(guard.rules.config?.log?.sinks ?? [])], { queue: guard.rules.config?.log?.queue, env });
  // The chain's head goes to the journal or syslog through one logger process (src/anchor).
  // Without the sandbox the agent can kill that process (a literal pid is routine): the loss is
  // a record of its own while the session runs, and a line at its end.
  let anchorLost: string | null = null;
  let logOpen = false;
  const noteAnchorLost = () => {
    if (logOpen && anchorLost) log.append('anchor-lost', { reason: anchorLost });
  };
  const log = new SessionLog(runtime.id, {
    onAppend: sinks?.onAppend,
    anchor: startAnchor(settingsFrom(guard.rules.config?.log), {
      onLost: (why) => {
        anchorLost = why;
        noteAnchorLost();
      },
    }),
  });
  life.add('session log', () => log.end());
  if (sinks) life.add('log sinks', async () => void (await sinks.close({ log, warn: (m) => stdout.write(`agentguard: ${m}\r\n`) })));
  // In the sandbox, a yes to what the wall refuses runs outside it through the broker (escalate.ts).
  let escalator: Escalator | null = null;
  if (plan.mounts) {
    const m = plan.mounts;
    const broker = await startBroker({
      runtimeDir: runtime.dir,
      env: {
        PATH: `${runtime.shimDir}:${env.PATH ?? '/usr/bin:/bin'}`,
        HOME: home,
        ...(env.TMPDIR ? { TMPDIR: env.TMPDIR } : {}),
        AGENTGUARD_SESSION: runtime.id,
        AGENTGUARD_PASS_ENV: (opts.passEnv ?? []).join(','),
      },
      realShells: runtime.realShells,
      onEnd: (ticket, status, ms) => log.append('command-end', { decision: escalator?.takeSeq(ticket) ?? null, status, ms, escalated: true }),
    });
    life.add('escalation broker', () => broker.close());
    escalator = new Escalator(guard, broker, runtime.realShells);
    // Inside, /tmp is the session's own: a command using it means another directory outside.
    escalator.wall = { ...m, filtered: m.filtered.map((f) => f.path), network: network === 'unconfined' ? 'open' : network, privateDirs: plan.privateTmp ? ['/tmp'] : [] };
  }
  life.check();
  // Set once the egress proxy runs (below); the gate shares approved hosts with it.
  let egress: SessionEgress | null = null;
  const redactor = new Redactor(env);
  let prompter: Prompter | null = null;
  // Set once the agent runs: the root of its process tree, where the gate finds the sandbox's /proc.
  let agentPid: number | null = null;
  // Machine limits (src/sandbox/limits.ts), set before the agent starts; each one reached is a record and a line at the end.
  let limits: ReturnType<typeof applyLimits> | null = null;
  const limitsReached: LimitHit[] = [];
  const noteLimit = (hit: LimitHit & { decision?: number }) => {
    limitsReached.push(hit);
    log.append('limit', { ...hit });
  };
  // The repositories' state, read as commands that would destroy something ask (src/git/judge.ts),
  // and the snapshots taken before such a command runs (src/git/take.ts).
  // Watched for the session (src/git/watch.ts): an unchanged tree is judged without starting git.
  const gitCache = new StateCache({ watch: true });
  // Untracked files born after this are the session's own output (src/git/judge.ts).
  const sessionStart = Date.now();
  life.add('git state watches', () => gitCache.close());
  const primed = Promise.all(workspaceRoots(opts, guard).map((root) => gitCache.prime(root, { timeoutMs: 10_000 })));
  const snapshotter = new Snapshotter(runtime.id, { fresh: true });
  const snapshotsKept: { n: number; root: string }[] = [];
  const gate = new Gate({
    guard,
    judge: (d) => judgeSafely(d, { cache: gitCache, sessionStart }),
    snapshot: async (d, req, link) => {
      const command = req.script || req.argv.join(' ');
      const taken = await snapshotter.take(d.git?.snapshot ?? [], command);
      for (const t of taken) if (t.ok) snapshotsKept.push({ n: t.n, root: t.root });
      // A snapshot before a prompt belongs with the decision that closes it (the review folds it there).
      for (const r of snapshotRecords(taken, command, redactor, link.parent ?? link.prompt)) log.append(r.kind, r);
      return snapshotLine(taken, runtime.id);
    },
    trustNested: opts.trustNested,
    ask: hasTerminal ? (info) => prompter!.ask(info) : null,
    onEvent: (e) => {
      if (e.kind === 'nested' || e.kind === 'unverified-nested' || e.kind === 'installed-script') counts.nested++;
      const outcome = outcomeOf(e);
      // An installed script's record is its path and arguments: its content is the tool's, not
      // the agent's words (a pyenv shim is a page of bash), kept only as a size and a hash.
      const script = e.scriptArgv ? e.scriptArgv.map(quoteWord).join(' ') : null;
      const command = script ?? (e.request.script || e.request.argv.join(' '));
      const hook = e.request.hook;
      const seq = log.append('decision', {
        ...decisionFields(
          { source: 'session', command, cwd: e.request.cwd, decision: e.decision, verdict: e.verdict, kind: e.kind, answer: e.answer, shell: e.request.shell, mode: e.request.mode, parent: e.parent, prompt: e.prompt, outcome },
          redactor,
        ),
        ...(script !== null ? { bytes: Buffer.byteLength(e.request.script), sha256: crypto.createHash('sha256').update(e.request.script).digest('hex') } : {}),
        ...(hook ? { agent: hook.agent, ...(hook.project ? { project: hook.project } : {}), ...(hook.agentSession ? { agentSession: hook.agentSession } : {}), ...(hook.tool ? { tool: hook.tool } : {}) } : {}),
        ...(e.outside ? { outside: redactor.deep(e.outside) } : {}),
      });
      if (outcome) actions.add(seq, e.parent, outcome, command);
      return seq;
    },
    onPrompt: (p) => log.append('prompt', { command: redactor.redact(p.request.script), cwd: p.request.cwd, rules: promptRules(p.decision), ...(p.parent !== undefined ? { parent: p.parent } : {}) }),
    // agentguard's own hook, as an agent starts it: recorded as a part of the hook's record.
    hookLaunchers: new Set(HOOK_AGENT_NAMES.flatMap((a) => [hookCommand(a), hookCommand(a, undefined, undefined, { autoApprove: true }), portableHookCommand(a), portableHookCommand(a, { autoApprove: true })])),
    onExit: (seq, status, ms, report) => {
      log.append('command-end', { decision: seq ?? null, status, ms });
      const hit = limits?.commandEnded(status, report?.maxrss);
      if (hit) noteLimit({ ...hit, ...(seq !== undefined ? { decision: seq } : {}) });
    },
    escalation: escalator ?? undefined,
    maxCommandsPerMinute: opts.maxCommandsPerMinute ?? 60,
    // Token files only where the sandbox keeps them read-only: outside it the agent could write one.
    tokensDir: sandbox.ok ? runtime.tokensDir : undefined,
    // In the sandbox's own PID namespace a shim's pid means another process outside.
    procRoot: sandbox.ok ? sandboxProc(() => agentPid) : undefined,
    inputsUnchanged: (d) => inputsUnchanged(d.inputs ?? []),
    // A command the person allowed opens its hosts to the proxy for the session (one
    // question, not two); allowed for the session, they are also listed for the policy.
    onApproved: (req, answer) => {
      const commands = guard.explain({ command: req.script, cwd: req.cwd || undefined }).script.commands;
      for (const host of commands.flatMap((c) => c.hosts.flatMap((h) => (h.host ? [h.host] : [])))) {
        egress?.proxy.allowHost(host);
        if (answer === 'session') sessionHosts.add(host);
      }
    },
  });
  // Requests in flight, so that the session's end waits for their records (an abandoned prompt's among them).
  const inFlight = new Set<Promise<string>>();
  const server = await listen(runtime.socket, (req, signal) => {
    const p = gate.handle(req, signal);
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p)).catch(() => undefined);
    return p;
  });
  life.add('session socket', () => {
    server.close();
  });
  life.check();

  // Open network questions by destination: the proxy's record that answers one closes its prompt record.
  const netPrompts = new Map<string, number[]>();
  const onRecord = (r: EgressRecord) => {
    counts.network++;
    if (r.decision === 'deny') counts.networkRefused++;
    const waiting = r.answer ? netPrompts.get(`${r.host}:${r.port}`) : undefined;
    const prompt = waiting?.shift();
    if (waiting && !waiting.length) netPrompts.delete(`${r.host}:${r.port}`);
    log.append('network', { ...networkFields(r, redactor), ...(prompt !== undefined ? { prompt } : {}) });
  };
  if (network === 'proxy') {
    try {
      egress = await startSessionEgress({
        runtimeDir: runtime.dir,
        allow: plan.egressAllow,
        hosts: sessionHosts,
        ask: hasTerminal
          ? async (q) => {
              const seq = log.append('prompt', { command: redactor.redact(`${q.method} ${q.url ?? `${q.host}:${q.port}`}`), cwd: opts.cwd, rules: ['egress-allowlist'], network: { host: q.host, port: q.port } });
              const key = `${q.host}:${q.port}`;
              netPrompts.set(key, [...(netPrompts.get(key) ?? []), seq]);
              const a = await prompter!.ask({ command: `${q.method} ${q.url ?? `${q.host}:${q.port}`}`, cwd: opts.cwd, decision: { action: 'ask', matches: [], opaque: [], commands: [] }, network: q });
              return a === 'abandoned' ? 'deny' : a;
            }
          : null,
        onRecord,
        // Budgets: limits the person is asked about with the figures (src/egress/budget.ts).
        budget: { settings: budgetSettings(guard.rules.config?.budgets, profile?.name ?? null, opts.budgets), agent: profile?.name ?? null, modelHosts: profile?.hosts ?? [], sessionId: runtime.id, env },
        askLimit: hasTerminal
          ? async (q) => {
              const a = await prompter!.ask({ command: `${q.method} ${q.url ?? `${q.host}:${q.port}`}`, cwd: opts.cwd, decision: { action: 'ask', matches: [], opaque: [], commands: [] }, network: q });
              return a === 'abandoned' ? 'deny' : a;
            }
          : null,
        onLimit: (e) => log.append('limit', redactor.deep({ ...e })),
      });
    } catch (e) {
      throw new Error(`cannot start the egress proxy: ${(e as Error).message}`, { cause: e });
    }
    const proxy = egress.proxy;
    const ours = egress;
    life.add('egress proxy', () => ours.close());
    if (proxy.ignored.length) stdout.write(`agentguard: egress allowlist entries that are not host names were ignored: ${proxy.ignored.join(', ')}\r\n`);
    for (const f of plan.forwards) {
      const close = await startForward(f, onRecord);
      life.add(`forward ${f.host}:${f.port}`, close);
    }
  }
  for (const extra of plan.extra) life.add(extra.name, await extra.start({ runtimeDir: runtime.dir }));
  life.check();

  const agentEnv: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) agentEnv[k] = v;
  Object.assign(agentEnv, {
    PATH: `${runtime.shimDir}:${env.PATH ?? '/usr/bin:/bin'}`,
    SHELL: path.join(runtime.shimDir, 'bash'),
    CLAUDE_CODE_SHELL: path.join(runtime.shimDir, 'bash'),
    AGENTGUARD_SOCKET: runtime.socket,
    AGENTGUARD_RUN_DIR: runtime.dir,
    AGENTGUARD_SESSION: runtime.id,
    AGENTGUARD_PASS_ENV: (opts.passEnv ?? []).join(','),
  });
  delete agentEnv.AGENTGUARD_TOKEN;
  if (network === 'proxy' || network === 'none') {
    // The host's proxy settings mean nothing inside the sandbox's own network namespace.
    for (const k of Object.keys(agentEnv)) if (/^(https?|all|no|ftp)_proxy$/i.test(k)) delete agentEnv[k];
  }
  // Inside, /tmp is the session's own: a TMPDIR under the host's /tmp is not there.
  if (plan.privateTmp && agentEnv.TMPDIR && (agentEnv.TMPDIR === '/tmp' || agentEnv.TMPDIR.startsWith('/tmp/')) && !plan.mounts?.writable.includes(agentEnv.TMPDIR)) agentEnv.TMPDIR = '/tmp';
  if (egress) Object.assign(agentEnv, proxyEnv());
  for (const extra of plan.extra) Object.assign(agentEnv, extra.env ?? {});
  const hooked = interactiveDefault ? { command: [path.join(runtime.shimDir, 'bash')], env: {}, skipped: null } : withAgentHook(opts.command, profile?.name, runtime.dir, env);
  Object.assign(agentEnv, hooked.env);
  if (hooked.skipped) stdout.write(`agentguard: ${profile?.name} runs without agentguard's hook: ${hooked.skipped}\r\n`);
  const agentCommand = hooked.command;
  const command = egress ? behindBridge(egress.socketPath, agentCommand, BRIDGE_PORT, plan.forwards) : agentCommand;
  if (plan.mounts) {
    for (const f of c.profileWrites) {
      // A profile path the agent has not created yet must exist to be made writable: a name
      // with an extension (~/.claude.json) is a file, anything else a directory.
      if (fs.existsSync(f)) continue;
      try {
        // An empty .json is not valid JSON (Claude Code calls it corrupted and backs it up): start it as {}.
        if (path.extname(f)) fs.writeFileSync(f, path.extname(f) === '.json' ? '{}\n' : '', { flag: 'wx', mode: 0o600 });
        else fs.mkdirSync(f, { recursive: true, mode: 0o700 });
        plan.mounts.writable.push(f);
      } catch {
        // its parent is missing or read-only: the agent could not write it either
      }
    }
  }
  const applied = (limits = applyLimits(opts.limits ?? { maxProcesses: 4096, maxFileSize: 8 * 1024 ** 3, maxMemory: defaultMaxMemory() }, runtime.id));
  life.add('process limits', () => applied.cleanup());
  Object.assign(agentEnv, applied.env);
  const argv = [...applied.prefix, ...sandboxArgv(plan, command, opts.cwd, runtime.realShells)];

  const confined = await c.confinement;
  const m = plan.mounts;
  const privilege = confined ? (confined.error ? `privilege: unknown (${confined.error})` : `CapEff ${confined.capEff}, own ${confined.ownNamespaces.join('/')} namespaces`) : '';
  const home_ = (p: string) => (home && p.startsWith(home + '/') ? '~' + p.slice(home.length) : p);
  const enforcement = sandbox.ok && m
    ? `sandbox: writes only to ${m.writable.length} root${m.writable.length === 1 ? '' : 's'}, private /tmp, ${privilege}, TIOCSTI ${'bytes' in plan.seccomp ? 'refused' : 'NOT refused'}, every shell binary is the shim; masked: ${[...m.maskDirs, ...m.maskFiles].map(home_).join(', ') || 'none'}; filtered: ${m.filtered.map((f) => home_(f.path)).join(', ') || 'none'} (hand one over whole with --allow-read PATH)`
    : `policy only: a guard against mistakes and steering, not a boundary against an agent that attacks agentguard itself; shims on PATH; shells started by absolute path (/bin/sh -c) are NOT intercepted and writes outside the workspace are NOT blocked by the kernel (${sandbox.reason}${sandbox.fix ? `; fix: ${sandbox.fix}` : ''})`;
  const networkNote = {
    proxy: `network: only through the egress proxy (${plan.egressAllow.length} allowlist entries; other hosts ${hasTerminal ? 'are asked about' : 'are refused'})${plan.forwards.length ? `; forwarded to the host: ${plan.forwards.map((f) => `${f.host}:${f.port}`).join(', ')}` : ''}${egress?.budget ? `; ${describeBudgets(egress.budget.settings)}` : ''}`,
    none: 'network: none (--no-network)',
    open: "network: open (--network open: the agent's own connections are not confined; only commands like curl are checked)",
    unconfined: 'network: not confined (no sandbox)',
  }[network];
  const workspaces = opts.workspaces?.length ? opts.workspaces.join(', ') : (guard.explain({ command: 'true', cwd: opts.cwd }).context.workspaces.join(', ') || '(none)');
  log.append('session-start', {
    // The person's own words after `--`; what really started (the egress bridge, the agent's
    // injected hook settings) is `launched`.
    agent: interactiveDefault ? ['(interactive bash)'] : redactor.deep(opts.command),
    launched: redactor.deep(command),
    // This process, so that a reader can tell a live session from one that died without its end record.
    pid: process.pid,
    pidStart: ownStartTime(),
    cwd: opts.cwd,
    workspaces: workspaces.split(', '),
    rules: guard.rules.digest,
    ruleCount: guard.rules.rules.length,
    ...(guard.rules.off.length ? { off: guard.rules.off } : {}),
    enforcement: sandbox.ok ? 'sandbox' : 'policy-only',
    // Whether environment dumps were routine (a scrubbed environment) or asked about.
    environment: sessionEnvironment(sandbox.ok, opts.passEnv),
    ...(confined && !confined.error ? { capEff: confined.capEff, namespaces: confined.ownNamespaces } : {}),
    network,
    ...(egress ? { egressAllowlist: plan.egressAllow } : {}),
    ...(egress?.budget ? { budgets: { ...egress.budget.settings } } : {}),
    ...(m ? { masked: [...m.maskDirs, ...m.maskFiles], filtered: m.filtered.map((f) => f.path), privateTmp: plan.privateTmp } : {}),
    profile: profile?.name ?? null,
    terminal: hasTerminal,
    limits: { ...applied.record, ...(opts.maxSessionMs ? { sessionMs: opts.maxSessionMs } : {}) },
  });
  logOpen = true;
  noteAnchorLost();
  stdout.write(
    `${chalk.bold('agentguard')} session ${runtime.id} | workspace ${workspaces} | ${guard.rules.rules.length} rules${switchedOffNote(guard)} | ${enforcement}${opts.trustNested ? ' | --trust-nested: shells started by allowed commands run UNCHECKED' : ''} | ${networkNote}${profile ? ` | profile ${profile.name}` : ''} | ${applied.memory}; ${applied.cpu}${opts.maxSessionMs ? `; ends after ${Math.round(opts.maxSessionMs / 1000)} s` : ''}${hasTerminal ? '' : ' | no terminal: commands that need approval are refused'} | log ${log.file}\r\n`,
  );
  for (const w of plan.warnings) stdout.write(`agentguard: warning: ${w}\r\n`);
  for (const w of guard.warnings) stdout.write(`agentguard: warning: rule file problem: ${escapeForTerminal(warningText(w))}\r\n`);
  const own = ownInstallWarning(opts, guard);
  if (own) stdout.write(`agentguard: warning: ${own}\r\n`);
  const unchecked = uncheckedShellsNote(profile?.name, sandbox.ok, { injected: hooked.command !== opts.command || Object.keys(hooked.env).length > 0, skipped: hooked.skipped });
  if (unchecked) stdout.write(`agentguard: ${unchecked}\r\n`);
  if (hooked.warning) stdout.write(`agentguard: warning: ${hooked.warning}\r\n`);
  life.check();
  // The first read of each repository is what was there before the agent: files it lists are the
  // person's, files born after it the session's own (src/git/judge.ts). So the agent starts once
  // it is done, or after 2 s for a repository too large to read that fast (whose reading goes on,
  // and whose later files then count as the person's: more questions, never fewer).
  await Promise.race([primed, new Promise((r) => setTimeout(r, 2000).unref())]);

  const pty = await import('node-pty');
  let child: IPty;
  try {
    child = pty.spawn(argv[0], argv.slice(1), {
      name: env.TERM || 'xterm-256color',
      cols: stdout.columns || 80,
      rows: stdout.rows || 24,
      cwd: opts.cwd,
      env: agentEnv,
    });
  } catch (e) {
    throw new Error(`cannot start ${argv[0]}: ${(e as Error).message}`, { cause: e });
  }
  agentPid = child.pid;
  const bridge = new TerminalBridge(child, stdin, stdout);
  prompter = new Prompter(bridge, { timeoutMs: opts.promptTimeoutMs });
  bridge.start();
  life.add('terminal', () => bridge.stop());
  // A signal from now on goes to the agent; its exit ends the session below. One that came
  // in between the last check and here is passed on at once.
  life.forward = (sig) => child.kill(sig);
  if (life.aborted) child.kill(life.aborted);

  // --max-session-time ends the session as SIGTERM to agentguard would, then SIGKILL after a grace period.
  let timedOut = false;
  const timers: NodeJS.Timeout[] = [];
  if (opts.maxSessionMs) {
    timers.push(
      setTimeout(() => {
        timedOut = true;
        const hit = sessionTimeHit(opts.maxSessionMs!);
        noteLimit(hit);
        stdout.write(`\r\n${chalk.yellow('agentguard:')} ${hit.message}\r\n`);
        child.kill('SIGTERM');
        timers.push(setTimeout(() => child.kill('SIGKILL'), 5000));
      }, opts.maxSessionMs),
    );
  }
  const agentCode = await new Promise<number>((resolve) => {
    child.onExit(({ exitCode, signal }) => resolve(signal ? 128 + signal : exitCode));
  });
  for (const t of timers) clearTimeout(t);
  const code = timedOut ? 124 : agentCode;
  life.forward = null;
  // The agent is gone: nobody waits for an open prompt (its command will not run), and
  // shells it left behind get no more answers.
  prompter.closeAll();
  server.close();
  await settled([...inFlight], 2000);
  gate.flush();
  Object.assign(counts, actions.counts());
  for (const hit of applied.finish(agentCode)) noteLimit(hit);
  logOpen = false;
  log.append('session-end', { exit: code, counts, ...(limitsReached.length ? { limits: limitsReached.map((h) => h.limit) } : {}) });
  const failed = await life.releaseAll();
  for (const f of failed) stdout.write(`agentguard: could not release ${f}\r\n`);
  stdout.write(
    `\r\n${chalk.bold('agentguard')} session ${runtime.id} ended (exit ${code}): ${counts.allowed} allowed, ${counts.approved + counts.escalated + counts.refused} asked (${counts.approved} approved, ${counts.escalated ? `${counts.escalated} run outside the sandbox, ` : ''}${counts.refused} refused), ${counts.denied} denied${counts.abandoned ? `, ${counts.abandoned} abandoned` : ''}, ${counts.nested} ${opts.trustNested ? 'nested shells (unchecked, --trust-nested) or installed scripts' : 'installed scripts'} passed${egress ? `, ${counts.network} network requests (${counts.networkRefused} refused)` : ''} | log ${log.file}\r\n`,
  );
  for (const line of summaryLines(actions, runtime.id, stdout.columns || 80, snapshotsKept, egress?.limitsReached())) stdout.write(`${line}\r\n`);
  for (const hit of limitsReached) stdout.write(`  ${chalk.yellow('limit reached:')} ${hit.message}\r\n`);
  if (anchorLost) stdout.write(`${chalk.yellow('agentguard: warning:')} the session log's anchor was lost (${escapeForTerminal(anchorLost)}): records after it are not anchored, and \`agentguard log verify\` says so\r\n`);
  return code;
}

/**
 * One forwarded loopback port: a unix socket in the runtime directory that the bridge relays
 * the port to from inside, joined here to the host's port. Each connection is one `network`
 * record, like a request through the proxy.
 */
async function startForward(f: LoopbackForward, onRecord: (r: EgressRecord) => void): Promise<() => Promise<void>> {
  if (f.port === BRIDGE_PORT) throw new Error(`--allow-host ${f.host}:${f.port}: port ${BRIDGE_PORT} is the egress proxy's inside the sandbox; a server on that port cannot be forwarded`);
  const target = f.host === 'localhost' ? '127.0.0.1' : f.host.replace(/^\[|\]$/g, '');
  const sockets = new Set<net.Socket>();
  // Each connection's record is written when it closes; release waits for those records,
  // so that a connection cut by the session's end is still logged before the log closes.
  const pending = new Set<Promise<void>>();
  const server = net.createServer((inner) => {
    let settle!: () => void;
    const recorded = new Promise<void>((r) => (settle = r));
    pending.add(recorded);
    const t0 = performance.now();
    const outer = net.connect({ host: target, port: f.port });
    sockets.add(inner);
    sockets.add(outer);
    let up = 0;
    let down = 0;
    let failure: string | undefined;
    inner.on('data', (d) => (up += d.length));
    outer.on('data', (d) => (down += d.length));
    inner.pipe(outer);
    outer.pipe(inner);
    outer.on('error', (e) => {
      failure = (e as NodeJS.ErrnoException).code ?? e.message;
      inner.destroy();
    });
    inner.on('error', () => outer.destroy());
    let logged = false;
    const done = () => {
      if (logged) return;
      logged = true;
      sockets.delete(inner);
      sockets.delete(outer);
      onRecord({ host: f.host, port: f.port, method: 'FORWARD', bytesUp: up, bytesDown: down, decision: 'allow', entry: `${f.host}:${f.port}`, address: `${target}:${f.port}`, ...(failure ? { reason: `the host's ${target}:${f.port}: ${failure}` } : {}), ms: performance.now() - t0 });
      pending.delete(recorded);
      settle();
    };
    inner.on('close', done);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(f.socket, () => resolve());
  });
  return async () => {
    for (const s of sockets) s.destroy();
    await Promise.all([...pending]);
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
}

/** Waits for these promises to settle, but no longer than `ms`. */
async function settled(ps: Promise<unknown>[], ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([Promise.allSettled(ps), new Promise((r) => (timer = setTimeout(r, ms)))]);
  clearTimeout(timer);
}

/** This process's start time (/proc/self/stat field 22, clock ticks after boot): with the pid, it names this process and no other. */
function ownStartTime(): string | null {
  try {
    const text = fs.readFileSync('/proc/self/stat', 'utf8');
    return text.slice(text.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

/** A proxy record as a log record: `action` like a decision's, the URL path redacted like a command. */
function networkFields(r: EgressRecord, redactor: Redactor): Record<string, unknown> {
  const { decision, ...rest } = r;
  return redactor.deep({ action: decision, ...rest, ms: Math.round(r.ms * 100) / 100 });
}

/** What the agent's commands' environment holds: scrubbed only in the sandbox, with no secret passed on purpose. */
export function sessionEnvironment(sandboxed: boolean, passEnv: readonly string[] | undefined): Environment {
  return sandboxed && !passEnv?.length ? 'scrubbed' : 'secrets';
}

/** The session's workspace roots: --workspace, else what the guard finds from the cwd (its git top level). */
function workspaceRoots(opts: ShellOptions, guard: Guard): string[] {
  return opts.workspaces?.length ? opts.workspaces.map((w) => path.resolve(opts.cwd, w)) : guard.explain({ command: 'true', cwd: opts.cwd }).context.workspaces;
}

/** One line when a workspace is agentguard's own install: the agent could edit the guard, and it is rarely the project meant. */
function ownInstallWarning(opts: ShellOptions, guard: Guard): string | null {
  const roots = workspaceRoots(opts, guard);
  const own = insideOwnInstall(roots);
  return own ? `the workspace ${own} is in agentguard's own install (${PACKAGE_ROOT}): the agent can change the guard itself; for your project: cd your-project && agentguard shell` : null;
}

/** The start line's word on rules the person's config switched off for this project. */
function switchedOffNote(guard: Guard): string {
  const off = guard.rules.off;
  if (!off.length) return '';
  const families = [...new Set(off.map((o) => o.family))];
  return ` (${off.length} switched off here by ${off[0].where.replace(/:\d+$/, '')}: ${families.join(', ')})`;
}
