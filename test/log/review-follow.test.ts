// `agentguard log --follow`: prompts shown as they open (and those open when it starts), their
// outcome when they close, and an end when the session ends: its end record, or its writer
// process gone. Records are appended through SessionLog while the CLI runs as a real process.
import { afterAll, describe, expect, it } from 'vitest';
import { makeHome, RULES, writerProcess } from './review.helpers.js';

const h = makeHome('follow');
const ws = h.project('proj');
const writers: ReturnType<typeof writerProcess>[] = [];
afterAll(async () => {
  await Promise.all(writers.map((w) => w.kill()));
  h.remove();
});

function session(id: string, command: string[] = ['claude']) {
  const w = writerProcess();
  writers.push(w);
  h.write(id, [['session-start', { agent: command, launched: command, pid: w.pid, pidStart: w.pidStart, cwd: ws, workspaces: [ws], enforcement: 'sandbox', rules: RULES }]]);
  return w;
}
const ask = (command: string, rule: string, fields: Record<string, unknown> = {}) => ({ source: 'session', command, cwd: ws, action: 'ask', matches: [{ rule, action: 'ask', severity: 'high' }], opaque: [], shell: 'bash', ...fields });

describe('log --follow', () => {
  it('shows a prompt open when it starts and one opened while it runs, the answer, and ends with the session', async () => {
    session('20261202-010000-one');
    const [open] = h.write('20261202-010000-one', [['prompt', { command: 'git push --force', rules: ['git-force-push'] }]]);
    const f = h.start('log', '20261202-010000-one', '--follow');
    await f.waitFor(new RegExp(`#${open} +WAIT +waiting for the person: git push --force \\(git-force-push\\)`));
    const [second] = h.write('20261202-010000-one', [['prompt', { command: 'npm publish', rules: ['npm-publish'] }]]);
    await f.waitFor(new RegExp(`#${second} +WAIT +waiting for the person: npm publish \\(npm-publish\\)`));
    const [closed] = h.write('20261202-010000-one', [['decision', ask('npm publish', 'npm-publish', { verdict: 'deny', answer: 'deny', answeredFrom: 'terminal', prompt: second })]]);
    await f.waitFor(new RegExp(`#${closed} +ASK +npm publish \\[deny at the terminal\\] → refused`));
    expect(f.child.exitCode).toBe(null);
    h.write('20261202-010000-one', [['session-end', { exit: 0 }]]);
    expect(await f.exit()).toBe(0);
    expect(f.out).toMatch(/session end exit 0\n$/);
    expect(f.err).toBe('');
  });

  it('ends when the session writer is gone without an end record', async () => {
    const w = session('20261202-020000-killed');
    h.write('20261202-020000-killed', [['decision', ask('ls', 'none', { action: 'allow', matches: [], verdict: 'allow' })]]);
    const f = h.start('log', '20261202-020000-killed', '--follow');
    await f.waitFor(/ALLOW ls/);
    expect(f.child.exitCode).toBe(null);
    await w.kill();
    expect(await f.exit()).toBe(0);
    expect(f.out).toMatch(/the session's process \(pid \d+\) is gone and the log has no end record/);
  });

  it('"latest" follows the latest running session, not a newer one that has ended', async () => {
    const w = session('20261202-030000-running', ['codex']);
    h.write('20261202-030000-running', [['decision', ask('make deploy', 'deploy', { action: 'allow', matches: [], verdict: 'allow' })]]);
    h.write('20261202-040000-ended', [
      ['session-start', { agent: ['aider'], launched: ['aider'], pid: 999_999_999, pidStart: '1', cwd: ws, workspaces: [ws], enforcement: 'sandbox', rules: RULES }],
      ['session-end', { exit: 0 }],
    ]);
    const f = h.start('log', 'latest', '--follow');
    await f.waitFor(/ALLOW make deploy/);
    expect(f.out).not.toContain('aider');
    await w.kill();
    expect(await f.exit()).toBe(0);
  });

  it('sessions says which sessions are running: no end record, and their writer alive', async () => {
    const w = session('20261202-050000-live');
    const row = (id: string) => h.cli('sessions').stdout.split('\n').find((l) => l.startsWith(id)) ?? '';
    expect(row('20261202-050000-live')).toMatch(/ running /);
    expect(row('20261202-040000-ended')).not.toMatch(/ running /);
    await w.kill();
    expect(row('20261202-050000-live')).not.toMatch(/ running /);
  });

  it('a session that has ended is shown and not followed', async () => {
    const f = h.start('log', '20261202-040000-ended', '--follow');
    expect(await f.exit()).toBe(0);
    expect(f.out).toMatch(/session start aider[^]*session end exit 0\n$/);
  });
});
