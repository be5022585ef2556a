// Decisions that depend on what a command would lose, judged in REAL git repositories made in
// fresh directories under /var/tmp, with HOME in another fresh directory. Nothing here runs
// the commands: each is checked by the guard (the rules) and then by judgeWithGit (the
// repository's state), and every row asserts the verdict, the rule ids and, when work would
// be lost, what the message names.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { judgeSafely, judgeWithGit, LOST_WORK_RULE } from '../../src/git/judge.js';
import { StateCache } from '../../src/git/state.js';
import { createGuard, type Guard } from '../../src/guard.js';
import type { Action, Decision } from '../../src/policy/decision.js';
import { BUILTIN_RULES_DIR } from '../../src/rules/load.js';
import { gitAt, initRepo, write } from './scratch.js';

const TMP = fs.existsSync('/var/tmp') ? '/var/tmp' : os.tmpdir();
const BASE = fs.mkdtempSync(path.join(TMP, 'agentguard-git-judge-'));
const HOME = fs.mkdtempSync(path.join(TMP, 'agentguard-git-judge-home-'));
const savedEnv = { ...process.env };
const W = LOST_WORK_RULE;
let n = 0;
let guard: Guard;

const git = gitAt(HOME);
const init = (root: string) => initRepo(root, git);
/** src/a.ts, src/b.ts, src/c.js, docs/readme.md and list committed on main; dist/ and node_modules/ ignored; branch `merged` at main. */
function makeRepo(): string {
  const root = path.join(BASE, `repo${++n}`);
  init(root);
  write(root, '.gitignore', 'node_modules/\ndist/\n');
  for (const f of ['src/a.ts', 'src/b.ts', 'src/c.js', 'docs/readme.md', 'list']) write(root, f);
  git(root, 'add', '-A');
  git(root, 'commit', '-qm', 'initial');
  git(root, 'branch', 'merged');
  return root;
}

/** The states a command is judged against. */
const S = {
  clean: () => {},
  modified: (r: string) => write(r, 'src/a.ts', 'edited\n'),
  staged: (r: string) => {
    write(r, 'src/b.ts', 'staged\n');
    git(r, 'add', 'src/b.ts');
  },
  untracked: (r: string) => write(r, 'src/new.ts'),
  stashed: (r: string) => {
    write(r, 'src/a.ts', 'stashed\n');
    git(r, 'stash', '-q');
  },
  unpushed: (r: string) => {
    git(r, 'checkout', '-q', '-b', 'feature');
    write(r, 'src/feature.ts');
    git(r, 'add', '-A');
    git(r, 'commit', '-qm', 'feature work');
    git(r, 'checkout', '-q', 'main');
  },
  ignored: (r: string) => {
    write(r, 'dist/out.js');
    write(r, 'node_modules/x/index.js');
  },
};

interface Row {
  cmd: string;
  state: keyof typeof S | ((r: string) => void);
  action: Action;
  /** every rule id among the decision's matches, sorted */
  rules: string[];
  /** rules that must be in git.lowered (nothing lost) */
  lowered?: string[];
  /** the work-would-be-lost message */
  says?: RegExp;
  /** the cwd, relative to the repository (default its root) */
  cwd?: string;
}

async function judge(command: string, cwd: string, opts: { timeoutMs?: number } = {}): Promise<Decision> {
  const d = guard.check({ command, cwd });
  return judgeWithGit(d, { cache: new StateCache(), timeoutMs: opts.timeoutMs ?? 20_000 });
}
const ids = (d: Decision) => [...new Set(d.matches.map((m) => m.rule))].sort();
const lostMessage = (d: Decision) => d.matches.find((m) => m.rule === W)?.message ?? '';

async function check(row: Row, root = makeRepo()): Promise<Decision> {
  (typeof row.state === 'function' ? row.state : S[row.state])(root);
  const d = await judge(row.cmd, path.join(root, row.cwd ?? '.'));
  expect({ action: d.action, rules: ids(d) }).toEqual({ action: row.action, rules: [...row.rules].sort() });
  for (const r of row.lowered ?? []) expect(d.git?.lowered).toContain(r);
  // A rule the repository lowered never stays among the matches, and one still matching is never lowered.
  for (const r of d.git?.lowered ?? []) expect(ids(d)).not.toContain(r);
  if (row.says) expect(lostMessage(d)).toMatch(row.says);
  if (row.action === 'allow') expect(d.git?.lost ?? []).toEqual([]);
  return d;
}

beforeAll(async () => {
  process.env.HOME = HOME;
  process.env.GIT_CONFIG_NOSYSTEM = '1';
  guard = await createGuard({ cwd: BASE, home: HOME, env: { HOME }, workspaces: [BASE], ruleSources: { builtin: BUILTIN_RULES_DIR } });
});
afterAll(() => {
  process.env = savedEnv;
  fs.rmSync(BASE, { recursive: true, force: true });
  fs.rmSync(HOME, { recursive: true, force: true });
});

const title = (r: Row) => `${r.cmd} [${typeof r.state === 'function' ? 'custom' : r.state}] → ${r.action} ${r.rules.join(',') || '-'}`;

const MOD_A = /1 modified file \(src\/a\.ts\)/;
const STAGED_B = /1 staged file \(src\/b\.ts\)/;
const NEW_TS = /1 untracked file \(src\/new\.ts\)/;

