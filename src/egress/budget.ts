// Budgets for the egress proxy: what a session may spend on the network before the person is
// asked. Per host, a sliding one-minute window over requests and new tunnels; per session, caps
// on requests to the agent's own model API and on bytes; per day, a cap on bytes that holds
// across sessions through small per-session files in agentguard's state directory (hidden from
// the sandbox). The proxy asks `check()` before it forwards anything and tells `count()` and
// `addBytes()` what went through; the question and the answer are the proxy's. No disk write is
// on a request's path: the day's figures are flushed on a timer and at the end.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Allowlist } from '../net/hosts.js';

export const GIB = 1024 ** 3;

/** Every number is a limit; 0 means off. */
export interface BudgetSettings {
  /** Requests and new tunnels to one host in any minute. */
  ratePerMinute: number;
  /** Requests and tunnels to the agent's model API hosts (its profile's hosts) in one session. */
  maxModelRequests: number;
  /** Bytes sent and received through the proxy in one session. */
  maxSessionBytes: number;
  /** Bytes sent and received by this agent in one day (the machine's local date), over every session. */
  maxDailyBytes: number;
  /** Requests and tunnels to the agent's model API hosts in one day, over every session. */
  maxDailyModelRequests: number;
}

export const DEFAULT_BUDGETS: BudgetSettings = {
  ratePerMinute: 120,
  maxModelRequests: 0,
  // Decimal, as the figures are printed: "5 GB", not "5.4 GB".
  maxSessionBytes: 5e9,
  maxDailyBytes: 20e9,
  maxDailyModelRequests: 0,
};

export type LimitKind = 'rate' | 'model-requests' | 'session-bytes' | 'daily-bytes' | 'daily-model-requests';

/** A limit that was reached, with the figures the person is shown. */
export interface Over {
  limit: LimitKind;
  /** One question per key: requests waiting on the same limit share it. */
  key: string;
  host: string;
  /** The figure that reached the limit (requests in the window or the session, bytes) and the limit. */
  count: number;
  max: number;
  /** "claude has made 500 requests to api.anthropic.com in this session (limit 500); 2.1 GB sent and received today" */
  text: string;
  /** What `y` would allow ("one more minute for api.example.com", "500 more model API requests"). */
  more: string;
  today: { requests: number; bytes: number };
}

const WINDOW_MS = 60_000;

/** A host's requests in the last minute: timestamps in order, read from `head`. */
interface Window {
  times: number[];
  head: number;
  /** `y` on the rate limit: no question for this host until then. */
  graceUntil: number;
}

export interface BudgetOptions {
  /** The agent's profile name ("claude"): the key of the day's figures. */
  agent: string;
  /** How the figures name it (default: `agent`). */
  label?: string;
  /** The profile's hosts: requests to these count towards maxModelRequests. */
  modelHosts: readonly string[];
  /** The day's counters across sessions; absent: the daily cap counts this session only. */
  daily?: DailyStore | null;
  now?: () => number;
}

export class Budget {
  private windows = new Map<string, Window>();
  private modelHosts: Allowlist;
  private modelRequests = 0;
  private sessionBytes = 0;
  /** Limits as they stand: `y` raises a cap by its own size, `a` lifts it (0). */
  private max: BudgetSettings;
  /** The settings as given: the step a `y` adds to a cap. */
  private settingsGiven: BudgetSettings;
  /** Hosts whose rate limit the person lifted (`a`) for the session. */
  private rateOff = new Set<string>();
  private now: () => number;
  private label: string;
  // Bytes of this session, when there is no day store to count them.
  private ownBytes = 0;
  private modelHostCache = new Map<string, boolean>();

  constructor(
    settings: BudgetSettings,
    private opts: BudgetOptions,
  ) {
    this.max = { ...settings };
    this.settingsGiven = { ...settings };
    this.modelHosts = new Allowlist(opts.modelHosts);
    this.now = opts.now ?? Date.now;
    this.label = opts.label ?? opts.agent;
  }

  get settings(): Readonly<BudgetSettings> {
    return this.max;
  }

