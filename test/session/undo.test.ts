// End to end, issue 17: an agent deletes src/ holding uncommitted work; the prompt names what
// would be lost and says a snapshot was kept; the person approves; the files are gone;
// `agentguard undo` brings them back byte for byte; the person's index, branches and stash
// are as they were. The same command on a clean tree runs without a question.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, FAKE_AGENT, makeWorld, plain, sandboxWorks, sessionLog, Terminal } from './harness.js';

const hasSandbox = sandboxWorks();
const MODES = [
  { name: 'in the sandbox', flags: ['--require-sandbox'], skip: hasSandbox ? null : 'bubblewrap (bwrap --ro-bind / / true) does not work here' },
  { name: 'with --no-sandbox', flags: ['--no-sandbox'], skip: null },
];
const DONE = /AGENT-DONE \S+/;

function world() {
  const w = makeWorld('undo');
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', ...args], { cwd: w.ws, env: { ...process.env, HOME: w.home, GIT_CONFIG_NOSYSTEM: '1' }, stdio: 'pipe' }).toString();
  const src = path.join(w.ws, 'src');
  fs.mkdirSync(path.join(src, 'lib'), { recursive: true });
  fs.writeFileSync(path.join(src, 'app.ts'), 'export const app = 1;\n');
  fs.writeFileSync(path.join(src, 'lib', 'util.ts'), 'export const util = 1;\n');
  fs.writeFileSync(path.join(src, 'logo.bin'), Buffer.from([0, 1, 2, 255, 254, 10, 13, 0]));
  fs.writeFileSync(path.join(w.ws, '.gitignore'), 'dist/\n');
  git('add', '-A');
  git('commit', '-q', '-m', 'src');
  // Work the person keeps elsewhere: a stash and a branch of their own.
  fs.writeFileSync(path.join(w.ws, 'tracked.txt'), 'stashed change\n');
  git('stash', 'push', '-q', '-m', 'mine');
  git('branch', 'feature');
  return { ...w, git, src };
}

/** Every file under `dir` with its bytes, relative paths as keys. */
function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[path.relative(dir, p)] = fs.readFileSync(p).toString('base64');
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  return out;
}

/** What the person has in git that undo must not touch. */
function personsGit(w: ReturnType<typeof world>) {
  return {
    index: fs.readFileSync(path.join(w.ws, '.git', 'index')).toString('base64'),
    head: w.git('rev-parse', 'HEAD').trim(),
    branches: w.git('for-each-ref', '--format=%(refname) %(objectname)', 'refs/heads').trim(),
    stash: w.git('stash', 'list', '--format=%H %s').trim(),
  };
}

function agentguard(w: ReturnType<typeof world>, ...args: string[]) {
  return spawnSync(process.execPath, [BIN, ...args], { cwd: w.ws, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: w.home, NO_COLOR: '1' }, encoding: 'utf8' });
}

