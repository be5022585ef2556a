// The egress proxy: the sandboxed agent's only way out. It runs in the session, outside the
// sandbox, on a unix socket the sandbox reaches through the bridge (bridge.c). Plain HTTP
// is forwarded by absolute URI, TLS and anything else by CONNECT tunnels (and Upgrade).
// It decides per request: the allowlist, then the person (ask), then the resolved address,
// which must not be private, loopback or metadata unless the configuration names it. It
// connects to the address it checked, never the name again, and streams bodies with pipe().
import { spawn, type ChildProcess } from 'node:child_process';
import dns from 'node:dns';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { specialAddress } from './addresses.js';
import { Allowlist, canonicalHost } from '../net/hosts.js';
import { connectRelay, join, READ_BUFFER_SIZE, type Joined, type Relay } from './relay.js';
import type { Budget, LimitKind, Over } from './budget.js';

/**
 * bridge.c, built by `npm install` beside the shim: the bridge in front of the agent inside
 * the sandbox (session.ts), and with --relay the splice relay. A CONNECT tunnel from the
 * sandbox that has carried HAND_OFF_BYTES is handed to the relay, so the rest of an https
 * download moves kernel to kernel instead of through JavaScript. In a session every byte
 * also crosses the bridge and a unix socket; with both hops in C a download measured about
 * half the speed of a direct loopback transfer, against 0.4x with this hop in Node
 * (bench/egress.js, 2 cores).
 */
export const BRIDGE_BINARY = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../build/Release/agentguard-bridge');
const HAND_OFF_BYTES = 1 << 20;

export type EgressAnswer = 'once' | 'session' | 'deny' | 'timeout';

export interface EgressAsk {
  host: string;
  port: number;
  method: string;
  /** The full URL, for plain HTTP (a CONNECT tunnel shows only host and port). */
  url?: string;
}

export interface EgressRecord {
  host: string;
  port: number;
  method: string;
  /** Path and query, for plain HTTP only (inside a tunnel the proxy sees nothing). */
  path?: string;
  /** Body bytes for plain HTTP; everything through the tunnel for CONNECT and Upgrade. */
  bytesUp: number;
  bytesDown: number;
  decision: 'allow' | 'deny';
  /** The allowlist entry that let it through, or "session" when the person allowed it for the session. */
  entry?: string;
  /** The person's answer, when asked; "no-terminal" when it would have asked but nobody can answer. */
  answer?: EgressAnswer | 'no-terminal';
  /** Why it was refused, or what failed after it was allowed (a 502). */
  reason?: string;
  /** The address connected to. */
  address?: string;
  /** Status sent to the client: the upstream's, or the proxy's own 400/403/429/502. */
  status?: number;
  /** Refused at a budget limit (a 429): which one, and the person's answer (or no-terminal). */
  limit?: LimitKind;
  limitAnswer?: LimitAnswer;
  ms: number;
}

/** The answer that settled a request over a limit; `held` is a refusal still in force from an earlier `n`. */
export type LimitAnswer = EgressAnswer | 'no-terminal' | 'held' | 'error';

/** A request over a budget limit, as the person is asked about it. */
export interface LimitAsk extends EgressAsk {
  over: Over;
}

/**
 * A limit's log events: `pause` when the traffic over it stops and the person is asked (one
 * per question, however many requests wait on it), `answer` when that question is settled,
 * `refuse` for each request refused at it.
 */
export interface LimitEvent {
  event: 'pause' | 'answer' | 'refuse';
  limit: LimitKind;
  host: string;
  port: number;
  method: string;
  count: number;
  max: number;
  text: string;
  today: { requests: number; bytes: number };
  answer?: LimitAnswer;
}

export type EgressLookup = (hostname: string) => Promise<{ address: string; family: number }[]>;

export interface ProxyOptions {
  /** Unix socket to listen on (made mode 0600; a stale socket there is replaced). */
  socketPath?: string;
  /** Also listen on 127.0.0.1:port (0: any free port), for tests and benches. */
  port?: number;
  /** Allowlist entries: host, *.suffix, host:port, [v6]:port (see egressAllowlist()). */
  allow: readonly string[];
  /** Asks the person about a host not on the list; absent when there is no terminal (refuse). */
  ask?: ((q: EgressAsk) => Promise<EgressAnswer>) | null;
  /** Called once per request when it ends, whatever the decision. */
  onRecord?: (r: EgressRecord) => void;
  /** Name resolution (default: the system resolver). Tests simulate DNS answers with it. */
  lookup?: EgressLookup;
  /** Per-address connect timeout (default 15 s). */
  connectTimeoutMs?: number;
  /** Hand CONNECT tunnels to the splice relay when it is built (default true). */
  spliceTunnels?: boolean;
  /** Budgets (budget.ts), checked before a request is forwarded or a tunnel opened; absent: none. */
  budget?: Budget | null;
  /** Asks the person about traffic over a limit; absent when there is no terminal (refuse with 429). */
  askLimit?: ((q: LimitAsk) => Promise<EgressAnswer>) | null;
  /** Every pause, answer and refusal at a limit. */
  onLimit?: (e: LimitEvent) => void;
}

