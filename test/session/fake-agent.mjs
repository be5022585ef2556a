#!/usr/bin/env node
// A small stand-in for a coding agent: runs one command the way a real agent does and
// reports the exit status. Usage: fake-agent.mjs <way> <command>
//   name     spawn('bash', ['-c', cmd]) by name through PATH (Codex, Aider)
//   node-shell   spawn(cmd, {shell: true}): /bin/sh -c by absolute path (many Node tools)
//   python   subprocess.run(cmd, shell=True): /bin/sh -c from Python
//   shellvar $SHELL -c cmd (Claude Code's CLAUDE_CODE_SHELL / SHELL)
//   claude   Claude Code's composite: bash -c -l "source <snapshot> && eval '<cmd>' < /dev/null && pwd -P >| <tmp>"
//   inject   starts cmd, and while it waits writes "y" and Enter to its own terminal, many times
//            (and one byte to ./inject-count per round, so a test can wait for rounds, not time)
//   codex    Codex's shell tool: its PreToolUse hook from the -c overrides, then /bin/bash -lc cmd
//   codex-config  prints the -c overrides and CODEX_HOME it was started with
//   steps    a JSON list of tool calls run in order, as an agent's turn does:
//              {"write": file, "text": …, "mode"?: 0o755}  its edit tool: fs.writeFileSync, no shell
//              {"append": file, "text": …}                 the same, appending
//              {"run": cmd, "shell"?: "/bin/bash", "cwd"?: dir}  its shell tool: <shell> -c cmd (default: bash by name)
//              {"hook": cmd}         only agentguard's Claude Code hook for cmd: prints HOOK-DECISION
//              {"claude": cmd}       Claude Code with agentguard's hook: asks the hook, and if allowed runs
//                                    Claude's wrapper line, whose temp file name changes on every call
//            prints STEP <i> <status> for each run, and AGENT-DONE with the last run's status
import { spawnSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

// Claude Code takes `--settings <json>` before anything else; the session adds it for the
// program named claude. Keep it so a test can look at it, and read the way after it.
const args = process.argv.slice(2);
const settings = args[0] === '--settings' ? args.splice(0, 2)[1] : undefined;
if (settings !== undefined) process.env.FAKE_AGENT_SETTINGS = settings;
// Codex takes `-c key=value` overrides; the session puts agentguard's hook there for codex.
const codexConfig = [];
while (args[0] === '-c') codexConfig.push(args.splice(0, 2)[1]);
const [way, cmd] = args;
const done = (code) => {
  process.stdout.write(`\nAGENT-DONE ${code}\n`);
  setTimeout(() => process.exit(0), 50);
};
const sq = (s) => `'${s.replace(/'/g, `'\\''`)}'`;
const BIN = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../bin/agentguard.js');

/** agentguard's PreToolUse hook, called as Claude Code calls it: its decision, or 'blocked'. */
function askHook(command) {
  const input = JSON.stringify({ session_id: 's', cwd: process.cwd(), hook_event_name: 'PreToolUse', tool_name: 'Bash', tool_input: { command } });
  const r = spawnSync(process.execPath, [BIN, 'hook', 'claude'], { input, encoding: 'utf8' });
  return r.status === 0 && r.stdout ? JSON.parse(r.stdout).hookSpecificOutput?.permissionDecision : 'blocked';
}

/** Claude Code's Bash tool: its snapshot, the command in eval, and a fresh temp file for the cwd each call. */
function claudeWrapper(command) {
  const dir = path.join(os.homedir(), '.claude', 'shell-snapshots');
  fs.mkdirSync(dir, { recursive: true });
  const snapshot = path.join(dir, 'snapshot-bash-test.sh');
  fs.writeFileSync(snapshot, 'export SNAPSHOT_LOADED=1\n');
  const cwdFile = path.join(os.tmpdir(), `claude-${Math.random().toString(16).slice(2, 6)}-cwd`);
  const status = spawnSync('bash', ['-c', '-l', `source ${sq(snapshot)} && eval ${sq(command)} < /dev/null && pwd -P >| ${sq(cwdFile)}`], { stdio: 'inherit' }).status;
  // Claude Code reads the new cwd from the file and removes it.
  fs.rmSync(cwdFile, { force: true });
  return status;
}

/**
 * Codex's shell tool: the PreToolUse hook from its -c overrides (run as Codex runs hooks, by
 * $SHELL -lc, with Codex's hook input), then, unless the hook denied, /bin/bash -lc by absolute
 * path. Prints CODEX-HOOK-DENY and the reason when refused, CODEX-NO-HOOK when it has none.
 */
function codexTool(command) {
  const hooks = codexConfig.find((c) => c.startsWith('hooks.PreToolUse='));
  const hookCmd = hooks && /command=("(?:[^"\\]|\\.)*")/.exec(hooks);
  if (!hookCmd) process.stdout.write('CODEX-NO-HOOK\n');
  else {
    const input = JSON.stringify({ session_id: 's', turn_id: 't', transcript_path: null, cwd: process.cwd(), hook_event_name: 'PreToolUse', model: 'm', permission_mode: 'default', tool_name: 'Bash', tool_input: { command }, tool_use_id: 'u' });
    const r = spawnSync(process.env.SHELL || '/bin/sh', ['-lc', JSON.parse(hookCmd[1])], { input, encoding: 'utf8' });
    const out = r.stdout.trim() ? JSON.parse(r.stdout).hookSpecificOutput : null;
    if (out?.permissionDecision === 'deny' || r.status === 2) {
      process.stdout.write(`CODEX-HOOK-DENY ${out?.permissionDecisionReason ?? r.stderr.trim()}\n`);
      return 126;
    }
  }
  return spawnSync('/bin/bash', ['-lc', command], { stdio: 'inherit' }).status;
}

if (way === 'codex-config') {
  process.stdout.write(`CODEX-CONFIG ${JSON.stringify(codexConfig)}\nCODEX-HOME ${process.env.CODEX_HOME ?? '(unset)'}\n`);
  done(0);
} else if (way === 'codex') done(codexTool(cmd));
else if (way === 'name') done(spawnSync('bash', ['-c', cmd], { stdio: 'inherit' }).status);
else if (way === 'node-shell') done(spawnSync(cmd, { shell: true, stdio: 'inherit' }).status);
else if (way === 'python') done(spawnSync('python3', ['-c', 'import subprocess,sys; sys.exit(subprocess.run(sys.argv[1], shell=True).returncode)', cmd], { stdio: 'inherit' }).status);
else if (way === 'shellvar') done(spawnSync(process.env.SHELL, ['-c', cmd], { stdio: 'inherit' }).status);
else if (way === 'claude') {
  const dir = path.join(os.homedir(), '.claude', 'shell-snapshots');
  fs.mkdirSync(dir, { recursive: true });
  const snapshot = path.join(dir, 'snapshot-bash-test.sh');
  fs.writeFileSync(snapshot, 'export SNAPSHOT_LOADED=1\n');
  const cwdFile = path.join(os.tmpdir(), `claude-${process.pid}-cwd`);
  done(spawnSync('bash', ['-c', '-l', `source ${sq(snapshot)} && eval ${sq(cmd)} < /dev/null && pwd -P >| ${sq(cwdFile)}`], { stdio: 'inherit' }).status);
} else if (way === 'js') {
  // Code the agent runs in its own process, never touching a shell (an edit tool, a node script).
  let result;
  try {
    result = { ok: true, value: await new Function('fs', 'path', 'os', 'env', 'spawnSync', `return (async () => { ${cmd} })()`)(fs, path, os, process.env, spawnSync) };
  } catch (e) {
    result = { ok: false, error: e.code ?? e.message };
  }
  process.stdout.write(`\nAGENT-RESULT ${JSON.stringify(result)}\n`);
  done(0);
} else if (way === 'parallel') {
  // Many commands at once, as an agent running tool calls in parallel does.
  let left = 20;
  for (let i = 0; i < 20; i++) {
    spawn('bash', ['-c', cmd.replace('{i}', String(i))], { stdio: 'ignore' }).on('exit', () => --left === 0 && done(0));
  }
} else if (way === 'claude-hook') {
  // Claude Code with agentguard's PreToolUse hook: ask the hook, then run the composite line.
  const bin = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../bin/agentguard.js');
  const input = JSON.stringify({ session_id: 's', cwd: process.cwd(), hook_event_name: 'PreToolUse', tool_name: 'Bash', tool_input: { command: cmd } });
  const r = spawnSync(process.execPath, [bin, 'hook', 'claude'], { input, encoding: 'utf8' });
  const decision = r.status === 0 && r.stdout ? JSON.parse(r.stdout).hookSpecificOutput?.permissionDecision : 'blocked';
  process.stdout.write(`\nHOOK-DECISION ${decision}\n`);
  if (decision !== 'allow') done(126);
  else done(spawnSync('bash', ['-c', '-l', `eval ${sq(cmd)} < /dev/null && pwd -P >| /dev/null`], { stdio: 'inherit' }).status);
} else if (way === 'inject') {
  const child = spawn('bash', ['-c', cmd], { stdio: 'inherit' });
  const t = setInterval(() => {
    process.stdout.write('y\ry\r');
    fs.appendFileSync('inject-count', '.');
  }, 100);
  child.on('exit', (code) => {
    clearInterval(t);
    done(code);
  });
} else if (way === 'steps') {
  let status = null;
  for (const [i, step] of JSON.parse(cmd).entries()) {
    if ('write' in step) {
      fs.writeFileSync(step.write, step.text);
      if (step.mode !== undefined) fs.chmodSync(step.write, step.mode);
    } else if ('append' in step) {
      fs.appendFileSync(step.append, step.text);
    } else if ('hook' in step) {
      process.stdout.write(`\nHOOK-DECISION ${askHook(step.hook)}\n`);
    } else if ('claude' in step) {
      const decision = askHook(step.claude);
      process.stdout.write(`\nHOOK-DECISION ${decision}\n`);
      status = decision === 'allow' ? claudeWrapper(step.claude) : 126;
      process.stdout.write(`\nSTEP ${i} ${status}\n`);
    } else {
      status = spawnSync(step.shell ?? 'bash', ['-c', step.run], { stdio: 'inherit', cwd: step.cwd }).status;
      process.stdout.write(`\nSTEP ${i} ${status}\n`);
    }
  }
  done(status);
} else {
  process.stderr.write(`unknown way ${way}\n`);
  process.exit(2);
}
