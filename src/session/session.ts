// agentguard shell: runs the agent in a pty the session owns, routes every shell it
// starts through the shim to the gate, asks the person on the real terminal, and exits
// with the agent's status.
import { paint as chalk } from '../shell/display.js';
import fs from 'node:fs';
import path from 'node:path';
import type { IPty } from 'node-pty';
import { createGuard } from '../guard.js';
import { checkBubblewrap, checkNetworkNamespace, wrapWithSandbox } from '../sandbox/bwrap.js';
import { behindBridge, bridgeProblem, proxyEnv, sessionAllowlist, startSessionEgress, type NetworkMode, type SessionEgress } from '../egress/session.js';
import type { EgressRecord } from '../egress/proxy.js';
import { Allowlist } from '../egress/hosts.js';
import { applyLimits, type Limits } from '../sandbox/limits.js';
import { planSandbox } from '../sandbox/plan.js';
import { sessionsDir } from '../log/store.js';
import { runtimeBase } from './runtime.js';
import { Gate, type GateEvent } from './gate.js';
import { inputsUnchanged } from './inputs.js';
import { expandHome, loadProfiles, profileFor } from './profiles.js';
import { Prompter } from './prompt.js';
import { createRuntime } from './runtime.js';
import { listen } from './server.js';
import { TerminalBridge } from './terminal.js';
import { withAgentHook } from '../hooks/inject.js';
import { decisionFields } from '../log/record.js';
import { Redactor } from '../log/redact.js';
import { SessionLog } from '../log/store.js';

export interface ShellOptions {
  /** The agent command; empty for an interactive shell. */
  command: string[];
  cwd: string;
  workspaces?: string[];
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
  /** Commands per minute before the session pauses and asks whether to go on. */
  maxCommandsPerMinute?: number;
  limits?: Limits;
  /** proxy (default): out only through the egress proxy; none: no network; open: the host's network. */
  network?: NetworkMode;
  /** More egress allowlist entries (--allow-host). */
  allowHosts?: string[];
  env?: NodeJS.ProcessEnv;
}

export interface SessionCounts {
  allowed: number;
  approved: number;
  refused: number;
  denied: number;
  /** Prompts closed because whoever asked was gone. */
  abandoned: number;
  nested: number;
  /** Requests through the egress proxy, and how many it refused. */
  network: number;
  networkRefused: number;
}

