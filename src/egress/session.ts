// Egress for one session: which hosts the proxy allows, the proxy on the session's runtime
// directory, and what the sandbox needs to reach it (the bridge, bridge.c, in front of the
// agent; the proxy variables). The session (src/session/session.ts) calls this; the decisions are the
// proxy's (proxy.ts).
import fs from 'node:fs';
import path from 'node:path';
import { BRIDGE_BINARY, startProxy, type EgressAnswer, type EgressAsk, type EgressProxy, type EgressRecord, type LimitAsk, type LimitEvent } from './proxy.js';
import { Budget, budgetsDir, DailyStore, formatBytes, type BudgetSettings, type LimitKind } from './budget.js';
import type { Allowlist } from '../net/hosts.js';
import { nativeBuildFix } from '../session/runtime.js';

/** proxy: own network namespace, out only through the proxy; none: no network at all; open: the host's network. */
export type NetworkMode = 'proxy' | 'none' | 'open';

/** Where the bridge listens inside the sandbox's own network namespace (nothing else is there). */
export const BRIDGE_PORT = 3128;

export interface AllowlistSources {
  /** The merged rule lists (built-in, user, project): egress-allowlist and network-loopback. */
  lists: ReadonlyMap<string, readonly string[]>;
  /** The agent profile's hosts (its model API). */
  profileHosts: readonly string[];
  /** --allow-host. */
  flagHosts: readonly string[];
}

/**
 * The proxy's allowlist. The policy's loopback entries (localhost, 127.0.0.1) are left out:
 * for a command they mean the machine the agent runs on, which inside the sandbox is the
 * sandbox's own loopback, reached without the proxy. Through the proxy they would mean the
 * developer's machine (its databases, its Docker socket on TCP): only --allow-host opens that.
 */
export function sessionAllowlist(s: AllowlistSources): string[] {
  const loopback = new Set(s.lists.get('network-loopback') ?? []);
  const listed = (s.lists.get('egress-allowlist') ?? []).filter((e) => !loopback.has(e));
  return [...new Set([...listed, ...s.profileHosts, ...s.flagHosts])];
}

/** The variables every proxy-aware client reads (curl, git, npm, pip, cargo, go, undici's EnvHttpProxyAgent …). */
export function proxyEnv(port = BRIDGE_PORT): Record<string, string> {
  const url = `http://127.0.0.1:${port}`;
  const noProxy = 'localhost,127.0.0.1,::1';
  const env: Record<string, string> = {};
  for (const name of ['HTTP_PROXY', 'HTTPS_PROXY', 'ALL_PROXY']) {
    env[name] = url;
    env[name.toLowerCase()] = url;
  }
  env.NO_PROXY = env.no_proxy = noProxy;
  return env;
}

/** Why the bridge cannot run, or null. Checked before the session starts anything. */
export function bridgeProblem(): string | null {
  if (fs.existsSync(BRIDGE_BINARY)) return null;
  return `the egress bridge is not built (${BRIDGE_BINARY}): ${nativeBuildFix()}; or start the session with --network open or --no-network`;
}

/** The argv that runs `command` behind the bridge (inside the sandbox), with the loopback ports forwarded to the host. */
export function behindBridge(socketPath: string, command: string[], port = BRIDGE_PORT, forwards: readonly { port: number; socket: string }[] = []): string[] {
  return [BRIDGE_BINARY, socketPath, String(port), ...forwards.flatMap((f) => ['--forward', `${f.port}=${f.socket}`]), '--', ...command];
}

export interface SessionEgress {
  proxy: EgressProxy;
  socketPath: string;
  budget: Budget | null;
  /** The limits reached in this session, one line each, for the summary at its end. */
  limitsReached(): string[];
  /** Closes the proxy, then writes the day's figures (the records of tunnels cut by the close count too). */
  close(): Promise<void>;
}

export interface EgressSetup {
  runtimeDir: string;
  allow: readonly string[];
  /** The session's own hosts (profile, --allow-host, answers), which the guard reads too. */
  hosts: Allowlist;
  ask: ((q: EgressAsk) => Promise<EgressAnswer>) | null;
  onRecord: (r: EgressRecord) => void;
  /** The session's budgets; absent: none. */
  budget?: {
    settings: BudgetSettings;
    /** The profile's name ("claude"), the key of the day's figures; null without a profile. */
    agent: string | null;
    /** The profile's hosts: its model API. */
    modelHosts: readonly string[];
    sessionId: string;
    env: NodeJS.ProcessEnv;
  };
  /** Asks the person about traffic over a limit; null without a terminal (refused). */
  askLimit?: ((q: LimitAsk) => Promise<EgressAnswer>) | null;
  onLimit?: (e: LimitEvent) => void;
}

export async function startSessionEgress(s: EgressSetup): Promise<SessionEgress> {
  const socketPath = path.join(s.runtimeDir, 'egress.sock');
  const ask = s.ask;
  const b = s.budget;
  // The day's figures are kept whatever the limits: `sessions` and `doctor` show them.
  const daily = b ? new DailyStore(budgetsDir(b.env), b.sessionId) : null;
  // Without a profile the day's figures are kept under "shell" (an interactive session or an unknown agent).
  const budget = b ? new Budget(b.settings, { agent: b.agent ?? 'shell', label: b.agent ?? 'the agent', modelHosts: b.modelHosts, daily }) : null;
  const reached = new Map<string, { limit: LimitKind; host: string; max: number; answers: string[] }>();
  const proxy = await startProxy({
    socketPath,
    allow: s.allow,
    // An answer "for the session" at the proxy also lets `curl` to that host through the policy.
    ask: ask
      ? async (q) => {
          const a = await ask(q);
          if (a === 'session') s.hosts.add(q.host);
          return a;
        }
      : null,
    onRecord: s.onRecord,
    budget,
    askLimit: s.askLimit ?? null,
    onLimit: (e) => {
      // One line per limit (per host for the rate), with every answer it got.
      const key = `${e.limit} ${e.limit === 'rate' ? e.host : ''}`;
      const r = reached.get(key) ?? { limit: e.limit, host: e.host, max: e.max, answers: [] };
      if (e.event === 'answer' && e.answer) r.answers.push(e.answer);
      if (e.event === 'refuse' && e.answer === 'no-terminal' && !r.answers.length) r.answers.push('no-terminal');
      reached.set(key, r);
      s.onLimit?.(e);
    },
  });
  return {
    proxy,
    socketPath,
    budget,
    limitsReached: () =>
      [...reached.values()].map((r) => {
        const what = { rate: `${plural(r.max, 'request')} a minute to ${r.host}`, 'model-requests': `${plural(r.max, 'model API request')}`, 'session-bytes': `${formatBytes(r.max)} in the session`, 'daily-bytes': `${formatBytes(r.max)} today`, 'daily-model-requests': `${plural(r.max, 'model API request')} today` }[r.limit];
        const words: Record<string, string> = { once: 'y', session: 'a', deny: 'n', timeout: 'no answer', 'no-terminal': 'refused, no terminal', error: 'error' };
        return `${what}: ${r.answers.map((a) => words[a] ?? a).join(', ') || 'asked'}`;
      }),
    close: async () => {
      await proxy.close();
      daily?.close();
    },
  };
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
