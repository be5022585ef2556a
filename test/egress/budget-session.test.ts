// Budgets in a real session: the fake agent (as an agent profile of its own, so that its
// model API host is a loopback server here) makes requests in a loop from inside the
// sandbox through the bridge and the proxy; the person answers the limit's prompt at a pty.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentResult, BIN, FAKE_AGENT, makeWorld, networkRecords, plain, sandboxWorks, sessionLog, Terminal } from '../session/harness.js';

const hasSandbox = sandboxWorks();
const worlds: ReturnType<typeof makeWorld>[] = [];
let server: http.Server;
let port: number;
const hits: string[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    hits.push(req.url ?? '');
    const big = /^\/bytes\/(\d+)$/.exec(req.url ?? '');
    res.end(big ? Buffer.alloc(Number(big[1]), 120) : `model says ${req.url}\n`);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as net.AddressInfo).port;
});
afterAll(() => {
  server.close();
  for (const w of worlds) w.remove();
});

/** A world where `fakeagent` is an agent with a profile whose model API is the loopback server. */
function agentWorld(name: string) {
  const w = makeWorld(name);
  worlds.push(w);
  const bin = path.join(w.base, 'bin');
  fs.mkdirSync(bin);
  fs.symlinkSync(FAKE_AGENT, path.join(bin, 'fakeagent'));
  const profiles = path.join(w.home, '.config', 'agentguard', 'profiles');
  fs.mkdirSync(profiles, { recursive: true });
  fs.writeFileSync(path.join(profiles, 'fakeagent.yaml'), `name: fakeagent\nprograms: [fakeagent]\nhosts: ["127.0.0.1:${port}"]\n`);
  return { ...w, agent: path.join(bin, 'fakeagent') };
}

/** Requests in a loop from the agent's own process, as its model client would make them: status and body of each. */
const loop = (paths: string[]) =>
  `return ${JSON.stringify(paths)}.map((p) => { const r = spawnSync('curl', ['-sS', '-m', '60', '--noproxy', '', '-w', '\\n%{http_code}', 'http://127.0.0.1:${port}' + p], { encoding: 'utf8' }); const lines = r.stdout.trimEnd().split('\\n'); return [Number(lines.pop()), lines.join('\\n')]; })`;

const LIMIT_PROMPT = /limit reached \([a-z-]+\)/;

function session(w: ReturnType<typeof agentWorld>, flags: string[], code: string) {
  return new Terminal(['shell', '--workspace', w.ws, ...flags, '--', w.agent, 'js', code], { cwd: w.ws, home: w.home });
}

async function result(t: Terminal) {
  return agentResult(await t.waitFor(/AGENT-RESULT [^\r\n]*[\r\n]/, 60_000));
}

