// `agentguard install|uninstall <agent>` on real settings files in a temporary HOME: merging
// with what is there, idempotence, backups, clean removal, and a command that works from any
// cwd. Never the real ~/.claude, ~/.gemini, ~/.codex or ~/.cursor.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hookCommand, parseInstalledCommand, portableHookCommand, quoteWord } from '../../src/hooks/command.js';
import { hookStatus, install, settingsFile, uninstall } from '../../src/hooks/install.js';
import { BIN, ROOT, baseEnv, claudeInput, codexInput, cursorInput, geminiInput, makeWorld } from './helpers.js';

const worlds: Array<{ remove(): void }> = [];
afterAll(() => worlds.forEach((w) => w.remove()));
function world() {
  const w = makeWorld('install');
  worlds.push(w);
  return w;
}

function cli(args: string[], w: { home: string; project: string }, cwd = w.project) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', env: baseEnv(w.home) });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Runs an installed hook command the way an agent does: through sh, from /, with the hook input on stdin. */
function runInstalled(command: string, input: unknown, env: Record<string, string>) {
  const r = spawnSync('/bin/sh', ['-c', command], { cwd: '/', input: JSON.stringify(input), encoding: 'utf8', env });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

// An agent's settings file, as far as these tests read it.
interface Handler {
  type?: string;
  name?: string;
  command?: string;
  timeout?: number;
}
/** An entry of hooks[event]: a group of handlers under a matcher (Claude, Gemini, Codex), or in Cursor's file a handler itself. */
interface Entry extends Handler {
  matcher?: string;
  hooks?: Handler[];
}
interface Settings {
  version?: number;
  hooks?: Record<string, Entry[]>;
}

const read = (f: string) => JSON.parse(fs.readFileSync(f, 'utf8')) as Settings;
const backups = (f: string) => fs.readdirSync(path.dirname(f)).filter((n) => n.startsWith(`${path.basename(f)}.agentguard-backup-`));
const write = (f: string, v: unknown) => {
  fs.mkdirSync(path.dirname(f), { recursive: true });
  fs.writeFileSync(f, JSON.stringify(v, null, 2) + '\n');
};

const FILES = {
  claude: { user: '.claude/settings.json', project: '.claude/settings.json' },
  gemini: { user: '.gemini/settings.json', project: '.gemini/settings.json' },
  codex: { user: '.codex/hooks.json', project: '.codex/hooks.json' },
  cursor: { user: '.cursor/hooks.json', project: '.cursor/hooks.json' },
} as const;

// Settings as a person might already have them: other settings, other hooks on the same event,
// other events. Everything here must survive install + uninstall unchanged.
const EXISTING = {
  claude: {
    model: 'opus',
    permissions: { allow: ['Bash(npm test:*)'], deny: ['Read(./.env)'] },
    env: { FOO: 'bar' },
    hooks: {
      PreToolUse: [{ matcher: 'Bash', hooks: [{ type: 'command', command: '/home/dev/bin/log-bash.sh', timeout: 5 }] }],
      PostToolUse: [{ matcher: 'Edit|Write', hooks: [{ type: 'command', command: 'npx prettier --write "$CLAUDE_FILE_PATHS"' }] }],
    },
  },
  gemini: {
    theme: 'GitHub',
    general: { vimMode: true },
    hooksConfig: { enabled: true },
    hooks: { BeforeTool: [{ matcher: 'write_file|replace', hooks: [{ name: 'secret-scan', type: 'command', command: '$GEMINI_PROJECT_DIR/.gemini/hooks/scan.sh', timeout: 10000 }] }] },
  },
  codex: {
    hooks: {
      SessionStart: [{ matcher: 'startup|resume', hooks: [{ type: 'command', command: 'python3 ~/.codex/hooks/session_start.py', statusMessage: 'Loading' }] }],
      PreToolUse: [{ matcher: 'Bash', hooks: [{ type: 'command', command: '/usr/bin/python3 ~/.codex/hooks/pre_bash.py', timeout: 30 }] }],
    },
  },
  cursor: {
    version: 1,
    hooks: {
      beforeShellExecution: [{ command: './hooks/audit.sh' }],
      afterFileEdit: [{ command: './hooks/format.sh' }],
    },
  },
} as const;

type Agent = keyof typeof FILES;
const AGENTS: Agent[] = ['claude', 'gemini', 'codex', 'cursor'];

/** The handlers agentguard put into a settings document. */
function ours(doc: Settings, agent: Agent): (Handler & { command: string })[] {
  const event = { claude: 'PreToolUse', gemini: 'BeforeTool', codex: 'PreToolUse', cursor: 'beforeShellExecution' }[agent];
  const list = doc.hooks?.[event] ?? [];
  const handlers = agent === 'cursor' ? list : list.flatMap((g) => g.hooks ?? []);
  return handlers.filter((h): h is Handler & { command: string } => parseInstalledCommand(h.command)?.agent === agent);
}

describe.each(AGENTS)('%s', (agent) => {
  it('installs into a new user settings file with an absolute command that works from any cwd', () => {
    const w = world();
    const r = cli(['install', agent], w);
    expect(r.status, r.stderr).toBe(0);
    const file = path.join(w.home, FILES[agent].user);
    expect(r.stdout).toContain(file);
    expect(backups(file)).toEqual([]); // nothing to back up
    const doc = read(file);
    const hs = ours(doc, agent);
    expect(hs).toHaveLength(1);
    const parsed = parseInstalledCommand(hs[0].command)!;
    expect(parsed.node).toBe(process.execPath);
    expect(path.isAbsolute(parsed.bin)).toBe(true);
    expect(fs.realpathSync(parsed.bin)).toBe(fs.realpathSync(BIN));

    if (agent === 'claude') expect(doc.hooks?.PreToolUse[0]).toMatchObject({ matcher: 'Bash', hooks: [{ type: 'command', timeout: 600 }] });
    if (agent === 'gemini') expect(doc.hooks?.BeforeTool[0]).toMatchObject({ matcher: 'run_shell_command', hooks: [{ name: 'agentguard', type: 'command', timeout: 600000 }] });
    if (agent === 'codex') {
      expect(Object.keys(doc)).toEqual(['hooks']); // Codex refuses unknown top-level keys in hooks.json
      expect(doc.hooks?.PreToolUse[0]).toMatchObject({ matcher: 'Bash', hooks: [{ type: 'command', timeout: 600 }] });
      expect(r.stdout).toMatch(/\/hooks/); // trust the hook in Codex
    }
    if (agent === 'cursor') expect(doc).toMatchObject({ version: 1, hooks: { beforeShellExecution: [{ timeout: 600, failClosed: true }] } });

    // The agent runs the command through a shell, from wherever it is.
    const input = {
      claude: claudeInput('git push --force origin main', w.project),
      gemini: geminiInput('git push --force origin main', w.project),
      codex: codexInput('git push --force origin main', w.project),
      cursor: cursorInput('git push --force origin main', w.project),
    }[agent];
    const ran = spawnSync('/bin/sh', ['-c', hs[0].command], { cwd: '/', input: JSON.stringify(input), encoding: 'utf8', env: { PATH: '/nonexistent', HOME: w.home } });
    expect(ran.status, ran.stderr).toBe(0);
    expect(ran.stdout).toMatch(/git-force-push/);
  });

  it('merges with existing settings and other hooks, is idempotent, backs up, and uninstalls cleanly', () => {
    const w = world();
    const file = path.join(w.home, FILES[agent].user);
    write(file, EXISTING[agent]);
    const original = fs.readFileSync(file, 'utf8');

    const first = cli(['install', agent, '--user'], w);
    expect(first.status, first.stderr).toBe(0);
    const doc = read(file);
    expect(ours(doc, agent)).toHaveLength(1);
    // Everything that was there is still there, in order, with agentguard's entry after it.
    const hooks = structuredClone(doc.hooks ?? {});
    const event = Object.keys(hooks).find((e) => ours({ hooks: { [e]: hooks[e] } }, agent).length)!;
    hooks[event] = hooks[event].slice(0, -1);
    const without: Settings = { ...doc, hooks };
    expect(without).toEqual(EXISTING[agent]);
    // The backup is the old file, byte for byte, readable by the owner only.
    const b1 = backups(file);
    expect(b1).toHaveLength(1);
    const backupPath = path.join(path.dirname(file), b1[0]);
    expect(fs.readFileSync(backupPath, 'utf8')).toBe(original);
    expect(fs.statSync(backupPath).mode & 0o777).toBe(0o600);

    // Twice changes nothing: no new entry, no new backup, same bytes.
    const afterFirst = fs.readFileSync(file, 'utf8');
    const second = cli(['install', agent], w);
    expect(second.status).toBe(0);
    expect(second.stdout).toMatch(/already installed/);
    expect(fs.readFileSync(file, 'utf8')).toBe(afterFirst);
    expect(backups(file)).toHaveLength(1);

    const removed = cli(['uninstall', agent], w);
    expect(removed.status, removed.stderr).toBe(0);
    expect(removed.stdout).toMatch(/removed/);
    expect(read(file)).toEqual(EXISTING[agent]);
    expect(JSON.stringify(read(file))).toBe(JSON.stringify(JSON.parse(original)));

    // Uninstalling again: nothing to do.
    const again = cli(['uninstall', agent], w);
    expect(again.stdout).toMatch(/nothing to remove/);
    expect(read(file)).toEqual(EXISTING[agent]);
  });

  it('installs into the project with --project (the git top-level), not the home, with a command that names no path of this machine', () => {
    const w = world();
    const sub = path.join(w.project, 'src', 'deep');
    fs.mkdirSync(sub, { recursive: true });
    const r = cli(['install', agent, '--project'], w, sub);
    expect(r.status, r.stderr).toBe(0);
    const file = path.join(w.project, FILES[agent].project);
    const hs = ours(read(file), agent);
    expect(hs).toHaveLength(1);
    expect(hs[0].command).toBe(portableHookCommand(agent));
    expect(hs[0].command).toMatch(new RegExp(`^agentguard hook ${agent} \\|\\| `));
    expect(hs[0].command).not.toContain(process.execPath);
    expect(hs[0].command).not.toContain(ROOT);
    expect(fs.existsSync(path.join(w.home, FILES[agent].user))).toBe(false);
    expect(cli(['uninstall', agent, '--project'], w, sub).status).toBe(0);
    expect(ours(read(file), agent)).toHaveLength(0);
  });
});

describe('install and uninstall: the edges', () => {
  it('replaces an agentguard entry with a stale path instead of adding a second one', () => {
    const w = world();
    const file = path.join(w.home, '.claude/settings.json');
    const stale = hookCommand('claude', '/opt/old-node/bin/node', '/opt/old/agentguard/bin/agentguard.js');
    write(file, { hooks: { PreToolUse: [{ matcher: 'Bash', hooks: [{ type: 'command', command: '/home/dev/bin/mine.sh' }, { type: 'command', command: stale, timeout: 600 }] }] } });

    const before = hookStatus({ home: w.home, cwd: w.project, env: {} }).find((s) => s.agent === 'claude')!;
    expect(before).toMatchObject({ installed: true, pathsExist: false, works: false, current: false });
    expect(before.problems.join(' ')).toMatch(/\/opt\/old-node\/bin\/node.*does not exist/);

    install({ agent: 'claude', scope: 'user', home: w.home, cwd: w.project, env: {} });
    const doc = read(file);
    expect(ours(doc, 'claude')).toHaveLength(1);
    expect(doc.hooks?.PreToolUse[0].hooks).toEqual([{ type: 'command', command: '/home/dev/bin/mine.sh' }]); // the person's hook stays
    const after = hookStatus({ home: w.home, cwd: w.project, env: {} }).find((s) => s.agent === 'claude')!;
    expect(after).toMatchObject({ installed: true, pathsExist: true, works: true, current: true, problems: [] });
  });

  it('removes only its own handler from a group it shares with the person', () => {
    const w = world();
    const file = path.join(w.home, '.gemini/settings.json');
    const mine = { name: 'mine', type: 'command', command: '/home/dev/hooks/check.sh' };
    write(file, { hooks: { BeforeTool: [{ matcher: 'run_shell_command', hooks: [mine, { name: 'agentguard', type: 'command', command: hookCommand('gemini') }] }] } });
    const r = uninstall({ agent: 'gemini', scope: 'user', home: w.home, cwd: w.project, env: {} });
    expect(r.changed).toBe(true);
    expect(read(file)).toEqual({ hooks: { BeforeTool: [{ matcher: 'run_shell_command', hooks: [mine] }] } });
  });

  it('leaves another agent alone: uninstall claude does not touch a codex entry in the same kind of file', () => {
    const w = world();
    cli(['install', 'claude'], w);
    cli(['install', 'codex'], w);
    cli(['uninstall', 'claude'], w);
    expect(ours(read(path.join(w.home, '.codex/hooks.json')), 'codex')).toHaveLength(1);
    expect(read(path.join(w.home, '.claude/settings.json'))).toEqual({});
  });

  it('refuses a settings file that is not plain JSON, and leaves it as it was', () => {
    const w = world();
    const file = path.join(w.home, '.gemini/settings.json');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const text = '{\n  // my theme\n  "theme": "GitHub",\n}\n';
    fs.writeFileSync(file, text);
    const r = cli(['install', 'gemini'], w);
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/not plain JSON.*not changed/);
    expect(fs.readFileSync(file, 'utf8')).toBe(text);
    expect(backups(file)).toEqual([]);
  });

  it('refuses hooks of an unexpected shape', () => {
    const w = world();
    const file = path.join(w.home, '.claude/settings.json');
    write(file, { hooks: { PreToolUse: { matcher: 'Bash' } } });
    const r = cli(['install', 'claude'], w);
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/hooks\.PreToolUse.*not a list/);
  });

  it('keeps the file mode, the indentation, and a symlinked settings file a symlink', () => {
    const w = world();
    const real = path.join(w.base, 'dotfiles', 'claude-settings.json');
    fs.mkdirSync(path.dirname(real), { recursive: true });
    fs.writeFileSync(real, '{\n    "model": "opus"\n}\n', { mode: 0o600 });
    fs.chmodSync(real, 0o600);
    const link = path.join(w.home, '.claude/settings.json');
    fs.mkdirSync(path.dirname(link), { recursive: true });
    fs.symlinkSync(real, link);
    expect(cli(['install', 'claude'], w).status).toBe(0);
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
    expect(fs.statSync(real).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(real, 'utf8')).toMatch(/^\{\n {4}"model": "opus",\n {4}"hooks"/);
    expect(cli(['uninstall', 'claude'], w).status).toBe(0);
    expect(fs.readFileSync(real, 'utf8')).toBe('{\n    "model": "opus"\n}\n');
  });

  it('respects CLAUDE_CONFIG_DIR and CODEX_HOME for the user settings', () => {
    expect(settingsFile('claude', 'user', { home: '/h', env: { CLAUDE_CONFIG_DIR: '/cfg/claude' } })).toBe('/cfg/claude/settings.json');
    expect(settingsFile('codex', 'user', { home: '/h', env: { CODEX_HOME: '/cfg/codex' } })).toBe('/cfg/codex/hooks.json');
    expect(settingsFile('gemini', 'user', { home: '/h', env: {} })).toBe('/h/.gemini/settings.json');
    expect(settingsFile('cursor', 'user', { home: '/h', env: {} })).toBe('/h/.cursor/hooks.json');
  });

  it('rejects --user with --project, and an unknown agent', () => {
    const w = world();
    expect(cli(['install', 'claude', '--user', '--project'], w).status).toBe(3);
    const r = cli(['install', 'copilot'], w);
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/unknown agent/);
  });
});

