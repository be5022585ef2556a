// What the sandbox of one session contains, worked out from the policy's write roots, the
// @credential-paths list, the agent profile and the person's flags. Data in, data out (it
// reads which paths exist and the config files it filters, and creates nothing): the same
// plan drives the bwrap arguments, `agentguard shell --dry-run` and `agentguard doctor`.
import fs from 'node:fs';
import path from 'node:path';
import { isInside } from '../policy/confine.js';
import { filterConfig, secretConfigs, type ConfigKind } from './configs.js';

export interface PlanInput {
  home: string;
  writeRoots: string[];
  /** @credential-paths entries (globs with ~). */
  credentialPatterns: readonly string[];
  /** Paths the person handed to the task on purpose (--allow-read). */
  allowRead: string[];
  /**
   * The agent's own state (its profile's write list): a credential in there is its own
   * sign-in, which it needs to run at all and already holds; masking it would end the session.
   */
  agentState?: string[];
  /** Directories holding agentguard's session logs. */
  logDirs: string[];
  /** Other sessions' runtime directories live here; our own stays. */
  runtimeBase: string;
  runtimeDir: string;
  workspaces: string[];
  /** agentguard's user configuration and rules (~/.config/agentguard): never writable inside. */
  configDir: string;
  /** The agent's environment, for the daemon sockets it names (SSH_AUTH_SOCK, DOCKER_HOST, XDG_RUNTIME_DIR). */
  env?: NodeJS.ProcessEnv;
  /** The session's own /tmp (a directory outside the sandbox's other mounts), or none. */
  privateTmp?: string;
  /** Where every session's private /tmp lives: hidden inside, like other sessions' runtime directories. */
  privateTmpBase?: string;
  /** Host paths that must stay visible even if they lie under /tmp (HOME, agentguard's package, the cwd). */
  keepVisible?: string[];
  /** Where the filtered copies of config files go (in the runtime directory, read-only inside). */
  configCopyDir?: string;
}

export interface FilteredConfig {
  path: string;
  kind: ConfigKind;
  copy: string;
  /** The filtered text the copy will hold. */
  text: string;
  /** How many secret entries were taken out. */
  removed: number;
}

export interface SandboxPlan {
  writable: string[];
  readOnly: string[];
  maskDirs: string[];
  maskFiles: string[];
  hidden: string[];
  /** Config files replaced by filtered copies (sandbox/configs.ts). */
  filtered: FilteredConfig[];
  privateTmp?: string;
  keepUnderTmp: string[];
}

/**
 * Sockets of daemons that act for the user outside the sandbox: Docker or Podman (a
 * container with the host's network and any mount), the SSH and GPG agents (the user's
 * keys), D-Bus (the desktop's and the system's services). Connecting needs no write access
 * to the file, so a read-only root does not stop it; each is covered by an empty file.
 * Only those that exist, symlinks resolved; --allow-read hands one over.
 */
