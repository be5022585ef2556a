// Remote shells and copies: ssh, mosh, telnet, nc and socat connect to a host; scp, rsync
// and sftp copy between local paths and host:path. A command given to ssh or mosh for a
// loopback destination runs on this machine, so it is analysed as a script run in ~.
import type { Word } from '../shell/types.js';
import { hasFlag, optionValues, parseOptions, type OptionSpec } from './options.js';
import type { Effects, ProgramArgs, ProgramSpec, Run } from './types.js';
import { joinWords, lit, pushAll, runner, unknownOptions } from './words.js';
import { hostOfSpec, urlHost } from '../net/hosts.js';

/** host:path or user@host:path (scp/rsync), not a local path. */
export function isRemoteSpec(w: Word): boolean {
  return w.value !== null && !w.value.startsWith('/') && !w.value.startsWith('.') && /^(?:[^@/:]+@)?(?:[A-Za-z0-9.-]+|\[[0-9a-fA-F:]+\]):/.test(w.value);
}

const copyHosts = (a: ProgramArgs, out: Effects) => {
  for (const w of a.opts.positionals) {
    if (w.value === null) continue;
    if (/^(rsync|scp|sftp):\/\//.test(w.value)) out.hosts.push({ host: urlHost(w.value, false), raw: w.raw });
    else if (isRemoteSpec(w)) {
      // host:path — the path may hold colons too; [v6]:path keeps its brackets.
      const m = /^(?:[^@/:]+@)?(\[[^\]]+\]|[^:]+):/.exec(w.value);
      if (m) out.hosts.push({ host: hostOfSpec(m[1]), raw: w.raw });
    }
  }
};

/** The first operand is the host; keys and configuration files given by option are read. */
const firstIsHost = (a: ProgramArgs, out: Effects) => {
  const w = a.opts.positionals[0];
  if (w) out.hosts.push({ host: w.value === null ? null : hostOfSpec(w.value), raw: w.raw });
  pushAll(out.reads, a.values(['-i', '-F']));
  for (const o of a.values(['-o'])) {
    const m = o.value === null ? null : /^(?:IdentityFile|CertificateFile|UserKnownHostsFile|IdentityAgent)[= ]\s*(.+)$/i.exec(o.value);
    if (m) out.reads.push({ value: m[1], raw: m[1], glob: false });
  }
};

/** ssh(1), OpenSSH 9: every option; options may also follow the destination (ssh parses again after it). */
const SSH_VALUES = ['-B', '-b', '-c', '-D', '-E', '-e', '-F', '-I', '-i', '-J', '-L', '-l', '-m', '-O', '-o', '-P', '-p', '-Q', '-R', '-S', '-W', '-w'];
const SSH_FLAGS = ['-4', '-6', '-A', '-a', '-C', '-f', '-G', '-g', '-K', '-k', '-N', '-n', '-q', '-s', '-T', '-t', '-V', '-v', '-X', '-x', '-Y', '-y'];
const SSH: OptionSpec = { takesValue: SSH_VALUES, flags: [...SSH_FLAGS, '-M'], complete: true, stopAtPositional: true };
const AUTOSSH: OptionSpec = { takesValue: [...SSH_VALUES, '-M'], flags: SSH_FLAGS, complete: true, stopAtPositional: true };

/** Names and addresses of this machine's loopback interface (its own host name is not known here). */
export function isLoopback(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  return /^(localhost|localhost\.localdomain|localhost4|localhost6|ip6-localhost|ip6-loopback|::1|0:0:0:0:0:0:0:1|0\.0\.0\.0)$/.test(h) || /^127(\.\d{1,3}){3}$/.test(h) || /\.localhost$/.test(h);
}

/** The host of an ssh destination: [user@]host or ssh://[user@]host[:port]. */
function destinationHost(d: string): string {
  const uri = /^ssh:\/\/(?:[^@/]*@)?(\[[^\]]+\]|[^:/]+)/.exec(d);
  if (uri) return uri[1];
  return d.slice(d.lastIndexOf('@') + 1);
}

/**
 * What ssh runs on this machine: with a loopback destination, the command words (joined with
 * spaces, as ssh sends them) run in the login shell, in the home directory. Elsewhere they
 * run on another machine: only its connection is this machine's business (the network rules).
 */