for (const mode of MODES) {
  describe.skipIf(mode.skip !== null)(`${mode.name}${mode.skip ? ` (skipped: ${mode.skip})` : ''}`, () => {
    it('rm -rf src with uncommitted work: asked by name, approved, and undone byte for byte', async () => {
      const w = world();
      try {
        // Uncommitted work in src/: a modified file, an untracked one, a new binary in a new directory.
        fs.writeFileSync(path.join(w.src, 'app.ts'), 'export const app = 2; // an afternoon of work\n');
        fs.writeFileSync(path.join(w.src, 'notes.md'), '# not committed yet\n');
        fs.mkdirSync(path.join(w.src, 'new'));
        fs.writeFileSync(path.join(w.src, 'new', 'data.bin'), Buffer.from([7, 0, 255, 10, 0]));
        const before = tree(w.src);
        const gitBefore = personsGit(w);
        const t = new Terminal(['shell', ...mode.flags, '--workspace', w.ws, '--', process.execPath, FAKE_AGENT, 'steps', JSON.stringify([{ run: 'rm -rf src' }])], { cwd: w.ws, home: w.home });
        let out: string;
        try {
          const screen = plain(await t.answer('y'));
          expect(screen).toContain('work-would-be-lost');
          expect(screen).toMatch(/1 modified file \(src\/app\.ts\) and 2 untracked files \(src\/new\/data\.bin, src\/notes\.md\)/);
          expect(screen).toMatch(/snapshot kept: `agentguard undo [0-9a-f]+\/1`/);
          out = await t.waitFor(DONE);
          expect(out).toMatch(/STEP 0 0/);
          await t.exit();
        } finally {
          t.kill();
        }
        expect(fs.existsSync(w.src)).toBe(false);
        const records = sessionLog(t.output);
        const snap = records.find((r) => r.type === 'snapshot') as unknown as { ref: string; commit: string; n: number; repo: string } | undefined;
        expect(snap, JSON.stringify(records.map((r) => r.type))).toBeDefined();
        expect(snap!.ref).toMatch(/^refs\/agentguard\/snapshots\/[0-9a-f]+\/1$/);
        const session = /agentguard undo ([0-9a-f]+)\/1/.exec(plain(t.output))![1];
        // The session's end names the way back.
        expect(plain(t.output)).toMatch(new RegExp(`snapshots kept: 1[\\s\\S]*undo the last: agentguard undo ${session}/1`));

        // The listing names the snapshot and the command that followed it.
        const list = agentguard(w, 'undo');
        expect(list.status, list.stderr).toBe(0);
        expect(list.stdout).toContain(`${session}/1`);
        expect(list.stdout).toContain('rm -rf src');

        const undo = agentguard(w, 'undo', `${session}/1`);
        expect(undo.status, undo.stdout + undo.stderr).toBe(0);
        expect(tree(w.src)).toEqual(before);
        expect(personsGit(w)).toEqual(gitBefore);
        // The restore is in the log (undo's own daily log), naming the snapshot it restored.
        const dir = path.join(w.home, '.local', 'state', 'agentguard', 'sessions');
        const restores = fs
          .readdirSync(dir)
          .filter((f) => f.startsWith('undo-') && f.endsWith('.jsonl'))
          .flatMap((f) => fs.readFileSync(path.join(dir, f), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; ref?: string; restored?: number }))
          .filter((r) => r.type === 'restore');
        expect(restores).toEqual([expect.objectContaining({ ref: snap!.ref, restored: Object.keys(before).length })]);
      } finally {
        w.remove();
      }
    }, 90_000);

    it('the same command on a clean tree, and ignored build output, run without a question or a snapshot', async () => {
      const w = world();
      try {
        fs.mkdirSync(path.join(w.ws, 'dist'));
        fs.writeFileSync(path.join(w.ws, 'dist', 'app.js'), 'built\n');
        const t = new Terminal(['shell', ...mode.flags, '--workspace', w.ws, '--', process.execPath, FAKE_AGENT, 'steps', JSON.stringify([{ run: 'rm -rf dist' }, { run: 'git checkout -- .' }, { run: 'rm -rf src' }])], { cwd: w.ws, home: w.home });
        try {
          const out = await t.waitFor(DONE, 60_000);
          expect(out).toMatch(/STEP 0 0[\s\S]*STEP 1 0[\s\S]*STEP 2 0/);
          await t.exit();
        } finally {
          t.kill();
        }
        expect(plain(t.output)).not.toMatch(/needs your approval|approval needed/);
        expect(fs.existsSync(w.src)).toBe(false);
        const records = sessionLog(t.output);
        expect(records.filter((r) => r.type === 'snapshot')).toEqual([]);
        expect(w.git('for-each-ref', 'refs/agentguard').trim()).toBe('');
      } finally {
        w.remove();
      }
    }, 90_000);

    it("the session's own scratch files are deleted without a question, and still come back with undo", async () => {
      const w = world();
      try {
        const steps = [{ write: 'scratch_check.sh', text: 'echo checked\n' }, { run: 'sh scratch_check.sh > check.log' }, { run: 'sh scratch_check.sh > check.log' }, { run: 'rm scratch_check.sh check.log' }];
        const t = new Terminal(['shell', ...mode.flags, '--workspace', w.ws, '--', process.execPath, FAKE_AGENT, 'steps', JSON.stringify(steps)], { cwd: w.ws, home: w.home });
        try {
          const out = await t.waitFor(DONE, 60_000);
          expect(out).toMatch(/STEP 1 0[\s\S]*STEP 2 0[\s\S]*STEP 3 0/);
          await t.exit();
        } finally {
          t.kill();
        }
        expect(plain(t.output)).not.toMatch(/needs your approval|approval needed/);
        expect(fs.existsSync(path.join(w.ws, 'scratch_check.sh'))).toBe(false);
        // One snapshot, before the rm (the first write to check.log overwrote nothing).
        expect(sessionLog(t.output).filter((r) => r.type === 'snapshot')).toHaveLength(1);
        const undo = agentguard(w, 'undo', 'latest');
        expect(undo.status, undo.stdout + undo.stderr).toBe(0);
        expect(fs.readFileSync(path.join(w.ws, 'scratch_check.sh'), 'utf8')).toBe('echo checked\n');
        expect(fs.readFileSync(path.join(w.ws, 'check.log'), 'utf8')).toBe('checked\n');
      } finally {
        w.remove();
      }
    }, 90_000);
  });
}
