// Per-session limits, so that a fork bomb, a runaway write, a memory hog or a busy loop stops
// at a wall instead of taking the machine. Processes are capped with a pids cgroup where the
// session may create one (root, or a delegated cgroup v2 subtree); otherwise with
// RLIMIT_NPROC, which the kernel does not enforce for root. File size uses RLIMIT_FSIZE.
// Memory and CPU hold the agent's whole tree through a cgroup of the session's own
// (cgroup.ts); where none can be made, each command the shim starts gets RLIMIT_DATA and
// RLIMIT_CPU instead (src/shim/shim.c reads AGENTGUARD_RLIMITS), and the start line says
// which is in force and why. Every limit reached becomes a `limit` record and a line at the end.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { makeCgroup, pruneStale, removeLeaves, type Cgroup, type CgroupStats } from './cgroup.js';

export interface Limits {
  maxProcesses: number;
  maxFileSize: number;
  /** Bytes for the agent's whole tree (undefined: none). */
  maxMemory?: number;
  /** Cores for the agent's whole tree (undefined: all, no limit). */
  maxCpu?: number;
  /** CPU seconds per command (RLIMIT_CPU), in force with or without a cgroup. */
  maxCommandCpu?: number;
}

/** What was reached, as a `limit` log record holds it. */
export interface LimitHit {
  /** memory / cpu: the tree's limits; command-cpu: RLIMIT_CPU; session-time: --max-session-time. */
  limit: 'memory' | 'cpu' | 'command-cpu' | 'session-time';
  /** How it was enforced. */
  via: 'cgroup' | 'rlimit' | 'timer';
  /** The limit's figure: bytes, cores, CPU seconds or ms. */
  value: number;
  /** One sentence for the terminal and the log. */
  message: string;
  /** The command's exit status, when a command's end showed it. */
  status?: number;
  oomKills?: number;
  throttledMs?: number;
  usageMs?: number | null;
  /** The command's peak resident memory (KiB), for the rlimit path's memory limit. */
  maxRssKiB?: number;
}

export interface AppliedLimits {
  /** argv to put before the agent's command. */
  prefix: string[];
  /** How processes are capped, for the start line and doctor. */
  processes: string;
  /** How memory and CPU are held, for the start line ("memory: cgroup v1 limit 8 GiB for the agent tree"). */
  memory: string;
  cpu: string;
  /** The variables the shim applies per command (the rlimit path, --max-command-cpu). */
  env: Record<string, string>;
  /** For the session-start record. */
  record: Record<string, unknown>;
  /** A checked command ended (its status and peak memory, from the shim): the limit it ran into, if any. */
  commandEnded(status: number, maxRssKiB?: number): LimitHit | null;
  /** At the end: what the tree's cgroup counted that no command's end reported. `agentExit` is the agent's status. */
  finish(agentExit: number): LimitHit[];
  cleanup(): void;
}

/** The default for --max-memory: half of this machine's memory. */
export function defaultMaxMemory(): number {
  return Math.floor(os.totalmem() / 2 / 1024 ** 2) * 1024 ** 2;
}

const SIGKILL_STATUS = 128 + 9;
const SIGXCPU_STATUS = 128 + 24;

