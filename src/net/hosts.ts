// The one place hosts are read, for the policy (rules' `hosts` and `host_not_in`, the hosts a
// command connects to) and the egress proxy alike: one spelling per host (so that LocalHost.,
// 0x7f.1 and [::FFFF:7f00:1] cannot slip past an entry or the address check), URLs and
// host:path words, and entries of the form `host`, `*.suffix`, `host:port`, `[v6]`,
// `[v6]:port`. `*.github.com` matches api.github.com, not github.com. Pure: no sockets.

/** The built-in and user list `egress-allowlist`, or nothing while no layer defines it. */
export function egressAllowlist(loaded: { lists: ReadonlyMap<string, readonly string[]> }): string[] {
  return [...(loaded.lists.get('egress-allowlist') ?? [])];
}

function isIPv6(h: string): boolean {
  if (!/^[0-9a-f:.]+$/.test(h) || !h.includes(':')) return false;
  try {
    new URL(`http://[${h}]/`);
    return true;
  } catch {
    return false;
  }
}

/**
 * The one spelling of a host: lower case, IDN as punycode, IPv4 as a dotted quad (the WHATWG
 * URL host parser turns 0x7f.1 and 2130706433 into 127.0.0.1, as browsers and curl would),
 * IPv6 compressed without brackets, no trailing dot. null when it is not a host name.
 */