describe('paths deleted or overwritten', () => {
  const rows: Row[] = [
    // rm and friends
    { cmd: 'rm -rf src', state: 'clean', action: 'allow', rules: [] },
    { cmd: 'rm -rf src', state: 'modified', action: 'ask', rules: [W], says: MOD_A },
    { cmd: 'rm -rf src', state: 'staged', action: 'ask', rules: [W], says: STAGED_B },
    { cmd: 'rm -rf src', state: 'untracked', action: 'ask', rules: [W], says: NEW_TS },
    { cmd: 'rm -rf src', state: 'stashed', action: 'allow', rules: [] },
    { cmd: 'rm -rf src', state: 'unpushed', action: 'allow', rules: [] },
    { cmd: 'rm -rf dist node_modules', state: 'ignored', action: 'allow', rules: [] },
    { cmd: 'rm -rf dist', state: (r) => (S.ignored(r), S.modified(r), S.untracked(r)), action: 'allow', rules: [] },
    { cmd: 'rm src/a.ts', state: 'modified', action: 'ask', rules: [W], says: MOD_A },
    { cmd: 'rm src/b.ts', state: 'modified', action: 'allow', rules: [] },
    { cmd: 'unlink src/a.ts', state: 'clean', action: 'allow', rules: [] },
    { cmd: 'unlink src/a.ts', state: 'modified', action: 'ask', rules: [W], says: MOD_A },
    { cmd: 'shred -u src/a.ts', state: 'clean', action: 'allow', rules: [] },
    { cmd: 'shred -u src/a.ts', state: 'modified', action: 'ask', rules: [W], says: MOD_A },
    { cmd: 'srm src/b.ts', state: 'staged', action: 'ask', rules: [W], says: STAGED_B },
    // find -delete: one -name pattern is a glob below the start
    { cmd: "find src -name '*.ts' -delete", state: 'clean', action: 'allow', rules: [] },
    { cmd: "find src -name '*.ts' -delete", state: 'modified', action: 'ask', rules: [W], says: MOD_A },
    { cmd: "find src -name '*.ts' -delete", state: 'untracked', action: 'ask', rules: [W], says: NEW_TS },
    { cmd: "find src -name '*.ts' -delete", state: (r) => write(r, 'src/new.js'), action: 'allow', rules: [] },
    { cmd: "find . -type f -name '*.ts' -delete", state: 'staged', action: 'ask', rules: [W], says: STAGED_B },
    { cmd: 'find dist -delete', state: 'ignored', action: 'allow', rules: [] },
    { cmd: "find . -name '*.js' -path '*/dist/*' -delete", state: (r) => (S.ignored(r), write(r, 'src/new.js')), action: 'ask', rules: [W], says: /src\/new\.js/ },
    // find -exec rm {}: the whole start (rm does not see find's -name)
    { cmd: 'find src -type f -exec rm {} +', state: 'clean', action: 'allow', rules: [] },
    { cmd: 'find src -type f -exec rm {} +', state: 'untracked', action: 'ask', rules: [W], says: NEW_TS },
    { cmd: 'find dist -type f -exec rm -f {} \\;', state: 'ignored', action: 'allow', rules: [] },
    // truncation, tee, truncate
    { cmd: 'echo x > src/a.ts', state: 'clean', action: 'allow', rules: [] },
    { cmd: 'echo x > src/a.ts', state: 'modified', action: 'ask', rules: [W], says: MOD_A },
    { cmd: 'echo x >> src/a.ts', state: 'modified', action: 'allow', rules: [] },
    { cmd: 'echo x > dist/out.js', state: (r) => (S.ignored(r), S.modified(r)), action: 'allow', rules: [] },
    { cmd: 'echo x | tee src/a.ts', state: 'modified', action: 'ask', rules: [W], says: MOD_A },
    { cmd: 'echo x | tee -a src/a.ts', state: 'modified', action: 'allow', rules: [] },
    { cmd: 'echo x | tee src/a.ts', state: 'clean', action: 'allow', rules: [] },
    { cmd: 'truncate -s 0 src/a.ts', state: 'modified', action: 'ask', rules: [W], says: MOD_A },
    { cmd: 'truncate -s 0 src/a.ts', state: 'clean', action: 'allow', rules: [] },
    // mv / cp onto files, and into an existing directory
    { cmd: 'mv list src/a.ts', state: 'modified', action: 'ask', rules: [W], says: MOD_A },
    { cmd: 'mv list src/a.ts', state: 'clean', action: 'allow', rules: [] },
    { cmd: 'cp docs/readme.md src/a.ts', state: 'modified', action: 'ask', rules: [W], says: MOD_A },
    { cmd: 'cp docs/readme.md src/', state: (r) => write(r, 'src/readme.md', 'mine\n'), action: 'ask', rules: [W], says: /1 untracked file \(src\/readme\.md\)/ },
    { cmd: 'cp docs/readme.md src/', state: 'untracked', action: 'allow', rules: [] },
    { cmd: 'cp -n docs/readme.md src/a.ts', state: 'modified', action: 'allow', rules: [] },
    { cmd: 'cp docs/readme.md dist/readme.md', state: (r) => (S.ignored(r), write(r, 'dist/readme.md')), action: 'allow', rules: [] },
  ];
  it.each(rows.map((r) => [title(r), r]))('%s', async (_t, row) => {
    await check(row);
  });
});

