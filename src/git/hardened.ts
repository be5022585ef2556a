// Running git on a repository an agent may control, without letting the repository run
// anything. Owns the command-line overrides and the environment every agentguard git call
// uses, and collecting a git process's output as bytes.
//
// What a repository's own config (or a config it includes) could make git execute, and why
// each is closed here:
// - core.fsmonitor: a command git runs to ask what changed (status, ls-files, diff-files,
//   update-index refresh) -> `-c core.fsmonitor=false`.
// - hooks: plumbing runs no commit hooks, but `update-ref` runs `reference-transaction`
//   -> `-c core.hooksPath=/dev/null`.
// - filter.<driver>.clean/smudge/process named by .gitattributes: run whenever git converts
//   content (add, update-index, ls-files on racily clean entries, checkout-index) -> each
//   configured driver is overridden with empty commands, and contents are hashed with
//   `hash-object --no-filters` and written back by us, never by checkout.
// - commit.gpgSign + gpg.program / gpg.<fmt>.program: commit-tree signs when asked to
//   -> `--no-gpg-sign` on commit-tree and `-c commit.gpgSign=false`.
// - gc.auto / maintenance.auto: a command that adds objects may start a background gc
//   -> both off.
// - core.worktree: redirects the work tree elsewhere -> callers check that git's top level
//   is the root they were given.
// - core.pager, diff.external, textconv, credential helpers, sshCommand: only reached by
//   commands we never run (diff -p, log with a pager, fetch/push).
// The environment is ours, not the agent's: GIT_* variables inherited by the caller are
// dropped (GIT_DIR, GIT_INDEX_FILE, GIT_CONFIG_* could point git anywhere).
import { AsyncLocalStorage } from 'node:async_hooks';
import { spawn } from 'node:child_process';

export class GitError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
    readonly stderr: string,
  ) {
    super(message);
  }
}

export interface GitRun {
  /** Bytes fed to git's stdin. */
  input?: string | Buffer;
  /** Extra environment (GIT_INDEX_FILE for a temporary index, author identity). */
  env?: Record<string, string>;
  /** Exit statuses that are not an error (e.g. 1 for `rev-parse --verify -q`). */
  okStatus?: number[];
}

export interface GitResult {
  stdout: Buffer;
  status: number;
}

function baseEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('GIT_')) env[k] = v;
  return {
    ...env,
    LC_ALL: 'C',
    GIT_OPTIONAL_LOCKS: '0', // status/ls-files must not refresh and rewrite the user's index
    GIT_TERMINAL_PROMPT: '0',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_NO_REPLACE_OBJECTS: '1',
    ...extra,
  };
}

/**
 * `-c` overrides for one repository: the fixed ones above plus an empty command for every
 * filter driver any config scope defines (a driver named in .gitattributes but defined
 * nowhere runs nothing anyway).
 */
export async function hardenedConfig(root: string): Promise<string[]> {
  const fixed = [
    'core.fsmonitor=false',
    'core.hooksPath=/dev/null', // a file, so no hook can exist under it
    'commit.gpgSign=false',
    'gc.auto=0',
    'maintenance.auto=false',
    'core.untrackedCache=false',
    'core.splitIndex=false',
  ];
  const args = fixed.flatMap((c) => ['-c', c]);
  const r = await runGit(root, [...args, 'config', '-z', '--name-only', '--get-regexp', '^filter\\.'], { okStatus: [1] });
  const drivers = new Set<string>();
  for (const name of r.stdout.toString('utf8').split('\0')) {
    const m = /^filter\.(.+)\.[^.]+$/s.exec(name);
    if (m) drivers.add(m[1]);
  }
  for (const d of drivers) {
    for (const key of ['clean', 'smudge', 'process']) args.push('-c', `filter.${d}.${key}=`);
    args.push('-c', `filter.${d}.required=false`);
  }
  return args;
}

const deadlines = new AsyncLocalStorage<number>();

/**
 * Runs `fn` with every git process it starts (however deep) killed once `ms` have passed
 * since now; such a git call rejects with a GitError saying it ran out of time.
 */
export function withTimeLimit<T>(ms: number | undefined, fn: () => Promise<T>): Promise<T> {
  return ms === undefined ? fn() : deadlines.run(Date.now() + ms, fn);
}

/** Runs git in `cwd` with our environment; rejects with the exit status and stderr on failure. */
export function runGit(cwd: string, args: string[], opts: GitRun = {}): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    const deadline = deadlines.getStore();
    const left = deadline === undefined ? undefined : deadline - Date.now();
    if (left !== undefined && left <= 0) {
      reject(new GitError('git ran out of time', null, ''));
      return;
    }
    const child = spawn('git', ['--no-pager', ...args], { cwd, env: baseEnv(opts.env), stdio: ['pipe', 'pipe', 'pipe'], timeout: left, killSignal: 'SIGKILL' });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => reject(new GitError(`cannot run git: ${e.message}`, null, '')));
    child.stdin.on('error', () => {}); // git may exit before reading all its input; its status says why
    child.on('close', (status, signal) => {
      const stderr = Buffer.concat(err).toString('utf8');
      if (signal && left !== undefined && Date.now() >= deadline!) {
        reject(new GitError('git ran out of time', null, stderr));
        return;
      }
      if (status === 0 || (status !== null && opts.okStatus?.includes(status))) {
        resolve({ stdout: Buffer.concat(out), status });
      } else {
        const what = args.find((a, i) => a !== '-c' && (i === 0 || args[i - 1] !== '-c')) ?? args[0];
        reject(new GitError(`git ${what} failed (${status ?? 'killed'}): ${stderr.trim()}`, status, stderr));
      }
    });
    child.stdin.end(opts.input ?? '');
  });
}
