// `agentguard shell`: commander wiring for the session, and the refusals that need no
// session: a workspace that does not exist, a HOME that is not an absolute path, a session
// started inside another one.
import fs from 'node:fs';
import path from 'node:path';
import { Option, type Command } from 'commander';

const collect = (v: string, prev: string[] = []) => [...prev, v];

export function registerShell(program: Command): void {
  program
    .command('shell')
    .description('Run an agent (or an interactive shell) inside a guarded session: every shell command it starts is checked, and you approve what needs approval in this terminal.')
    .argument('[command...]', 'the agent and its arguments, after -- (default: an interactive bash)')
    .option('--workspace <dir>', 'a workspace root where writes are allowed (repeatable; default: the git top-level of the cwd, or the cwd)', collect)
    .option('--no-sandbox', 'do not use bubblewrap: policy-only mode (shells started by absolute path are not intercepted)')
    .option('--require-sandbox', 'refuse to start unless the bubblewrap sandbox works')
    .option('--strict-rules', 'refuse to start when a rule file or config.yaml has a problem (default: skip the broken file, warn, and ask for what it could have matched)')
    .option('--trust-nested', 'let shells started by an allowed command (make, npm test, a script) run without a check: faster, but a script or Makefile the agent wrote runs unchecked')
    .addOption(new Option('--strict-nested', 'the default now: every nested shell is checked').hideHelp())
    .option('--prompt-timeout <seconds>', 'deny a prompt nobody answers within this many seconds', '300')
    .option('--allow-write <dir>', 'another directory the agent may write (repeatable)', collect)
    .option('--allow-read <path>', 'hand one credential path to this task on purpose: it is not masked in the sandbox (repeatable)', collect)
    .option('--pass-env <name>', 'keep this secret-looking environment variable for the commands the agent runs (repeatable)', collect)
    .option('--max-commands-per-minute <n>', 'pause the agent and ask when it starts more commands than this in a minute (0: no limit)', '60')
    .option('--max-processes <n>', 'at most this many processes in the agent\'s whole process tree', '4096')
    .option('--max-file-size <size>', 'no file the agent writes may grow beyond this (K, M, G)', '8G')
    .option('--max-memory <size>', "memory for the agent's whole process tree (K, M, G; 0: no limit; default: half of this machine's memory); a cgroup where one can be made, else a limit per command")
    .option('--max-cpu <cores>', "CPU for the agent's whole process tree: cores (1.5) or a share of this machine's cores (50%); needs a cgroup (default: all cores)")
    .option('--max-command-cpu <duration>', 'CPU time any one process a command starts may use (RLIMIT_CPU): 90s, 15m, 2h (default: none; 1h when --max-cpu cannot be held by a cgroup)')
    .option('--max-session-time <duration>', 'end the session after this long, as SIGTERM to agentguard would: 30m, 2h, 1h30m (exit status 124)')
    .option('--allow-host <host>', 'let the agent reach this host through the egress proxy without asking: host, *.suffix or host:port (repeatable)', collect)
    .option('--network <mode>', 'proxy: the sandbox has no network but the egress proxy, which allows, asks and logs; open: keep the host network (only commands like curl are checked)', 'proxy')
    .option('--no-network', 'no network at all for the agent, not even through the proxy')
    .option('--rate-limit <n/min>', 'egress: pause and ask when the agent makes more than N requests (or new tunnels) to one host in a minute (default 120; 0 or off: no limit)')
    .option('--max-model-requests <n>', "egress: pause and ask after N requests to the agent's own model API hosts in this session (default off)")
    .option('--max-egress-bytes <size>', 'egress: pause and ask after SIZE sent and received in this session (default 5G; off: no limit)')
.option('--max-model-requests-per-day <n>', "egress: pause and ask after N requests to the agent's own model API hosts today, over every session (default off)")
        .option('--max-egress-bytes-per-day <size>', 'egress: pause and ask after SIZE sent and received by this agent today, over every session (default 20G; off: no limit)')
    .option('--keep-tmp', "keep the session's private /tmp after it ends, and print where it is")
    .option('--log-sink <spec>', 'also ship the session log to SPEC (repeatable): file:/PATH, syslog, syslog+udp://HOST[:514], syslog+tcp://HOST[:601], otlp-http://HOST[:4318]', collect)
    .option('--dry-run', 'print the session plan (mounts, masks, filtered configs, forwards, seccomp, private /tmp) and the bwrap argv; start nothing')
    .addHelpText(
      'after',
      `
Network (with the sandbox): the agent's only way out is agentguard's egress proxy. Hosts on
egress-allowlist (rules lists), the agent profile's API hosts and --allow-host pass; any other
host is asked about like a command; private, loopback and cloud metadata addresses are refused
unless named exactly. Tools that ignore HTTP_PROXY/HTTPS_PROXY get no network at all.

Machine limits: --max-memory and --max-cpu hold the agent's whole process tree through a cgroup
where agentguard can make one (root, or the cgroup v2 tree your systemd user manager delegates);
elsewhere each process a shell starts gets RLIMIT_DATA and RLIMIT_CPU instead. The start line
says which holds; every limit reached is logged and listed when the session ends.

Prompt keys: y allow once, a allow this exact command for the rest of the session, n or Enter deny.
The runaway-loop pause (--max-commands-per-minute): y lets the agent go on for another minute,
a stops this pause for the rest of the session, n or Enter refuses the command.
Egress limits (--rate-limit, --max-model-requests, --max-egress-bytes[-per-day], or budgets: in
config.yaml, per agent under budgets.agents.<name>): y allows one more minute (rate) or one more
limit's worth (caps), a lifts the limit for the session, n or no answer gives the agent HTTP 429.
A refused command does not run; the agent gets "agentguard: denied by <rule>: <message>" and exit status 126.

Examples:
  agentguard shell -- claude
  agentguard shell --workspace ~/src/app -- codex
  agentguard shell --allow-host api.example.com -- aider
  agentguard shell --allow-host localhost:11434 -- aider   # Ollama on this machine
  agentguard shell --dry-run -- claude                      # what the session would mount, mask and forward
  agentguard shell                 # an interactive bash whose every line is checked`,
    )
    .action(async (command: string[], flags: ShellFlags) => {
      const refused = refusal(flags, process.env, process.cwd());
      if (refused) {
        process.stderr.write(`agentguard: ${refused}\n`);
        process.exitCode = 2;
        return;
      }
      const timeout = Number(flags.promptTimeout);
      if (!Number.isFinite(timeout) || timeout <= 0) throw new Error(`--prompt-timeout must be a positive number of seconds, not ${flags.promptTimeout}`);
      const perMinute = wholeNumber(flags.maxCommandsPerMinute, '--max-commands-per-minute');
      const processes = wholeNumber(flags.maxProcesses, '--max-processes');
      const network = flags.network === false ? 'none' : flags.network;
      if (network !== 'proxy' && network !== 'open' && network !== 'none') throw new Error(`--network must be proxy, open or none (--no-network), not ${String(flags.network)}`);
      const { parseAllowEntry } = await import('../net/hosts.js');
      for (const h of flags.allowHost ?? []) if (!parseAllowEntry(h)) throw new Error(`--allow-host ${h}: not a host, *.suffix or host:port`);
      const { parseSinkSpecs } = await import('../sinks/spec.js');
      parseSinkSpecs(flags.logSink ?? []);
      const [{ parseSize, parseMemory, parseCpu, defaultMaxMemory }, { parseDuration }] = await Promise.all([import('../sandbox/limits.js'), import('./duration.js')]);
      const seconds = (v: string) => parseDuration(v, { bareSeconds: true }) / 1000;
      const maxSession = flags.maxSessionTime === undefined ? undefined : seconds(flags.maxSessionTime);
      if (maxSession !== undefined && maxSession <= 0) throw new Error('--max-session-time must be longer than 0');
      // Loaded here: a plain `agentguard check` never pays for the session's modules.
      const { runShell } = await import('../session/session.js');
      process.exitCode = await runShell({
        command,
        cwd: process.cwd(),
        workspaces: flags.workspace,
        noSandbox: !flags.sandbox,
        strictRules: !!flags.strictRules || !!program.opts<{ strictRules?: boolean }>().strictRules,
        requireSandbox: flags.requireSandbox,
        trustNested: !!flags.trustNested,
        promptTimeoutMs: timeout * 1000,
        allowWrite: flags.allowWrite,
        allowRead: flags.allowRead,
        passEnv: flags.passEnv,
        maxCommandsPerMinute: perMinute,
        limits: {
          maxProcesses: processes,
          maxFileSize: parseSize(flags.maxFileSize),
          maxMemory: flags.maxMemory === undefined ? defaultMaxMemory() : parseMemory(flags.maxMemory),
          maxCpu: flags.maxCpu === undefined ? undefined : parseCpu(flags.maxCpu),
          maxCommandCpu: flags.maxCommandCpu === undefined ? undefined : Math.max(1, Math.ceil(seconds(flags.maxCommandCpu))),
        },
        maxSessionMs: maxSession === undefined ? undefined : maxSession * 1000,
        network,
        allowHosts: flags.allowHost,
        keepTmp: !!flags.keepTmp,
        dryRun: !!flags.dryRun,
        logSinks: flags.logSink,
        budgets: budgetFlags(flags, parseSize),
      });
    });
}