export interface EgressProxy {
  readonly socketPath: string | null;
  readonly port: number | null;
  /** Entries of opts.allow that could not be read (they allow nothing). */
  readonly ignored: readonly string[];
  /**
   * Adds an entry for the rest of the session, as the answer "session" does; the static
   * policy calls it when the person allows a command's host, so the proxy does not ask again.
   * Like any approval, it does not open private or metadata addresses. false if unreadable.
   */
  allowHost(entry: string): boolean;
  close(): Promise<void>;
}

const LISTS_FILE = '~/.config/agentguard/rules/lists.yaml';
// Headers that describe one connection, not the message (RFC 9110 §7.6.1), and the proxy's own.
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade']);
const RETRYABLE = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'ETIMEDOUT', 'EAFNOSUPPORT']);

interface Target {
  host: string;
  port: number;
  method: string;
  url?: string;
}

type Verdict =
  | { ok: true; addresses: string[]; entry?: string; answer?: EgressAnswer }
  | { ok: false; decision: 'allow' | 'deny'; status: number; reason: string; answer?: EgressAnswer | 'no-terminal'; entry?: string; limit?: LimitKind; limitAnswer?: LimitAnswer };

/** How often open tunnels' bytes are added to the budget. */
const LIVE_SWEEP_MS = 1000;
/** How long an `n` (or no answer) at a limit holds: requests over it meanwhile are refused without a question. */
const LIMIT_HOLD_MS = 60_000;
/** Where each limit is set, for the refusal's advice. */
const LIMIT_SETTING: Record<LimitKind, string> = {
  rate: '--rate-limit N/min, or set budgets.rate_per_minute',
  'model-requests': '--max-model-requests N, or set budgets.model_requests',
  'session-bytes': '--max-egress-bytes SIZE, or set budgets.session_bytes',
  'daily-bytes': '--max-egress-bytes-per-day SIZE, or set budgets.daily_bytes',
  'daily-model-requests': '--max-model-requests-per-day N, or set budgets.daily_model_requests',
};

export async function startProxy(opts: ProxyOptions): Promise<EgressProxy> {
  if (!opts.socketPath && opts.port === undefined) throw new Error('startProxy: give a socketPath, a port, or both');
  const proxy = new Proxy(opts);
  await proxy.listen();
  return proxy;
}

class Proxy implements EgressProxy {
  socketPath: string | null;
  port: number | null = null;
  ignored: readonly string[];
  private allow: Allowlist;
  private server: http.Server;
  private tcp: net.Server | null = null;
  // Upstream keep-alive: a pooled socket belongs to an address that was checked.
  private agent = new LargeReadAgent({ keepAlive: true, scheduling: 'lifo' });
  private sockets = new Set<net.Socket>();
  private relays = new Set<ChildProcess>();
  private viaTcp = new WeakSet<net.Socket>();
  private spliceRelay: string | null;
  // Requests for the same host:port while the person is being asked share the one prompt.
  private asking = new Map<string, Promise<EgressAnswer | Error>>();
  private lookup: EgressLookup;
  // Requests over the same limit while the person is being asked share the one question.
  private limitAsking = new Map<string, Promise<EgressAnswer | Error>>();
  // Limits refused at the prompt: until then, requests over them are refused without asking again.
  private limitHeld = new Map<string, { until: number; answer: EgressAnswer }>();
  // Open tunnels and what of their bytes the budget has: a keep-alive tunnel to the model API
  // can last the whole session, so its bytes are added as they go, not only at its end.
  private live = new Map<EgressRecord, { counted: () => { bytesUp: number; bytesDown: number }; reported: number }>();
  private sweep: NodeJS.Timeout | null = null;

