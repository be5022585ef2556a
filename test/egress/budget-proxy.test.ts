// The egress proxy with budgets on (src/egress/budget.ts): a real proxy, a real loopback
// server, real HTTP requests and CONNECT tunnels. The person is a function that answers.
import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Budget, type BudgetSettings } from '../../src/egress/budget.js';
import { startProxy, type EgressAnswer, type EgressRecord, type LimitAsk, type LimitEvent } from '../../src/egress/proxy.js';

let upstream: http.Server;
let port: number;
let served = 0;

beforeAll(async () => {
  upstream = http.createServer((req, res) => {
    served++;
    const big = /^\/bytes\/(\d+)$/.exec(req.url ?? '');
    res.end(big ? Buffer.alloc(Number(big[1]), 120) : `hello ${req.url}\n`);
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  port = (upstream.address() as net.AddressInfo).port;
});
afterAll(() => upstream.close());

const OFF: BudgetSettings = { ratePerMinute: 0, maxModelRequests: 0, maxSessionBytes: 0, maxDailyBytes: 0, maxDailyModelRequests: 0 };

/** A proxy with these limits; `answer` is the person (null: no terminal). */
async function proxyWith(settings: Partial<BudgetSettings>, answer: ((q: LimitAsk) => Promise<EgressAnswer>) | null, modelHosts: string[] = []) {
  const records: EgressRecord[] = [];
  const events: LimitEvent[] = [];
  const asked: LimitAsk[] = [];
  const budget = new Budget({ ...OFF, ...settings }, { agent: 'tester', modelHosts });
  const proxy = await startProxy({
    port: 0,
    allow: [`127.0.0.1:${port}`],
    budget,
    askLimit: answer ? (q) => (asked.push(q), answer(q)) : null,
    onLimit: (e) => events.push(e),
    onRecord: (r) => records.push(r),
  });
  const get = (p: string) =>
    new Promise<{ status: number; body: string; retryAfter?: string }>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: proxy.port!, path: `http://127.0.0.1:${port}${p}`, agent: false }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode!, body, retryAfter: res.headers['retry-after'] }));
      });
      req.on('error', reject);
      req.end();
    });
  /** A CONNECT tunnel's status line. */
  const tunnel = () =>
    new Promise<string>((resolve, reject) => {
      const s = net.connect(proxy.port!, '127.0.0.1', () => s.write(`CONNECT 127.0.0.1:${port} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`));
      let got = '';
      s.on('data', (d) => {
        got += d.toString();
        if (got.includes('\r\n\r\n')) {
          s.destroy();
          resolve(got);
        }
      });
      s.on('error', reject);
    });
  return { proxy, budget, records, events, asked, get, tunnel, close: () => proxy.close() };
}

const say = (a: EgressAnswer) => () => Promise.resolve(a);