function sshRuns(program: string, spec: OptionSpec) {
  return (args: readonly Word[]): Run[] => {
    const first = parseOptions(args, spec);
    if (first.unknown.length) return unknownOptions(program, first.unknown);
    const dest = first.positionals[0];
    if (!dest) return [];
    const after = parseOptions(args.slice(first.firstPositional + 1), spec);
    if (after.unknown.length) return unknownOptions(program, after.unknown);
    const flags = [...first.flags, ...after.flags];
    const opts = [...(first.values.get('-o') ?? []), ...(after.values.get('-o') ?? [])];
    if (dest.value === null) return [{ kind: 'opaque', reason: `${program} connects to a host only known at run time` }];
    if (!isLoopback(destinationHost(dest.value))) return [];
    const command = after.positionals;
    if (flags.some((f) => f === '-N' || f === '-s' || f === '-G' || f === '-V') || first.values.has('-W') || after.values.has('-W') || first.values.has('-O') || after.values.has('-O')) return [];
    const out: Run[] = [];
    if (opts.some((o) => o === null || /^\s*RemoteCommand\s*[= ]/i.test(o))) out.push({ kind: 'opaque', reason: `${program} -o RemoteCommand runs a command on this machine` });
    if (first.values.has('-F') || after.values.has('-F')) out.push({ kind: 'opaque', reason: `${program} reads a configuration file (it may set RemoteCommand) for a connection to this machine` });
    if (!command.length) return out;
    const text = joinWords(command);
    if (text.value === null) out.push({ kind: 'opaque', reason: `${program} runs a command only known at run time on this machine` });
    else out.push({ kind: 'script', script: lit(`cd ~ && ${text.value}`) });
    return out;
  };
}

/** Commands ssh runs on this machine through the shell: -o ProxyCommand=…, LocalCommand, KnownHostsCommand. */
export function sshLocalCommands(args: readonly Word[]): Run[] {
  const o = parseOptions(args, SSH);
  return optionValues(o, ['-o']).flatMap((v): Run[] => {
    const m = v === null ? null : /^\s*(ProxyCommand|LocalCommand|KnownHostsCommand)\s*(?:=\s*|\s+)(.*)$/is.exec(v);
    if (v === null) return [{ kind: 'opaque', reason: 'ssh -o option only known when it runs' }];
    return m && m[2].trim() && m[2].trim().toLowerCase() !== 'none' ? [{ kind: 'script', script: lit(m[2]) }] : [];
  });
}

export const ssh: ProgramSpec = {
  names: ['ssh'],
  options: SSH,
  runs: (args) => [...sshLocalCommands(args), ...sshRuns('ssh', SSH)(args)],
  effects: firstIsHost,
};

export const autossh: ProgramSpec = {
  names: ['autossh'],
  options: AUTOSSH,
  runs: sshRuns('autossh', AUTOSSH),
  effects: firstIsHost,
};

/** mosh(1): [options] [--] [user@]host [command…]; --ssh and --server name programs it runs. */
const MOSH: OptionSpec = {
  takesValue: ['--client', '--server', '--ssh', '--predict', '-p', '--port', '--family', '--bind-server', '--experimental-remote-ip'],
  flags: ['-a', '-n', '-4', '-6', '--predict-overwrite', '--no-ssh-pty', '--no-init', '--local', '--help', '--version'],
  complete: true,
  stopAtPositional: true,
};

export const mosh: ProgramSpec = runner({
  names: ['mosh'],
  options: MOSH,
  run(o): Run[] {
    const out: Run[] = [];
    if (o.values.has('--ssh') || o.values.has('--client')) out.push({ kind: 'opaque', reason: 'mosh is told which ssh or client program to run' });
    const dest = o.positionals[0];
    if (!dest || dest.value === null || !isLoopback(destinationHost(dest.value))) return out;
    if (o.values.has('--server')) out.push({ kind: 'opaque', reason: 'mosh runs a server command on this machine' });
    const command = o.positionals.slice(1);
    if (command.length) out.push({ kind: 'argv', argv: command, chdir: lit('~') });
    return out;
  },
  effects: firstIsHost,
});

/** sshpass(1) gives a password to the command it runs (usually ssh). */
const SSHPASS: OptionSpec = { takesValue: ['-p', '-f', '-d', '-P'], optionalValue: ['-e'], flags: ['-v', '-h', '-V'], complete: true, stopAtPositional: true };

export const sshpass: ProgramSpec = runner({
  names: ['sshpass'],
  options: SSHPASS,
  run(o): Run[] {
    return o.positionals.length ? [{ kind: 'argv', argv: o.positionals }] : [];
  },
  effects(a, out) {
    pushAll(out.reads, a.values(['-f']));
  },
});

/** scp and sftp start ssh: its -o ProxyCommand/LocalCommand, and -S PROGRAM in place of ssh. */
function copyRuns(args: readonly Word[]): Run[] {
  const out = sshLocalCommands(args);
  for (let i = 0; i < args.length; i++) {
    const v = args[i].value;
    if (v === '-S' && args[i + 1]) out.push({ kind: 'argv', argv: [args[i + 1]] });
    else if (v !== null && /^-S./.test(v)) out.push({ kind: 'argv', argv: [{ value: v.slice(2), raw: v.slice(2), glob: false }] });
  }
  return out;
}