  /** The first limit this request to `host` would go over, or null. Counts nothing. */
  check(host: string): Over | null {
    const m = this.max;
    if (m.ratePerMinute && !this.rateOff.has(host)) {
      const w = this.windows.get(host);
      if (w) {
        const now = this.now();
        prune(w, now);
        const n = w.times.length - w.head;
        if (n >= m.ratePerMinute && now >= w.graceUntil) {
          return this.over('rate', `rate ${host}`, host, n, m.ratePerMinute, `${this.label} has made ${n} requests to ${host} in the last minute (limit ${m.ratePerMinute} a minute)`, `one more minute for ${host}`);
        }
      }
    }
    if (m.maxModelRequests && this.modelRequests >= m.maxModelRequests && this.isModelHost(host)) {
      return this.over('model-requests', 'model-requests', host, this.modelRequests, m.maxModelRequests, `${this.label} has made ${this.modelRequests} requests to its model API (${host} …) in this session (limit ${m.maxModelRequests})`, `${this.settingsGiven.maxModelRequests} more model API requests`);
    }
    if (m.maxDailyModelRequests && this.isModelHost(host)) {
      const n = this.todayModelRequests();
      if (n >= m.maxDailyModelRequests) {
        return this.over('daily-model-requests', 'daily-model-requests', host, n, m.maxDailyModelRequests, `${this.label} has made ${n} requests to its model API (${host} …) today, over all sessions (limit ${m.maxDailyModelRequests} a day)`, `${this.settingsGiven.maxDailyModelRequests} more model API requests today, for this session`);
      }
    }
    if (m.maxSessionBytes && this.sessionBytes >= m.maxSessionBytes) {
      return this.over('session-bytes', 'session-bytes', host, this.sessionBytes, m.maxSessionBytes, `${this.label} has sent and received ${formatBytes(this.sessionBytes)} in this session (limit ${formatBytes(m.maxSessionBytes)})`, `${formatBytes(this.settingsGiven.maxSessionBytes)} more in this session`);
    }
    if (m.maxDailyBytes) {
      const today = this.today();
      if (today.bytes >= m.maxDailyBytes) {
        return this.over('daily-bytes', 'daily-bytes', host, today.bytes, m.maxDailyBytes, `${this.label} has sent and received ${formatBytes(today.bytes)} today, over all sessions (limit ${formatBytes(m.maxDailyBytes)} a day)`, `${formatBytes(this.settingsGiven.maxDailyBytes)} more today, for this session`);
      }
    }
    return null;
  }

  /** A request or tunnel to `host` went ahead. */
  count(host: string): void {
    const now = this.now();
    if (this.max.ratePerMinute) {
      let w = this.windows.get(host);
      if (!w) this.windows.set(host, (w = { times: [], head: 0, graceUntil: 0 }));
      else prune(w, now);
      w.times.push(now);
    }
    const model = this.isModelHost(host);
    if (model) this.modelRequests++;
    this.opts.daily?.add(this.opts.agent, host, 1, 0);
  }

  /** Bytes that went through for `host` (both ways), as the proxy's record counts them. */
  addBytes(host: string, bytes: number): void {
    if (!(bytes > 0)) return;
    this.sessionBytes += bytes;
    if (this.opts.daily) this.opts.daily.add(this.opts.agent, host, 0, bytes);
    else this.ownBytes += bytes;
  }

  /**
   * The person's answer to `over`: `once` allows one more window (a minute for the rate, the
   * cap's own size again for a cap), `session` lifts that limit for the rest of the session.
   */
  grant(over: Over, answer: 'once' | 'session'): void {
    const m = this.max;
    if (over.limit === 'rate') {
      if (answer === 'session') this.rateOff.add(over.host);
      else {
        const w = this.windows.get(over.host);
        if (w) w.graceUntil = this.now() + WINDOW_MS;
      }
      return;
    }
    const field = ({ 'model-requests': 'maxModelRequests', 'session-bytes': 'maxSessionBytes', 'daily-bytes': 'maxDailyBytes', 'daily-model-requests': 'maxDailyModelRequests' } as const)[over.limit];
    m[field] = answer === 'session' ? 0 : Math.max(m[field], over.count) + this.settingsGiven[field];
  }