describe.skipIf(!hasSandbox)('egress budgets in a sandboxed session', () => {
  it('a loop trips the per-host rate limit: the prompt gives the figures, n gives the agent a 429 with the reason', async () => {
    const w = agentWorld('budget-rate');
    const t = session(w, ['--rate-limit', '3/min'], loop(['/r0', '/r1', '/r2', '/r3', '/r4']));
    await t.waitFor(LIMIT_PROMPT, 60_000);
    const screen = plain(await t.answer('n', 0, LIMIT_PROMPT));
    expect(screen).toMatch(/fakeagent has made 3 requests to 127\.0\.0\.1 in the last\s+minute \(limit 3 a minute\); [\d.]+ k?B sent and received today/);
    expect(screen).toContain(`GET http://127.0.0.1:${port}/r3`);
    expect(screen).toMatch(/\[y\] allow one more minute for 127\.0\.0\.1/);
    const got = (await result(t)).value as [number, string][];
    expect(got.map(([s]) => s)).toEqual([200, 200, 200, 429, 429]);
    expect(got[3][1]).toMatch(/^agentguard: limit reached: fakeagent has made 3 requests to 127\.0\.0\.1 in the last minute \(limit 3 a minute\); .*refused at the prompt/);
    expect(hits).not.toContain('/r3');
    expect(hits).not.toContain('/r4');
    await t.exit();
    // Every pause, answer and refusal is a record; the end lists the limit reached.
    const limits = sessionLog(t.output).filter((r) => r.type === 'limit');
    expect(limits.map((r) => [r.event, r.limit, r.answer ?? null])).toEqual([
      ['pause', 'rate', null],
      ['answer', 'rate', 'deny'],
      ['refuse', 'rate', 'deny'],
      ['refuse', 'rate', 'held'],
    ]);
    expect(limits[0]).toMatchObject({ host: '127.0.0.1', count: 3, max: 3 });
    expect(sessionLog(t.output).find((r) => r.type === 'session-start')).toMatchObject({ budgets: { ratePerMinute: 3, maxModelRequests: 0, maxSessionBytes: 5e9, maxDailyBytes: 20e9 } });
    expect(networkRecords(t.output).filter((r) => r.status === 429).map((r) => r.limit)).toEqual(['rate', 'rate']);
    expect(plain(t.output)).toMatch(/limits reached:\s+3 requests a minute to 127\.0\.0\.1: n/);
  });

  it('the session cap on model API requests: a lets the rest through without asking again', async () => {
    const w = agentWorld('budget-model');
    const t = session(w, ['--max-model-requests', '2', '--rate-limit', 'off'], loop(['/m0', '/m1', '/m2', '/m3', '/m4', '/m5']));
    const screen = plain(await t.answer('a', 0, LIMIT_PROMPT, 60_000));
    expect(screen).toMatch(/fakeagent has made 2 requests to its model API \(127\.0\.0\.1 …\) in this\s+session \(limit 2\)/);
    const got = (await result(t)).value as [number, string][];
    expect(got.map(([s]) => s)).toEqual([200, 200, 200, 200, 200, 200]);
    expect(plain(t.output).match(/limit reached \(model-requests\)/g)).toHaveLength(1);
    await t.exit();
    expect(plain(t.output)).toMatch(/limits reached:\s+2 model API requests: a/);
    expect(t.output).toMatch(/limits: 120 requests\/min per host|limits: off/);
  });

  it('a cap per day holds across two sessions with the same HOME, and `sessions` shows today\'s figures', async () => {
    const w = agentWorld('budget-day');
    const first = session(w, ['--max-egress-bytes-per-day', '1000'], loop(['/bytes/1500']));
    expect(((await result(first)).value as [number, string][])[0][0]).toBe(200);
    await first.exit();
    expect(first.output).not.toMatch(LIMIT_PROMPT);

    const second = session(w, ['--max-egress-bytes-per-day', '1000'], loop(['/d1']));
    const screen = plain(await second.answer('n', 0, LIMIT_PROMPT, 60_000));
    expect(screen).toMatch(/fakeagent has sent and received 1\.5 kB today, over all sessions \(limit 1\s+kB a day\)/);
    const got = (await result(second)).value as [number, string][];
    expect(got[0][0]).toBe(429);
    expect(got[0][1]).toMatch(/--max-egress-bytes-per-day SIZE, or set budgets\.daily_bytes/);
    expect(hits).not.toContain('/d1');
    await second.exit();

    const listed = await new Promise<string>((resolve) => {
      const p = spawn(process.execPath, [BIN, 'sessions'], { cwd: w.ws, env: { PATH: process.env.PATH ?? '', HOME: w.home, NO_COLOR: '1' } });
      let out = '';
      p.stdout.on('data', (d: Buffer) => (out += d.toString()));
      p.on('close', () => resolve(out));
    });
    expect(listed).toMatch(/today through the egress proxy:\s+fakeagent: 1 request, 1\.5 kB sent and received \(127\.0\.0\.1 1\)/);
  });

  it("the day's figures are out of the agent's reach: it can neither read nor lower them", async () => {
    const w = agentWorld('budget-hidden');
    const dir = path.join(w.home, '.local', 'state', 'agentguard', 'budgets', 'old-day');
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    fs.writeFileSync(path.join(dir, 'other.json'), '{"counts":{"fakeagent":{"h":{"requests":1,"bytes":1}}}}\n');
    const code = `const dir = ${JSON.stringify(path.dirname(dir))}; const tries = []; for (const f of [() => fs.readdirSync(dir), () => fs.readFileSync(dir + '/old-day/other.json', 'utf8'), () => fs.writeFileSync(dir + '/old-day/other.json', '{}'), () => fs.rmSync(dir + '/old-day', { recursive: true })]) { try { const got = f(); tries.push(got === undefined ? 'done' : JSON.stringify(got)); } catch (e) { tries.push(e.code); } } return tries`;
    const t = session(w, [], code);
    const tries = (await result(t)).value as string[];
    await t.exit();
    // Inside, the directory is an empty one: nothing to read, and nowhere to write.
    expect(tries[0]).toBe('[]');
    expect(tries.slice(1).map((x) => (x === 'done' ? x : 'refused'))).toEqual(['refused', 'refused', 'refused']);
    expect(fs.readFileSync(path.join(dir, 'other.json'), 'utf8')).toContain('"requests":1');
  });

  it('without a terminal a limit refuses: the agent gets the 429', async () => {
    const w = agentWorld('budget-noterm');
    const out = await new Promise<string>((resolve) => {
      const p = spawn(process.execPath, [BIN, 'shell', '--workspace', w.ws, '--rate-limit', '1', '--', w.agent, 'js', loop(['/n0', '/n1'])], {
        cwd: w.ws,
        env: { PATH: process.env.PATH ?? '', HOME: w.home, NO_COLOR: '1' },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      p.stdin.end();
      let text = '';
      p.stdout.on('data', (d: Buffer) => (text += d.toString()));
      p.stderr.on('data', (d: Buffer) => (text += d.toString()));
      p.on('close', () => resolve(text));
    });
    const got = agentResult(out).value as [number, string][];
    expect(got.map(([s]) => s)).toEqual([200, 429]);
    expect(got[1][1]).toMatch(/limit reached: .*there is no terminal to ask a person/);
    expect(out).not.toMatch(LIMIT_PROMPT);
    expect(sessionLog(out).filter((r) => r.type === 'limit').map((r) => [r.event, r.answer])).toEqual([['refuse', 'no-terminal']]);
  });
});
