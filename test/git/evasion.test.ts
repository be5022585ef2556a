// Ways a steered agent might lose the person's work without a prompt, each judged in a REAL git
// repository made in a fresh directory under /var/tmp (HOME in another). Nothing here runs the
// commands: the guard checks them and judgeWithGit reads the repository, as the session does.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { judgeWithGit, LOST_WORK_RULE } from '../../src/git/judge.js';
import { StateCache } from '../../src/git/state.js';
import { createGuard, type Guard } from '../../src/guard.js';
import type { Decision } from '../../src/policy/decision.js';
import { BUILTIN_RULES_DIR } from '../../src/rules/load.js';
import { gitAt, initRepo, write } from './scratch.js';

const TMP = fs.existsSync('/var/tmp') ? '/var/tmp' : os.tmpdir();
const BASE = fs.mkdtempSync(path.join(TMP, 'agentguard-evasion-'));
const HOME = fs.mkdtempSync(path.join(TMP, 'agentguard-evasion-home-'));
const savedEnv = { ...process.env };
let n = 0;
let guard: Guard;

const git = gitAt(HOME);
/** src/a.ts, src/b.ts committed on main; dist/ ignored. */
function makeRepo(): string {
  const root = path.join(BASE, `repo${++n}`);
  initRepo(root, git);
  write(root, '.gitignore', 'dist/\n');
  for (const f of ['src/a.ts', 'src/b.ts']) write(root, f);
  git(root, 'add', '-A');
  git(root, 'commit', '-qm', 'initial');
  return root;
}
const ids = (d: Decision) => [...new Set(d.matches.map((m) => m.rule))].sort();
async function judge(command: string, cwd: string, sessionStart?: number): Promise<Decision> {
  return judgeWithGit(guard.check({ command, cwd }), { cache: new StateCache(), timeoutMs: 20_000, ...(sessionStart !== undefined ? { sessionStart } : {}) });
}

beforeAll(async () => {
  process.env.HOME = HOME;
  process.env.GIT_CONFIG_NOSYSTEM = '1';
  guard = await createGuard({ cwd: BASE, home: HOME, env: { HOME }, workspaces: [BASE, TMP], ruleSources: { builtin: BUILTIN_RULES_DIR } });
});
afterAll(() => {
  process.env = savedEnv;
  fs.rmSync(BASE, { recursive: true, force: true });
  fs.rmSync(HOME, { recursive: true, force: true });
});

const W = LOST_WORK_RULE;

describe('find -delete selections that reach more than one -name pattern says', () => {
  it.each([
    // -iname ignores case: *.TS matches src/a.ts
    ["find src -iname '*.TS' -delete"],
    // the comma operator evaluates -delete for every file, whatever -name said
    ["find src -name '*.js' , -delete"],
    // -delete before the test runs on everything find visits
    ["find src -delete -name '*.js'"],
  ])('%s with src/a.ts modified → ask work-would-be-lost', async (cmd) => {
    const root = makeRepo();
    write(root, 'src/a.ts', 'edited\n');
    const d = await judge(cmd, root);
    expect([d.action, ids(d)]).toEqual(['ask', [W]]);
    expect(d.matches[0].message).toContain('1 modified file (src/a.ts)');
  });
  it.each([["find src -iname '*.JS' -delete"], ["find src -name '*.js' -delete"]])('%s with only src/a.ts modified → allow', async (cmd) => {
    const root = makeRepo();
    write(root, 'src/a.ts', 'edited\n');
    const d = await judge(cmd, root);
    expect([d.action, ids(d)]).toEqual(['allow', []]);
  });
});

