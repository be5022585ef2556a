// The session's anchor process against an agent without the sandbox: `kill PID` with a literal
// pid is routine for the policy, and the anchor's logger is the user's own process. Its death
// (or a logger stopped until its pipe fills) must be reported once, so the session can record
// it and tell the person, instead of every later head being dropped in silence.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startAnchor } from '../../src/anchor/writer.js';
import type { LogRecord } from '../../src/log/store.js';
import { FAKE_AGENT, makeWorld, Terminal } from '../session/harness.js';

const hasLogger = spawnSync('logger', ['--version'], { stdio: 'ignore' }).status === 0;
const base = fs.mkdtempSync(path.join(fs.existsSync('/var/tmp') ? '/var/tmp' : os.tmpdir(), 'agentguard-anchorlost-'));
afterAll(() => fs.rmSync(base, { recursive: true, force: true }));

/** The logger processes `parent` started (its children named logger). */
function loggersOf(parent: number): number[] {
  const out: number[] = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (comm === 'logger' && ppid === parent) out.push(Number(d));
    } catch {
      // gone
    }
  }
  return out;
}

describe.skipIf(!hasLogger)('the anchor process', () => {
  it('killed mid-session: reported once, with how it ended', async () => {
    // A stream socket standing for the syslog daemon's: logger falls back to it.
    const socket = path.join(base, 'log.sock');
    const received: string[] = [];
    const server = net.createServer((c) => c.on('data', (d) => received.push(d.toString())));
    await new Promise<void>((r) => server.listen(socket, r));
    const lost: string[] = [];
    const a = startAnchor({ wanted: 'syslog', socket, files: [] }, { onLost: (why) => lost.push(why) });
    a.head({ session: 's', seq: 0, hash: 'a'.repeat(64) });
    for (let i = 0; i < 100 && !received.join('').includes('seq=0'); i++) await new Promise((r) => setTimeout(r, 50));
    const [pid] = loggersOf(process.pid);
    expect(pid).toBeGreaterThan(0);
    process.kill(pid, 'SIGTERM');
    for (let i = 0; i < 100 && !lost.length; i++) await new Promise((r) => setTimeout(r, 50));
    a.head({ session: 's', seq: 1, hash: 'b'.repeat(64) });
    await a.close();
    server.close();
    expect(lost).toEqual([expect.stringMatching(/logger \(pid \d+\) ended by SIGTERM/)]);
    expect(a.dropped).toBe(1);
  });

  it('closed at the end of the session: nothing reported', async () => {
    const socket = path.join(base, 'log2.sock');
    const server = net.createServer((c) => c.resume());
    await new Promise<void>((r) => server.listen(socket, r));
    const lost: string[] = [];
    const a = startAnchor({ wanted: 'syslog', socket, files: [] }, { onLost: (why) => lost.push(why) });
    a.head({ session: 's', seq: 0, hash: 'a'.repeat(64) });
    await a.close();
    server.close();
    expect(lost).toEqual([]);
  });
});

describe.skipIf(!hasLogger)('a session whose anchor is killed', () => {
  it('records anchor-lost before its end, and says so at the end', async () => {
    const world = makeWorld('anchorlost');
    try {
      const socket = path.join(world.base, 'log.sock');
      const heads: string[] = [];
      const server = net.createServer((c) => c.on('data', (d) => heads.push(d.toString())));
      await new Promise<void>((r) => server.listen(socket, r));
      fs.mkdirSync(path.join(world.home, '.config', 'agentguard'), { recursive: true });
      fs.writeFileSync(path.join(world.home, '.config', 'agentguard', 'config.yaml'), `log:\n  anchor: syslog\n  syslog:\n    socket: ${socket}\n    files: [${path.join(world.base, 'none.log')}]\n`);
      // The agent's command waits until its logger is gone (what `kill PID` from the agent does).
      const t = new Terminal(['shell', '--no-sandbox', '--workspace', world.ws, '--', process.execPath, FAKE_AGENT, 'name', 'while [ ! -e killed ]; do sleep 0.05; done; echo ok'], { cwd: world.ws, home: world.home });
      const until = async (f: () => boolean) => {
        for (let i = 0; i < 300 && !f(); i++) await new Promise((r) => setTimeout(r, 50));
      };
      await until(() => heads.join('').includes('seq=0 ') && loggersOf(t.pid).length > 0);
      const [pid] = loggersOf(t.pid);
      expect(pid).toBeGreaterThan(0);
      process.kill(pid, 'SIGKILL');
      await until(() => !loggersOf(t.pid).length);
      fs.writeFileSync(path.join(world.ws, 'killed'), '');
      await t.waitFor(/AGENT-DONE \d+/);
      await t.exit();
      server.close();
      const id = /session (\S+) \|/.exec(t.output)![1];
      const recs = fs
        .readFileSync(path.join(world.home, '.local', 'state', 'agentguard', 'sessions', `${id}.jsonl`), 'utf8')
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l) as LogRecord);
      const lost = recs.findIndex((r) => r.type === 'anchor-lost');
      expect(lost).toBeGreaterThan(0);
      expect(recs[lost].reason).toMatch(/logger \(pid \d+\) ended by SIGKILL/);
      expect(recs.at(-1)?.type).toBe('session-end');
      expect(t.output).toMatch(/the session log's anchor was lost/);
    } finally {
      world.remove();
    }
  }, 60_000);
});