  constructor(private opts: ProxyOptions) {
    this.socketPath = opts.socketPath ?? null;
    this.spliceRelay = opts.spliceTunnels !== false && fs.existsSync(BRIDGE_BINARY) ? BRIDGE_BINARY : null;
    this.allow = new Allowlist(opts.allow);
    this.ignored = this.allow.ignored;
    this.lookup = opts.lookup ?? ((h) => dns.promises.lookup(h, { all: true, verbatim: true }));
    if (opts.budget) {
      this.sweep = setInterval(() => this.sweepLive(), LIVE_SWEEP_MS);
      this.sweep.unref();
    }
    // No request timeout: a long upload through the proxy is legitimate.
    this.server = http.createServer({ requestTimeout: 0 });
    this.server.on('request', (req, res) => void this.onRequest(req, res));
    this.server.on('connect', (req, socket, head) => void this.onTunnel(req, socket as net.Socket, head, 'connect'));
    this.server.on('upgrade', (req, socket, head) => void this.onTunnel(req, socket as net.Socket, head, 'upgrade'));
    this.server.on('connection', (s: net.Socket) => this.track(s));
    this.server.on('clientError', (err, socket) => {
      if (socket.writable) socket.end(rawResponse(400, `agentguard: malformed proxy request (${err.message})`));
      else socket.destroy();
    });
  }

  async listen(): Promise<void> {
    if (this.socketPath) {
      removeStaleSocket(this.socketPath);
      await new Promise<void>((resolve, reject) => {
        this.server.once('error', reject);
        this.server.listen(this.socketPath!, () => {
          this.server.off('error', reject);
          resolve();
        });
      });
      fs.chmodSync(this.socketPath, 0o600);
    }
    if (this.opts.port !== undefined) {
      // The TCP listener hands its connections to the same HTTP server.
      const tcp = net.createServer({ noDelay: true }, (s) => {
        this.viaTcp.add(s);
        this.server.emit('connection', s);
      });
      await new Promise<void>((resolve, reject) => {
        tcp.once('error', reject);
        tcp.listen(this.opts.port, '127.0.0.1', () => {
          tcp.off('error', reject);
          resolve();
        });
      });
      this.tcp = tcp;
      this.port = (tcp.address() as net.AddressInfo).port;
    }
  }

  allowHost(entry: string): boolean {
    return this.allow.add(entry) !== null;
  }

  async close(): Promise<void> {
    if (this.sweep) clearInterval(this.sweep);
    const closing = [new Promise<void>((r) => this.server.close(() => r()))];
    if (this.tcp) closing.push(new Promise<void>((r) => this.tcp!.close(() => r())));
    for (const s of this.sockets) s.destroy();
    for (const r of this.relays) r.kill('SIGKILL');
    this.agent.destroy();
    await Promise.all(closing);
    if (this.socketPath) fs.rmSync(this.socketPath, { force: true });
  }

  private track(s: net.Socket) {
    this.sockets.add(s);
    s.once('close', () => this.sockets.delete(s));
  }

  private record(r: EgressRecord) {
    const already = this.live.get(r)?.reported ?? 0;
    this.live.delete(r);
    if (r.decision === 'allow') this.opts.budget?.addBytes(r.host, r.bytesUp + r.bytesDown - already);
    try {
      this.opts.onRecord?.(r);
    } catch {
      // The log's trouble must not take the network down with it.
    }
  }

  // ---- the decision ---------------------------------------------------------

