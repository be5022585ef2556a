// Which IP addresses are not "the internet": loopback, private, link-local, unique-local,
// cloud metadata and the other special-purpose ranges. The proxy refuses these unless the
// allowlist names them exactly, because from outside the sandbox they reach the developer's
// machine, network and cloud credentials rather than a public service.
import net from 'node:net';

/** Instance metadata services: they hand out cloud credentials to whoever asks. */
const METADATA_V4 = new Set([
  '169.254.169.254', // AWS, GCP, Azure, Oracle, DigitalOcean, OpenStack …
  '169.254.170.2', // AWS ECS task credentials
  '169.254.170.23', // AWS EKS pod identity
  '100.100.100.200', // Alibaba Cloud
  '192.0.0.192', // Oracle Cloud (legacy)
]);
const METADATA_V6 = ['fd00:ec2::254', 'fd00:ec2::23'];

// [first address, prefix length, label], checked in order.
const V4_RANGES: [string, number, string][] = [
  ['0.0.0.0', 8, 'unspecified ("this network")'],
  ['10.0.0.0', 8, 'private'],
  ['100.64.0.0', 10, 'carrier-grade NAT'],
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link-local'],
  ['172.16.0.0', 12, 'private'],
  ['192.0.0.0', 24, 'IETF special-purpose'],
  ['192.168.0.0', 16, 'private'],
  ['198.18.0.0', 15, 'benchmarking'],
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'reserved'],
];

const v4Ranges = V4_RANGES.map(([ip, bits, label]) => ({ base: v4Int(parseV4(ip)!), mask: bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0, label }));
const metadataV6 = METADATA_V6.map((a) => parseV6(a)!);

/**
 * Why an address is not a public one ("loopback", "cloud metadata" …), or null for a
 * public address. Anything that does not parse counts as special: fail closed.
 */
export function specialAddress(ip: string): string | null {
  const v4 = parseV4(ip);
  if (v4) return v4Special(v4);
  const b = parseV6(ip);
  if (!b) return 'unparsable';
  return v6Special(b);
}

function v4Special(b: number[]): string | null {
  if (METADATA_V4.has(b.join('.'))) return 'cloud metadata';
  const n = v4Int(b);
  for (const r of v4Ranges) if (((n & r.mask) >>> 0) === r.base) return r.label;
  return null;
}

function v6Special(b: Uint8Array): string | null {
  const zeros = (from: number, to: number) => b.subarray(from, to).every((x) => x === 0);
  const embedded = (at: number) => [b[at], b[at + 1], b[at + 2], b[at + 3]];
  const prefix = (hex: number[], bits: number) => {
    // hex: leading 16-bit groups of the range.
    for (let i = 0; i * 16 < bits; i++) {
      const group = (b[2 * i] << 8) | b[2 * i + 1];
      const take = Math.min(16, bits - i * 16);
      const mask = (0xffff << (16 - take)) & 0xffff;
      if ((group & mask) !== ((hex[i] ?? 0) & mask)) return false;
    }
    return true;
  };
  if (zeros(0, 16)) return 'unspecified';
  if (zeros(0, 15) && b[15] === 1) return 'loopback';
  // Addresses that carry an IPv4 address: judge the IPv4 address, so that
  // ::ffff:169.254.169.254 or a NAT64 form of 10.0.0.1 is no way around the check.
  if (zeros(0, 10) && b[10] === 0xff && b[11] === 0xff) return v4Special(embedded(12));
  if (zeros(0, 12)) return 'reserved (IPv4-compatible)';
  if (prefix([0x64, 0xff9b, 0, 0, 0, 0], 96)) return v4Special(embedded(12));
  if (prefix([0x64, 0xff9b, 1], 48)) return 'NAT64 local-use';
  if (prefix([0x2002], 16)) return v4Special(embedded(2));
  if (prefix([0x2001, 0], 32)) return 'Teredo tunnel';
  if (prefix([0x100, 0, 0, 0], 64)) return 'discard-only';
  if (metadataV6.some((m) => m.every((x, i) => x === b[i]))) return 'cloud metadata';
  if (prefix([0xfc00], 7)) return 'unique-local';
  if (prefix([0xfe80], 10)) return 'link-local';
  if (prefix([0xfec0], 10)) return 'site-local';
  if (prefix([0xff00], 8)) return 'multicast';
  return null;
}

function v4Int(b: number[]): number {
  return ((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) >>> 0;
}

/** Dotted-quad IPv4 only: other spellings (0x7f.1, 2130706433) are normalised before this. */
function parseV4(ip: string): number[] | null {
  if (!net.isIPv4(ip)) return null;
  return ip.split('.').map(Number);
}

function parseV6(ip: string): Uint8Array | null {
  if (!net.isIPv6(ip) || ip.includes('%')) return null;
  let head = ip;
  let tailV4: number[] = [];
  const lastColon = ip.lastIndexOf(':');
  if (ip.slice(lastColon + 1).includes('.')) {
    const v4 = parseV4(ip.slice(lastColon + 1));
    if (!v4) return null;
    tailV4 = v4;
    head = ip.slice(0, lastColon + 1) + '0:0';
  }
  const [left, right] = head.includes('::') ? head.split('::') : [head, null];
  const groups = (s: string) => (s ? s.split(':').map((g) => parseInt(g, 16)) : []);
  const l = groups(left);
  const r = right === null ? [] : groups(right);
  const all = right === null ? l : [...l, ...new Array<number>(8 - l.length - r.length).fill(0), ...r];
  if (all.length !== 8 || all.some((g) => !(g >= 0 && g <= 0xffff))) return null;
  const out = new Uint8Array(16);
  all.forEach((g, i) => {
    out[2 * i] = g >> 8;
    out[2 * i + 1] = g & 0xff;
  });
  if (tailV4.length) out.set(tailV4, 12);
  return out;
}
