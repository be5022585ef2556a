// git runs code for you: aliases starting with `!` (and aliases that expand to other git
// commands), programs named in its configuration (core.pager, core.sshCommand,
// core.fsmonitor, editors, diff and merge drivers, filters), GIT_SSH_COMMAND and friends,
// and the hooks of the repository (or of core.hooksPath) on commit, merge, push, checkout…
// Configuration comes from -c, --config-env, the repository's config and the person's
// ~/.gitconfig (aliases only: the rest there is the person's own setup).
import path from 'node:path';
import type { Command, Word } from '../shell/types.js';
import { resolve, shown, shq, unreadable, type CodeRuns, type ProgramContext } from './context.js';
import { runFile } from './scripts.js';
import type { OptionSpec } from './options.js';
import type { ProgramSpec } from './types.js';
import { lit } from './words.js';
import { hostOfSpec, urlHost } from '../net/hosts.js';

/** git's own commands: an alias with one of these names is ignored by git. */
const BUILTINS = new Set(
  ('add am annotate apply archive bisect blame branch bugreport bundle cat-file check-attr check-ignore check-mailmap check-ref-format checkout checkout-index cherry ' +
    'cherry-pick citool clean clone column commit commit-graph commit-tree config count-objects credential describe diagnose diff diff-files diff-index diff-tree difftool ' +
    'fast-export fast-import fetch fetch-pack filter-branch fmt-merge-msg for-each-ref for-each-repo format-patch fsck gc get-tar-commit-id grep gui hash-object help hook ' +
    'index-pack init instaweb interpret-trailers log ls-files ls-remote ls-tree mailinfo mailsplit maintenance merge merge-base merge-file merge-index merge-tree mergetool ' +
    'mktag mktree multi-pack-index mv name-rev notes pack-objects pack-refs patch-id prune prune-packed pull push range-diff read-tree rebase receive-pack reflog remote repack ' +
    'replace replay request-pull rerere reset restore rev-list rev-parse revert rm scalar send-email send-pack shortlog show show-branch show-index show-ref sparse-checkout ' +
    'stage stash status stripspace submodule switch symbolic-ref tag unpack-file unpack-objects update-index update-ref update-server-info upload-archive upload-pack var ' +
    'verify-commit verify-pack verify-tag version whatchanged worktree write-tree lfs').split(' '),
);

const COMMIT_HOOKS = ['pre-commit', 'prepare-commit-msg', 'commit-msg', 'post-commit', 'post-rewrite', 'reference-transaction', 'post-index-change'];
const MERGE_HOOKS = ['pre-merge-commit', 'prepare-commit-msg', 'commit-msg', 'post-merge', 'reference-transaction', 'post-index-change'];
const CHECKOUT_HOOKS = ['post-checkout', 'reference-transaction', 'post-index-change'];
/** Hooks each subcommand may run. */
const HOOKS: Record<string, string[]> = {
  commit: COMMIT_HOOKS,
  merge: MERGE_HOOKS,
  pull: [...MERGE_HOOKS, 'pre-rebase', 'post-rewrite', 'post-checkout'],
  rebase: ['pre-rebase', 'post-rewrite', 'post-checkout', 'prepare-commit-msg', 'commit-msg', 'reference-transaction', 'post-index-change'],
  am: ['applypatch-msg', 'pre-applypatch', 'post-applypatch', ...COMMIT_HOOKS],
  push: ['pre-push', 'reference-transaction'],
  checkout: CHECKOUT_HOOKS,
  switch: CHECKOUT_HOOKS,
  'cherry-pick': COMMIT_HOOKS,
  revert: COMMIT_HOOKS,
  worktree: ['post-checkout'],
  branch: ['reference-transaction'],
  tag: ['reference-transaction'],
  reset: ['reference-transaction', 'post-index-change'],
  fetch: ['reference-transaction'],
  'update-ref': ['reference-transaction'],
  stash: ['reference-transaction', 'post-index-change'],
  gc: ['pre-auto-gc'],
};

