// The budget's accounting (src/egress/budget.ts) with a clock the test moves: the sliding
// window, the caps and what `y` and `a` do to them, and the day's figures in real files.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Budget, budgetSettings, DailyStore, DEFAULT_BUDGETS, dayOf, formatBytes, GIB, readDay, todayLines, type BudgetSettings } from '../../src/egress/budget.js';
import { loadUserConfig, ConfigError } from '../../src/config/user.js';

const base = fs.mkdtempSync(path.join(fs.existsSync('/var/tmp') ? '/var/tmp' : os.tmpdir(), 'agentguard-budget-'));
afterAll(() => fs.rmSync(base, { recursive: true, force: true }));
let n = 0;
const freshDir = () => path.join(base, `d${n++}`);

const OFF: BudgetSettings = { ratePerMinute: 0, maxModelRequests: 0, maxSessionBytes: 0, maxDailyBytes: 0, maxDailyModelRequests: 0 };
// Noon, so that a minute or an hour either way stays on the same local day.
const NOON = new Date(2026, 11, 2, 12, 0, 0).getTime();

function clock(start = NOON) {
  const c = { t: start, now: () => c.t };
  return c;
}

describe('the per-host rate limit', () => {
  it('counts requests per host in a sliding minute and names the figures', () => {
    const c = clock();
    const b = new Budget({ ...OFF, ratePerMinute: 3 }, { agent: 'claude', modelHosts: [], now: c.now });
    for (let i = 0; i < 3; i++) {
      expect(b.check('api.example.com')).toBeNull();
      b.count('api.example.com');
      c.t += 1000;
    }
    const over = b.check('api.example.com');
    expect(over).toMatchObject({ limit: 'rate', key: 'rate api.example.com', count: 3, max: 3 });
    expect(over!.text).toBe('claude has made 3 requests to api.example.com in the last minute (limit 3 a minute); 0 B sent and received today');
    // Another host has its own window.
    expect(b.check('other.example.com')).toBeNull();
    // A minute after the first request, it has left the window.
    c.t = NOON + 60_000;
    expect(b.check('api.example.com')).toBeNull();
  });

  it('y allows one more minute for that host; a lifts the rate limit for that host for the session', () => {
    const c = clock();
    const b = new Budget({ ...OFF, ratePerMinute: 2 }, { agent: 'codex', modelHosts: [], now: c.now });
    b.count('h');
    b.count('h');
    const over = b.check('h')!;
    expect(over.more).toBe('one more minute for h');
    b.grant(over, 'once');
    for (let i = 0; i < 50; i++) {
      expect(b.check('h')).toBeNull();
      b.count('h');
    }
    // Half a minute on, still within the minute granted; when it is over the window is full again.
    c.t += 30_000;
    expect(b.check('h')).toBeNull();
    b.count('h');
    b.count('h');
    c.t += 30_000;
    expect(b.check('h')).toMatchObject({ limit: 'rate', count: 2 });
    b.grant(b.check('h')!, 'session');
    c.t += 60_000;
    for (let i = 0; i < 10; i++) b.count('h');
    expect(b.check('h')).toBeNull();
    // Lifted for that host only.
    b.count('other');
    b.count('other');
    expect(b.check('other')).toMatchObject({ limit: 'rate', host: 'other' });
  });

  it('0 is off', () => {
    const b = new Budget(OFF, { agent: 'claude', modelHosts: [] });
    for (let i = 0; i < 1000; i++) b.count('h');
    expect(b.check('h')).toBeNull();
  });
});

describe('the session caps', () => {
  it('model API requests count only the profile hosts; y allows the cap again, a lifts it', () => {
    const b = new Budget({ ...OFF, maxModelRequests: 2 }, { agent: 'claude', modelHosts: ['api.anthropic.com', '*.claude.ai'] });
    b.count('registry.npmjs.org');
    b.count('api.anthropic.com');
    b.count('x.claude.ai');
    expect(b.check('registry.npmjs.org')).toBeNull();
    const over = b.check('api.anthropic.com')!;
    expect(over).toMatchObject({ limit: 'model-requests', count: 2, max: 2, more: '2 more model API requests' });
    expect(over.text).toMatch(/^claude has made 2 requests to its model API \(api\.anthropic\.com …\) in this session \(limit 2\); /);
    b.grant(over, 'once');
    b.count('api.anthropic.com');
    expect(b.check('api.anthropic.com')).toBeNull();
    b.count('api.anthropic.com');
    expect(b.check('api.anthropic.com')).toMatchObject({ count: 4, max: 4 });
    b.grant(b.check('api.anthropic.com')!, 'session');
    for (let i = 0; i < 100; i++) b.count('api.anthropic.com');
    expect(b.check('api.anthropic.com')).toBeNull();
  });

  it('session bytes: over the cap every host is paused, with the size in the text', () => {
    const b = new Budget({ ...OFF, maxSessionBytes: 1000 }, { agent: 'gemini', modelHosts: [] });
    b.addBytes('a', 600);
    expect(b.check('b')).toBeNull();
    b.addBytes('a', 600);
    const over = b.check('b')!;
    expect(over).toMatchObject({ limit: 'session-bytes', count: 1200, max: 1000 });
    expect(over.text).toBe('gemini has sent and received 1.2 kB in this session (limit 1 kB); 1.2 kB sent and received today');
    b.grant(over, 'once');
    expect(b.check('b')).toBeNull();
    expect(b.settings.maxSessionBytes).toBe(2200);
  });
});