  /** This session's figures, and today's for this agent over every session. */
  figures(): { modelRequests: number; sessionBytes: number; today: { requests: number; bytes: number } } {
    return { modelRequests: this.modelRequests, sessionBytes: this.sessionBytes, today: this.today() };
  }

  private today(): { requests: number; bytes: number } {
    return this.opts.daily ? this.opts.daily.total(this.opts.agent) : { requests: 0, bytes: this.ownBytes };
  }

  /** Today's requests to the model API hosts by this agent, over every session (this session's alone without a day store). */
  private todayModelRequests(): number {
    return this.opts.daily ? this.opts.daily.requestsTo(this.opts.agent, (h) => this.isModelHost(h)) : this.modelRequests;
  }

  private isModelHost(host: string): boolean {
    let yes = this.modelHostCache.get(host);
    if (yes === undefined) this.modelHostCache.set(host, (yes = this.modelHosts.has(host)));
    return yes;
  }

  private over(limit: LimitKind, key: string, host: string, count: number, max: number, what: string, more: string): Over {
    const today = this.today();
    const tail = limit === 'daily-bytes' ? '' : `; ${formatBytes(today.bytes)} sent and received today`;
    return { limit, key, host, count, max, text: `${what}${tail}`, more, today };
  }
}

function prune(w: Window, now: number) {
  const t = w.times;
  while (w.head < t.length && now - t[w.head] >= WINDOW_MS) w.head++;
  // Compact now and then, so a long session's window does not keep every timestamp.
  if (w.head > 256 && w.head * 2 > t.length) {
    w.times = t.slice(w.head);
    w.head = 0;
  }
}

/** 2.1 GB, 512 MB, 3.4 kB: decimal units, as people read a download's size. */
export function formatBytes(n: number): string {
  if (n < 1000) return `${n} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let v = n;
  let u = -1;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${v >= 100 ? Math.round(v) : v.toFixed(1).replace(/\.0$/, '')} ${units[u]}`;
}

// ---- the day's figures, across sessions ---------------------------------------------

export interface HostFigures {
  requests: number;
  bytes: number;
}
/** agent → host → figures. */
export type DayFigures = Map<string, Map<string, HostFigures>>;

/** $XDG_STATE_HOME/agentguard/budgets (~/.local/state/agentguard/budgets): hidden inside the sandbox. */
export function budgetsDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(env.XDG_STATE_HOME || path.join(env.HOME || os.homedir(), '.local', 'state'), 'agentguard', 'budgets');
}

