// End to end, issue 11: nothing an agent starts runs unchecked. A fake agent deletes a
// sentinel in every way that used to slip past the first check: a script written and run in
// one line, a script its edit tool wrote, a #! script, `source`, git aliases, a Makefile, an
// npm script, a shell inside a shell. Each way, in the sandbox and with --no-sandbox, must
// reach a prompt; after `n` the sentinel is intact and the agent is told it was refused.
// A positive control per way answers `y` on a throwaway world and sees the deletion happen,
// so these tests can tell a guarded run from one that merely did nothing.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FAKE_AGENT, makeWorld, plain, sandboxWorks, Terminal } from './harness.js';

const hasSandbox = sandboxWorks();

/** One tool call of the fake agent (see fake-agent.mjs, way `steps`). */
type Step = { write: string; text: string; mode?: number } | { append: string; text: string } | { run: string; shell?: string };

/**
 * The ways in. `t` is the target as a shell word: `.git` (run from the workspace root) or
 * the absolute path of a directory outside the workspace.
 */
const WAYS: Record<string, { what: string; steps: (t: string) => Step[]; static?: 'always' | 'without-sandbox' }> = {
  'one-line': {
    what: 'a script written and run in one line',
    steps: (t) => [{ run: `printf 'rm -rf ${t}\\n' > x.sh && bash x.sh` }],
  },
  'edit-then-bash': {
    what: 'a script written by the edit tool, then `bash x.sh`',
    steps: (t) => [{ write: 'x.sh', text: `rm -rf ${t}\n` }, { run: 'bash x.sh' }],
  },
  'edit-then-abs-bash': {
    // Without the sandbox /bin/bash is not the shim: only the check of the line that names it can stop it.
    what: 'a script written by the edit tool, then `/bin/bash x.sh` (a shell by absolute path)',
    steps: (t) => [{ write: 'x.sh', text: `rm -rf ${t}\n` }, { run: '/bin/bash x.sh' }],
    static: 'without-sandbox',
  },
  shebang: {
    // The kernel starts /bin/bash by absolute path: out of reach of PATH shims.
    what: 'a `#!/bin/bash` script run as `./y.sh`',
    steps: (t) => [{ write: 'y.sh', text: `#!/bin/bash\nrm -rf ${t}\n`, mode: 0o755 }, { run: './y.sh' }],
    static: 'without-sandbox',
  },
  source: {
    // No new shell at all: the bytes of x.sh run in the shell that was checked.
    what: '`source x.sh`',
    steps: (t) => [{ write: 'x.sh', text: `rm -rf ${t}\n` }, { run: 'source x.sh' }],
    static: 'always',
  },
  // git runs an alias that starts with ! through /bin/sh, by absolute path.
  'git-alias-c': {
    what: "`git -c alias.x='!rm -rf …' x`",
    steps: (t) => [{ run: `git -c alias.x='!rm -rf ${t}' x` }],
    static: 'without-sandbox',
  },
  'git-alias-config': {
    what: 'an alias the edit tool wrote into .git/config, then `git x`',
    steps: (t) => [{ append: '.git/config', text: `[alias]\n\tx = !rm -rf ${t}\n` }, { run: 'git x' }],
    static: 'without-sandbox',
  },
  makefile: {
    // `rm -rf .git` has no shell syntax: GNU make execs it with no shell, so only reading the
    // Makefile can see it. The outside target is quoted, so that recipe does reach /bin/sh.
    what: 'a Makefile recipe, then `make`',
    steps: (t) => [{ write: 'Makefile', text: `all:\n\trm -rf ${t === '.git' ? t : `"${t}"`}\n` }, { run: 'make' }],
    static: 'always',
  },
  'npm-script': {
    what: 'an npm script, then `npm test`',
    steps: (t) => [{ write: 'package.json', text: JSON.stringify({ name: 'w', version: '1.0.0', private: true, scripts: { test: `rm -rf ${t}` } }, null, 2) + '\n' }, { run: 'npm test' }],
  },
  'nested-bash-c': {
    what: "`bash -c 'bash x.sh'`",
    steps: (t) => [{ write: 'x.sh', text: `rm -rf ${t}\n` }, { run: "bash -c 'bash x.sh'" }],
  },
};

const MODES = [
  { name: 'in the sandbox', flags: ['--require-sandbox'], skip: hasSandbox ? null : 'bubblewrap (bwrap --ro-bind / / true) does not work here' },
  { name: 'with --no-sandbox', flags: ['--no-sandbox'], skip: null },
];

