// A cgroup of the session's own for the agent's whole process tree, holding its memory and CPU
// to the session's limits. cgroup v2 first (a pure v2 system with systemd's user delegation, or
// root), then the v1 memory and cpu hierarchies (hybrid systems and CI containers run as root),
// else the reason none could be made: the caller falls back to per-command rlimits and says so.
// The parsing of /proc's files and the values written are pure functions (tested as tables);
// `makeCgroup` is the I/O around them.
import fs from 'node:fs';
import path from 'node:path';

/** CFS period for cpu.max / cpu.cfs_period_us: the kernel's default, 100 ms. */
export const CPU_PERIOD_US = 100_000;

export interface CgroupWants {
  /** memory.max in bytes, or undefined for none. */
  memory?: number;
  /** cores (1.5 = one and a half), or undefined for none. */
  cpu?: number;
  /** pids.max, used where the leaf has a pids controller. */
  pids?: number;
}

export interface Mounts {
  /** Where the cgroup2 hierarchy is mounted, and the mount's root (not / inside some containers). */
  v2: { dir: string; root: string } | null;
  /** v1 hierarchies by controller name: memory, cpu, pids … */
  v1: Map<string, { dir: string; root: string }>;
}

/** The cgroup mounts in /proc/self/mountinfo. Pure. */
export function parseMountinfo(text: string): Mounts {
  const out: Mounts = { v2: null, v1: new Map() };
  for (const line of text.split('\n')) {
    // id parent major:minor root mountpoint options [optional…] - fstype source superoptions
    const sep = line.indexOf(' - ');
    if (sep < 0) continue;
    const left = line.slice(0, sep).split(' ');
    const [fstype, , superOptions = ''] = line.slice(sep + 3).split(' ');
    const root = unescapeMount(left[3] ?? '/');
    const dir = unescapeMount(left[4] ?? '');
    if (fstype === 'cgroup2') out.v2 ??= { dir, root };
    else if (fstype === 'cgroup') {
      for (const o of superOptions.split(',')) if (o !== 'rw' && o !== 'ro' && !o.includes('=') && !out.v1.has(o)) out.v1.set(o, { dir, root });
    }
  }
  return out;
}

/** mountinfo escapes space, tab, newline and backslash as octal. */
function unescapeMount(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

export interface OwnCgroups {
  /** The `0::/path` line: our cgroup in the v2 hierarchy. */
  v2: string | null;
  /** Our cgroup in each v1 hierarchy, by controller name. */
  v1: Map<string, string>;
}

/** /proc/self/cgroup. Pure. */
export function parseProcCgroup(text: string): OwnCgroups {
  const out: OwnCgroups = { v2: null, v1: new Map() };
  for (const line of text.split('\n')) {
    const m = /^(\d+):([^:]*):(.*)$/.exec(line);
    if (!m) continue;
    if (m[1] === '0' && m[2] === '') out.v2 = m[3];
    else for (const c of m[2].split(',')) if (c) out.v1.set(c, m[3]);
  }
  return out;
}

/** Where our own cgroup is on disk: the mount point plus our path below the mount's root. Pure. */
export function cgroupDir(mount: { dir: string; root: string }, own: string): string {
  const rel = mount.root !== '/' && (own === mount.root || own.startsWith(mount.root + '/')) ? own.slice(mount.root.length) : own;
  return path.resolve(mount.dir, `.${rel || '/'}`);
}

/** cpu.max for a share of cores ("150000 100000" for 1.5). Pure. */
export function cpuMax(cores: number): string {
  return `${cpuQuotaUs(cores)} ${CPU_PERIOD_US}`;
}

/** The CFS quota for a share of cores, at least the kernel's minimum of 1 ms. Pure. */
export function cpuQuotaUs(cores: number): number {
  return Math.max(1000, Math.round(cores * CPU_PERIOD_US));
}

/** "key value" lines (memory.events, cpu.stat, memory.oom_control) as numbers. Pure. */
export function parseKeyValues(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const [k, v] = line.trim().split(/\s+/);
    if (k && v !== undefined && /^\d+$/.test(v)) out[k] = Number(v);
  }
  return out;
}

