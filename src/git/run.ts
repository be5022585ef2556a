// Running git read-only against a repository the agent may control, under a deadline.
//
// What a repository's own config can make a read run (checked on git 2.39):
//   - core.fsmonitor: `git status` runs it as a hook on every call → forced to false;
//   - filter.<driver>.clean / .process: `git status` runs the clean filter of any file
//     whose stat data no longer matches the index, to compare content (verified: a
//     `touch` is enough) → every configured driver is listed first and blanked with
//     `-c filter.<driver>.clean= -c filter.<driver>.process=` (a blank command is no filter;
//     a `required` driver then makes status fail, which is read as unknown, never as clean);
//   - submodules: status recurses into each with its own config → `--ignore-submodules=all`;
//   - a partial clone's lazy fetch: a blob that is not there is fetched from the promisor
//     remote, through the transport the config names (core.sshCommand: verified, a staged
//     rename's similarity check is enough) → status without rename detection, and as belts
//     `protocol.allow=never` and GIT_NO_LAZY_FETCH=1 (git ≥ 2.44, backported to 2.39.4):
//     a read that would need a fetch fails, which is unknown;
//   - optional locks: status would rewrite the index (and so change what the cache keys
//     on) → GIT_OPTIONAL_LOCKS=0.
// The environment loses every GIT_* variable (GIT_DIR, GIT_CONFIG_PARAMETERS, GIT_EXTERNAL_DIFF …)
// so that the caller's environment does not choose the repository or add config.
import { spawn } from 'node:child_process';

export interface GitResult {
  ok: boolean;
  stdout: Buffer;
  /** why it failed: exit status, signal, timeout or start error, with stderr's first line */
  error?: string;
}

/** The config every read runs with, before any per-repository filter overrides. */
export const SAFE_CONFIG = ['core.fsmonitor=false', 'protocol.allow=never', 'diff.ignoreSubmodules=all', 'core.quotePath=false', 'color.ui=false'];

export function gitEnv(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(base)) if (!k.startsWith('GIT_') && v !== undefined) env[k] = v;
  env.GIT_OPTIONAL_LOCKS = '0';
  env.GIT_TERMINAL_PROMPT = '0';
  env.GIT_NO_LAZY_FETCH = '1';
  env.LC_ALL = 'C';
  return env;
}

/**
 * Runs `git --git-dir=… --work-tree=… -c … <args>` and resolves (never rejects) by `deadline`
 * (a Date.now() value): past it the process is killed and the result says `timed out`.
 */
export function runGit(
  repo: { root: string; gitDir: string },
  args: string[],
  opts: { deadline: number; config?: string[]; stdin?: string; maxBytes?: number },
): Promise<GitResult> {
  const config = [...SAFE_CONFIG, ...(opts.config ?? [])].flatMap((c) => ['-c', c]);
  const argv = [`--git-dir=${repo.gitDir}`, `--work-tree=${repo.root}`, ...config, ...args];
  const maxBytes = opts.maxBytes ?? 256 * 1024 * 1024;
  return new Promise((resolve) => {
    const remaining = opts.deadline - Date.now();
    if (remaining <= 0) return resolve({ ok: false, stdout: Buffer.alloc(0), error: 'timed out before git started' });
    let settled = false;
    const done = (r: GitResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(r);
    };
    const child = spawn('git', argv, { cwd: repo.root, env: gitEnv(), stdio: [opts.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let outBytes = 0;
    let err = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      done({ ok: false, stdout: Buffer.alloc(0), error: `git ${args[0]} timed out after ${remaining} ms` });
    }, remaining);
    child.stdout!.on('data', (b: Buffer) => {
      outBytes += b.length;
      if (outBytes > maxBytes) {
        child.kill('SIGKILL');
        done({ ok: false, stdout: Buffer.alloc(0), error: `git ${args[0]} printed more than ${maxBytes} bytes` });
      } else out.push(b);
    });
    child.stderr!.on('data', (b: Buffer) => {
      if (err.length < 4096) err += b.toString('utf8');
    });
    child.on('error', (e) => done({ ok: false, stdout: Buffer.alloc(0), error: `git could not start: ${e.message}` }));
    child.on('close', (code, signal) => {
      const stdout = Buffer.concat(out);
      if (code === 0) done({ ok: true, stdout });
      else done({ ok: false, stdout, error: `git ${args[0]} ${signal ? `killed by ${signal}` : `exited ${code}`}${err ? `: ${err.trim().split('\n')[0]}` : ''}` });
    });
    if (opts.stdin !== undefined && child.stdin) {
      child.stdin.on('error', () => {});
      child.stdin.end(opts.stdin);
    }
  });
}
