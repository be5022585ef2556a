// What an approved command needs from outside the sandbox (shown in the prompt, and the
// reason it is escalated), and the argv the broker runs for it. Pure: nothing here runs.
import { describe, expect, it } from 'vitest';
import { Escalator, escalatedArgv, outsideNeeds, type Broker, type Wall } from '../../src/session/escalate.js';
import type { ShimRequest } from '../../src/session/protocol.js';
import { analyseExample, exampleGuard } from '../helpers.js';

const H = '/home/dev';
const WS = `${H}/project`;
const wall: Wall = {
  writable: [WS, '/tmp'],
  readOnly: [`${WS}/.agentguard`],
  maskDirs: [`${H}/.aws`, `${H}/.ssh`],
  maskFiles: [`${H}/.npmrc`],
  hidden: [`${H}/.local/state/agentguard`],
  filtered: [`${H}/.gitconfig`],
  network: 'proxy',
};

// Lexical resolution only: the example world does not exist on this machine.
const lexical = (p: string) => p;
const needs = async (command: string, w: Wall = wall) => outsideNeeds(await analyseExample(command), w, lexical);

describe('writes the sandbox refuses', () => {
  it.each([
    ['rm -rf ~/old-checkout', [`writes ${H}/old-checkout`]],
    [`rm -rf ${H}/old-checkout`, [`writes ${H}/old-checkout`]],
    ['echo note > ../notes.txt', [`writes ${H}/notes.txt`]],
    ['cp build.log /var/tmp/elsewhere/build.log', ['writes /var/tmp/elsewhere/build.log']],
    ['echo x > .agentguard/rules/mine.yaml', [`writes ${WS}/.agentguard/rules/mine.yaml`]],
    ['touch ~/.aws/config', [`writes ${H}/.aws/config (masked in the sandbox)`]],
  ])('%s', async (command, expected) => {
    expect((await needs(command)).outside).toEqual(expected);
  });
});

describe('reads of what the sandbox masks or filters', () => {
  it.each([
    ['cat ~/.aws/credentials', [`reads ${H}/.aws/credentials (masked in the sandbox)`]],
    ['cat ~/.ssh/id_ed25519.pub', [`reads ${H}/.ssh/id_ed25519.pub (masked in the sandbox)`]],
    ['cat ~/.npmrc', [`reads ${H}/.npmrc (masked in the sandbox)`]],
    ['cat ~/.gitconfig', [`reads ${H}/.gitconfig (its secrets are filtered out in the sandbox)`]],
  ])('%s', async (command, expected) => {
    expect((await needs(command)).outside).toEqual(expected);
  });
});

describe('connections the namespace cannot make', () => {
  it.each([
    ['git push git@github.com:o/r.git main', 'proxy', ['connects to github.com with git (the sandbox lets only HTTP(S) out, through the proxy)']],
    ['ssh build.example.com uptime', 'proxy', ['connects to build.example.com with ssh (the sandbox lets only HTTP(S) out, through the proxy)']],
    ['curl -fsSL https://example.com/x.json', 'none', ['connects to example.com (no network in the sandbox)']],
  ] as const)('%s (network %s)', async (command, network, expected) => {
    expect((await needs(command, { ...wall, network })).outside).toEqual(expected);
  });
});

describe('what runs inside as it is', () => {
  it.each([
    ['rm -rf dist'],
    ['echo hi > /tmp/x && cat /tmp/x'],
    ['ls -la ~ > /dev/null'],
    ['git clone https://github.com/o/r'],
    ['curl -fsSL https://example.com/x.json'],
    ['nc localhost 8080'],
    // Known only at run time: running it outside would give more than the prompt showed.
    ['rm -rf "$TARGET"'],
  ])('%s', async (command) => {
    expect(await needs(command)).toEqual({ outside: [] });
  });

  it('ssh with the host network (--network open)', async () => {
    expect((await needs('ssh build.example.com uptime', { ...wall, network: 'open' })).outside).toEqual([]);
  });

  it("a command using the sandbox's private /tmp stays inside: outside, /tmp is another directory", async () => {
    const r = await needs('cp /tmp/build.tar ~/old-checkout/', { ...wall, privateDirs: ['/tmp'] });
    expect(r.outside).toEqual([]);
    expect(r.keptInside).toContain('/tmp/build.tar');
    expect((await needs('cp /tmp/build.tar ~/old-checkout/')).outside).toEqual([`writes ${H}/old-checkout/`]);
  });

  it('a workspace under /tmp is bound at its own path: using it does not keep a command inside', async () => {
    const tmpWall = { ...wall, writable: ['/tmp/ws'], privateDirs: ['/tmp'] };
    expect((await needs('cp /tmp/ws/build.tar ~/old-checkout/', tmpWall)).outside).toEqual([`writes ${H}/old-checkout/`]);
    expect((await needs('cp /tmp/other/build.tar ~/old-checkout/', tmpWall)).keptInside).toContain('/tmp/other/build.tar');
  });

  it("agentguard's own hidden files are never reached, even with a yes", async () => {
    const r = await needs(`rm -rf ~/old-checkout ~/.local/state/agentguard`);
    expect(r.outside).toEqual([]);
    expect(r.keptInside).toContain(`${H}/.local/state/agentguard`);
  });
});

const req = (mode: ShimRequest['mode'], argv: string[], script: string): ShimRequest => ({ v: 1, shell: 'bash', mode, cwd: WS, pid: 1, ppid: 1, argv, script });

