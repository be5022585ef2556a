// Running as another user or with other capabilities: sudo, doas, su, runuser, sg, pkexec,
// run0, gosu, su-exec, capsh, setpriv. Each runs an argv or a shell string; options they do not
// declare make what they run unknown.
import { parseOptions, type OptionSpec } from './options.js';
import type { ProgramSpec, Run } from './types.js';
import { dyn, joinWords, lit, runner, scriptRuns, unknownOptions } from './words.js';

const SUDO: OptionSpec = {
  takesValue: ['-u', '--user', '-g', '--group', '-C', '--close-from', '-D', '--chdir', '-h', '--host', '-p', '--prompt', '-r', '--role', '-t', '--type', '-T', '--command-timeout', '-U', '--other-user', '-R', '--chroot'],
  flags: ['-A', '--askpass', '-b', '--background', '-B', '--bell', '-E', '--preserve-env', '-e', '--edit', '-H', '--set-home', '-i', '--login', '-K', '--remove-timestamp', '-k', '--reset-timestamp', '-l', '--list', '-N', '--no-update', '-n', '--non-interactive', '-P', '--preserve-groups', '-S', '--stdin', '-s', '--shell', '-V', '--version', '-v', '--validate', '-h', '--help'],
  complete: true,
  stopAtPositional: true,
};

export const sudo: ProgramSpec = {
  names: ['sudo'],
  options: SUDO,
  runs(args) {
    const o = parseOptions(args, SUDO);
    // --preserve-env=LIST is GNU-style with a value.
    const unknown = o.unknown;
    if (unknown.length) return unknownOptions('sudo', unknown);
    const rest = o.positionals;
    if (!rest.length) return [];
    if (o.flags.some((f) => f === '-e' || f === '--edit')) return [{ kind: 'argv', argv: [lit('sudoedit'), ...rest] }];
    if (o.flags.some((f) => f === '-l' || f === '--list')) return [];
    if (o.flags.some((f) => f === '-s' || f === '-i' || f === '--shell' || f === '--login')) return [{ kind: 'script', script: joinWords(rest) }];
    const dir = [...(o.values.get('-D') ?? []), ...(o.values.get('--chdir') ?? [])].pop();
    return [{ kind: 'argv', argv: rest, chdir: dir === undefined ? undefined : dir === null ? dyn('sudo -D …') : lit(dir) }];
  },
};

const DOAS: OptionSpec = { takesValue: ['-u', '-C'], flags: ['-n', '-s', '-L'], complete: true, stopAtPositional: true };

export const doas: ProgramSpec = runner({
  names: ['doas'],
  options: DOAS,
  run(o): Run[] {
    if (o.flags.includes('-s') || !o.positionals.length) return [];
    return [{ kind: 'argv', argv: o.positionals }];
  },
});

const SU: OptionSpec = {
  takesValue: ['-c', '--command', '-s', '--shell', '-g', '--group', '-G', '--supp-group', '-w', '--whitelist-environment', '--session-command'],
  flags: ['-', '-l', '--login', '-m', '-p', '--preserve-environment', '-f', '--fast', '-P', '--pty', '-h', '--help', '-V', '--version'],
  complete: true,
};

export const su: ProgramSpec = runner({
  names: ['su'],
  options: SU,
  run(o): Run[] {
    return scriptRuns([...(o.values.get('-c') ?? []), ...(o.values.get('--command') ?? []), ...(o.values.get('--session-command') ?? [])], 'su -c');
  },
});

const RUNUSER: OptionSpec = {
  takesValue: ['-u', '--user', '-g', '--group', '-G', '--supp-group', '-c', '--command', '-s', '--shell', '-w', '--whitelist-environment', '--session-command'],
  flags: ['-', '-l', '--login', '-m', '-p', '--preserve-environment', '-f', '--fast', '-P', '--pty', '-h', '--help', '-V', '--version'],
  complete: true,
};

export const runuser: ProgramSpec = runner({
  names: ['runuser'],
  options: RUNUSER,
  run(o): Run[] {
    const c = [...(o.values.get('-c') ?? []), ...(o.values.get('--command') ?? []), ...(o.values.get('--session-command') ?? [])];
    if (c.length) return scriptRuns(c, 'runuser -c');
    // runuser -u USER [--] COMMAND [ARGS…]: with -u the operands are the command.
    if (o.values.has('-u') || o.values.has('--user')) return o.positionals.length ? [{ kind: 'argv', argv: o.positionals }] : [];
    return [];
  },
});

const SG: OptionSpec = { flags: ['-'], complete: false };

