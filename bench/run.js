// npm run bench: the figures the issues ask for, measured on this machine.
//   decision latency per command in a warm process (p50, p99) over bench/corpus.txt,
//   the same with 10x the default rule count (generated), the cold `agentguard check`, shells
//   and make inside a session against outside (issue 11), session start-up, hooks, egress,
//   escalation, and long lines (bench/linear.js: analysis of 64 and 256 KiB, redaction of 256 KiB).
//   `node bench/run.js shim` (section names: latency cold log shim privilege start extra) runs only those.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createGuard } from '../dist/index.js';
import { loadRules, BUILTIN_RULES_DIR } from '../dist/rules/load.js';
import { compileRules } from '../dist/rules/ruleset.js';
import { evaluate } from '../dist/policy/evaluate.js';
import { SessionLog } from '../dist/log/store.js';
import { loadLogKey } from '../dist/log/key.js';
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
  // The split: evaluate() timed again on the script the check analysed (it is pure but for
  // its realpath calls, which it makes again), and the rest of that check counted as analysis.
  const analysis = [];
  const evaluation = [];
  for (let round = 0; round < 3; round++) {
    for (const command of corpus) {
      const t0 = process.hrtime.bigint();
      const e = guard.explain({ command });
      const t1 = process.hrtime.bigint();
      evaluate(e.script, rules, e.context);
      const t2 = process.hrtime.bigint();
      const ev = Number(t2 - t1) / 1e6;
      evaluation.push(ev);
      analysis.push(Math.max(0, Number(t1 - t0) / 1e6 - ev));
    }
  }
  analysis.sort((a, b) => a - b);
  evaluation.sort((a, b) => a - b);
  console.log(`${'  of which analysis (parse, walk, files read)'.padEnd(44)} p50 ${fmt(percentile(analysis, 50)).padStart(8)}   p99 ${fmt(percentile(analysis, 99)).padStart(8)}`);
  console.log(`${'  of which evaluation (rules, confinement)'.padEnd(44)} p50 ${fmt(percentile(evaluation, 50)).padStart(8)}   p99 ${fmt(percentile(evaluation, 99)).padStart(8)}`);
}

/** 10x the default rules: each rule cloned for nine generated programs, as a large user rule set would be. */
function tenfold(loaded) {
  const rules = [...loaded.rules];
  for (let i = 1; i <= 9; i++) {
    for (const r of loaded.rules) rules.push({ ...r, id: `${r.id}-gen${i}`, match: { program: `gen-tool-${i}-${r.id}`, all_of: [r.match] } });
  }
  return compileRules({ ...loaded, rules });
}

/** Three user rules and a config.yaml, as a person who shaped the guard a little would have. */
const USER_RULES = {
  'deploy-prod.yaml': `id: deploy-prod\naction: ask\nseverity: high\nmessage: Deploys to production.\nmatch:\n  program: ./deploy.sh\n  args: [prod]\nexamples:\n  match: [./deploy.sh prod]\n  no_match: [./deploy.sh staging]\n`,
  'terraform-destroy.yaml': `id: terraform-destroy\naction: deny\nseverity: critical\nmessage: Destroys infrastructure.\nmatch:\n  program: [terraform, tofu]\n  subcommand: destroy\nexamples:\n  match: [terraform destroy]\n  no_match: [terraform plan]\n`,
  'make-release.yaml': `id: make-release\naction: ask\nseverity: medium\nmessage: Runs the release target.\nmatch:\n  program: make\n  args: [release]\nexamples:\n  match: [make release]\n  no_match: [make test]\n`,
};
const USER_CONFIG = 'limits:\n  large_write: 20GiB\nprojects:\n  - path: ~/src/dbtool\n    off: [databases]\n    reason: the database tool\'s own source\n';

/**
 * Cold starts against a bare `node -e 0`, interleaved in one run so that load hits all alike
 * (issue 15: cold hook and cold check at most 2x node -e 0, with and without user rules).
 * A scratch home each, outside the person's own rules and logs; the first run of each home
 * is not counted (it fills the rule cache, as the first call after an edit does).
 */
