// node bench/linear.js [--shapes]: long command lines (issue 11, "linear time").
//   analysis + decision (guard.check) of 64 KiB and 256 KiB lines of every shape in
//   bench/shapes.js: the median over the shapes and the worst one; the answer to a line
//   over the 256 KiB limit (an ask without parsing); redaction of 256 KiB for the log.
//   --shapes also prints every shape at 16, 64 and 256 KiB, split into analysis and decision.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createGuard } from '../dist/index.js';
import { analyse } from '../dist/shell/analyse.js';
import { evaluate } from '../dist/policy/evaluate.js';
import { Redactor } from '../dist/log/redact.js';
import { SHAPES } from './shapes.js';

const KiB = 1024;

function fmt(ms) {
  return ms < 1 ? `${(ms * 1000).toFixed(0)} µs` : ms < 1000 ? `${ms.toFixed(ms < 10 ? 2 : 0)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

/** [wall ms, result, CPU ms of this process]: on a shared machine the CPU time shows what load adds. */
function time(fn) {
  const c = process.cpuUsage();
  const t = process.hrtime.bigint();
  const r = fn();
  const wall = Number(process.hrtime.bigint() - t) / 1e6;
  const cpu = process.cpuUsage(c);
  return [wall, r, (cpu.user + cpu.system) / 1000];
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// A scratch workspace and home, so that nothing of the person's leaks in (and cd/cat find what the shapes name).
const base = fs.mkdtempSync(path.join(fs.existsSync('/var/tmp') ? '/var/tmp' : os.tmpdir(), 'agentguard-bench-linear-'));
const workspace = path.join(base, 'project');
const home = path.join(base, 'home');
fs.mkdirSync(path.join(workspace, '.git'), { recursive: true });
fs.mkdirSync(home);
fs.writeFileSync(path.join(workspace, 'README.md'), 'x\n');
const env = { HOME: home, USER: 'dev', TMPDIR: '/tmp' };
const guard = await createGuard({ cwd: workspace, workspaces: [workspace], home, env });

try {
  // Warm up every code path on small lines first: the figures are for a warm process (the session's).
  for (const s of Object.values(SHAPES)) guard.check({ command: s.build(16 * KiB) });

  const label = (s) => s.padEnd(44);
  for (const [kib, target] of [
    [64, 50],
    [256, 200],
  ]) {
    const times = [];
    for (const [name, s] of Object.entries(SHAPES)) {
      const command = s.build(kib * KiB);
      const [ms, d, cpu] = time(() => guard.check({ command }));
      if (d.action !== s.expect || d.opaque.length) throw new Error(`${name} at ${kib} KiB: ${d.action} ${JSON.stringify(d.opaque)}`);
      times.push([ms, name, cpu]);
    }
    const worst = times.reduce((a, b) => (b[0] > a[0] ? b : a));
    console.log(
      `${label(`long line: analysis + decision, ${kib} KiB`)} median ${fmt(median(times.map((t) => t[0]))).padStart(8)} (cpu ${fmt(median(times.map((t) => t[2])))})   worst ${fmt(worst[0])} (cpu ${fmt(worst[2])}, ${worst[1]})   target ≤ ${target} ms   (${times.length} shapes)`,
    );
  }

  const over = 'echo ' + 'x'.repeat(300 * KiB);
  const asks = [];
  for (let i = 0; i < 20; i++) {
    const [ms, d] = time(() => guard.check({ command: over }));
    if (d.action !== 'ask' || !/^too long to analyse/.test(d.opaque[0] ?? '')) throw new Error(`300 KiB line: ${JSON.stringify(d)}`);
    asks.push(ms);
  }
  console.log(`${label('long line: answer to a 300 KiB line (ask)')} median ${fmt(median(asks)).padStart(8)}   (without parsing; 20 runs)`);

  const redactor = new Redactor({ GITHUB_TOKEN: 'ghp_abcdefghijklmnopqrstuvwxyz0123456789', ...env });
  const texts = {
    'secret-looking tokens': SHAPES.secrets.build(256 * KiB),
    'one long word': 'x'.repeat(256 * KiB),
    'eyJ…- runs': 'eyJabcdefgh-'.repeat((256 * KiB) / 12),
    // Every keyed find at work: credential names, options, program-specific options, quotes.
    'keyed values': 'mysql -pX; curl -u a:b --token "t0k3n" -H "Authorization: Bearer x" && test "$PWD" == /tmp\n  password: hunter2\n'.repeat((256 * KiB) / 111),
  };
  const red = [];
  for (const [name, text] of Object.entries(texts)) {
    redactor.redact(text.slice(0, 16 * KiB));
    const runs = [];
    for (let i = 0; i < 5; i++) runs.push(time(() => redactor.redact(text))[0]);
    red.push(`${name} ${fmt(median(runs))}`);
  }
  console.log(`${label('log: redaction of 256 KiB (median of 5)')} ${red.join('   ')}   target ≤ 20 ms`);

  if (process.argv.includes('--shapes')) {
    const ctx = { cwd: workspace, home, env };
    const policy = { home, workspaces: [workspace], writeRoots: [workspace, '/tmp'] };
    console.log(`\n${'shape'.padEnd(20)}${[16, 64, 256].map((k) => `${k} KiB: analyse + evaluate`.padStart(34)).join('')}`);
    for (const [name, s] of Object.entries(SHAPES)) {
      const cells = [16, 64, 256].map((kib) => {
        const command = s.build(kib * KiB);
        const [ta, script] = time(() => analyse(command, ctx));
        const [te] = time(() => evaluate(script, guard.rules, policy));
        return `${fmt(ta)} + ${fmt(te)}`.padStart(34);
      });
      console.log(`${name.padEnd(20)}${cells.join('')}`);
    }
  }
} finally {
  fs.rmSync(base, { recursive: true, force: true });
}
