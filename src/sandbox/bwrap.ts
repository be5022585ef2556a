// Kernel enforcement with bubblewrap. One function per platform: this is Linux.
// The agent's whole process tree runs in one sandbox: the root filesystem read-only,
// the write roots writable, credentials masked, agentguard's logs hidden and its project
// rules read-only, and every shell binary replaced by the shim (the real shells are
// reachable only at the session's private path). The tree runs without privilege: its own
// user namespace with every capability dropped (even when agentguard runs as root), its own
// PID namespace (agentguard's process, its /proc and its descriptors are out of sight), and a
// seccomp filter against typing into terminals (seccomp.ts).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';

export interface SandboxParams {
  command: string[];
  cwd: string;
  shimBinary: string;
  /** Real shell binaries (absolute, resolved) by name. */
  realShells: Map<string, string>;
  /** <runtime>/real: empty files the real shells are bound onto. */
  realDir: string;
  /** The session's runtime directory (socket, shim links): stays reachable. */
  runtimeDir: string;
  /** Existing directories and files the agent may write. */
  writable: string[];
  /** Paths inside writable ones that stay read-only (a project's .agentguard rules). */
  readOnly: string[];
  /** Directories replaced by an empty one (credential directories, other sessions' runtime). */
  maskDirs: string[];
  /** Files replaced by an empty one (credential files). */
  maskFiles: string[];
  /** Directories whose content is hidden entirely (agentguard's session logs). */
  hidden: string[];
  /** A network namespace of its own: only loopback inside (egress goes through the proxy, or nowhere). */
  isolateNetwork?: boolean;
  /** The session's own directory, bound at /tmp (the host's /tmp is not visible). */
  privateTmp?: string;
  /** Host paths under /tmp the sandbox still needs (a HOME, agentguard itself): bound read-only into the private /tmp. */
  keepUnderTmp?: string[];
  /** Config files replaced by a filtered copy: the copy is bound read-only over the original. */
  filtered?: { path: string; copy: string }[];
  /** The descriptor bwrap reads the seccomp program from (opened by the prefix, seccompPrefix()). */
  seccompFd?: number;
  /** The first program inside: puts the agent in the terminal's foreground group (bridge.c --foreground). */
  foreground?: string[];
  /** More mounts a later part of the session adds (the escalation broker's socket …), applied after the rest. */
  extraArgs?: string[];
}

export interface SandboxCheck {
  ok: boolean;
  reason?: string;
  fix?: string;
}

/** Starts a throwaway sandbox with these extra flags; the result of bwrap itself. */
function probe(extra: string[]) {
  return spawnSync('bwrap', [...PRIVILEGE_FLAGS, '--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', ...extra, '--', 'true'], { encoding: 'utf8', timeout: 5000 });
}

/** bwrap's first line of complaint. */
function complaint(r: ReturnType<typeof probe>): string {
  return (r.stderr || String(r.error ?? '')).trim().split('\n')[0];
}

let cached: SandboxCheck | null = null;

/** Whether bubblewrap is installed and can create namespaces here (it actually starts one). */
export function checkBubblewrap(): SandboxCheck {
  if (cached) return cached;
  const r = probe([]);
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ENOENT') {
    cached = { ok: false, reason: 'bubblewrap (bwrap) not found', fix: 'install it (Debian/Ubuntu: apt-get install bubblewrap) or run with --no-sandbox to accept policy-only mode' };
  } else if (r.status !== 0) {
    cached = {
      ok: false,
      reason: `bubblewrap cannot create a sandbox here: ${complaint(r)}`,
      fix: 'enable unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1, or the AppArmor bwrap profile on Ubuntu 24.04), or run with --no-sandbox',
    };
  } else cached = { ok: true };
  return cached;
}

let netCached: SandboxCheck | null = null;

/** Whether bubblewrap can also give the sandbox a network namespace of its own. */
export function checkNetworkNamespace(): SandboxCheck {
  if (netCached) return netCached;
  const r = probe(['--unshare-net']);
  netCached =
    r.status === 0
      ? { ok: true }
      : {
          ok: false,
          reason: `bubblewrap cannot create a network namespace here: ${complaint(r)}`,
          fix: 'run with --network open to keep the host network (policy-only for the network), or allow network namespaces for unprivileged users',
        };
  return netCached;
}

/**
 * The privilege flags. --unshare-user maps the caller's uid and gid to the same ids inside
 * (root stays uid 0, a user stays themself), so --uid/--gid are not needed: file ownership
 * and permissions read as before, only capabilities are gone (as root, files of other users
 * are no longer writable through CAP_DAC_OVERRIDE). --cap-drop ALL empties the bounding set
 * too, and bwrap always sets no_new_privs, so no setuid or file-capability binary gives them
 * back. A user namespace the agent creates inside gets capabilities over nothing it did not
 * create: the mounts made here are locked in it (umount and remount fail; the hostile-agent
 * test checks it), so --disable-userns is not used (a headless browser's sandbox or a
 * rootless container in a test suite needs one). --unshare-pid with a fresh --proc: the
 * agent sees only its own processes. --die-with-parent: the tree ends when the session does.
 */
export const PRIVILEGE_FLAGS = ['--unshare-user', '--cap-drop', 'ALL', '--unshare-pid', '--die-with-parent'];