/** Configuration keys whose value git runs as a shell command (lower-case; `*` one name part). */
const EXEC_KEYS = [
  /^core\.pager$/, /^pager\.[^.]+$/, /^core\.sshcommand$/, /^core\.fsmonitor$/, /^core\.editor$/, /^sequence\.editor$/, /^diff\.external$/, /^diff\..+\.(textconv|command)$/,
  /^filter\..+\.(clean|smudge|process)$/, /^merge\..+\.driver$/, /^credential\.(.+\.)?helper$/, /^core\.askpass$/, /^core\.gitproxy$/, /^gpg\.(.+\.)?program$/,
  /^uploadpack\.packobjectshook$/, /^alias\..+$/, /^core\.hookspath$/, /^include\.path$/, /^includeif\..+\.path$/,
];
const isExecKey = (k: string) => EXEC_KEYS.some((re) => re.test(k));
/** Settings a person keeps per repository for who they are (a deploy key, a signing key). */
const PERSONAL_KEYS = /^(core\.sshcommand|core\.askpass|credential\..*|gpg\..*)$/;

const sets = (s: string) => new Set(s.split(' '));
const NETWORK = sets('fetch pull push clone ls-remote submodule remote archive fetch-pack send-pack');
const INDEX = sets('status diff add commit checkout switch restore reset stash merge rebase pull cherry-pick revert rm mv ls-files update-index am apply worktree');
/** Which subcommands use a configured program (others never start it). */
const USED_BY: [RegExp, Set<string> | null][] = [
  [/^core\.pager$|^pager\./, sets('log diff show blame branch tag grep shortlog reflog whatchanged range-diff stash config help annotate describe ls-files ls-tree cat-file')],
  [/^core\.sshcommand$|^core\.gitproxy$|^credential\.|^core\.askpass$|^uploadpack\./, NETWORK],
  [/^core\.fsmonitor$/, INDEX],
  [/^core\.editor$|^sequence\.editor$/, sets('commit merge rebase tag am cherry-pick revert notes config add pull stash var')],
  [/^diff\./, sets('diff log show blame merge pull rebase cherry-pick stash add checkout restore range-diff grep')],
  [/^filter\./, new Set([...INDEX, 'clone', 'grep', 'archive', 'show', 'log', 'blame'])],
  [/^merge\./, sets('merge pull rebase cherry-pick revert stash am checkout switch restore')],
  [/^gpg\./, sets('commit tag merge rebase am cherry-pick revert verify-commit verify-tag log show pull')],
];
function usedBy(key: string, sub: string): boolean {
  for (const [re, subs] of USED_BY) if (re.test(key)) return subs === null || subs.has(sub);
  return true;
}
const BOOLEAN = /^(true|false|yes|no|on|off|1|0|)$/i;
/** Environment variables git runs as a shell command, or as a program (`path`). */
const EXEC_ENV: Record<string, 'shell' | 'path'> = { GIT_SSH_COMMAND: 'shell', GIT_PAGER: 'shell', GIT_EDITOR: 'shell', GIT_SEQUENCE_EDITOR: 'shell', GIT_EXTERNAL_DIFF: 'shell', GIT_SSH: 'path', GIT_ASKPASS: 'path' };

type Config = Map<string, { value: string | null; from: 'command line' | 'repository' | 'global' }>;

