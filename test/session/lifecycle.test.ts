// End to end in a real pty: a prompt lives only as long as whoever asked, and a session
// ends when its agent does, even with a question still on the screen. No key is pressed in
// these tests: the prompt must close by itself, and the command must never run.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FAKE_AGENT, makeWorld, sandboxWorks, Terminal } from './harness.js';

const world = makeWorld('lifecycle');
afterAll(() => world.remove());
const tracked = path.join(world.ws, 'tracked.txt');
const modes = sandboxWorks() ? [[], ['--no-sandbox']] : [['--no-sandbox']];

function agent(code: string, extra: string[]) {
  return new Terminal(['shell', '--workspace', world.ws, ...extra, '--', process.execPath, FAKE_AGENT, 'js', code], { cwd: world.ws, home: world.home });
}
const records = (t: Terminal) =>
  fs
    .readFileSync(/log (\S+\.jsonl)/.exec(t.output)![1], 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe.each(modes)('a prompt dies with its requester (%s)', (...extra: string[]) => {
  it('closes as abandoned when the shell that asked is killed, and the command never runs', async () => {
    fs.writeFileSync(tracked, 'changed by hand\n');
    // The agent starts a command that needs approval, then kills it while the prompt is up
    // (a tool-call timeout in a real agent), and waits for a file the test writes.
    const go = path.join(world.base, `go-${extra.length}`);
    const code = `const { spawn } = await import('node:child_process');
      const c = spawn('bash', ['-c', 'git reset --hard'], { stdio: 'ignore' });
      while (!fs.existsSync(${JSON.stringify(go)})) await new Promise((r) => setTimeout(r, 20));
      c.kill('SIGKILL');
      await new Promise((r) => c.on('exit', r));
      return 'killed'`;
    const t = agent(code, extra);
    await t.waitFor('needs your approval');
    const before = t.output.length;
    fs.writeFileSync(go, '');
    await t.waitFor('AGENT-RESULT {"ok":true,"value":"killed"}', 20_000, before);
    expect(await t.exit()).toBe(0);
    expect(fs.readFileSync(tracked, 'utf8')).toBe('changed by hand\n');
    expect(records(t).some((r) => r.type === 'decision' && r.command === 'git reset --hard' && r.answer === 'abandoned' && r.verdict === 'deny')).toBe(true);
    expect(t.output).toMatch(/1 abandoned/);
  });

  it('the session ends when the agent exits, with a prompt still open', async () => {
    fs.writeFileSync(tracked, 'changed by hand\n');
    // The agent leaves a shell waiting for an answer behind and exits once the prompt is up.
    const go = path.join(world.base, `exit-${extra.length}`);
    const code = `const { spawn } = await import('node:child_process');
      spawn('bash', ['-c', 'git reset --hard'], { stdio: 'ignore', detached: true }).unref();
      while (!fs.existsSync(${JSON.stringify(go)})) await new Promise((r) => setTimeout(r, 20));
      return 'left'`;
    // A prompt timeout far beyond the test's: only the agent's exit can end the session.
    const t = agent(code, [...extra, '--prompt-timeout', '600']);
    await t.waitFor('needs your approval');
    fs.writeFileSync(go, '');
    await t.waitFor(/session \S+ ended \(exit 0\)/, 20_000);
    expect(await t.exit()).toBe(0);
    expect(t.output).toMatch(/1 abandoned/);
    expect(fs.readFileSync(tracked, 'utf8')).toBe('changed by hand\n');
    expect(records(t).some((r) => r.type === 'decision' && r.answer === 'abandoned')).toBe(true);
  });
});
