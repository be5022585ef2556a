// The gate lets Codex's start-up script (a snapshot of the person's login shell) run
// without a prompt, and nothing that merely looks like it.
import { describe, expect, it } from 'vitest';
import { Gate } from '../../src/session/gate.js';
import type { ShimRequest } from '../../src/session/protocol.js';
import { exampleGuard, exampleGuardWith } from '../helpers.js';

// A sandboxed session without --pass-env: every shell gets the scrubbed environment.
const guard = await exampleGuardWith({ environment: 'scrubbed' });
const ZSH_START = [
  'if [[ -n "$ZDOTDIR" ]]; then',
  '  rc="$ZDOTDIR/.zshrc"',
  'else',
  '  rc="$HOME/.zshrc"',
  'fi',
  '[[ -r "$rc" ]] && . "$rc"',
  "print '# Snapshot file'",
  'functions',
  "setopt | sed 's/^/setopt /'",
  'alias -L',
  'export -p',
].join('\n');

function request(script: string): ShimRequest {
  return { v: 1, shell: 'zsh', mode: 'c', cwd: '/home/dev/project', pid: process.pid, ppid: process.ppid, argv: ['zsh', '-lc', script], script };
}

describe("Codex's start-up script in a session", () => {
  it('runs without a prompt in a sandboxed session', async () => {
    let asked = 0;
    const gate = new Gate({ guard, ask: async () => (asked++, 'deny') });
    expect(await gate.handle(request(ZSH_START))).toMatch(/^ALLOW/);
    expect(asked).toBe(0);
  });

  it.each([
    ['sources a file it names itself', ZSH_START.replace("print '# Snapshot file'", "print '# Snapshot file'\n. ./x.sh")],
    ['deletes something as well', `${ZSH_START}\nrm -rf ~/old`],
    ['only shares the marker', `. "$rc"\nprint '# Snapshot file'`],
  ])('a look-alike that %s is asked about', async (_name, script) => {
    let asked = 0;
    const gate = new Gate({ guard, ask: async () => (asked++, 'deny') });
    expect(await gate.handle(request(script))).toMatch(/^DENY/);
    expect(asked).toBe(1);
  });

  it('is asked about where the environment may hold secrets: its export -p would print them', async () => {
    let asked = 0;
    const gate = new Gate({ guard: await exampleGuard(), ask: async () => (asked++, 'deny') });
    expect(await gate.handle(request(ZSH_START))).toMatch(/^DENY/);
    expect(asked).toBe(1);
  });
});