/** What `git args…` runs besides git itself (argv without argv[0]). */
export function codeItRuns(args: readonly Word[], ctx: ProgramContext): CodeRuns {
  const out: CodeRuns = { scripts: [], opaque: [] };
  const cmdline: [string, string | null][] = [];
  let dir = ctx.cwd;
  let gitDirOpt: string | null = null;
  let i = 0;
  for (; i < args.length; i++) {
    const v = args[i].value;
    if (v === null) {
      out.opaque.push(`git option is not static: ${args[i].raw}`);
      return out;
    }
    if (!v.startsWith('-')) break;
    const value = (name: string): string | null => {
      if (v.startsWith(name + '=')) return v.slice(name.length + 1);
      if (v === name) return args[++i]?.value ?? null;
      return v.slice(name.length);
    };
    if (v === '-C') {
      const d = value('-C');
      if (d === null) return { scripts: [], opaque: ['git -C directory is not static'] };
      dir = resolve(dir, d, ctx.home);
    } else if (v === '-c' || (v.startsWith('-c') && !v.startsWith('--'))) {
      const kv = value('-c');
      if (kv === null) return { scripts: [], opaque: ['git -c value is not static'] };
      const eq = kv.indexOf('=');
      cmdline.push(eq < 0 ? [normKey(kv), null] : [normKey(kv.slice(0, eq)), kv.slice(eq + 1)]);
    } else if (v === '--config-env' || v.startsWith('--config-env=')) {
      const kv = value('--config-env');
      const eq = kv?.indexOf('=') ?? -1;
      if (kv === null || eq < 0) return { scripts: [], opaque: ['git --config-env value is not static'] };
      const key = normKey(kv.slice(0, eq));
      const envName = kv.slice(eq + 1);
      const known = ctx.dynamicEnv.has(envName) ? undefined : ctx.env[envName];
      if (known === undefined) {
        if (isExecKey(key)) out.opaque.push(`git --config-env sets ${key} from $${envName}, which is only known when it runs`);
      } else cmdline.push([key, known]);
    } else if (v === '--git-dir' || v.startsWith('--git-dir=')) {
      gitDirOpt = value('--git-dir');
    } else if (v === '--work-tree' || v === '--namespace' || v === '--super-prefix') {
      i++;
    }
  }
  const sub = args[i];
  const rest = args.slice(i + 1);

  if (ctx.dynamicEnv.has('GIT_CONFIG_PARAMETERS') || ctx.env.GIT_CONFIG_PARAMETERS !== undefined || ctx.env.GIT_CONFIG_COUNT !== undefined || ctx.dynamicEnv.has('GIT_CONFIG_COUNT')) {
    out.opaque.push('git configuration passed through GIT_CONFIG_PARAMETERS / GIT_CONFIG_COUNT is not analysed');
  }
  for (const [name, kind] of Object.entries(EXEC_ENV)) {
    if (ctx.dynamicEnv.has(name)) out.opaque.push(`git runs $${name}, which is only known when it runs`);
    const v = ctx.env[name];
    if (v !== undefined && v !== '' && ctx.assigned.has(name)) out.scripts.push({ source: kind === 'path' ? shq(v) : v, cwd: dir, by: `git ${name}` });
  }

  // The repository: its git directory, the directory holding config and hooks, and its work tree.
  const gitDirEnv = ctx.assigned.has('GIT_DIR') ? ctx.env.GIT_DIR : undefined;
  const repo = findRepository(dir, gitDirOpt ?? gitDirEnv ?? null, ctx, out);
  const config: Config = new Map();
  const add = (entries: [string, string | null][], from: 'command line' | 'repository' | 'global') => {
    for (const [k, v] of entries) config.set(k, { value: v, from });
  };
  const xdg = ctx.env.XDG_CONFIG_HOME ? path.posix.join(ctx.env.XDG_CONFIG_HOME, 'git/config') : path.posix.join(ctx.home, '.config/git/config');
  const globalFile = ctx.assigned.has('GIT_CONFIG_GLOBAL') ? ctx.env.GIT_CONFIG_GLOBAL : undefined;
  // The person's global config matters here only for aliases, which git's own commands never use.
  const mayBeAlias = !!sub && sub.value !== null && !BUILTINS.has(sub.value);
  if (mayBeAlias) for (const f of globalFile !== undefined ? [resolve(dir, globalFile, ctx.home)] : [xdg, path.posix.join(ctx.home, '.gitconfig')]) add(readConfig(f, ctx, out, 0), 'global');
  if (repo) {
    add(readConfig(path.posix.join(repo.common, 'config'), ctx, out, 0), 'repository');
    if (repo.gitDir !== repo.common) add(readConfig(path.posix.join(repo.gitDir, 'config.worktree'), ctx, out, 0), 'repository');
  }
  add(cmdline, 'command line');
  const runDir = repo?.top ?? dir;

  // Programs named in configuration, where the subcommand uses them: from -c always, from the
  // repository's config (which the agent can write) except the identity settings people keep
  // there (ssh command, credential helper, askpass, gpg), never from the person's global config.
  const builtin = !!sub && sub.value !== null && BUILTINS.has(sub.value);
  for (const [key, { value, from }] of config) {
    if (from === 'global' || key.startsWith('alias.') || key === 'core.hookspath' || key.startsWith('include')) continue;
    if (!isExecKey(key) || value === null) continue;
    if (from === 'repository' && PERSONAL_KEYS.test(key)) continue;
    // An alias re-enters git with the -c options: the git command it expands to is checked in turn.
    if (builtin ? !usedBy(key, sub.value!) : from !== 'command line') continue;
    if ((key === 'core.fsmonitor' || key.startsWith('pager.')) && BOOLEAN.test(value.trim())) continue;
    if (key.startsWith('credential.') && !value.startsWith('!') && !value.includes('/') && !/\s/.test(value)) continue;
    const source = key.startsWith('credential.') && value.startsWith('!') ? value.slice(1) : value;
    out.scripts.push({ source, cwd: runDir, by: `git ${key} (${from === 'command line' ? '-c' : 'repository config'})` });
  }
  for (const [key, { value, from }] of config) {
    if (from === 'command line' && (key === 'include.path' || /^includeif\..+\.path$/.test(key)) && value !== null) add(readConfig(resolve(dir, value, ctx.home), ctx, out, 1), 'command line');
  }

  if (!sub || sub.value === null) return out;
  const name = sub.value;
  // ext:: remotes: git runs the rest of the URL as a command, with no shell in between;
  // --exec-path / GIT_EXEC_PATH: git runs git-<name> programs from a directory the line picks.
  const extUrl = [...args.map((w) => w.value ?? ''), ...[...config].filter(([k]) => /^(remote\..+\.(url|pushurl)|url\..+\.insteadof|protocol\.ext\.allow)$/.test(k)).map(([, v]) => v.value ?? '')].find((v) => /(^|\s|=)ext::/.test(v) || v === 'always');
  if (extUrl !== undefined && (NETWORK.has(name) || name === 'config' || name === 'remote')) out.opaque.push(`git may run a command from an ext:: remote (${extUrl.slice(0, 60)}), which this check does not read`);
  if (args.slice(0, i).some((w) => /^--exec-path(=|$)/.test(w.value ?? '') && w.value !== '--exec-path') || ctx.assigned.has('GIT_EXEC_PATH')) out.opaque.push('git runs its commands from a directory this line chooses (--exec-path / GIT_EXEC_PATH)');
  // `git config alias.x '!…' && git x`: the config file still holds the old value when this line is read.
  const changed = changedConfigKey(ctx.earlier());
  if (changed) out.opaque.push(`git runs what its configuration names, and this command changes ${changed} first`);

  // Aliases: only for names that are not git's own commands.
  if (!BUILTINS.has(name)) {
    const alias = config.get(`alias.${name.toLowerCase()}`);
    if (alias && alias.value !== null) {
      const tail = rest.map((w) => (w.value === null ? '"$__AGENTGUARD_GIT_ARG"' : shq(w.value))).join(' ');
      if (alias.value.startsWith('!')) {
        out.scripts.push({ source: tail ? `${alias.value.slice(1)} ${tail}` : alias.value.slice(1), cwd: runDir, by: `git alias ${name}` });
      } else {
        // git re-runs itself with the alias words in place of the name: analyse that git command.
        const before = args.slice(0, i).map((w) => shq(w.value!)).join(' ');
        out.scripts.push({ source: ['git', before, alias.value, tail].filter(Boolean).join(' '), cwd: dir, by: `git alias ${name}` });
      }
    }
  }

  if (name === 'rebase') {
    for (let j = 0; j < rest.length; j++) {
      const v = rest[j].value;
      const cmd = v === '-x' || v === '--exec' ? rest[j + 1] : v?.startsWith('--exec=') ? { value: v.slice(7), raw: v, glob: false } : v?.startsWith('-x') && v.length > 2 ? { value: v.slice(2), raw: v, glob: false } : null;
      if (!cmd) continue;
      if (cmd.value === null) out.opaque.push(`git rebase --exec command is not static: ${cmd.raw}`);
      else out.scripts.push({ source: cmd.value, cwd: runDir, by: 'git rebase --exec' });
    }
  }
  if (name === 'submodule') {
    const f = rest.findIndex((w) => w.value === 'foreach');
    if (f >= 0) {
      const cmd = rest.slice(f + 1).filter((w) => !(w.value && /^--(recursive|quiet)$/.test(w.value)));
      if (cmd.some((w) => w.value === null)) out.opaque.push('git submodule foreach command is not static');
      else if (cmd.length) out.scripts.push({ source: cmd.map((w) => w.value).join(' '), cwd: runDir, by: 'git submodule foreach' });
    }
  }

  // Hooks the subcommand runs.
  const hooks = HOOKS[name];
  if (hooks && !(name === 'worktree' && rest[0]?.value !== 'add') && repo) {
    const hp = config.get('core.hookspath');
    let hooksDir = path.posix.join(repo.common, 'hooks');
    if (hp && hp.value !== null) hooksDir = resolve(runDir, hp.value, ctx.home);
    for (const h of hooks) {
      const r = runHook(hooksDir, h, runDir, ctx);
      // A hook that is not there does not run.
      out.scripts.push(...r.scripts);
      out.opaque.push(...r.opaque.filter((o) => !o.startsWith('runs a file that does not exist yet')));
    }
  }
  return out;
}