/** The machine's local date, YYYY-MM-DD: a person's "today". */
export function dayOf(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

const FLUSH_MS = 5_000;
const KEEP_DAYS = 35;

/**
 * One session's share of the day's figures, in budgets/<day>/<session>.json, and the other
 * sessions' shares read beside it. Each session writes only its own file (a temp file renamed
 * over it), and a reader sums the day's files: concurrent sessions never read-modify-write the
 * same file, so nothing needs a lock and no update is lost; a session that died keeps what it
 * last flushed. The others' files are read again at each flush, so a long session sees a
 * parallel one's spending within seconds.
 */
export class DailyStore {
  private day: string;
  private own: DayFigures = new Map();
  // Per agent, kept as counts arrive: the daily cap reads this on every request.
  private ownTotals = new Map<string, HostFigures>();
  private othersTotals = new Map<string, HostFigures>();
  private others: DayFigures = new Map();
  private dirty = false;
  private timer: NodeJS.Timeout | null = null;
  private now: () => number;

  constructor(
    private dir: string,
    private session: string,
    opts: { now?: () => number; flushMs?: number; timer?: boolean } = {},
  ) {
    this.now = opts.now ?? Date.now;
    this.day = dayOf(this.now());
    this.setDay(this.now());
    this.own = readFile(this.file()) ?? new Map();
    this.ownTotals = totals(this.own);
    this.setOthers(readDay(dir, this.day, session));
    pruneDays(dir, this.now());
    if (opts.timer !== false) {
      this.timer = setInterval(() => this.flush(), opts.flushMs ?? FLUSH_MS);
      this.timer.unref();
    }
  }

  add(agent: string, host: string, requests: number, bytes: number): void {
    this.rollOver();
    let hosts = this.own.get(agent);
    if (!hosts) this.own.set(agent, (hosts = new Map<string, HostFigures>()));
    const f = hosts.get(host);
    if (f) {
      f.requests += requests;
      f.bytes += bytes;
    } else hosts.set(host, { requests, bytes });
    const t = this.ownTotals.get(agent);
    if (t) {
      t.requests += requests;
      t.bytes += bytes;
    } else this.ownTotals.set(agent, { requests, bytes });
    this.dirty = true;
  }

  /** Today's totals for `agent` (every agent without one), this session's and the others'. */
  total(agent?: string): HostFigures {
    this.rollOver();
    const t = { requests: 0, bytes: 0 };
    for (const totals of [this.ownTotals, this.othersTotals]) {
      for (const [a, f] of totals) {
        if (agent !== undefined && a !== agent) continue;
        t.requests += f.requests;
        t.bytes += f.bytes;
      }
    }
    return t;
  }

  private setOthers(f: DayFigures) {
    this.others = f;
    this.othersTotals = totals(f);
  }

  /** Today's requests by `agent` to the hosts `which` accepts, this session's and the others'. */
  requestsTo(agent: string, which: (host: string) => boolean): number {
    this.rollOver();
    let n = 0;
    for (const figures of [this.own, this.others]) for (const [host, f] of figures.get(agent) ?? []) if (which(host)) n += f.requests;
    return n;
  }

  /** Writes this session's figures (when they changed) and reads the other sessions' again. */
  flush(): void {
    this.rollOver();
    if (this.dirty) {
      this.dirty = false;
      writeFile(this.file(), this.day, this.own);
    }
    this.setOthers(readDay(this.dir, this.day, this.session));
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.flush();
  }

  private dayStart = 0;
  private dayEnd = 0;
  private setDay(now: number) {
    const d = new Date(now);
    this.dayStart = new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
    this.dayEnd = new Date(d.getFullYear(), d.getMonth(), d.getDate() + 1).getTime();
  }

  private file(day = this.day): string {
    return path.join(this.dir, day, `${this.session}.json`);
  }

  /** Past midnight, yesterday's figures are written out and today starts at zero. */
  private rollOver() {
    // Asked on every request: a date string only once the day may have changed.
    const now = this.now();
    if (now >= this.dayStart && now < this.dayEnd) return;
    this.setDay(now);
    const day = dayOf(now);
    if (day === this.day) return;
    if (this.dirty) writeFile(this.file(), this.day, this.own);
    this.dirty = false;
    this.day = day;
    this.own = new Map();
    this.ownTotals = new Map();
    this.setOthers(readDay(this.dir, day, this.session));
  }
}

function totals(f: DayFigures): Map<string, HostFigures> {
  const out = new Map<string, HostFigures>();
  for (const [agent, hosts] of f) {
    const t = { requests: 0, bytes: 0 };
    for (const h of hosts.values()) {
      t.requests += h.requests;
      t.bytes += h.bytes;
    }
    out.set(agent, t);
  }
  return out;
}

/** The figures of one day, summed over every session's file (`except` one session). */
export function readDay(dir: string, day: string, except?: string): DayFigures {
  const out: DayFigures = new Map();
  let names: string[];
  try {
    names = fs.readdirSync(path.join(dir, day));
  } catch {
    return out;
  }
  for (const name of names) {
    if (!name.endsWith('.json') || name === `${except}.json`) continue;
    const figures = readFile(path.join(dir, day, name));
    if (!figures) continue;
    for (const [agent, hosts] of figures) {
      let into = out.get(agent);
      if (!into) out.set(agent, (into = new Map<string, HostFigures>()));
      for (const [host, f] of hosts) {
        const was = into.get(host);
        into.set(host, { requests: (was?.requests ?? 0) + f.requests, bytes: (was?.bytes ?? 0) + f.bytes });
      }
    }
  }
  return out;
}

// A file that does not parse or holds something else is skipped: figures, not a decision.
function readFile(file: string): DayFigures | null {
  let data: unknown;
  try {
    data = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
  const counts = (data as { counts?: unknown })?.counts;
  if (!counts || typeof counts !== 'object') return null;
  const out: DayFigures = new Map();
  for (const [agent, hosts] of Object.entries(counts as Record<string, unknown>)) {
    if (!hosts || typeof hosts !== 'object') continue;
    const m = new Map<string, HostFigures>();
    for (const [host, f] of Object.entries(hosts as Record<string, { requests?: unknown; bytes?: unknown }>)) {
      const requests = Number(f?.requests);
      const bytes = Number(f?.bytes);
      if (Number.isFinite(requests) && Number.isFinite(bytes) && requests >= 0 && bytes >= 0) m.set(host, { requests, bytes });
    }
    out.set(agent, m);
  }
  return out;
}

function writeFile(file: string, day: string, figures: DayFigures) {
  const counts: Record<string, Record<string, HostFigures>> = {};
  for (const [agent, hosts] of figures) counts[agent] = Object.fromEntries(hosts);
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify({ version: 1, day, counts }) + '\n', { mode: 0o600 });
    fs.renameSync(tmp, file);
  } catch {
    // The figures are a budget, not the log: a full disk must not take the network down.
  }
}

