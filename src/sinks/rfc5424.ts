// A record as an RFC 5424 syslog message: PRI by what the record says (a refusal is a
// warning), the record's own time, APP-NAME agentguard, MSGID the record type, structured
// data with the fields a pipeline filters on, and the record's JSON line as MSG. Pure.
import type { SinkItem as SyslogItem } from './queue.js';

/** Structured-data ID: enterprise number 32473 is the one RFC 5612 reserves for documentation; no PEN is registered for agentguard. */
export const SD_ID = 'agentguard@32473';
const FACILITY_USER = 1;


/** 4 warning for a refusal or a lost record, 5 notice for an ask, 6 info otherwise. */
export function severity(r: Record<string, unknown>): number {
  const action = r.verdict ?? r.action;
  if (r.type === 'sink-loss' || action === 'deny') return 4;
  if (action === 'ask') return 5;
  return 6;
}

export const priority = (r: Record<string, unknown>) => FACILITY_USER * 8 + severity(r);

/** PARAM-VALUE escaping (RFC 5424 6.3.3): `"`, `\` and `]`. */
const sdValue = (v: unknown) => String(v).replace(/["\\\]]/g, (c) => `\\${c}`);
/** PRINTUSASCII without spaces, as HOSTNAME, APP-NAME, PROCID and MSGID must be. */
const token = (v: string, max: number) => v.replace(/[^\x21-\x7e]/g, '_').slice(0, max) || '-';

export function structuredData(i: SyslogItem): string {
  const r = i.record;
  const params: [string, unknown][] = [
    ['session', i.session],
    ['seq', i.seq],
    ['type', i.type],
  ];
  for (const k of ['action', 'verdict', 'source', 'hash']) if (typeof r[k] === 'string' || typeof r[k] === 'number') params.push([k, r[k]]);
  const rules = Array.isArray(r.matches) ? (r.matches as { rule?: unknown }[]).map((m) => m.rule).filter((x) => typeof x === 'string') : [];
  if (rules.length) params.push(['rules', rules.join(',')]);
  return `[${SD_ID} ${params.map(([k, v]) => `${k}="${sdValue(v)}"`).join(' ')}]`;
}

/** The whole message, without transport framing. */
export function formatRfc5424(i: SyslogItem, host: string, pid: number): string {
  return `<${priority(i.record)}>1 ${i.time} ${token(host, 255)} agentguard ${pid} ${token(i.type, 32)} ${structuredData(i)} ${i.line}`;
}

/** RFC 6587 octet counting: the message's length in bytes, a space, the message. */
export function octetCounted(msg: string): string {
  return `${Buffer.byteLength(msg)} ${msg}`;
}
