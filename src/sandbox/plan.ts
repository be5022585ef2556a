// What the sandbox of one session contains, worked out from the policy's write roots, the
// @credential-paths list, the agent profile and the person's flags. Pure data in, data out:
// the same plan drives the bwrap arguments and `agentguard doctor`.
import fs from 'node:fs';
import path from 'node:path';
import { isInside } from '../policy/confine.js';

export interface PlanInput {
  home: string;
  writeRoots: string[];
  /** @credential-paths entries (globs with ~). */
  credentialPatterns: readonly string[];
  /** Paths the person handed to the task on purpose (--allow-read). */
  allowRead: string[];
  /** Directories holding agentguard's session logs. */
  logDirs: string[];
  /** Other sessions' runtime directories live here; our own stays. */
  runtimeBase: string;
  runtimeDir: string;
  workspaces: string[];
  /** agentguard's user configuration and rules (~/.config/agentguard): never writable inside. */
  configDir: string;
}

export interface SandboxPlan {
  writable: string[];
  readOnly: string[];
  maskDirs: string[];
  maskFiles: string[];
  hidden: string[];
}

/** Credential paths that exist, split into directories and files. Globs other than a trailing /** cannot be masked ahead of time. */
export function existingCredentials(home: string, patterns: readonly string[]): { dirs: string[]; files: string[]; unmaskable: string[] } {
  const dirs: string[] = [];
  const files: string[] = [];
  const unmaskable: string[] = [];
  for (const pat of patterns) {
    let p = pat.replace(/\/\*\*$/, '');
    if (p === '~' || p.startsWith('~/')) p = home + p.slice(1);
    if (/[*?[{]/.test(p) || !path.isAbsolute(p)) {
      unmaskable.push(pat);
      continue;
    }
    let st: fs.Stats;
    try {
      st = fs.statSync(p);
    } catch {
      continue;
    }
    (st.isDirectory() ? dirs : files).push(p);
  }
  return { dirs, files, unmaskable };
}

export function planSandbox(i: PlanInput): SandboxPlan & { unmaskable: string[] } {
  const exists = (p: string) => fs.existsSync(p);
  const cred = existingCredentials(i.home, i.credentialPatterns);
  const allowed = (p: string) => i.allowRead.some((a) => p === a || p.startsWith(a + '/') || a.startsWith(p + '/'));
  const writable = [...new Set(i.writeRoots.filter(exists))];
  // Project rules, and the user's config if a write root contains it, stay read-only.
  const readOnly = [...i.workspaces.map((w) => path.join(w, '.agentguard')), i.configDir].filter((p) => exists(p) && isInside(p, writable));
  return {
    writable,
    readOnly,
    // A credential handed over with --allow-read stays visible; a directory that contains it is not masked whole.
    maskDirs: cred.dirs.filter((d) => !allowed(d)),
    maskFiles: cred.files.filter((f) => !allowed(f)),
    // Session logs, and other sessions' runtime directories (their sockets), are not visible.
    hidden: [...i.logDirs, i.runtimeBase].filter(exists),
    unmaskable: cred.unmaskable,
  };
}