export function applyLimits(limits: Limits, id: string, opts: { makeCgroup?: typeof makeCgroup } = {}): AppliedLimits {
  const prefix: string[] = [];
  // Processes that join cgroups before the agent starts: the first process writes its own pid
  // into each one and only then execs what follows, so nothing escapes the count or the limits.
  const joins: string[] = [];
  const cleanups: (() => void)[] = [];

  // Memory and CPU for the whole tree.
  const wantsTree = limits.maxMemory !== undefined || limits.maxCpu !== undefined;
  let tree: Cgroup | null = null;
  let noCgroup = '';
  if (wantsTree) {
    const made = (opts.makeCgroup ?? makeCgroup)({ memory: limits.maxMemory, cpu: limits.maxCpu, pids: limits.maxProcesses }, id);
    if (made.ok) {
      tree = made.cgroup;
      joins.push(...tree.dirs);
      cleanups.push(() => tree!.remove());
    } else noCgroup = made.reason;
  }
  const rlimits: Record<string, number> = {};
  let memory = 'memory: no limit (--max-memory 0)';
  let cpu = 'cpu: all cores (no --max-cpu)';
  if (limits.maxMemory !== undefined) {
    if (tree) memory = `memory: cgroup ${tree.version} limit ${formatSize(limits.maxMemory)} for the agent tree`;
    else {
      // RLIMIT_DATA, not RLIMIT_AS: Node and anything with WebAssembly reserve far more address
      // space than they use (a wasm memory reserves about 10 GiB), so RLIMIT_AS at a sane
      // figure would stop them starting. DATA counts writable private memory, which is what a hog grows.
      rlimits.data = limits.maxMemory;
      memory = `memory: per-command rlimit ${formatSize(limits.maxMemory)} (RLIMIT_DATA for each process a shell starts, not the agent itself; no cgroup could be made: ${noCgroup})`;
    }
  }
  if (limits.maxCpu !== undefined) {
    if (tree) cpu = `cpu: cgroup ${tree.version} limit ${formatCores(limits.maxCpu)} for the agent tree`;
    else {
      // A share of cores needs a cgroup; the nearest per-process wall is CPU seconds, so that a
      // command that would spin forever still ends.
      rlimits.cpu = limits.maxCommandCpu ?? FALLBACK_COMMAND_CPU;
      cpu = `cpu: --max-cpu ${formatCores(limits.maxCpu)} NOT in force (no cgroup could be made${limits.maxMemory === undefined ? `: ${noCgroup}` : ''}); instead each command may use ${formatSeconds(rlimits.cpu)} of CPU (RLIMIT_CPU)`;
    }
  }
  if (limits.maxCommandCpu !== undefined && rlimits.cpu === undefined) {
    rlimits.cpu = limits.maxCommandCpu;
    cpu += `; each command may use ${formatSeconds(rlimits.cpu)} of CPU (RLIMIT_CPU)`;
  }

  let processes = `RLIMIT_NPROC ${limits.maxProcesses} (not enforced for root)`;
  let pidsCgroup: string | null = null;
  if (tree?.pids) processes = `pids cgroup, at most ${limits.maxProcesses} processes`;
  else {
    const root = pidsCgroupRoot();
    if (root) {
      pruneStale(root);
      try {
        const dir = path.join(root, `agentguard-${id}`);
        fs.mkdirSync(dir);
        pidsCgroup = dir;
        fs.writeFileSync(path.join(dir, 'pids.max'), String(limits.maxProcesses));
        joins.push(dir);
        processes = `pids cgroup, at most ${limits.maxProcesses} processes`;
      } catch {
        if (pidsCgroup) removeDir(pidsCgroup);
        pidsCgroup = null;
      }
    }
  }
  if (pidsCgroup) {
    const dir = pidsCgroup;
    cleanups.push(() => removeDir(dir));
  }
  // If a write fails the agent does not start (exit 125): the start line promised the limits.
  if (joins.length) prefix.push('/bin/sh', '-c', 'while [ "$1" != -- ]; do echo $$ > "$1/cgroup.procs" || exit 125; shift; done; shift; exec "$@"', 'agentguard-limits', ...joins, '--');
  const prlimit = ['/usr/bin/prlimit', '/bin/prlimit'].find((p) => fs.existsSync(p));
  const cappedByCgroup = !!tree?.pids || !!pidsCgroup;
  if (prlimit) prefix.push(prlimit, `--fsize=${limits.maxFileSize}`, ...(cappedByCgroup ? [] : [`--nproc=${limits.maxProcesses}`]), '--');

  const env: Record<string, string> = Object.keys(rlimits).length ? { AGENTGUARD_RLIMITS: Object.entries(rlimits).map(([k, v]) => `${k}=${v}`).join(',') } : {};
  let seenOom = 0;
  const oomHit = (stats: CgroupStats, status?: number): LimitHit | null => {
    if (limits.maxMemory === undefined || stats.oomKills <= seenOom) return null;
    const kills = stats.oomKills - seenOom;
    seenOom = stats.oomKills;
    return { limit: 'memory', via: 'cgroup', value: limits.maxMemory, oomKills: kills, ...(status !== undefined ? { status } : {}), message: `${kills === 1 ? 'a process was' : `${kills} processes were`} killed by the memory limit (${formatSize(limits.maxMemory)} for the agent tree)` };
  };
  return {
    prefix,
    processes: prlimit ? processes : 'none (prlimit not found: apt-get install util-linux)',
    memory,
    cpu,
    env,
    record: {
      ...(limits.maxMemory !== undefined ? { memory: limits.maxMemory } : {}),
      ...(limits.maxCpu !== undefined ? { cpu: limits.maxCpu } : {}),
      via: tree ? `cgroup ${tree.version}` : Object.keys(rlimits).length ? 'rlimit' : 'none',
      ...(tree ? { cgroup: tree.dirs } : {}),
      ...(rlimits.data !== undefined || rlimits.cpu !== undefined ? { rlimits } : {}),
      ...(noCgroup ? { noCgroup } : {}),
    },
    commandEnded(status, maxRssKiB) {
      // A kill inside a command line that went on (hog; echo done) shows only in the cgroup's count.
      if (tree && limits.maxMemory !== undefined) {
        const hit = oomHit(tree.stats(), status);
        if (hit) return hit;
      }
      if (rlimits.cpu !== undefined && (status === SIGXCPU_STATUS || (status === SIGKILL_STATUS && !tree))) {
        return { limit: 'command-cpu', via: 'rlimit', value: rlimits.cpu, status, message: `a command was stopped by the per-command CPU limit (${formatSeconds(rlimits.cpu)}, RLIMIT_CPU; exit ${status})` };
      }
      // RLIMIT_DATA makes allocations fail, and the program ends its own way (MemoryError, an
      // abort) or not at all: the sign is the command's peak (its largest process) near the limit.
      if (rlimits.data !== undefined && maxRssKiB !== undefined && maxRssKiB * 1024 >= 0.8 * rlimits.data) {
        return { limit: 'memory', via: 'rlimit', value: rlimits.data, status, maxRssKiB, message: `a command reached the per-command memory limit (${formatSize(rlimits.data)}, RLIMIT_DATA: allocations beyond it fail; its largest process peaked at ${formatSize(maxRssKiB * 1024)}; exit ${status})` };
      }
      return null;
    },
    finish(agentExit) {
      if (!tree) return [];
      const hits: LimitHit[] = [];
      const stats = tree.stats();
      const oom = oomHit(stats);
      if (oom) {
        // The agent itself killed (SIGKILL) while the cgroup counted a kill: say it was the agent.
        if (agentExit === SIGKILL_STATUS) oom.message = `the agent was killed by the memory limit (${formatSize(limits.maxMemory!)})`;
        hits.push(oom);
      }
      if (limits.maxCpu !== undefined && stats.throttledPeriods > 0) {
        hits.push({ limit: 'cpu', via: 'cgroup', value: limits.maxCpu, throttledMs: stats.throttledMs, usageMs: stats.usageMs, message: `the agent tree was held to ${formatCores(limits.maxCpu)} (slowed for ${(stats.throttledMs / 1000).toFixed(1)} s in all)` });
      }
      return hits;
    },
    cleanup() {
      for (const c of cleanups.reverse()) {
        try {
          c();
        } catch {
          // processes still exiting: an empty cgroup left behind is harmless
        }
      }
    },
  };
}

