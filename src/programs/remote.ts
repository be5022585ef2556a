// Remote shells and copies: ssh, mosh, telnet, nc and socat connect to a host; scp, rsync
// and sftp copy between local paths and host:path.
import type { Word } from '../shell/types.js';
import { hasFlag } from './options.js';
import type { Effects, ProgramArgs, ProgramSpec } from './types.js';
import { pushAll } from './words.js';
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

export const ssh: ProgramSpec = {
  names: ['ssh', 'mosh', 'autossh', 'sshpass'],
  options: { takesValue: ['-p', '-i', '-o', '-F', '-l', '-L', '-R', '-D', '-J', '-c', '-E', '-S', '-W', '-b', '-e', '-m', '-O', '-Q', '-w', '-B', '-I', '-P'] },
  effects: firstIsHost,
};

export const telnet: ProgramSpec = {
  names: ['telnet', 'ftp', 'sftp'],
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

export const programs = [ssh, telnet, netcat, socat, scp, rsync];