/** husky 9's generated hook (core.hooksPath=.husky/_): it runs .husky/<hook> with `sh -e` through `h`. */
const HUSKY9_WRAPPER = /^#!\/usr\/bin\/env sh\n\. "(\$\{0%\/\*\}|\$\(dirname "\$0"\))\/h"\n?$/;
/** husky 4–8's first line of a user hook (core.hooksPath=.husky): its setup, not the hook's work. */
const HUSKY8_SETUP = /^\. "\$\(dirname -- "\$0"\)\/_\/husky\.sh"$|^\. "\$\(dirname "\$0"\)\/_\/husky\.sh"$/m;

/**
 * The hook `name` in `hooksDir`, analysed as what it runs. Hook managers' generated wrappers
 * (husky) compute the real hook's path at run time; for them the project's own hook file is
 * read instead, and only when the wrapper is byte-for-byte husky's.
 */
function runHook(hooksDir: string, name: string, cwd: string, ctx: ProgramContext): CodeRuns {
  const file = path.posix.join(hooksDir, name);
  const by = `git hook ${name}`;
  if (path.posix.basename(hooksDir) === '_' && path.posix.basename(path.posix.dirname(hooksDir)) === '.husky') {
    const w = ctx.read(file);
    if (w.kind === 'text' && HUSKY9_WRAPPER.test(w.text)) return runFile(path.posix.join(path.posix.dirname(hooksDir), name), `${by} (.husky/${name})`, cwd, ctx, false);
  }
  const r = runFile(file, by, cwd, ctx, true);
  if (path.posix.basename(hooksDir) === '.husky') for (const s of r.scripts) s.source = s.source.replace(HUSKY8_SETUP, '');
  return r;
}