describe('git operations', () => {
  const rows: Row[] = [
    // checkout / restore over the work tree
    { cmd: 'git checkout -- .', state: 'clean', action: 'allow', rules: [], lowered: ['git-discard-changes'] },
    { cmd: 'git checkout -- .', state: 'modified', action: 'ask', rules: ['git-discard-changes', W], says: MOD_A },
    // from the index: what is staged stays, untracked files are not touched
    { cmd: 'git checkout -- .', state: 'staged', action: 'allow', rules: [], lowered: ['git-discard-changes'] },
    { cmd: 'git checkout -- .', state: 'untracked', action: 'allow', rules: [], lowered: ['git-discard-changes'] },
    { cmd: 'git checkout -- .', state: 'stashed', action: 'allow', rules: [], lowered: ['git-discard-changes'] },
    { cmd: 'git checkout -- docs', state: 'modified', action: 'allow', rules: [], lowered: ['git-discard-changes'] },
    { cmd: 'git checkout HEAD -- src', state: 'staged', action: 'ask', rules: ['git-discard-changes', W], says: STAGED_B },
    { cmd: 'git restore .', state: 'clean', action: 'allow', rules: [], lowered: ['git-discard-changes'] },
    { cmd: 'git restore src/a.ts', state: 'modified', action: 'ask', rules: ['git-discard-changes', W], says: MOD_A },
    { cmd: 'git restore --staged --worktree .', state: 'staged', action: 'ask', rules: ['git-discard-changes', W], says: STAGED_B },
    // routine: unstaging, and restore without a path (git refuses) or -h
    { cmd: 'git restore --staged src/b.ts', state: (r) => (S.staged(r), write(r, 'src/b.ts', 'edited after staging\n')), action: 'allow', rules: [] },
    { cmd: 'git restore --staged .', state: 'staged', action: 'allow', rules: [] },
    { cmd: 'git restore', state: 'modified', action: 'allow', rules: [] },
    { cmd: 'git restore -h', state: 'modified', action: 'allow', rules: [] },
    // from a commit into the work tree: the index keeps what was staged
    { cmd: 'git restore -s HEAD src', state: 'staged', action: 'allow', rules: [], lowered: ['git-discard-changes'] },
    { cmd: 'git restore --pathspec-from-file=list', state: 'clean', action: 'ask', rules: ['git-discard-changes'] },
    { cmd: 'git checkout -f', state: 'modified', action: 'ask', rules: ['git-discard-changes', W], says: MOD_A },
    { cmd: 'git checkout -f merged', state: 'clean', action: 'allow', rules: [], lowered: ['git-discard-changes'] },
    { cmd: 'git switch -f merged', state: 'modified', action: 'ask', rules: ['git-discard-changes', W], says: MOD_A },
    { cmd: 'git switch --discard-changes merged', state: 'clean', action: 'allow', rules: [], lowered: ['git-discard-changes'] },
    // switching branches carries changes along (or refuses): nothing asked
    { cmd: 'git checkout merged', state: 'modified', action: 'allow', rules: [] },
    // reset
    { cmd: 'git reset --hard', state: 'clean', action: 'allow', rules: [], lowered: ['git-reset-hard'] },
    { cmd: 'git reset --hard', state: 'modified', action: 'ask', rules: ['git-reset-hard', W], says: MOD_A },
    { cmd: 'git reset --hard', state: 'staged', action: 'ask', rules: ['git-reset-hard', W], says: STAGED_B },
    { cmd: 'git reset --hard', state: 'untracked', action: 'allow', rules: [], lowered: ['git-reset-hard'] },
    { cmd: 'git reset --hard', state: 'stashed', action: 'allow', rules: [], lowered: ['git-reset-hard'] },
    { cmd: 'git reset --hard', state: 'ignored', action: 'allow', rules: [], lowered: ['git-reset-hard'] },
    { cmd: 'git reset --hard HEAD', state: 'modified', action: 'ask', rules: ['git-reset-hard', W], says: MOD_A },
    { cmd: 'git reset --merge', state: 'modified', action: 'ask', rules: ['git-reset-hard', W], says: MOD_A },
    { cmd: 'git reset --keep', state: 'clean', action: 'allow', rules: [], lowered: ['git-reset-hard'] },
    // clean
    { cmd: 'git clean -fd', state: 'clean', action: 'allow', rules: [], lowered: ['git-clean-force'] },
    { cmd: 'git clean -fd', state: 'untracked', action: 'ask', rules: ['git-clean-force', W], says: NEW_TS },
    { cmd: 'git clean -fd', state: 'modified', action: 'allow', rules: [], lowered: ['git-clean-force'] },
    { cmd: 'git clean -fdX', state: 'ignored', action: 'allow', rules: [], lowered: ['git-clean-force'] },
    { cmd: 'git clean -fdx', state: 'ignored', action: 'allow', rules: [], lowered: ['git-clean-force'] },
    { cmd: 'git clean -fdx', state: (r) => (S.ignored(r), S.untracked(r)), action: 'ask', rules: ['git-clean-force', W], says: NEW_TS },
    { cmd: 'git clean -fd docs', state: 'untracked', action: 'allow', rules: [], lowered: ['git-clean-force'] },
    { cmd: 'git clean -f -e keep.txt', state: 'untracked', action: 'ask', rules: ['git-clean-force', W], says: NEW_TS },
    // stash drop / clear
    { cmd: 'git stash drop', state: 'clean', action: 'allow', rules: [], lowered: ['git-stash-drop'] },
    { cmd: 'git stash drop', state: 'stashed', action: 'ask', rules: ['git-stash-drop', W], says: /^1 stash would be lost/ },
    { cmd: 'git stash clear', state: 'stashed', action: 'ask', rules: ['git-stash-drop', W], says: /1 stash would be lost/ },
    { cmd: 'git stash clear', state: 'modified', action: 'allow', rules: [], lowered: ['git-stash-drop'] },
    // branch -D
    { cmd: 'git branch -D merged', state: 'clean', action: 'allow', rules: [], lowered: ['git-branch-force-delete'] },
    { cmd: 'git branch -D feature', state: 'unpushed', action: 'ask', rules: ['git-branch-force-delete', W], says: /1 commit only on feature/ },
    { cmd: 'git branch --delete --force feature', state: 'unpushed', action: 'ask', rules: ['git-branch-force-delete', W], says: /1 commit only on feature/ },
    { cmd: 'git branch -D merged', state: 'unpushed', action: 'allow', rules: [], lowered: ['git-branch-force-delete'] },
    { cmd: 'git branch -D merged', state: 'modified', action: 'allow', rules: [], lowered: ['git-branch-force-delete'] },
    // --abort of an operation in progress goes back to HEAD
    { cmd: 'git merge --abort', state: 'clean', action: 'allow', rules: [], lowered: ['git-discard-changes'] },
    { cmd: 'git merge --abort', state: 'modified', action: 'ask', rules: ['git-discard-changes', W], says: MOD_A },
    { cmd: 'git rebase --abort', state: 'clean', action: 'allow', rules: [], lowered: ['git-discard-changes'] },
    { cmd: 'git rebase --abort', state: 'staged', action: 'ask', rules: ['git-discard-changes', W], says: STAGED_B },
    { cmd: 'git cherry-pick --abort', state: 'clean', action: 'allow', rules: [], lowered: ['git-discard-changes'] },
    { cmd: 'git cherry-pick --abort', state: 'modified', action: 'ask', rules: ['git-discard-changes', W], says: MOD_A },
    { cmd: 'git revert --abort', state: 'clean', action: 'allow', rules: [], lowered: ['git-discard-changes'] },
    { cmd: 'git am --abort', state: 'modified', action: 'ask', rules: ['git-discard-changes', W], says: MOD_A },
  ];
  it.each(rows.map((r) => [title(r), r]))('%s', async (_t, row) => {
    await check(row);
  });

  it('git worktree remove -f: a clean worktree is allowed, one with changes asks naming them', async () => {
    const root = makeRepo();
    const wt = path.join(BASE, `wt${++n}`);
    git(root, 'worktree', 'add', '-q', wt, '-b', `wt${n}`);
    await check({ cmd: `git worktree remove -f ${wt}`, state: 'clean', action: 'allow', rules: [], lowered: ['git-discard-changes'] }, root);
    write(wt, 'src/a.ts', 'edited in the worktree\n');
    write(wt, 'src/new.ts');
    const d = await check({ cmd: `git worktree remove --force ${wt}`, state: 'clean', action: 'ask', rules: ['git-discard-changes', W] }, root);
    expect(lostMessage(d)).toMatch(/1 modified file \(src\/a\.ts\) and 1 untracked file \(src\/new\.ts\)/);
  });
});

