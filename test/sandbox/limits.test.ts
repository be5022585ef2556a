// The pure parts of the machine limits: reading /proc's cgroup files, the values written to a
// cgroup, the flags' values; and makeCgroup's choices on a cgroup tree laid out in a temporary
// directory (real files, a fake mount table), so the v2 path is tested where the machine has none.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cgroupDir, cpuMax, cpuQuotaUs, makeCgroup, parseKeyValues, parseMountinfo, parseProcCgroup, pruneStale } from '../../src/sandbox/cgroup.js';
import { parseDuration } from '../../src/cli/duration.js';
import { applyLimits, describeAsked, formatSize, parseCpu, parseMemory } from '../../src/sandbox/limits.js';

const HYBRID = `31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct
35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw`;
const PURE_V2 = `22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw
35 24 0:30 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot`;
const COMBINED_V1 = `30 25 0:26 /docker/abc /sys/fs/cgroup/cpu,cpuacct ro,nosuid - cgroup cgroup rw,cpu,cpuacct
31 25 0:27 /docker/abc /sys/fs/cgroup/memory ro,nosuid - cgroup cgroup rw,memory`;

describe('reading /proc/self/mountinfo', () => {
  it('a hybrid hierarchy: v1 controllers by name, cgroup2 at unified, name= hierarchies ignored', () => {
    const m = parseMountinfo(HYBRID);
    expect(m.v2).toEqual({ dir: '/sys/fs/cgroup/unified', root: '/' });
    expect(m.v1.get('memory')).toEqual({ dir: '/sys/fs/cgroup/memory', root: '/' });
    expect(m.v1.get('cpu')?.dir).toBe('/sys/fs/cgroup/cpu');
    expect(m.v1.has('name=systemd')).toBe(false);
    expect(m.v1.has('rw')).toBe(false);
  });
  it('pure v2 (optional fields before the separator)', () => {
    const m = parseMountinfo(PURE_V2);
    expect(m.v2).toEqual({ dir: '/sys/fs/cgroup', root: '/' });
    expect(m.v1.size).toBe(0);
  });
  it('cpu and cpuacct on one mount, with a container root', () => {
    const m = parseMountinfo(COMBINED_V1);
    expect(m.v1.get('cpu')).toEqual({ dir: '/sys/fs/cgroup/cpu,cpuacct', root: '/docker/abc' });
    expect(m.v1.get('cpuacct')).toEqual(m.v1.get('cpu'));
  });
  it('octal escapes in mount points', () => {
    expect(parseMountinfo('41 31 0:38 / /mnt/c\\040g rw - cgroup2 cgroup2 rw').v2?.dir).toBe('/mnt/c g');
  });
});

describe('reading /proc/self/cgroup', () => {
  it('v2 and v1 lines, comma-joined controllers', () => {
    const own = parseProcCgroup('12:cpu,cpuacct:/a\n4:memory:/process_api/b4\n1:name=systemd:/\n0::/user.slice/user-1000.slice/user@1000.service/app.slice/x.scope\n');
    expect(own.v2).toBe('/user.slice/user-1000.slice/user@1000.service/app.slice/x.scope');
    expect(own.v1.get('memory')).toBe('/process_api/b4');
    expect(own.v1.get('cpu')).toBe('/a');
    expect(own.v1.get('cpuacct')).toBe('/a');
  });
  it('no v2 line on a pure v1 system', () => {
    expect(parseProcCgroup('4:memory:/\n').v2).toBeNull();
  });
  it('our directory: the mount point plus our path below the mount root', () => {
    expect(cgroupDir({ dir: '/sys/fs/cgroup', root: '/' }, '/user.slice/a.scope')).toBe('/sys/fs/cgroup/user.slice/a.scope');
    expect(cgroupDir({ dir: '/sys/fs/cgroup/unified', root: '/' }, '/')).toBe('/sys/fs/cgroup/unified');
    expect(cgroupDir({ dir: '/sys/fs/cgroup/memory', root: '/docker/abc' }, '/docker/abc/sub')).toBe('/sys/fs/cgroup/memory/sub');
  });
});

