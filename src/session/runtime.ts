// The session's private runtime directory: its socket, the shim links that stand in for
// the shells, links to (or mount points for) the real shells, the bash rc file that
// checks each line an interactive shell is given, the seccomp program and the filtered
// config copies the sandbox binds in. Readable by the user only. Also the session's
// private /tmp, which lives beside the runtime directories (not in them: XDG_RUNTIME_DIR
// is often a small tmpfs). Paths are worked out first (runtimePaths, for the plan), and
// created when the plan is applied (createRuntime, createPrivateTmp).
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bashrc } from './bashrc.js';

export const SHELL_NAMES = ['sh', 'bash', 'zsh', 'dash', 'ksh'] as const;

/** Where a session's runtime files go, worked out before anything is created (the plan shows them). */
export interface RuntimePaths {
  id: string;
  dir: string;
  socket: string;
  /** Directory put first on PATH: bash, sh, zsh, dash → the shim. */
  shimDir: string;
  shimBinary: string;
  /** tokens/<token>: the pid and start time each token was granted to (read-only in the sandbox). */
  tokensDir: string;
  /** Where the shim finds the real shells: <dir>/real/<name>. */
  realDir: string;
  bashrc: string;
  /** The seccomp program bwrap reads (seccomp.ts). */
  seccompFile: string;
  /** Filtered copies of config files that hold secrets (sandbox/configs.ts). */
  configDir: string;
}

/** A created runtime: the paths, the real shells found, and how to remove it all. */
export interface Runtime extends RuntimePaths {
  /** Real shell binaries found on this machine, by name (absolute, symlinks resolved). */
  realShells: Map<string, string>;
  remove(): void;
}

const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export function shimBinaryPath(): string {
  return path.join(packageRoot, 'build', 'Release', 'agentguard-shim');
}

export function runtimeBase(env: NodeJS.ProcessEnv = process.env): string {
  if (env.XDG_RUNTIME_DIR) return path.join(env.XDG_RUNTIME_DIR, 'agentguard');
  const state = env.XDG_STATE_HOME || path.join(env.HOME || os.homedir(), '.local', 'state');
  return path.join(state, 'agentguard', 'run');
}

/** The real shell binaries, looked up on PATH before the shim directory is added. */
export function findRealShells(pathVar: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const name of SHELL_NAMES) {
    for (const dir of pathVar.split(':')) {
      if (!dir) continue;
      const p = path.join(dir, name);
      try {
        fs.accessSync(p, fs.constants.X_OK);
        const real = fs.realpathSync(p);
        if (path.basename(real) === 'agentguard-shim') continue;
        found.set(name, real);
        break;
      } catch {
        // not here
      }
    }
  }
  return found;
}

/** Where a session's private /tmp directories live: $XDG_STATE_HOME/agentguard/tmp (~/.local/state/agentguard/tmp). */
export function privateTmpBase(env: NodeJS.ProcessEnv = process.env): string {
  const state = env.XDG_STATE_HOME || path.join(env.HOME || os.homedir(), '.local', 'state');
  return path.join(state, 'agentguard', 'tmp');
}

/** The root of agentguard's own package (the shim and bridge binaries live under it). */
export const PACKAGE_ROOT = packageRoot;

/** How to build the C parts (shim, bridge, broker) where they are missing: the same in a clone and in a package install. */
export function nativeBuildFix(): string {
  return `build them: cd ${packageRoot} && npm run build:shim (needs a C compiler: apt-get install build-essential)`;
}

/**
 * The first of `dirs` that is agentguard's own install or inside it, or null. A session
 * there lets the agent edit the guard's own code and rules: almost always a wrong directory.
 */
export function insideOwnInstall(dirs: readonly string[]): string | null {
  const real = (p: string) => {
    try {
      return fs.realpathSync(p);
    } catch {
      return path.resolve(p);
    }
  };
  const root = real(packageRoot);
  return dirs.find((d) => {
    const r = real(d);
    return r === root || r.startsWith(root + path.sep);
  }) ?? null;
}

/** The paths of a new session's runtime directory, created by createRuntime. */
export function runtimePaths(env: NodeJS.ProcessEnv = process.env): RuntimePaths {
  const id = crypto.randomBytes(6).toString('hex');
  const dir = path.join(runtimeBase(env), id);
  return {
    id,
    dir,
    socket: path.join(dir, 'session.sock'),
    shimDir: path.join(dir, 'bin'),
    shimBinary: shimBinaryPath(),
    tokensDir: path.join(dir, 'tokens'),
    realDir: path.join(dir, 'real'),
    bashrc: path.join(dir, 'bashrc'),
    seccompFile: path.join(dir, 'seccomp.bpf'),
    configDir: path.join(dir, 'config'),
  };
}

/** Creates the session's private /tmp (mode 1777 like /tmp: programs the agent runs as it expect that). */
export function createPrivateTmp(dir: string): void {
  fs.mkdirSync(path.dirname(dir), { recursive: true, mode: 0o700 });
  fs.mkdirSync(dir, { mode: 0o700 });
  fs.chmodSync(dir, 0o1777);
}

/**
 * Creates the runtime directory. With `mountPoints`, real/<name> are empty files for the
 * sandbox to bind the real shells onto (their paths on the host will be covered by the
 * shim); otherwise they are symlinks to the real shells.
 */
export function createRuntime(opts: { env?: NodeJS.ProcessEnv; mountPoints: boolean; pathVar: string; paths?: RuntimePaths }): Runtime {
  const p = opts.paths ?? runtimePaths(opts.env);
  const shimBinary = p.shimBinary;
  if (!fs.existsSync(shimBinary)) {
    throw new Error(`the shell shim is not built (${shimBinary}): ${nativeBuildFix()}`);
  }
  // Checked before anything is created: a failure here leaves nothing behind.
  if (Buffer.byteLength(p.socket) > 100) throw new Error(`runtime directory path too long for a unix socket: ${p.socket} (set XDG_RUNTIME_DIR to a shorter path)`);
  const base = path.dirname(p.dir);
  try {
    fs.mkdirSync(base, { recursive: true, mode: 0o700 });
    fs.chmodSync(base, 0o700);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new Error(`cannot create the session's runtime directory ${base} (${err.code ?? err.message}): set XDG_RUNTIME_DIR, or HOME, to a directory you can write`, { cause: e });
  }
  const { dir, shimDir, realDir, tokensDir } = p;
  fs.mkdirSync(dir, { mode: 0o700 });
  const remove = () => fs.rmSync(dir, { recursive: true, force: true });
  try {
    return fill();
  } catch (e) {
    remove();
    throw e;
  }

  function fill(): Runtime {
    fs.mkdirSync(shimDir, { mode: 0o700 });
    fs.mkdirSync(realDir, { mode: 0o700 });
    fs.mkdirSync(tokensDir, { mode: 0o700 });
    fs.mkdirSync(p.configDir, { mode: 0o700 });
    const realShells = findRealShells(opts.pathVar);
    for (const name of SHELL_NAMES) {
      fs.symlinkSync(shimBinary, path.join(shimDir, name));
      const real = realShells.get(name);
      if (!real) continue;
      if (opts.mountPoints) fs.writeFileSync(path.join(realDir, name), '', { mode: 0o700 });
      else fs.symlinkSync(real, path.join(realDir, name));
    }
    fs.writeFileSync(p.bashrc, bashrc(path.join(shimDir, 'bash')), { mode: 0o600 });
    return { ...p, realShells, remove };
  }
}
