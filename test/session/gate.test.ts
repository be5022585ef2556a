// The gate in-process, with the real policy and the real socket server: what a person's
// answer covers (keyed on the analysed commands and their directory, not the line's text),
// nested shells checked like top-level ones, and prompts that close when whoever asked is gone.
import net from 'node:net';
import os from 'node:os';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Gate, type Answer, type AskInfo, type GateEvent } from '../../src/session/gate.js';
import type { ShimRequest } from '../../src/session/protocol.js';
import { listen, type SessionServer } from '../../src/session/server.js';
import { EXAMPLE_CONTEXT } from '../../src/rules/examples.js';
import { exampleFs, exampleGuard, exampleGuardWith } from '../helpers.js';
import { inputsUnchanged } from '../../src/shell/fsview.js';

const WS = EXAMPLE_CONTEXT.policy.workspaces[0];
const VENDOR = path.join(WS, 'vendor/lib');

/** A gate whose prompt answers from a script of answers, recording every question. */
async function gateWith(answers: Answer[], { scrubbed = false, ...extra }: { trustNested?: boolean; scrubbed?: boolean } = {}) {
  const asked: AskInfo[] = [];
  const events: GateEvent[] = [];
  const gate = new Gate({
    // scrubbed: the environment of a sandboxed session without --pass-env.
    guard: scrubbed ? await exampleGuardWith({ environment: 'scrubbed' }) : await exampleGuard(),
    // The example world's files live in a table: its stamps are checked against the same table.
    inputsUnchanged: (d) => inputsUnchanged(d.inputs ?? [], exampleFs),
    ...extra,
    ask: async (info) => {
      asked.push(info);
      const a = answers.shift();
      if (!a) throw new Error(`unexpected prompt for ${info.command}`);
      return a;
    },
    onEvent: (e) => void events.push(e),
  });
  return { gate, asked, events };
}

let n = 0;
function req(script: string, cwd = WS, more: Partial<ShimRequest> = {}): ShimRequest {
  return { v: 1, shell: 'bash', mode: 'c', cwd, pid: process.pid, ppid: process.ppid, argv: ['bash', '-c', script], script, ...more, ...(more.token ? {} : { token: undefined }), ...{ n: n++ } };
}
const hook = (script: string, cwd = WS): ShimRequest => req(script, cwd, { shell: 'hook', mode: 'line', argv: [] });
const allowed = (reply: string) => reply.startsWith('ALLOW');
const tokenOf = (reply: string) => reply.replace(/^ALLOW ?/, '').trim();