interface ShellFlags {
  workspace?: string[];
  sandbox: boolean;
  requireSandbox?: boolean;
  strictRules?: boolean;
  trustNested?: boolean;
  promptTimeout: string;
  allowWrite?: string[];
  allowRead?: string[];
  passEnv?: string[];
  maxCommandsPerMinute: string;
  maxProcesses: string;
  maxFileSize: string;
  maxMemory?: string;
  maxCpu?: string;
  maxCommandCpu?: string;
  maxSessionTime?: string;
  allowHost?: string[];
  network: string | false;
  keepTmp?: boolean;
  dryRun?: boolean;
  logSink?: string[];
  rateLimit?: string;
  maxModelRequests?: string;
  maxEgressBytes?: string;
  maxEgressBytesPerDay?: string;
  maxModelRequestsPerDay?: string;
}

/** The egress limits given as flags (src/egress/budget.ts BudgetSettings); 0 or off is no limit. */
function budgetFlags(flags: ShellFlags, parseSize: (v: string) => number) {
  const off = (v: string) => /^(off|0)$/i.test(v.trim());
  const out: { ratePerMinute?: number; maxModelRequests?: number; maxSessionBytes?: number; maxDailyBytes?: number; maxDailyModelRequests?: number } = {};
  if (flags.rateLimit !== undefined) {
    const m = /^\s*(\d+)\s*(?:\/\s*m(?:in(?:ute)?)?)?\s*$/i.exec(flags.rateLimit);
    if (!m && !off(flags.rateLimit)) throw new Error(`--rate-limit must be requests a minute (120 or 120/min), or off, not ${flags.rateLimit}`);
    out.ratePerMinute = m ? Number(m[1]) : 0;
  }
  if (flags.maxModelRequests !== undefined) out.maxModelRequests = off(flags.maxModelRequests) ? 0 : wholeNumber(flags.maxModelRequests, '--max-model-requests');
  if (flags.maxModelRequestsPerDay !== undefined) out.maxDailyModelRequests = off(flags.maxModelRequestsPerDay) ? 0 : wholeNumber(flags.maxModelRequestsPerDay, '--max-model-requests-per-day');
  const size = (v: string, flag: string) => {
    try {
      return off(v) ? 0 : parseSize(v);
    } catch (e) {
      throw new Error(`${flag}: ${(e as Error).message}, or off`, { cause: e });
    }
  };
  if (flags.maxEgressBytes !== undefined) out.maxSessionBytes = size(flags.maxEgressBytes, '--max-egress-bytes');
  if (flags.maxEgressBytesPerDay !== undefined) out.maxDailyBytes = size(flags.maxEgressBytesPerDay, '--max-egress-bytes-per-day');
  return out;
}