describe('values written to a cgroup', () => {
  it.each([
    [1.5, '150000 100000'],
    [0.5, '50000 100000'],
    [2, '200000 100000'],
    [0.001, '1000 100000'], // the kernel's minimum quota
  ])('%s cores → cpu.max %s', (cores, value) => {
    expect(cpuMax(cores)).toBe(value);
    expect(cpuQuotaUs(cores)).toBe(Number(value.split(' ')[0]));
  });
  it('memory.events, cpu.stat and memory.oom_control read as numbers', () => {
    expect(parseKeyValues('low 0\nhigh 0\nmax 12\noom 1\noom_kill 1\noom_group_kill 0\n')).toMatchObject({ max: 12, oom_kill: 1 });
    expect(parseKeyValues('oom_kill_disable 0\nunder_oom 0\noom_kill 3\n').oom_kill).toBe(3);
    expect(parseKeyValues('usage_usec 5000\nnr_throttled 4\nthrottled_usec 900\n')).toEqual({ usage_usec: 5000, nr_throttled: 4, throttled_usec: 900 });
  });
});

describe('flag values', () => {
  it.each([
    ['1.5', 4, 1.5],
    ['50%', 4, 2],
    ['25%', 2, 0.5],
    ['all', 4, undefined],
  ])('--max-cpu %s on %i cores → %s', (flag, cores, want) => {
    expect(parseCpu(flag, cores)).toBe(want);
  });
  it.each(['0', 'x', '-1', '1.5 cores', '%'])('--max-cpu %s is refused with what to write', (flag) => {
    expect(() => parseCpu(flag, 2)).toThrow(/number of cores \(1\.5\) or a share/);
  });
  it('--max-memory: sizes, off, and a figure too small to be meant', () => {
    expect(parseMemory('200M')).toBe(200 * 1024 ** 2);
    expect(parseMemory('8G')).toBe(8 * 1024 ** 3);
    expect(parseMemory('0')).toBeUndefined();
    expect(parseMemory('off')).toBeUndefined();
    expect(() => parseMemory('200')).toThrow(/did you mean 200M/);
  });
  it.each([
    ['3s', 3],
    ['90', 90],
    ['15m', 900],
    ['1h30m', 5400],
    ['500ms', 0.5],
  ])('duration %s → %s s', (flag, s) => {
    expect(parseDuration(flag, { bareSeconds: true })).toBe(s * 1000);
  });
  it.each(['', 'soon', '3x', '1h 30m'])('duration %j is refused', (flag) => {
    expect(() => parseDuration(flag, { bareSeconds: true })).toThrow(/not a duration/);
  });
  it('a bare number is a duration only where seconds are meant (shell flags), not for log --since', () => {
    expect(() => parseDuration('90')).toThrow(/not a duration/);
    expect(parseDuration('7d')).toBe(7 * 8.64e7);
    expect(parseDuration('2 h')).toBe(7.2e6);
  });
  it('sizes as people read them', () => {
    expect(formatSize(8 * 1024 ** 3)).toBe('8 GiB');
    expect(formatSize(200 * 1024 ** 2)).toBe('200 MiB');
    expect(formatSize(1536 * 1024 ** 2)).toBe('1.5 GiB');
  });
});

/** A cgroup tree as plain files: each directory with its cgroup.* files. */
function fakeTree() {
  const base = fs.mkdtempSync(path.join(fs.existsSync('/var/tmp') ? '/var/tmp' : '/tmp', 'agentguard-cgtree-'));
  const dir = (rel: string, files: Record<string, string>) => {
    const d = path.join(base, rel);
    fs.mkdirSync(d, { recursive: true });
    for (const [f, text] of Object.entries(files)) fs.writeFileSync(path.join(d, f), text);
    return d;
  };
  return { base, dir };
}

