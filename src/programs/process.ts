// Programs that run one command with a different priority, CPU set, resource limit,
// session, time limit, buffering, lock, identity, sandbox or proxy: nice, ionice, chrt,
// taskset, numactl, prlimit, choom, cgexec, nohup, setsid, timeout, stdbuf, flock, time,
// unbuffer, caffeinate, catchsegv, rlwrap, fakeroot, eatmydata, setarch, ifne, chronic,
// systemd-inhibit, dbus-run-session, xvfb-run, ssh-agent, firejail, flatpak-spawn, torsocks,
// proxychains. The command is an argv after their options.
import { parseOptions, type OptionSpec } from './options.js';
import type { ProgramSpec, Run } from './types.js';
import { lit, runner, scriptRuns, unknownOptions } from './words.js';

/** A wrapper whose operands after `skip` leading ones are the command. */
function prefix(name: string, spec: OptionSpec, skip = 0, refuse?: (flags: string[]) => boolean, oldStyle?: RegExp): ProgramSpec {
  const options: OptionSpec = { ...spec, complete: spec.complete ?? true, stopAtPositional: true };
  return {
    names: [name],
    options,
    runs(all): Run[] {
      // nice -10 COMMAND: the historical form of -n 10.
      const args = oldStyle && all[0]?.value && oldStyle.test(all[0].value) ? all.slice(1) : all;
      const o = parseOptions(args, options);
      if (o.unknown.length) return unknownOptions(name, o.unknown);
      if (refuse?.(o.flags)) return [];
      const rest = o.positionals.slice(skip);
      return rest.length ? [{ kind: 'argv', argv: rest }] : [];
    },
  };
}

const NONE: OptionSpec = { flags: ['--help', '--version'] };

export const nice = prefix('nice', { takesValue: ['-n', '--adjustment'], flags: ['--help', '--version'] }, 0, undefined, /^-[-+]?\d+$/);
export const nohup = prefix('nohup', NONE);
export const setsid = prefix('setsid', { flags: ['-c', '--ctty', '-f', '--fork', '-w', '--wait', '-h', '--help', '-V', '--version'] });
export const timeout = prefix('timeout', { takesValue: ['-s', '--signal', '-k', '--kill-after'], flags: ['-p', '--preserve-status', '-f', '--foreground', '-v', '--verbose', '--help', '--version'] }, 1);
export const stdbuf = prefix('stdbuf', { takesValue: ['-i', '--input', '-o', '--output', '-e', '--error'], flags: ['--help', '--version'] });
export const time: ProgramSpec = {
  ...prefix('time', { takesValue: ['-f', '--format', '-o', '--output'], flags: ['-a', '--append', '-p', '--portability', '-v', '--verbose', '-q', '--quiet', '--help', '-V', '--version'] }),
  // GNU time -o FILE writes its report there (truncating it without -a).
  effects(a, out) {
    for (const v of a.values(['-o', '--output'])) out.writes.push(v);
  },
};
export const ionice = prefix(
  'ionice',
  { takesValue: ['-c', '--class', '-n', '--classdata', '-p', '--pid', '-P', '--pgid', '-u', '--uid'], flags: ['-t', '--ignore', '-h', '--help', '-V', '--version'] },
  0,
  (f) => f.some((x) => ['-p', '--pid', '-P', '--pgid', '-u', '--uid'].includes(x)),
);
// chrt [options] PRIORITY COMMAND | chrt -p [PRIORITY] PID
export const chrt = prefix(
  'chrt',
  { takesValue: ['-T', '--sched-runtime', '-P', '--sched-period', '-D', '--sched-deadline'], flags: ['-a', '--all-tasks', '-b', '--batch', '-d', '--deadline', '-e', '--ext', '-f', '--fifo', '-i', '--idle', '-o', '--other', '-r', '--rr', '-R', '--reset-on-fork', '-m', '--max', '-p', '--pid', '-v', '--verbose', '-h', '--help', '-V', '--version'] },
  1,
  (f) => f.some((x) => x === '-p' || x === '--pid' || x === '-m' || x === '--max'),
);
// taskset [options] MASK COMMAND | taskset -p [MASK] PID
export const taskset = prefix(
  'taskset',
  { flags: ['-a', '--all-tasks', '-c', '--cpu-list', '-p', '--pid', '-h', '--help', '-V', '--version'] },
  1,
  (f) => f.some((x) => x === '-p' || x === '--pid'),
);
export const unbuffer = prefix('unbuffer', { flags: ['-p'] });
export const caffeinate = prefix('caffeinate', { takesValue: ['-t', '-w'], flags: ['-d', '-i', '-m', '-s', '-u'] });
export const catchsegv = prefix('catchsegv', NONE);
// rlwrap(1): -a, -m and -p take an optional attached value; -z runs a filter program
// (code from elsewhere), so a command under a filter is not analysed.
const RLWRAP: OptionSpec = {
  takesValue: ['-b', '--break-chars', '-C', '--command-name', '-D', '--history-no-dupes', '-e', '--extra-char-after-completion', '-f', '--file', '-g', '--forget-matching', '-H', '--history-filename', '-l', '--logfile', '-M', '--multi-line-ext', '-O', '--only-cook', '-P', '--pre-given', '-q', '--quote-characters', '-s', '--histsize', '-S', '--substitute-prompt', '-t', '--set-term-name', '-w', '--wait-before-prompt', '-z', '--filter'],
  optionalValue: ['-a', '--always-readline', '-m', '--multi-line', '-p', '--prompt-colour'],
  flags: ['-A', '--ansi-colour-aware', '-c', '--complete-filenames', '-E', '--always-echo', '-i', '--case-insensitive', '-I', '--pass-sigint-as-sigterm', '-n', '--no-warnings', '-N', '--no-children', '-o', '--one-shot', '-r', '--remember', '-R', '--renice', '-U', '--mirror-arguments', '-W', '--polling', '-X', '--skip-setctty', '-v', '--version', '-h', '--help'],
  complete: true,
  stopAtPositional: true,
};

