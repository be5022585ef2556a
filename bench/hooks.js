// node bench/hooks.js: how long an agent waits for agentguard's hook. Starts 20 cold
// `agentguard hook claude` processes, each answering Claude Code's PreToolUse input for a
// routine Bash command, and prints the median wall time (the target is 150 ms).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const bin = path.join(root, 'bin/agentguard.js');
const runs = Number(process.argv[2] ?? 20);

// A scratch home, so the person's own rules and logs stay out of it.
const base = fs.mkdtempSync(path.join(os.tmpdir(), 'agentguard-bench-hooks-'));
const home = path.join(base, 'home');
fs.mkdirSync(home, { recursive: true });
const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, XDG_CONFIG_HOME: path.join(home, '.config') };

const input = JSON.stringify({
  session_id: 'bench',
  transcript_path: path.join(home, 'transcript.jsonl'),
  cwd: root,
  permission_mode: 'default',
  hook_event_name: 'PreToolUse',
  tool_name: 'Bash',
  tool_input: { command: 'git status --short', description: 'Show working tree status' },
  tool_use_id: 'toolu_bench',
});

try {
  const times = [];
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint();
    const r = spawnSync(process.execPath, [bin, 'hook', 'claude'], { cwd: root, input, encoding: 'utf8', env });
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
    // A routine command gets no opinion (empty output, exit 0): Claude's own settings decide.
    if (r.status !== 0 || r.stdout !== '') throw new Error(`the hook did not pass a routine command (exit ${r.status}): ${r.stdout}${r.stderr}`);
  }
  times.sort((a, b) => a - b);
  const median = times.length % 2 ? times[(times.length - 1) / 2] : (times[times.length / 2 - 1] + times[times.length / 2]) / 2;
  console.log(`hook: cold claude hook  median ${Math.round(median)} ms   (min ${Math.round(times[0])} ms, max ${Math.round(times.at(-1))} ms, ${runs} runs)`);
} finally {
  fs.rmSync(base, { recursive: true, force: true });
}
