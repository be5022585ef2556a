// `agentguard install|uninstall <agent>` and hookStatus(): the hook entry in each agent's
// settings file. Installing merges into what is there (other settings and other hooks are
// kept), writes a timestamped backup first, and is idempotent; uninstalling removes exactly
// the entries agentguard added (recognised by their command) and the containers that
// became empty because of it, so everything else is left as it was.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findWorkspace } from '../policy/confine.js';
import { HOOK_AGENTS, hookAgent, type AgentName } from '../agents/index.js';
import type { Scope, SettingsFormat, SettingsPlace } from '../agents/types.js';
import { commandProblems, hookCommand, parseInstalledCommand, portableHookCommand } from './command.js';

export type { Scope } from '../agents/types.js';
export { HOOK_TIMEOUT_S } from '../agents/hook-input.js';

export interface Where {
  /** Home directory; default $HOME. */
  home?: string;
  /** Directory whose project is meant by --project; default process.cwd(). */
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

type Json = Record<string, unknown>;
type Target = SettingsFormat;

// Each agent's settings file and hook shape is described in its module (src/agents/<agent>.ts).
const settingsOf = (agent: AgentName): Target => hookAgent(agent).settings;

/** The places an agent's settings file is looked for: the home, and the project of the cwd (its git top-level). */
function place(w: Required<Where>): SettingsPlace {
  return { home: w.home, env: w.env, project: findWorkspace(w.cwd) ?? path.resolve(w.cwd) };
}

function where(w: Where = {}): Required<Where> {
  const env = w.env ?? process.env;
  return { env, home: w.home ?? env.HOME ?? os.homedir(), cwd: path.resolve(w.cwd ?? process.cwd()) };
}

/** A settings document holding only agentguard's hook, in the agent's shape (for one run). */
export function hookSettings(agent: AgentName, command: string): Json {
  const t = settingsOf(agent);
  return { hooks: { [t.event]: [{ matcher: t.matcher, hooks: [t.handler(command)] }] } };
}

export function settingsFile(agent: AgentName, scope: Scope, w?: Where): string {
  return settingsOf(agent).file(scope, place(where(w)));
}

export class SettingsError extends Error {}

interface Loaded {
  file: string;
  exists: boolean;
  raw: string;
  doc: Json;
  indent: string | number;
}

function load(file: string, target: Target): Loaded {
  let raw: string;
  try {
    raw = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { file, exists: false, raw: '', doc: target.empty(), indent: 2 };
    throw new SettingsError(`cannot read ${file}: ${(e as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = raw.trim() ? JSON.parse(raw) : {};
  } catch (e) {
    // Comments or trailing commas: refuse rather than rewrite the file without them.
    throw new SettingsError(`${file} is not plain JSON (${(e as Error).message}); it was not changed. Fix it, or add the hook by hand (see agentguard's README).`);
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new SettingsError(`${file} does not hold a JSON object; it was not changed`);
  return { file, exists: true, raw, doc: doc as Json, indent: detectIndent(raw) };
}

function detectIndent(raw: string): string | number {
  const m = /\n([ \t]+)\S/.exec(raw);
  if (!m) return 2;
  return m[1][0] === '\t' ? '\t' : m[1].length;
}

/** hooks[event] of a document, checked for the documented shape. */
function eventList(doc: Json, target: Target, file: string, create: boolean): unknown[] | null {
  let hooks = doc.hooks;
  if (hooks === undefined) {
    if (!create) return null;
    hooks = doc.hooks = {};
  }
  if (!hooks || typeof hooks !== 'object' || Array.isArray(hooks)) throw new SettingsError(`"hooks" in ${file} is not an object; it was not changed`);
  const h = hooks as Json;
  const list = h[target.event];
  if (list === undefined) {
    if (!create) return null;
    const created: unknown[] = [];
    h[target.event] = created;
    return created;
  }
  if (!Array.isArray(list)) throw new SettingsError(`"hooks.${target.event}" in ${file} is not a list; it was not changed`);
  return list as unknown[];
}

const isOurs = (agent: AgentName) => (handler: unknown) =>
  !!handler && typeof handler === 'object' && parseInstalledCommand((handler as Json).command)?.agent === agent;

/** Every agentguard handler for this agent in the file: [group index, handler index] (handler index -1 for Cursor). */
function findOurs(list: unknown[], target: Target, agent: AgentName): Array<{ group: number; handler: number; value: Json }> {
  const ours = isOurs(agent);
  const found: Array<{ group: number; handler: number; value: Json }> = [];
  list.forEach((entry, gi) => {
    if (target.matcher === null) {
      if (ours(entry)) found.push({ group: gi, handler: -1, value: entry as Json });
      return;
    }
    const hs = entry && typeof entry === 'object' ? (entry as Json).hooks : undefined;
    if (Array.isArray(hs)) hs.forEach((h, hi) => ours(h) && found.push({ group: gi, handler: hi, value: h as Json }));
  });
  return found;
}

/** Removes agentguard's handlers, and the groups, event list and hooks object that only held them. */
function removeOurs(doc: Json, target: Target, agent: AgentName, file: string): number {
  const list = eventList(doc, target, file, false);
  if (!list) return 0;
  const ours = isOurs(agent);
  let removed = 0;
  for (let gi = list.length - 1; gi >= 0; gi--) {
    const entry = list[gi];
    if (target.matcher === null) {
      if (ours(entry)) {
        list.splice(gi, 1);
        removed++;
      }
      continue;
    }
    const hs = entry && typeof entry === 'object' ? (entry as Json).hooks : undefined;
    if (!Array.isArray(hs)) continue;
    const before = hs.length;
    for (let hi = hs.length - 1; hi >= 0; hi--) if (ours(hs[hi])) hs.splice(hi, 1);
    if (hs.length < before) {
      removed += before - hs.length;
      if (hs.length === 0) list.splice(gi, 1);
    }
  }
  if (removed) {
    const hooks = doc.hooks as Json;
    if (list.length === 0) delete hooks[target.event];
    if (Object.keys(hooks).length === 0) delete doc.hooks;
  }
  return removed;
}

function desiredEntry(target: Target, command: string): Json {
  const handler = target.handler(command);
  return target.matcher === null ? handler : { matcher: target.matcher, hooks: [handler] };
}

function timestamp(now: Date): string {
  return now.toISOString().replace(/[-:]/g, '').replace(/\.(\d+)Z$/, '$1Z');
}

/** Writes the new content atomically (temp file + rename), keeping the file's mode, after a backup of the old one. */
function save(l: Loaded, doc: Json, now: Date): string | null {
  const text = JSON.stringify(doc, null, l.indent) + '\n';
  // Write through a symlink (dotfile managers) rather than replacing it.
  let target = l.file;
  try {
    target = fs.realpathSync(l.file);
  } catch {
    // does not exist yet
  }
  fs.mkdirSync(path.dirname(target), { recursive: true });
  let backup: string | null = null;
  let mode = 0o644;
  if (l.exists) {
    mode = fs.statSync(target).mode & 0o7777;
    backup = `${l.file}.agentguard-backup-${timestamp(now)}`;
    for (let n = 1; fs.existsSync(backup); n++) backup = `${l.file}.agentguard-backup-${timestamp(now)}-${n}`;
    // Settings can hold secrets (Claude Code's "env"): the backup is the owner's alone.
    fs.writeFileSync(backup, l.raw, { mode: 0o600, flag: 'wx' });
  }
  const tmp = `${target}.agentguard-${process.pid}.tmp`;
  try {
    fs.writeFileSync(tmp, text, { mode, flag: 'wx' });
    fs.chmodSync(tmp, mode);
    fs.renameSync(tmp, target);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  return backup;
}

/**
 * The command install writes: in a person's own settings this Node and this agentguard by
 * absolute path; in a project's (committed, shared) `agentguard` from PATH.
 */
export function commandFor(agent: AgentName, scope: Scope, autoApprove = false): string {
  return scope === 'project' ? portableHookCommand(agent, { autoApprove }) : hookCommand(agent, undefined, undefined, { autoApprove });
}

export interface InstallOptions extends Where {
  agent: AgentName;
  scope: Scope;
  /** Answer allow for commands agentguard does not flag (default: no opinion). */
  autoApprove?: boolean;
  /** The command to install; default: commandFor(agent, scope, autoApprove). */
  command?: string;
  now?: Date;
}

export interface ChangeResult {
  agent: AgentName;
  scope: Scope;
  file: string;
  /** False when the file already was as asked (install twice, uninstall when absent). */
  changed: boolean;
  backup: string | null;
  command: string;
  notes: string[];
}

export function install(opts: InstallOptions): ChangeResult {
  const w = where(opts);
  const target = settingsOf(opts.agent);
  const file = target.file(opts.scope, place(w));
  const command = opts.command ?? commandFor(opts.agent, opts.scope, opts.autoApprove);
  const l = load(file, target);
  const doc = l.doc;
  const desired = desiredEntry(target, command);
  const list = eventList(doc, target, file, true)!;
  const ours = findOurs(list, target, opts.agent);
  const a = hookAgent(opts.agent);
  const approve = !opts.autoApprove
    ? `commands agentguard does not flag are left to ${a.title}'s own permission settings; install with --auto-approve to have agentguard allow them`
    : a.hook.allow('') === null
      ? `${a.title} takes no explicit allow from a hook, so --auto-approve changes nothing: its own permission settings decide about commands agentguard does not flag`
      : `commands agentguard does not flag are allowed without ${a.title}'s own prompt (--auto-approve)`;
  const result = { agent: opts.agent, scope: opts.scope, file, command, notes: [approve, ...target.notes] };
  if (ours.length === 1) {
    const o = ours[0];
    const entry = list[o.group] as Json;
    const same =
      target.matcher === null
        ? JSON.stringify(entry) === JSON.stringify(desired)
        : entry.matcher === target.matcher && (entry.hooks as unknown[]).length === 1 && JSON.stringify(o.value) === JSON.stringify(target.handler(command));
    if (same) return { ...result, changed: false, backup: null };
  }
  // An older agentguard entry (another path, another Node) is replaced, not duplicated.
  if (ours.length) removeOurs(doc, target, opts.agent, file);
  eventList(doc, target, file, true)!.push(desired);
  const backup = save(l, doc, opts.now ?? new Date());
  return { ...result, changed: true, backup };
}

export function uninstall(opts: Omit<InstallOptions, 'command' | 'autoApprove'>): ChangeResult {
  const w = where(opts);
  const target = settingsOf(opts.agent);
  const file = target.file(opts.scope, place(w));
  const l = load(file, target);
  const result = { agent: opts.agent, scope: opts.scope, file, command: '', notes: [] as string[] };
  if (!l.exists) return { ...result, changed: false, backup: null };
  const found = findOurs(eventList(l.doc, target, file, false) ?? [], target, opts.agent);
  if (!found.length) return { ...result, changed: false, backup: null };
  removeOurs(l.doc, target, opts.agent, file);
  const backup = save(l, l.doc, opts.now ?? new Date());
  return { ...result, command: String(found[0].value.command), changed: true, backup };
}

export interface HookStatus {
  agent: AgentName;
  scope: Scope;
  /** The settings file. */
  file: string;
  /** Same as file (the name `agentguard doctor` reads). */
  where: string;
  /** The settings file exists. */
  exists: boolean;
  /** An agentguard hook is in it. */
  installed: boolean;
  /** The installed command (the first one, if several). */
  command: string | null;
  /** The agentguard the command runs (bin/agentguard.js or an agentguard executable). */
  path?: string;
  /** Every path the installed command names exists (false when not installed). */
  pathsExist: boolean;
  /** Same as pathsExist when installed (the name `agentguard doctor` reads). */
  works?: boolean;
  /** The command is exactly what this agentguard would install now (for that scope and --auto-approve). */
  current: boolean;
  /** Installed with --auto-approve: unflagged commands are answered allow. */
  autoApprove?: boolean;
  /** Readable problems: missing paths, an unreadable file, hooks turned off in the agent. */
  problems: string[];
  /** Things the person has to do in the agent itself (Codex: trust the hook). */
  notes: string[];
}

/**
 * Which agents have the agentguard hook, and whether the paths in it still exist: one entry
 * for every settings file (user, and the project of `cwd`) that holds the hook or cannot be
 * read, and one "not installed" entry (user settings) for an agent that has it nowhere.
 * For `agentguard doctor`.
 */
export function hookStatus(w?: Where): HookStatus[] {
  const wh = where(w);
  const out: HookStatus[] = [];
  const seen = new Set<string>();
  const expected = (agent: AgentName, scope: Scope, autoApprove: boolean): string | null => {
    try {
      return commandFor(agent, scope, autoApprove);
    } catch {
      return null;
    }
  };
  const wp = place(wh);
  for (const { name: agent, settings: target } of HOOK_AGENTS) {
    const entries: HookStatus[] = [];
    for (const scope of ['user', 'project'] as const) {
      const file = target.file(scope, wp);
      if (seen.has(file)) continue;
      seen.add(file);
      const s: HookStatus = { agent, scope, file, where: file, exists: false, installed: false, command: null, pathsExist: false, current: false, problems: [], notes: [] };
      entries.push(s);
      let l: Loaded;
      try {
        l = load(file, target);
      } catch (e) {
        s.exists = true;
        s.problems.push((e as Error).message);
        continue;
      }
      s.exists = l.exists;
      if (!l.exists) continue;
      let list: unknown[];
      let found: ReturnType<typeof findOurs>;
      try {
        list = eventList(l.doc, target, file, false) ?? [];
        found = findOurs(list, target, agent);
      } catch (e) {
        s.problems.push((e as Error).message);
        continue;
      }
      if (!found.length) continue;
      s.installed = true;
      s.command = String(found[0].value.command);
      const first = parseInstalledCommand(s.command)!;
      s.path = first.bin;
      const reinstall = `agentguard install ${agent}${scope === 'project' ? ' --project' : ''}${first.autoApprove ? ' --auto-approve' : ''}`;
      const missing = found.flatMap((f) => commandProblems(parseInstalledCommand(f.value.command)!, wh.env, reinstall));
      s.pathsExist = s.works = missing.length === 0;
      s.problems.push(...missing);
      s.autoApprove = first.autoApprove;
      s.current = found.length === 1 && s.command === expected(agent, scope, first.autoApprove);
      if (found.length > 1) s.problems.push(`${found.length} agentguard hooks in this file; \`agentguard install ${agent}\` keeps one`);
      if (target.matcher !== null) {
        const entry = list[found[0].group] as Json;
        if (entry.matcher !== target.matcher) s.problems.push(`the hook's matcher is ${JSON.stringify(entry.matcher)}, not ${JSON.stringify(target.matcher)}`);
      }
      s.problems.push(...(target.problems?.(l.doc, wp) ?? []));
      s.notes.push(...target.notes);
    }
    const relevant = entries.filter((e) => e.installed || e.problems.length);
    out.push(...(relevant.length ? relevant : entries.slice(0, 1)));
  }
  return out;
}