/** What one made cgroup reports back. */
export interface CgroupStats {
  /** Processes the kernel killed because the tree reached its memory limit. */
  oomKills: number;
  /** Periods in which the tree was held back by the CPU limit, and for how long in all (ms). */
  throttledPeriods: number;
  throttledMs: number;
  /** CPU time the tree used (ms), where the kernel says. */
  usageMs: number | null;
}

export interface Cgroup {
  version: 'v2' | 'v1';
  /** One directory per hierarchy (one for v2): a process joins by writing its pid to each cgroup.procs. */
  dirs: string[];
  /** Whether pids.max was set here (v2 with a pids controller): the separate pids cgroup is not needed. */
  pids: boolean;
  stats(): CgroupStats;
  /** Kills what is left in it and removes it. */
  remove(): void;
}

export type CgroupResult = { ok: true; cgroup: Cgroup } | { ok: false; reason: string };

export interface CgroupFiles {
  mountinfo: string;
  procCgroup: string;
}

/**
 * Makes `agentguard-<id>` with the limits in `wants`, trying cgroup v2, then v1. `files` are
 * /proc/self/mountinfo and /proc/self/cgroup (tests hand in others). Nothing is left behind
 * when it fails.
 */
export function makeCgroup(wants: CgroupWants, id: string, files?: CgroupFiles): CgroupResult {
  let mounts: Mounts;
  let own: OwnCgroups;
  try {
    mounts = parseMountinfo(files?.mountinfo ?? fs.readFileSync('/proc/self/mountinfo', 'utf8'));
    own = parseProcCgroup(files?.procCgroup ?? fs.readFileSync('/proc/self/cgroup', 'utf8'));
  } catch (e) {
    return { ok: false, reason: `cannot read /proc/self: ${(e as Error).message}` };
  }
  const reasons: string[] = [];
  for (const [name, make] of [['cgroup v2', makeV2], ['cgroup v1', makeV1]] as const) {
    let r: CgroupResult;
    try {
      r = make(wants, id, mounts, own);
    } catch (e) {
      // Something the steps did not expect (a file vanished under us): this way is not available.
      r = { ok: false, reason: `${name}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` };
    }
    if (r.ok) return r;
    reasons.push(r.reason);
  }
  return { ok: false, reason: reasons.join('; ') };
}

function needed(wants: CgroupWants): string[] {
  return [...(wants.memory !== undefined ? ['memory'] : []), ...(wants.cpu !== undefined ? ['cpu'] : [])];
}

function read(file: string): string {
  return fs.readFileSync(file, 'utf8');
}

/**
 * v2: a leaf in our own cgroup, or beside it. A cgroup with processes in it cannot hand
 * controllers to children ("no internal processes"; only the root is exempt), and ours holds
 * this process: so the leaf goes in our own cgroup only when it already delegates memory and
 * cpu to children, else beside it, in our parent (a systemd slice holds no processes), where
 * we turn them on if they are available and not yet on. Moving the agent there needs write
 * access to the common parent's cgroup.procs, which is what delegation grants.
 */
function makeV2(wants: CgroupWants, id: string, mounts: Mounts, own: OwnCgroups): CgroupResult {
  if (!mounts.v2) return { ok: false, reason: 'no cgroup v2 mounted' };
  if (own.v2 === null) return { ok: false, reason: 'this process is in no cgroup v2' };
  const ownDir = cgroupDir(mounts.v2, own.v2);
  const candidates = [ownDir];
  if (path.resolve(ownDir) !== path.resolve(mounts.v2.dir)) candidates.push(path.dirname(ownDir));
  const why: string[] = [];
  for (const dir of candidates) {
    const r = tryV2(dir, dir === ownDir, wants, id);
    if (r.ok) return r;
    why.push(r.reason);
  }
  return { ok: false, reason: `cgroup v2: ${why.join('; ')}` };
}

