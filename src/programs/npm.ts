// npm, pnpm, yarn and bun run the project's package.json scripts for you: `npm test`,
// `npm run X` (with preX and postX), `pnpm X`, `yarn X`, `bun run X`, and the root
// package's lifecycle scripts on install, version, pack and publish. Each is shell text run in the package directory.
import path from 'node:path';
import type { Word } from '../shell/types.js';
import { lit, resolve, shown, shq, unreadable, type CodeRuns, type ProgramContext } from './context.js';
import { hasFlag, type OptionSpec } from './options.js';
import type { ProgramSpec } from './types.js';
import { managerRuns } from './npx.js';

export const PACKAGE_MANAGERS = new Set(['npm', 'pnpm', 'yarn', 'bun']);

/** What install runs of the root package, in order. */
const INSTALL_SCRIPTS = ['preinstall', 'install', 'postinstall', 'prepublish', 'preprepare', 'prepare', 'postprepare'];
const INSTALL = new Set(['install', 'i', 'in', 'ins', 'inst', 'insta', 'instal', 'isnt', 'isnta', 'isntal', 'isntall', 'ci', 'clean-install', 'ic', 'install-clean', 'isntall-clean', 'add', 'install-test', 'it', 'install-ci-test', 'cit']);
const RUN = new Set(['run', 'run-script', 'rum', 'urn', 'runScript']);
/**
 * Commands that run the root package's lifecycle scripts, in order: a `postversion` of
 * `git push --follow-tags && npm publish` makes `npm version patch` a release.
 */
const LIFECYCLE: Record<string, string[]> = {
  version: ['preversion', 'version', 'postversion'],
  verison: ['preversion', 'version', 'postversion'],
  pack: ['prepack', 'prepare', 'postpack'],
  publish: ['prepublishOnly', 'prepack', 'prepare', 'postpack', 'publish', 'postpublish'],
};
/** Built-in commands of pnpm and yarn: `pnpm X` runs script X only when X is none of these. */
const PM_BUILTINS = new Set([
  'add', 'audit', 'bin', 'cache', 'config', 'create', 'dedupe', 'deploy', 'dlx', 'doctor', 'env', 'exec', 'fetch', 'import', 'info', 'init', 'install', 'i', 'licenses',
  'link', 'list', 'ls', 'login', 'logout', 'outdated', 'owner', 'pack', 'patch', 'patch-commit', 'prune', 'publish', 'rebuild', 'recursive', 'remove', 'rm', 'root', 'server',
  'setup', 'store', 'tag', 'team', 'unlink', 'update', 'up', 'upgrade', 'upgrade-interactive', 'version', 'versions', 'view', 'why', 'workspace', 'workspaces', 'global',
  'help', 'node', 'plugin', 'policies', 'search', 'dedupe', 'check', 'autoclean', 'generate-lock-entry', 'importing', 'unplug', 'constraints', 'explain', 'npm', 'set', 'stage',
  'sdks', 'self-update', 'cat-index', 'cat-file', 'find-hash', 'ignored-builds', 'approve-builds', 'self',
]);
/** Options of the four managers that take the next word as their value. */
const TAKES_VALUE = new Set(['--prefix', '-C', '--dir', '--cwd', '-w', '--workspace', '--filter', '-F', '--userconfig', '--cache', '--registry', '--loglevel', '--reporter', '--script-shell', '--tag', '--otp', '--scope', '--network-concurrency', '--mutex']);

interface Parsed {
  dir: Word | null;
  positionals: Word[];
  /** Words after `--` or after the script name: appended to the main script. */
  extra: Word[];
  ignoreScripts: boolean;
  scriptShell: string | null | undefined;
  /** -w/--workspace(s), pnpm -r/--filter: scripts of workspace packages run (the root's may be absent). */
  workspaces: boolean;
  /** -w DIR naming a package directory. */
  workspaceDirs: string[];
}