export function daemonSockets(home: string, env: NodeJS.ProcessEnv = {}): string[] {
  const runtime = env.XDG_RUNTIME_DIR;
  const unixPath = (v: string | undefined) => (v?.startsWith('unix://') ? v.slice('unix://'.length) : undefined);
  const candidates = [
    '/var/run/docker.sock',
    '/run/docker.sock',
    '/run/containerd/containerd.sock',
    '/run/podman/podman.sock',
    '/run/dbus/system_bus_socket',
    path.join(home, '.docker', 'run', 'docker.sock'),
    ...(runtime ? ['docker.sock', 'podman/podman.sock', 'bus', 'ssh-agent.socket', 'gcr/ssh', 'keyring/ssh', 'gnupg/S.gpg-agent', 'gnupg/S.gpg-agent.ssh', 'gnupg/S.gpg-agent.extra'].map((f) => path.join(runtime, f)) : []),
    path.join(home, '.gnupg', 'S.gpg-agent'),
    path.join(home, '.gnupg', 'S.gpg-agent.ssh'),
    env.SSH_AUTH_SOCK,
    unixPath(env.DOCKER_HOST),
    unixPath(env.CONTAINER_HOST),
    env.DBUS_SESSION_BUS_ADDRESS?.match(/^unix:path=([^,;]+)/)?.[1],
  ];
  const out = new Set<string>();
  for (const c of candidates) {
    if (!c || !path.isAbsolute(c)) continue;
    try {
      const real = fs.realpathSync(c);
      if (fs.statSync(real).isSocket()) out.add(real);
    } catch {
      // not there
    }
  }
  return [...out];
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
  const own = (p: string) => (i.agentState ?? []).some((a) => p === a || p.startsWith(a + '/'));
  const underTmp = (p: string) => isInside(p, ['/tmp']);
  // With a private /tmp, the host's /tmp and anything of it that is only a write root because
  // it is temporary ($TMPDIR under /tmp) stay outside; a workspace or a profile's directory
  // under /tmp is still bound in at its own path.
  const workspaces = new Set(i.workspaces);
  let writable = [...new Set(i.writeRoots.filter(exists))];
  const tmpdir = i.env?.TMPDIR;
  if (i.privateTmp) writable = writable.filter((w) => !(w === '/tmp' || (tmpdir && w === tmpdir && underTmp(w) && !workspaces.has(w))));
  const keepUnderTmp = i.privateTmp ? [...new Set((i.keepVisible ?? []).filter((k) => underTmp(k) && k !== '/tmp' && exists(k) && !isInside(k, writable)))] : [];
  // Project rules, and the user's config if a write root contains it, stay read-only.
  const readOnly = [...i.workspaces.map((w) => path.join(w, '.agentguard')), i.configDir].filter((p) => exists(p) && isInside(p, writable));
  // Config files that hold secrets beside settings: a filtered copy instead of nothing, unless
  // handed over whole with --allow-read. One that cannot be filtered (not JSON) is masked.
  const filtered: FilteredConfig[] = [];
  const unfilterable: string[] = [];
  if (i.configCopyDir) {
    secretConfigs(i.home, i.env).forEach((c, n) => {
      if (allowed(c.path)) return;
      let text: string;
      try {
        text = fs.readFileSync(c.path, 'utf8');
      } catch {
        unfilterable.push(c.path);
        return;
      }
      const f = filterConfig(c.kind, text);
      if (!f) unfilterable.push(c.path);
      else filtered.push({ path: c.path, kind: c.kind, copy: path.join(i.configCopyDir!, `${n}-${path.basename(c.path)}`), text: f.text, removed: f.removed });
    });
  }
  const filteredPaths = new Set(filtered.map((f) => f.path));
  // The log key is never visible inside, not even under --allow-read, and masked even before
  // it exists: the session's log creates it (src/log/key.ts) before the sandbox starts.
  const logKey = path.join(i.configDir, 'log.key');
  return {
    writable,
    readOnly,
    // A credential handed over with --allow-read stays visible; a directory that contains it is not masked whole.
    maskDirs: cred.dirs.filter((d) => !allowed(d) && !own(d)),
    maskFiles: [
      ...new Set([
        ...[...cred.files.filter((f) => !own(f)), ...unfilterable, ...daemonSockets(i.home, i.env)].filter((f) => !allowed(f) && !filteredPaths.has(f)),
        logKey,
      ]),
    ],
    // Session logs, other sessions' runtime directories (their sockets) and private /tmps are
    // not visible. agentguard's own directories, so the session creates any that are missing
    // before the sandbox starts (the plan is made before anything exists).
    hidden: [...i.logDirs, i.runtimeBase, ...(i.privateTmpBase ? [i.privateTmpBase] : [])],
    filtered,
    privateTmp: i.privateTmp,
    keepUnderTmp,
    unmaskable: cred.unmaskable,
  };
}