describe('where the command runs', () => {
  it('several possible cwds: every one is asked about', async () => {
    await check({ cmd: 'cd src 2>/dev/null || cd docs; rm -f a.ts', state: 'modified', action: 'ask', rules: [W], says: MOD_A });
    await check({ cmd: 'cd src 2>/dev/null || cd docs; rm -f b.ts', state: 'modified', action: 'allow', rules: [] });
    await check({ cmd: 'if true; then cd docs; fi; rm -f src/a.ts', state: 'modified', action: 'ask', rules: [W], says: MOD_A });
  });
  it('cd sub && rm and a relative path', async () => {
    await check({ cmd: 'cd src && rm -rf a.ts', state: 'modified', action: 'ask', rules: [W], says: MOD_A });
    await check({ cmd: 'cd docs && rm -rf ../src', state: 'untracked', action: 'ask', rules: [W], says: NEW_TS });
    await check({ cmd: 'rm -rf a.ts', cwd: 'src', state: 'modified', action: 'ask', rules: [W], says: MOD_A });
    await check({ cmd: 'rm -rf readme.md', cwd: 'docs', state: 'modified', action: 'allow', rules: [] });
  });
  it('git -C dir', async () => {
    await check({ cmd: 'git -C src checkout -- .', state: 'modified', action: 'ask', rules: ['git-discard-changes', W], says: MOD_A });
    await check({ cmd: 'git -C docs checkout -- .', state: 'modified', action: 'allow', rules: [], lowered: ['git-discard-changes'] });
    // -C into another repository: that one's state counts
    const other = makeRepo();
    S.modified(other);
    await check({ cmd: `git -C ${other} reset --hard`, state: 'clean', action: 'ask', rules: ['git-reset-hard', W], says: MOD_A });
  });
  it('globs name only the files they match', async () => {
    const both = (r: string) => (S.modified(r), write(r, 'src/new.js'));
    const d = await check({ cmd: 'rm -rf src/*.ts', state: both, action: 'ask', rules: [W], says: /^1 modified file \(src\/a\.ts\) would be lost$/ });
    expect(lostMessage(d)).not.toMatch(/new\.js/);
    await check({ cmd: 'rm src/*.js', state: 'modified', action: 'allow', rules: [] });
    await check({ cmd: 'rm src/*.js', state: (r) => write(r, 'src/new.js'), action: 'ask', rules: [W], says: /1 untracked file \(src\/new\.js\)/ });
    await check({ cmd: 'rm -f */*.md', state: 'modified', action: 'allow', rules: [] });
  });
  it('through a symlinked directory: the files it reaches count; removing the link itself loses nothing', async () => {
    const root = makeRepo();
    const link = path.join(BASE, `link${++n}`);
    fs.symlinkSync(path.join(root, 'src'), link);
    S.modified(root);
    let d = await judge(`rm -f ${link}/a.ts`, BASE);
    expect({ action: d.action, rules: ids(d), says: lostMessage(d) }).toEqual({ action: 'ask', rules: [W], says: '1 modified file (src/a.ts) would be lost' });
    // the trailing slash follows the link: GNU rm empties the directory it points at
    d = await judge(`rm -rf ${link}/`, BASE);
    expect({ action: d.action, rules: ids(d), says: lostMessage(d) }).toEqual({ action: 'ask', rules: [W], says: '1 modified file (src/a.ts) would be lost' });
    d = await judge(`rm -f ${link}/*.ts`, BASE);
    expect({ action: d.action, rules: ids(d), says: lostMessage(d) }).toEqual({ action: 'ask', rules: [W], says: '1 modified file (src/a.ts) would be lost' });
    d = await judge(`cd ${link} && rm -rf *`, BASE);
    expect({ action: d.action, rules: ids(d), says: lostMessage(d) }).toEqual({ action: 'ask', rules: [W], says: '1 modified file (src/a.ts) would be lost' });
    d = await judge(`rm -f ${link}/*.js`, BASE);
    expect({ action: d.action, rules: ids(d) }).toEqual({ action: 'allow', rules: [] });
    d = await judge(`rm -f ${link}`, BASE);
    expect({ action: d.action, rules: ids(d) }).toEqual({ action: 'allow', rules: [] });
    // a committed link inside the repository: rm removes the link, not what it points at
    const r2 = makeRepo();
    fs.symlinkSync('src', path.join(r2, 'lnk'));
    git(r2, 'add', 'lnk');
    git(r2, 'commit', '-qm', 'link');
    S.modified(r2);
    d = await judge('rm -f lnk', r2);
    expect({ action: d.action, rules: ids(d) }).toEqual({ action: 'allow', rules: [] });
    d = await judge('rm -f lnk/a.ts', r2);
    expect({ action: d.action, rules: ids(d), says: lostMessage(d) }).toEqual({ action: 'ask', rules: [W], says: '1 modified file (src/a.ts) would be lost' });
  });
  it('outside any repository the path rules decide, as before', async () => {
    const plain = path.join(BASE, `plain${++n}`);
    write(plain, 'src/a.ts');
    let d = await judge('rm -rf src', plain);
    expect({ action: d.action, rules: ids(d), lost: d.git?.lost, lowered: d.git?.lowered }).toEqual({ action: 'allow', rules: [], lost: [], lowered: [] });
    d = await judge('git reset --hard', plain);
    expect({ action: d.action, rules: ids(d), lowered: d.git?.lowered }).toEqual({ action: 'ask', rules: ['git-reset-hard'], lowered: [] });
    d = await judge('git clean -fdx', plain);
    expect({ action: d.action, rules: ids(d), lowered: d.git?.lowered }).toEqual({ action: 'ask', rules: ['git-clean-force'], lowered: [] });
    d = await judge(`rm -rf ${HOME}/notes`, plain);
    expect({ action: d.action, rules: ids(d) }).toEqual({ action: 'ask', rules: ['workspace-confinement'] });
  });
  it('a nested repository is its own: its .git and its work count, the outer one sees it as untracked', async () => {
    const root = makeRepo();
    const inner = path.join(root, 'vendor', 'inner');
    init(inner);
    write(inner, 'x.ts');
    git(inner, 'add', '-A');
    git(inner, 'commit', '-qm', 'inner');
    let d = await judge('rm -f vendor/inner/x.ts', root);
    expect({ action: d.action, rules: ids(d) }).toEqual({ action: 'allow', rules: [] });
    write(inner, 'x.ts', 'edited\n');
    d = await judge('rm -f vendor/inner/x.ts', root);
    expect({ action: d.action, rules: ids(d), says: lostMessage(d) }).toEqual({ action: 'ask', rules: [W], says: '1 modified file (x.ts) would be lost' });
    d = await judge('rm -rf vendor/inner', root);
    expect({ action: d.action, rules: ids(d) }).toEqual({ action: 'ask', rules: [W] });
    expect(lostMessage(d)).toMatch(/the repository itself \(\.git\)/);
    d = await judge('rm -rf vendor', root);
    expect({ action: d.action, rules: ids(d) }).toEqual({ action: 'ask', rules: [W] });
    expect(lostMessage(d)).toMatch(/vendor\/inner/);
    // git in the outer repository does not reach into the inner one
    d = await judge('git checkout -- .', root);
    expect({ action: d.action, rules: ids(d), lowered: d.git?.lowered }).toEqual({ action: 'allow', rules: [], lowered: ['git-discard-changes'] });
  });
  it('a submodule (gitlink): its work is not inspected, so deleting it asks', async () => {
    const root = makeRepo();
    const inner = path.join(root, 'sub');
    init(inner);
    write(inner, 'x.ts');
    git(inner, 'add', '-A');
    git(inner, 'commit', '-qm', 'inner');
    git(root, 'add', 'sub');
    git(root, 'commit', '-qm', 'gitlink');
    const d = await judge('rm -rf sub', root);
    expect({ action: d.action, rules: ids(d) }).toEqual({ action: 'ask', rules: [W] });
    expect(lostMessage(d)).toMatch(/the submodule \(sub\) with work not inspected|repository itself/);
    const other = await judge('rm -rf docs', root);
    expect({ action: other.action, rules: ids(other) }).toEqual({ action: 'allow', rules: [] });
  });
  it('a linked worktree has its own changes', async () => {
    const root = makeRepo();
    const wt = path.join(BASE, `wt${++n}`);
    git(root, 'worktree', 'add', '-q', wt, '-b', `wt${n}`);
    write(wt, 'src/a.ts', 'edited in the worktree\n');
    let d = await judge('git checkout -- .', wt);
    expect({ action: d.action, rules: ids(d), says: lostMessage(d) }).toEqual({ action: 'ask', rules: ['git-discard-changes', W], says: '1 modified file (src/a.ts) would be lost' });
    d = await judge('git checkout -- .', root);
    expect({ action: d.action, rules: ids(d), lowered: d.git?.lowered }).toEqual({ action: 'allow', rules: [], lowered: ['git-discard-changes'] });
    d = await judge('rm -rf src', root);
    expect({ action: d.action, rules: ids(d) }).toEqual({ action: 'allow', rules: [] });
    d = await judge('rm -rf src', wt);
    expect({ action: d.action, rules: ids(d) }).toEqual({ action: 'ask', rules: [W] });
  });
  it('a .gitignore the agent changed is not trusted to say what is build output', async () => {
    const hide = (r: string) => {
      fs.appendFileSync(path.join(r, '.gitignore'), 'src/secret.ts\n');
      write(r, 'src/secret.ts', 'hours of work\n');
    };
    const d = await check({ cmd: 'rm -rf src', state: hide, action: 'ask', rules: [W], says: /1 untracked file \(src\/secret\.ts\).*\.gitignore changed/ });
    expect(d.git?.lost[0].paths).toEqual(['src/secret.ts']);
    // nothing ignored under the path: nothing to distrust
    await check({ cmd: 'rm -rf docs', state: hide, action: 'allow', rules: [] });
    // a new, untracked .gitignore counts too
    await check({ cmd: 'rm -rf src', state: (r) => (write(r, 'src/.gitignore', 'secret.ts\n'), write(r, 'src/secret.ts')), action: 'ask', rules: [W], says: /src\/\.gitignore/ });
    // git clean -X deletes exactly what the changed .gitignore now ignores; without -x/-X ignored files stay
    await check({ cmd: 'git clean -fdX', state: hide, action: 'ask', rules: ['git-clean-force', W], says: /src\/secret\.ts.*\.gitignore changed/ });
    await check({ cmd: 'git clean -fdx src', state: hide, action: 'ask', rules: ['git-clean-force', W], says: /src\/secret\.ts/ });
    await check({ cmd: 'git clean -fd', state: hide, action: 'allow', rules: [], lowered: ['git-clean-force'] });
    // committed rules are the repository's word
    await check({ cmd: 'rm -rf dist', state: 'ignored', action: 'allow', rules: [] });
  });
});