describe('makeCgroup on a cgroup tree in a temporary directory', () => {
  const bases: string[] = [];
  afterEach(() => {
    for (const b of bases.splice(0)) fs.rmSync(b, { recursive: true, force: true });
  });

  it('v2 with delegation: a leaf in our own cgroup when it already hands memory and cpu to children', () => {
    const t = fakeTree();
    bases.push(t.base);
    t.dir('v2/user.slice/app.scope', { 'cgroup.controllers': 'cpu memory pids\n', 'cgroup.subtree_control': 'cpu memory pids\n', 'cgroup.procs': '1\n' });
    const r = makeCgroup({ memory: 200 * 1024 ** 2, cpu: 1.5, pids: 64 }, 'abc', { mountinfo: `35 24 0:30 / ${t.base}/v2 rw - cgroup2 cgroup2 rw`, procCgroup: '0::/user.slice/app.scope\n' });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const leaf = path.join(t.base, 'v2/user.slice/app.scope/agentguard-abc');
    expect(r.cgroup.version).toBe('v2');
    expect(r.cgroup.dirs).toEqual([leaf]);
    expect(fs.readFileSync(path.join(leaf, 'memory.max'), 'utf8')).toBe(String(200 * 1024 ** 2));
    expect(fs.readFileSync(path.join(leaf, 'cpu.max'), 'utf8')).toBe('150000 100000');
    expect(fs.readFileSync(path.join(leaf, 'pids.max'), 'utf8')).toBe('64');
    expect(r.cgroup.pids).toBe(true);
    fs.writeFileSync(path.join(leaf, 'memory.events'), 'oom 2\noom_kill 2\n');
    fs.writeFileSync(path.join(leaf, 'cpu.stat'), 'usage_usec 4000000\nnr_throttled 7\nthrottled_usec 2500000\n');
    expect(r.cgroup.stats()).toEqual({ oomKills: 2, throttledPeriods: 7, throttledMs: 2500, usageMs: 4000 });
  });

  it("v2: our own cgroup cannot hand controllers to children (it holds processes), so the leaf goes beside it, in the parent", () => {
    const t = fakeTree();
    bases.push(t.base);
    const parent = t.dir('v2/user.slice/app.slice', { 'cgroup.controllers': 'cpu memory pids\n', 'cgroup.subtree_control': '\n', 'cgroup.procs': '' });
    const own = t.dir('v2/user.slice/app.slice/term.scope', { 'cgroup.controllers': 'cpu memory\n', 'cgroup.procs': '1\n' });
    // Reading says nothing is enabled; writing fails, as the kernel's EBUSY would.
    fs.symlinkSync('/proc/version', path.join(own, 'cgroup.subtree_control'));
    const r = makeCgroup({ memory: 1024 ** 3, cpu: 1 }, 'abc', { mountinfo: `35 24 0:30 / ${t.base}/v2 rw - cgroup2 cgroup2 rw`, procCgroup: '0::/user.slice/app.slice/term.scope\n' });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.cgroup.dirs).toEqual([path.join(parent, 'agentguard-abc')]);
    // The parent's controllers were turned on for its children.
    expect(fs.readFileSync(path.join(parent, 'cgroup.subtree_control'), 'utf8')).toBe('+memory +cpu');
  });

  it('v2 without the memory controller (a hybrid system): v1 leaves under our own cgroups, nothing left in v2', () => {
    const t = fakeTree();
    bases.push(t.base);
    const unified = t.dir('unified', { 'cgroup.controllers': 'hugetlb\n', 'cgroup.subtree_control': '\n', 'cgroup.procs': '1\n' });
    const mem = t.dir('memory/process_api/b4', { 'cgroup.procs': '1\n' });
    const cpu = t.dir('cpu', { 'cgroup.procs': '1\n' });
    const mountinfo = [`41 31 0:38 / ${unified} rw - cgroup2 cgroup2 rw`, `35 31 0:32 / ${t.base}/memory rw - cgroup cgroup rw,memory`, `32 31 0:29 / ${cpu} rw - cgroup cgroup rw,cpu`].join('\n');
    const r = makeCgroup({ memory: 200 * 1024 ** 2, cpu: 0.5 }, 'abc', { mountinfo, procCgroup: '4:memory:/process_api/b4\n1:cpu:/\n0::/\n' });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.cgroup.version).toBe('v1');
    expect(r.cgroup.dirs).toEqual([path.join(mem, 'agentguard-abc'), path.join(cpu, 'agentguard-abc')]);
    expect(fs.readFileSync(path.join(mem, 'agentguard-abc', 'memory.limit_in_bytes'), 'utf8')).toBe(String(200 * 1024 ** 2));
    expect(fs.readFileSync(path.join(cpu, 'agentguard-abc', 'cpu.cfs_quota_us'), 'utf8')).toBe('50000');
    expect(fs.readFileSync(path.join(cpu, 'agentguard-abc', 'cpu.cfs_period_us'), 'utf8')).toBe('100000');
    expect(fs.readdirSync(unified).some((f) => f.startsWith('agentguard-'))).toBe(false);
  });

  it('no cgroup at all: the reason names each hierarchy and what was missing', () => {
    const t = fakeTree();
    bases.push(t.base);
    const unified = t.dir('unified', { 'cgroup.controllers': 'hugetlb\n', 'cgroup.subtree_control': '\n', 'cgroup.procs': '' });
    const r = makeCgroup({ memory: 1024 ** 3 }, 'abc', { mountinfo: `41 31 0:38 / ${unified} rw - cgroup2 cgroup2 rw`, procCgroup: '0::/\n' });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.reason).toContain(`${unified} has no memory controller (available: hugetlb)`);
    expect(r.reason).toContain('cgroup v1: no memory hierarchy mounted');
  });
});