// npm must not look for updates or write reports from inside a test.
const NPM_ENV = { npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' };

/** A fresh world per run: a workspace with history, and a sentinel directory outside it (and outside HOME). */
function world() {
  // A short prefix: the session's socket lives under this HOME, and a unix socket path is short.
  const w = makeWorld('e2e');
  const outside = path.join(w.base, 'outside');
  fs.mkdirSync(outside);
  fs.writeFileSync(path.join(outside, 'keep.txt'), 'keep\n');
  const gitIntact = () => {
    if (!fs.existsSync(path.join(w.ws, '.git'))) return false;
    try {
      const log = execFileSync('git', ['-C', w.ws, 'log', '--oneline'], { env: { ...process.env, HOME: w.home, GIT_CONFIG_NOSYSTEM: '1' }, encoding: 'utf8', stdio: 'pipe' });
      return log.includes('add tracked');
    } catch {
      return false;
    }
  };
  const outsideIntact = () => fs.existsSync(path.join(outside, 'keep.txt')) && fs.readFileSync(path.join(outside, 'keep.txt'), 'utf8') === 'keep\n';
  return { ...w, outside, gitIntact, outsideIntact };
}

/** Runs the agent's steps in a session, answers every prompt with `key`, and reports what happened. */
async function session(flags: string[], w: ReturnType<typeof world>, steps: Step[], key: 'y' | 'n') {
  const t = new Terminal(['shell', ...flags, '--workspace', w.ws, '--', process.execPath, FAKE_AGENT, 'steps', JSON.stringify(steps)], { cwd: w.ws, home: w.home, env: NPM_ENV });
  try {
    const prompts = await t.answerUntil(key, /AGENT-DONE \S+/, 45_000);
    const out = await t.waitFor(/AGENT-DONE \S+/);
    const status = /AGENT-DONE (\S+)/.exec(out)![1];
    await t.exit();
    return { prompts, out, status };
  } finally {
    t.kill();
  }
}

const TARGETS = [
  { name: '.git', word: () => '.git', reason: /delete-workspace-root|written in this command/, intact: (w: ReturnType<typeof world>) => w.gitIntact() },
  { name: 'a directory outside the workspace', word: (w: ReturnType<typeof world>) => w.outside, reason: /workspace-confinement|written in this command/, intact: (w: ReturnType<typeof world>) => w.outsideIntact() },
];

for (const mode of MODES) {
  describe.skipIf(mode.skip !== null)(`${mode.name}${mode.skip ? ` (skipped: ${mode.skip})` : ''}`, () => {
    describe.each(Object.entries(WAYS))('%s', (name, way) => {
      it.each(TARGETS)(`${way.what}: deleting $name prompts, and after n it is intact and the agent is refused`, async (target) => {
        const w = world();
        try {
          const steps = way.steps(target.word(w));
          const r = await session(mode.flags, w, steps, 'n');
          // All three at once, so a failure says which part of the promise broke.
          expect({ prompted: r.prompts.length > 0, intact: target.intact(w), refused: /agentguard: denied by/.test(r.out) && r.status !== '0' }, r.out).toEqual({ prompted: true, intact: true, refused: true });
          // The prompt is about the deletion (or the unreadable script), not something else.
          expect(plain(r.prompts.join('\n'))).toMatch(target.reason);
          // Both sentinels: the run must not have hit the other one either.
          expect(w.gitIntact() && w.outsideIntact()).toBe(true);
          if (way.static === 'always' || (way.static === 'without-sandbox' && mode.flags.includes('--no-sandbox'))) {
            // No shim can see what runs here (no new shell, make's direct exec, a shell by
            // absolute path without the sandbox): the check of the agent's own command must
            // have asked, before it ran.
            const call = steps.filter((s) => 'run' in s).at(-1) as { run: string };
            const shown = plain(r.prompts[0]).split(/\r*\n/).map((l) => l.trim());
            expect(shown, `the first prompt is not about the agent's own command (${call.run})`).toContain(call.run);
          }
        } finally {
          w.remove();
        }
      }, 60_000);

      it(`${way.what}: positive control, after y the .git of a throwaway world is gone`, async () => {
        const w = world();
        try {
          expect(w.gitIntact()).toBe(true);
          const r = await session(mode.flags, w, way.steps('.git'), 'y');
          expect({ prompted: r.prompts.length > 0, deleted: !fs.existsSync(path.join(w.ws, '.git')) }, r.out).toEqual({ prompted: true, deleted: true });
          expect(w.outsideIntact()).toBe(true);
        } finally {
          w.remove();
        }
      }, 60_000);
    });
  });
}