/** An exec-ish configuration key an earlier `git config` in the line sets, or null. */
function changedConfigKey(cmds: readonly Command[]): string | null {
  for (const c of cmds) {
    if (c.program !== 'git') continue;
    const words = c.argv.slice(1).map((w) => w.value);
    const i = words.indexOf('config');
    if (i < 0) continue;
    const rest = words.slice(i + 1);
    if (rest.some((w) => w !== null && /^(--get|--list|-l$|--show|get$|list$)/.test(w))) continue;
    const positional = rest.filter((w) => w === null || !w.startsWith('-'));
    if (rest.includes('--edit') || rest.includes('-e') || positional[0] === 'edit') return 'the config file (--edit)';
    // git 2.46: `git config set KEY VALUE`.
    const key = positional[0] === 'set' ? positional[1] : positional[0];
    if (key === undefined) continue;
    if (key === null) return 'a key only known when it runs';
    if (isExecKey(normKey(key))) return key;
  }
  return null;
}

interface Repository {
  /** The git directory (.git, or .git/worktrees/NAME for a linked worktree). */
  gitDir: string;
  /** Where config and hooks live (the main .git for a linked worktree). */
  common: string;
  /** The top of the work tree. */
  top: string;
}

function findRepository(start: string, gitDirOpt: string | null, ctx: ProgramContext, out: CodeRuns): Repository | null {
  if (gitDirOpt !== null) {
    const gitDir = resolve(start, gitDirOpt, ctx.home);
    return { gitDir, common: commonDir(gitDir, ctx, out), top: start };
  }
  for (let dir = start; ; dir = path.posix.dirname(dir)) {
    const dotgit = path.posix.join(dir, '.git');
    if (ctx.isDirectory(dotgit)) return { gitDir: dotgit, common: commonDir(dotgit, ctx, out), top: dir };
    if (ctx.exists(dotgit)) {
      const r = ctx.read(dotgit, { always: true });
      if (r.kind !== 'text') {
        out.opaque.push(unreadable(r, dotgit, ctx.cwd) ?? `cannot read ${dotgit}`);
        return null;
      }
      const m = /^gitdir:\s*(.+?)\s*$/m.exec(r.text);
      if (!m) return null;
      const gitDir = resolve(dir, m[1]);
      return { gitDir, common: commonDir(gitDir, ctx, out), top: dir };
    }
    if (dir === '/') return null;
  }
}