export const sftp: ProgramSpec = {
  names: ['sftp'],
  options: { takesValue: ['-P', '-i', '-o', '-F', '-S', '-b', '-l', '-B', '-R', '-s', '-D', '-c', '-J', '-X'] },
  runs: copyRuns,
  effects: (a, out) => {
    firstIsHost(a, out);
    pushAll(out.reads, a.values(['-b']));
  },
};

export const telnet: ProgramSpec = {
  names: ['telnet', 'ftp'],
  options: { takesValue: ['-P', '-i', '-o', '-F', '-S', '-b', '-l', '-B', '-R', '-s', '-D'] },
  effects: (a, out) => {
    firstIsHost(a, out);
  },
};

export const netcat: ProgramSpec = {
  names: ['nc', 'ncat', 'netcat', 'nc.traditional', 'nc.openbsd', 'pwncat'],
  options: { takesValue: ['-p', '-s', '-w', '-i', '-q', '-X', '-x', '-e', '-c', '--exec', '--sh-exec', '--lua-exec', '-I', '-O', '-T', '-V'] },
  effects(a, out) {
    const w = a.opts.positionals[0];
    if (w) out.hosts.push({ host: w.value === null ? null : hostOfSpec(w.value), raw: w.raw });
  },
};

export const socat: ProgramSpec = {
  names: ['socat'],
  effects(a, out) {
    for (const w of a.opts.positionals) {
      const m = w.value === null ? null : /^(?:tcp[46]?|udp[46]?|openssl|ssl|sctp[46]?)(?:-connect)?:([^:,]+):/i.exec(w.value);
      if (w.value === null) out.hosts.push({ host: null, raw: w.raw });
      else if (m) out.hosts.push({ host: hostOfSpec(m[1]), raw: w.raw });
    }
  },
};

export const scp: ProgramSpec = {
  names: ['scp'],
  options: { takesValue: ['-P', '-i', '-o', '-F', '-S', '-c', '-l', '-J', '-D', '-X'] },
  runs: copyRuns,
  effects(a, out) {
    copyHosts(a, out);
    pushAll(out.reads, a.values(['-i', '-F']));
    const pos = a.opts.positionals;
    const local = pos.filter((p) => !isRemoteSpec(p));
    const dest = pos[pos.length - 1];
    if (dest && !isRemoteSpec(dest) && pos.length >= 2) {
      out.writes.push(dest);
      pushAll(out.reads, local.slice(0, -1));
    } else pushAll(out.reads, local);
  },
};

export const rsync: ProgramSpec = {
  names: ['rsync'],
  // -e/--rsh: the remote shell rsync starts here (split into words by rsync itself).
  runs: (args) => optionValues(parseOptions(args, rsync.options), ['-e', '--rsh']).map((v): Run => (v === null ? { kind: 'opaque', reason: 'rsync -e names a command only known when it runs' } : { kind: 'script', script: lit(v) })),
  options: {
    takesValue: ['-e', '--rsh', '--exclude', '--include', '--filter', '-f', '--exclude-from', '--include-from', '--files-from', '--chmod', '--chown', '--log-file', '-T', '--temp-dir', '--partial-dir', '--backup-dir', '--rsync-path', '--compare-dest', '--copy-dest', '--link-dest', '-B', '--block-size', '--max-size', '--min-size', '--bwlimit', '--timeout', '--port', '--password-file', '--suffix', '--out-format', '--log-file-format', '--usermap', '--groupmap', '--iconv', '--checksum-choice', '--compress-choice', '--compress-level'],
  },
  effects(a, out) {
    copyHosts(a, out);
    const all = a.opts.positionals;
    const pos = all.filter((p) => !isRemoteSpec(p) && !/^rsync:\/\//.test(p.value ?? ''));
    const target = a.values(['-t', '--target-directory']);
    if (pos.length >= 2 && (all.length === pos.length || !isRemoteSpec(all[all.length - 1]))) {
      out.writes.push(pos[pos.length - 1]);
      pushAll(out.reads, pos.slice(0, -1));
    } else pushAll(out.reads, pos);
    pushAll(out.writes, target);
    pushAll(out.reads, a.values(['--exclude-from', '--include-from', '--files-from', '--password-file']));
    if (hasFlag(a.opts, ['--remove-source-files'])) pushAll(out.writes, out.reads.filter((r) => pos.includes(r)));
  },
};

export const programs = [ssh, autossh, mosh, sshpass, telnet, sftp, netcat, socat, scp, rsync];
