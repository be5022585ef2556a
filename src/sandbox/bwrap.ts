// Kernel enforcement with bubblewrap. One function per platform: this is Linux.
// The agent's whole process tree runs in one sandbox: the root filesystem read-only,
// the write roots writable, credentials masked, agentguard's logs hidden and its project
// rules read-only, and every shell binary replaced by the shim (the real shells are
// reachable only at the session's private path).
import { spawnSync } from 'node:child_process';

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
}

export interface SandboxCheck {
  ok: boolean;
  reason?: string;
  fix?: string;
}

/** Starts a throwaway sandbox with these extra flags; the result of bwrap itself. */
function probe(extra: string[]) {
  return spawnSync('bwrap', ['--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', ...extra, '--', 'true'], { encoding: 'utf8', timeout: 5000 });
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

/** argv that runs params.command inside the sandbox. Order matters: later mounts cover earlier ones. */
export function wrapWithSandbox(p: SandboxParams): string[] {
  const args = ['bwrap', '--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', '--die-with-parent'];
  if (p.isolateNetwork) args.push('--unshare-net');
  for (const w of p.writable) args.push('--bind', w, w);
  for (const r of p.readOnly) args.push('--ro-bind', r, r);
  for (const d of p.maskDirs) args.push('--tmpfs', d, '--remount-ro', d);
  for (const f of p.maskFiles) args.push('--ro-bind', '/dev/null', f);
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
  args.push('--chdir', p.cwd, '--', ...p.command);
  return args;
}