function parse(args: readonly Word[]): Parsed {
  const out: Parsed = { dir: null, positionals: [], extra: [], ignoreScripts: false, scriptShell: undefined, workspaces: false, workspaceDirs: [] };
  for (let i = 0; i < args.length; i++) {
    const v = args[i].value;
    if (v === '--') {
      out.extra.push(...args.slice(i + 1));
      break;
    }
    if (v === null || !v.startsWith('-') || v === '-') {
      out.positionals.push(args[i]);
      continue;
    }
    const eq = v.indexOf('=');
    const name = v.startsWith('--') && eq > 0 ? v.slice(0, eq) : v;
    let value: string | null | undefined = v.startsWith('--') && eq > 0 ? v.slice(eq + 1) : undefined;
    if (value === undefined && TAKES_VALUE.has(name)) value = args[++i]?.value ?? null;
    if (name === '--prefix' || name === '-C' || name === '--dir' || name === '--cwd') out.dir = value == null ? { value: null, raw: v, glob: false } : { value, raw: value, glob: false };
    if (name === '--ignore-scripts') out.ignoreScripts = value !== 'false';
    if (name === '--script-shell') out.scriptShell = value ?? null;
    if (['-w', '--workspace', '--workspaces', '-ws', '-r', '--recursive', '--filter', '-F'].includes(name)) {
      out.workspaces = true;
      if ((name === '-w' || name === '--workspace') && value) out.workspaceDirs.push(value);
    }
  }
  return out;
}

