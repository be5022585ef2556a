// node bench/git-judge.js: what judging by the repository's state adds to a decision (issue 17:
// at most 5 ms p50 on a 10,000-file repository, nothing for commands that cannot lose work).
//   A generated, committed repository (100 directories × 100 files, clean) under /var/tmp, HOME in
//   a fresh directory. For each command: guard.check alone, and guard.check + judgeWithGit with
//   one StateCache kept warm across runs (as a session keeps it), p50/p99, and the difference of
//   the p50s as the git check's cost. Commands whose paths cover more than the freshness walk's
//   budget re-read the repository every time (the line under them says how often).
// Run by `npm run bench` (section extra), or `node bench/git-judge.js` after a build.
import { DIRS, PER_DIR, generatedRepo } from './generated-repo.js';
import { createGuard } from '../dist/guard.js';
import { judgeWithGit } from '../dist/git/judge.js';
import { StateCache } from '../dist/git/state.js';

const TARGET_P50_MS = 5;

const fmt = (ms) => (ms < 1 ? `${(ms * 1000).toFixed(0)} µs` : `${ms.toFixed(2)} ms`);
const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

async function times(runs, fn) {
  const t = [];
  for (let i = 0; i < runs; i++) {
    const s = process.hrtime.bigint();
    await fn();
    t.push(Number(process.hrtime.bigint() - s) / 1e6);
  }
  return t;
}

const { home, root, remove } = generatedRepo('judge');
try {
  // The files' times must fall outside the freshness check's clock slack, as between an edit and a command.
  await new Promise((r) => setTimeout(r, 300));

  const guard = await createGuard({ cwd: root, home, env: { HOME: home }, workspaces: [root] });
  // A session keeps one cache, watched (src/git/watch.ts) and primed at its start; check and the
  // hooks are one process per command with a fresh cache each, so theirs is the cold read.
  const modes = [
    ['in a session (watched, primed)', async () => {
      const c = new StateCache({ watch: true, refresh: false });
      await c.prime(root, { timeoutMs: 30_000 });
      return c;
    }],
    ['kept but not watched (stat walk)', async () => new StateCache()],
  ];
  for (const [label, make] of modes) {
  const cache = await make();
  console.log(`git-aware decision on a clean ${DIRS * PER_DIR}-file repository, ${label} (target: the git check adds at most ${TARGET_P50_MS} ms p50):`);
  for (const [command, expect] of [
    ['rm -rf src/d4/f0.ts', 'allow'],
    ['rm -rf src/d2', 'allow'],
    ['git checkout -- .', 'allow'],
    ['ls src/d2 && git status', 'allow'],
  ]) {
    const check = () => guard.check({ command, cwd: root });
    const judge = async () => {
      const d = await judgeWithGit(check(), { cache, timeoutMs: 30_000 });
      if (d.action !== expect) throw new Error(`${command}: ${d.action}, expected ${expect} (${d.matches.map((m) => m.rule).join(', ')}; ${d.git?.unknown.join('; ')})`);
    };
    for (let i = 0; i < 5; i++) await judge();
    const whole = command.includes('checkout');
    const runs = whole ? 30 : 300;
    const alone = await times(runs, check);
    const before = cache.reads;
    const both = await times(runs, judge);
    const reads = cache.reads - before;
    const added = pct(both, 50) - pct(alone, 50);
    const verdict = added <= TARGET_P50_MS ? 'within target' : 'OVER target';
    console.log(`  ${command.padEnd(24)} check p50 ${fmt(pct(alone, 50)).padStart(9)}   check+git p50 ${fmt(pct(both, 50)).padStart(9)}  p99 ${fmt(pct(both, 99)).padStart(9)}   git adds ${fmt(Math.max(0, added)).padStart(9)} (${verdict}, ${runs} runs)`);
    if (reads) console.log(`    (read the repository again ${reads} of ${runs} times: the paths cover more than the freshness walk's budget)`);
  }
  cache.close?.();
  }
} finally {
  remove();
}
