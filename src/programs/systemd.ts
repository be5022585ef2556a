// systemd-run starts a command as a transient unit of the service manager (or, with --scope,
// as its own child in a new scope). The command is an argv after its options; --shell runs
// the user's shell. Timers (--on-*) and properties that pick another program (ExecStartPre=,
// ExecStopPost= …) are read by rules or are opaque.
import type { OptionSpec } from './options.js';
import type { ProgramSpec, Run } from './types.js';
import { lit, runner } from './words.js';

/** systemd-run(1), systemd 255: getopt "+…", so options stop at the command. */
const SYSTEMD_RUN: OptionSpec = {
  takesValue: [
    '-u', '--unit', '-p', '--property', '--description', '--slice', '--expand-environment', '--service-type', '--uid', '--gid', '--nice', '--working-directory', '-E', '--setenv', '-H', '--host', '-M', '--machine', '-C', '--capsule',
    '--on-active', '--on-boot', '--on-startup', '--on-unit-active', '--on-unit-inactive', '--on-calendar', '--path-property', '--socket-property', '--timer-property', '--background', '--json',
  ],
  flags: [
    '--no-ask-password', '--scope', '--slice-inherit', '-r', '--remain-after-exit', '--send-sighup', '-d', '--same-dir', '-t', '--pty', '-P', '--pipe', '-S', '--shell', '-q', '--quiet', '-v', '--verbose', '--on-clock-change', '--on-timezone-change', '--no-block', '--wait', '-G', '--collect', '--user', '--system', '--ignore-failure', '-h', '--help', '--version', '--no-pager', '--legend',
  ],
  complete: true,
  stopAtPositional: true,
};

/** Unit properties that name commands the unit runs besides the given one. */
const EXEC_PROPERTY = /^(Exec\w+|RootImage|RootDirectory|ExtensionImages|BindPaths|BindReadOnlyPaths)=/i;

export const systemdRun: ProgramSpec = runner({
  names: ['systemd-run'],
  options: SYSTEMD_RUN,
  run(o): Run[] {
    const out: Run[] = [];
    for (const p of [...(o.values.get('-p') ?? []), ...(o.values.get('--property') ?? [])]) {
      if (p === null || EXEC_PROPERTY.test(p)) out.push({ kind: 'opaque', reason: `systemd-run sets a unit property that runs or roots another program: ${p ?? '…'}` });
    }
    if (o.values.has('-H') || o.values.has('--host') || o.values.has('-M') || o.values.has('--machine')) {
      // On another host or container: not this machine's files.
      return out;
    }
    const dirs = [...(o.values.get('--working-directory') ?? [])];
    const dir = dirs[dirs.length - 1];
    if (dir === null) return [...out, { kind: 'opaque', reason: 'systemd-run runs its command in a directory only known at run time' }];
    // A service starts in / (in ~ for --user) unless --working-directory or --same-dir; --scope runs where it is.
    const scope = o.flags.includes('--scope') || o.flags.includes('-d') || o.flags.includes('--same-dir');
    const start = o.flags.includes('--user') ? '~' : '/';
    const chdir = dir !== undefined ? lit(dir) : scope ? undefined : lit(start);
    if (o.positionals.length) out.push({ kind: 'argv', argv: o.positionals, chdir });
    return out;
  },
});

export const programs = [systemdRun];