  private async decide(t: Target): Promise<Verdict> {
    const deny = (reason: string, answer?: EgressAnswer | 'no-terminal', entry?: string): Verdict => ({ ok: false, decision: 'deny', status: 403, reason, answer, entry });
    const configured = () => this.allow.configuredExactly(t.host, t.port);
    if (net.isIP(t.host)) {
      // A private literal needs no DNS and no prompt to refuse: an answer could not open it.
      const special = specialAddress(t.host);
      if (special && !configured()) return deny(privateRefusal(t.host, t.host, special));
    }
    const entry = this.allow.match(t.host, t.port);
    let answer: EgressAnswer | undefined;
    if (!entry) {
      if (!this.opts.ask) {
        return deny(`agentguard: ${t.host} is not on the egress allowlist and there is no terminal to ask a person; to allow it, add "${t.host}" to egress-allowlist in ${LISTS_FILE}`, 'no-terminal');
      }
      const got = await this.askOnce(t);
      if (got instanceof Error) return deny(`agentguard: ${t.host}:${t.port} is not on the egress allowlist and asking the person failed (${got.message})`);
      answer = got;
      if (answer === 'deny') return deny(`agentguard: ${t.host}:${t.port} was refused at the prompt; to allow it, add "${t.host}" to egress-allowlist in ${LISTS_FILE}`, answer);
      if (answer === 'timeout') return deny(`agentguard: nobody answered the prompt for ${t.host}:${t.port} in time; to allow it, add "${t.host}" to egress-allowlist in ${LISTS_FILE}`, answer);
      if (answer === 'session') this.allow.add(t.host);
    }
    const entryText = entry ? (entry.configured ? entry.raw : 'session') : undefined;
    // Names are resolved only now: a host nobody allowed never reaches the resolver.
    let addresses: string[];
    if (net.isIP(t.host)) addresses = [t.host];
    else if (t.host === 'localhost') addresses = ['127.0.0.1', '::1']; // RFC 6761: never asked of DNS
    else {
      try {
        addresses = (await this.lookup(t.host)).map((a) => a.address);
        if (!addresses.length) throw new Error('no addresses');
      } catch (e) {
        return { ok: false, decision: 'allow', status: 502, reason: `agentguard: cannot resolve ${t.host} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, answer, entry: entryText };
      }
    }
    // Every answer is checked, not just the first: a mixed answer is how rebinding starts.
    // A private address is fine only if the configuration names the host or the address
    // exactly (a wildcard covers names somebody else controls, a prompt answer was about a
    // name, not where it points). A metadata address needs the address itself listed: no
    // name, however trusted, may be re-pointed at the cloud's credential service.
    for (const a of addresses) {
      const canonical = canonicalHost(a);
      const special = canonical ? specialAddress(canonical) : 'unparsable';
      const addressListed = !!canonical && this.allow.configuredExactly(canonical, t.port);
      if (special && !addressListed && (special === 'cloud metadata' || !configured())) {
        return deny(privateRefusal(t.host, a, special), answer, entryText);
      }
    }
    // The budget last: only traffic that would go out counts, and waits for the person. Within
    // every limit it is counted without a turn of the event loop (the bench's 0.05 ms budget).
    const budget = this.opts.budget;
    const first = budget?.check(t.host) ?? null;
    if (budget && !first) budget.count(t.host);
    const over = first ? await this.spend(t, first) : null;
    if (over) return { ok: false, decision: 'deny', status: 429, reason: over.reason, answer, entry: entryText, limit: over.limit, limitAnswer: over.answer };
    return { ok: true, addresses: addresses.map((a) => canonicalHost(a) ?? a), entry: entryText, answer };
  }

  /**
   * Checks the budget for one request or tunnel and counts it when it goes ahead. Over a
   * limit it waits for the person (one question per limit); a refusal is returned.
   */
  private async spend(t: Target, first: Over): Promise<{ reason: string; limit: LimitKind; answer: LimitAnswer } | null> {
    const budget = this.opts.budget!;
    // Each answer yes moves the limit past this request; a bound keeps a bug from looping forever.
    for (let i = 0, over: Over | null = first; over; over = budget.check(t.host), i++) {
      const answer = i < 8 ? await this.askLimitOnce(over, t) : new Error('the limit did not move after a yes');
      if (answer === 'once' || answer === 'session') continue;
      const limitAnswer: LimitAnswer = answer instanceof Error ? 'error' : answer;
      this.limitEvent('refuse', over, t, limitAnswer);
      return { reason: limitRefusal(over, limitAnswer, answer instanceof Error ? answer.message : undefined), limit: over.limit, answer: limitAnswer };
    }
    budget.count(t.host);
    return null;
  }

  private askLimitOnce(over: Over, t: Target): Promise<LimitAnswer | Error> {
    const held = this.limitHeld.get(over.key);
    if (held && held.until > Date.now()) return Promise.resolve('held');
    const ask = this.opts.askLimit;
    if (!ask) return Promise.resolve('no-terminal');
    let p = this.limitAsking.get(over.key);
    if (!p) {
      this.limitEvent('pause', over, t);
      const q: LimitAsk = { host: t.host, port: t.port, method: t.method, ...(t.url ? { url: t.url } : {}), over };
      p = Promise.resolve()
        .then(() => ask(q))
        .then(
          (a) => (['once', 'session', 'deny', 'timeout'].includes(a) ? a : new Error(`unexpected answer ${String(a)}`)),
          (e: unknown) => (e instanceof Error ? e : new Error(String(e))),
        )
        .then((a) => {
          // Settled once for every request waiting on it: a yes moves the limit once.
          if (a === 'once' || a === 'session') this.opts.budget!.grant(over, a);
          else if (!(a instanceof Error)) this.limitHeld.set(over.key, { until: Date.now() + LIMIT_HOLD_MS, answer: a });
          this.limitEvent('answer', over, t, a instanceof Error ? 'error' : a);
          return a;
        })
        .finally(() => this.limitAsking.delete(over.key));
      this.limitAsking.set(over.key, p);
    }
    return p;
  }

  /** Adds what open tunnels carried since the last sweep (after a hand-off to the splice relay, only its end counts). */
  private sweepLive() {
    for (const [rec, l] of this.live) {
      const c = l.counted();
      const total = c.bytesUp + c.bytesDown;
      if (total > l.reported) {
        this.opts.budget?.addBytes(rec.host, total - l.reported);
        l.reported = total;
      }
    }
  }

  private limitEvent(event: LimitEvent['event'], over: Over, t: Target, answer?: LimitAnswer) {
    try {
      this.opts.onLimit?.({ event, limit: over.limit, host: t.host, port: t.port, method: t.method, count: over.count, max: over.max, text: over.text, today: over.today, ...(answer ? { answer } : {}) });
    } catch {
      // as record(): the log's trouble is not the network's
    }
  }

  private askOnce(t: Target): Promise<EgressAnswer | Error> {
    const key = `${t.host}:${t.port}`;
    let p = this.asking.get(key);
    if (!p) {
      const q: EgressAsk = { host: t.host, port: t.port, method: t.method, ...(t.url ? { url: t.url } : {}) };
      p = Promise.resolve()
        .then(() => this.opts.ask!(q))
        .then(
          (a) => (['once', 'session', 'deny', 'timeout'].includes(a) ? a : new Error(`unexpected answer ${String(a)}`)),
          (e: unknown) => (e instanceof Error ? e : new Error(String(e))),
        )
        .finally(() => this.asking.delete(key));
      this.asking.set(key, p);
    }
    return p;
  }

  // ---- plain HTTP -------------------------------------------------------------

  private async onRequest(req: http.IncomingMessage, res: http.ServerResponse) {
    const start = performance.now();
    const method = req.method ?? 'GET';
    const target = parseAbsolute(req.url ?? '');
    const base = { bytesUp: 0, bytesDown: 0 };
    if ('error' in target) {
      sendText(res, 400, target.error);
      this.record({ host: '', port: 0, method, ...base, decision: 'deny', reason: target.error, status: 400, ms: performance.now() - start });
      return;
    }
    const { host, port, path, authority } = target;
    const v = await this.decide({ host, port, method, url: `http://${authority}${path}` });
    const rec: EgressRecord = { host, port, method, path, ...base, decision: v.ok ? 'allow' : v.decision, ms: 0 };
    if (v.answer) rec.answer = v.answer;
    if (v.entry) rec.entry = v.entry;
    const done = (extra: Partial<EgressRecord>) => {
      if (rec.ms) return;
      Object.assign(rec, extra, { ms: performance.now() - start || 0.001 });
      this.record(rec);
    };
    if (!v.ok) {
      sendText(res, v.status, v.reason);
      done({ reason: v.reason, status: v.status, ...(v.limit ? { limit: v.limit, limitAnswer: v.limitAnswer } : {}) });
      return;
    }
    const headers = forwardHeaders(req.rawHeaders, authority);
    let bodyStarted = false;
    const attempt = (i: number) => {
      const address = v.addresses[i];
      rec.address = address;
      const up = http.request({ host: address, port, method, path, headers, setHost: false, agent: this.agent, timeout: this.opts.connectTimeoutMs ?? 15_000 });
      // The body is piped only once a socket is connected, so a refused first address can
      // be retried with the next one without losing what the client sent.
      const startBody = () => {
        up.setTimeout(0);
        if (bodyStarted) return;
        bodyStarted = true;
        req.on('data', (c: Buffer) => (rec.bytesUp += c.length));
        req.pipe(up);
      };
      up.on('socket', (s) => (s.connecting ? s.once('connect', startBody) : startBody()));
      up.on('timeout', () => up.destroy(Object.assign(new Error('connect timed out'), { code: 'ETIMEDOUT' })));
      up.on('response', (upRes) => {
        res.writeHead(upRes.statusCode ?? 502, upRes.statusMessage, filterHeaders(upRes.rawHeaders));
        upRes.on('data', (c: Buffer) => (rec.bytesDown += c.length));
        upRes.pipe(res);
        upRes.on('error', () => res.destroy());
        rec.status = upRes.statusCode;
      });
      up.on('error', (e: NodeJS.ErrnoException) => {
        if (!bodyStarted && i + 1 < v.addresses.length && RETRYABLE.has(e.code ?? '')) return attempt(i + 1);
        const reason = `agentguard: cannot reach ${host}:${port} at ${address} (${e.code ?? e.message})`;
        if (!res.headersSent) sendText(res, 502, reason);
        else res.destroy();
        done({ reason, status: res.headersSent && rec.status ? rec.status : 502 });
      });
      res.once('close', () => {
        if (!res.writableFinished) up.destroy();
      });
    };
    res.once('close', () => done({}));
    attempt(0);
  }

  // ---- tunnels: CONNECT, and HTTP Upgrade (WebSocket over ws://) ----------------

  private async onTunnel(req: http.IncomingMessage, client: net.Socket, head: Buffer, kind: 'connect' | 'upgrade') {
    const start = performance.now();
    const method = req.method ?? 'CONNECT';
    client.on('error', () => {});
    // Nothing the agent sends is read before the decision (and what is read is kept).
    client.pause();
    // A refusal: the answer, then reading again so that the client's close is noticed.
    const refuse = (status: number, text: string) => client.resume().end(rawResponse(status, text));
    const target: { host: string; port: number; path?: string; authority?: string } | { error: string } =
      kind === 'connect' ? splitAuthority(req.url ?? '', null) : parseAbsolute(req.url ?? '');
    const rec: EgressRecord = { host: '', port: 0, method, bytesUp: 0, bytesDown: 0, decision: 'deny', ms: 0 };
    const finish = (extra: Partial<EgressRecord>) => {
      if (rec.ms) return;
      Object.assign(rec, extra, { ms: performance.now() - start || 0.001 });
      this.record(rec);
    };
    if ('error' in target) {
      refuse(400, target.error);
      finish({ reason: target.error, status: 400 });
      return;
    }
    Object.assign(rec, { host: target.host, port: target.port }, target.path !== undefined ? { path: target.path } : {});
    const v = await this.decide({ host: target.host, port: target.port, method, ...(kind === 'upgrade' ? { url: `http://${target.authority}${target.path}` } : {}) });
    if (v.answer) rec.answer = v.answer;
    if (v.entry) rec.entry = v.entry;
    if (!v.ok) {
      refuse(v.status, v.reason);
      finish({ decision: v.decision, reason: v.reason, status: v.status, ...(v.limit ? { limit: v.limit, limitAnswer: v.limitAnswer } : {}) });
      return;
    }
    rec.decision = 'allow';
    let relay: Relay;
    try {
      relay = await this.connect(v.addresses, target.port);
    } catch (e) {
      const reason = `agentguard: cannot reach ${target.host}:${target.port} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`;
      refuse(502, reason);
      finish({ reason, status: 502 });
      return;
    }
    const upstream = relay.socket;
    rec.address = upstream.remoteAddress;
    if (client.destroyed) {
      upstream.destroy();
      finish({ reason: 'client went away' });
      return;
    }
    this.track(upstream);
    if (kind === 'connect') {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      rec.status = 200;
    } else {
      // Replay the request head to the upstream; its answer (101 or not) comes back through the tunnel.
      const headers = forwardHeaders(req.rawHeaders, target.authority!, true);
      let text = `${method} ${target.path} HTTP/1.1\r\n`;
      for (let i = 0; i < headers.length; i += 2) text += `${headers[i]}: ${headers[i + 1]}\r\n`;
      upstream.write(text + '\r\n');
    }
    const headerBytes = upstream.bytesWritten;
    if (head.length) upstream.write(head);
    client.setNoDelay(true);
    const counted = () => ({ bytesUp: upstream.bytesWritten - headerBytes, bytesDown: upstream.bytesRead });
    if (this.opts.budget) this.live.set(rec, { counted, reported: 0 });
    const joined = join(client, relay, () => finish(counted()));
    // A tunnel from the sandbox (the unix socket) that carries a download goes on in the
    // splice relay; short ones stay here (starting a process costs about 2 ms, which a short
    // request would feel). Between two TCP sockets Node's own relay measured faster.
    if (kind === 'connect' && this.spliceRelay && !this.viaTcp.has(client)) relay.whenForwarded(HAND_OFF_BYTES, () => void this.handOff(client, relay, joined, counted, finish));
  }

  /**
   * Gives a tunnel to the splice relay: both directions stop here, what Node has read and
   * not yet written is written on, then both sockets go to the relay process and Node's
   * copies close. An end of stream Node has already seen is seen again by the relay (a read
   * after EOF returns EOF). If the relay cannot start, the tunnel goes on in Node.
   */
  private async handOff(client: net.Socket, relay: Relay, joined: Joined, counted: () => { bytesUp: number; bytesDown: number }, finish: (extra: Partial<EgressRecord>) => void) {
    const upstream = relay.socket;
    if (client.destroyed || upstream.destroyed) return;
    await joined.detach();
    if (client.destroyed || upstream.destroyed) {
      // One side went away meanwhile: the join's close handling is detached, so do it here.
      client.destroy();
      upstream.destroy();
      finish(counted());
      return;
    }
    // Only a quiet tunnel moves: nothing of the agent's read and not yet sent, nothing
    // waiting to be written either way. Checked and done in one tick, so nothing more can
    // arrive in Node's buffers before the relay has the sockets. A busy tunnel goes on in
    // Node and tries again a megabyte later (waiting instead could deadlock a peer that
    // writes before it reads).
    const pendingUp: Buffer[] = [];
    for (let b: Buffer | null; (b = client.read() as Buffer | null) !== null; ) pendingUp.push(b);
    const early = relay.takeEarly();
    let child: ChildProcess | null = null;
    if (!pendingUp.length && !early.length && client.writableLength === 0 && upstream.writableLength === 0) {
      try {
        child = spawn(this.spliceRelay!, ['--relay'], { stdio: ['ignore', 'ignore', 'ignore', client, upstream, 'pipe'] });
        // A spawn that fails (EAGAIN, EMFILE …) has no pid and emits 'error' next: handled here.
        child.on('error', () => {});
      } catch {
        child = null;
      }
    }
    if (!child?.pid) {
      // Back to Node, from where it stopped, in order.
      for (const b of pendingUp) upstream.write(b);
      for (const b of early) client.write(b);
      const again = join(client, relay, () => finish(counted()));
      relay.whenForwarded(relay.forwarded() + HAND_OFF_BYTES, () => void this.handOff(client, relay, again, counted, finish));
      return;
    }
    const before = counted();
    const relayProcess = child;
    this.relays.add(relayProcess);
    // The relay holds its own copies of both connections: this closes only Node's.
    client.destroy();
    upstream.destroy();
    let counts = '';
    (relayProcess.stdio as unknown as (NodeJS.ReadableStream | null)[])[5]!.on('data', (d: Buffer) => (counts += d.toString()));
    relayProcess.once('close', () => {
      this.relays.delete(relayProcess);
      const [up, down] = counts.trim().split(' ').map(Number);
      finish({ bytesUp: before.bytesUp + (up || 0), bytesDown: before.bytesDown + (down || 0) });
    });
  }

  /** Connects to the first address that answers, in the resolver's order. */
  private async connect(addresses: string[], port: number): Promise<Relay> {
    let last: Error = new Error('no address');
    for (const host of addresses) {
      try {
        return await new Promise<Relay>((resolve, reject) => {
          const relay = connectRelay({ host, port, allowHalfOpen: true, noDelay: true });
          const s = relay.socket;
          s.setTimeout(this.opts.connectTimeoutMs ?? 15_000, () => s.destroy(Object.assign(new Error('connect timed out'), { code: 'ETIMEDOUT' })));
          s.once('connect', () => {
            s.setTimeout(0);
            s.off('error', reject);
            resolve(relay);
          });
          s.once('error', reject);
        });
      } catch (e) {
        last = e as Error;
        if (!RETRYABLE.has((e as NodeJS.ErrnoException).code ?? '')) break;
      }
    }
    throw last;
  }
}

/**
 * Upstream sockets for plain HTTP that read up to 1 MB at a time instead of 64 KB (see
 * relay.ts): fewer, larger chunks through the response parser, handed to Node's HTTP
 * client as one 'data' event each. Pausing (the client's backpressure) stops reads as on
 * any socket.
 */
class LargeReadAgent extends http.Agent {
  createConnection(options: net.NetConnectOpts): net.Socket {
    // A small read (headers, a short answer) is copied out and the buffer read into again;
    // a large one is handed on as it is, and the next read gets a new buffer.
    let current: Buffer | null = null;
    const socket: net.Socket = net.connect({
      ...options,
      onread: {
        buffer: () => (current ??= Buffer.allocUnsafe(READ_BUFFER_SIZE)),
        callback: (n: number, buf: Uint8Array) => {
          if (n < 64 * 1024) socket.emit('data', Buffer.from(buf.subarray(0, n)));
          else {
            current = null;
            socket.emit('data', Buffer.from(buf.buffer, buf.byteOffset, n));
          }
          return true;
        },
      },
    } as net.NetConnectOpts);
    return socket;
  }
}

// ---- parsing and helpers --------------------------------------------------------

/** http://host[:port]/path from a proxy request line; the path is passed on byte for byte. */
function parseAbsolute(url: string): { host: string; port: number; path: string; authority: string } | { error: string } {
  const m = /^http:\/\/([^/?#]*)([^#]*)/i.exec(url);
  if (!m) {
    if (/^https:\/\//i.test(url)) return { error: 'agentguard: send https:// through a CONNECT tunnel (curl -x http://proxy https://host does this)' };
    return { error: 'agentguard: this is a forward proxy; send an absolute http:// URL or CONNECT host:port' };
  }
  const [, authority, rest] = m;
  if (authority.includes('@')) return { error: 'agentguard: credentials in the proxy request URL are not forwarded; send an Authorization header' };
  const a = splitAuthority(authority, 80);
  if ('error' in a) return a;
  const path = rest === '' ? '/' : rest.startsWith('?') ? `/${rest}` : rest;
  return { ...a, path, authority };
}

/** host[:port] (CONNECT needs the port: defaultPort null). */
function splitAuthority(authority: string, defaultPort: number | null): { host: string; port: number } | { error: string } {
  const m = /^(\[[^\]]*\]|[^:]*)(?::(\d{1,5}))?$/.exec(authority);
  const port = m?.[2] !== undefined ? Number(m[2]) : defaultPort;
  const host = m ? canonicalHost(m[1]) : null;
  if (!host) return { error: `agentguard: not a host name: ${JSON.stringify(authority).slice(0, 200)}` };
  if (port === null) return { error: `agentguard: CONNECT needs host:port, got ${JSON.stringify(authority).slice(0, 200)}` };
  if (port < 1 || port > 65535) return { error: `agentguard: not a port: ${port}` };
  return { host, port };
}

/** Request headers for the upstream: no hop-by-hop or proxy headers, Host from the URL. */
function forwardHeaders(raw: string[], authority: string, keepUpgrade = false): string[] {
  const out = ['Host', authority];
  const drop = connectionTokens(raw);
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i].toLowerCase();
    if (name === 'host') continue;
    if (keepUpgrade && (name === 'connection' || name === 'upgrade')) {
      out.push(raw[i], raw[i + 1]);
      continue;
    }
    if (HOP_BY_HOP.has(name) || drop.has(name)) continue;
    out.push(raw[i], raw[i + 1]);
  }
  return out;
}

/** Response headers for the client: Node sets its own framing (chunked or length) and keep-alive. */
function filterHeaders(raw: string[]): string[] {
  const out: string[] = [];
  const drop = connectionTokens(raw);
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i].toLowerCase();
    if (HOP_BY_HOP.has(name) || drop.has(name)) continue;
    out.push(raw[i], raw[i + 1]);
  }
  return out;
}

/** Headers a Connection header names are hop-by-hop too. */
function connectionTokens(raw: string[]): Set<string> {
  const s = new Set<string>();
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i].toLowerCase() === 'connection') for (const t of raw[i + 1].split(',')) s.add(t.trim().toLowerCase());
  }
  return s;
}

