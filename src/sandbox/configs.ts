// Config files that mix settings with secrets (~/.npmrc, ~/.pypirc, ~/.docker/config.json,
// git's config): inside the sandbox each is replaced by a copy with the secret entries
// removed, so that registries, proxies and settings keep working while tokens and passwords
// stay outside. Masking them whole silently dropped the user's registry for every npm the
// agent ran. The filters are pure text → text; finding the files is the only I/O here.
import fs from 'node:fs';
import path from 'node:path';

export type ConfigKind = 'npmrc' | 'pypirc' | 'docker' | 'gitconfig';

export interface SecretConfig {
  path: string;
  kind: ConfigKind;
}

/** The config files of this kind that exist for this home and environment (symlinks resolved). */
export function secretConfigs(home: string, env: NodeJS.ProcessEnv = {}): SecretConfig[] {
  const xdg = env.XDG_CONFIG_HOME || path.join(home, '.config');
  const candidates: SecretConfig[] = [
    { path: path.join(home, '.npmrc'), kind: 'npmrc' },
    ...[env.NPM_CONFIG_USERCONFIG, env.npm_config_userconfig].flatMap((p) => (p && path.isAbsolute(p) ? [{ path: p, kind: 'npmrc' as const }] : [])),
    { path: path.join(home, '.pypirc'), kind: 'pypirc' },
    { path: path.join(env.DOCKER_CONFIG || path.join(home, '.docker'), 'config.json'), kind: 'docker' },
    { path: path.join(home, '.gitconfig'), kind: 'gitconfig' },
    { path: path.join(xdg, 'git', 'config'), kind: 'gitconfig' },
    ...(env.GIT_CONFIG_GLOBAL && path.isAbsolute(env.GIT_CONFIG_GLOBAL) ? [{ path: env.GIT_CONFIG_GLOBAL, kind: 'gitconfig' as const }] : []),
  ];
  const seen = new Set<string>();
  const out: SecretConfig[] = [];
  for (const c of candidates) {
    try {
      if (!fs.statSync(c.path).isFile() || seen.has(c.path)) continue;
    } catch {
      continue;
    }
    seen.add(c.path);
    out.push(c);
  }
  return out;
}

/** A URL with a password in it (https://user:token@host/): the userinfo is dropped. */
const URL_USERINFO = /([a-z][a-z0-9+.-]*:\/\/)[^\s/@:]+:[^\s/@]*@/gi;

/** One `key = value` line of an ini-like file: its key, lower-cased; null for anything else. */
function iniKey(line: string): string | null {
  const m = /^\s*([^=;#\s[][^=]*?)\s*=/.exec(line);
  return m ? m[1].toLowerCase() : null;
}

/**
 * npm's ini: `_authToken`, `_auth`, `_password`, `password`, also scoped to a registry
 * (`//registry.example.com/:_authToken=…`), and client certificates' keys.
 */
export function filterNpmrc(text: string): { text: string; removed: number } {
  let removed = 0;
  const out = text.split('\n').filter((line) => {
    const key = iniKey(line);
    if (key && /(^|:)(_authtoken|_auth|_password|password|keyfile|key|otp)$/.test(key)) {
      removed++;
      return false;
    }
    return true;
  });
  return { text: out.join('\n').replace(URL_USERINFO, '$1'), removed };
}

/** .pypirc: `password` (and token-named keys) in any section; repository URLs keep working. */
export function filterPypirc(text: string): { text: string; removed: number } {
  let removed = 0;
  const out = text.split('\n').filter((line) => {
    const key = iniKey(line);
    if (key && /password|token|secret/.test(key)) {
      removed++;
      return false;
    }
    return true;
  });
  return { text: out.join('\n').replace(URL_USERINFO, '$1'), removed };
}

/**
 * git's config: whole `[credential]` and `[credential "…"]` sections (helpers that hand out
 * tokens), keys naming a password, token or secret, Authorization headers
 * (`http.extraHeader`), and passwords inside URLs (`[url "https://u:tok@host/"]`).
 */
export function filterGitconfig(text: string): { text: string; removed: number } {
  let removed = 0;
  let inCredential = false;
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const section = /^\s*\[\s*([^\]\s"]+)/.exec(line);
    if (section) {
      inCredential = section[1].toLowerCase() === 'credential' || section[1].toLowerCase().startsWith('credential.');
      if (inCredential) {
        removed++;
        continue;
      }
      out.push(line);
      continue;
    }
    if (inCredential) continue;
    const key = iniKey(line);
    if (key && (/password|token|secret/.test(key) || (key === 'extraheader' && /authorization|token|bearer/i.test(line)))) {
      removed++;
      continue;
    }
    out.push(line);
  }
  const joined = out.join('\n');
  const cleaned = joined.replace(URL_USERINFO, '$1');
  if (cleaned !== joined) removed++;
  return { text: cleaned, removed };
}

/** Docker's config.json: `auths`, `credHelpers`, `credsStore` go; proxies, aliases and the rest stay. Not JSON: null (mask it whole). */
export function filterDockerConfig(text: string): { text: string; removed: number } | null {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return null;
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) return null;
  const o = { ...(doc as Record<string, unknown>) };
  let removed = 0;
  for (const k of Object.keys(o)) {
    if (/^(auths|credhelpers|credsstore|identitytoken|registrytoken)$/i.test(k)) {
      delete o[k];
      removed++;
    }
  }
  return { text: JSON.stringify(o, null, 2) + '\n', removed };
}

/** The filtered text of one config file, or null when it cannot be filtered safely (then it is masked whole). */
export function filterConfig(kind: ConfigKind, text: string): { text: string; removed: number } | null {
  if (kind === 'npmrc') return filterNpmrc(text);
  if (kind === 'pypirc') return filterPypirc(text);
  if (kind === 'gitconfig') return filterGitconfig(text);
  return filterDockerConfig(text);
}