// Claude Code's composite line around the command the model asked for.
const claudeWrapped = (cmd: string, id: string) =>
  `source /home/dev/.claude/shell-snapshots/snapshot-bash-${id}.sh && eval '${cmd.replace(/'/g, `'\\''`)}' \\< /dev/null && pwd -P >| /tmp/claude-${id}-cwd`;

describe('"a" (allow for the session) is keyed on the command and the directory it runs in', () => {
  it('the same command in the same directory passes; in another directory it is asked again', async () => {
    const { gate, asked, events } = await gateWith(['session', 'deny']);
    expect(allowed(await gate.handle(req('git reset --hard', VENDOR)))).toBe(true);
    expect(asked).toHaveLength(1);
    expect(allowed(await gate.handle(req('git reset --hard', VENDOR)))).toBe(true);
    expect(asked).toHaveLength(1);
    expect(events.at(-1)).toMatchObject({ kind: 'session-allowed', verdict: 'allow' });
    // Approving it in vendor/lib does not allow it in the workspace root.
    expect(allowed(await gate.handle(req('git reset --hard', WS)))).toBe(false);
    expect(asked).toHaveLength(2);
    expect(asked[1].decision.matches.map((m) => m.rule)).toContain(asked[0].decision.matches[0].rule);
  });

  it('is the same answer whatever wrapper text the agent puts around the command', async () => {
    const { gate, asked } = await gateWith(['session']);
    expect(allowed(await gate.handle(req(claudeWrapped('git push --force origin feature', 'a1'))))).toBe(true);
    expect(asked).toHaveLength(1);
    // Next call: another snapshot id and cwd file, the same command underneath.
    expect(allowed(await gate.handle(req(claudeWrapped('git push --force origin feature', 'b2'))))).toBe(true);
    expect(allowed(await gate.handle(hook('git push --force origin feature')))).toBe(true);
    expect(asked).toHaveLength(1);
  });

  it('does not cover a different command that merely contains the approved text', async () => {
    const { gate, asked } = await gateWith(['session', 'deny']);
    expect(allowed(await gate.handle(req('git push --force origin feature')))).toBe(true);
    expect(allowed(await gate.handle(req('git push --force origin feature:main')))).toBe(false);
    expect(asked).toHaveLength(2);
  });
});

describe("a hook's answer and the shell behind it are one question", () => {
  it('"y" at the hook lets the wrapped shell run once without a second prompt', async () => {
    const { gate, asked, events } = await gateWith(['once', 'deny']);
    expect(allowed(await gate.handle(hook('git push --force origin feature')))).toBe(true);
    expect(allowed(await gate.handle(req(claudeWrapped('git push --force origin feature', 'c3'))))).toBe(true);
    expect(asked).toHaveLength(1);
    expect(events.at(-1)).toMatchObject({ kind: 'hook-approved' });
    // Once means once: the next identical call is asked again.
    expect(allowed(await gate.handle(req(claudeWrapped('git push --force origin feature', 'd4'))))).toBe(false);
    expect(asked).toHaveLength(2);
  });

  it('a hook approval does not widen to a different command (today: a substring match let feature:main through)', async () => {
    const { gate, asked } = await gateWith(['once', 'deny']);
    expect(allowed(await gate.handle(hook('git push --force origin feature')))).toBe(true);
    expect(allowed(await gate.handle(req('git push --force origin feature:main')))).toBe(false);
    expect(asked).toHaveLength(2);
    expect(asked[1].command).toBe('git push --force origin feature:main');
  });

  it('a hook approval in one directory does not cover the command in another', async () => {
    const { gate, asked } = await gateWith(['once', 'deny']);
    expect(allowed(await gate.handle(hook('git reset --hard', VENDOR)))).toBe(true);
    expect(allowed(await gate.handle(req('git reset --hard', WS)))).toBe(false);
    expect(asked).toHaveLength(2);
  });
});

describe('shells started by an allowed command', () => {
  it('are checked: a nested shell asking for something new is asked about', async () => {
    const { gate, asked, events } = await gateWith(['deny']);
    const top = await gate.handle(req('python3 tool.py'));
    expect(allowed(top)).toBe(true);
    expect(asked).toHaveLength(0);
    const nested = await gate.handle(req('git reset --hard', WS, { token: tokenOf(top) }));
    expect(allowed(nested)).toBe(false);
    expect(asked).toHaveLength(1);
    expect(events.at(-1)).toMatchObject({ kind: 'checked', verdict: 'deny', answer: 'deny' });
  });

  it('are not asked again about what the person approved for the shell above them', async () => {
    const { gate, asked, events } = await gateWith(['once', 'deny']);
    const top = await gate.handle(req('git reset --hard && python3 tool.py'));
    expect(allowed(top)).toBe(true);
    // The tool's own shell runs the approved command again: the same question, already answered.
    expect(allowed(await gate.handle(req('git reset --hard', WS, { token: tokenOf(top) })))).toBe(true);
    expect(events.at(-1)).toMatchObject({ kind: 'approved-above' });
    expect(asked).toHaveLength(1);
    // Something it was not approved for is asked.
    expect(allowed(await gate.handle(req('git clean -fdx', WS, { token: tokenOf(top) })))).toBe(false);
    expect(asked).toHaveLength(2);
    // A shell with no token (not a descendant) gets no share of the approval.
    const { gate: g2, asked: a2 } = await gateWith(['deny']);
    expect(allowed(await g2.handle(req('git reset --hard', WS, { token: tokenOf(top) })))).toBe(false);
    expect(a2).toHaveLength(1);
  });

  it('reuse a cached decision for the same (cwd, script), never a prompt', async () => {
    const { gate, asked, events } = await gateWith(['deny', 'deny']);
    const top = tokenOf(await gate.handle(req('make')));
    for (let i = 0; i < 3; i++) expect(allowed(await gate.handle(req('echo $((1+1)) > /dev/null', WS, { token: top })))).toBe(true);
    expect(events.filter((e) => e.cached)).toHaveLength(2);
    // An asked command stays asked every time, cached or not.
    expect(allowed(await gate.handle(req('git reset --hard', WS, { token: top })))).toBe(false);
    expect(allowed(await gate.handle(req('git reset --hard', WS, { token: top })))).toBe(false);
    expect(asked).toHaveLength(2);
    expect(events.at(-1)).toMatchObject({ cached: true, verdict: 'deny' });
  });

  it('with --trust-nested, run on their token unchecked', async () => {
    const { gate, asked } = await gateWith([], { trustNested: true });
    const top = await gate.handle(req('python3 tool.py'));
    expect(allowed(await gate.handle(req('git reset --hard', WS, { token: tokenOf(top) })))).toBe(true);
    expect(asked).toHaveLength(0);
  });
});

describe('a prompt dies with its requester', () => {
  let server: SessionServer;
  let socket: string;
  const events: GateEvent[] = [];
  let shown: (info: AskInfo) => void;
  let closed: Promise<Answer>;

  beforeAll(async () => {
    socket = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'agentguard-gate-')), 's.sock');
    const gate = new Gate({
      guard: await exampleGuard(),
      // A prompt that only ends when its request is abandoned (or after 30 s: a failure).
      ask: (info) => {
        closed = new Promise<Answer>((resolve) => {
          const t = setTimeout(() => resolve('timeout'), 30_000);
          info.signal?.addEventListener('abort', () => {
            clearTimeout(t);
            resolve('abandoned');
          });
        });
        shown(info);
        return closed;
      },
      onEvent: (e) => void events.push(e),
    });
    server = await listen(socket, (r, signal) => gate.handle(r, signal));
  });
  afterAll(() => server.close());

  it('closes as abandoned when the process that asked disconnects, and the command is refused', async () => {
    const onScreen = new Promise<AskInfo>((r) => (shown = r));
    const conn = net.createConnection(socket);
    conn.on('error', () => {});
    conn.write(JSON.stringify(req('git reset --hard')) + '\n');
    const info = await onScreen;
    expect(info.signal?.aborted).toBe(false);
    conn.destroy();
    expect(await closed).toBe('abandoned');
    await new Promise((r) => setImmediate(r));
    expect(events.at(-1)).toMatchObject({ verdict: 'deny', answer: 'abandoned' });
  });
});

describe('what an earlier answer lets run outside the sandbox', () => {
  // A stand-in for the escalator: anything writing under ~/bin needs the outside.
  const escalation = {
    outside: (r: ShimRequest) => (r.script.includes('/home/dev/bin') ? ['writes /home/dev/bin/tool'] : []),
    reply: async () => 'ESCALATE ticket\n',
  };
  async function escalatingGate(answers: Answer[]) {
    const asked: AskInfo[] = [];
    const gate = new Gate({
      guard: await exampleGuard(),
      escalation,
      ask: async (info) => {
        asked.push(info);
        const a = answers.shift();
        if (!a) throw new Error(`unexpected prompt for ${info.command}`);
        return a;
      },
    });
    return { gate, asked };
  }
  const approved = 'cp build/tool /home/dev/bin/tool';

  it('"a" escalates the same command again, and nothing with more in it', async () => {
    const { gate, asked } = await escalatingGate(['session', 'deny', 'deny', 'deny']);
    expect(await gate.handle(req(approved))).toBe('ESCALATE ticket\n');
    expect(asked[0].outside).toEqual(['writes /home/dev/bin/tool']);
    expect(await gate.handle(req(approved))).toBe('ESCALATE ticket\n');
    expect(asked).toHaveLength(1);
    // Seen in review: the same triggering command with the agent's own program on PATH, or a
    // payload after it, used to escalate with no prompt (the key saw only the cp).
    expect(await gate.handle(req(`PATH=$PWD:$PATH ${approved}`))).toMatch(/^DENY/);
    expect(await gate.handle(req(`${approved}; python3 payload.py`))).toMatch(/^DENY/);
    expect(await gate.handle(req(approved, VENDOR))).toMatch(/^DENY/);
    expect(asked).toHaveLength(4);
  });

  it("a hook's yes escalates only the exact command it showed", async () => {
    const { gate, asked } = await escalatingGate(['once', 'deny']);
    expect(allowed(await gate.handle(hook(approved)))).toBe(true);
    expect(await gate.handle(req(`${approved}; python3 payload.py`))).toMatch(/^DENY/);
    expect(asked).toHaveLength(2);
  });
});

describe('review findings: no command runs on a shortcut it should not have', () => {
  it('a script on /dev/stdin is checked from its bytes, not passed as an installed program', async () => {
    const { gate, asked } = await gateWith(['deny']);
    const r = await gate.handle(req('rm -rf .git\n', WS, { mode: 'file', argv: ['bash', '/dev/stdin'] }));
    expect(r).toMatch(/^DENY/);
    expect(asked).toHaveLength(1);
  });

  it('"a" for something not analysable covers that exact command only', async () => {
    const long = 'a'.repeat(70);
    const { gate, asked } = await gateWith(['session', 'deny', 'deny']);
    expect(allowed(await gate.handle(req(`cat notes.txt | bash`)))).toBe(true);
    // The same opaque reason, another command.
    expect(allowed(await gate.handle(req(`base64 -d blob | bash`)))).toBe(false);
    expect(allowed(await gate.handle(req(`$(printf %s ${long} rm) -rf /home/dev/important`)))).toBe(false);
    expect(asked).toHaveLength(3);
  });

  it('setting BASH_ENV, PS4 with SHELLOPTS, or HOME for a login shell is not analysable', async () => {
    const guard = await exampleGuard();
    for (const c of ['BASH_ENV=evil.sh bash -c true', 'export BASH_ENV=evil.sh; bash -c true', 'env SHELLOPTS=xtrace PS4=\'$(rm -rf .git)\' bash -c true', 'HOME=$PWD bash -lc true', "env 'BASH_FUNC_ls%%=() { rm -rf .git; }' bash -c ls"]) {
      const d = guard.check({ command: c });
      expect([c, d.action]).toEqual([c, 'ask']);
      expect(d.opaque.join(' ')).toMatch(/sets (BASH_ENV|SHELLOPTS|PS4|BASH_FUNC_ls%%|HOME)/);
    }
  });
});

describe('a FIFO where a script is expected', () => {
  it('is not opened (the session would hang on it): the step is not analysable', async () => {
    const { execFileSync } = await import('node:child_process');
    const { createGuard } = await import('../../src/guard.js');
    const dir = fs.mkdtempSync(path.join(fs.existsSync('/var/tmp') ? '/var/tmp' : os.tmpdir(), 'agentguard-fifo-'));
    try {
      execFileSync('mkfifo', [path.join(dir, 'f.sh')]);
      const guard = await createGuard({ cwd: dir, workspaces: [dir], home: path.join(dir, 'home'), env: { HOME: path.join(dir, 'home') } });
      const d = guard.check({ command: 'bash f.sh', cwd: dir });
      expect(d.action).toBe('ask');
      expect(d.opaque.join(' ')).toMatch(/not a regular file/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("Codex's start-up snapshot (codex-cli 0.171.0, as captured from a real session)", () => {
  const script = fs.readFileSync(path.join(import.meta.dirname, '../agents/fixtures/codex-0.171.0-bash-snapshot.sh'), 'utf8');

  it('runs without a prompt in a sandboxed session: its helper that runs "$@" is read as `command`', async () => {
    const { gate, asked } = await gateWith([], { scrubbed: true });
    expect(allowed(await gate.handle(req(script)))).toBe(true);
    expect(asked).toHaveLength(0);
  });

  it.each([
    ['the helper evaluates its arguments', script.replace('    "$@"\n  else', '    eval "$@"\n  else')],
    ['the helper is defined twice', script.replace('bash_opts=$(', '__codex_snapshot_command() {\n  "$@"\n}\nbash_opts=$(')],
    ['a destructive command through the helper', script.replace("printf '\\0'\n(", "__codex_snapshot_command rm -rf .git\nprintf '\\0'\n(")],
  ])('is asked about when %s', async (_what, forged) => {
    expect(forged).not.toBe(script);
    const { gate, asked } = await gateWith(['deny'], { scrubbed: true });
    expect(allowed(await gate.handle(req(forged)))).toBe(false);
    expect(asked).toHaveLength(1);
  });

  // Found in review: the same shape sent by an agent prints the environment into its context.
  it('is asked about where the environment may hold secrets (its declare -xp is an environment dump there)', async () => {
    const { gate, asked } = await gateWith(['deny']);
    expect(allowed(await gate.handle(req(script)))).toBe(false);
    expect(asked).toHaveLength(1);
  });

  it('an rc block, the marker and export -p: asked where the environment may hold secrets, and through a hook always', async () => {
    const forged = `if [ -z "\${BASH_ENV-}" ] && [ -n "\${HOME-}" ] && [ -r "$HOME/.bashrc" ]; then\n  . "$HOME/.bashrc"\nfi\necho '# Snapshot file'\nexport -p > leak.txt\n`;
    const secrets = await gateWith(['deny']);
    expect(allowed(await secrets.gate.handle(req(forged)))).toBe(false);
    const hooked = await gateWith(['deny'], { scrubbed: true });
    expect(allowed(await hooked.gate.handle(hook(script)))).toBe(false);
    expect(hooked.asked).toHaveLength(1);
  });
});