function commonDir(gitDir: string, ctx: ProgramContext, out: CodeRuns): string {
  const f = path.posix.join(gitDir, 'commondir');
  const r = ctx.read(f, { always: true });
  if (r.kind === 'text') return resolve(gitDir, r.text.trim());
  if (r.kind !== 'missing') out.opaque.push(unreadable(r, f, ctx.cwd)!);
  return gitDir;
}

/** Entries of a git config file (keys normalised), with its includes read in place. */
function readConfig(file: string, ctx: ProgramContext, out: CodeRuns, depth: number): [string, string | null][] {
  const r = ctx.read(file, { always: true });
  if (r.kind === 'missing') return [];
  if (r.kind !== 'text') {
    out.opaque.push(unreadable(r, file, ctx.cwd)!.replace('runs a file', 'git reads its configuration from a file'));
    return [];
  }
  const entries: [string, string | null][] = [];
  for (const [k, v] of parseConfig(r.text)) {
    entries.push([k, v]);
    if ((k === 'include.path' || /^includeif\..+\.path$/.test(k)) && v !== null) {
      if (depth >= 8) out.opaque.push(`git config includes nested too deep: ${shown(file, ctx.cwd)}`);
      else entries.push(...readConfig(resolve(path.posix.dirname(file), v, ctx.home), ctx, out, depth + 1));
    }
  }
  return entries;
}

function normKey(k: string): string {
  // Section and name are case-insensitive; a subsection is not.
  const first = k.indexOf('.');
  const last = k.lastIndexOf('.');
  if (first < 0) return k.toLowerCase();
  return k.slice(0, first).toLowerCase() + k.slice(first, last) + k.slice(last).toLowerCase();
}