describe('a repository whose state cannot be read in time', () => {
  let bin: string;
  beforeAll(() => {
    bin = path.join(BASE, 'slowbin');
    fs.mkdirSync(bin, { recursive: true });
    fs.writeFileSync(path.join(bin, 'git'), '#!/bin/sh\nexec sleep 30\n', { mode: 0o755 });
  });
  async function slow(command: string, setup: (r: string) => void): Promise<Decision> {
    const root = makeRepo();
    setup(root);
    const d = guard.check({ command, cwd: root });
    process.env.PATH = `${bin}:${savedEnv.PATH}`;
    try {
      return await judgeSafely(d, { cache: new StateCache(), timeoutMs: 300 });
    } finally {
      process.env.PATH = savedEnv.PATH;
    }
  }
  const rows: [string, keyof typeof S, Action, string[]][] = [
    ['git reset --hard', 'clean', 'ask', ['git-reset-hard']],
    ['git checkout -- .', 'clean', 'ask', ['git-discard-changes']],
    ['git clean -fd', 'clean', 'ask', ['git-clean-force']],
    ['git stash drop', 'clean', 'ask', ['git-stash-drop']],
    ['git branch -D merged', 'clean', 'ask', ['git-branch-force-delete']],
    // a delete or overwrite that cannot be judged in time is asked by its paths, never allowed
    // (the path rules alone would allow it, and an agent can make a repository slow on purpose)
    ['rm -rf src', 'modified', 'ask', [W]],
    ['rm -rf dist', 'ignored', 'ask', [W]],
    ['echo x > src/a.ts', 'clean', 'ask', [W]],
  ];
  it.each(rows)('%s [%s] → %s %j, nothing lowered', async (command, state, action, rules) => {
    const d = await slow(command, S[state]);
    expect({ action: d.action, rules: ids(d), lowered: d.git?.lowered, lost: d.git?.lost }).toEqual({ action, rules, lowered: [], lost: [] });
    expect(d.git?.unknown.join('\n')).toMatch(/could not be read/);
    if (rules.includes(W)) expect(d.matches.find((m) => m.rule === W)!.message).toMatch(/cannot be told: .*ran out of time/);
  });
});