function cold(runs) {
  const base = fs.mkdtempSync(path.join(fs.existsSync('/var/tmp') ? '/var/tmp' : os.tmpdir(), 'agentguard-bench-cold-'));
  try {
    const homes = {};
    for (const kind of ['builtin', 'user']) {
      const home = path.join(base, kind);
      fs.mkdirSync(path.join(home, 'src', 'dbtool'), { recursive: true });
      if (kind === 'user') {
        const dir = path.join(home, '.config', 'agentguard', 'rules');
        fs.mkdirSync(dir, { recursive: true });
        for (const [f, text] of Object.entries(USER_RULES)) fs.writeFileSync(path.join(dir, f), text);
        fs.writeFileSync(path.join(home, '.config', 'agentguard', 'config.yaml'), USER_CONFIG);
      }
      homes[kind] = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home };
    }
    const bin = path.join(root, 'bin/agentguard.js');
    const hookInput = (home) =>
      JSON.stringify({ session_id: 'bench', transcript_path: path.join(home, 't.jsonl'), cwd: root, permission_mode: 'default', hook_event_name: 'PreToolUse', tool_name: 'Bash', tool_input: { command: 'git status --short' }, tool_use_id: 'toolu_bench' });
    const variants = [['node -e 0', [process.execPath, ['-e', '0'], {}]]];
    for (const kind of ['builtin', 'user']) {
      const env = homes[kind];
      const what = kind === 'user' ? 'three user rules + config.yaml' : 'built-in rules only';
      variants.push([`cold check, ${what}`, [process.execPath, [bin, 'check', '--', 'git status --short'], { env }], (r) => r.status === 0]);
      variants.push([`cold hook claude, ${what}`, [process.execPath, [bin, 'hook', 'claude'], { env, input: hookInput(env.HOME) }], (r) => r.status === 0 && r.stdout === '' /* a routine command: no opinion, Claude's own settings decide */]);
    }
    const times = new Map(variants.map(([label]) => [label, []]));
    for (let i = 0; i <= runs; i++) {
      for (const [label, [cmd, args, opts], ok] of variants) {
        const t = process.hrtime.bigint();
        const r = spawnSync(cmd, args, { cwd: root, encoding: 'utf8', ...opts });
        const ms = Number(process.hrtime.bigint() - t) / 1e6;
        if (ok && !ok(r)) throw new Error(`${label} failed (exit ${r.status}): ${r.stdout}${r.stderr}`);
        if (i > 0) times.get(label).push(ms);
      }
    }
    const median = (label) => percentile([...times.get(label)].sort((a, b) => a - b), 50);
    const node = median('node -e 0');
    for (const [label] of variants) {
      const m = median(label);
      const sorted = [...times.get(label)].sort((a, b) => a - b);
      const ratio = label === 'node -e 0' ? '' : `   ${(m / node).toFixed(2)}x node -e 0   target <= 2.0x: ${m / node <= 2 ? 'met' : 'NOT met'}`;
      console.log(`${label.padEnd(52)} median ${fmt(m).padStart(9)}   min ${fmt(sorted[0]).padStart(9)}${ratio}`);
    }
    console.log(`${''.padEnd(52)} (${runs} runs each, interleaved)`);
  } finally {
    fs.rmSync(base, { recursive: true, force: true });
  }
}

/** Whether sessions here run in the bubblewrap sandbox (the default where it works). */
const sandboxed = spawnSync('bwrap', ['--unshare-user', '--unshare-pid', '--ro-bind', '/', '/', '--unshare-net', '--', 'true']).status === 0;

/**
 * Shells inside an agentguard session (through the shim) against the same outside, in the
 * mode a session gets here by default: the sandbox where bubblewrap works, policy only where
 * it does not. Whether nested shells are checked at the session or pass on a token, these are
 * the figures the person sees; the session's own count of what it checked is printed with them.
 */
function shim(mode, inside, args, dir, flags = []) {
  const out = path.join(dir, 'shim-bench.json');
  fs.rmSync(out, { force: true });
  const loop = [process.execPath, path.join(here, 'shim-loop.js'), mode, out, ...args];
  const session = [path.join(root, 'bin/agentguard.js'), 'shell', ...(sandboxed ? [] : ['--no-sandbox']), ...flags, '--max-commands-per-minute', '0', '--workspace', dir, '--'];
  const r = spawnSync(process.execPath, inside ? [...session, ...loop] : loop.slice(1), { cwd: dir, encoding: 'utf8', input: '' });
  if (!fs.existsSync(out)) throw new Error(`shim bench (${mode}, ${inside ? 'inside' : 'outside'}) failed:\n${r.stdout}\n${r.stderr}`);
  const counted = /ended \(exit \d+\): ([^|\n]*)/.exec(r.stdout)?.[1]?.trim();
  return { times: JSON.parse(fs.readFileSync(out, 'utf8')).times, counted };
}

/**
 * Inside and outside, alternated for a few rounds and pooled: on a shared machine the load
 * changes by the second, and measuring all of one side first would compare two machines.
 */
function pair(mode, args, dir, { rounds = 3, flags = [] } = {}) {
  const inside = { times: [], counted: undefined };
  const outside = { times: [] };
  for (let i = 0; i < rounds; i++) {
    outside.times.push(...shim(mode, false, args, dir).times);
    const r = shim(mode, true, args, dir, flags);
    inside.times.push(...r.times);
    inside.counted = r.counted;
  }
  const median = (t) => [...t].sort((a, b) => a - b)[Math.floor(t.length / 2)];
  return [{ median: median(inside.times), counted: inside.counted }, { median: median(outside.times) }];
}

