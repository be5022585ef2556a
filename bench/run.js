// npm run bench: the figures the issues ask for, measured on this machine.
//   decision latency per command in a warm process (p50, p99) over bench/corpus.txt,
//   the same with 10x the default rule count (generated), and the cold `agentguard check`;
//   long lines (bench/linear.js): analysis of 64 KiB and 256 KiB lines, redaction of 256 KiB.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createGuard } from '../dist/index.js';
import { loadRules, BUILTIN_RULES_DIR } from '../dist/rules/load.js';
import { compileRules } from '../dist/rules/ruleset.js';
import { SessionLog } from '../dist/log/store.js';
import { Redactor } from '../dist/log/redact.js';
import { decisionFields } from '../dist/log/record.js';
import os from 'node:os';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');

function readCorpus() {
  return fs
    .readFileSync(path.join(here, 'corpus.txt'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() && !l.startsWith('#'))
    .map((l) => l.replace(/\\\\|\\n/g, (m) => (m === '\\n' ? '\n' : '\\')));
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function fmt(ms) {
  return ms < 1 ? `${(ms * 1000).toFixed(0)} µs` : `${ms.toFixed(2)} ms`;
}

async function warmLatency(label, rules, corpus) {
  const guard = await createGuard({ cwd: root, workspaces: [root], rules });
  for (let i = 0; i < 8; i++) for (const c of corpus) guard.check({ command: c });
  const times = [];
  for (let round = 0; round < 10; round++) {
    for (const command of corpus) {
      const t = process.hrtime.bigint();
      guard.check({ command });
      times.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
  }
  times.sort((a, b) => a - b);
  console.log(`${label.padEnd(44)} p50 ${fmt(percentile(times, 50)).padStart(8)}   p99 ${fmt(percentile(times, 99)).padStart(8)}   (${times.length} checks, ${rules.rules.length} rules)`);
}

/** 10x the default rules: each rule cloned for nine generated programs, as a large user rule set would be. */
function tenfold(loaded) {
  const rules = [...loaded.rules];
  for (let i = 1; i <= 9; i++) {
    for (const r of loaded.rules) rules.push({ ...r, id: `${r.id}-gen${i}`, match: { program: `gen-tool-${i}-${r.id}`, all_of: [r.match] } });
  }
  return compileRules({ ...loaded, rules });
}

function cold(runs) {
  const times = [];
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint();
    const r = spawnSync(process.execPath, [path.join(root, 'bin/agentguard.js'), 'check', '--', 'git status --short'], { cwd: root, encoding: 'utf8' });
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
    if (r.status !== 0) throw new Error(`agentguard check failed: ${r.stderr}`);
  }
  times.sort((a, b) => a - b);
  console.log(`${'cold `agentguard check` process'.padEnd(44)} median ${fmt(percentile(times, 50))}   min ${fmt(times[0])}   (${runs} runs)`);
}

/** Whether sessions here run in the bubblewrap sandbox (the default where it works). */
const sandboxed = spawnSync('bwrap', ['--ro-bind', '/', '/', '--unshare-net', '--', 'true']).status === 0;

/**
 * `sh -c true` inside an agentguard session (through the shim) against the same outside,
 * in the mode a session gets here by default: the sandbox where bubblewrap works (nested
 * shells then pass on a local token check), policy only where it does not.
 */
function shim(mode, inside) {
  const loop = [process.execPath, path.join(here, 'shim-loop.js'), mode, '200'];
  const argv = inside ? [path.join(root, 'bin/agentguard.js'), 'shell', ...(sandboxed ? [] : ['--no-sandbox']), '--max-commands-per-minute', '0', '--workspace', root, '--', ...loop] : loop.slice(1);
  const r = spawnSync(process.execPath, argv, { cwd: root, encoding: 'utf8', input: '' });
  const m = /SHIM-BENCH (\{.*\})/.exec(r.stdout);
  if (!m) throw new Error(`shim bench (${mode}, ${inside ? 'inside' : 'outside'}) failed:\n${r.stdout}\n${r.stderr}`);
  return JSON.parse(m[1]).median;
}

function shimFigures() {
  for (const mode of ['top', 'nested']) {
    const outside = shim(mode, false);
    const inside = shim(mode, true);
    const label = mode === 'top' ? 'shim: top-level `sh -c true` (median)' : 'shim: nested `sh -c true` in an allowed command';
    console.log(`${label.padEnd(44)} inside ${fmt(inside)}   outside ${fmt(outside)}   overhead ${fmt(inside - outside)} (${(inside / outside).toFixed(2)}x)  [${sandboxed ? 'sandbox' : 'policy only'}]`);
  }
}

/** What writing a decision record adds to a decision: redaction, hashing, two appends. */
async function logLatency(corpus) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agentguard-bench-log-'));
  const guard = await createGuard({ cwd: root, workspaces: [root] });
  const log = new SessionLog('bench', { dir });
  const redactor = new Redactor(process.env);
  const decisions = corpus.map((command) => [command, guard.check({ command })]);
  const times = [];
  for (let round = 0; round < 4; round++) {
    for (const [command, d] of decisions) {
      const t = process.hrtime.bigint();
      log.append('decision', decisionFields({ source: 'session', command, cwd: root, decision: d, verdict: d.action === 'allow' ? 'allow' : 'deny' }, redactor));
      times.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
  }
  log.close();
  fs.rmSync(dir, { recursive: true, force: true });
  times.sort((a, b) => a - b);
  console.log(`${'log: writing one decision record'.padEnd(44)} p50 ${fmt(percentile(times, 50)).padStart(8)}   p99 ${fmt(percentile(times, 99)).padStart(8)}   (${times.length} records)`);
}

/** Session start-up: `agentguard shell -- true`, with the sandbox and without. */
function sessionStart(runs) {
  for (const flags of [[], ['--no-sandbox']]) {
    const times = [];
    for (let i = 0; i < runs; i++) {
      const t = process.hrtime.bigint();
      const r = spawnSync(process.execPath, [path.join(root, 'bin/agentguard.js'), 'shell', ...flags, '--workspace', root, '--', 'true'], { cwd: root, encoding: 'utf8', input: '' });
      times.push(Number(process.hrtime.bigint() - t) / 1e6);
      if (r.status !== 0) throw new Error(`agentguard shell failed: ${r.stderr}`);
    }
    times.sort((a, b) => a - b);
    const label = flags.length ? 'session start + exit, policy only' : 'session start + exit, with the sandbox';
    console.log(`${label.padEnd(44)} median ${fmt(percentile(times, 50))}   (${runs} runs)`);
  }
}

const corpus = readCorpus();
console.log(`agentguard bench — ${corpus.length} corpus commands, node ${process.version}\n`);
const loaded = await loadRules({ builtin: BUILTIN_RULES_DIR });
await warmLatency('warm decision latency, default rules', compileRules(loaded), corpus);
await warmLatency("warm decision latency, 10x rules (generated)", tenfold(loaded), corpus);
cold(20);
await logLatency(corpus);
shimFigures();
sessionStart(7);
for (const extra of ['hooks.js', 'egress.js', 'linear.js']) {
  if (!fs.existsSync(path.join(here, extra))) continue;
  const r = spawnSync(process.execPath, [path.join(here, extra)], { cwd: root, encoding: 'utf8' });
  process.stdout.write(r.stdout);
  if (r.status !== 0) throw new Error(`${extra} failed:\n${r.stderr}`);
}