describe('evasions: losing work without being asked', () => {
  const rows: Row[] = [
    { cmd: 'dd if=list of=src/a.ts', state: 'modified', action: 'ask', rules: [W], says: MOD_A },
    { cmd: 'dd if=list of=src/a.ts', state: 'clean', action: 'allow', rules: [] },
    { cmd: 'git rm -f src/a.ts', state: 'modified', action: 'ask', rules: [W], says: MOD_A },
    { cmd: 'git rm -f src/a.ts', state: 'clean', action: 'allow', rules: [] },
    // git refuses to remove a changed file without -f
    { cmd: 'git rm src/a.ts', state: 'modified', action: 'allow', rules: [] },
    // --cached keeps the work tree's files
    { cmd: 'git rm -r --cached src', state: 'modified', action: 'allow', rules: [] },
    { cmd: 'git rm -r -f --cached src', state: 'staged', action: 'ask', rules: [W], says: STAGED_B },
    { cmd: 'ln -sf list src/a.ts', state: 'modified', action: 'ask', rules: [W], says: MOD_A },
    { cmd: 'ln -sf list src/a.ts', state: 'clean', action: 'allow', rules: [] },
    { cmd: 'ln -s list src/a.ts', state: 'modified', action: 'allow', rules: [] },
    { cmd: 'install list src/a.ts', state: 'modified', action: 'ask', rules: [W], says: MOD_A },
    { cmd: 'install -d src/zz', state: 'modified', action: 'allow', rules: [] },
    { cmd: 'rsync -a --delete docs/ src/', state: 'untracked', action: 'ask', rules: [W], says: NEW_TS },
    { cmd: 'rsync -a --delete docs/ src/', state: 'clean', action: 'allow', rules: [] },
    { cmd: 'rsync -a list src/a.ts', state: 'modified', action: 'ask', rules: [W], says: MOD_A },
    // -T: the destination directory itself receives the contents
    { cmd: 'cp -rT docs src', state: 'modified', action: 'ask', rules: [W], says: MOD_A },
    { cmd: 'cp -rT docs src', state: 'clean', action: 'allow', rules: [] },
    { cmd: 'cp /dev/null src/a.ts', state: 'modified', action: 'ask', rules: [W], says: MOD_A },
    { cmd: ': > src/a.ts', state: 'modified', action: 'ask', rules: [W], says: MOD_A },
    { cmd: '>| src/a.ts', state: 'modified', action: 'ask', rules: [W], says: MOD_A },
    { cmd: 'exec > src/a.ts', state: 'modified', action: 'ask', rules: [W], says: MOD_A },
    // in-place edits are how an agent edits code: not asked (see src/policy/loss.ts)
    { cmd: 'sed -i s/a/b/ src/a.ts', state: 'modified', action: 'allow', rules: [] },
    // the push moves the work into a stash, the drop throws it away
    { cmd: 'git stash push --include-untracked && git stash drop', state: (r) => (S.modified(r), S.untracked(r)), action: 'ask', rules: ['git-stash-drop', W], says: /1 modified file \(src\/a\.ts\) and 1 untracked file \(src\/new\.ts\)/ },
    { cmd: 'git stash; git stash drop', state: 'staged', action: 'ask', rules: ['git-stash-drop', W], says: STAGED_B },
    { cmd: 'git stash && git stash clear', state: 'modified', action: 'ask', rules: ['git-stash-drop', W], says: MOD_A },
    { cmd: 'git stash drop && git stash', state: 'modified', action: 'allow', rules: [], lowered: ['git-stash-drop'] },
    // commits made by the line itself are not in the state read before it runs
    { cmd: 'git commit -qam wip && git branch -D merged', state: 'modified', action: 'ask', rules: ['git-branch-force-delete'] },
    // staged by the line, then deleted by reset --hard (or stashed and dropped)
    { cmd: 'git add -A && git reset --hard', state: 'untracked', action: 'ask', rules: ['git-reset-hard', W], says: NEW_TS },
    { cmd: 'git add . && git stash && git stash drop', state: 'untracked', action: 'ask', rules: ['git-stash-drop', W], says: NEW_TS },
    { cmd: 'git add -A && git reset --hard', state: 'clean', action: 'allow', rules: [], lowered: ['git-reset-hard'] },
    { cmd: 'git reset --hard && git add -A', state: 'untracked', action: 'allow', rules: [], lowered: ['git-reset-hard'] },
    // moved first, deleted where it landed: the state before the line only knows where it is now
    { cmd: 'mv src moved && rm -rf moved', state: 'untracked', action: 'ask', rules: [W], says: NEW_TS },
    { cmd: 'mv src ../moved-away && rm -rf ../moved-away', state: 'modified', action: 'ask', rules: [W], says: MOD_A },
    { cmd: 'mv src/a.ts docs/ && rm -f docs/a.ts', state: 'modified', action: 'ask', rules: [W], says: MOD_A },
    { cmd: 'mv src moved && rm -rf moved/b.ts', state: 'modified', action: 'allow', rules: [] },
    { cmd: 'mv src moved && rm -rf moved', state: 'clean', action: 'allow', rules: [] },
    { cmd: 'rm -rf moved && mv src moved', state: 'modified', action: 'allow', rules: [] },
    { cmd: 'rm -rf .git', state: 'clean', action: 'ask', rules: [W], says: /^the repository itself \(\.git\) would be lost$/ },
    { cmd: 'rm -rf .git', state: 'unpushed', action: 'ask', rules: [W], says: /the repository itself \(\.git\).*1 commit only on feature/ },
    { cmd: 'git update-ref -d refs/heads/feature', state: 'unpushed', action: 'ask', rules: ['git-history-rewrite'] },
    // branches deleted together may share the only copy of a commit
    { cmd: 'git branch -D feature merged', state: 'clean', action: 'ask', rules: ['git-branch-force-delete'] },
    { cmd: 'git checkout -f', state: 'staged', action: 'ask', rules: ['git-discard-changes', W], says: STAGED_B },
    { cmd: 'git restore -s HEAD~3 .', state: 'modified', action: 'ask', rules: ['git-discard-changes', W], says: MOD_A },
    { cmd: 'git restore -s HEAD .', state: 'clean', action: 'allow', rules: [], lowered: ['git-discard-changes'] },
    // moving the branch leaves commits behind: never lowered, even on a clean tree
    { cmd: 'git reset --hard HEAD~1', state: 'clean', action: 'ask', rules: ['git-reset-hard'] },
    { cmd: 'git reset --hard origin/main', state: 'clean', action: 'ask', rules: ['git-reset-hard'] },
    { cmd: 'git clean -fdx', state: (r) => (S.ignored(r), S.untracked(r)), action: 'ask', rules: ['git-clean-force', W], says: NEW_TS },
    { cmd: "find . -type f -name '*.ts' -exec rm {} +", state: 'modified', action: 'ask', rules: [W], says: MOD_A },
    { cmd: 'rm -rf -- src', state: 'modified', action: 'ask', rules: [W], says: MOD_A },
    { cmd: 'rm -rf ./src/', state: 'modified', action: 'ask', rules: [W], says: MOD_A },
    { cmd: 'rm -rf "$PWD/src"', state: 'modified', action: 'ask', rules: [W], says: MOD_A },
    { cmd: 'command rm -r src', state: 'modified', action: 'ask', rules: [W], says: MOD_A },
    { cmd: 'env rm -r src', state: 'modified', action: 'ask', rules: [W], says: MOD_A },
    { cmd: 'sudo rm -r src', state: 'modified', action: 'ask', rules: ['privilege-escalation', W], says: MOD_A },
    { cmd: 'nohup rm -rf src', state: 'untracked', action: 'ask', rules: [W], says: NEW_TS },
    { cmd: 'bash -c "rm -rf src"', state: 'untracked', action: 'ask', rules: [W], says: NEW_TS },
  ];
  it.each(rows.map((r) => [title(r), r]))('%s', async (_t, row) => {
    await check(row);
  });
  it('xargs rm < list: the targets are only known when it runs, so the rules decide and nothing is lowered', async () => {
    const root = makeRepo();
    const d = await judge('xargs rm < list', root);
    expect(d.action).toBe('ask');
    expect(ids(d)).toEqual(expect.arrayContaining(['workspace-confinement', 'delete-workspace-root']));
    expect(ids(d)).not.toContain(W);
    expect(d.git?.lowered).toEqual([]);
    expect(d.git?.unknown.join('\n')).toMatch(/only known when it runs/);
  });
});