describe('hookStatus()', () => {
  it('reports which agents have the hook, where, and agent settings that keep it from running', () => {
    const w = world();
    const opts = { home: w.home, cwd: w.project, env: {} };
    const none = hookStatus(opts);
    expect(none.map((s) => [s.agent, s.installed])).toEqual([
      ['claude', false],
      ['gemini', false],
      ['codex', false],
      ['cursor', false],
    ]);

    install({ agent: 'claude', scope: 'project', ...opts });
    install({ agent: 'codex', scope: 'user', ...opts });
    write(path.join(w.home, '.gemini/settings.json'), { hooksConfig: { enabled: false } });
    install({ agent: 'gemini', scope: 'user', ...opts });
    fs.mkdirSync(path.join(w.home, '.codex'), { recursive: true });
    fs.writeFileSync(path.join(w.home, '.codex/config.toml'), 'model = "gpt-5"\n[features]\nhooks = false\n');

    const s = hookStatus(opts);
    const claude = s.find((x) => x.agent === 'claude')!;
    // The project's command runs `agentguard` from PATH, and this environment has no PATH.
    expect(claude).toMatchObject({ scope: 'project', file: path.join(w.project, '.claude/settings.json'), installed: true, works: false, current: true });
    expect(claude.problems.join(' ')).toMatch(/runs `agentguard` from PATH, and it is not on PATH here/);
    const bin = path.join(w.base, 'bin');
    fs.mkdirSync(bin, { recursive: true });
    fs.symlinkSync(BIN, path.join(bin, 'agentguard'));
    expect(hookStatus({ ...opts, env: { PATH: bin } }).find((x) => x.agent === 'claude')).toMatchObject({ installed: true, works: true, problems: [] });
    const gemini = s.find((x) => x.agent === 'gemini')!;
    expect(gemini.installed).toBe(true);
    expect(gemini.problems.join(' ')).toMatch(/hooksConfig\.enabled/);
    const codex = s.find((x) => x.agent === 'codex')!;
    expect(codex.problems.join(' ')).toMatch(/hooks are turned off/);
    expect(codex.notes.join(' ')).toMatch(/\/hooks/);
    expect(s.find((x) => x.agent === 'cursor')).toMatchObject({ installed: false });
  });
});