/** argv that runs params.command inside the sandbox. Order matters: later mounts cover earlier ones. */
export function wrapWithSandbox(p: SandboxParams): string[] {
  const args = ['bwrap', ...PRIVILEGE_FLAGS, '--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc'];
  if (p.seccompFd !== undefined) args.push('--seccomp', String(p.seccompFd));
  if (p.isolateNetwork) args.push('--unshare-net');
  if (p.privateTmp) {
    // First the private /tmp, then what must stay visible under the host's /tmp, then the
    // write roots: a workspace under /tmp is bound in after, at its own path.
    args.push('--bind', p.privateTmp, '/tmp');
    for (const k of p.keepUnderTmp ?? []) args.push('--ro-bind', k, k);
  }
  for (const w of p.writable) args.push('--bind', w, w);
  for (const r of p.readOnly) args.push('--ro-bind', r, r);
  for (const d of p.maskDirs) args.push('--tmpfs', d, '--remount-ro', d);
  for (const f of p.maskFiles) args.push('--ro-bind', '/dev/null', f);
  for (const f of p.filtered ?? []) args.push('--ro-bind', f.copy, f.path);
  for (const h of p.hidden) args.push('--tmpfs', h);
  // The session's own runtime directory is rebound inside the hidden ones, which then turn
  // read-only. It is read-only itself: the shim links, the rc hook and the token files are
  // the session's (its sockets are still reachable: connecting is not writing).
  args.push('--ro-bind', p.runtimeDir, p.runtimeDir);
  for (const h of p.hidden) args.push('--remount-ro', h);
  // First keep each real shell reachable at the private path, then cover it with the shim:
  // in the other order the shim would find itself.
  const targets = new Set<string>();
  for (const [name, real] of p.realShells) {
    args.push('--ro-bind', real, `${p.realDir}/${name}`);
    targets.add(real);
  }
  for (const real of targets) args.push('--ro-bind', p.shimBinary, real);
  args.push(...(p.extraArgs ?? []));
  args.push('--chdir', p.cwd, '--', ...(p.foreground ?? []), ...p.command);
  return args;
}

/**
 * node-pty hands the child only descriptors 0-2, so the seccomp program cannot be passed as
 * an inherited descriptor. The program is a file in the session's runtime directory, and
 * this prefix (the host's /bin/sh, run before bwrap and outside the sandbox) opens it as
 * descriptor `fd` and execs the rest. Less fragile than a pipe the session would have to
 * keep writable, or a descriptor number guessed in node-pty's child. bwrap reads the
 * program and closes the descriptor before the agent starts.
 */
export function seccompPrefix(file: string, fd = 3): string[] {
  return ['/bin/sh', '-c', `exec ${fd}<"$1"; shift; exec "$@"`, 'agentguard-seccomp', file];
}

export interface Confinement {
  /** CapEff of a process inside, as /proc/self/status prints it. */
  capEff: string;
  /** Namespaces inside that differ from agentguard's own (user, pid, net, mnt …). */
  ownNamespaces: string[];
  /** The uid inside and whether the agent is root there. */
  uid: number;
  /** Process ids visible in /proc inside. */
  visiblePids: number;
  /** Why the probe sandbox did not start. */
  error?: string;
}

const NAMESPACES = ['user', 'pid', 'mnt', 'net', 'ipc', 'uts', 'cgroup'];

function confinementArgv(opts: { isolateNetwork?: boolean; seccompFile?: string }): string[] {
  const script = `grep '^CapEff' /proc/self/status; for n in ${NAMESPACES.join(' ')}; do echo "ns $n $(readlink /proc/self/ns/$n)"; done; echo "uid $(id -u)"; ls /proc | grep -c '^[0-9]'`;
  const inner = ['bwrap', ...PRIVILEGE_FLAGS, '--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', ...(opts.seccompFile ? ['--seccomp', '3'] : []), ...(opts.isolateNetwork ? ['--unshare-net'] : []), '--', '/bin/sh', '-c', script];
  return opts.seccompFile ? [...seccompPrefix(opts.seccompFile), ...inner] : inner;
}

function parseConfinement(status: number | null, stdout: string, stderr: string): Confinement {
  if (status !== 0) return { capEff: '?', ownNamespaces: [], uid: -1, visiblePids: -1, error: stderr.trim().split('\n')[0] || `exit ${status}` };
  const lines = stdout.trim().split('\n');
  const own: string[] = [];
  for (const l of lines) {
    const m = /^ns (\w+) (.*)$/.exec(l);
    if (!m) continue;
    let outside = '';
    try {
      outside = fs.readlinkSync(`/proc/self/ns/${m[1]}`);
    } catch {
      // namespace kind not in this kernel
    }
    if (m[2] && m[2] !== outside) own.push(m[1]);
  }
  return {
    capEff: /CapEff:\s*(\w+)/.exec(stdout)?.[1] ?? '?',
    ownNamespaces: own,
    uid: Number(/^uid (\d+)/m.exec(stdout)?.[1] ?? -1),
    visiblePids: Number(lines[lines.length - 1]),
  };
}

/** Starts a probe sandbox with the session's privilege flags and reports what a process inside really has. */
export function probeConfinement(opts: { isolateNetwork?: boolean; seccompFile?: string } = {}): Confinement {
  const argv = confinementArgv(opts);
  const r = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', timeout: 5000 });
  return parseConfinement(r.status, r.stdout ?? '', r.stderr || String(r.error ?? ''));
}

/** The same, without blocking: the session starts it first and reads it when it prints its start line. */
export function probeConfinementAsync(opts: { isolateNetwork?: boolean; seccompFile?: string } = {}): Promise<Confinement> {
  const argv = confinementArgv(opts);
  return new Promise((resolve) => {
    const c = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], timeout: 5000 });
    let out = '';
    let err = '';
    c.stdout.on('data', (d) => (out += d));
    c.stderr.on('data', (d) => (err += d));
    c.on('error', (e) => resolve(parseConfinement(-1, '', e.message)));
    c.on('close', (code) => resolve(parseConfinement(code, out, err)));
  });
}