/** One line: inside against outside, and its target (a ratio, or at most `overheadMs` added) met or not. */
function compare(label, [inside, outside], target, overheadMs) {
  const ratio = inside.median / outside.median;
  const overhead = inside.median - outside.median;
  const verdict =
    target !== undefined ? `   target <= ${target}x: ${ratio <= target ? 'met' : 'NOT met'}` : overheadMs !== undefined ? `   target overhead ≤ ${fmt(overheadMs)}: ${overhead <= overheadMs ? 'met' : 'NOT met'}` : '';
  console.log(`${label.padEnd(62)} inside ${fmt(inside.median)}   outside ${fmt(outside.median)}   overhead ${fmt(overhead)} (${ratio.toFixed(2)}x)${verdict}  [${sandboxed ? 'sandbox: user+PID namespaces, no capabilities, seccomp' : 'policy only'}]`);
  if (inside.counted) console.log(`${''.padEnd(62)} the session counted (last round): ${inside.counted}`);
}

function shimFigures() {
  // A workspace outside /tmp (the sandbox's /tmp is its own), where the loops write their timings.
  const dir = fs.mkdtempSync(path.join(fs.existsSync('/var/tmp') ? '/var/tmp' : os.tmpdir(), 'agentguard-bench-shim-'));
  try {
    compare('shim: top-level `sh -c true` (median of 3x200)', pair('top', ['200'], dir), undefined, SHIM_TARGET_MS);
    // Issue 11: every nested shell is checked; the target is at most twice a bare `sh -c true`.
    compare('nested `sh -c true` in a session vs bare (median of 3x500)', pair('nested', ['500'], dir), 2);
    // The other way round from the default, for reference: checked where the default is the
    // token (--strict-nested, before issue 11), or on the token where the default is checked.
    const help = spawnSync(process.execPath, [path.join(root, 'bin/agentguard.js'), 'shell', '--help'], { encoding: 'utf8' }).stdout;
    const other = help.includes('--strict-nested') ? { flag: '--strict-nested', what: 'each one checked' } : help.includes('--trust-nested') ? { flag: '--trust-nested', what: 'on a token, unchecked' } : null;
    if (other) compare(`  the same with ${other.flag} (${other.what})`, pair('nested', ['500'], dir, { flags: [other.flag] }), 2);
    // A build: make -j2 of 500 recipes that each reach /bin/sh.
    compare('`make -j2`, 500 trivial recipes (median of 3x5 builds)', pair('make', ['500', '5'], dir), 1.5);
    if (other) compare(`  the same with ${other.flag} (${other.what})`, pair('make', ['500', '5'], dir, { flags: [other.flag] }), 1.5);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * What writing a decision record adds to a decision: redaction, hashing, the HMAC under the
 * log key, two appends; and the store's part alone (seal, HMAC, two writes), against the
 * issue 16 target of p99 <= 100 us per record with the HMAC. The key is a fresh one in the
 * temp dir, never the person's.
 */
async function logLatency(corpus) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agentguard-bench-log-'));
  const key = loadLogKey(path.join(dir, 'config', 'log.key'));
  if (!key.ok) throw new Error(key.problem);
  const guard = await createGuard({ cwd: root, workspaces: [root] });
  const redactor = new Redactor(process.env);
  const decisions = corpus.map((command) => [command, guard.check({ command })]);
  const line = (label, times, n) => console.log(`${label.padEnd(44)} p50 ${fmt(percentile(times, 50)).padStart(8)}   p99 ${fmt(percentile(times, 99)).padStart(8)}   (${n} records)`);
  const run = (name, withKey, timeRedaction) => {
    const log = new SessionLog(name, { dir, key: withKey ? key : null });
    const times = [];
    for (let round = 0; round < 4; round++) {
      for (const [command, d] of decisions) {
        const pre = timeRedaction ? null : decisionFields({ source: 'session', command, cwd: root, decision: d, verdict: d.action === 'allow' ? 'allow' : 'deny' }, redactor);
        const t = process.hrtime.bigint();
        log.append('decision', pre ?? decisionFields({ source: 'session', command, cwd: root, decision: d, verdict: d.action === 'allow' ? 'allow' : 'deny' }, redactor));
        times.push(Number(process.hrtime.bigint() - t) / 1e6);
      }
    }
    log.close();
    return times.sort((a, b) => a - b);
  };
  const full = run('bench-full', true, true);
  line('log: writing one decision record', full, full.length);
  const keyed = run('bench-keyed', true, false);
  line('  of which the store (seal, HMAC, 2 writes)', keyed, keyed.length);
  const unkeyed = run('bench-unkeyed', false, false);
  line('  the store without a key (for comparison)', unkeyed, unkeyed.length);
  const p99us = percentile(keyed, 99) * 1000;
  console.log(`  store p99 with HMAC ${p99us.toFixed(0)} us: ${p99us <= 100 ? 'within' : 'ABOVE'} the 100 us target`);
  fs.rmSync(dir, { recursive: true, force: true });
}

/**
 * Targets from issue 12: start-up with the sandbox within 1.2x of the figure measured before
 * the agent got its own user and PID namespaces, the seccomp filter and the private /tmp
 * (264 ms, 2026-12-01, this machine unloaded); the shim's top-level overhead at most 15 ms.
 * Figures on a loaded machine (check `uptime`) say little: run again when it is quiet.
 */
const START_BEFORE_MS = 264;
const SHIM_TARGET_MS = 15;

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
    const median = percentile(times, 50);
    // The target (within 1.2x of the start-up before the namespaces) needs both measured on one
    // machine: what the namespaces add to a launch is the privilege line, measured here; the
    // earlier figure (START_BEFORE_MS) came from another machine and is shown only for scale.
    const target = flags.length ? '' : `   (an earlier stop measured ${fmt(START_BEFORE_MS)} on its machine; what the new flags add here: see "privilege flags + seccomp")`;
    console.log(`${label.padEnd(44)} median ${fmt(median)}   min ${fmt(times[0])}   (${runs} runs)${target}`);
  }
}

