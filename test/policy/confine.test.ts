// Workspace confinement with real files: symlinks, `..`, dangling links, cd.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGuard, type Guard } from '../../src/guard.js';
import { BUILTIN_RULES_DIR } from '../../src/rules/load.js';
import { realPath } from '../../src/policy/confine.js';

// Not under /tmp: /tmp is itself a write root, which would hide every escape.
const base = fs.mkdtempSync(path.join(fs.existsSync('/var/tmp') ? '/var/tmp' : os.homedir(), 'agentguard-confine-'));
const ws = path.join(base, 'project');
const outside = path.join(base, 'outside');
const home = path.join(base, 'home');
let guard: Guard;

beforeAll(async () => {
  for (const d of [ws, path.join(ws, 'src'), path.join(ws, 'build'), outside, home]) fs.mkdirSync(d, { recursive: true });
  fs.symlinkSync(outside, path.join(ws, 'escape'));
  fs.symlinkSync(path.join(ws, 'src'), path.join(ws, 'src-link'));
  fs.symlinkSync(path.join(outside, 'not-yet'), path.join(ws, 'dangling'));
  fs.symlinkSync('../outside/rel', path.join(ws, 'relative-escape'));
  guard = await createGuard({ cwd: ws, workspaces: [ws], home, env: { HOME: home, TMPDIR: '/tmp' }, ruleSources: { builtin: BUILTIN_RULES_DIR } });
});

afterAll(() => fs.rmSync(base, { recursive: true, force: true }));

const decide = (command: string, cwd = ws) => guard.check({ command, cwd });
const confinement = (command: string, cwd = ws) => decide(command, cwd).matches.find((m) => m.rule === 'workspace-confinement');

describe('writes inside the write roots pass', () => {
  it.each([
    'echo hi > notes.txt',
    'touch src/new.ts',
    'mkdir -p build/out && cp README.md build/out/',
    'echo x > src-link/file.ts',
    'touch src/../build/x',
    'tee /tmp/agentguard-log < src/a.ts',
    'cd src && echo x > ../build/y',
    'rm -rf build',
  ])('%s', (command) => {
    expect(decide(command).action).toBe('allow');
  });
});

describe('writes that land outside ask, naming the path', () => {
  it.each([
    ['echo x > escape/file', 'outside/file'],
    ['cp README.md escape/', 'outside'],
    ['touch ../sibling', 'sibling'],
    ['echo x > dangling', 'outside/not-yet'],
    ['echo x > relative-escape', 'outside/rel'],
    ['cd escape && touch f', 'outside/f'],
    ['cd src; cd ../..; touch f', 'f'],
    ['tee ~/x < a', 'home/x'],
    ['mkdir ../../elsewhere', 'elsewhere'],
  ])('%s', (command, fragment) => {
    const m = confinement(command);
    expect(m?.action).toBe('ask');
    expect(m?.message).toContain(fragment);
    expect(decide(command).action).not.toBe('allow');
  });

  it('a symlink inside the workspace that points outside does not count as inside', () => {
    expect(confinement('echo x > escape/inner.txt')?.message).toContain(realPath(outside));
  });

  it('a write target only known at run time asks', () => {
    const m = confinement('cp a.txt "$DEST"');
    expect(m?.message).toMatch(/cannot tell where/);
  });

  it('--workspace roots are what counts, not the cwd', async () => {
    const g = await createGuard({ cwd: ws, workspaces: [path.join(ws, 'src')], home, env: { HOME: home }, ruleSources: { builtin: BUILTIN_RULES_DIR } });
    expect(g.check({ command: 'touch build/x' }).action).toBe('ask');
    expect(g.check({ command: 'touch src/x' }).action).toBe('allow');
  });
});

describe('realPath resolves through the longest existing prefix', () => {
  it('follows symlinks and keeps the missing tail', () => {
    expect(realPath(path.join(ws, 'escape', 'a', 'b'))).toBe(path.join(realPath(outside), 'a', 'b'));
    expect(realPath(path.join(ws, 'dangling'))).toBe(path.join(realPath(outside), 'not-yet'));
  });
});

describe('the temporary roots never open HOME', () => {
  // A HOME under a temporary root, as in many containers: a guard whose TMPDIR holds it.
  const tmpHome = path.join(base, 'tmp-root', 'home');
  const tmpWs = path.join(tmpHome, 'project');
  let tmpGuard: Guard;
  beforeAll(async () => {
    fs.mkdirSync(tmpWs, { recursive: true });
    tmpGuard = await createGuard({ cwd: tmpWs, workspaces: [tmpWs], home: tmpHome, env: { HOME: tmpHome, TMPDIR: path.join(base, 'tmp-root') }, ruleSources: { builtin: BUILTIN_RULES_DIR } });
  });
  const d = (command: string) => tmpGuard.check({ command, cwd: tmpWs });

  it.each(['rm -rf ~/old-checkout', 'echo x > ~/notes.txt', 'touch "$HOME/x"'])('%s asks (workspace-confinement), though HOME is under $TMPDIR', (command) => {
    const r = d(command);
    expect(r.action).toBe('ask');
    expect(r.matches.map((m) => m.rule)).toContain('workspace-confinement');
  });

  it.each(['echo x > notes.txt', `echo x > ${path.join(base, 'tmp-root', 'scratch.txt')}`, 'rm -rf build'])('%s passes: the workspace inside HOME and the rest of $TMPDIR stay open', (command) => {
    expect(d(command).action).toBe('allow');
  });
});

describe('deleting a temporary directory itself asks', () => {
  it.each(['rm -rf /tmp', 'rm -rf /tmp/*', 'find /tmp -delete', 'rm -rf "$TMPDIR"'])('%s (delete-temp-root)', (command) => {
    const r = decide(command);
    expect(r.action).toBe('ask');
    expect(r.matches.map((m) => m.rule)).toContain('delete-temp-root');
  });
  it.each(['rm -rf /tmp/my-build', 'find /tmp/my-build -delete'])('%s passes', (command) => {
    expect(decide(command).action).toBe('allow');
  });
});
