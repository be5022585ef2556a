// Running git on a repository the agent may control, without letting the repository run
// anything and without letting the caller's environment choose what git reads. Every
// agentguard git process (reading the state, taking and restoring snapshots) starts here.
//
// What a repository's own config (or a config it includes) could make git execute, and why
// each is closed (checked on git 2.39):
// - core.fsmonitor: a hook `status`, `ls-files`, `diff-files` and index refreshes run
//   -> forced to false.
// - hooks: plumbing runs no commit hooks, but `update-ref` runs `reference-transaction`
//   -> core.hooksPath=/dev/null (a file, so no hook can exist under it).
// - filter.<driver>.clean/smudge/process named by .gitattributes: `status` runs the clean
//   filter of any file whose stat data no longer matches the index (a `touch` is enough),
//   `add`/`update-index` run it too -> filterOverrides() lists every configured driver and
//   blanks it (a blank command is no filter; `required` is switched off). Snapshots also
//   hash with `--no-filters` and write files back themselves, never through checkout.
// - submodules: status recurses into each with its own config -> ignored.
// - a partial clone's lazy fetch through core.sshCommand (a staged rename's similarity check
//   is enough) -> status runs without rename detection, protocol.allow=never and
//   GIT_NO_LAZY_FETCH=1 (git >= 2.44, backported to 2.39.4): a read that needs a fetch fails.
// - commit.gpgSign + gpg.program: commit-tree signs when asked -> off (and --no-gpg-sign).
// - gc.auto / maintenance.auto: adding objects may start a background gc -> off.
// - optional locks: status would rewrite the index -> GIT_OPTIONAL_LOCKS=0.
// - core.pager, diff.external, textconv, credential helpers: only reached by commands never run here.
// Every GIT_* variable the caller has is dropped (GIT_DIR, GIT_INDEX_FILE, GIT_CONFIG_* …).
import { AsyncLocalStorage } from 'node:async_hooks';
import { spawn } from 'node:child_process';

/** `-c` settings every git call runs with. */
export const SAFE_CONFIG = [
  'core.fsmonitor=false',
  'core.hooksPath=/dev/null',
  'commit.gpgSign=false',
  'gc.auto=0',
  'maintenance.auto=false',
  'core.untrackedCache=false',
  'core.splitIndex=false',
  'protocol.allow=never',
  'diff.ignoreSubmodules=all',
  'core.quotePath=false',
  'color.ui=false',
];

export function gitEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('GIT_') && v !== undefined) env[k] = v;
  return {
    ...env,
    LC_ALL: 'C',
    GIT_OPTIONAL_LOCKS: '0',
    GIT_TERMINAL_PROMPT: '0',
    GIT_NO_LAZY_FETCH: '1',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_NO_REPLACE_OBJECTS: '1',
    ...extra,
  };
}

/** Where git runs: a work tree, optionally with its git directory pinned (so nothing in the tree can redirect it). */
export type GitTarget = string | { root: string; gitDir: string };

export interface GitOptions {
  /** a Date.now() value; without it, the enclosing withTimeLimit()'s, if any */
  deadline?: number;
  /** extra `-c` settings (filter overrides) */
  config?: string[];
  input?: string | Buffer;
  /** extra environment (GIT_INDEX_FILE for a temporary index, an author identity) */
  env?: Record<string, string>;
  maxBytes?: number;
}

export interface GitResult {
  ok: boolean;
  /** exit status, null when killed or never started */
  status: number | null;
  stdout: Buffer;
  stderr: string;
  /** why it failed: exit status, signal, timeout or start error, with stderr's first line */
  error?: string;
}

const deadlines = new AsyncLocalStorage<number>();

/** Runs `fn` with every git call it makes (however deep) bounded by `ms` from now. */
export function withTimeLimit<T>(ms: number | undefined, fn: () => Promise<T>): Promise<T> {
  return ms === undefined ? fn() : deadlines.run(Date.now() + ms, fn);
}

