// Programs that run a command in another root or namespace: chroot, unshare, nsenter, bwrap
// and `ip netns exec`. The command is an argv after their options; a new root (chroot, unshare --root) is
// where its relative paths start. bwrap's own file system is read from its binds: when a bind
// moves a host directory somewhere else, the command's paths are not the host's (opaque).
import type { Word } from '../shell/types.js';
import type { OptionSpec } from './options.js';
import type { ProgramSpec, Run } from './types.js';
import { lit, runner, unknownOptions } from './words.js';

const CHROOT: OptionSpec = { takesValue: ['--userspec', '--groups'], flags: ['--skip-chdir', '--help', '--version'], complete: true, stopAtPositional: true };

export const chroot: ProgramSpec = runner({
  names: ['chroot'],
  options: CHROOT,
  run(o): Run[] {
    const rest = o.positionals;
    // No command: the shell ($SHELL -i) in the new root.
    return rest.length > 1 ? [{ kind: 'argv', argv: rest.slice(1), chdir: rest[0] }] : [];
  },
});

const NAMESPACES = ['-m', '--mount', '-u', '--uts', '-i', '--ipc', '-n', '--net', '-p', '--pid', '-U', '--user', '-C', '--cgroup', '-T', '--time'];

/** unshare(1), util-linux 2.39: short namespace options take no value, their long forms an optional file. */
const UNSHARE: OptionSpec = {
  takesValue: ['--propagation', '--setgroups', '-R', '--root', '-w', '--wd', '-S', '--setuid', '-G', '--setgid', '--map-user', '--map-group', '--map-users', '--map-groups', '--monotonic', '--boottime', '-l', '--load-interp'],
  optionalValue: ['--mount', '--uts', '--ipc', '--net', '--pid', '--user', '--cgroup', '--time', '--kill-child', '--mount-proc', '--mount-binfmt'],
  flags: [...NAMESPACES.filter((n) => !n.startsWith('--')), '-f', '--fork', '-r', '--map-root-user', '-c', '--map-current-user', '--map-auto', '--keep-caps', '-h', '--help', '-V', '--version'],
  complete: true,
  stopAtPositional: true,
};

export const unshare: ProgramSpec = runner({
  names: ['unshare'],
  options: UNSHARE,
  run(o): Run[] {
    if (!o.positionals.length) return [];
    const root = [...(o.values.get('-R') ?? []), ...(o.values.get('--root') ?? [])].pop();
    const wd = [...(o.values.get('-w') ?? []), ...(o.values.get('--wd') ?? [])].pop();
    if (root === null || wd === null) return [{ kind: 'opaque', reason: 'unshare runs its command in a root or directory only known at run time' }];
    const chdir = wd !== undefined ? lit(root !== undefined && wd.startsWith('/') ? `${root}/${wd}` : wd) : root !== undefined ? lit(root) : undefined;
    return [{ kind: 'argv', argv: o.positionals, chdir }];
  },
});

/** nsenter(1), util-linux 2.39: "+ahVt:m::u::i::n::p::C::U::T::S:G:r::w::W::ecFZ". */
const NSENTER: OptionSpec = {
  takesValue: ['-t', '--target', '-S', '--setuid', '-G', '--setgid', '-W', '--wdns', '-N', '--net-socket'],
  optionalValue: [...NAMESPACES, '-r', '--root', '-w', '--wd'],
  flags: ['-a', '--all', '--preserve-credentials', '-e', '--env', '-c', '--join-cgroup', '-F', '--no-fork', '-Z', '--follow-context', '--keep-caps', '-h', '--help', '-V', '--version'],
  complete: true,
  stopAtPositional: true,
};

export const nsenter: ProgramSpec = runner({
  names: ['nsenter'],
  options: NSENTER,
  run(o): Run[] {
    if (!o.positionals.length) return [];
    // -r/-w with a directory: that root or cwd; without one, the target process's (unknown here).
    const root = [...(o.values.get('-r') ?? []), ...(o.values.get('--root') ?? [])].pop();
    const wd = [...(o.values.get('-w') ?? []), ...(o.values.get('--wd') ?? []), ...(o.values.get('-W') ?? []), ...(o.values.get('--wdns') ?? [])].pop();
    const bare = ['-r', '--root', '-w', '--wd'].some((f) => o.flags.includes(f) && !o.values.has(f));
    if (root === null || wd === null) return [{ kind: 'opaque', reason: 'nsenter runs its command in a root or directory only known at run time' }];
    const dir = wd ?? root;
    if (bare && dir === undefined) return [{ kind: 'argv', argv: o.positionals, chdir: { value: null, raw: 'the target process’s directory', glob: false } }];
    return [{ kind: 'argv', argv: o.positionals, chdir: dir !== undefined ? lit(dir) : undefined }];
  },
});