describe('applyLimits without a cgroup: per-command rlimits for the shim, said at start', () => {
  const noCgroup = () => ({ ok: false as const, reason: 'test: none' });
  it('memory becomes RLIMIT_DATA and --max-cpu RLIMIT_CPU, with the reason', () => {
    const a = applyLimits({ maxProcesses: 64, maxFileSize: 1024 ** 2, maxMemory: 200 * 1024 ** 2, maxCpu: 1 }, 'abc', { makeCgroup: noCgroup });
    try {
      expect(a.env.AGENTGUARD_RLIMITS).toBe(`data=${200 * 1024 ** 2},cpu=3600`);
      expect(a.memory).toMatch(/^memory: per-command rlimit 200 MiB \(RLIMIT_DATA .*no cgroup could be made: test: none\)$/);
      expect(a.cpu).toMatch(/--max-cpu 1 core NOT in force .* 1h of CPU \(RLIMIT_CPU\)/);
      // A command stopped by SIGXCPU, and one whose largest process came up to the memory limit.
      expect(a.commandEnded(128 + 24)).toMatchObject({ limit: 'command-cpu', via: 'rlimit', status: 152 });
      expect(a.commandEnded(1, 190 * 1024)).toMatchObject({ limit: 'memory', via: 'rlimit', maxRssKiB: 190 * 1024 });
      expect(a.commandEnded(0, 20 * 1024)).toBeNull();
      expect(a.finish(0)).toEqual([]);
    } finally {
      a.cleanup();
    }
  });
  it('--max-command-cpu applies with no other limit; nothing when nothing is asked', () => {
    const a = applyLimits({ maxProcesses: 64, maxFileSize: 1024 ** 2, maxCommandCpu: 90 }, 'abd', { makeCgroup: noCgroup });
    a.cleanup();
    expect(a.env).toEqual({ AGENTGUARD_RLIMITS: 'cpu=90' });
    expect(a.cpu).toContain('each command may use 90s of CPU');
    const none = applyLimits({ maxProcesses: 64, maxFileSize: 1024 ** 2 }, 'abe', { makeCgroup: noCgroup });
    none.cleanup();
    expect(none.env).toEqual({});
  });
});

describe('--dry-run says what is asked', () => {
  it('every figure, with the session time in the units people write', () => {
    expect(describeAsked({ maxProcesses: 64, maxFileSize: 1024 ** 3, maxMemory: 8 * 1024 ** 3, maxCpu: 1.5, maxCommandCpu: 90 }, 5400_000)).toBe('memory 8 GiB, cpu 1.5 cores, 90s of CPU per command, 64 processes, files up to 1 GiB, session ends after 1h30m');
    expect(describeAsked({ maxProcesses: 64, maxFileSize: 1024 ** 3 })).toBe('memory no limit, cpu all cores, 64 processes, files up to 1 GiB');
  });
});

describe('cgroups a killed session left behind', () => {
  it('old empty agentguard-* directories are removed, recent ones and other names kept', () => {
    const t = fakeTree();
    try {
      const old = t.dir('p/agentguard-old', {});
      const recent = t.dir('p/agentguard-recent', {});
      const other = t.dir('p/user.slice', {});
      const full = t.dir('p/agentguard-full', { 'cgroup.procs': '1\n' });
      const past = new Date(Date.now() - 3600_000);
      for (const d of [old, other, full]) fs.utimesSync(d, past, past);
      pruneStale(path.join(t.base, 'p'));
      expect([old, recent, other, full].map((d) => fs.existsSync(d))).toEqual([false, true, true, true]);
    } finally {
      fs.rmSync(t.base, { recursive: true, force: true });
    }
  });
});