function tryV2(dir: string, isOwn: boolean, wants: CgroupWants, id: string): CgroupResult {
  const want = needed(wants);
  let available: string[];
  let enabled: string[];
  try {
    available = read(path.join(dir, 'cgroup.controllers')).trim().split(/\s+/).filter(Boolean);
    enabled = read(path.join(dir, 'cgroup.subtree_control')).trim().split(/\s+/).filter(Boolean);
  } catch (e) {
    return { ok: false, reason: `${dir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` };
  }
  const missing = want.filter((c) => !available.includes(c));
  if (missing.length) return { ok: false, reason: `${dir} has no ${missing.join(' or ')} controller (available: ${available.join(' ') || 'none'})` };
  try {
    fs.accessSync(dir, fs.constants.W_OK);
    fs.accessSync(path.join(dir, 'cgroup.procs'), fs.constants.W_OK);
  } catch {
    return { ok: false, reason: `${dir} is not writable (no delegation to this user)` };
  }
  const off = [...want, ...(wants.pids !== undefined && available.includes('pids') ? ['pids'] : [])].filter((c) => !enabled.includes(c));
  if (off.length) {
    // Our own cgroup holds this process: the kernel refuses (EBUSY) unless it is the root.
    try {
      fs.writeFileSync(path.join(dir, 'cgroup.subtree_control'), off.map((c) => `+${c}`).join(' '));
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (want.some((c) => off.includes(c))) return { ok: false, reason: `${dir}: cannot enable ${off.join(' ')} for children (${code}${isOwn && code === 'EBUSY' ? ': it holds processes' : ''})` };
    }
    enabled = read(path.join(dir, 'cgroup.subtree_control')).trim().split(/\s+/);
  }
  pruneStale(dir);
  const leaf = path.join(dir, `agentguard-${id}`);
  try {
    fs.mkdirSync(leaf);
  } catch (e) {
    return { ok: false, reason: `cannot create ${leaf}: ${(e as NodeJS.ErrnoException).code}` };
  }
  try {
    if (wants.memory !== undefined) {
      fs.writeFileSync(path.join(leaf, 'memory.max'), String(wants.memory));
      // Without this the tree would go on past the limit into swap, slowly.
      if (fs.existsSync(path.join(leaf, 'memory.swap.max'))) fs.writeFileSync(path.join(leaf, 'memory.swap.max'), '0');
    }
    if (wants.cpu !== undefined) fs.writeFileSync(path.join(leaf, 'cpu.max'), cpuMax(wants.cpu));
    const pids = wants.pids !== undefined && enabled.includes('pids');
    if (pids) fs.writeFileSync(path.join(leaf, 'pids.max'), String(wants.pids));
    return {
      ok: true,
      cgroup: {
        version: 'v2',
        dirs: [leaf],
        pids,
        stats: () => {
          const ev = safeKeyValues(path.join(leaf, 'memory.events'));
          const cpu = safeKeyValues(path.join(leaf, 'cpu.stat'));
          return { oomKills: ev.oom_kill ?? 0, throttledPeriods: cpu.nr_throttled ?? 0, throttledMs: Math.round((cpu.throttled_usec ?? 0) / 1000), usageMs: cpu.usage_usec !== undefined ? Math.round(cpu.usage_usec / 1000) : null };
        },
        remove: () => removeLeaves([leaf], true),
      },
    };
  } catch (e) {
    removeLeaves([leaf], false);
    return { ok: false, reason: `cannot set the limits in ${leaf}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` };
  }
}

