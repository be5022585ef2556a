// The generated repository the git benches share: DIRS directories of PER_DIR small files under
// src/, dist/ ignored, committed on main, in a fresh directory under /var/tmp with its own HOME
// (process.env.HOME and GIT_CONFIG_NOSYSTEM are set for the code under test too).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const DIRS = 100;
export const PER_DIR = 100;

/** The repository, a git runner in it, and remove(); the caller removes it in a finally. */
export function generatedRepo(prefix) {
  const base = fs.mkdtempSync(path.join(fs.existsSync('/var/tmp') ? '/var/tmp' : os.tmpdir(), `agentguard-bench-${prefix}-`));
  const home = path.join(base, 'home');
  fs.mkdirSync(home);
  process.env.HOME = home;
  process.env.GIT_CONFIG_NOSYSTEM = '1';
  const root = path.join(base, 'repo');
  const env = { PATH: process.env.PATH, HOME: home, GIT_CONFIG_NOSYSTEM: '1', LC_ALL: 'C' };
  const git = (...args) => execFileSync('git', args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 });
  const remove = () => fs.rmSync(base, { recursive: true, force: true });
  try {
    fs.mkdirSync(root);
    git('init', '-q', '-b', 'main');
    git('config', 'user.name', 'Bench');
    git('config', 'user.email', 'bench@example.invalid');
    for (let d = 0; d < DIRS; d++) {
      const dir = path.join(root, 'src', `d${d}`);
      fs.mkdirSync(dir, { recursive: true });
      for (let f = 0; f < PER_DIR; f++) fs.writeFileSync(path.join(dir, `f${f}.ts`), `export const x${f} = ${d * PER_DIR + f};\n`);
    }
    fs.writeFileSync(path.join(root, '.gitignore'), 'dist/\n');
    git('add', '-A');
    git('commit', '-qm', 'generated');
  } catch (e) {
    remove();
    throw e;
  }
  return { base, home, root, git, remove };
}