describe('the installed command', () => {
  it('quotes paths with spaces and quotes, and reads them back', () => {
    const cmd = hookCommand('cursor', "/opt/my node/bin/node", "/home/o'brien/agent guard/bin/agentguard.js");
    expect(parseInstalledCommand(cmd)).toEqual({ agent: 'cursor', autoApprove: false, node: '/opt/my node/bin/node', bin: "/home/o'brien/agent guard/bin/agentguard.js" });
    expect(quoteWord('/usr/bin/node')).toBe('/usr/bin/node');
    expect(parseInstalledCommand('/usr/local/bin/agentguard hook codex')).toEqual({ agent: 'codex', autoApprove: false, node: null, bin: '/usr/local/bin/agentguard' });
    expect(parseInstalledCommand(hookCommand('claude', '/usr/bin/node', '/x/bin/agentguard.js', { autoApprove: true }))).toMatchObject({ agent: 'claude', autoApprove: true });
    expect(parseInstalledCommand(portableHookCommand('gemini', { autoApprove: true }))).toEqual({ agent: 'gemini', autoApprove: true, node: null, bin: 'agentguard' });
    expect(parseInstalledCommand('python3 .codex/hooks/pre_tool_use.py')).toBeNull();
    expect(parseInstalledCommand('/usr/bin/node /x/agentguard.js check -- ls')).toBeNull();
  });

  it('blocks (exit 2, a message on stderr) when agentguard or Node is gone, for every shell an agent may use', () => {
    const input = JSON.stringify(claudeInput('ls', '/'));
    const shells = ['/bin/sh', '/bin/bash', '/bin/zsh', '/usr/bin/fish'].filter((s) => fs.existsSync(s));
    for (const [node, bin] of [
      [process.execPath, '/nonexistent/agentguard/bin/agentguard.js'],
      ['/nonexistent/node', BIN],
    ]) {
      for (const shell of shells) {
        const r = spawnSync(shell, ['-c', hookCommand('claude', node, bin)], { input, encoding: 'utf8', env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
        expect(r.status, `${shell}: ${r.stderr}`).toBe(2);
        expect(r.stderr).toMatch(/agentguard: command blocked/);
      }
    }
    // The project form, on a machine without agentguard on PATH.
    for (const shell of shells) {
      const r = spawnSync(shell, ['-c', portableHookCommand('claude')], { input, encoding: 'utf8', env: { PATH: '/usr/bin:/bin' } });
      expect(r.status, `${shell}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(/agentguard is not on PATH here\. Install agentguard/);
    }
  });
});

describe('install --auto-approve', () => {
  it('writes the flag, and the installed hook then allows routine work instead of giving no opinion', () => {
    const w = world();
    const r = cli(['install', 'claude', '--auto-approve'], w);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/allowed without Claude Code's own prompt/);
    const file = path.join(w.home, '.claude/settings.json');
    const [h] = ours(read(file), 'claude');
    expect(h.command).toContain(' hook claude --auto-approve || ');
    expect(parseInstalledCommand(h.command)?.autoApprove).toBe(true);
    const env = { PATH: '/nonexistent', HOME: w.home, CLAUDE_CODE_ENTRYPOINT: 'cli' };
    const ran = runInstalled(h.command, claudeInput('ls -la', w.project), env);
    expect(ran.status, ran.stderr).toBe(0);
    expect(JSON.parse(ran.stdout)).toMatchObject({ hookSpecificOutput: { permissionDecision: 'allow' } });
    expect(hookStatus({ home: w.home, cwd: w.project, env: {} }).find((s) => s.agent === 'claude')).toMatchObject({ autoApprove: true, current: true });

    // Installing without the flag replaces the entry: routine work gets no opinion again.
    const plain = cli(['install', 'claude'], w);
    expect(plain.stdout).toMatch(/left to Claude Code's own permission settings/);
    const [h2] = ours(read(file), 'claude');
    expect(h2.command).not.toContain('--auto-approve');
    expect(runInstalled(h2.command, claudeInput('ls -la', w.project), env)).toMatchObject({ status: 0, stdout: '' });
  });

  it('says that Codex takes no allow from a hook', () => {
    const w = world();
    const r = cli(['install', 'codex', '--auto-approve'], w);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Codex takes no explicit allow from a hook, so --auto-approve changes nothing/);
  });

  it('is refused by uninstall (it means nothing there)', () => {
    const w = world();
    expect(cli(['uninstall', 'claude', '--auto-approve'], w).status).toBe(3);
  });
});

describe('install --project: a command for every machine that checks out the project', () => {
  it("runs agentguard from PATH, and blocks with how to install it on a machine that does not have it", () => {
    const w = world();
    expect(cli(['install', 'cursor', '--project'], w).status).toBe(0);
    const [h] = ours(read(path.join(w.project, '.cursor/hooks.json')), 'cursor');
    const input = cursorInput('git push --force origin main', w.project);

    const missing = runInstalled(h.command, input, { PATH: '/usr/bin:/bin', HOME: w.home });
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/agentguard: command blocked: this project checks shell commands with agentguard .*not on PATH here\. Install agentguard/);

    const bin = path.join(w.base, 'teammate-bin');
    fs.mkdirSync(bin, { recursive: true });
    fs.symlinkSync(BIN, path.join(bin, 'agentguard'));
    const present = runInstalled(h.command, input, { PATH: `${bin}:${path.dirname(process.execPath)}:/usr/bin:/bin`, HOME: w.home });
    expect(present.status, present.stderr).toBe(0);
    expect(JSON.parse(present.stdout)).toMatchObject({ permission: 'ask' });
  });

  it('finds, replaces and removes an entry written by an older agentguard with absolute paths', () => {
    const w = world();
    const file = path.join(w.project, '.claude/settings.json');
    const old = hookCommand('claude', '/opt/old-node/bin/node', '/opt/old/agentguard/bin/agentguard.js');
    write(file, { hooks: { PreToolUse: [{ matcher: 'Bash', hooks: [{ type: 'command', command: old, timeout: 600 }] }] } });
    const opts = { home: w.home, cwd: w.project, env: {} };
    const before = hookStatus(opts).find((s) => s.agent === 'claude')!;
    expect(before).toMatchObject({ scope: 'project', installed: true, current: false, command: old });
    expect(before.problems.join(' ')).toMatch(/\/opt\/old-node\/bin\/node, which does not exist.*agentguard install claude --project/);

    install({ agent: 'claude', scope: 'project', ...opts });
    expect(ours(read(file), 'claude').map((h) => h.command)).toEqual([portableHookCommand('claude')]);

    write(file, { hooks: { PreToolUse: [{ matcher: 'Bash', hooks: [{ type: 'command', command: old, timeout: 600 }] }] } });
    expect(uninstall({ agent: 'claude', scope: 'project', ...opts })).toMatchObject({ changed: true, command: old });
    expect(read(file)).toEqual({});
  });
});
