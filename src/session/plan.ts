// The plan of one session, worked out before anything is created: which enforcement applies,
// the runtime paths, what the sandbox mounts, masks, filters and hides, the private /tmp,
// the seccomp program, the loopback ports forwarded to the host, the network mode, and the
// bwrap argv. `agentguard shell` applies it (session.ts), `agentguard shell --dry-run` and
// `agentguard doctor` print it. Reads the file system and starts probe sandboxes; creates
// nothing.
import path from 'node:path';
import type { Guard } from '../guard.js';
import { checkBubblewrap, checkNetworkNamespace, seccompPrefix, wrapWithSandbox, type SandboxCheck } from '../sandbox/bwrap.js';
import { planSandbox, type SandboxPlan } from '../sandbox/plan.js';
import { SECCOMP_ARCHES, ttyInjectionFilter } from '../sandbox/seccomp.js';
import { bridgeProblem, sessionAllowlist, type NetworkMode } from '../egress/session.js';
import { BRIDGE_BINARY } from '../egress/proxy.js';
import { sessionsDir, stateDir } from '../log/store.js';
import { expandHome, type Profile } from './profiles.js';
import { PACKAGE_ROOT, privateTmpBase, runtimeBase, runtimePaths, type RuntimePaths } from './runtime.js';

/** A loopback port of the host made reachable inside at the same address (--allow-host 127.0.0.1:PORT). */
export interface LoopbackForward {
  /** As the person wrote it (127.0.0.1, localhost, ::1). */
  host: string;
  port: number;
  /** The unix socket in the runtime directory the bridge relays the port to. */
  socket: string;
}

/**
 * Something a later part of the session adds to the plan (the escalation broker: a process
 * and a socket outside, a bind inside). Its bwrap arguments go after the plan's own mounts;
 * `start` runs when the plan is applied and returns how to release what it made.
 */
export interface ExtraResource {
  name: string;
  /** One line for the plan's summary. */
  describe: string;
  bwrapArgs?: string[];
  env?: Record<string, string>;
  start(ctx: { runtimeDir: string }): Promise<() => void | Promise<void>>;
}

export interface PlanOptions {
  command: string[];
  cwd: string;
  home: string;
  env: NodeJS.ProcessEnv;
  noSandbox: boolean;
  requireSandbox?: boolean;
  network?: NetworkMode;
  allowHosts?: string[];
  allowRead?: string[];
  keepTmp?: boolean;
  profile: Profile | null;
  profileWrites: string[];
  extraResources?: ExtraResource[];
}

export interface SessionPlan {
  runtime: RuntimePaths;
  sandbox: SandboxCheck;
  network: NetworkMode | 'unconfined';
  /** What the sandbox contains; null without the sandbox. */
  mounts: (SandboxPlan & { unmaskable: string[] }) | null;
  privateTmp: string | null;
  keepTmp: boolean;
  /** The seccomp program's bytes (written to runtime.seccompFile), or why there is none. */
  seccomp: { bytes: Buffer } | { missing: string };
  forwards: LoopbackForward[];
  egressAllow: string[];
  extra: ExtraResource[];
  /** One-line warnings for the start line (a loopback model server without a forward …). */
  warnings: string[];
  /** Whether the agent is put in the terminal's foreground inside the sandbox (bridge.c --foreground). */
  foreground: boolean;
}

/** The loopback entries among --allow-host values that name a port. */
export function loopbackForwards(allowHosts: readonly string[], runtimeDir: string): LoopbackForward[] {
  const out: LoopbackForward[] = [];
  for (const h of allowHosts) {
    const m = /^(\[::1\]|127\.0\.0\.1|localhost):(\d+)$/i.exec(h.trim());
    if (!m) continue;
    const port = Number(m[2]);
    if (out.some((f) => f.port === port)) continue;
    out.push({ host: m[1].toLowerCase(), port, socket: path.join(runtimeDir, `fwd-${port}.sock`) });
  }
  return out;
}

/**
 * Agent variables that point a client at a loopback server (ANTHROPIC_BASE_URL=http://127.0.0.1:8080,
 * OLLAMA_HOST=localhost:11434) whose port is not forwarded: inside the sandbox's own network
 * namespace nothing listens there, and the agent would hang until it times out.
 */