export const sg: ProgramSpec = {
  names: ['sg'],
  // sg GROUP [-c] COMMAND: the command is one shell string.
  runs(args) {
    const o = parseOptions(args, SG);
    const rest = o.positionals;
    const cmd = rest[1]?.value === '-c' ? rest.slice(2) : rest.slice(1);
    return cmd.length ? [{ kind: 'script', script: joinWords(cmd) }] : [];
  },
};

const PKEXEC: OptionSpec = { takesValue: ['--user'], flags: ['--disable-internal-agent', '--keep-cwd', '--version', '--help'], complete: true, stopAtPositional: true };

export const pkexec: ProgramSpec = runner({
  names: ['pkexec'],
  options: PKEXEC,
  run(o): Run[] {
    return o.positionals.length ? [{ kind: 'argv', argv: o.positionals }] : [];
  },
});

/** run0(1) (systemd 256): sudo's role through the service manager; its options are systemd-run's. */
const RUN0: OptionSpec = {
  takesValue: ['-u', '--user', '-g', '--group', '--nice', '-D', '--chdir', '--setenv', '--unit', '--property', '--description', '--slice', '--background', '--machine', '--area', '--shell-prompt-prefix'],
  flags: ['--slice-inherit', '--no-ask-password', '--pty', '--pipe', '-i', '--via-shell', '--empower', '-h', '--help', '-V', '--version'],
  complete: true,
  stopAtPositional: true,
};

export const run0: ProgramSpec = runner({
  names: ['run0'],
  options: RUN0,
  run(o): Run[] {
    if ((o.values.get('--property') ?? []).some((p) => p === null || /^Exec/i.test(p))) return [{ kind: 'opaque', reason: 'run0 sets a unit property that runs another program' }];
    const dir = [...(o.values.get('-D') ?? []), ...(o.values.get('--chdir') ?? [])].pop();
    if (dir === null) return [{ kind: 'opaque', reason: 'run0 runs its command in a directory only known at run time' }];
    if (!o.positionals.length) return [];
    return [{ kind: 'argv', argv: o.positionals, chdir: dir === undefined ? undefined : lit(dir) }];
  },
});

/** gosu USER COMMAND… and su-exec USER COMMAND… (container entrypoints): no options. */
export const gosu: ProgramSpec = {
  names: ['gosu', 'su-exec'],
  runs(args): Run[] {
    if (args[0]?.value?.startsWith('-')) return [];
    return args.length > 1 ? [{ kind: 'argv', argv: args.slice(1) }] : [];
  },
};

/**
 * capsh(1): its options are --name[=value] words, read in order; `--` runs bash (or --shell's
 * program) with the words after it, `==` runs capsh again with them.
 */
const CAPSH = /^--(print|current|noamb|has-ambient|quiet|license|strict|noenv|mode|((caps|drop|inh|addamb|delamb|secbits|chroot|user|uid|gid|groups|keep|killit|decode|supports|has-p|has-i|has-a|has-b|is-uid|is-gid|forkfor|explain|iab|mode|suggest)=.*))$/;

export const capsh: ProgramSpec = {
  names: ['capsh'],
  runs(args): Run[] {
    let shell: string | null = 'bash';
    for (let i = 0; i < args.length; i++) {
      const v = args[i].value;
      if (v === null) return [{ kind: 'opaque', reason: 'capsh is given a word only known at run time' }];
      if (v === '--' || v === '==') {
        const argv = [lit(v === '==' ? 'capsh' : (shell ?? 'bash')), ...args.slice(i + 1)];
        return shell === null ? [{ kind: 'opaque', reason: 'capsh runs a shell only known at run time' }] : [{ kind: 'argv', argv }];
      }
      if (v.startsWith('--shell=')) shell = v.slice(8) || null;
      else if (!CAPSH.test(v)) return unknownOptions('capsh', [v]);
    }
    return [];
  },
};

/** setpriv(1) (util-linux): every option but a few flags takes a value. */
const SETPRIV: OptionSpec = {
  takesValue: ['--ambient-caps', '--inh-caps', '--bounding-set', '--ruid', '--euid', '--rgid', '--egid', '--reuid', '--regid', '--groups', '--securebits', '--pdeathsig', '--selinux-label', '--apparmor-profile', '--landlock-access', '--landlock-rule', '--seccomp-filter'],
  flags: ['-d', '--dump', '--nnp', '--no-new-privs', '--clear-groups', '--keep-groups', '--init-groups', '--reset-env', '-h', '--help', '-V', '--version'],
  complete: true,
  stopAtPositional: true,
};

export const setpriv: ProgramSpec = runner({
  names: ['setpriv'],
  options: SETPRIV,
  run(o): Run[] {
    return o.positionals.length ? [{ kind: 'argv', argv: o.positionals }] : [];
  },
});

export const programs = [sudo, doas, su, runuser, sg, pkexec, run0, gosu, capsh, setpriv];