describe('the per-host rate limit in the proxy', () => {
  it('a loop of requests is paused past the limit; n gives the agent a 429 with the figures and holds without asking again', async () => {
    const p = await proxyWith({ ratePerMinute: 3 }, say('deny'));
    const before = served;
    const got = [];
    for (let i = 0; i < 6; i++) got.push(await p.get(`/loop/${i}`));
    expect(got.map((g) => g.status)).toEqual([200, 200, 200, 429, 429, 429]);
    expect(served - before).toBe(3);
    expect(got[3].body).toMatch(/^agentguard: limit reached: tester has made 3 requests to 127\.0\.0\.1 in the last minute \(limit 3 a minute\); [\d.]+ B sent and received today; refused at the prompt .*--rate-limit N\/min, or set budgets\.rate_per_minute/);
    expect(got[4].body).toMatch(/refused at the prompt less than a minute ago/);
    expect(got[3].retryAfter).toBe('60');
    // One question, with the figures and the request that waits.
    expect(p.asked).toHaveLength(1);
    expect(p.asked[0]).toMatchObject({ host: '127.0.0.1', method: 'GET', url: `http://127.0.0.1:${port}/loop/3`, over: { limit: 'rate', count: 3, max: 3, more: 'one more minute for 127.0.0.1' } });
    expect(p.events.map((e) => [e.event, e.answer ?? null])).toEqual([
      ['pause', null],
      ['answer', 'deny'],
      ['refuse', 'deny'],
      ['refuse', 'held'],
      ['refuse', 'held'],
    ]);
    expect(p.records.filter((r) => r.status === 429).map((r) => [r.decision, r.limit, r.limitAnswer])).toEqual([
      ['deny', 'rate', 'deny'],
      ['deny', 'rate', 'held'],
      ['deny', 'rate', 'held'],
    ]);
    await p.close();
  });

  it('new tunnels count too, and a refused CONNECT gets 429', async () => {
    const p = await proxyWith({ ratePerMinute: 2 }, say('deny'));
    expect(await p.tunnel()).toMatch(/^HTTP\/1\.1 200/);
    expect(await p.tunnel()).toMatch(/^HTTP\/1\.1 200/);
    const refused = await p.tunnel();
    expect(refused).toMatch(/^HTTP\/1\.1 429 Too Many Requests\r\n/);
    expect(refused).toContain('Retry-After: 60');
    await p.close();
  });

  it('requests that hit the limit at once share one question, and y lets them all through', async () => {
    let release!: () => void;
    const answered = new Promise<void>((r) => (release = r));
    const p = await proxyWith({ ratePerMinute: 1 }, async () => {
      await answered;
      return 'once';
    });
    expect((await p.get('/first')).status).toBe(200);
    const waiting = Promise.all([1, 2, 3, 4, 5].map((i) => p.get(`/burst/${i}`)));
    // All five are over the limit before the person answers.
    for (let i = 0; i < 100 && p.asked.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    release();
    expect((await waiting).map((g) => g.status)).toEqual([200, 200, 200, 200, 200]);
    expect(p.asked).toHaveLength(1);
    expect(p.events.filter((e) => e.event === 'pause')).toHaveLength(1);
    await p.close();
  });

  it('without a terminal a limit refuses, and says so', async () => {
    const p = await proxyWith({ ratePerMinute: 1 }, null);
    expect((await p.get('/a')).status).toBe(200);
    const r = await p.get('/b');
    expect(r.status).toBe(429);
    expect(r.body).toMatch(/limit reached: .*there is no terminal to ask a person/);
    expect(p.records.at(-1)).toMatchObject({ limit: 'rate', limitAnswer: 'no-terminal', status: 429 });
    await p.close();
  });
});

describe('the session caps in the proxy', () => {
  it('model API requests: a lifts the cap for the rest of the session', async () => {
    const p = await proxyWith({ maxModelRequests: 2 }, say('session'), ['127.0.0.1']);
    const got = [];
    for (let i = 0; i < 6; i++) got.push((await p.get(`/model/${i}`)).status);
    expect(got).toEqual([200, 200, 200, 200, 200, 200]);
    expect(p.asked).toHaveLength(1);
    expect(p.asked[0].over.text).toMatch(/^tester has made 2 requests to its model API \(127\.0\.0\.1 …\) in this session \(limit 2\)/);
    expect(p.budget.figures().modelRequests).toBe(6);
    await p.close();
  });

  it('model API requests: y allows the cap again, then it asks again', async () => {
    const answers: EgressAnswer[] = ['once', 'deny'];
    const p = await proxyWith({ maxModelRequests: 2 }, () => Promise.resolve(answers.shift()!), ['127.0.0.1']);
    const got = [];
    for (let i = 0; i < 5; i++) got.push((await p.get(`/m/${i}`)).status);
    expect(got).toEqual([200, 200, 200, 200, 429]);
    expect(p.asked.map((q) => q.over.max)).toEqual([2, 4]);
    await p.close();
  });

  it("session bytes: an open tunnel's bytes count while it lasts, once", async () => {
    const p = await proxyWith({ maxSessionBytes: 4000 }, say('deny'));
    // A keep-alive tunnel, as a model client holds one open for a whole session.
    const s = net.connect(p.proxy.port!, '127.0.0.1', () => s.write(`CONNECT 127.0.0.1:${port} HTTP/1.1\r\nHost: x\r\n\r\n`));
    let got = 0;
    let established = false;
    s.on('data', (d: Buffer) => {
      if (!established && d.toString('latin1').includes('200 Connection Established')) {
        established = true;
        s.write('GET /bytes/5000 HTTP/1.1\r\nHost: x\r\n\r\n');
      } else got += d.length;
    });
    for (let i = 0; i < 500 && (got < 5000 || p.budget.figures().sessionBytes < 5000); i++) await new Promise((r) => setTimeout(r, 10));
    expect(p.records).toEqual([]);
    const r = await p.get('/while-open');
    expect(r.status).toBe(429);
    expect(p.asked[0].over.limit).toBe('session-bytes');
    const whileOpen = p.budget.figures().sessionBytes;
    s.destroy();
    for (let i = 0; i < 200 && p.records.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
    const tunnel = p.records.find((x) => x.method === 'CONNECT')!;
    expect(p.budget.figures().sessionBytes).toBe(tunnel.bytesUp + tunnel.bytesDown);
    expect(whileOpen).toBeLessThanOrEqual(tunnel.bytesUp + tunnel.bytesDown);
    await p.close();
  });

  it('session bytes: the bytes of finished requests count, and the prompt gives them', async () => {
    const p = await proxyWith({ maxSessionBytes: 1000 }, say('deny'));
    expect((await p.get('/bytes/1500')).status).toBe(200);
    // The record (and so the count) is written when the response has ended.
    for (let i = 0; i < 100 && p.records.length < 1; i++) await new Promise((r) => setTimeout(r, 10));
    const r = await p.get('/after');
    expect(r.status).toBe(429);
    expect(p.asked[0].over).toMatchObject({ limit: 'session-bytes', count: 1500, max: 1000 });
    expect(r.body).toContain('tester has sent and received 1.5 kB in this session (limit 1 kB)');
    await p.close();
  });
});