export function unforwardedLoopback(env: NodeJS.ProcessEnv, forwards: readonly LoopbackForward[]): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(env)) {
    if (!v || !/(_BASE_URL|_HOST)$/.test(k)) continue;
    const m = /^(?:[a-z][a-z0-9+.-]*:\/\/)?(\[::1\]|127\.0\.0\.1|localhost|0\.0\.0\.0)(?::(\d+))?(?:[/?#]|$)/i.exec(v.trim());
    if (!m) continue;
    const port = m[2] ? Number(m[2]) : /^https:/i.test(v) ? 443 : 80;
    if (forwards.some((f) => f.port === port)) continue;
    out.push(`${k}=${v} points at this machine's port ${port}, which is not reachable inside the sandbox: add --allow-host 127.0.0.1:${port}`);
  }
  return out;
}

export function planSession(o: PlanOptions, guard: Guard): SessionPlan {
  const sandbox: SandboxCheck = o.noSandbox ? { ok: false, reason: 'disabled with --no-sandbox' } : checkBubblewrap();
  const fixOf = (c: SandboxCheck) => (c.fix ? `; ${c.fix}` : '');
  if (!sandbox.ok && o.requireSandbox) throw new Error(`--require-sandbox: ${sandbox.reason}${fixOf(sandbox)}`);
  // The network: only a sandbox can take it away; without one it stays the host's.
  const requested: NetworkMode = o.network ?? 'proxy';
  if (requested === 'none' && !sandbox.ok) throw new Error(`--no-network needs the sandbox, which is not available: ${sandbox.reason}${fixOf(sandbox)}`);
  const network: NetworkMode | 'unconfined' = !sandbox.ok ? 'unconfined' : requested;
  if (network === 'proxy' || network === 'none') {
    const ns = checkNetworkNamespace();
    if (!ns.ok) throw new Error(`${ns.reason}; ${ns.fix}`);
  }
  const noBridge = bridgeProblem();
  if (noBridge && network === 'proxy') throw new Error(noBridge);

  const runtime = runtimePaths(o.env);
  const privateTmp = sandbox.ok ? path.join(privateTmpBase(o.env), runtime.id) : null;
  const workspaces = guard.explain({ command: 'true', cwd: o.cwd }).context.workspaces;
  const mounts = sandbox.ok
    ? planSandbox({
        home: o.home,
        writeRoots: [...guard.writeRoots(o.cwd), ...o.profileWrites],
        credentialPatterns: guard.rules.lists.get('credential-paths') ?? [],
        allowRead: (o.allowRead ?? []).map((p) => path.resolve(o.cwd, expandHome(p, o.home))),
        agentState: o.profileWrites,
        // The sink spool holds records of checks and hooks on their way out (src/sinks/spool.ts): the log's content.
        // budgets/: the day's egress figures (src/egress/budget.ts), which an agent could lower to slip a daily cap.
        logDirs: [sessionsDir(o.env), path.join(stateDir(o.env), 'sink-spool'), path.join(stateDir(o.env), 'budgets')],
        runtimeBase: runtimeBase(o.env),
        runtimeDir: runtime.dir,
        workspaces,
        configDir: path.join(o.env.XDG_CONFIG_HOME || path.join(o.home, '.config'), 'agentguard'),
        env: o.env,
        privateTmp: privateTmp ?? undefined,
        privateTmpBase: privateTmpBase(o.env),
        keepVisible: [o.home, PACKAGE_ROOT, path.dirname(process.execPath), o.cwd],
        configCopyDir: runtime.configDir,
      })
    : null;
  const seccomp = !sandbox.ok
    ? { missing: 'no sandbox' }
    : SECCOMP_ARCHES.includes(process.arch)
      ? { bytes: ttyInjectionFilter() }
      : { missing: `no seccomp filter for ${process.arch}: TIOCSTI is not refused (the agent still holds no terminal but its own pty)` };
  const forwards = network === 'proxy' ? loopbackForwards(o.allowHosts ?? [], runtime.dir) : [];
  // A forwarded loopback entry stays on the proxy's list too: a client that sends even
  // loopback through the proxy (curl --noproxy '') reaches the same host port that way.
  const egressAllow = sessionAllowlist({ lists: guard.rules.lists, profileHosts: o.profile?.hosts ?? [], flagHosts: o.allowHosts ?? [] });
  const warnings = network === 'proxy' || network === 'none' ? unforwardedLoopback(o.env, forwards) : [];
  // The bridge binary also gives the agent the terminal's foreground inside the sandbox;
  // without it (not built) the session still runs, but Ctrl-C ends the whole sandbox.
  const foreground = sandbox.ok && !noBridge;
  if (sandbox.ok && noBridge) warnings.push(`${noBridge}: without it Ctrl-C in the agent ends the whole session`);
  return { runtime, sandbox, network, mounts, privateTmp, keepTmp: !!o.keepTmp, seccomp, forwards, egressAllow, extra: o.extraResources ?? [], warnings, foreground };
}

/** The argv that starts `command` (the agent, behind the bridge where there is one) as the plan says. */
export function sandboxArgv(plan: SessionPlan, command: string[], cwd: string, realShells: Map<string, string>): string[] {
  if (!plan.sandbox.ok || !plan.mounts) return command;
  const bwrap = wrapWithSandbox({
    command,
    cwd,
    shimBinary: plan.runtime.shimBinary,
    realShells,
    realDir: plan.runtime.realDir,
    runtimeDir: plan.runtime.dir,
    ...plan.mounts,
    isolateNetwork: plan.network !== 'open',
    seccompFd: 'bytes' in plan.seccomp ? 3 : undefined,
    foreground: plan.foreground ? [BRIDGE_BINARY, '--foreground', '--'] : [],
    extraArgs: plan.extra.flatMap((e) => e.bwrapArgs ?? []),
  });
  return 'bytes' in plan.seccomp ? [...seccompPrefix(plan.runtime.seccompFile, 3), ...bwrap] : bwrap;
}

/** The plan in words, one line each: what `--dry-run` and `doctor` print. */
export function describePlan(plan: SessionPlan, home: string): string[] {
  const h = (p: string) => (home && (p === home || p.startsWith(home + '/')) ? '~' + p.slice(home.length) : p);
  const out: string[] = [];
  out.push(`enforcement: ${plan.sandbox.ok ? 'sandbox (bubblewrap)' : `policy only (${plan.sandbox.reason})`}`);
  out.push(`runtime directory: ${plan.runtime.dir} (socket, shim links, seccomp program, filtered configs; removed at the end)`);
  if (plan.mounts) {
    const m = plan.mounts;
    out.push(`private /tmp: ${plan.privateTmp} bound at /tmp (${plan.keepTmp ? 'kept after the session: --keep-tmp' : 'removed at the end'})`);
    out.push(`writable: ${m.writable.map(h).join(', ') || '(none)'}`);
    if (m.readOnly.length) out.push(`read-only inside the writable roots: ${m.readOnly.map(h).join(', ')}`);
    if (m.keepUnderTmp.length) out.push(`kept visible under /tmp (read-only): ${m.keepUnderTmp.map(h).join(', ')}`);
    out.push(`masked: ${[...m.maskDirs, ...m.maskFiles].map(h).join(', ') || '(none)'}`);
    out.push(`filtered (secrets removed, read-only copy): ${m.filtered.map((f) => `${h(f.path)} (${f.removed} removed)`).join(', ') || '(none)'}`);
    out.push(`hidden: ${m.hidden.map(h).join(', ')}`);
    out.push(`seccomp: ${'bytes' in plan.seccomp ? `ioctl TIOCSTI and TIOCLINUX refused (${plan.seccomp.bytes.length / 8} BPF instructions at ${plan.runtime.seccompFile})` : plan.seccomp.missing}`);
    out.push('privilege: user namespace with every capability dropped, own PID namespace, dies with the session');
    out.push(`escalation broker: ${plan.runtime.dir}/broker.sock, outside the sandbox: a command you approve that the sandbox would refuse runs there, once per approval (src/session/escalate.ts)`);
  }
  out.push(`network: ${plan.network}${plan.network === 'proxy' ? ` (${plan.egressAllow.length} allowlist entries)` : ''}`);
  for (const f of plan.forwards) out.push(`forward: ${f.host}:${f.port} inside → the host's ${f.host}:${f.port} (via ${f.socket}, logged)`);
  for (const e of plan.extra) out.push(`${e.name}: ${e.describe}`);
  for (const w of plan.warnings) out.push(`warning: ${w}`);
  return out;
}