describe('the day, across sessions', () => {
  it('model API requests per day: a second session starts with the first one\'s count, and other hosts do not count', () => {
    const dir = freshDir();
    const c = clock();
    const hosts = ['api.anthropic.com'];
    const a = new DailyStore(dir, 'session-a', { now: c.now, timer: false });
    const budgetA = new Budget({ ...OFF, maxDailyModelRequests: 3 }, { agent: 'claude', modelHosts: hosts, daily: a, now: c.now });
    budgetA.count('api.anthropic.com');
    budgetA.count('api.anthropic.com');
    for (let i = 0; i < 10; i++) budgetA.count('registry.npmjs.org');
    expect(budgetA.check('api.anthropic.com')).toBeNull();
    a.close();
    const b = new DailyStore(dir, 'session-b', { now: c.now, timer: false });
    const budgetB = new Budget({ ...OFF, maxDailyModelRequests: 3 }, { agent: 'claude', modelHosts: hosts, daily: b, now: c.now });
    budgetB.count('api.anthropic.com');
    const over = budgetB.check('api.anthropic.com')!;
    expect(over).toMatchObject({ limit: 'daily-model-requests', count: 3, max: 3 });
    expect(over.text).toMatch(/^claude has made 3 requests to its model API \(api\.anthropic\.com …\) today, over all sessions \(limit 3 a day\)/);
    // Another host is not the model API: not held by this cap.
    expect(budgetB.check('registry.npmjs.org')).toBeNull();
    budgetB.grant(over, 'once');
    expect(budgetB.check('api.anthropic.com')).toBeNull();
    expect(budgetB.settings.maxDailyModelRequests).toBe(6);
    b.close();
  });

  it('two sessions on one day: each writes its own file, each reads the sum, and the daily cap holds', () => {
    const dir = freshDir();
    const c = clock();
    const a = new DailyStore(dir, 'session-a', { now: c.now, timer: false });
    const budgetA = new Budget({ ...OFF, maxDailyBytes: 1000 }, { agent: 'claude', modelHosts: [], daily: a, now: c.now });
    budgetA.count('api.anthropic.com');
    budgetA.addBytes('api.anthropic.com', 700);
    a.close();
    const day = path.join(dir, dayOf(NOON));
    expect(fs.readdirSync(day)).toEqual(['session-a.json']);
    expect(fs.statSync(path.join(day, 'session-a.json')).mode & 0o777).toBe(0o600);

    const b = new DailyStore(dir, 'session-b', { now: c.now, timer: false });
    const budgetB = new Budget({ ...OFF, maxDailyBytes: 1000 }, { agent: 'claude', modelHosts: [], daily: b, now: c.now });
    expect(budgetB.check('x')).toBeNull();
    budgetB.addBytes('x', 400);
    const over = budgetB.check('x')!;
    expect(over).toMatchObject({ limit: 'daily-bytes', count: 1100, max: 1000 });
    expect(over.text).toBe('claude has sent and received 1.1 kB today, over all sessions (limit 1 kB a day)');
    // Another agent's figures are its own.
    const other = new Budget({ ...OFF, maxDailyBytes: 1000 }, { agent: 'codex', modelHosts: [], daily: b, now: c.now });
    expect(other.check('x')).toBeNull();
    b.close();
    expect(readDay(dir, dayOf(NOON)).get('claude')).toEqual(
      new Map([
        ['api.anthropic.com', { requests: 1, bytes: 700 }],
        ['x', { requests: 0, bytes: 400 }],
      ]),
    );
    expect(fs.readdirSync(day).sort()).toEqual(['session-a.json', 'session-b.json']);
  });

  it('a running session sees a parallel session\'s spending at its next flush', () => {
    const dir = freshDir();
    const a = new DailyStore(dir, 'a', { now: () => NOON, timer: false });
    const b = new DailyStore(dir, 'b', { now: () => NOON, timer: false });
    a.add('claude', 'h', 1, 5000);
    expect(b.total('claude').bytes).toBe(0);
    a.flush();
    b.flush();
    expect(b.total('claude')).toEqual({ requests: 1, bytes: 5000 });
  });

  it('nothing is written on a request: only at a flush', () => {
    const dir = freshDir();
    const s = new DailyStore(dir, 'a', { now: () => NOON, timer: false });
    s.add('claude', 'h', 1, 1);
    expect(fs.existsSync(path.join(dir, dayOf(NOON)))).toBe(false);
    s.flush();
    expect(fs.readdirSync(path.join(dir, dayOf(NOON)))).toEqual(['a.json']);
  });

  it('past midnight today starts at zero, and yesterday keeps its figures', () => {
    const dir = freshDir();
    const c = clock(new Date(2026, 11, 2, 23, 59, 0).getTime());
    const s = new DailyStore(dir, 'a', { now: c.now, timer: false });
    s.add('claude', 'h', 1, 100);
    c.t += 120_000;
    expect(s.total('claude')).toEqual({ requests: 0, bytes: 0 });
    s.close();
    expect(readDay(dir, '2026-12-02').get('claude')?.get('h')).toEqual({ requests: 1, bytes: 100 });
    expect(readDay(dir, '2026-12-03').size).toBe(0);
  });

  it('a file that is not figures is skipped, and days older than five weeks are removed', () => {
    const dir = freshDir();
    fs.mkdirSync(path.join(dir, dayOf(NOON)), { recursive: true });
    fs.writeFileSync(path.join(dir, dayOf(NOON), 'broken.json'), '{"counts": {"claude": {"h": {"requests": "lots"}}}');
    fs.writeFileSync(path.join(dir, dayOf(NOON), 'other.json'), JSON.stringify({ counts: { claude: { h: { requests: 2, bytes: 3 } } } }));
    fs.mkdirSync(path.join(dir, '2020-01-01'));
    const s = new DailyStore(dir, 'a', { now: () => NOON, timer: false });
    expect(s.total('claude')).toEqual({ requests: 2, bytes: 3 });
    expect(fs.existsSync(path.join(dir, '2020-01-01'))).toBe(false);
    s.close();
  });

  it("today's lines for sessions and doctor: per agent, busiest hosts first", () => {
    const home = freshDir();
    const env = { HOME: home };
    const s = new DailyStore(path.join(home, '.local/state/agentguard/budgets'), 'a', { timer: false });
    s.add('claude', 'api.anthropic.com', 500, 2.1e9);
    s.add('claude', 'registry.npmjs.org', 3, 1000);
    s.close();
    expect(todayLines(env)).toEqual(['claude: 503 requests, 2.1 GB sent and received (api.anthropic.com 500, registry.npmjs.org 3)']);
  });
});

