// A first run that lands in the right place: `agentguard shell` refuses what cannot work
// (a missing workspace, an unusable HOME, a session inside a session) with a message and exit
// status 2 before anything starts; a workspace inside agentguard's own install is warned
// about; the runaway-loop breaker's prompt says what its keys mean, and `a` there stops it
// for the session. Sessions run in a real pty; effects are checked on sentinel files.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { render } from '../../src/session/prompt.js';
import { insideOwnInstall } from '../../src/session/runtime.js';
import { BIN, FAKE_AGENT, makeWorld, PROMPT_HEADER, ROOT, Terminal } from './harness.js';

process.env.NO_COLOR = '1';
const world = makeWorld('start');
afterAll(() => world.remove());
const sentinel = (name: string) => path.join(world.ws, name);
const sessionsDir = (home: string) => path.join(home, '.local', 'state', 'agentguard', 'sessions');

/** `agentguard shell …` as a plain process (these refusals come before any terminal is needed). */
function shell(args: string[], env: Record<string, string | undefined> = {}) {
  const full: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: world.home, NO_COLOR: '1', ...env };
  for (const [k, v] of Object.entries(full)) if (v === undefined) delete full[k];
  return spawnSync(process.execPath, [BIN, 'shell', ...args], { cwd: world.ws, env: full, encoding: 'utf8', input: '' });
}

describe('agentguard shell refuses, with exit status 2, what cannot start', () => {
  it('a --workspace that does not exist', () => {
    const home = path.join(world.base, 'home-missing-ws');
    fs.mkdirSync(home);
    const r = shell(['--workspace', path.join(world.base, 'no-such-dir'), '--', 'bash', '-c', `touch ${sentinel('missing-ws-ran')}`], { HOME: home });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`agentguard: --workspace ${path.join(world.base, 'no-such-dir')}: no such directory\n`);
    expect(fs.existsSync(sentinel('missing-ws-ran'))).toBe(false);
    // Nothing started: no session log was even begun.
    expect(fs.existsSync(sessionsDir(home))).toBe(false);
  });

  it('a relative --workspace is named as given and as resolved', () => {
    const r = shell(['--workspace', 'not-here', '--', 'bash', '-c', `touch ${sentinel('relative-ws-ran')}`]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`--workspace not-here: no such directory (${path.join(world.ws, 'not-here')})`);
    expect(fs.existsSync(sentinel('relative-ws-ran'))).toBe(false);
  });

  it('a --workspace that is a file', () => {
    const r = shell(['--workspace', path.join(world.ws, 'tracked.txt'), '--', 'bash', '-c', `touch ${sentinel('file-ws-ran')}`]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--workspace .*tracked\.txt: not a directory/);
    expect(fs.existsSync(sentinel('file-ws-ran'))).toBe(false);
  });

  it.each([
    ['empty', '', /HOME is empty/],
    ['relative', 'home', /HOME is not an absolute path \(home\)/],
    ['unset', undefined, /HOME is not set/],
  ])('a HOME that is %s (runtime files, the log and ~ in the rules would be relative)', (_what, home, message) => {
    const r = shell(['--', 'bash', '-c', `touch ${sentinel('home-ran')}`], { HOME: home });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toContain('set HOME to your home directory');
    expect(fs.existsSync(sentinel('home-ran'))).toBe(false);
    expect(fs.existsSync(path.join(world.ws, '.local'))).toBe(false);
  });

  it('a HOME where the runtime directory cannot be made says which directory and what to do', () => {
    // A file where a directory would have to be: the same for root and for a user.
    const home = path.join(world.base, 'home-blocked');
    fs.mkdirSync(home);
    fs.writeFileSync(path.join(home, '.local'), 'not a directory\n');
    const r = shell(['--', 'bash', '-c', `touch ${sentinel('blocked-ran')}`], { HOME: home });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain(`cannot create the session's runtime directory ${path.join(home, '.local', 'state', 'agentguard', 'run')}`);
    expect(r.stderr).toContain('set XDG_RUNTIME_DIR, or HOME, to a directory you can write');
    expect(fs.existsSync(sentinel('blocked-ran'))).toBe(false);
  });

  it('agentguard shell inside a session: "already inside agentguard session ID", and the inner command does not run', async () => {
    const inner = `${process.execPath} ${BIN} shell -- bash -c 'touch ${sentinel('nested-ran')}'`;
    const t = new Terminal(['shell', '--workspace', world.ws, '--', process.execPath, FAKE_AGENT, 'name', `${inner}; echo NESTED-STATUS $?`], { cwd: world.ws, home: world.home });
    const out = await t.waitFor(/AGENT-DONE \d+/);
    const id = /agentguard session ([0-9a-f]{12}) \|/.exec(out)![1];
    expect(out).toContain(`agentguard: already inside agentguard session ${id}`);
    expect(out).toContain('NESTED-STATUS 2');
    expect(fs.existsSync(sentinel('nested-ran'))).toBe(false);
    expect(await t.exit()).toBe(0);
  });
});

