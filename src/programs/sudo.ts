// Running as another user: sudo, doas, su, runuser, sg, pkexec. Each runs an argv or a
// shell string; options they do not declare make what they run unknown.
import { parseOptions, type OptionSpec } from './options.js';
import type { ProgramSpec, Run } from './types.js';
import { joinWords, lit, scriptRuns, unknownOptions } from './words.js';

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
    return [{ kind: 'argv', argv: rest }];
  },
};

const DOAS: OptionSpec = { takesValue: ['-u', '-C'], flags: ['-n', '-s', '-L'], complete: true, stopAtPositional: true };

export const doas: ProgramSpec = {
  names: ['doas'],
  options: DOAS,
  runs(args) {
    const o = parseOptions(args, DOAS);
    if (o.unknown.length) return unknownOptions('doas', o.unknown);
    if (o.flags.includes('-s') || !o.positionals.length) return [];
    return [{ kind: 'argv', argv: o.positionals }];
  },
};

const SU: OptionSpec = {
  takesValue: ['-c', '--command', '-s', '--shell', '-g', '--group', '-G', '--supp-group', '-w', '--whitelist-environment', '--session-command'],
  flags: ['-', '-l', '--login', '-m', '-p', '--preserve-environment', '-f', '--fast', '-P', '--pty', '-h', '--help', '-V', '--version'],
  complete: true,
};

export const su: ProgramSpec = {
  names: ['su'],
  options: SU,
  runs(args) {
    const o = parseOptions(args, SU);
    if (o.unknown.length) return unknownOptions('su', o.unknown);
    return scriptRuns([...(o.values.get('-c') ?? []), ...(o.values.get('--command') ?? []), ...(o.values.get('--session-command') ?? [])], 'su -c');
  },
};

const RUNUSER: OptionSpec = {
  takesValue: ['-u', '--user', '-g', '--group', '-G', '--supp-group', '-c', '--command', '-s', '--shell', '-w', '--whitelist-environment', '--session-command'],
  flags: ['-', '-l', '--login', '-m', '-p', '--preserve-environment', '-f', '--fast', '-P', '--pty', '-h', '--help', '-V', '--version'],
  complete: true,
};

export const runuser: ProgramSpec = {
  names: ['runuser'],
  options: RUNUSER,
  runs(args) {
    const o = parseOptions(args, RUNUSER);
    if (o.unknown.length) return unknownOptions('runuser', o.unknown);
    const c = [...(o.values.get('-c') ?? []), ...(o.values.get('--command') ?? []), ...(o.values.get('--session-command') ?? [])];
    if (c.length) return scriptRuns(c, 'runuser -c');
    // runuser -u USER [--] COMMAND [ARGS…]: with -u the operands are the command.
    if (o.values.has('-u') || o.values.has('--user')) return o.positionals.length ? [{ kind: 'argv', argv: o.positionals }] : [];
    return [];
  },
};

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

export const pkexec: ProgramSpec = {
  names: ['pkexec'],
  options: PKEXEC,
  runs(args): Run[] {
    const o = parseOptions(args, PKEXEC);
    if (o.unknown.length) return unknownOptions('pkexec', o.unknown);
    return o.positionals.length ? [{ kind: 'argv', argv: o.positionals }] : [];
  },
};

export const programs = [sudo, doas, su, runuser, sg, pkexec];