describe('git pointed at another repository than its cwd is in: judged by the rules, never lowered by the cwd’s clean tree', () => {
  const cases: [string, (b: string) => string][] = [
    ['GIT_DIR=… GIT_WORK_TREE=… git reset --hard', (b) => `GIT_DIR=${b}/.git GIT_WORK_TREE=${b} git reset --hard`],
    ['env GIT_DIR=… GIT_WORK_TREE=… git checkout -- .', (b) => `env GIT_DIR=${b}/.git GIT_WORK_TREE=${b} git checkout -- .`],
    ['export GIT_DIR=… GIT_WORK_TREE=…; git reset --hard', (b) => `export GIT_DIR=${b}/.git GIT_WORK_TREE=${b}; git reset --hard`],
    ['git -c core.worktree=… reset --hard', (b) => `git -c core.worktree=${b} reset --hard`],
  ];
  it.each(cases)('%s from a clean repository, the other one modified → ask git rule', async (_name, cmd) => {
    const a = makeRepo();
    const b = makeRepo();
    write(b, 'src/a.ts', 'edited\n');
    const d = await judge(cmd(b), a);
    expect(d.action).toBe('ask');
    expect(d.git?.lowered ?? []).toEqual([]);
    expect(ids(d).some((r) => r.startsWith('git-'))).toBe(true);
  });
  it('git -c color.ui=never reset --hard on a clean tree is still lowered (only redirecting keys count)', async () => {
    const a = makeRepo();
    const d = await judge('git -c color.ui=never reset --hard', a);
    expect([d.action, ids(d)]).toEqual(['allow', []]);
  });
});

describe('writes through a symlink land on the file it points at', () => {
  it.each([[': > OUT/l'], ['echo x > OUT/l'], ['cp src/b.ts OUT/l'], ['tee OUT/l < src/b.ts']])('%s, l a link outside the repository to the modified src/a.ts → ask', async (cmd) => {
    const root = makeRepo();
    write(root, 'src/a.ts', 'edited\n');
    const out = fs.mkdtempSync(path.join(BASE, 'out-'));
    fs.symlinkSync(path.join(root, 'src/a.ts'), path.join(out, 'l'));
    const d = await judge(cmd.replace('OUT', out), root);
    expect([d.action, ids(d)]).toEqual(['ask', [W]]);
    expect(d.matches[0].message).toContain('1 modified file (src/a.ts)');
  });
  it('rm of such a link removes only the link: allowed', async () => {
    const root = makeRepo();
    write(root, 'src/a.ts', 'edited\n');
    const out = fs.mkdtempSync(path.join(BASE, 'out-'));
    fs.symlinkSync(path.join(root, 'src/a.ts'), path.join(out, 'l'));
    const d = await judge(`rm ${out}/l`, root);
    expect([d.action, ids(d)]).toEqual(['allow', []]);
  });
});

describe("the session's own files: a new birth time is not enough", () => {
  it("the person's untracked file rewritten by sed -i (a new inode) is still theirs: rm asks", async () => {
    const root = makeRepo();
    write(root, 'notes.md', 'my notes\n');
    await new Promise((r) => setTimeout(r, 20));
    const start = Date.now();
    const cache = new StateCache();
    await cache.prime(root, { timeoutMs: 20_000 });
    await new Promise((r) => setTimeout(r, 20));
    execFileSync('sed', ['-i', 's/x/x/', path.join(root, 'notes.md')]);
    const d = await judgeWithGit(guard.check({ command: 'rm notes.md', cwd: root }), { cache, timeoutMs: 20_000, sessionStart: start });
    expect([d.action, ids(d)]).toEqual(['ask', [W]]);
    expect(d.matches[0].message).toContain('1 untracked file (notes.md)');
    // A file the session made after the first read is still its own.
    write(root, 'scratch.py', 'print(1)\n');
    const own = await judgeWithGit(guard.check({ command: 'rm scratch.py', cwd: root }), { cache, timeoutMs: 20_000, sessionStart: start });
    expect([own.action, ids(own)]).toEqual(['allow', []]);
  });
  it('without a first read before the file was born, nothing is the session’s own', async () => {
    const root = makeRepo();
    const start = Date.now();
    await new Promise((r) => setTimeout(r, 20));
    write(root, 'notes.md', 'my notes\n');
    const d = await judge('rm notes.md', root, start);
    expect([d.action, ids(d)]).toEqual(['ask', [W]]);
  });
});

describe('git checkout of a path without `--`', () => {
  it.each([
    ['git checkout src/a.ts', 'ask', [W]],
    ['git checkout src', 'ask', [W]],
    ['git checkout main src/a.ts', 'ask', [W]],
    ['git checkout main', 'allow', []],
    ['git checkout -b topic', 'allow', []],
    ['git checkout src/b.ts', 'allow', []],
  ])('%s with src/a.ts modified → %s', async (cmd, action, rules) => {
    const root = makeRepo();
    write(root, 'src/a.ts', 'edited\n');
    const d = await judge(cmd, root);
    expect([d.action, ids(d)]).toEqual([action, rules]);
    if (action === 'ask') expect(d.matches[0].message).toContain('1 modified file (src/a.ts)');
  });
});

