// End to end, issue 11: an approval means what the person saw, through the real shim, hook
// and Claude Code wrapper (test/session/gate.test.ts holds the same rules against the gate
// alone; lifecycle.test.ts the prompts that die with their requester). `a` is keyed on the
// command and the directory it runs in; a hook's approval does not widen to a longer command
// that contains it; Claude Code's hook and the wrapper shell behind it are one question, and
// `a` sticks across calls whose wrapper text changes.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FAKE_AGENT, makeWorld, plain, PROMPT_HEADER, sandboxWorks, Terminal } from './harness.js';

const hasSandbox = sandboxWorks();
const MODES = [
  { name: 'in the sandbox', flags: ['--require-sandbox'], skip: hasSandbox ? null : 'bubblewrap (bwrap --ro-bind / / true) does not work here' },
  { name: 'with --no-sandbox', flags: ['--no-sandbox'], skip: null },
];
const DONE = /AGENT-DONE \S+/;

function world() {
  // A short prefix: the session's socket lives under this HOME, and a unix socket path is short.
  const w = makeWorld('e2e');
  const tracked = path.join(w.ws, 'tracked.txt');
  return {
    ...w,
    tracked,
    dirty: () => fs.writeFileSync(tracked, 'changed by hand\n'),
    content: () => fs.readFileSync(tracked, 'utf8'),
  };
}

function start(flags: string[], w: ReturnType<typeof world>, steps: unknown[], program = [process.execPath, FAKE_AGENT]) {
  return new Terminal(['shell', ...flags, '--workspace', w.ws, '--', ...program, 'steps', JSON.stringify(steps)], { cwd: w.ws, home: w.home });
}

for (const mode of MODES) {
  describe.skipIf(mode.skip !== null)(`${mode.name}${mode.skip ? ` (skipped: ${mode.skip})` : ''}`, () => {
    it('`a` is keyed on the directory too: allowed in vendor/lib, the same command at the root asks again', async () => {
      const w = world();
      // vendor/lib: a repository of its own, with a tracked file changed by hand.
      const lib = path.join(w.ws, 'vendor', 'lib');
      fs.mkdirSync(lib, { recursive: true });
      const git = (...args: string[]) => execFileSync('git', args, { cwd: lib, env: { ...process.env, HOME: w.home, GIT_CONFIG_NOSYSTEM: '1' }, stdio: 'pipe' });
      fs.writeFileSync(path.join(lib, 'lib.txt'), 'lib original\n');
      git('init', '-q');
      git('add', 'lib.txt');
      git('-c', 'user.email=t@example.com', '-c', 'user.name=t', 'commit', '-q', '-m', 'lib');
      const libText = () => fs.readFileSync(path.join(lib, 'lib.txt'), 'utf8');
      fs.writeFileSync(path.join(lib, 'lib.txt'), 'lib changed\n');
      w.dirty();
      const t = start(mode.flags, w, [
        { run: 'git reset --hard', cwd: 'vendor/lib' },
        { write: 'vendor/lib/lib.txt', text: 'lib changed again\n' },
        // The same command in the same directory: allowed for the session, no prompt.
        { run: 'git reset --hard', cwd: 'vendor/lib' },
        // The same text in another directory: a different command, asked again.
        { run: 'git reset --hard' },
      ]);
      try {
        const first = plain(await t.answer('a'));
        expect(first).toContain('git reset --hard');
        expect(first).toContain('vendor/lib');
        const more = await t.answerUntil('n', DONE);
        const out = await t.waitFor(DONE);
        expect({ laterPrompts: more.length, lib: libText(), root: w.content() }, out).toEqual({ laterPrompts: 1, lib: 'lib original\n', root: 'changed by hand\n' });
        expect(plain(more[0].slice(more[0].search(PROMPT_HEADER)))).not.toContain('vendor/lib');
        expect(out).toMatch(/STEP 3 126/);
        await t.exit();
      } finally {
        t.kill();
        w.remove();
      }
    }, 60_000);

    it("a hook's approval does not let a longer command that contains it through", async () => {
      const w = world();
      const t = start(mode.flags, w, [{ hook: 'git push --force origin feature' }, { run: 'git push --force origin feature:main' }]);
      try {
        const first = plain(await t.answer('y'));
        expect(first).toContain('git push --force origin feature');
        const more = await t.answerUntil('n', DONE);
        const out = await t.waitFor(DONE);
        expect(out).toContain('HOOK-DECISION allow');
        expect(more.length, out).toBe(1);
        expect(plain(more[0])).toContain('git push --force origin feature:main');
        expect(out).toMatch(/STEP 1 126/);
        await t.exit();
      } finally {
        t.kill();
        w.remove();
      }
    }, 60_000);

    it("Claude Code's hook and its wrapper shell are one question, and `a` sticks for the next call whatever the wrapper's text", async () => {
      const w = world();
      // The session gives Claude Code's profile to a program named claude.
      const claude = path.join(w.base, 'bin', 'claude');
      fs.mkdirSync(path.dirname(claude), { recursive: true });
      fs.symlinkSync(FAKE_AGENT, claude);
      fs.chmodSync(FAKE_AGENT, 0o755);
      w.dirty();
      const t = start(mode.flags, w, [{ claude: 'git reset --hard' }, { write: 'tracked.txt', text: 'changed again\n' }, { claude: 'git reset --hard' }], [claude]);
      try {
        await t.answer('a');
        const more = await t.answerUntil('n', DONE);
        const out = await t.waitFor(DONE);
        expect({ laterPrompts: more.length, tracked: w.content() }, out).toEqual({ laterPrompts: 0, tracked: 'original\n' });
        expect(out.match(/HOOK-DECISION allow/g)?.length).toBe(2);
        expect(out).toMatch(/STEP 0 0[\s\S]*STEP 2 0/);
        await t.exit();
      } finally {
        t.kill();
        w.remove();
      }
    }, 60_000);
  });
}