/** bwrap(1) options by how many words follow them. */
const BWRAP_ONE = [
  '--args', '--argv0', '--userns', '--userns2', '--pidns', '--uid', '--gid', '--hostname', '--chdir', '--unsetenv', '--lock-file', '--sync-fd', '--remount-ro', '--exec-label', '--file-label', '--proc', '--dev', '--tmpfs', '--mqueue', '--dir', '--seccomp', '--add-seccomp-fd', '--block-fd', '--userns-block-fd', '--info-fd', '--json-status-fd', '--cap-add', '--cap-drop', '--perms', '--size', '--overlay-src', '--tmp-overlay', '--ro-overlay',
];
const BWRAP_TWO = ['--bind', '--bind-try', '--ro-bind', '--ro-bind-try', '--dev-bind', '--dev-bind-try', '--bind-fd', '--ro-bind-fd', '--setenv', '--symlink', '--file', '--bind-data', '--ro-bind-data', '--chmod'];
const BWRAP_THREE = ['--overlay'];
const BWRAP_FLAGS = new Set(['--help', '--version', '--level-prefix', '--unshare-all', '--share-net', '--unshare-user', '--unshare-user-try', '--unshare-ipc', '--unshare-pid', '--unshare-net', '--unshare-uts', '--unshare-cgroup', '--unshare-cgroup-try', '--disable-userns', '--assert-userns-disabled', '--clearenv', '--new-session', '--die-with-parent', '--as-pid-1']);
const BWRAP_ARITY = new Map<string, number>([...BWRAP_ONE.map((n) => [n, 1] as const), ...BWRAP_TWO.map((n) => [n, 2] as const), ...BWRAP_THREE.map((n) => [n, 3] as const)]);
/** Options that show a host path (or descriptor) at a path inside: only the identity keeps the command's paths the host's. */
const REMAPS = new Set(['--bind', '--bind-try', '--ro-bind', '--ro-bind-try', '--dev-bind', '--dev-bind-try', '--bind-fd', '--ro-bind-fd', '--symlink']);

export const bwrap: ProgramSpec = {
  names: ['bwrap'],
  options: { takesValue: BWRAP_ONE, flags: [...BWRAP_FLAGS], complete: false, stopAtPositional: true },
  runs(args): Run[] {
    let i = 0;
    let chdir: Word | undefined;
    for (; i < args.length; i++) {
      const v = args[i].value;
      if (v === null) return [{ kind: 'opaque', reason: 'bwrap is given a word only known at run time where an option may stand' }];
      if (v === '--') {
        i++;
        break;
      }
      if (!v.startsWith('--')) break;
      if (BWRAP_FLAGS.has(v)) continue;
      const n = BWRAP_ARITY.get(v);
      if (n === undefined) return unknownOptions('bwrap', [v]);
      const vals = args.slice(i + 1, i + 1 + n);
      if (v === '--args') return [{ kind: 'opaque', reason: 'bwrap reads more arguments from a file descriptor' }];
      if (v === '--chdir') chdir = vals[0];
      if (REMAPS.has(v) && (vals[0]?.value == null || vals[0].value !== vals[1]?.value || v.endsWith('-fd'))) {
        // The host's SRC is seen at DEST: the command's paths are not the host's.
        return [{ kind: 'opaque', reason: `bwrap mounts ${vals[0]?.raw ?? '…'} at ${vals[1]?.raw ?? '…'}, so the paths its command names are not this machine's` }];
      }
      if (v === '--overlay') return [{ kind: 'opaque', reason: 'bwrap mounts a writable overlay: the paths its command names are not this machine’s' }];
      i += n;
    }
    const rest = args.slice(i);
    return rest.length ? [{ kind: 'argv', argv: rest, chdir }] : [];
  },
};

/** ip(8): `ip [OPTIONS] netns exec NAME COMMAND…` (and `ip -all netns exec COMMAND…`); ip takes prefixes of its words. */
const IP_VALUES = /^-(f|fa|fam|fami|famil|family|l|lo|loo|loop|loops|b|ba|bat|batc|batch|rc|rcvbuf|n|ne|net|netn|netns)$/;

export const ip: ProgramSpec = {
  names: ['ip'],
  runs(args): Run[] {
    let i = 0;
    let all = false;
    for (; i < args.length; i++) {
      const v = args[i].value;
      if (v === null || !v.startsWith('-')) break;
      if (/^-a(l|ll)?$/.test(v)) all = true;
      if (IP_VALUES.test(v)) i++;
    }
    if (!/^(net|netn|netns)$/.test(args[i]?.value ?? '') || !/^e(x|xe|xec)?$/.test(args[i + 1]?.value ?? '')) return [];
    const argv = args.slice(i + (all ? 2 : 3));
    return argv.length ? [{ kind: 'argv', argv }] : [];
  },
  effects(a, out) {
    // ip -batch FILE reads ip commands from FILE.
    for (let i = 0; i < a.args.length - 1; i++) if (/^-(b|ba|bat|batc|batch)$/.test(a.args[i].value ?? '')) out.reads.push(a.args[i + 1]);
  },
};

export const programs = [chroot, unshare, nsenter, bwrap, ip];
