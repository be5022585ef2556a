// The per-user cache of parsed user and project rule files and of the person's config.yaml:
// what YAML + zod made of them last time, so that a cold check or hook with rules of its own
// does not load either again. One entry per rule directory (or config file), replaced when its
// files change.
//
// Trust. An entry is used only when its key matches: a SHA-256 over this build of agentguard,
// the entry's kind, layer and directory, every file's name and full content (and the home
// directory ~ expands to). Content, not size and mtime: the files are small, reading them costs
// less than a stat fingerprint's blind spot (an edit in the same second with the same size).
// A cache the agent could write could still say anything under a right key, so entries live
// in agentguard's state directory ($XDG_STATE_HOME/agentguard/cache, ~/.local/state/…): a
// write there is denied by the agentguard-config-write rule, and the sandbox leaves it
// read-only (it is no write root). Entries are files of this user, 0600 in a 0700 directory;
// one owned by someone else, open to others, corrupt or of another format is ignored and
// the files are parsed again. Nothing here ever fails a load: without a cache, rules load
// the slow way.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Bumped when what an entry holds changes shape. */
const FORMAT = 1;

/** $XDG_STATE_HOME/agentguard/cache (~/.local/state/agentguard/cache); null without a home. */
export function ruleCacheDir(env: NodeJS.ProcessEnv = process.env): string | null {
  const state = env.XDG_STATE_HOME || (env.HOME ? path.join(env.HOME, '.local', 'state') : '');
  return state ? path.join(state, 'agentguard', 'cache') : null;
}

let build: string | null = null;

/**
 * This build of agentguard: the module that holds this code (the bundle, or dist/rules/cache.js
 * with the parsers beside it) by size and modification time, so any rebuild makes new keys.
 */
function buildId(): string {
  if (build === null) {
    const self = fileURLToPath(import.meta.url);
    try {
      const st = fs.statSync(self);
      build = `${self}\0${st.size}\0${st.mtimeMs}`;
    } catch {
      build = `${self}\0unknown\0${Date.now()}`;
    }
  }
  return build;
}

interface Entry<T> {
  format: number;
  /** The directory or file it is for (for a person looking in the cache). */
  target: string;
  key: string;
  value: T;
  problems: string[];
}

export interface CacheInput {
  /** Where entries live (ruleCacheDir); null: no cache. */
  dir: string | null | undefined;
  /** What is cached: 'layer' (a rule directory) or 'config'. */
  kind: string;
  /** The layer or anything else the parse depends on beside the files (the home for ~). */
  context: string;
  /** The directory or file the entry is for: one entry each. */
  target: string;
  /** The files the parse reads, in the order it reads them. */
  files: string[];
}

/**
 * parse(problems) through the cache: a hit gives the stored value and appends the stored
 * problems (a broken file stays broken, with the same messages); a miss parses and stores both.
 * A file that cannot be read makes no key: then nothing is cached and parse runs. fresh() checks
 * what the value took from outside the files (a symlink resolved) and sends a stale one to parse.
 */
export async function cached<T>(input: CacheInput, problems: string[], parse: (problems: string[]) => T | Promise<T>, fresh: (value: T) => boolean = () => true): Promise<T> {
  const key = input.dir ? keyOf(input) : null;
  const file = input.dir ? path.join(input.dir, `${input.kind}-${createHash('sha256').update(input.target).digest('hex').slice(0, 32)}.json`) : null;
  if (key && file) {
    const hit = readEntry<T>(file, key);
    if (hit && fresh(hit.value)) {
      problems.push(...hit.problems);
      return hit.value;
    }
  }
  const own: string[] = [];
  const value = await parse(own);
  problems.push(...own);
  if (key && file && input.dir) writeEntry(input.dir, file, { format: FORMAT, target: input.target, key, value, problems: own });
  return value;
}

function keyOf(input: CacheInput): string | null {
  const h = createHash('sha256');
  h.update(`${FORMAT}\0${buildId()}\0${input.kind}\0${input.context}\0${input.target}\0${input.files.length}\0`);
  for (const f of input.files) {
    let content: Buffer;
    try {
      content = fs.readFileSync(f);
    } catch {
      return null;
    }
    h.update(`${f}\0${content.length}\0`).update(content);
  }
  return h.digest('hex');
}

function readEntry<T>(file: string, key: string): Entry<T> | null {
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
  } catch {
    return null;
  }
  try {
    const st = fs.fstatSync(fd);
    // Only this user's own file, writable by no one else.
    if (!st.isFile() || (process.getuid && st.uid !== process.getuid()) || (st.mode & 0o077) !== 0) return null;
    const entry = JSON.parse(fs.readFileSync(fd, 'utf8')) as Entry<T>;
    if (!entry || entry.format !== FORMAT || entry.key !== key || !Array.isArray(entry.problems) || entry.value === undefined) return null;
    return entry;
  } catch {
    return null;
  } finally {
    fs.closeSync(fd);
  }
}

function writeEntry(dir: string, file: string, entry: Entry<unknown>): void {
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const st = fs.lstatSync(dir);
    if (!st.isDirectory() || (process.getuid && st.uid !== process.getuid()) || (st.mode & 0o022) !== 0) return;
    fs.writeFileSync(tmp, JSON.stringify(entry), { mode: 0o600, flag: 'wx' });
    fs.renameSync(tmp, file);
  } catch {
    // An unwritable or full cache directory: the next start parses again.
    try {
      fs.rmSync(tmp, { force: true });
    } catch {
      // nothing to clean up
    }
  }
}

/**
 * Whether a cached config.yaml still resolves its project paths as it did: a project path is
 * stored with its symlinks resolved, and a symlink changed since would otherwise keep a rule
 * off in a directory the config no longer names.
 */
export function projectPathsFresh(config: { projects: { path: string; written?: string }[] } | null): boolean {
  if (!config) return true;
  return config.projects.every((p) => {
    if (p.written === undefined) return false;
    try {
      return fs.realpathSync(p.written) === p.path;
    } catch {
      return path.resolve(p.written) === p.path;
    }
  });
}

/**
 * What the build worked out for each built-in rule of dist/builtin-rules.json (its programs,
 * for the rule index), by the rule object that load.ts made from that file: valid only with
 * the lists it was worked out with (`lists`, listsKey of them), which user or project list
 * files change. compileRules uses it instead of walking every rule's match block at start.
 */
export const builtinIndex = new WeakMap<object, { programs: string[] | null; lists: string }>();

/** The lists as one string, in their order: equal strings, equal lists. */
export function listsKey(lists: ReadonlyMap<string, readonly string[]>): string {
  return JSON.stringify([...lists]);
}