export async function runShell(opts: ShellOptions): Promise<number> {
  const env = opts.env ?? process.env;
  const home = env.HOME ?? '';
  const profiles = loadProfiles(home, env);
  const interactiveDefault = opts.command.length === 0;
  const profile = interactiveDefault ? null : profileFor(opts.command, profiles);
  const profileWrites = profile?.write.map((p) => expandHome(p, home)) ?? [];
  // The session's own hosts (the profile's API hosts, --allow-host, and what the person allows
  // as the session goes): the policy counts them as on the egress allowlist, like the proxy.
  const sessionHosts = new Allowlist([...(profile?.hosts ?? []), ...(opts.allowHosts ?? [])]);
  const guard = await createGuard({
    sessionHosts,
    cwd: opts.cwd,
    workspaces: opts.workspaces,
    home,
    extraWriteRoots: [...profileWrites, ...(opts.allowWrite ?? []).map((p) => path.resolve(opts.cwd, p))],
  });
  const sandbox = opts.noSandbox ? { ok: false, reason: 'disabled with --no-sandbox' } : checkBubblewrap();
  if (!sandbox.ok && opts.requireSandbox) {
    throw new Error(`--require-sandbox: ${sandbox.reason}${'fix' in sandbox && sandbox.fix ? `; ${sandbox.fix}` : ''}`);
  }
  // The network: only a sandbox can take it away; without one it stays the host's.
  const requested: NetworkMode = opts.network ?? 'proxy';
  if (requested === 'none' && !sandbox.ok) {
    throw new Error(`--no-network needs the sandbox, which is not available: ${sandbox.reason}${'fix' in sandbox && sandbox.fix ? `; ${sandbox.fix}` : ''}`);
  }
  const network: NetworkMode | 'unconfined' = !sandbox.ok ? 'unconfined' : requested;
  if (network === 'proxy' || network === 'none') {
    const ns = checkNetworkNamespace();
    if (!ns.ok) throw new Error(`${ns.reason}; ${ns.fix}`);
  }
  const noBridge = network === 'proxy' ? bridgeProblem() : null;
  if (noBridge) throw new Error(noBridge);
  const runtime = createRuntime({ env, mountPoints: sandbox.ok, pathVar: env.PATH ?? '/usr/bin:/bin' });
  const counts: SessionCounts = { allowed: 0, approved: 0, refused: 0, denied: 0, abandoned: 0, nested: 0, network: 0, networkRefused: 0 };
  const stdin = process.stdin;
  const stdout = process.stdout;
  const hasTerminal = !!stdin.isTTY && !!stdout.isTTY;

  const log = new SessionLog(runtime.id);
  // Set once the egress proxy runs (below); the gate shares approved hosts with it.
  let egress: SessionEgress | null = null;
  const redactor = new Redactor(env);
  let prompter: Prompter | null = null;
  const gate = new Gate({
    guard,
    trustNested: opts.trustNested,
    ask: hasTerminal ? (info) => prompter!.ask(info) : null,
    onEvent: (e) => {
      count(counts, e);
      return log.append(
        'decision',
        decisionFields(
          { source: 'session', command: e.request.script || e.request.argv.join(' '), cwd: e.request.cwd, decision: e.decision, verdict: e.verdict, kind: e.kind, answer: e.answer, shell: e.request.shell, mode: e.request.mode },
          redactor,
        ),
      );
    },
    onExit: (seq, status, ms) => log.append('command-end', { decision: seq ?? null, status, ms }),
    maxCommandsPerMinute: opts.maxCommandsPerMinute ?? 60,
    // Token files (--trust-nested) only where the sandbox keeps them read-only: outside it the agent could write one.
    tokensDir: sandbox.ok ? runtime.tokensDir : undefined,
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

  const egressAllow = sessionAllowlist({ lists: guard.rules.lists, profileHosts: profile?.hosts ?? [], flagHosts: opts.allowHosts ?? [] });
  if (network === 'proxy') {
    try {
      egress = await startSessionEgress({
        runtimeDir: runtime.dir,
        allow: egressAllow,
        hosts: sessionHosts,
        ask: hasTerminal
          ? async (q) => {
              const a = await prompter!.ask({ command: `${q.method} ${q.url ?? `${q.host}:${q.port}`}`, cwd: opts.cwd, decision: { action: 'ask', matches: [], opaque: [], commands: [] }, network: q });
              return a === 'abandoned' ? 'deny' : a;
            }
          : null,
        onRecord: (r) => {
          counts.network++;
          if (r.decision === 'deny') counts.networkRefused++;
          log.append('network', networkFields(r, redactor));
        },
      });
    } catch (e) {
      server.close();
      runtime.remove();
      throw new Error(`cannot start the egress proxy: ${(e as Error).message}`);
    }
    if (egress.proxy.ignored.length) stdout.write(`agentguard: egress allowlist entries that are not host names were ignored: ${egress.proxy.ignored.join(', ')}\r\n`);
  }

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
  if (egress) Object.assign(agentEnv, proxyEnv());
  const hooked = interactiveDefault ? { command: [path.join(runtime.shimDir, 'bash')], env: {}, skipped: null } : withAgentHook(opts.command, profile?.name, runtime.dir, env);
  Object.assign(agentEnv, hooked.env);
  if (hooked.skipped) stdout.write(`agentguard: ${profile?.name} runs without agentguard's hook: ${hooked.skipped}\r\n`);
  const agentCommand = hooked.command;
  const command = egress ? behindBridge(egress.socketPath, agentCommand) : agentCommand;
  const writeRoots = guard.writeRoots(opts.cwd);
  const plan = planSandbox({
    home,
    writeRoots,
    credentialPatterns: guard.rules.lists.get('credential-paths') ?? [],
    allowRead: (opts.allowRead ?? []).map((p) => path.resolve(opts.cwd, expandHome(p, home))),
    logDirs: [sessionsDir(env)],
    runtimeBase: runtimeBase(env),
    runtimeDir: runtime.dir,
    workspaces: guard.explain({ command: 'true', cwd: opts.cwd }).context.workspaces,
    configDir: path.join(env.XDG_CONFIG_HOME || path.join(home, '.config'), 'agentguard'),
    env,
  });
  for (const f of profileWrites) {
    // A profile path the agent has not created yet must exist to be made writable: a name
    // with an extension (~/.claude.json) is a file, anything else a directory.
    if (!sandbox.ok || fs.existsSync(f)) continue;
    try {
      // An empty .json is not valid JSON (Claude Code calls it corrupted and backs it up): start it as {}.
      if (path.extname(f)) fs.writeFileSync(f, path.extname(f) === '.json' ? '{}\n' : '', { flag: 'wx', mode: 0o600 });
      else fs.mkdirSync(f, { recursive: true, mode: 0o700 });
      plan.writable.push(f);
    } catch {
      // its parent is missing or read-only: the agent could not write it either
    }
  }
  const limits = applyLimits(opts.limits ?? { maxProcesses: 4096, maxFileSize: 8 * 1024 ** 3 }, runtime.id);
  const inner = sandbox.ok
    ? wrapWithSandbox({ command, cwd: opts.cwd, shimBinary: runtime.shimBinary, realShells: runtime.realShells, realDir: runtime.realDir, runtimeDir: runtime.dir, ...plan, isolateNetwork: network !== 'open' })
    : command;
  const argv = [...limits.prefix, ...inner];

  const enforcement = sandbox.ok
    ? `sandbox: writes only to ${plan.writable.length} roots, ${plan.maskDirs.length + plan.maskFiles.length} credential paths masked, every shell binary is the shim`
    : `policy only: shims on PATH; shells started by absolute path (/bin/sh -c) are NOT intercepted and writes outside the workspace are NOT blocked by the kernel (${sandbox.reason}${'fix' in sandbox && sandbox.fix ? `; fix: ${sandbox.fix}` : ''})`;
  const nestedNote = opts.trustNested ? ' | --trust-nested: shells started by allowed commands run UNCHECKED' : '';
  const networkNote = {
    proxy: `network: only through the egress proxy (${egressAllow.length} allowlist entries; other hosts ${hasTerminal ? 'are asked about' : 'are refused'})`,
    none: 'network: none (--no-network)',
    open: "network: open (--network open: the agent's own connections are not confined; only commands like curl are checked)",
    unconfined: 'network: not confined (no sandbox)',
  }[network];
  const workspaces = opts.workspaces?.length ? opts.workspaces.join(', ') : (guard.explain({ command: 'true', cwd: opts.cwd }).context.workspaces.join(', ') || '(none)');
  log.append('session-start', {
    agent: interactiveDefault ? ['(interactive bash)'] : redactor.deep(command),
    cwd: opts.cwd,
    workspaces: workspaces.split(', '),
    rules: guard.rules.digest,
    ruleCount: guard.rules.rules.length,
    enforcement: sandbox.ok ? 'sandbox' : 'policy-only',
    network,
    ...(egress ? { egressAllowlist: egressAllow } : {}),
    profile: profile?.name ?? null,
    terminal: hasTerminal,
  });
  stdout.write(
    `${chalk.bold('agentguard')} session ${runtime.id} | workspace ${workspaces} | ${guard.rules.rules.length} rules | ${enforcement}${nestedNote} | ${networkNote}${profile ? ` | profile ${profile.name}` : ''}${hasTerminal ? '' : ' | no terminal: commands that need approval are refused'} | log ${log.file}\r\n`,
  );

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
    server.close();
    await egress?.proxy.close();
    limits.cleanup();
    runtime.remove();
    throw new Error(`cannot start ${argv[0]}: ${(e as Error).message}`);
  }
  const bridge = new TerminalBridge(child, stdin, stdout);
  prompter = new Prompter(bridge, { timeoutMs: opts.promptTimeoutMs });
  bridge.start();

  const forward = (sig: NodeJS.Signals) => () => child.kill(sig);
  const signals: NodeJS.Signals[] = ['SIGTERM', 'SIGHUP'];
  const handlers = signals.map((s) => [s, forward(s)] as const);
  for (const [s, h] of handlers) process.on(s, h);

  const code = await new Promise<number>((resolve) => {
    child.onExit(({ exitCode, signal }) => resolve(signal ? 128 + signal : exitCode));
  });
  for (const [s, h] of handlers) process.off(s, h);
  // The agent is gone: nobody waits for an open prompt (its command will not run), and
  // shells it left behind get no more answers.
  prompter.closeAll();
  server.close();
  await settled([...inFlight], 2000);
  bridge.stop();
  await egress?.proxy.close();
  limits.cleanup();
  runtime.remove();
  log.append('session-end', { exit: code, counts });
  log.close();
  stdout.write(
    `\r\n${chalk.bold('agentguard')} session ${runtime.id} ended (exit ${code}): ${counts.allowed} allowed, ${counts.approved + counts.refused} asked (${counts.approved} approved, ${counts.refused} refused), ${counts.denied} denied${counts.abandoned ? `, ${counts.abandoned} abandoned` : ''}, ${counts.nested} ${opts.trustNested ? 'nested shells (unchecked, --trust-nested) or installed scripts' : 'installed scripts'} passed${egress ? `, ${counts.network} network requests (${counts.networkRefused} refused)` : ''} | log ${log.file}\r\n`,
  );
  return code;
}

/** Waits for these promises to settle, but no longer than `ms`. */
async function settled(ps: Promise<unknown>[], ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([Promise.allSettled(ps), new Promise((r) => (timer = setTimeout(r, ms)))]);
  clearTimeout(timer);
}

function count(c: SessionCounts, e: GateEvent) {
  if (e.kind === 'interactive') return;
  if (e.answer === 'abandoned') c.abandoned++;
  else if (e.kind === 'nested' || e.kind === 'unverified-nested' || e.kind === 'installed-script') c.nested++;
  else if (e.kind === 'hook-approved' || e.kind === 'approved-above' || e.kind === 'session-allowed') c.allowed++;
  else if (e.answer && e.answer !== 'no-terminal') e.verdict === 'allow' ? c.approved++ : c.refused++;
  else if (e.verdict === 'allow') c.allowed++;
  else c.denied++;
}

/** A proxy record as a log record: `action` like a decision's, the URL path redacted like a command. */
function networkFields(r: EgressRecord, redactor: Redactor): Record<string, unknown> {
  const { decision, ...rest } = r;
  return redactor.deep({ action: decision, ...rest, ms: Math.round(r.ms * 100) / 100 });
}