describe('settings', () => {
  it('a flag wins over the agent in config.yaml, which wins over budgets: for all, over the defaults', () => {
    const config = { all: { ratePerMinute: 60, maxSessionBytes: 1 }, agents: { claude: { ratePerMinute: 30, maxModelRequests: 500 } } };
    expect(budgetSettings(undefined, 'claude')).toEqual(DEFAULT_BUDGETS);
    expect(budgetSettings(config, 'codex')).toEqual({ ...DEFAULT_BUDGETS, ratePerMinute: 60, maxSessionBytes: 1 });
    expect(budgetSettings(config, 'claude')).toEqual({ ...DEFAULT_BUDGETS, ratePerMinute: 30, maxModelRequests: 500, maxSessionBytes: 1 });
    expect(budgetSettings(config, 'claude', { ratePerMinute: 0 })).toMatchObject({ ratePerMinute: 0, maxModelRequests: 500 });
    expect(DEFAULT_BUDGETS).toEqual({ ratePerMinute: 120, maxModelRequests: 0, maxSessionBytes: 5e9, maxDailyBytes: 20e9, maxDailyModelRequests: 0 });
  });

  it('config.yaml budgets: sizes, off, and per agent; a bad size names its line', async () => {
    const dir = freshDir();
    fs.mkdirSync(dir);
    const file = path.join(dir, 'config.yaml');
    fs.writeFileSync(file, 'budgets:\n  rate_per_minute: 200\n  daily_bytes: off\n  agents:\n    claude:\n      model_requests: 500\n      daily_model_requests: 2000\n      session_bytes: 2GiB\n');
    const c = await loadUserConfig(file, dir);
    expect(c?.budgets).toEqual({ all: { ratePerMinute: 200, maxDailyBytes: 0 }, agents: { claude: { maxModelRequests: 500, maxDailyModelRequests: 2000, maxSessionBytes: 2 * GIB } } });
    fs.writeFileSync(file, 'budgets:\n  agents:\n    claude:\n      session_bytes: lots\n');
    await expect(loadUserConfig(file, dir)).rejects.toThrow(/config\.yaml:4: budgets\.agents\.claude\.session_bytes: "lots" is not a size/);
    fs.writeFileSync(file, 'budgets:\n  rate: 5\n');
    await expect(loadUserConfig(file, dir)).rejects.toBeInstanceOf(ConfigError);
  });

  it('sizes are printed as people read them', () => {
    expect([0, 999, 1000, 1500, 2.1e9, 5 * GIB, 123e6].map(formatBytes)).toEqual(["0 B", "999 B", "1 kB", "1.5 kB", "2.1 GB", "5.4 GB", "123 MB"]);
  });
});
