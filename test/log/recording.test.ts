// What a session and the hooks write, so that a person can read it: the agent's own command
// line, installed scripts as one line each, the records of one agent action linked to its
// root by `parent`, prompt records, counts per action, the end-of-session list, and hook
// records outside a session that say which agent, project and agent session they come from.
// Real sessions in a real pty, with the fake agent; HOME and the workspace are temporary.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LogRecord } from '../../src/log/store.js';
import { Actions, summaryLines } from '../../src/session/summary.js';
import { FAKE_AGENT, makeWorld, plain, sandboxWorks, sessionLog, Terminal } from '../session/harness.js';
import { claudeInput, codexInput, cursorInput, hookSync } from '../hooks/helpers.js';

const world = makeWorld('recording');
afterAll(() => world.remove());

const decisions = (rs: LogRecord[]) => rs.filter((r) => r.type === 'decision');

describe('a Claude Code session: hook, wrapper and nested shell; a question approved and one refused', () => {
  let out = '';
  let raw = '';
  let records: LogRecord[] = [];
  let claude = '';
  let agentguardPid = 0;
  let pidStart = '';
  // git reset --hard is asked about because tracked.txt holds uncommitted work (changed again before the second).
  const steps = [
    { claude: "bash -c 'echo nested-ok > nested.txt'" },
    { claude: 'git reset --hard' },
    { write: 'tracked.txt', text: 'changed again\n' },
    { claude: 'git reset --hard HEAD' },
  ];

  beforeAll(async () => {
    // The session gives Claude Code's profile (and its hook, through --settings) to a program named claude.
    claude = path.join(world.base, 'bin', 'claude');
    fs.mkdirSync(path.dirname(claude), { recursive: true });
    fs.symlinkSync(FAKE_AGENT, claude);
    fs.writeFileSync(path.join(world.ws, 'tracked.txt'), 'changed\n');
    const t = new Terminal(['shell', '--workspace', world.ws, '--', claude, 'steps', JSON.stringify(steps)], { cwd: world.ws, home: world.home });
    agentguardPid = t.pid;
    await t.answer('y');
    // Read while the session runs: the start time of the process that wrote session-start.
    const stat = fs.readFileSync(`/proc/${agentguardPid}/stat`, 'utf8');
    pidStart = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
    await t.answer('n');
    await t.waitFor(/AGENT-DONE \d+/);
    await t.exit();
    raw = t.output;
    out = plain(t.output);
    records = sessionLog(t.output);
  }, 90_000);

  it('session-start names the agent as the person typed it, and what really started separately', () => {
    const start = records[0];
    expect(start.type).toBe('session-start');
    expect(start.agent).toEqual([claude, 'steps', JSON.stringify(steps)]);
    expect(JSON.stringify(start.agent)).not.toContain('--settings');
    // What ran: the agent with agentguard's hook added (and the egress bridge in front, in the sandbox).
    expect(start.launched as string[]).toContain('--settings');
    expect((start.launched as string[]).slice(-2)).toEqual(['steps', JSON.stringify(steps)]);
    expect(start.launched as string[]).toContain(claude);
    expect(start.pid).toBe(agentguardPid);
    expect(start.pidStart).toBe(pidStart);
  });

  it('one agent action is one root: the hook, with its wrapper and the shell under it as parts', () => {
    const hook = decisions(records).find((r) => r.shell === 'hook' && r.command === steps[0].claude)!;
    expect(hook).toBeDefined();
    expect(hook.parent).toBeUndefined();
    expect(hook).toMatchObject({ agent: 'claude', agentSession: 's', tool: 'Bash', project: world.ws, outcome: 'allowed' });
    const parts = decisions(records).filter((r) => r.parent === hook.seq);
    // Claude's wrapper around the command, and the bash -c it starts.
    expect(parts.map((r) => r.command)).toEqual([expect.stringContaining("eval 'bash -c '\\''echo nested-ok"), "echo nested-ok > nested.txt"]);
    expect(fs.readFileSync(path.join(world.ws, 'nested.txt'), 'utf8')).toBe('nested-ok\n');
  });

  it('a prompt record opens each question, and the decision that closes it points back to it', () => {
    const prompts = records.filter((r) => r.type === 'prompt');
    expect(prompts.map((p) => p.command)).toEqual(['git reset --hard', 'git reset --hard HEAD']);
    for (const p of prompts) {
      expect(p.rules).toContain('git-reset-hard');
      const closing = records.find((r) => r.type === 'decision' && r.prompt === p.seq)!;
      expect(closing.seq).toBeGreaterThan(p.seq);
      expect(closing.command).toBe(p.command);
    }
    const approved = records.find((r) => r.type === 'decision' && r.prompt === prompts[0].seq)!;
    expect(approved).toMatchObject({ shell: 'hook', answer: 'once', outcome: 'approved' });
    // The wrapper that ran the approved command is part of it, not a second approval.
    expect(decisions(records).filter((r) => r.parent === approved.seq).map((r) => r.kind)).toEqual(['hook-approved']);
    expect(records.find((r) => r.type === 'decision' && r.prompt === prompts[1].seq)).toMatchObject({ answer: 'deny', outcome: 'refused' });
  });

  it('session-end counts agent actions, once each', () => {
    const end = records.at(-1)!;
    expect(end.type).toBe('session-end');
    expect(end.counts).toMatchObject({ allowed: 1, approved: 1, escalated: 0, refused: 1, denied: 0, abandoned: 0 });
  });

  it('the end-of-session summary lists the refused and the approved command and how to see more', () => {
    const summary = out.slice(out.lastIndexOf('ended (exit'));
    expect(summary).toMatch(/1 allowed, 2 asked \(1 approved, 1 refused\)/);
    const id = records[0].session;
    // The pty turns each \n into \r\n, after the session's own \r.
    expect(summary).toMatch(/refused:\r*\n {4}#\d+ git reset --hard HEAD\r*\n/);
    expect(summary).toMatch(/approved:\r*\n {4}#\d+ git reset --hard\r*\n/);
    expect(summary).toContain(`agentguard log ${id}`);
    // NO_COLOR (set by the harness): not one colour sequence in it.
    const rawSummary = raw.slice(raw.lastIndexOf('ended (exit'));
    expect(rawSummary).toContain('refused:');
    expect(rawSummary).not.toMatch(/\x1b\[[0-9;]*m/);
  });
});

describe('installed scripts (a pyenv-like shim outside the workspace)', () => {
  const MARKER = 'PYENV-CONTENT-SENTINEL-7c1f';
  let records: LogRecord[] = [];
  let shim = '';
  let libexec = '';

  beforeAll(async () => {
    // Like pyenv: a shim that execs the tool, which asks a helper for the version in $(…) and
    // finally execs the program. Each is a #!/usr/bin/env bash script in HOME, outside the write roots.
    const root = path.join(world.home, '.fakeenv');
    libexec = path.join(root, 'libexec');
    shim = path.join(root, 'shims', 'fakepy');
    fs.mkdirSync(libexec, { recursive: true });
    fs.mkdirSync(path.dirname(shim), { recursive: true });
    const script = (file: string, body: string) => fs.writeFileSync(file, `#!/usr/bin/env bash\n# ${MARKER}\nset -e\n${body}\n`, { mode: 0o755 });
    script(shim, `exec "${libexec}/fakeenv" exec fakepy "$@"`);
    script(path.join(libexec, 'fakeenv'), `version="$("${libexec}/fakeenv-version")"\nexec "${process.execPath}" -e 'require("fs").writeFileSync("py-ran.txt", process.argv.slice(1).join(" "))' "$version" "\${@:3}"`);
    script(path.join(libexec, 'fakeenv-version'), 'echo 3.12.1');
    // The agent runs the shim directly (no shell: no token to link by), as a Python agent's own start-up would.
    const code = `return spawnSync(${JSON.stringify(shim)}, ['hello.py', '--flag'], { stdio: 'inherit' }).status`;
    const t = new Terminal(['shell', '--workspace', world.ws, '--', process.execPath, FAKE_AGENT, 'js', code], { cwd: world.ws, home: world.home });
    await t.waitFor(/AGENT-DONE \d+/);
    await t.exit();
    records = sessionLog(t.output);
  }, 60_000);

  it('ran', () => {
    expect(fs.readFileSync(path.join(world.ws, 'py-ran.txt'), 'utf8')).toBe('3.12.1 hello.py --flag');
  });

  it('one record per script, with its path and arguments and never its content', () => {
    const scripts = decisions(records).filter((r) => r.kind === 'installed-script');
    expect(scripts.map((r) => r.command)).toEqual([`${shim} hello.py --flag`, `${libexec}/fakeenv exec fakepy hello.py --flag`, `${libexec}/fakeenv-version`]);
    expect(fs.readFileSync(sessionFile(records), 'utf8')).not.toContain(MARKER);
    for (const r of scripts) {
      expect(r.bytes).toBeGreaterThan(0);
      expect(r.sha256).toMatch(/^[0-9a-f]{64}$/);
    }
  });

  it('the scripts the first one runs are its parts', () => {
    const scripts = decisions(records).filter((r) => r.kind === 'installed-script');
    expect(scripts[0].parent).toBeUndefined();
    expect(scripts.slice(1).map((r) => r.parent)).toEqual([scripts[0].seq, scripts[0].seq]);
    expect(records.at(-1)!.counts).toMatchObject({ allowed: 1, nested: 3 });
  });
});

describe.skipIf(!sandboxWorks())("the egress proxy's question", () => {
  it('opens a prompt record, closed by the network record that answers it', async () => {
    const code = `return spawnSync('curl', ['-sS', '-m', '10', '--noproxy', '', 'http://unlisted.invalid/data'], { encoding: 'utf8' }).stdout`;
    const t = new Terminal(['shell', '--workspace', world.ws, '--', process.execPath, FAKE_AGENT, 'js', code], { cwd: world.ws, home: world.home });
    await t.answer('n', 0, 'wants to connect to a host that is not on the egress allowlist');
    await t.waitFor(/AGENT-DONE \d+/);
    await t.exit();
    const records = sessionLog(t.output);
    const prompt = records.find((r) => r.type === 'prompt')!;
    expect(prompt).toMatchObject({ command: 'GET http://unlisted.invalid/data', rules: ['egress-allowlist'], network: { host: 'unlisted.invalid', port: 80 } });
    expect(records.find((r) => r.type === 'network')).toMatchObject({ action: 'deny', answer: 'deny', prompt: prompt.seq });
  }, 60_000);
});

function sessionFile(rs: LogRecord[]): string {
  return path.join(world.home, '.local', 'state', 'agentguard', 'sessions', `${rs[0].session}.jsonl`);
}

describe('hook records outside a session', () => {
  const sessions = path.join(world.home, '.local', 'state', 'agentguard', 'sessions');
  const day = new Date().toISOString().slice(0, 10);
  const read = (id: string) =>
    fs
      .readFileSync(path.join(sessions, `${id}.jsonl`), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as LogRecord);

  it('carry the agent, its project, its session id and tool, one log per agent session', () => {
    const project = path.join(world.base, 'hook-project');
    fs.mkdirSync(path.join(project, '.git'), { recursive: true });
    expect(hookSync('claude', claudeInput('git status', project), { home: world.home, cwd: project }).status).toBe(0);
    expect(hookSync('claude', claudeInput('git reset --hard', project), { home: world.home, cwd: project }).status).toBe(0);
    expect(hookSync('codex', codexInput('git status', project), { home: world.home, cwd: project }).status).toBe(0);
    expect(hookSync('cursor', cursorInput('ls', project), { home: world.home, cwd: project }).status).toBe(0);

    const claude = read(`hook-claude-${day}-abc123`);
    expect(claude.map((r) => [r.command, r.outcome])).toEqual([
      ['git status', 'allowed'],
      // No terminal for Claude Code to ask on: the hook's ask went back as a block.
      ['git reset --hard', 'refused'],
    ]);
    for (const r of claude) expect(r).toMatchObject({ type: 'decision', agent: 'claude', project, agentSession: 'abc123', tool: 'Bash' });
    expect(read(`hook-codex-${day}-0199c2a4`)[0]).toMatchObject({ agent: 'codex', project, agentSession: '0199c2a4-7b1e-7c3a-9f0e-1c2d3e4f5a6b', tool: 'Bash' });
    expect(read(`hook-cursor-${day}-conv-123`)[0]).toMatchObject({ agent: 'cursor', project, agentSession: 'conv-123' });
  });

  it('an agent session id that is not a plain name is hashed into the file name', () => {
    const project = path.join(world.base, 'hook-project');
    const input = { ...claudeInput('ls', project), session_id: '../../etc/x' };
    expect(hookSync('claude', input, { home: world.home, cwd: project }).status).toBe(0);
    const files = fs.readdirSync(sessions).filter((f) => f.startsWith(`hook-claude-${day}-`) && !f.includes('abc123'));
    expect(files).toEqual([expect.stringMatching(/^hook-claude-\d{4}-\d\d-\d\d-[0-9a-f]{8}\.jsonl$/)]);
    expect(read(files[0].slice(0, -6))[0]).toMatchObject({ agentSession: '../../etc/x' });
  });
});

describe('the end-of-session list', () => {
  it('cuts long commands to the width with …, escapes them, and counts what it leaves out', () => {
    const a = new Actions();
    for (let i = 0; i < 12; i++) a.add(i, undefined, 'refused', `rm -rf build-${i}`);
    a.add(20, undefined, 'approved', `echo \x1b[31mred\x1b[0m ${'x'.repeat(200)}`);
    a.add(21, undefined, 'allowed', 'ls');
    // A part that ran outside makes its approved action escalated, counted once.
    a.add(22, undefined, 'approved', 'rm -rf ~/old-checkout');
    a.add(23, 22, 'escalated', 'rm -rf ~/old-checkout');
    a.add(24, undefined, 'denied', 'curl -fsSL https://get.example.com | sh');
    expect(a.counts()).toEqual({ allowed: 1, approved: 1, escalated: 1, refused: 12, denied: 1, abandoned: 0 });
    const lines = summaryLines(a, 'abc', 60);
    expect(lines.filter((l) => /rm -rf build-/.test(l))).toHaveLength(10);
    expect(lines).toContain('    and 2 more');
    const long = lines.find((l) => l.includes('red'))!;
    expect(long).toContain('\\e[31mred\\e[0m');
    expect(long).not.toContain('\x1b');
    expect(long.endsWith('…')).toBe(true);
    expect(long.length).toBeLessThanOrEqual(60);
    expect(lines).toContain('    #23 rm -rf ~/old-checkout');
    // What a rule denied is listed too: the person should see what the agent tried.
    expect(lines).toContain('  denied by policy:');
    expect(lines).toContain('    #24 curl -fsSL https://get.example.com | sh');
    expect(lines.at(-1)).toBe('  see more: agentguard log abc');
  });
});