describe('routine work in a real repository gains no prompt from its state', () => {
  // The routine corpus, run in a committed project whose build output and caches are ignored
  // and present: every command that destroys something is judged against the repository.
  it('no routine command is asked about because of what it would lose', async () => {
    const { routineCases } = await import('../helpers.js');
    const root = path.join(BASE, `routine${++n}`);
    init(root);
    write(root, '.gitignore', ['node_modules/', 'dist/', 'build/', '.next/', 'coverage/', 'target/', '*.log', 'logs/', '*.pyc', '*.orig', '.pytest_cache/', '.mypy_cache/', '.ruff_cache/', 'src/generated/', 'app', '*.o', ''].join('\n'));
    for (const f of ['package.json', 'README.txt', 'src/config.ts', 'src/version.ts', 'src/utils/helpers.ts', 'src/utils/deprecated.ts', 'src/utils/sum.ts', 'src/app.ts', 'src/config/defaults.json', 'tests/old_test.py', 'tests/test_math.py', 'fixtures/empty.json', 'templates/component/index.ts', 'scripts/hook.sh', 'package-lock.json', 'notes.md'])
      write(root, f, f === 'package.json' ? '{"scripts":{"build":"tsc","test":"vitest run"}}\n' : undefined);
    git(root, 'add', '-A');
    git(root, 'commit', '-qm', 'project');
    for (const f of ['dist/app.js', 'node_modules/x/index.js', 'node_modules/.cache/c', 'build/out.o', '.next/n', 'coverage/lcov.info', 'target/t', 'build.log', 'logs/app.log', 'src/generated/api.ts', 'x.pyc', 'a.orig', '.pytest_cache/v', 'app', 'src/main.o'])
      write(root, f);
    const judged: string[] = [];
    const asked: string[] = [];
    for (const c of routineCases()) {
      const d = guard.check({ command: c.command, cwd: root });
      if (!d.losses?.length) continue;
      judged.push(c.command);
      const j = await judgeWithGit(d, { cache: new StateCache(), timeoutMs: 20_000 });
      if (j.action !== d.action || j.matches.some((m) => m.rule === W)) asked.push(`${c.command}: ${d.action} → ${j.action} ${j.matches.map((m) => m.rule).join(',')}`);
    }
    expect(judged.length).toBeGreaterThanOrEqual(40);
    expect(judged).toEqual(expect.arrayContaining(['rm -rf dist build .next coverage', 'rm -rf node_modules', "find . -name '*.pyc' -delete", 'rm -rf src/generated/*', 'truncate -s 0 logs/app.log']));
    expect(asked).toEqual([]);
  });
});