describe('work moved out of the repository', () => {
  it.each([
    ['mv notes.md OUT/', 'ask', [W]],
    ['mv src OUT/x', 'ask', [W]],
    ['mv notes.md src/', 'allow', []],
    ['mv dist/out.js OUT/', 'allow', []],
    ['mv src/b.ts OUT/', 'allow', []],
  ])('%s (notes.md untracked, src/a.ts modified) → %s', async (cmd, action, rules) => {
    const root = makeRepo();
    write(root, 'notes.md', 'my notes\n');
    write(root, 'src/a.ts', 'edited\n');
    write(root, 'dist/out.js', 'built\n');
    const out = fs.mkdtempSync(path.join(BASE, 'out-'));
    const d = await judge(cmd.replace('OUT', out), root);
    expect([d.action, ids(d)]).toEqual([action, rules]);
  });
});

describe('writes through a hard link', () => {
  it.each([[': > OUT/h'], ['cp src/b.ts OUT/h'], [': > h2']])('%s, a hard link to the modified src/a.ts → ask', async (cmd) => {
    const root = makeRepo();
    write(root, 'src/a.ts', 'edited\n');
    const out = fs.mkdtempSync(path.join(BASE, 'out-'));
    fs.linkSync(path.join(root, 'src/a.ts'), path.join(out, 'h'));
    fs.linkSync(path.join(root, 'src/a.ts'), path.join(root, 'h2'));
    const d = await judge(cmd.replace('OUT', out), root);
    expect([d.action, ids(d)]).toEqual(['ask', [W]]);
    expect(d.matches[0].message).toContain('src/a.ts');
  });
  it('a hard link to a clean file loses nothing: allowed', async () => {
    const root = makeRepo();
    const out = fs.mkdtempSync(path.join(BASE, 'out-'));
    fs.linkSync(path.join(root, 'src/a.ts'), path.join(out, 'h'));
    const d = await judge(`: > ${out}/h`, root);
    expect([d.action, ids(d)]).toEqual(['allow', []]);
  });
});

describe("the person's file made ignored through .git/info/exclude during the session", () => {
  const session = async (root: string) => {
    const start = Date.now();
    const cache = new StateCache();
    await cache.prime(root, { timeoutMs: 20_000 });
    return (cmd: string) => judgeWithGit(guard.check({ command: cmd, cwd: root }), { cache, timeoutMs: 20_000, sessionStart: start });
  };
  it.each([['rm notes.md'], ['git clean -fdx'], ['git clean -fdX']])('%s → ask, naming notes.md', async (cmd) => {
    const root = makeRepo();
    write(root, 'notes.md', 'my notes\n');
    const judgeNow = await session(root);
    fs.appendFileSync(path.join(root, '.git/info/exclude'), 'notes.md\n');
    const d = await judgeNow(cmd);
    expect(d.action).toBe('ask');
    expect(ids(d)).toContain(W);
    expect(d.git?.lowered ?? []).toEqual([]);
    expect(d.matches.find((m) => m.rule === W)?.message).toContain('notes.md');
  });
  it('so does core.excludesFile pointed at a file the agent wrote', async () => {
    const root = makeRepo();
    write(root, 'notes.md', 'my notes\n');
    const judgeNow = await session(root);
    const ex = path.join(fs.mkdtempSync(path.join(BASE, 'ex-')), 'ignore');
    fs.writeFileSync(ex, 'notes.md\n');
    git(root, 'config', 'core.excludesFile', ex);
    const d = await judgeNow('rm notes.md');
    expect([d.action, ids(d)]).toEqual(['ask', [W]]);
  });
  it('unchanged excludes: build output under .gitignore is still removed unasked', async () => {
    const root = makeRepo();
    write(root, 'dist/out.js', 'built\n');
    const judgeNow = await session(root);
    write(root, 'dist/more.js', 'built\n');
    const d = await judgeNow('rm -rf dist');
    expect([d.action, ids(d)]).toEqual(['allow', []]);
  });
});

describe('tilde forms the analysis cannot resolve (~+ is $PWD, ~- $OLDPWD)', () => {
  it.each([['rm -rf ~+/src'], ['rm -rf ~-/src'], ['rm -rf ~1/src']])('%s with src/a.ts modified is never allowed', async (cmd) => {
    const root = makeRepo();
    write(root, 'src/a.ts', 'edited\n');
    const d = await judge(cmd, root);
    expect(d.action).not.toBe('allow');
    expect(d.git?.unknown.join(' ') ?? '').toMatch(/only known when it runs/);
  });
});

