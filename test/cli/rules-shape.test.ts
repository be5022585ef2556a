// The CLI as a person shaping their rules runs it (issue 15): a broken rule file is a warning
// in check, explain, rules list and doctor while exit codes stay the decision's;
// --strict-rules makes it fatal; rules disable/enable edit config.yaml and keep its comments.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';

const BIN = path.resolve(__dirname, '../../bin/agentguard.js');
const tmp = fs.mkdtempSync(path.join(fs.existsSync('/var/tmp') ? '/var/tmp' : os.homedir(), 'agentguard-rules-shape-'));
const home = path.join(tmp, 'home');
const project = path.join(tmp, 'project');
const userRules = path.join(home, '.config', 'agentguard', 'rules');
const configFile = path.join(home, '.config', 'agentguard', 'config.yaml');
fs.mkdirSync(path.join(project, '.git'), { recursive: true });
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
beforeEach(() => fs.rmSync(path.join(home, '.config'), { recursive: true, force: true }));

function run(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: project, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', HOME: home, XDG_CONFIG_HOME: path.join(home, '.config'), NO_COLOR: '1' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function writeUserRule(file: string, text: string) {
  fs.mkdirSync(userRules, { recursive: true });
  fs.writeFileSync(path.join(userRules, file), text);
  return path.join(userRules, file);
}

describe('a broken user rule file, as the CLI shows it', () => {
  it('check and explain: warning on stderr, exit status from the decision; rules list at the top; doctor lists it; --strict-rules exits 3', () => {
    const file = writeUserRule('node-package-install.yaml', 'id: node-package-install\naction: allow\n');
    const hint = 'agentguard rules disable node-package-install';

    const allowed = run(['check', '--', 'ls']);
    expect(allowed.status).toBe(0);
    expect(allowed.stderr).toContain(`agentguard: warning: rule file problem: ${file}:1:`);
    expect(allowed.stderr).toContain(hint);

    const denied = run(['check', '--', 'rm -rf ~']);
    expect(denied.status).toBe(2);
    expect(denied.stdout).toContain('delete-protected-root');
    expect(denied.stderr).toContain(hint);

    const asked = run(['check', '--json', '--', 'npm install left-pad']);
    expect(asked.status).toBe(1);
    expect((JSON.parse(asked.stdout) as { matches: { rule: string }[] }).matches.map((m) => m.rule).sort()).toEqual(['node-package-install', 'skipped-rule-file']);

    const explained = run(['explain', '--', 'npm install left-pad']);
    expect(explained.status).toBe(1);
    expect(explained.stderr).toContain(hint);

    const list = run(['rules', 'list']);
    expect(list.status).toBe(0);
    expect(list.stdout.split('\n')[0]).toContain(`rule file problem: ${file}:1:`);
    expect(list.stdout).toMatch(/skipped-rule-file \[user\]\s+stand-in for skipped /);
    expect(list.stdout).toMatch(/git-force-push\s+built-in git\/git-force-push\.yaml/);

    const doctor = JSON.parse(run(['doctor', '--json']).stdout) as { ok: boolean | null; what: string; fix?: string }[];
    const problem = doctor.find((l) => l.what.startsWith('rule file problem: '));
    expect(problem).toMatchObject({ ok: false, what: expect.stringContaining(file) as unknown, fix: expect.stringContaining(hint) as unknown });

    const strict = run(['--strict-rules', 'check', '--', 'ls']);
    expect(strict.status).toBe(3);
    expect(strict.stderr).toContain('rule files have errors (nothing was checked)');
    expect(run(['rules', 'test']).status).toBe(3);
  });
});

describe('an exception rule in explain', () => {
  it('shows the excepted rule and the exception with its file', () => {
    const file = writeUserRule(
      'push-with-lease.yaml',
      'id: push-with-lease\naction: allow\nseverity: low\nmessage: ours\noverrides: [git-force-push]\nmatch:\n  program: git\n  subcommand: push\n  flags: [--force-with-lease]\n  not:\n    flags: [-f, --force]\nexamples:\n  match: ["git push --force-with-lease origin x"]\n  no_match: ["git push --force origin x"]\n',
    );
    const r = run(['explain', '--', 'git push --force-with-lease origin x']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`git-force-push: excepted by push-with-lease (${file})`);
    expect(r.stderr).toBe('');
    expect(run(['check', '--', 'git push --force origin x']).status).toBe(1);
    expect(run(['rules', 'test', file]).stdout).toMatch(/2 passed, 0 failed/);
  });
});

describe('rules disable / enable', () => {
  it('round trip: the entry is written with its reason, the comment and other keys survive, the file is private', () => {
    fs.mkdirSync(path.dirname(configFile), { recursive: true });
    fs.writeFileSync(configFile, '# my agentguard settings: keep this comment\nlimits:\n  large_write: 2GiB\n');
    const off = run(['rules', 'disable', 'git-force-push', '--reason', 'my own forks only']);
    expect(off.status).toBe(0);
    let text = fs.readFileSync(configFile, 'utf8');
    expect(text).toContain('# my agentguard settings: keep this comment');
    expect(text).toMatch(/large_write: 2GiB/);
    expect(text).toMatch(/git-force-push:\n\s+action: off\n\s+reason: my own forks only/);
    expect(run(['check', '--', 'git push --force origin main']).status).toBe(0);
    const list = run(['rules', 'list']);
    expect(list.stdout).toMatch(/switched off[\s\S]*git-force-push\s+git: my own forks only \(.*config\.yaml:\d+\)/);

    const on = run(['rules', 'enable', 'git-force-push']);
    expect(on.status).toBe(0);
    text = fs.readFileSync(configFile, 'utf8');
    expect(text).toContain('# my agentguard settings: keep this comment');
    expect(text).not.toContain('git-force-push');
    expect(text).not.toMatch(/^rules:/m);
    expect(run(['check', '--', 'git push --force origin main']).status).toBe(1);
  });

  it('creates the file (private) when there is none, and refuses an unknown id with the closest ones (exit 3)', () => {
    const r = run(['rules', 'disable', 'git-reset-hard']);
    expect(r.status).toBe(0);
    expect(fs.statSync(configFile).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.dirname(configFile)).mode & 0o777).toBe(0o700);
    const bad = run(['rules', 'disable', 'git-force-pusj']);
    expect(bad.status).toBe(3);
    expect(bad.stderr).toMatch(/no rule "git-force-pusj" \(closest: git-force-push/);
    expect(run(['rules', 'enable', 'no-such-rule-at-all']).status).toBe(3);
  });
});
