// What a log sink SPEC names (`--log-sink SPEC`, config.yaml `log.sinks`): parsed once, before
// anything opens, so that a typo is a usage error and not a session that ships nothing. Pure.

export type SinkSpec =
  | { kind: 'file'; spec: string; path: string }
  /** The local syslog daemon through its unix datagram socket (/dev/log unless named). */
  | { kind: 'syslog'; spec: string; transport: 'local'; socket: string }
  | { kind: 'syslog'; spec: string; transport: 'udp' | 'tcp'; host: string; port: number }
  | { kind: 'otlp'; spec: string; url: string };

export const SINK_FORMS = [
  'file:PATH                     JSON Lines, one record per line (for Vector, Fluent Bit, the OpenTelemetry Collector filelog receiver)',
  'syslog[:SOCKET]               RFC 5424 to the local syslog daemon (/dev/log unless a socket is named)',
  'syslog+udp://HOST[:514]       RFC 5424 over UDP (also udp://HOST[:PORT])',
  'syslog+tcp://HOST[:601]       RFC 5424 over TCP, octet-counted (RFC 6587) (also tcp://HOST[:PORT])',
  'otlp-http://HOST[:4318][/PATH] OpenTelemetry logs over OTLP/HTTP (sent to /v1/logs; otlp-https:// for TLS)',
];

export class SinkSpecError extends Error {
  constructor(spec: string, why: string) {
    super(`--log-sink ${JSON.stringify(spec)}: ${why}; accepted forms:\n${SINK_FORMS.map((f) => `  ${f}`).join('\n')}`);
    this.name = 'SinkSpecError';
  }
}

/** A SPEC → what to open; throws SinkSpecError naming the accepted forms. */
export function parseSinkSpec(spec: string): SinkSpec {
  const s = spec.trim();
  if (s.startsWith('file:')) {
    const p = s.slice('file:'.length);
    if (!p.startsWith('/')) throw new SinkSpecError(spec, 'a file sink needs an absolute path (file:/var/log/agentguard.jsonl)');
    return { kind: 'file', spec: s, path: p };
  }
  if (s === 'syslog') return { kind: 'syslog', spec: s, transport: 'local', socket: '/dev/log' };
  if (s.startsWith('syslog:/') && !s.startsWith('syslog://')) return { kind: 'syslog', spec: s, transport: 'local', socket: s.slice('syslog:'.length) };
  const m = /^(syslog\+udp|syslog\+tcp|udp|tcp|otlp-http|otlp-https):\/\/(.*)$/.exec(s);
  if (!m) throw new SinkSpecError(spec, 'unknown sink');
  const scheme = m[1];
  if (scheme.startsWith('otlp')) {
    let url: URL;
    try {
      url = new URL(`${scheme === 'otlp-https' ? 'https' : 'http'}://${m[2]}`);
    } catch {
      throw new SinkSpecError(spec, 'not a host[:port][/path]');
    }
    if (!url.hostname || url.search || url.hash || url.username) throw new SinkSpecError(spec, 'not a host[:port][/path]');
    if (!url.port) url.port = '4318';
    // As OTEL_EXPORTER_OTLP_ENDPOINT: a base, to which the signal's path is added.
    const base = url.pathname.replace(/\/+$/, '');
    return { kind: 'otlp', spec: s, url: `${url.protocol}//${url.host}${base.endsWith('/v1/logs') ? base : `${base}/v1/logs`}` };
  }
  const transport = scheme.endsWith('udp') ? 'udp' : 'tcp';
  const hp = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(?::(\d{1,5}))?\/?$/.exec(m[2]);
  const port = hp?.[2] ? Number(hp[2]) : transport === 'udp' ? 514 : 601;
  if (!hp || port < 1 || port > 65535) throw new SinkSpecError(spec, 'not a host[:port]');
  return { kind: 'syslog', spec: s, transport, host: hp[1].replace(/^\[|\]$/g, ''), port };
}

/** Every SPEC of a list, the first bad one thrown; duplicates once. */
export function parseSinkSpecs(specs: readonly string[]): SinkSpec[] {
  const seen = new Set<string>();
  const out: SinkSpec[] = [];
  for (const spec of specs) {
    const p = parseSinkSpec(spec);
    if (seen.has(p.spec)) continue;
    seen.add(p.spec);
    out.push(p);
  }
  return out;
}