function privateRefusal(host: string, address: string, kind: string): string {
  const what = `${/^[aeiou]/i.test(kind) ? 'an' : 'a'} ${kind} address`;
  const lead = host === address ? `${host} is ${what}` : `${host} resolves to ${address}, ${what}`;
  const flag = `--allow-host ${host.includes(':') ? `[${host}]` : host}`;
  if (kind === 'cloud metadata') {
    return `agentguard: ${lead}: it hands out the machine's cloud credentials to whoever asks; it is reachable only when egress-allowlist names this address itself (never through a name, a wildcard or a prompt answer)`;
  }
  if (kind === 'loopback') {
    return `agentguard: ${lead}: a service on the developer's machine, outside the sandbox; to let the agent reach it, start the session with ${flag}:<port>`;
  }
  return `agentguard: ${lead}; private, link-local and cloud metadata addresses are reachable only when the allowlist names the host or address exactly (not a wildcard or a prompt answer); to allow it, start the session with ${flag}, or add it to egress-allowlist in ${LISTS_FILE}`;
}

function sendText(res: http.ServerResponse, status: number, text: string) {
  const body = `${text.replace(/[\r\n]+/g, ' ')}\n`;
  // A 429 says when to try again: clients that honour it (the model SDKs) back off instead of hammering.
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(body), 'X-Agentguard': 'egress', ...(status === 429 ? { 'Retry-After': '60' } : {}), Connection: 'close' });
  res.end(body);
}