/** git-config syntax: [section], [section "sub"], key = value with quotes, escapes, comments and continuations. */
export function parseConfig(text: string): [string, string | null][] {
  const out: [string, string | null][] = [];
  let section = '';
  let i = 0;
  const n = text.length;
  while (i < n) {
    while (i < n && /[ \t\r\n]/.test(text[i])) i++;
    if (i >= n) break;
    const c = text[i];
    if (c === '#' || c === ';') {
      while (i < n && text[i] !== '\n') i++;
      continue;
    }
    if (c === '[') {
      const end = text.indexOf(']', i);
      if (end < 0) break;
      const head = text.slice(i + 1, end);
      const m = /^\s*([^\s"]+)\s*(?:"((?:[^"\\]|\\.)*)")?\s*$/.exec(head);
      if (m) {
        const dot = m[1].indexOf('.');
        section = m[2] !== undefined ? `${m[1].toLowerCase()}.${m[2].replace(/\\(.)/g, '$1')}` : dot >= 0 ? `${m[1].slice(0, dot).toLowerCase()}.${m[1].slice(dot + 1)}` : m[1].toLowerCase();
      }
      i = end + 1;
      continue;
    }
    const m = /^[A-Za-z][A-Za-z0-9-]*/.exec(text.slice(i, i + 256));
    if (!m) {
      while (i < n && text[i] !== '\n') i++;
      continue;
    }
    const key = `${section}.${m[0].toLowerCase()}`;
    i += m[0].length;
    while (i < n && (text[i] === ' ' || text[i] === '\t')) i++;
    if (text[i] !== '=') {
      out.push([key, null]);
      continue;
    }
    i++;
    let value = '';
    let quoted = false;
    let pendingSpace = '';
    for (; i < n; i++) {
      const ch = text[i];
      if (ch === '\n' && !quoted) break;
      if (ch === '\\') {
        const e = text[i + 1];
        i++;
        if (e === '\n') continue;
        if (e === '\r' && text[i + 1] === '\n') {
          i++;
          continue;
        }
        value += pendingSpace + (e === 'n' ? '\n' : e === 't' ? '\t' : e === 'b' ? '\b' : (e ?? ''));
        pendingSpace = '';
        continue;
      }
      if (ch === '"') {
        quoted = !quoted;
        value += pendingSpace;
        pendingSpace = '';
        continue;
      }
      if (!quoted && (ch === '#' || ch === ';')) {
        while (i < n && text[i] !== '\n') i++;
        break;
      }
      if (!quoted && (ch === ' ' || ch === '\t' || ch === '\r')) {
        if (value) pendingSpace += ch === '\r' ? '' : ch;
        continue;
      }
      value += pendingSpace + ch;
      pendingSpace = '';
    }
    out.push([key, value]);
  }
  return out;
}

// ---- what git writes and where it connects (the ProgramSpec) ----------------------------

const GIT_GLOBAL: OptionSpec = {
  takesValue: ['-C', '-c', '--git-dir', '--work-tree', '--namespace', '--super-prefix', '--config-env', '--exec-path', '--list-cmds', '--attr-source'],
  stopAtPositional: true,
};

const NETWORK_SUBCOMMANDS = new Set(['clone', 'fetch', 'pull', 'push', 'ls-remote', 'remote', 'submodule', 'archive']);

export const gitSpec: ProgramSpec = {
  names: ['git'],
  global: GIT_GLOBAL,
  options: {
    takesValue: ['-C', '-c', '--git-dir', '--work-tree', '--config-env', '--exec-path', '-b', '--branch', '-o', '--origin', '--depth', '--reference', '--template', '--separate-git-dir', '--config', '-j', '--jobs', '--filter', '-m', '-F', '--message', '--file', '--author', '--date', '--upload-pack', '--receive-pack', '--exec', '-X', '--strategy-option', '-s', '--strategy', '--onto', '--shallow-since', '--shallow-exclude'],
  },
  effects(a, out) {
    const pos = a.opts.positionals;
    const sub = pos[0]?.value;
    if (sub === 'clone') {
      const rest = pos.slice(1);
      if (rest.length >= 2) out.writes.push(rest[1]);
      else if (rest[0]?.value) out.writes.push(lit(rest[0].value.replace(/\/+$/, '').replace(/\.git$/, '').split(/[/:]/).pop() || '.'));
      else if (rest[0]) out.writes.push(rest[0]);
    } else if (sub === 'init' && pos[1]) out.writes.push(pos[1]);
    else if (sub === 'worktree' && pos[1]?.value === 'add' && pos[2]) out.writes.push(pos[2]);
    if (sub && NETWORK_SUBCOMMANDS.has(sub)) {
      for (const w of pos.slice(1)) {
        if (w.value === null) continue;
        const h = urlHost(w.value, false) ?? (/^(?:[^@/:]+@)([A-Za-z0-9.-]+):/.exec(w.value) ? hostOfSpec(/^(?:[^@/:]+@)([A-Za-z0-9.-]+):/.exec(w.value)![1]) : null);
        if (h) out.hosts.push({ host: h, raw: w.raw });
      }
    }
  },
};
