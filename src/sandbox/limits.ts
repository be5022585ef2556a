// Per-session limits on processes and file size, so that a fork bomb or a runaway write
// stops at a wall instead of taking the machine. Processes are capped with a pids cgroup
// where the session may create one (root, or a delegated cgroup v2 subtree); otherwise
// with RLIMIT_NPROC, which the kernel does not enforce for root. File size uses RLIMIT_FSIZE.
import fs from 'node:fs';
import path from 'node:path';

export interface Limits {
  maxProcesses: number;
  maxFileSize: number;
}

export interface AppliedLimits {
  /** argv to put before the agent's command. */
  prefix: string[];
  /** How processes are capped, for the start line and doctor. */
  processes: string;
  cleanup(): void;
}

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

export function applyLimits(limits: Limits, id: string): AppliedLimits {
  const prefix: string[] = [];
  let processes = `RLIMIT_NPROC ${limits.maxProcesses} (not enforced for root)`;
  let cgroup: string | null = null;
  const root = pidsCgroupRoot();
  if (root) {
    try {
      cgroup = path.join(root, `agentguard-${id}`);
      fs.mkdirSync(cgroup);
      fs.writeFileSync(path.join(cgroup, 'pids.max'), String(limits.maxProcesses));
      // The first process moves itself in before it starts the agent: nothing escapes the count.
      prefix.push('/bin/sh', '-c', 'echo $$ > "$1/cgroup.procs" && shift && exec "$@"', 'agentguard-limits', cgroup);
      processes = `pids cgroup, at most ${limits.maxProcesses} processes`;
    } catch {
      cgroup = null;
    }
  }
  const prlimit = ['/usr/bin/prlimit', '/bin/prlimit'].find((p) => fs.existsSync(p));
  if (prlimit) prefix.push(prlimit, `--fsize=${limits.maxFileSize}`, ...(cgroup ? [] : [`--nproc=${limits.maxProcesses}`]), '--');
  return {
    prefix,
    processes: prlimit ? processes : 'none (prlimit not found: apt-get install util-linux)',
    cleanup() {
      if (!cgroup) return;
      try {
        for (const pid of fs.readFileSync(path.join(cgroup, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean)) {
          try {
            process.kill(Number(pid), 'SIGKILL');
          } catch {
            // already gone
          }
        }
        fs.rmdirSync(cgroup);
      } catch {
        // processes still exiting: the empty cgroup is left behind, harmless
      }
    },
  };
}

/** "512M", "2G", "1048576" → bytes. */
export function parseSize(s: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?$/i.exec(s.trim());
  if (!m) throw new Error(`not a size: ${s} (use a number with K, M, G or T: 512M, 4G)`);
  const mult = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 }[m[2].toLowerCase() as '' | 'k' | 'm' | 'g' | 't'];
  return Math.floor(Number(m[1]) * mult);
}