export const rlwrap: ProgramSpec = runner({
  names: ['rlwrap'],
  options: RLWRAP,
  run(o): Run[] {
    if (o.values.has('-z') || o.values.has('--filter')) return [{ kind: 'opaque', reason: 'rlwrap runs a filter program (-z) agentguard does not read' }];
    return o.positionals.length ? [{ kind: 'argv', argv: o.positionals }] : [];
  },
});

// flock [options] FILE|DIR COMMAND [ARGS…] | flock [options] FILE|DIR -c COMMAND | flock [options] FD
const FLOCK: OptionSpec = {
  takesValue: ['-w', '--timeout', '-E', '--conflict-exit-code', '-c', '--command'],
  flags: ['-s', '--shared', '-x', '-e', '--exclusive', '-u', '--unlock', '-n', '--nb', '--nonblock', '-o', '--close', '-F', '--no-fork', '--verbose', '-h', '--help', '-V', '--version'],
  complete: true,
};

const FLOCK_HEAD: OptionSpec = { ...FLOCK, stopAtPositional: true };

export const flock: ProgramSpec = {
  names: ['flock'],
  options: FLOCK,
  runs(args) {
    // Options stop at FILE ("+" in flock's optstring); then `-c COMMAND` or the command's argv.
    const o = parseOptions(args, FLOCK_HEAD);
    if (o.unknown.length) return unknownOptions('flock', o.unknown);
    const rest = o.positionals.slice(1);
    const c = [...(o.values.get('-c') ?? []), ...(o.values.get('--command') ?? [])];
    if (rest[0]?.value === '-c' || rest[0]?.value === '--command') c.push(rest[1]?.value ?? null);
    else if (rest.length) return [{ kind: 'argv', argv: rest }];
    return scriptRuns(c, 'flock -c');
  },
};

