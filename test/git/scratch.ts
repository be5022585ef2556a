// Scratch git repositories for the tests that judge commands against a real repository's state:
// git run with an environment of its own (the PATH the tests started with, the test's HOME, no
// system config, C locale), files written with their directories, and a repository initialised
// on main with an identity.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** Taken at load: a test may point PATH at a stand-in git for the code under test, not for these. */
const PATH = process.env.PATH;

/** `git(cwd, ...args)` for a test whose HOME is `home`. */
export function gitAt(home: string): (cwd: string, ...args: string[]) => string {
  return (cwd, ...args) => execFileSync('git', args, { cwd, env: { PATH, HOME: home, GIT_CONFIG_NOSYSTEM: '1', LC_ALL: 'C' }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

export function write(root: string, rel: string, text = `${rel}\n`): void {
  fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
  fs.writeFileSync(path.join(root, rel), text);
}

/** An empty repository at `root` (made if missing), on main, with a committer identity. */
export function initRepo(root: string, git: (cwd: string, ...args: string[]) => string): void {
  fs.mkdirSync(root, { recursive: true });
  git(root, 'init', '-q', '-b', 'main');
  git(root, 'config', 'user.name', 'Test');
  git(root, 'config', 'user.email', 'test@example.invalid');
}