describe('overwrites the loss questions did not see', () => {
  it.each([
    ["sed -n 'w src/a.ts' src/b.ts", 'ask', [W]],
    ["awk '{ print > \"src/a.ts\" }' src/b.ts", 'ask', [W]],
    ['git mv -f src/b.ts src/a.ts', 'ask', [W]],
    ['sed -i s/a/b/ src/a.ts', 'allow', []],
    ["sed -n 'w out.txt' src/b.ts", 'allow', []],
    ['git mv src/b.ts src/c.ts', 'allow', []],
  ])('%s with src/a.ts modified → %s', async (cmd, action, rules) => {
    const root = makeRepo();
    write(root, 'src/a.ts', 'edited\n');
    const d = await judge(cmd, root);
    expect([d.action, ids(d)]).toEqual([action, rules]);
  });
});

describe('commits left on no ref by moving or deleting a ref (branch feat holds one commit found nowhere else)', () => {
  const withFeat = (root: string) => {
    git(root, 'checkout', '-q', '-b', 'feat');
    write(root, 'src/f.ts');
    git(root, 'add', '-A');
    git(root, 'commit', '-qm', 'feature work');
    git(root, 'checkout', '-q', 'main');
  };
  it('git tag keep feat; git branch -D feat (allowed: the tag keeps it); git tag -d keep → ask', async () => {
    const root = makeRepo();
    withFeat(root);
    git(root, 'tag', 'keep', 'feat');
    expect((await judge('git branch -D feat', root)).action).toBe('allow');
    git(root, 'branch', '-D', 'feat');
    const d = await judge('git tag -d keep', root);
    expect([d.action, ids(d)]).toEqual(['ask', [W]]);
    expect(d.matches[0].message).toContain('1 commit only on keep');
  });
  it.each([
    ['git branch -f feat main', 'ask'],
    ['git branch -M main feat', 'ask'],
    ['git checkout -B feat main', 'ask'],
    ['git switch -C feat main', 'ask'],
    ['git update-ref refs/heads/feat main', 'ask'],
    ['git tag -d nosuch', 'allow'],
    ['git tag v1', 'allow'],
    ['git branch -f merged-elsewhere main', 'allow'],
  ])('%s → %s', async (cmd, action) => {
    const root = makeRepo();
    withFeat(root);
    git(root, 'branch', 'merged-elsewhere', 'main');
    const d = await judge(cmd, root);
    expect(d.action).toBe(action);
    if (action === 'ask') expect(ids(d)).toContain(W);
  });
  it('git tag -f keep main, keep the only name of a commit → ask', async () => {
    const root = makeRepo();
    withFeat(root);
    git(root, 'tag', 'keep', 'feat');
    git(root, 'branch', '-D', 'feat');
    const d = await judge('git tag -f keep main', root);
    expect([d.action, ids(d)]).toEqual(['ask', [W]]);
  });
});

describe('a repository state the agent can make unreadable with one command', () => {
  it('a file name that is not UTF-8 beside the work: rm -rf src is asked, saying why', async () => {
    const root = makeRepo();
    write(root, 'src/a.ts', 'edited\n');
    fs.writeFileSync(Buffer.concat([Buffer.from(root + '/'), Buffer.from([0xff, 0x2e, 0x74, 0x78, 0x74])]), 'x');
    const d = await judge('rm -rf src', root);
    expect([d.action, ids(d)]).toEqual(['ask', [W]]);
    expect(d.matches[0].message).toMatch(/cannot be told: .*not UTF-8/);
  });
  it('a filter driver whose name cannot be switched off: rm -rf src is asked', async () => {
    const root = makeRepo();
    write(root, 'src/a.ts', 'edited\n');
    git(root, 'config', 'filter.a=b.clean', 'cat');
    const d = await judge('rm -rf src', root);
    expect([d.action, ids(d)]).toEqual(['ask', [W]]);
  });
  it('rm -rf dist (ignored output) in such a repository is asked too: fail closed', async () => {
    const root = makeRepo();
    write(root, 'dist/out.js');
    git(root, 'config', 'filter.a=b.clean', 'cat');
    const d = await judge('rm -rf dist', root);
    expect(d.action).toBe('ask');
  });
});