// numactl(8): "+" in its optstring; policies take a node or CPU list.
export const numactl = prefix('numactl', {
  takesValue: ['-i', '--interleave', '-w', '--weighted-interleave', '-p', '--preferred', '-P', '--preferred-many', '-m', '--membind', '-C', '--physcpubind', '-N', '--cpunodebind', '-L', '--length', '-o', '--offset', '-M', '--mode', '-f', '--file', '--shmid', '-T'],
  flags: ['-a', '--all', '-b', '--balancing', '-l', '--localalloc', '-s', '--show', '-H', '--hardware', '-S', '--shm', '-V', '--verify', '-t', '--huge', '-u', '--touch', '-d', '--dump', '-D', '--dump-nodes', '-h', '--help'],
});
// prlimit(1): each limit takes an optional attached value; -p PID changes a running process.
const PRLIMIT_LIMITS = ['c', 'd', 'e', 'f', 'i', 'l', 'm', 'n', 'q', 'r', 's', 't', 'u', 'v', 'x', 'y'];
export const prlimit = prefix(
  'prlimit',
  {
    takesValue: ['-p', '--pid', '-o', '--output'],
    optionalValue: [...PRLIMIT_LIMITS.map((l) => `-${l}`), '--core', '--data', '--nice', '--fsize', '--sigpending', '--memlock', '--rss', '--nofile', '--msgqueue', '--rtprio', '--stack', '--cpu', '--nproc', '--as', '--locks', '--rttime'],
    flags: ['--noheadings', '--raw', '--verbose', '-h', '--help', '-V', '--version'],
  },
  0,
  (f) => f.includes('-p') || f.includes('--pid'),
);
// choom(1): -n ADJUST [--] COMMAND, or -p PID.
export const choom = prefix('choom', { takesValue: ['-n', '--adjust', '-p', '--pid'], flags: ['-h', '--help', '-V', '--version'] }, 0, (f) => f.includes('-p') || f.includes('--pid'));
// cgexec(1) (libcgroup).
export const cgexec = prefix('cgexec', { takesValue: ['-g'], flags: ['--sticky', '-h', '--help'] });
// eatmydata(1), ifne(1) and chronic(1) (moreutils): a command after their few flags.
export const eatmydata = prefix('eatmydata', { flags: ['--help', '--version'] });
export const ifne = prefix('ifne', { flags: ['-n'] });
export const chronic = prefix('chronic', { flags: ['-e', '-v'] });
// systemd-inhibit(1).
export const systemdInhibit = prefix('systemd-inhibit', { takesValue: ['--what', '--who', '--why', '--mode'], flags: ['--list', '--no-pager', '--no-legend', '-h', '--help', '--version'] }, 0, (f) => f.includes('--list'));
// xvfb-run(1).
export const xvfbRun = prefix('xvfb-run', { takesValue: ['-e', '--error-file', '-f', '--auth-file', '-n', '--server-num', '-p', '--xauth-protocol', '-s', '--server-args'], flags: ['-a', '--auto-servernum', '-l', '--listen-tcp', '-h', '--help'] });
// ssh-agent(1): with a command, runs it with the agent's variables set; -k/-l/-D do not.
export const sshAgent = prefix('ssh-agent', { takesValue: ['-a', '-E', '-O', '-P', '-t'], flags: ['-c', '-s', '-D', '-d', '-k', '-T'] }, 0, (f) => f.includes('-k'));
// torsocks(1) and proxychains(1): the command's connections go through a proxy.
export const torsocks = prefix('torsocks', { takesValue: ['-u', '--user', '-p', '--pass', '-a', '--address', '-P', '--port'], flags: ['-i', '--isolate', '-d', '--debug', '-q', '--quiet', '--shell', '-h', '--help', '--version'] });
export const proxychains: ProgramSpec = { ...prefix('proxychains', { takesValue: ['-f'], flags: ['-q', '-h'] }), names: ['proxychains', 'proxychains4'] };

// fakeroot(1): --faked and --lib name programs it loads or runs in place of its own.
const FAKEROOT: OptionSpec = { takesValue: ['-l', '--lib', '--faked', '-s', '-i', '-b'], flags: ['-u', '--unknown-is-real', '-h', '--help', '-v', '--version'], complete: true, stopAtPositional: true };
export const fakeroot: ProgramSpec = runner({
  names: ['fakeroot', 'fakeroot-sysv', 'fakeroot-tcp'],
  options: FAKEROOT,
  run(o): Run[] {
    if (['-l', '--lib', '--faked'].some((f) => o.values.has(f))) return [{ kind: 'opaque', reason: 'fakeroot loads a library or daemon it is told to (--lib, --faked)' }];
    return o.positionals.length ? [{ kind: 'argv', argv: o.positionals }] : [];
  },
});

// dbus-run-session(1): --dbus-daemon names the daemon it starts.
const DBUS_RUN: OptionSpec = { takesValue: ['--config-file', '--dbus-daemon'], flags: ['--help', '--version'], complete: true, stopAtPositional: true };
export const dbusRunSession: ProgramSpec = runner({
  names: ['dbus-run-session'],
  options: DBUS_RUN,
  run(o): Run[] {
    if (o.values.has('--dbus-daemon')) return [{ kind: 'opaque', reason: 'dbus-run-session starts a daemon it is given (--dbus-daemon)' }];
    return o.positionals.length ? [{ kind: 'argv', argv: o.positionals }] : [];
  },
});