/**
 * Why this session must not start, or null. Inside a session the runtime directory and the
 * guard's own files are read-only and its shells already go through the guard: a second
 * session there cannot start and would guard nothing more (--dry-run starts nothing: allowed).
 */
export function refusal(flags: { workspace?: string[]; dryRun?: boolean }, env: NodeJS.ProcessEnv, cwd: string): string | null {
  if (env.AGENTGUARD_SESSION && !flags.dryRun) {
    return `already inside agentguard session ${env.AGENTGUARD_SESSION}: its commands are checked already (if that session is gone, unset AGENTGUARD_SESSION AGENTGUARD_SOCKET AGENTGUARD_RUN_DIR)`;
  }
  // The runtime directory, the session log and `~` in every rule are under HOME: relative,
  // they would move with each command's cwd.
  if (!env.HOME || !path.isAbsolute(env.HOME)) {
    return `HOME is ${env.HOME === undefined ? 'not set' : env.HOME ? `not an absolute path (${env.HOME})` : 'empty'}: agentguard keeps the session's runtime files and log under it and reads ~ in its rules from it; set HOME to your home directory`;
  }
  for (const w of flags.workspace ?? []) {
    const dir = path.resolve(cwd, w);
    let stat: fs.Stats | undefined;
    try {
      stat = fs.statSync(dir);
    } catch {
      // missing or unreadable: said below
    }
    const where = dir === w ? '' : ` (${dir})`;
    if (!stat) return `--workspace ${w}: no such directory${where}`;
    if (!stat.isDirectory()) return `--workspace ${w}: not a directory${where}`;
  }
  return null;
}

function wholeNumber(v: string, flag: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${flag} must be a whole number, not ${v}`);
  return n;
}