/** RLIMIT_CPU per command when --max-cpu cannot be held by a cgroup and --max-command-cpu is not given. */
export const FALLBACK_COMMAND_CPU = 3600;

/** A pids cgroup directory the session can create, or null. */
export function pidsCgroupRoot(): string | null {
  const candidates = ['/sys/fs/cgroup/pids', '/sys/fs/cgroup'];
  for (const c of candidates) {
    try {
      const v2 = c === '/sys/fs/cgroup';
      if (v2 && !fs.readFileSync(path.join(c, 'cgroup.subtree_control'), 'utf8').includes('pids')) continue;
      fs.accessSync(c, fs.constants.W_OK);
      if (!fs.existsSync(path.join(c, 'cgroup.procs'))) continue;
      return c;
    } catch {
      // not this one
    }
  }
  return null;
}

/**
 * Kills what is left and removes the directory, waiting briefly for killed processes to be
 * reaped: removed at once, a cgroup still holding a dying process stays behind (EBUSY).
 */
function removeDir(cgroup: string): void {
  removeLeaves([cgroup], true);
}

/** The `limit` record and the line for --max-session-time. */
export function sessionTimeHit(ms: number): LimitHit {
  return { limit: 'session-time', via: 'timer', value: ms, message: `the session reached its time limit (--max-session-time ${formatSeconds(ms / 1000)}): the agent was stopped` };
}

