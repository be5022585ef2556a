// Runs shells the way an agent's commands do and writes the timings (ms) as JSON to OUT (a file:
// a session's pty would wrap a long line). bench/run.js runs it inside an agentguard session and
// outside one, and compares. Usage: shim-loop.js MODE OUT N [REPEAT], in the directory to use.
//   top N:        N × `sh -c true`, each started by this process (a top-level agent command)
//   nested N:     one `bash -c` loop (one agent command) starts N × `sh -c true`: each is a shell
//                 started by an allowed command. Each call is timed on its own ($EPOCHREALTIME)
//                 so the figure is a true median, not a mean.
//   make N R:     writes ./Makefile with N trivial recipes that reach a shell, and runs
//                 `make -j2` on it R times (after one warm-up), each as one agent command.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';

const [mode, out, n = '200', repeat = '5'] = process.argv.slice(2);
const runs = Number(n);
const times = [];
const ms = (t) => Number(process.hrtime.bigint() - t) / 1e6;

if (mode === 'top') {
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint();
    const r = spawnSync('sh', ['-c', 'true']);
    times.push(ms(t));
    if (r.status !== 0) throw new Error(`sh -c true failed: ${r.stderr}`);
  }
} else if (mode === 'nested') {
  const loop = `for i in $(seq ${runs}); do s=$EPOCHREALTIME; sh -c true || exit 1; e=$EPOCHREALTIME; echo "$s $e"; done`;
  const r = spawnSync('bash', ['-c', loop], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`loop failed (${r.status}): ${r.stderr}`);
  for (const line of r.stdout.trim().split('\n')) {
    const [s, e] = line.split(' ').map(Number);
    times.push((e - s) * 1000);
  }
  if (times.length !== runs) throw new Error(`loop timed ${times.length} calls, not ${runs}`);
} else if (mode === 'make') {
  // `$$((…))` is shell syntax, so make hands each recipe to /bin/sh (a line without any would
  // be exec'd directly and never reach a shell, or the shim).
  const targets = Array.from({ length: runs }, (_, i) => `t${i}`);
  const makefile = [`all: ${targets.join(' ')}`, '.PHONY: all ' + targets.join(' '), ...targets.map((t, i) => `${t}:\n\t@echo $$((${i}+1)) > /dev/null`)].join('\n') + '\n';
  fs.writeFileSync('Makefile', makefile);
  for (let i = 0; i <= Number(repeat); i++) {
    const t = process.hrtime.bigint();
    const r = spawnSync('bash', ['-c', 'make -j2 -s'], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`make failed (${r.status}): ${r.stderr}`);
    if (i > 0) times.push(ms(t));
  }
} else {
  throw new Error(`unknown mode ${mode}`);
}
times.sort((a, b) => a - b);
fs.writeFileSync(out, JSON.stringify({ mode, times }));