describe("a session's own files: created after the session began, not the person's work", () => {
  // A session primes its cache at the start: what the repository held then is never the session's.
  const caches = new Map<string, StateCache>();
  const judgeIn = async (root: string, command: string, sessionStart: number) => {
    let cache = caches.get(root);
    if (!cache) caches.set(root, (cache = new StateCache()));
    return judgeWithGit(guard.check({ command, cwd: root }), { cache, sessionStart });
  };
  const begin = async (root: string) => {
    const start = Date.now();
    const cache = new StateCache();
    caches.set(root, cache);
    await cache.prime(root, { timeoutMs: 20_000 });
    return start;
  };

  it('deleting an untracked file the session created is not asked about, but the repository is snapshotted first', async () => {
    const root = makeRepo();
    const start = await begin(root);
    await new Promise((r) => setTimeout(r, 20));
    write(root, 'scratch_test.py', 'print(1)\n');
    const d = await judgeIn(root, 'rm scratch_test.py', start);
    expect(d.action).toBe('allow');
    expect(d.matches.map((m) => m.rule)).not.toContain(W);
    expect(d.git?.snapshot).toEqual([root]);
    // Overwriting the session's own log again and again is routine too.
    write(root, 'test.log', 'run 1\n');
    const again = await judgeIn(root, 'date > test.log 2>&1', start);
    expect([again.action, again.matches.map((m) => m.rule)]).toEqual(['allow', []]);
    // Rewriting its own output needs no way back: no snapshot for it.
    expect(again.git?.snapshot).toEqual([]);
  });

  it("an untracked file that was there before the session is the person's: asked, naming it", async () => {
    const root = makeRepo();
    write(root, 'notes.md', 'my notes\n');
    await new Promise((r) => setTimeout(r, 20));
    const start = await begin(root);
    const d = await judgeIn(root, 'rm notes.md', start);
    expect([d.action, d.matches.map((m) => m.rule)]).toEqual(['ask', [W]]);
    expect(d.matches[0].message).toContain('1 untracked file (notes.md) would be lost');
    // Replacing it with a fresh copy first does not make it the session's: the overwrite is asked about.
    write(root, 'copy.md', 'my notes\n');
    const mv = await judgeIn(root, 'mv copy.md notes.md', start);
    expect([mv.action, mv.matches.map((m) => m.rule)]).toEqual(['ask', [W]]);
  });

  it('tracked files changed during the session still count (their earlier content may be the person’s)', async () => {
    const root = makeRepo();
    const start = await begin(root);
    write(root, 'src/a.ts', 'edited during the session\n');
    const d = await judgeIn(root, 'rm -rf src', start);
    expect([d.action, d.matches.map((m) => m.rule)]).toEqual(['ask', [W]]);
    expect(d.matches[0].message).toContain('1 modified file (src/a.ts)');
  });

  it('without a session start (check, hooks), every untracked file counts', async () => {
    const root = makeRepo();
    write(root, 'scratch_test.py', 'print(1)\n');
    const d = await judgeWithGit(guard.check({ command: 'rm scratch_test.py', cwd: root }), { cache: new StateCache() });
    expect([d.action, d.matches.map((m) => m.rule)]).toEqual(['ask', [W]]);
  });
});