/** The package.json scripts `program args…` runs (argv without argv[0]). */
export function codeItRuns(program: string, args: readonly Word[], ctx: ProgramContext): CodeRuns {
  const p = parse(args);
  const opaque: string[] = [];
  const none: CodeRuns = { scripts: [], opaque };
  if (p.ignoreScripts) return none;
  const [sub, ...rest] = p.positionals;
  if (sub && sub.value === null) return { scripts: [], opaque: [`${program} subcommand is not static: ${sub.raw}`] };
  const s = sub?.value ?? (program === 'npm' || program === 'bun' ? null : 'install');
  if (s === null) return none;

  // What would run: names of scripts, which must exist, and which may be missing.
  let wanted: { name: string; main: boolean; required: boolean }[] = [];
  let name: Word | undefined;
  let install = false;
  if (INSTALL.has(s)) {
    install = true;
    wanted = INSTALL_SCRIPTS.map((n) => ({ name: n, main: false, required: false }));
  } else if (Object.hasOwn(LIFECYCLE, s)) {
    install = true;
    wanted = LIFECYCLE[s].map((n) => ({ name: n, main: false, required: false }));
  } else if (RUN.has(s) && program !== 'bun') {
    name = rest[0];
    if (!name) return none;
  } else if (program === 'bun' && s === 'run') {
    name = rest[0];
    if (!name) return none;
  } else if (program === 'npm' && ['test', 't', 'tst', 'start', 'stop', 'restart'].includes(s)) {
    name = { value: s === 't' || s === 'tst' ? 'test' : s, raw: s, glob: false };
  } else if ((program === 'pnpm' || program === 'yarn') && (s === 'test' || s === 't' || s === 'start' || s === 'stop' || s === 'restart')) {
    name = { value: s === 't' ? 'test' : s, raw: s, glob: false };
  } else if ((program === 'pnpm' || program === 'yarn') && !PM_BUILTINS.has(s)) {
    // `pnpm build`: a script when package.json has one, else a binary of the project.
    name = sub;
  } else return none;
  // A script name only known at run time: any script of the package may run.
  const anyScript = !!name && name.value === null;
  const implicit = !!name && name === sub && !RUN.has(s);

  const base = p.dir ? p.dir : null;
  if (base && base.value === null) return { scripts: [], opaque: [`${program} runs scripts in a directory that is not static: ${base.raw}`] };
  const start = base?.value ? resolve(ctx.cwd, base.value, ctx.home) : ctx.cwd;
  const found = findPackage(start, ctx, !!base);
  if (found.kind === 'opaque') return { scripts: [], opaque: [found.reason] };
  if (found.kind === 'none') {
    // No package.json: install of nothing project-made; `npm start` falls back to node server.js.
    if (install || name?.value === 'start' || name?.value === 'stop' || implicit) return none;
    return { scripts: [], opaque: [`${program} ${name?.value ?? name?.raw}: no package.json in ${shown(start, ctx.cwd) || '.'}`] };
  }
  if (found.kind === 'installed') return none;
  const { dir, scripts } = found;
  const by = (n: string) => `${program} script ${n} (${shown(path.posix.join(dir, 'package.json'), ctx.cwd)})`;
  if (anyScript) wanted = Object.keys(scripts).map((n) => ({ name: n, main: true, required: false }));
  else if (name) {
    const n = name.value!;
    if (program === 'npm' && n === 'restart' && scripts.restart === undefined) wanted = ['prestop', 'stop', 'poststop', 'prestart', 'start', 'poststart'].map((x) => ({ name: x, main: false, required: false }));
    else wanted = [{ name: `pre${n}`, main: false, required: false }, { name: n, main: true, required: !implicit && !p.workspaces && n !== 'start' && n !== 'stop' && n !== 'restart' }, { name: `post${n}`, main: false, required: false }];
    if (program === 'npm' && n === 'restart') wanted = [{ name: 'prerestart', main: false, required: false }, ...wanted, { name: 'postrestart', main: false, required: false }];
  }
  if (p.scriptShell !== undefined && !(p.scriptShell && /(^|\/)(sh|bash|dash|zsh)$/.test(p.scriptShell))) opaque.push(`${program} runs its scripts with another shell: ${p.scriptShell ?? '(not static)'}`);
  const extra = [...(name ? rest.slice(1) : []), ...p.extra];
  const out: CodeRuns = { scripts: [], opaque };
  for (const w of wanted) {
    const text = scripts[w.name];
    if (text === undefined) {
      if (w.required) opaque.push(`${program} runs script "${w.name}", which ${shown(path.posix.join(dir, 'package.json'), ctx.cwd)} does not have`);
      continue;
    }
    if (typeof text !== 'string') {
      opaque.push(`script "${w.name}" in package.json is not a string`);
      continue;
    }
    const args = w.main ? extra.map((a) => (a.value === null ? '"$__AGENTGUARD_NPM_ARG"' : shq(a.value))).join(' ') : '';
    out.scripts.push({ source: args ? `${text} ${args}` : text, cwd: dir, by: by(w.name) });
  }
  // `yarn prisma migrate reset`, `pnpm knex migrate:rollback --all`: with no script of that
  // name, pnpm and yarn run the project's bin, which is analysed as the command it is.
  if (implicit && name?.value && scripts[name.value] === undefined) {
    // Every word after the bin's name is its own, options included (yarn prisma migrate reset --force).
    const own = args.slice(args.indexOf(name) + 1);
    const argv = [shq(name.value), ...own.map((a) => (a.value === null ? '"$__AGENTGUARD_NPM_ARG"' : shq(a.value)))];
    out.scripts.push({ source: argv.join(' '), cwd: dir, by: `${program} ${name.value} (the project's bin)` });
  }
  // `npm run build -w packages/web`: that package's scripts too. Workspaces named by package
  // name (or all of them, pnpm -r) are not looked up here; their shells are checked when they run.
  for (const wd of p.workspaceDirs) {
    const wdir = resolve(dir, wd, ctx.home);
    const r = ctx.read(path.posix.join(wdir, 'package.json'));
    if (r.kind === 'missing' || r.kind === 'installed') continue;
    if (r.kind !== 'text') {
      // Unreadable, too large, or written earlier in the line: its scripts cannot be read ahead.
      opaque.push(unreadable(r, path.posix.join(wdir, 'package.json'), ctx.cwd) ?? `the package.json of ${wd} cannot be read`);
      continue;
    }
    let ws: Record<string, unknown> = {};
    try {
      ws = (JSON.parse(r.text) as { scripts?: Record<string, unknown> }).scripts ?? {};
    } catch {
      opaque.push(`cannot read ${shown(path.posix.join(wdir, 'package.json'), ctx.cwd)} as JSON`);
    }
    for (const w of wanted) {
      const text = ws[w.name];
      if (typeof text === 'string') out.scripts.push({ source: text, cwd: wdir, by: `${program} script ${w.name} (${shown(path.posix.join(wdir, 'package.json'), ctx.cwd)})` });
    }
  }
  return out;
}

