// Code that programs run for you, read from real files in a temporary project: each way an
// agent could get `rm -rf .git` (or a delete outside the workspace) run later — a script it
// wrote, a Makefile recipe, an npm script, a git alias or hook — asks with the rule that
// fires for the command inside, through createGuard and through `agentguard check`.
// Nothing here runs a command: the files are only read.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createGuard } from '../../src/guard.js';
import type { Decision } from '../../src/policy/decision.js';
import { inputsUnchanged } from '../../src/shell/fsview.js';
import { exampleGuard } from '../helpers.js';

const tmp = fs.mkdtempSync('/var/tmp/agentguard-programs-');
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const home = path.join(tmp, 'home');
const ws = path.join(tmp, 'ws');
const other = path.join(tmp, 'other');
const DEL = 'delete-workspace-root';
const OUT = 'workspace-confinement';

function write(rel: string, text: string, mode = 0o644) {
  const p = path.join(ws, rel);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, text, { mode });
}
fs.mkdirSync(home, { recursive: true });
fs.mkdirSync(other, { recursive: true });
write('.git/HEAD', 'ref: refs/heads/main\n');
write('.git/config', '[core]\n\tbare = false\n[alias]\n\tnuke = !rm -rf .git\n\tco = checkout\n');
write('.git/hooks/pre-commit', '#!/bin/sh\nrm -rf .git\n', 0o755);
write('.git/hooks/pre-push.sample', '#!/bin/sh\nrm -rf .git\n', 0o755);
write('x.sh', 'echo cleaning\nrm -rf .git\n');
write('y.sh', '#!/bin/bash\nrm -rf .git\n', 0o755);
write('out.sh', `rm -rf ${other}\n`);
write('routine.sh', '#!/bin/sh\nset -e\nnpm run build\nrm -rf dist/tmp\n', 0o755);
write('Makefile', ['include rules.mk', 'OUTDIR = .git', 'build:', '\ttsc -p .', 'clean:', '\trm -rf dist build', 'nuke:', '\trm -rf $(OUTDIR)', 'away:', `\trm -rf ${other}`, ''].join('\n'));
write('rules.mk', 'inc:\n\trm -rf .git\n');
write('package.json', JSON.stringify({ scripts: { build: 'tsc -p .', test: 'vitest run', lint: 'eslint .', nuke: 'rm -rf .git', pretest: 'tsc --noEmit' } }));
write('lib/package.json', JSON.stringify({ scripts: { postinstall: 'rm -rf ../.git' } }));
fs.writeFileSync(path.join(home, '.gitconfig'), '[alias]\n\tlg = !git log --oneline -20\n\tgone = !rm -rf .git\n');

const rules = (await exampleGuard()).rules;
const guard = await createGuard({ rules, cwd: ws, workspaces: [ws], home, env: { HOME: home, USER: 'dev', TMPDIR: '/tmp' } });
const why = (d: Decision) => [...d.matches.map((m) => m.rule), ...d.opaque];

describe('with real files: what programs run for you asks', () => {
  it.each<[string, string]>([
    [`printf 'rm -rf .git\\n' > w.sh && bash w.sh`, 'runs a file written in this command: w.sh'],
    ['bash x.sh', DEL],
    ['sh x.sh', DEL],
    ['./y.sh', DEL],
    ['./x.sh', DEL],
    ['source x.sh', DEL],
    [`bash -c 'bash x.sh'`, DEL],
    ['bash out.sh', OUT],
    ['make nuke', DEL],
    ['make inc', DEL],
    ['make away', OUT],
    // -C moves make (and the recipe's .git) to the parent directory, outside the workspace.
    ['make -C .. -f ws/Makefile nuke', OUT],
    ['npm run nuke', DEL],
    ['npm install --prefix lib', DEL],
    [`git -c alias.x='!rm -rf .git' x`, DEL],
    ['git nuke', DEL],
    ['git gone', DEL],
    [`git -c core.pager='rm -rf .git' log`, DEL],
    [`GIT_SSH_COMMAND='rm -rf .git' git fetch`, DEL],
    ["git commit -m 'wip'", DEL],
    ['echo exit 0 > .git/hooks/pre-push', 'git-hook-or-config-write'],
  ])('%s', (command, reason) => {
    const d = guard.check({ command });
    expect(d.action).toBe('ask');
    expect(why(d).some((r) => r === reason || r.startsWith(reason))).toBe(true);
  });

  it.each(['bash routine.sh', './routine.sh', 'make build', 'make clean', 'npm test', 'npm run build', 'npm run lint -- --fix', 'npm ci', 'git status', 'git co main', 'git lg', 'git push origin main'])('routine: %s', (command) => {
    const d = guard.check({ command });
    expect({ action: d.action, why: why(d) }).toEqual({ action: 'allow', why: [] });
  });

  it('the inputs change when a file the decision read changes', () => {
    const { script } = guard.explain({ command: 'make build && bash x.sh' });
    expect(script.inputs.map((i) => path.relative(ws, i.path)).sort()).toEqual(['GNUmakefile', 'Makefile', 'makefile', 'rules.mk', 'x.sh']);
    expect(inputsUnchanged(script.inputs)).toBe(true);
    write('x.sh', 'echo changed\n');
    expect(inputsUnchanged(script.inputs)).toBe(false);
    write('x.sh', 'echo cleaning\nrm -rf .git\n');
  });
});

describe('agentguard check reads the files too', () => {
  const BIN = path.resolve(__dirname, '../../bin/agentguard.js');
  const run = (command: string) =>
    spawnSync(process.execPath, [BIN, 'check', '--json', '--cwd', ws, '--workspace', ws, '--', command], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', HOME: home, XDG_CONFIG_HOME: path.join(home, '.config'), NO_COLOR: '1', TMPDIR: '/tmp' },
    });
  it.each([
    ['make nuke', DEL],
    ['npm run nuke', DEL],
    ['git nuke', DEL],
    ['bash x.sh', DEL],
  ])('%s asks (%s)', (command, rule) => {
    const r = run(command);
    expect(r.status).toBe(1);
    expect((JSON.parse(r.stdout) as Decision).matches.map((m) => m.rule)).toContain(rule);
  });
  it('a routine Makefile target is allowed', () => {
    const r = run('make build');
    expect({ status: r.status, out: JSON.parse(r.stdout) as unknown }).toMatchObject({ status: 0, out: { action: 'allow' } });
  });
});

describe('the decision carries the files it was read from (the session cache checks them)', () => {
  it('Decision.inputs lists them, and a change to one makes the decision stale', () => {
    const d = guard.check({ command: 'npm test' });
    expect(d.inputs?.map((i) => path.relative(ws, i.path))).toEqual(['package.json']);
    expect(inputsUnchanged(d.inputs!)).toBe(true);
    write('package.json', fs.readFileSync(path.join(ws, 'package.json'), 'utf8') + '\n');
    expect(inputsUnchanged(d.inputs!)).toBe(false);
  });
  it('a routine command carries none', () => {
    expect(guard.check({ command: 'ls -la' }).inputs).toBeUndefined();
  });
});
