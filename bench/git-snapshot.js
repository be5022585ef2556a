// Working-tree snapshots (issue 17): takeSnapshot on a generated 10,000-file repository with 50
// changed files (target: at most 300 ms), and restoreSnapshot after those 50 files are deleted
// and when nothing needs writing (every file is still hashed to check for later work).
// Run by `npm run bench` (section extra), or `node bench/git-snapshot.js` after a build.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { restoreSnapshot, takeSnapshot } from '../dist/git/snapshot.js';

const FILES = 10_000;
const CHANGED = 50;
const RUNS = 7;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (ms) => `${ms.toFixed(0)} ms`;

const base = fs.mkdtempSync(path.join(fs.existsSync('/var/tmp') ? '/var/tmp' : os.tmpdir(), 'agentguard-bench-snapshot-'));
try {
  const repo = path.join(base, 'repo');
  const env = { ...process.env, HOME: base, GIT_CONFIG_NOSYSTEM: '1' };
  const git = (...args) => execFileSync('git', args, { cwd: repo, env, stdio: ['ignore', 'pipe', 'pipe'] });
  fs.mkdirSync(repo);
  git('init', '-q', '-b', 'main');
  git('config', 'user.name', 'bench');
  git('config', 'user.email', 'bench@example.invalid');
  const names = [];
  for (let i = 0; i < FILES; i++) {
    const name = `src/d${i % 100}/f${i}.ts`;
    names.push(name);
    fs.mkdirSync(path.join(repo, path.dirname(name)), { recursive: true });
    fs.writeFileSync(path.join(repo, name), `export const v${i} = ${i};\n`.repeat(20));
  }
  git('add', '-A');
  git('commit', '-qm', 'generated');
  const changed = names.filter((_, i) => i % (FILES / CHANGED) === 0);
  for (const [k, name] of changed.entries()) {
    // Half modified, half new untracked files beside them.
    if (k % 2) fs.appendFileSync(path.join(repo, name), '// changed\n');
    else fs.writeFileSync(path.join(repo, `${name}.new.ts`), 'untracked\n');
  }
  git('status', '--porcelain'); // a warm index, as in a session where git has been used

  const take = [];
  let last;
  for (let n = 0; n < RUNS; n++) {
    const t = performance.now();
    last = await takeSnapshot(repo, { session: 'bench', n, command: 'rm -rf src', maxFileBytes: 1 << 20 });
    take.push(performance.now() - t);
  }
  const gone = [...last.stored];
  const restoreGone = [];
  const restoreClean = [];
  for (let i = 0; i < 3; i++) {
    for (const p of gone) fs.rmSync(path.join(repo, p));
    let t = performance.now();
    const r = await restoreSnapshot(repo, last.ref);
    restoreGone.push(performance.now() - t);
    if (r.restored.length !== gone.length) throw new Error(`restored ${r.restored.length} of ${gone.length}`);
    t = performance.now();
    await restoreSnapshot(repo, last.ref);
    restoreClean.push(performance.now() - t);
  }
  console.log(`\ngit snapshots: ${FILES} files, ${CHANGED} changed (${last.stored.length} stored)`);
  console.log(`  takeSnapshot                      median ${fmt(median(take))}  (min ${fmt(Math.min(...take))}, max ${fmt(Math.max(...take))}, ${RUNS} runs; target ≤ 300 ms)`);
  console.log(`  restoreSnapshot, ${gone.length} files deleted   median ${fmt(median(restoreGone))}`);
  console.log(`  restoreSnapshot, nothing to write  median ${fmt(median(restoreClean))}`);
} finally {
  fs.rmSync(base, { recursive: true, force: true });
}