// setarch(8) ARCH [options] [COMMAND]; linux32, linux64, i386, x86_64 … are setarch without ARCH.
const SETARCH: OptionSpec = {
  flags: ['-B', '--32bit', '-F', '--fdpic-funcptrs', '-I', '--short-inode', '-L', '--addr-compat-layout', '-R', '--addr-no-randomize', '-S', '--whole-seconds', '-T', '--sticky-timeouts', '-X', '--read-implies-exec', '-Z', '--mmap-page-zero', '-3', '--3gb', '--4gb', '--uname-2.6', '-v', '--verbose', '--list', '--show', '-h', '--help', '-V', '--version'],
  complete: true,
  stopAtPositional: true,
};
function personality(names: string[], archFirst: boolean): ProgramSpec {
  return {
    names,
    options: SETARCH,
    runs(args): Run[] {
      const skip = archFirst && !(args[0]?.value ?? '').startsWith('-') ? 1 : 0;
      const o = parseOptions(args.slice(skip), SETARCH);
      if (o.unknown.length) return unknownOptions(names[0], o.unknown);
      if (o.flags.includes('--list') || o.flags.includes('--show')) return [];
      return o.positionals.length ? [{ kind: 'argv', argv: o.positionals }] : [];
    },
  };
}
export const setarch = personality(['setarch'], true);
export const linux32 = personality(['linux32', 'linux64', 'i386', 'i686', 'x86_64', 'aarch64', 'arm64'], false);

// firejail(1) and flatpak-spawn(1): every firejail option is one word (--name or --name=value),
// so options end at the first word without a dash and none can swallow the command. A
// profile (--profile=FILE) or a joined sandbox run what they say, which is not read here.
export const firejail: ProgramSpec = {
  names: ['firejail'],
  runs(args): Run[] {
    let i = 0;
    for (; i < args.length; i++) {
      const v = args[i].value;
      if (v === null) return [{ kind: 'opaque', reason: 'firejail is given a word only known at run time where an option may stand' }];
      if (v === '--') {
        i++;
        break;
      }
      if (!v.startsWith('-')) break;
      if (/^--(profile|include|join|join-or-start|shell|build|appimage|x11|allusers|trace|tracelog|list|tree|top|netstats|shutdown|ls|get|put|dbus-\w+-call|audit)\b/.test(v)) return [{ kind: 'opaque', reason: `firejail ${v} runs what agentguard does not read` }];
    }
    const rest = args.slice(i);
    return rest.length ? [{ kind: 'argv', argv: rest }] : [];
  },
};

const FLATPAK_SPAWN: OptionSpec = {
  takesValue: ['--sandbox-expose', '--sandbox-expose-ro', '--sandbox-expose-path', '--sandbox-expose-path-ro', '--sandbox-flag', '--forward-fd', '--env', '--unset-env', '--directory', '--app-path', '--usr-path'],
  flags: ['--host', '--clear-env', '--latest-version', '--no-network', '--sandbox', '--watch-bus', '--expose-pids', '--share-pids', '--verbose', '-v', '-h', '--help'],
  complete: true,
  stopAtPositional: true,
};
export const flatpakSpawn: ProgramSpec = runner({
  names: ['flatpak-spawn'],
  options: FLATPAK_SPAWN,
  run(o): Run[] {
    const dir = o.values.get('--directory')?.pop();
    if (dir === null) return [{ kind: 'opaque', reason: 'flatpak-spawn runs its command in a directory only known at run time' }];
    return o.positionals.length ? [{ kind: 'argv', argv: o.positionals, chdir: dir === undefined ? undefined : lit(dir) }] : [];
  },
});

export const programs = [nice, nohup, setsid, timeout, stdbuf, time, ionice, chrt, taskset, unbuffer, caffeinate, catchsegv, rlwrap, flock, numactl, prlimit, choom, cgexec, eatmydata, ifne, chronic, systemdInhibit, xvfbRun, sshAgent, torsocks, proxychains, fakeroot, dbusRunSession, setarch, linux32, firejail, flatpakSpawn];