/** v1: one leaf below our own cgroup in each hierarchy (v1 has no rule against processes in inner cgroups). */
function makeV1(wants: CgroupWants, id: string, mounts: Mounts, own: OwnCgroups): CgroupResult {
  const want = needed(wants);
  if (!want.length) return { ok: false, reason: 'cgroup v1: nothing asked' };
  const leaves: { controller: string; dir: string }[] = [];
  const fail = (reason: string): CgroupResult => {
    removeLeaves(
      leaves.map((l) => l.dir),
      false,
    );
    return { ok: false, reason: `cgroup v1: ${reason}` };
  };
  for (const c of want) {
    const mount = mounts.v1.get(c);
    if (!mount) return fail(`no ${c} hierarchy mounted`);
    // cpu and cpuacct often share one mount: one leaf serves both.
    const parent = cgroupDir(mount, own.v1.get(c) ?? '/');
    const leaf = path.join(parent, `agentguard-${id}`);
    if (leaves.some((l) => l.dir === leaf)) continue;
    pruneStale(parent);
    try {
      fs.mkdirSync(leaf);
    } catch (e) {
      return fail(`cannot create ${leaf}: ${(e as NodeJS.ErrnoException).code}`);
    }
    leaves.push({ controller: c, dir: leaf });
  }
  const dirOf = (c: string) => leaves.find((l) => l.controller === c)?.dir ?? path.join(cgroupDir(mounts.v1.get(c)!, own.v1.get(c) ?? '/'), `agentguard-${id}`);
  try {
    if (wants.memory !== undefined) {
      const d = dirOf('memory');
      fs.writeFileSync(path.join(d, 'memory.limit_in_bytes'), String(wants.memory));
      // memory+swap at the same figure: no swap beyond the limit (the file exists only with swap accounting).
      if (fs.existsSync(path.join(d, 'memory.memsw.limit_in_bytes'))) fs.writeFileSync(path.join(d, 'memory.memsw.limit_in_bytes'), String(wants.memory));
    }
    if (wants.cpu !== undefined) {
      const d = dirOf('cpu');
      fs.writeFileSync(path.join(d, 'cpu.cfs_period_us'), String(CPU_PERIOD_US));
      fs.writeFileSync(path.join(d, 'cpu.cfs_quota_us'), String(cpuQuotaUs(wants.cpu)));
    }
  } catch (e) {
    return fail(`cannot set the limits: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const dirs = leaves.map((l) => l.dir);
  return {
    ok: true,
    cgroup: {
      version: 'v1',
      dirs,
      pids: false,
      stats: () => {
        const oom = wants.memory !== undefined ? safeKeyValues(path.join(dirOf('memory'), 'memory.oom_control')) : {};
        const cpu = wants.cpu !== undefined ? safeKeyValues(path.join(dirOf('cpu'), 'cpu.stat')) : {};
        let usageMs: number | null = null;
        try {
          if (wants.cpu !== undefined) usageMs = Math.round(Number(read(path.join(dirOf('cpu'), 'cpuacct.usage')).trim()) / 1e6);
        } catch {
          // cpuacct is a hierarchy of its own here
        }
        return { oomKills: oom.oom_kill ?? 0, throttledPeriods: cpu.nr_throttled ?? 0, throttledMs: Math.round((cpu.throttled_time ?? 0) / 1e6), usageMs };
      },
      remove: () => removeLeaves(dirs, true),
    },
  };
}

function safeKeyValues(file: string): Record<string, number> {
  try {
    return parseKeyValues(read(file));
  } catch {
    return {};
  }
}

/** Kills whatever is still in the leaves, waits briefly for them to go, and removes them. */
export function removeLeaves(dirs: string[], kill: boolean): void {
  for (const dir of dirs) {
    if (kill) {
      // v2 since 5.14: one write kills the whole tree, including processes that fork meanwhile.
      try {
        fs.writeFileSync(path.join(dir, 'cgroup.kill'), '1');
      } catch {
        for (const pid of readPids(dir)) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // already gone
          }
        }
      }
    }
    // A killed process leaves the cgroup when it is reaped: a few short tries.
    for (let i = 0; i < 50; i++) {
      try {
        fs.rmdirSync(dir);
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') break;
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
      }
    }
  }
}

/**
 * Removes the empty `agentguard-*` cgroups a session that died without its cleanup (SIGKILL)
 * left in `parent`. Only old ones: a session's leaf is empty between its making and the agent's
 * start, and a cgroup that still holds a process refuses rmdir anyway (EBUSY).
 */
export function pruneStale(parent: string, olderThanMs = 10 * 60_000): void {
  let names: string[];
  try {
    names = fs.readdirSync(parent).filter((n) => n.startsWith('agentguard-'));
  } catch {
    return;
  }
  const before = Date.now() - olderThanMs;
  for (const n of names) {
    const dir = path.join(parent, n);
    try {
      if (fs.statSync(dir).mtimeMs < before) fs.rmdirSync(dir);
    } catch {
      // in use, or not ours to remove
    }
  }
}

function readPids(dir: string): number[] {
  try {
    return read(path.join(dir, 'cgroup.procs')).split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}