function rawResponse(status: number, text: string): string {
  const body = `${text.replace(/[\r\n]+/g, ' ')}\n`;
  const phrase = status === 403 ? 'Forbidden' : status === 502 ? 'Bad Gateway' : status === 429 ? 'Too Many Requests' : 'Bad Request';
  return `HTTP/1.1 ${status} ${phrase}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nX-Agentguard: egress\r\n${status === 429 ? 'Retry-After: 60\r\n' : ''}Connection: close\r\n\r\n${body}`;
}

/** What the agent reads in a 429: the figures, why nobody let it through, and where the limit is set. */
function limitRefusal(over: Over, answer: LimitAnswer, error?: string): string {
  const why = {
    deny: 'refused at the prompt (requests over this limit are refused for a minute without asking again)',
    held: 'refused at the prompt less than a minute ago',
    timeout: 'nobody answered the prompt in time',
    'no-terminal': 'there is no terminal to ask a person',
    error: `asking the person failed (${error ?? 'unknown error'})`,
    once: '',
    session: '',
  }[answer];
  return `agentguard: limit reached: ${over.text}; ${why}; to raise it, start the session with ${LIMIT_SETTING[over.limit]} (or budgets.agents.<agent>.…) in ~/.config/agentguard/config.yaml; 0 or off: no limit`;
}

function removeStaleSocket(p: string) {
  let st: fs.Stats;
  try {
    st = fs.lstatSync(p);
  } catch {
    return;
  }
  if (!st.isSocket()) throw new Error(`${p} exists and is not a socket; not replacing it`);
  fs.rmSync(p);
}