function pruneDays(dir: string, now: number) {
  let days: string[];
  try {
    days = fs.readdirSync(dir);
  } catch {
    return;
  }
  const oldest = dayOf(now - KEEP_DAYS * 86_400_000);
  for (const d of days) if (/^\d{4}-\d{2}-\d{2}$/.test(d) && d < oldest) fs.rmSync(path.join(dir, d), { recursive: true, force: true });
}

/** Today's figures on this machine, for `sessions` and `doctor`: one line per agent, its busiest hosts named. */
export function todayLines(env: NodeJS.ProcessEnv = process.env, now = Date.now()): string[] {
  const day = dayOf(now);
  const figures = readDay(budgetsDir(env), day);
  const out: string[] = [];
  for (const [agent, hosts] of [...figures].sort(([a], [b]) => a.localeCompare(b))) {
    let requests = 0;
    let bytes = 0;
    for (const f of hosts.values()) {
      requests += f.requests;
      bytes += f.bytes;
    }
    const top = [...hosts].sort(([, a], [, b]) => b.requests - a.requests).slice(0, 3);
    out.push(`${agent}: ${requests} request${requests === 1 ? '' : 's'}, ${formatBytes(bytes)} sent and received (${top.map(([h, f]) => `${h} ${f.requests}`).join(', ')}${hosts.size > 3 ? ` and ${hosts.size - 3} more hosts` : ''})`);
  }
  return out;
}

/**
 * The limits for one session: a flag wins over the person's config.yaml for this agent
 * (`budgets.agents.<name>`), which wins over `budgets:` for every agent, over the defaults.
 */
export function budgetSettings(config: { all: Partial<BudgetSettings>; agents: Record<string, Partial<BudgetSettings>> } | undefined, agent: string | null, flags: Partial<BudgetSettings> = {}): BudgetSettings {
  const perAgent = agent ? config?.agents[agent] : undefined;
  const out = { ...DEFAULT_BUDGETS };
  for (const level of [config?.all, perAgent, flags]) {
    for (const [k, v] of Object.entries(level ?? {}) as [keyof BudgetSettings, number | undefined][]) if (v !== undefined) out[k] = v;
  }
  return out;
}

/** "120/min" for the start line; "off" for 0. */
export function describeBudgets(b: BudgetSettings): string {
  const off = (v: number, f: (v: number) => string) => (v ? f(v) : 'off');
  return `limits: ${off(b.ratePerMinute, (v) => `${v} requests/min per host`)}, model API requests ${off(b.maxModelRequests, (v) => `${v} a session`)}, bytes ${off(b.maxSessionBytes, (v) => `${formatBytes(v)} a session`)}, ${off(b.maxDailyBytes, (v) => `${formatBytes(v)} a day`)}`;
}
