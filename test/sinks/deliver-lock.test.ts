// The delivery process's lock (sink-spool/deliver.pid) after that process died without removing
// it (SIGKILL, OOM, a reboot): once its pid is reused by another process, checks and hooks must
// not believe a delivery is running, or their network sinks' records stay spooled for good.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { takeLock } from '../../src/sinks/deliver.js';
import { deliveryRunning } from '../../src/sinks/spool.js';
import { BIN, makeWorld } from '../session/harness.js';
import { freeTcpPort, until } from './helpers.js';

const base = fs.mkdtempSync(path.join(fs.existsSync('/var/tmp') ? '/var/tmp' : os.tmpdir(), 'agentguard-lock-'));
afterAll(() => fs.rmSync(base, { recursive: true, force: true }));

describe('the delivery lock', () => {
  it('names its holder by pid and start time: a live pid with another start time is a stale lock', () => {
    const lock = path.join(base, 'deliver.pid');
    // This test's own pid stands for a reused one: alive, but not started when the lock was written.
    fs.writeFileSync(lock, `${process.pid} 1`);
    expect(deliveryRunning(lock)).toBe(false);
    expect(takeLock(lock)).toBe(true);
    expect(fs.readFileSync(lock, 'utf8')).toMatch(new RegExp(`^${process.pid} \\d+$`));
    expect(deliveryRunning(lock)).toBe(true);
  });
});

describe('the delivery process, with the config directory elsewhere (XDG_CONFIG_HOME)', () => {
  it("seals the loss it writes to check's daily log with the person's key, and creates none in ~/.config", async () => {
    const world = makeWorld('deliver-key');
    try {
      const closed = await freeTcpPort();
      const config = path.join(world.base, 'xdg-config');
      const state = path.join(world.base, 'xdg-state');
      fs.mkdirSync(path.join(config, 'agentguard'), { recursive: true });
      fs.writeFileSync(path.join(config, 'agentguard', 'config.yaml'), `log:\n  anchor: none\n  sinks: ["tcp://127.0.0.1:${closed}"]\n`);
      const env = { ...process.env, HOME: world.home, XDG_CONFIG_HOME: config, XDG_STATE_HOME: state };
      expect(spawnSync(process.execPath, [BIN, 'check', '--', 'git status'], { cwd: world.ws, env, encoding: 'utf8' }).status).toBe(0);
      const sessions = path.join(state, 'agentguard', 'sessions');
      const daily = () => {
        const f = fs.readdirSync(sessions).find((n) => n.startsWith('check-'));
        return f ? fs.readFileSync(path.join(sessions, f), 'utf8') : '';
      };
      await until('the loss is in the daily log', () => daily().includes('"type":"sink-loss"'), 20_000);
      expect(fs.existsSync(path.join(world.home, '.config', 'agentguard', 'log.key'))).toBe(false);
      const v = spawnSync(process.execPath, [BIN, 'log', 'verify', '--all', '--json'], { cwd: world.ws, env, encoding: 'utf8' });
      const verdicts = v.stdout.trim().split('\n').map((l) => JSON.parse(l) as { session: string; verdict: string; keyed: string });
      expect(verdicts.find((x) => x.session.startsWith('check-'))).toMatchObject({ verdict: 'unanchored', keyed: 'keyed' });
    } finally {
      world.remove();
    }
  }, 60_000);
});

describe('the loss the delivery process writes to a daily log', () => {
  it('is anchored like the record it reports on', async () => {
    const world = makeWorld('deliver-anchor');
    const server = net.createServer((c) => c.on('data', (d) => heads.push(d.toString())));
    const heads: string[] = [];
    try {
      const socket = path.join(world.base, 'log.sock');
      await new Promise<void>((r) => server.listen(socket, r));
      const closed = await freeTcpPort();
      const config = path.join(world.home, '.config', 'agentguard');
      fs.mkdirSync(config, { recursive: true });
      fs.writeFileSync(path.join(config, 'config.yaml'), `log:\n  anchor: syslog\n  syslog:\n    socket: ${socket}\n  sinks: ["tcp://127.0.0.1:${closed}"]\n`);
      const env = { ...process.env, HOME: world.home, XDG_CONFIG_HOME: '', XDG_STATE_HOME: '' };
      expect(spawnSync(process.execPath, [BIN, 'check', '--', 'git status'], { cwd: world.ws, env, encoding: 'utf8' }).status).toBe(0);
      const sessions = path.join(world.home, '.local', 'state', 'agentguard', 'sessions');
      const id = `check-${new Date().toISOString().slice(0, 10)}`;
      await until('the loss is in the daily log', () => fs.existsSync(path.join(sessions, `${id}.jsonl`)) && fs.readFileSync(path.join(sessions, `${id}.jsonl`), 'utf8').includes('"type":"sink-loss"'), 20_000);
      await until("the loss record's head", () => heads.join('').includes(`session=${id} seq=1 `), 20_000);
    } finally {
      server.close();
      world.remove();
    }
  }, 60_000);
});