/** Runs one git command; resolves (never rejects) by its deadline, killing git past it. */
export function runGit(target: GitTarget, args: string[], opts: GitOptions = {}): Promise<GitResult> {
  const root = typeof target === 'string' ? target : target.root;
  const pinned = typeof target === 'string' ? [] : [`--git-dir=${target.gitDir}`, `--work-tree=${target.root}`];
  const config = [...SAFE_CONFIG, ...(opts.config ?? [])].flatMap((c) => ['-c', c]);
  const argv = ['--no-pager', ...pinned, ...config, ...args];
  const maxBytes = opts.maxBytes ?? 256 * 1024 * 1024;
  const deadline = opts.deadline ?? deadlines.getStore();
  const what = `git ${args.find((a, i) => a !== '-c' && args[i - 1] !== '-c') ?? ''}`.trim();
  const failed = (error: string, status: number | null = null, stderr = ''): GitResult => ({ ok: false, status, stdout: Buffer.alloc(0), stderr, error });
  return new Promise((resolve) => {
    const remaining = deadline === undefined ? undefined : deadline - Date.now();
    if (remaining !== undefined && remaining <= 0) return resolve(failed(`${what} ran out of time before it started`));
    let settled = false;
    const done = (r: GitResult) => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      resolve(r);
    };
    const child = spawn('git', argv, { cwd: root, env: gitEnv(opts.env), stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let outBytes = 0;
    let err = '';
    const timer =
      remaining === undefined
        ? undefined
        : setTimeout(() => {
            child.kill('SIGKILL');
            done(failed(`${what} ran out of time (${remaining} ms)`));
          }, remaining);
    child.stdout!.on('data', (b: Buffer) => {
      outBytes += b.length;
      if (outBytes > maxBytes) {
        child.kill('SIGKILL');
        done(failed(`${what} printed more than ${maxBytes} bytes`));
      } else out.push(b);
    });
    child.stderr!.on('data', (b: Buffer) => {
      if (err.length < 16384) err += b.toString('utf8');
    });
    child.on('error', (e) => done(failed(`git could not start: ${e.message}`)));
    child.on('close', (code, signal) => {
      const stdout = Buffer.concat(out);
      if (code === 0) done({ ok: true, status: 0, stdout, stderr: err });
      else {
        const first = err.trim().split('\n')[0];
        done({ ok: false, status: code, stdout, stderr: err, error: `${what} ${signal ? `killed by ${signal}` : `exited ${code}`}${first ? `: ${first}` : ''}` });
      }
    });
    if (opts.input !== undefined && child.stdin) {
      child.stdin.on('error', () => {}); // git may exit before reading all its input; its status says why
      child.stdin.end(opts.input);
    }
  });
}

export class GitError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
    readonly stderr: string,
  ) {
    super(message);
  }
}

/** runGit for callers that stop at the first failure: rejects with a GitError unless the status is 0 or in `okStatus`. */
export async function gitOrThrow(target: GitTarget, args: string[], opts: GitOptions & { okStatus?: number[] } = {}): Promise<{ stdout: Buffer; status: number }> {
  const r = await runGit(target, args, opts);
  if (r.ok || (r.status !== null && opts.okStatus?.includes(r.status))) return { stdout: r.stdout, status: r.status! };
  throw new GitError(r.error ?? 'git failed', r.status, r.stderr);
}

/**
 * `-c` settings that blank every filter driver the repository's config defines (a driver
 * named in .gitattributes but defined nowhere runs nothing anyway), or why they cannot be made.
 */
export async function filterOverrides(target: GitTarget, deadline?: number): Promise<string[] | { unknown: string }> {
  const r = await runGit(target, ['config', '-z', '--name-only', '--get-regexp', '^filter\\.'], { deadline });
  if (!r.ok && r.status !== 1) return { unknown: r.error ?? 'git config failed' };
  const drivers = new Set<string>();
  for (const name of r.stdout.toString('utf8').split('\0')) {
    const m = /^filter\.(.+)\.[^.]+$/s.exec(name);
    if (m) drivers.add(m[1]);
  }
  // A driver name with '=' or a newline cannot be written as `-c name=value`: read nothing rather than run it.
  for (const d of drivers) if (/[=\n]/.test(d)) return { unknown: `a filter driver named ${JSON.stringify(d)} cannot be switched off` };
  return [...drivers].flatMap((d) => [`filter.${d}.clean=`, `filter.${d}.smudge=`, `filter.${d}.process=`, `filter.${d}.required=false`]);
}