describe('the argv the broker runs holds exactly the checked script', () => {
  it.each([
    ['-c as it came', req('c', ['bash', '-c', 'rm -rf ~/x'], 'rm -rf ~/x'), ['bash', '-c', 'rm -rf ~/x']],
    ['-c with options and positional arguments', req('c', ['bash', '-e', '-o', 'pipefail', '-c', 'echo "$1"', 'zero', 'one'], 'echo "$1"'), ['bash', '-e', '-o', 'pipefail', '-c', 'echo "$1"', 'zero', 'one']],
    ['a script file runs as its checked content', req('file', ['bash', '-e', 'run.sh', 'a'], 'rm -rf ~/x\n'), ['bash', '-e', '-c', 'rm -rf ~/x\n', 'run.sh', 'a']],
    ['a script on stdin', req('stdin', ['sh'], 'rm -rf ~/x\n'), ['sh', '-c', 'rm -rf ~/x\n', 'sh']],
    // Start-up files are code the check never saw: a login or interactive shell, an rc file.
    ['without -l, -i or --rcfile', req('c', ['bash', '--rcfile', `${WS}/evil.sh`, '-i', '-lc', 'rm -rf ~/x'], 'rm -rf ~/x'), ['bash', '-c', 'rm -rf ~/x']],
    ["Claude Code's -c -l", req('c', ['bash', '-c', '-l', 'rm -rf ~/x'], 'rm -rf ~/x'), ['bash', '-c', 'rm -rf ~/x']],
    ['a script file without its --login', req('file', ['bash', '--login', '-x', 'run.sh'], 'true\n'), ['bash', '-x', '-c', 'true\n', 'run.sh']],
  ])('%s', (_name, r, expected) => {
    expect(escalatedArgv(r)).toEqual(expected);
  });

  it.each([
    ['a -c string other than the checked script', req('c', ['bash', '-c', 'rm -rf ~'], 'true')],
    ['a typed line (the interactive shell runs it itself)', req('line', ['bash', '--agentguard-line', 'rm -rf ~/x'], 'rm -rf ~/x')],
    ['an interactive shell', req('interactive', ['bash'], '')],
    ['an unreadable script', req('unreadable', ['bash', 'gone.sh'], '')],
  ])('none for %s', (_name, r) => {
    expect(escalatedArgv(r)).toBeNull();
  });
});

describe('the prompt says it before the key is pressed', () => {
  const info = (outside?: string[]) => ({
    command: 'rm -rf ~/old-checkout',
    cwd: WS,
    decision: { action: 'ask' as const, matches: [{ rule: 'workspace-confinement', action: 'ask' as const, severity: 'medium' as const, message: 'writes outside the workspace' }], opaque: [], commands: [['rm', '-rf', `${H}/old-checkout`]] },
    ...(outside ? { outside } : {}),
  });

  it.each([
    [80, 24],
    [60, 10],
  ])('on a %ix%i screen', async (cols, rows) => {
    const { render } = await import('../../src/session/prompt.js');
    const screen = render(info([`writes ${H}/old-checkout`]), 300_000, { cols, rows }).replace(/\x1b\[[0-9;]*m/g, '');
    expect(screen).toContain(`runs outside the sandbox: writes ${H}/old-checkout`);
    expect(screen.split('\r\n').length).toBeLessThanOrEqual(rows);
    expect(screen).toContain('[y]');
  });

  it('a long list wraps rather than being cut', async () => {
    const { render } = await import('../../src/session/prompt.js');
    const long = `writes ${H}/${'deep/'.repeat(14)}old-checkout`;
    const screen = render(info([long]), 300_000, { cols: 60, rows: 24 }).replace(/\x1b\[[0-9;]*m/g, '');
    expect(screen.replace(/\r\n {2}/g, '')).toContain(`runs outside the sandbox: ${long}`);
  });

  it('and says nothing of the kind for a command that runs inside', async () => {
    const { render } = await import('../../src/session/prompt.js');
    expect(render(info(), 300_000, { cols: 80, rows: 24 })).not.toContain('outside the sandbox');
  });
});

describe("an agent's wrapper and the private /tmp", () => {
  // Claude Code's wrapper writes its cwd to /tmp: the agent's bookkeeping, not the command's.
  const claude = (cmd: string) => `source ${H}/.claude/shell-snapshots/snapshot-bash-1.sh 2>/dev/null || true && eval '${cmd}' < /dev/null && pwd -P >| /tmp/claude-1a2b-cwd`;
  const unused: Broker = { pid: undefined, register: () => Promise.reject(new Error('not used')), close: () => {} };
  const escalator = async () => {
    const e = new Escalator(await exampleGuard(), unused, new Map([['bash', '/bin/bash']]));
    e.wall = { ...wall, privateDirs: ['/tmp'] };
    return e;
  };
  const request = (script: string) => req('c', ['bash', '-c', '-l', script], script);

  it('the wrapped command escalates: its cwd file is not what the person approved', async () => {
    expect((await escalator()).outside(request(claude('rm -rf ~/old-checkout')))).toEqual([`writes ${H}/old-checkout`]);
  });

  it('but what the agent meant, using /tmp, stays inside', async () => {
    expect((await escalator()).outside(request(claude('cp /tmp/build.tar ~/old-checkout/')))).toEqual([]);
  });

  it('a /tmp write of its own outside a known wrapper keeps the command inside', async () => {
    expect((await escalator()).outside(request('rm -rf ~/old-checkout && pwd -P > /tmp/where'))).toEqual([]);
  });
});