/** "512M", "2G", "1048576" → bytes. */
export function parseSize(s: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?$/i.exec(s.trim());
  if (!m) throw new Error(`not a size: ${s} (use a number with K, M, G or T: 512M, 4G)`);
  const mult = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 }[m[2].toLowerCase() as '' | 'k' | 'm' | 'g' | 't'];
  return Math.floor(Number(m[1]) * mult);
}

/** --max-memory: a size, or 0/off/none for no limit (undefined). */
export function parseMemory(s: string): number | undefined {
  if (/^(0|off|none)$/i.test(s.trim())) return undefined;
  const n = parseSize(s);
  // Below this the agent itself cannot start: a typo (200 for 200M) rather than a wish.
  if (n < 32 * 1024 ** 2) throw new Error(`--max-memory ${s} is less than 32M: did you mean ${s}M?`);
  return n;
}

/** --max-cpu: cores ("1.5") or a share of this machine's cores ("50%"); all/off for no limit (undefined). */
export function parseCpu(s: string, cores = os.availableParallelism()): number | undefined {
  const t = s.trim();
  if (/^(all|off|none)$/i.test(t)) return undefined;
  const pct = /^(\d+(?:\.\d+)?)%$/.exec(t);
  const n = pct ? (Number(pct[1]) / 100) * cores : /^\d+(?:\.\d+)?$/.test(t) ? Number(t) : NaN;
  if (!Number.isFinite(n) || n < 0.01) throw new Error(`--max-cpu ${s}: use a number of cores (1.5) or a share of this machine's ${cores} cores (50%)`);
  return n;
}

export function formatSize(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${Number.isInteger(v) ? v : v.toFixed(1)} ${units[i]}`;
}

export function formatCores(cores: number): string {
  const n = Math.round(cores * 100) / 100;
  return `${n} core${n === 1 ? '' : 's'}`;
}

export function formatSeconds(s: number): string {
  if (s >= 3600 && s % 60 === 0) return `${Math.floor(s / 3600)}h${s % 3600 ? `${(s % 3600) / 60}m` : ''}`;
  if (s >= 60 && s % 60 === 0) return `${s / 60}m`;
  return `${Math.round(s * 10) / 10}s`;
}

/** What the limits asked for are, in one line, for --dry-run (which creates nothing, so cannot say how they would be held). */
export function describeAsked(limits: Limits | undefined, maxSessionMs?: number): string {
  const l = limits ?? { maxProcesses: 4096, maxFileSize: 8 * 1024 ** 3, maxMemory: defaultMaxMemory() };
  return [
    `memory ${l.maxMemory !== undefined ? formatSize(l.maxMemory) : 'no limit'}`,
    `cpu ${l.maxCpu !== undefined ? formatCores(l.maxCpu) : 'all cores'}`,
    ...(l.maxCommandCpu !== undefined ? [`${formatSeconds(l.maxCommandCpu)} of CPU per command`] : []),
    `${l.maxProcesses} processes`,
    `files up to ${formatSize(l.maxFileSize)}`,
    ...(maxSessionMs ? [`session ends after ${formatSeconds(maxSessionMs / 1000)}`] : []),
  ].join(', ');
}

/**
 * For doctor: whether a session here would hold memory and CPU with a cgroup, found by making
 * one and removing it at once, and what to do where it cannot.
 */
export function machineLimitsProbe(): { ok: boolean | null; what: string; fix?: string } {
  const made = makeCgroup({ memory: defaultMaxMemory(), cpu: 1 }, `doctor-${process.pid}`);
  const defaults = `default --max-memory ${formatSize(defaultMaxMemory())} (half of this machine's memory), --max-cpu all cores`;
  if (made.ok) {
    made.cgroup.remove();
    return { ok: true, what: `memory and CPU limits: a cgroup ${made.cgroup.version} for the agent's whole tree (${defaults})` };
  }
  // A fallback that works, not a failure: doctor's exit status stays for what does not work.
  return {
    ok: null,
    what: `memory and CPU limits: per command only (RLIMIT_DATA and RLIMIT_CPU on each process a shell starts; --max-cpu is not held): ${made.reason}`,
    fix: 'with systemd, start agentguard in your user manager, whose cgroups you may write: systemd-run --user --scope agentguard shell -- <agent>',
  };
}
