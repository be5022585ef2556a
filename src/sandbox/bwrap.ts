// Kernel enforcement with bubblewrap. One function per platform: this is Linux.
// The agent's whole process tree runs in a mount namespace where every shell binary is
// the shim, and the real shells are reachable only at the session's private path.
import { spawnSync } from 'node:child_process';

export interface SandboxParams {
  command: string[];
  shimBinary: string;
  /** Real shell binaries (absolute, resolved) by name. */
  realShells: Map<string, string>;
  /** <runtime>/real: empty files the real shells are bound onto. */
  realDir: string;
}

export interface SandboxCheck {
  ok: boolean;
  reason?: string;
  fix?: string;
}

let cached: SandboxCheck | null = null;

/** Whether bubblewrap is installed and can create namespaces here (it actually starts one). */
export function checkBubblewrap(): SandboxCheck {
  if (cached) return cached;
  const r = spawnSync('bwrap', ['--ro-bind', '/', '/', '--dev', '/dev', '--', 'true'], { encoding: 'utf8', timeout: 5000 });
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ENOENT') {
    cached = { ok: false, reason: 'bubblewrap (bwrap) not found', fix: 'install it (Debian/Ubuntu: apt-get install bubblewrap)' };
  } else if (r.status !== 0) {
    cached = {
      ok: false,
      reason: `bubblewrap cannot create a sandbox here: ${(r.stderr || String(r.error ?? '')).trim().split('\n')[0]}`,
      fix: 'enable unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1, or the AppArmor bwrap profile on Ubuntu)',
    };
  } else cached = { ok: true };
  return cached;
}

/** argv that runs params.command inside the sandbox. */
export function wrapWithSandbox(p: SandboxParams): string[] {
  const args = ['bwrap', '--dev-bind', '/', '/', '--die-with-parent'];
  const targets = new Set<string>();
  // First keep each real shell reachable at the private path, then cover it with the shim:
  // in the other order the shim would find itself.
  for (const [name, real] of p.realShells) {
    args.push('--ro-bind', real, `${p.realDir}/${name}`);
    targets.add(real);
  }
  for (const real of targets) args.push('--ro-bind', p.shimBinary, real);
  args.push('--', ...p.command);
  return args;
}
