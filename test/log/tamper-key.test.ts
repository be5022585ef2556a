// The log key: created once however many processes race for it, refused when others could
// read it or it is not a key (the record is still written, unkeyed, and verify says so), and
// never visible inside the sandbox.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadLogKey } from '../../src/log/key.js';
import type { LogRecord } from '../../src/log/store.js';
import type { VerifyResult } from '../../src/log/verify.js';
import { agentResult, BIN, FAKE_AGENT, makeWorld, ROOT, sandboxWorks, Terminal } from '../session/harness.js';

const world = makeWorld('logkey');
const configDir = path.join(world.home, '.config', 'agentguard');
const keyFile = path.join(configDir, 'log.key');
const sessions = path.join(world.home, '.local', 'state', 'agentguard', 'sessions');
afterAll(() => world.remove());

function cli(...args: string[]) {
  return spawnSync(process.execPath, [BIN, ...args], { cwd: world.ws, env: { PATH: process.env.PATH ?? '', HOME: world.home, NO_COLOR: '1' }, encoding: 'utf8' });
}

describe('the log key', () => {
  beforeAll(() => {
    fs.mkdirSync(configDir, { recursive: true, mode: 0o700 });
    fs.writeFileSync(path.join(configDir, 'config.yaml'), 'log:\n  anchor: none\n');
  });

  it('eight processes creating it at once end with one key, 0600 in a 0700 directory', async () => {
    const fresh = path.join(world.base, 'race', 'agentguard', 'log.key');
    const code = `import(${JSON.stringify(path.join(ROOT, 'dist/log/key.js'))}).then((m) => { const k = m.loadLogKey(process.argv[1]); process.stdout.write(k.ok ? k.id : 'REFUSED ' + k.problem); })`;
    const ids = await Promise.all(
      Array.from({ length: 8 }, () => new Promise<string>((resolve) => {
        const c = spawn(process.execPath, ['-e', code, fresh], { stdio: ['ignore', 'pipe', 'inherit'] });
        let out = '';
        c.stdout.on('data', (d: Buffer) => (out += d.toString()));
        c.on('exit', () => resolve(out));
      })),
    );
    expect(ids[0]).toMatch(/^[0-9a-f]{16}$/);
    expect(new Set(ids)).toEqual(new Set([ids[0]]));
    expect(fs.statSync(fresh).mode & 0o777).toBe(0o600);
    expect(fs.statSync(fresh).size).toBe(32);
    expect(fs.statSync(path.dirname(fresh)).mode & 0o777).toBe(0o700);
    expect(fs.readdirSync(path.dirname(fresh))).toEqual(['log.key']);
  });

  it('a key others can read is refused: the check still answers, its record is written unkeyed, and verify says so', () => {
    expect(cli('check', '--', 'ls').status).toBe(0);
    expect(loadLogKey(keyFile).ok).toBe(true);
    fs.chmodSync(keyFile, 0o644);
    try {
      const r = cli('check', '--', 'git status');
      expect(r.status).toBe(0);
      expect(r.stderr).toMatch(/log key refused: .*log\.key: is readable or writable by others \(mode 644\)/);
      const id = `check-${new Date().toISOString().slice(0, 10)}`;
      const recs = fs.readFileSync(path.join(sessions, `${id}.jsonl`), 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as LogRecord);
      expect(recs.map((x) => typeof x.mac)).toEqual(['string', 'undefined']);
      expect(recs[1].keyProblem).toMatch(/readable or writable by others/);
      const v = JSON.parse(cli('log', 'verify', id, '--json').stdout) as VerifyResult;
      expect(v).toMatchObject({ verdict: 'unanchored' });
      expect(v.notes.join(' ')).toMatch(/1 record \(first #1\) written without a MAC while the key was refused: .*readable or writable by others/);
    } finally {
      fs.chmodSync(keyFile, 0o600);
    }
  });

  it('a file of the wrong size is not a key', () => {
    const odd = path.join(world.base, 'odd', 'log.key');
    fs.mkdirSync(path.dirname(odd), { mode: 0o700 });
    fs.writeFileSync(odd, 'short', { mode: 0o600 });
    const k = loadLogKey(odd);
    expect(k.ok).toBe(false);
    expect(!k.ok && k.problem).toMatch(/holds 5 bytes, not 32/);
  });

  // The second case keeps the key outside ~/.config, where only the sandbox plan's own mask
  // covers it (the @credential-paths entry names the default place).
  it.skipIf(!sandboxWorks()).each([
    ['in ~/.config', {}],
    ['under $XDG_CONFIG_HOME', { XDG_CONFIG_HOME: path.join(world.base, 'xdg') }],
  ])('a sandboxed agent cannot read it (%s)', async (_where, env: Record<string, string>) => {
    const dir = path.join(env.XDG_CONFIG_HOME ?? path.join(world.home, '.config'), 'agentguard');
    const t = new Terminal(['shell', '--workspace', world.ws, '--', process.execPath, FAKE_AGENT, 'js', `return fs.readFileSync(${JSON.stringify(path.join(dir, 'log.key'))}).length`], { cwd: world.ws, home: world.home, env });
    await t.waitFor(/AGENT-DONE/);
    await t.exit();
    expect(t.output).toMatch(/sandbox: writes only to/);
    // It exists outside (the session made it before the sandbox started), and inside it is a nodev /dev/null.
    expect(fs.statSync(path.join(dir, 'log.key')).size).toBe(32);
    expect(agentResult(t.output)).toEqual({ ok: false, error: 'EACCES' });
  });
});