export function canonicalHost(raw: string): string | null {
  let h = raw.toLowerCase();
  if (h.startsWith('[') && h.endsWith(']')) h = h.slice(1, -1);
  if (h.includes(':')) {
    // Zone ids (fe80::1%eth0) are refused by URL: a scoped address is local by definition.
    if (!isIPv6(h)) return null;
    try {
      return new URL(`http://[${h}]/`).hostname.slice(1, -1);
    } catch {
      return null;
    }
  }
  // No userinfo, paths, ports, percent-escapes or wildcards: only what a host can be.
  if (!h || /[\s/\\?#@[\]%*]/.test(h)) return null;
  let out: string;
  try {
    out = new URL(`http://${h}/`).hostname;
  } catch {
    return null;
  }
  if (out.endsWith('.')) out = out.slice(0, -1);
  return out && !out.endsWith('.') ? out : null;
}

export interface AllowEntry {
  /** As written in the list. */
  raw: string;
  /** Canonical host, or the pattern for a wildcard. */
  host: string;
  wildcard: RegExp | null;
  port: number | null;
  /** From opts.allow (configuration) rather than added during the session. */
  configured: boolean;
}

/** Reads one entry; null when it is not one. */
export function parseAllowEntry(text: string, configured = true): AllowEntry | null {
  const raw = text.trim();
  let hostPart: string;
  let portPart: string | undefined;
  const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(raw);
  if (bracket) [, hostPart, portPart] = bracket;
  else if ((raw.match(/:/g) ?? []).length >= 2) hostPart = raw; // bare IPv6: no port possible
  else [hostPart, portPart] = raw.split(':');
  let port: number | null = null;
  if (portPart !== undefined) {
    if (!/^\d{1,5}$/.test(portPart) || +portPart < 1 || +portPart > 65535) return null;
    port = +portPart;
  }
  if (hostPart.includes('*')) {
    const p = hostPart.toLowerCase();
    if (!/^[a-z0-9.*_-]+$/.test(p)) return null;
    const re = new RegExp(`^${p.split('*').map((x) => x.replace(/[.]/g, '\\.')).join('[^]*')}$`);
    return { raw, host: p, wildcard: re, port, configured };
  }
  const host = canonicalHost(hostPart);
  return host ? { raw, host, wildcard: null, port, configured } : null;
}

/** The configured allowlist plus what the session added. */
export class Allowlist {
  private exact = new Map<string, AllowEntry[]>();
  private wildcards: AllowEntry[] = [];
  /** Entries that could not be read, and so allow nothing. */
  readonly ignored: string[] = [];

  constructor(entries: readonly string[]) {
    for (const e of entries) if (!this.add(e, true)) this.ignored.push(e);
  }

  add(text: string, configured = false): AllowEntry | null {
    const e = parseAllowEntry(text, configured);
    if (!e) return null;
    if (e.wildcard) this.wildcards.push(e);
    else this.exact.set(e.host, [...(this.exact.get(e.host) ?? []), e]);
    return e;
  }

  /** The first entry that lets host:port through, exact entries first. */
  match(host: string, port: number): AllowEntry | null {
    const fits = (e: AllowEntry) => e.port === null || e.port === port;
    return this.exact.get(host)?.find(fits) ?? this.wildcards.find((e) => fits(e) && e.wildcard!.test(host)) ?? null;
  }

  /** Whether some entry names this host, on any port (how the static policy asks: it sees no ports). */
  has(host: string): boolean {
    const c = canonicalHost(host);
    return c !== null && (this.exact.has(c) || this.wildcards.some((e) => e.wildcard!.test(c)));
  }

  /**
   * Whether the configuration names host:port exactly (no wildcard, no prompt answer).
   * Only such an entry opens a private or metadata address: a wildcard covers names
   * somebody else controls, and a name approved at a prompt can be re-pointed at any time.
   */
  configuredExactly(host: string, port: number): boolean {
    return this.exact.get(host)?.some((e) => e.configured && (e.port === null || e.port === port)) ?? false;
  }
}

/**
 * Hosts as a rule lists them (`host_not_in: "@egress-allowlist"`, `hosts: [...]`): the same
 * entries as the proxy's allowlist (`host`, `*.suffix`, `host:port`, `[v6]`, `[v6]:port`),
 * read by the same parser. The policy sees no ports, so an entry with a port names its host.
 * A pattern the allowlist cannot read (a rule's own glob such as `*paste*`) is a `*` glob.
 */
export function hostMatcher(patterns: readonly string[]): (host: string) => boolean {
  const list = new Allowlist([]);
  const globs: RegExp[] = [];
  for (const p of patterns) {
    if (!list.add(p, true)) {
      const g = p.toLowerCase().replace(/^\[(.*)\]$/, '$1');
      globs.push(new RegExp(`^${g.split('*').map((x) => x.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^]*')}$`));
    }
  }
  return (host) => list.has(host) || globs.some((re) => re.test(host.toLowerCase()));
}

/** Host of a URL ("https://u@Host:443/x" → "host"); with `bare`, also "host.tld/path" as curl accepts. */
export function urlHost(value: string, bare: boolean): string | null {
  const m = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/?#]*@)?(\[[^\]]+\]|[^:/?#]*)/i.exec(value);
  if (m) return spell(m[1]);
  if (!bare) return null;
  const b = /^(?:[^@/?#\s]*@)?(localhost|\[[0-9a-f:]+\]|[a-z0-9-]+(?:\.[a-z0-9-]+)+)(?::\d+)?(?:[/?#]|$)/i.exec(value);
  return b ? spell(b[1]) : null;
}

/** The host of a URL whose scheme and host are literal and only the rest is dynamic ("https://x.example/?k=$KEY"). */
export function literalUrlHost(raw: string): string | null {
  const m = /^["']?([a-z][a-z0-9+.-]*:\/\/(?:[^@/?#$"'`\\]*@)?(?:\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+))(?=[/?#:"']|$)/i.exec(raw);
  return m ? urlHost(m[1], false) : null;
}

/** user@host, host:port, [v6]:port, host (ssh, nc): the host, in its one spelling. */
export function hostOfSpec(value: string): string | null {
  const h = value.replace(/^[^@]*@/, '');
  const bracket = /^\[([^\]]+)\]/.exec(h);
  if (bracket) return spell(bracket[1]);
  // A bare IPv6 literal (::1) is all colons.
  if ((h.match(/:/g) ?? []).length > 1) return spell(h);
  return spell(h.replace(/:.*$/, ''));
}

/** A host in its one spelling, or as written (lower case) when it is not a valid host name. */
function spell(h: string): string | null {
  if (!h) return null;
  return canonicalHost(h) ?? h.toLowerCase().replace(/^\[|\]$/g, '');
}