/**
 * What the privilege flags cost on their own: bwrap as before (network namespace only) against
 * the session's flags now (user and PID namespaces, no capabilities, the seccomp program on
 * fd 3 through the /bin/sh prefix, the foreground step), interleaved so that load hits both.
 */
async function privilegeCost(runs) {
  if (!sandboxed) return;
  const { ttyInjectionFilter } = await import('../dist/sandbox/seccomp.js');
  const { PRIVILEGE_FLAGS, seccompPrefix } = await import('../dist/sandbox/bwrap.js');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agentguard-bench-seccomp-'));
  const file = path.join(dir, 'seccomp.bpf');
  fs.writeFileSync(file, ttyInjectionFilter());
  const base = ['--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', '--unshare-net'];
  const variants = {
    before: ['bwrap', ...base, '--', 'true'],
    now: [...seccompPrefix(file), 'bwrap', ...PRIVILEGE_FLAGS, ...base, '--seccomp', '3', '--', path.join(root, 'build/Release/agentguard-bridge'), '--foreground', '--', 'true'],
  };
  const times = { before: [], now: [] };
  for (let i = 0; i < runs; i++) {
    for (const [k, argv] of Object.entries(variants)) {
      const t = process.hrtime.bigint();
      const r = spawnSync(argv[0], argv.slice(1));
      times[k].push(Number(process.hrtime.bigint() - t) / 1e6);
      if (r.status !== 0) throw new Error(`${k} sandbox failed: ${r.stderr}`);
    }
  }
  fs.rmSync(dir, { recursive: true, force: true });
  for (const k of Object.keys(times)) times[k].sort((a, b) => a - b);
  const [b, n] = [percentile(times.before, 50), percentile(times.now, 50)];
  console.log(`${'sandbox launch: privilege flags + seccomp'.padEnd(44)} median ${fmt(n)}   before ${fmt(b)}   added ${fmt(n - b)}   (${runs} runs each, interleaved)`);
}

// `node bench/run.js shim` (or any section names) runs only those sections.
const only = process.argv.slice(2);
const want = (section) => only.length === 0 || only.includes(section);
const corpus = readCorpus();
console.log(`agentguard bench — ${corpus.length} corpus commands, node ${process.version}, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} on ${os.cpus().length} cores\n`);
if (want('latency')) {
  const loaded = await loadRules({ builtin: BUILTIN_RULES_DIR });
  await warmLatency('warm decision latency, default rules', compileRules(loaded), corpus);
  await warmLatency("warm decision latency, 10x rules (generated)", tenfold(loaded), corpus);
}
if (want('cold')) cold(20);
if (want('log')) await logLatency(corpus);
if (want('shim')) shimFigures();
if (want('privilege')) await privilegeCost(30);
if (want('start')) sessionStart(7);
for (const extra of want('extra') ? ['hooks.js', 'egress.js', 'escalate.js', 'linear.js', 'sinks.js', 'git.js', 'git-snapshot.js', 'git-judge.js'] : []) {
  if (!fs.existsSync(path.join(here, extra))) continue;
  const r = spawnSync(process.execPath, [path.join(here, extra)], { cwd: root, encoding: 'utf8' });
  process.stdout.write(r.stdout);
  if (r.status !== 0) throw new Error(`${extra} failed:\n${r.stderr}`);
}
