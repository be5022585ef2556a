// Runs `sh -c true` N times and prints timings as one JSON line. bench/run.js runs it
// inside an agentguard session and outside one.
//   top:    each `sh -c true` is started by this process (a top-level agent command)
//   nested: one shell runs the loop, so each `sh -c true` is a shell started by a command
import { spawnSync } from 'node:child_process';

const [mode, n = '200'] = process.argv.slice(2);
const runs = Number(n);
const times = [];
if (mode === 'top') {
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint();
    const r = spawnSync('sh', ['-c', 'true']);
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
    if (r.status !== 0) throw new Error(`sh -c true failed: ${r.stderr}`);
  }
} else {
  const t = process.hrtime.bigint();
  const r = spawnSync('bash', ['-c', `for i in $(seq ${runs}); do sh -c true || exit 1; done`]);
  if (r.status !== 0) throw new Error(`loop failed: ${r.stderr}`);
  const per = Number(process.hrtime.bigint() - t) / 1e6 / runs;
  for (let i = 0; i < runs; i++) times.push(per);
}
times.sort((a, b) => a - b);
process.stdout.write(`SHIM-BENCH ${JSON.stringify({ mode, median: times[Math.floor(times.length / 2)], runs })}\n`);