describe('a workspace inside agentguard\'s own install', () => {
  it('is found by its real path, and only there', () => {
    const link = path.join(world.base, 'link-to-agentguard');
    fs.symlinkSync(ROOT, link);
    expect(insideOwnInstall([world.ws, path.join(ROOT, 'src')])).toBe(path.join(ROOT, 'src'));
    expect(insideOwnInstall([link])).toBe(link);
    expect(insideOwnInstall([world.ws, world.base])).toBeNull();
    // A directory beside it whose name starts the same is not inside it.
    expect(insideOwnInstall([`${ROOT}-other`])).toBeNull();
  });

  it('gets a one-line warning at the start of the session; a project elsewhere gets none', async () => {
    const own = new Terminal(['shell', '--workspace', ROOT, '--', 'bash', '-c', 'echo SESSION-RAN'], { cwd: world.ws, home: world.home });
    const out = await own.waitFor('SESSION-RAN');
    const warnings = out.split(/\r?\n/).filter((l) => l.includes("agentguard's own install"));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(`agentguard: warning: the workspace ${ROOT} is in agentguard's own install (${ROOT}): the agent can change the guard itself`);
    expect(await own.exit()).toBe(0);

    const elsewhere = new Terminal(['shell', '--workspace', world.ws, '--', 'bash', '-c', 'echo SESSION-RAN'], { cwd: world.ws, home: world.home });
    expect(await elsewhere.waitFor('SESSION-RAN')).not.toContain("agentguard's own install");
    expect(await elsewhere.exit()).toBe(0);
  });
});

describe('the runaway-loop breaker names its own keys', () => {
  const decision = { action: 'ask' as const, matches: [{ rule: 'circuit-breaker', action: 'ask' as const, severity: 'high' as const, message: 'The agent has started 3 commands in the last minute (limit 2): a runaway loop?' }], opaque: [], commands: [] };

  it.each([120, 70, 45])('at %i columns its keys line says what y and a mean there', (cols) => {
    const lines = render({ command: 'true', cwd: '/p', decision, breaker: true }, 300_000, { cols, rows: 20 }).split('\r\n');
    const keys = lines.find((l) => l.includes('[y]'))!;
    expect(keys).toMatch(/\[a\] [^[]*stop asking/);
    expect(keys).toMatch(/\[y\] [^[]*(minute|min)/);
    expect(keys.length).toBeLessThan(cols);
  });

  it('a command prompt keeps its own keys', () => {
    const keys = render({ command: 'true', cwd: '/p', decision }, 300_000, { cols: 120, rows: 20 }).split('\r\n').find((l) => l.includes('[y]'))!;
    expect(keys).toContain('[a] allow this command in this directory for the session');
    expect(keys).not.toContain('stop asking');
  });

  // Seven commands one after another with a limit of 2 a minute: the third pauses the agent.
  const steps = (tag: string) => JSON.stringify(Array.from({ length: 7 }, (_, i) => ({ run: `touch ${tag}-${i}` })));
  const run = (tag: string) => new Terminal(['shell', '--workspace', world.ws, '--max-commands-per-minute', '2', '--', process.execPath, FAKE_AGENT, 'steps', steps(tag)], { cwd: world.ws, home: world.home });
  const made = (tag: string) => Array.from({ length: 7 }, (_, i) => fs.existsSync(sentinel(`${tag}-${i}`))).filter(Boolean).length;

  it('a: the agent goes on and is not paused again in this session', async () => {
    const t = run('breaker-a');
    const prompt = await t.answer('a');
    expect(prompt).toContain('circuit-breaker');
    expect(prompt).toContain('stop asking for this session');
    // Another pause would be a second prompt before the agent is done.
    const next = await t.waitForAny([PROMPT_HEADER, /AGENT-DONE \d+/], 20_000, t.cursor).finally(() => undefined);
    if (next.index === 0) t.kill();
    expect(next.index).toBe(1);
    expect(next.out).toContain('AGENT-DONE 0');
    expect(made('breaker-a')).toBe(7);
    expect(await t.exit()).toBe(0);
  });

  it('y: the agent goes on for another minute, and is paused again past the limit', async () => {
    const t = run('breaker-y');
    const prompts = await t.answerUntil('y', /AGENT-DONE \d+/);
    expect(prompts.length).toBeGreaterThanOrEqual(2);
    for (const p of prompts) expect(p).toContain('circuit-breaker');
    expect(made('breaker-y')).toBe(7);
    expect(await t.exit()).toBe(0);
  });
});
