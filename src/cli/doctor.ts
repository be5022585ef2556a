// `agentguard doctor`: what is enforced right now and why, and for each problem the fix.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { paint as chalk } from '../ui/display.js';

interface Line {
  ok: boolean | null;
  what: string;
  detail?: string;
  fix?: string;
}

export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description('Show what agentguard enforces on this machine right now, and how to fix what it cannot.')
    .option('--json', 'print as JSON')
    .action(async (flags: { json?: boolean }) => {
      const lines = await diagnose();
      if (flags.json) process.stdout.write(JSON.stringify(lines) + '\n');
      else
        for (const l of lines) {
          const mark = l.ok === null ? chalk.dim('  ·') : l.ok ? chalk.green('  ✓') : chalk.red('  ✗');
          process.stdout.write(`${mark} ${l.what}${l.detail ? chalk.dim(`  ${l.detail}`) : ''}\n`);
          if (l.fix) process.stdout.write(`      ${chalk.yellow('fix:')} ${l.fix}\n`);
        }
      process.exitCode = lines.some((l) => l.ok === false) ? 1 : 0;
    });
}

async function diagnose(): Promise<Line[]> {
  const { checkBubblewrap, checkNetworkNamespace } = await import('../sandbox/bwrap.js');
  const { daemonSockets, existingCredentials } = await import('../sandbox/plan.js');
  const { pidsCgroupRoot, machineLimitsProbe } = await import('../sandbox/limits.js');
  const { findRealShells, shimBinaryPath, runtimeBase, nativeBuildFix } = await import('../session/runtime.js');
  const { loadProfiles } = await import('../session/profiles.js');
  const { sessionsDir } = await import('../log/store.js');
  const { createGuard } = await import('../guard.js');
  const home = process.env.HOME ?? os.homedir();
  const out: Line[] = [];

  const bw = checkBubblewrap();
  out.push({ ok: bw.ok, what: bw.ok ? 'bubblewrap works: agent sessions run in a sandbox (a test sandbox just started)' : `no sandbox: ${bw.reason}`, fix: bw.fix });
  const userns = readProc('/proc/sys/kernel/unprivileged_userns_clone') ?? readProc('/proc/sys/user/max_user_namespaces');
  out.push({ ok: null, what: `user namespaces: ${userns ?? 'unknown'} (the sandbox always runs the agent in one of its own, root or not)` });
  if (bw.ok) {
    // What a process in the agent's place really has, read from inside a probe sandbox
    // started with the session's own flags (and seccomp filter) — not what the flags promise.
    const { probeConfinement } = await import('../sandbox/bwrap.js');
    const { ttyInjectionFilter, SECCOMP_ARCHES } = await import('../sandbox/seccomp.js');
    let seccompFile: string | undefined;
    if (SECCOMP_ARCHES.includes(process.arch)) {
      seccompFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'agentguard-doctor-')), 'seccomp.bpf');
      fs.writeFileSync(seccompFile, ttyInjectionFilter());
    }
    const c = probeConfinement({ seccompFile });
    if (seccompFile) fs.rmSync(path.dirname(seccompFile), { recursive: true, force: true });
    const noCaps = /^0+$/.test(c.capEff);
    const ownNs = c.ownNamespaces.includes('user') && c.ownNamespaces.includes('pid');
    out.push(
      c.error
        ? { ok: false, what: `the agent's sandbox cannot start with its privilege flags: ${c.error}`, fix: 'enable user namespaces (sysctl user.max_user_namespaces, or the AppArmor bwrap profile on Ubuntu 24.04), or run with --no-sandbox' }
        : {
            ok: noCaps && ownNs,
            what: `the agent runs with capabilities ${c.capEff}${noCaps ? ' (none)' : ' (NOT dropped)'}, uid ${c.uid}, in its own ${c.ownNamespaces.join(', ')} namespaces; it sees ${c.visiblePids} processes`,
            detail: seccompFile ? 'seccomp: ioctl TIOCSTI and TIOCLINUX refused' : `seccomp: no filter for ${process.arch} (TIOCSTI not refused)`,
          },
    );
  }
  const tiocsti = readProc('/proc/sys/dev/tty/legacy_tiocsti');
  if (tiocsti !== null) out.push({ ok: null, what: `dev.tty.legacy_tiocsti = ${tiocsti}${tiocsti === '1' ? ' (TIOCSTI works on this kernel: the sandbox refuses it with seccomp; without the sandbox nothing does)' : ''}` });

  const { bridgeProblem } = await import('../egress/session.js');
  const ns = bw.ok ? checkNetworkNamespace() : null;
  const noBridge = bridgeProblem();
  if (!bw.ok) out.push({ ok: null, what: 'network: not confined without the sandbox (the policy still checks commands like curl)' });
  else if (!ns!.ok) out.push({ ok: false, what: `network: ${ns!.reason}`, fix: ns!.fix });
  else if (noBridge) out.push({ ok: false, what: 'network: the egress bridge is not built', fix: `${nativeBuildFix()}; or use --network open` });
  else out.push({ ok: true, what: 'network: the sandbox gets its own network namespace; the agent goes out only through the egress proxy' });

  const shim = shimBinaryPath();
  out.push(fs.existsSync(shim) ? { ok: true, what: 'shell shim built', detail: shim } : { ok: false, what: 'shell shim not built', fix: nativeBuildFix() });
  if (bw.ok) {
    // Without it a session cannot honour a yes to what the sandbox refuses, so it does not start.
    const { BROKER_BINARY } = await import('../session/escalate.js');
    out.push(
      fs.existsSync(BROKER_BINARY)
        ? { ok: true, what: 'escalation broker built: an approved command the sandbox would refuse runs outside it', detail: BROKER_BINARY }
        : { ok: false, what: 'escalation broker not built: sandboxed sessions will not start', fix: `${nativeBuildFix()}; or use --no-sandbox` },
    );
  }
  const shells = findRealShells(process.env.PATH ?? '');
  out.push({ ok: shells.size > 0, what: `shells shimmed in a session: ${[...shells.keys()].join(', ') || 'none found'}`, detail: bw.ok ? 'on PATH and over the binaries inside the sandbox' : 'on PATH only: /bin/sh -c by absolute path is not intercepted' });
  out.push({ ok: null, what: 'nested shells (make, npm scripts, git aliases, scripts the agent wrote): checked like top-level commands', detail: '`agentguard shell --trust-nested` lets shells started by an allowed command run unchecked: faster, and weaker' });

  let guard;
  try {
    guard = await createGuard({ cwd: process.cwd() });
    const byLayer = { builtin: 0, user: 0, project: 0 } as Record<string, number>;
    for (const r of guard.rules.rules) byLayer[r.rule.layer]++;
    out.push({ ok: true, what: `${guard.rules.rules.length} rules in effect: ${byLayer.builtin} built-in, ${byLayer.user} user, ${byLayer.project} project` });
    for (const f of guard.rules.files.filter((f) => !f.includes(`${path.sep}rules${path.sep}`) || f.includes('.config') || f.includes('.agentguard'))) out.push({ ok: null, what: `rule file: ${f}` });
    // Each problem the guard works around (a skipped file asks for what it could have matched).
    for (const w of guard.warnings) out.push({ ok: false, what: `rule file problem: ${w.file}${w.line ? `:${w.line}` : ''}: ${w.problem}`, fix: w.fix || 'fix the file:line shown, or move the file away' });
  } catch (e) {
    out.push({ ok: false, what: 'rule files have errors: nothing can be checked', detail: (e as Error).message.split('\n').slice(0, 3).join(' | '), fix: 'fix the file:line shown, or move the file away' });
  }

  const cred = existingCredentials(home, guard?.rules.lists.get('credential-paths') ?? []);
  const { secretConfigs } = await import('../sandbox/configs.js');
  const configs = new Set(secretConfigs(home, process.env).map((c) => c.path));
  out.push({ ok: null, what: `credential paths present and masked in a sandbox: ${[...cred.dirs, ...cred.files].filter((p) => !configs.has(p)).map((p) => p.replace(home, '~')).join(', ') || 'none found'}` });
  out.push({ ok: null, what: `config files replaced by a copy without their secrets in a sandbox: ${[...configs].map((p) => p.replace(home, '~')).join(', ') || 'none found'}`, detail: '--allow-read PATH hands one over whole' });
  const daemons = daemonSockets(home, process.env);
  out.push({ ok: null, what: `daemon sockets present and covered in a sandbox (Docker, SSH/GPG agents, D-Bus): ${daemons.map((p) => p.replace(home, '~')).join(', ') || 'none found'}` });
  out.push({ ok: null, what: `credential patterns the policy asks about but the sandbox cannot mask ahead of time: ${cred.unmaskable.join(', ')}` });

  const profiles = loadProfiles(home);
  out.push({ ok: null, what: `agent profiles: ${profiles.map((p) => `${p.name} (${p.programs.join('/')}: ${p.write.join(', ')}${p.hosts.length ? `; hosts ${p.hosts.join(', ')}` : ''})`).join('; ')}` });
  const egress = guard?.rules.lists.get('egress-allowlist') ?? [];
  out.push({ ok: null, what: `egress allowlist: ${egress.length} entries (lists.yaml egress-allowlist), plus the agent profile's hosts and --allow-host` });
  const { budgetSettings, describeBudgets, todayLines } = await import('../egress/budget.js');
  out.push({ ok: null, what: `egress ${describeBudgets(budgetSettings(guard?.rules.config?.budgets, null))}`, detail: 'per agent: budgets.agents.<name> in config.yaml; per session: --rate-limit, --max-model-requests, --max-egress-bytes, --max-egress-bytes-per-day' });
  const today = todayLines();
  out.push({ ok: null, what: `egress today: ${today.length ? today.join('; ') : 'nothing yet'}` });

  const cg = pidsCgroupRoot();
  out.push(
    cg
      ? { ok: true, what: 'process limit: pids cgroup', detail: cg }
      : { ok: process.getuid?.() !== 0, what: 'process limit: RLIMIT_NPROC only', fix: process.getuid?.() === 0 ? 'root ignores RLIMIT_NPROC: mount the pids cgroup controller (or run as a normal user) so a fork bomb stops at a wall' : undefined },
  );
  out.push(machineLimitsProbe());
  out.push({ ok: null, what: `session logs: ${sessionsDir()}`, detail: `runtime: ${runtimeBase()}` });
  const { sinkLines } = await import('../sinks/doctor.js');
  out.push(...sinkLines(guard?.rules.config ?? null));
  // Where the sessions' heads go: without an anchor, log verify can only say "unanchored".
  const [{ chooseAnchor, settingsFrom }, { logKeyPath }] = await Promise.all([import('../anchor/settings.js'), import('../log/key.js')]);
  const anchor = chooseAnchor(settingsFrom(guard?.rules.config?.log));
  out.push(
    anchor.kind === 'none'
      ? { ok: false, what: `log anchor: none (${anchor.note}): session logs are keyed but agentguard log verify reports them unanchored`, fix: 'run a syslog daemon (rsyslog) or systemd-journald, or set log.anchor / log.syslog.socket in config.yaml' }
      : { ok: true, what: `log anchor: ${anchor.kind} (${anchor.socket}): each session's head is kept where your account cannot rewrite it`, detail: `log key: ${logKeyPath()}` },
  );

  // The plan an interactive session started here would apply (agentguard shell --dry-run for an agent).
  if (guard) {
    try {
      const { planSession, describePlan } = await import('../session/plan.js');
      const plan = planSession({ command: [], cwd: process.cwd(), home, env: process.env, noSandbox: !bw.ok, profile: null, profileWrites: [] }, guard);
      out.push({ ok: null, what: 'a session started here would apply this plan (agentguard shell --dry-run -- <agent> shows it for an agent):' });
      for (const l of describePlan(plan, home)) out.push({ ok: null, what: `  ${l}` });
    } catch (e) {
      out.push({ ok: false, what: `a session cannot start here: ${(e as Error).message}` });
    }
  }

  try {
    const { hookStatus } = await import('../hooks/status.js');
    for (const h of hookStatus()) {
      out.push(
        h.installed
          ? {
              ok: h.works !== false,
              what: `${h.agent} hook installed${h.where ? ` in ${h.where}` : ''}`,
              detail: [h.path, ...(h.problems ?? []), ...(h.notes ?? [])].filter(Boolean).join(' | '),
              fix: h.works === false ? `the hook cannot run as installed: agentguard install ${h.agent}` : undefined,
            }
          : { ok: null, what: `${h.agent} hook not installed`, detail: `agentguard install ${h.agent}` },
      );
    }
  } catch {
    // hooks are reported once that module exists
  }
  return out;
}

function readProc(p: string): string | null {
  try {
    return fs.readFileSync(p, 'utf8').trim();
  } catch {
    return null;
  }
}