type Found = { kind: 'package'; dir: string; scripts: Record<string, unknown> } | { kind: 'none' } | { kind: 'installed' } | { kind: 'opaque'; reason: string };

/** The nearest package.json at or above `start` (only `start` itself with --prefix / -C / --cwd). */
/** package.json texts already parsed: the same text (the FsView hands back one string per stamp) is parsed once. */
const parsed = new Map<string, Record<string, unknown> | string>();

/** The scripts of a package.json text, or the JSON error. */
function scriptsOf(text: string): Record<string, unknown> | string {
  let s = parsed.get(text);
  if (s === undefined) {
    try {
      const json = JSON.parse(text) as { scripts?: unknown };
      s = json && typeof json === 'object' && json.scripts && typeof json.scripts === 'object' ? (json.scripts as Record<string, unknown>) : {};
    } catch (e) {
      s = (e as Error).message;
    }
    if (parsed.size >= 64) parsed.delete(parsed.keys().next().value!);
    parsed.set(text, s);
  }
  return s;
}

function findPackage(start: string, ctx: ProgramContext, exact: boolean): Found {
  for (let dir = start; ; dir = path.posix.dirname(dir)) {
    const file = path.posix.join(dir, 'package.json');
    const r = ctx.read(file);
    // Above the analysed roots: an existing package.json is installed code; a missing one, keep looking.
    if (r.kind === 'installed' && ctx.exists(file)) return { kind: 'installed' };
    if (r.kind === 'text') {
      const scripts = scriptsOf(r.text);
      if (typeof scripts === 'string') return { kind: 'opaque', reason: `cannot read ${shown(file, ctx.cwd)} as JSON: ${scripts}` };
      return { kind: 'package', dir, scripts };
    }
    if (r.kind !== 'missing' && r.kind !== 'installed') return { kind: 'opaque', reason: unreadable(r, file, ctx.cwd)! };
    if (exact || dir === '/') return { kind: 'none' };
  }
}

// ---- what a package manager writes (the ProgramSpec) -------------------------------------

const PM_OPTIONS: OptionSpec = { takesValue: [...TAKES_VALUE, '--access', '--otp'] };

/** One declaration per manager: what each runs for `exec`/`dlx`/`x` differs. */
function manager(name: string): ProgramSpec {
  return {
    names: [name],
    options: PM_OPTIONS,
    global: PM_OPTIONS,
    // npm exec / pnpm dlx / bun x …: the package runners of src/programs/npx.ts.
    runs(args) {
      const at = subcommandAt(args);
      const sub = at < 0 ? null : args[at].value;
      return (sub && managerRuns(name, sub, args.slice(at + 1))) || [];
    },
    effects(a, out) {
      // A global install writes outside the project.
      if (hasFlag(a.opts, ['--global']) || a.opts.flags.includes('-g')) out.writes.push(a.values(['--prefix'])[0] ?? lit('/usr/local/lib/node_modules'));
    },
  };
}

/** Index of the subcommand word (the first word that is not an option or an option's value), or -1. */
function subcommandAt(args: readonly Word[]): number {
  for (let i = 0; i < args.length; i++) {
    const v = args[i].value;
    if (v === null || !v.startsWith('-') || v === '-') return i;
    if (v === '--') return -1;
    if (!v.includes('=') && TAKES_VALUE.has(v)) i++;
  }
  return -1;
}

// bun is declared with the interpreters (it is one first); its scripts are still read by codeItRuns.
export const packageManagers: ProgramSpec[] = [...PACKAGE_MANAGERS].filter((n) => n !== 'bun').map(manager);
