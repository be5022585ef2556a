// Sizes as programs spell them (dd bs=1M, truncate -s +1T, head -c 10GiB, fallocate -l 1.5G),
// and the inputs that never end (/dev/zero, /dev/urandom). Shared by the program modules that
// declare a `volume` (files.ts, text.ts); the resource rules compare what they report.
import type { Word } from '../shell/types.js';
import type { Bytes } from './types.js';

/** Devices that give bytes for as long as they are read. */
const ENDLESS = new Set(['/dev/zero', '/dev/urandom', '/dev/random', '/dev/full', '/dev/srandom', '/dev/arandom']);

/** Whether reading this word's file never ends. */
export function endless(w: Word): boolean {
  return w.value !== null && ENDLESS.has(w.value);
}

const POWERS: Record<string, number> = { K: 1, M: 2, G: 3, T: 4, P: 5, E: 6, Z: 7, Y: 8, R: 9, Q: 10 };

export interface SizeSyntax {
  /** dd and head read a bare `b` as 512-byte blocks, dd `c` as bytes and `w` as 2 bytes. */
  blocks?: boolean;
  /** dd multiplies: 2x1M. */
  product?: boolean;
  /** util-linux (fallocate) takes decimals: 1.5G. */
  decimals?: boolean;
}

/**
 * A size in bytes: a number with an optional suffix, K/M/G/T… (1024-based, also KiB …) or
 * KB/MB/GB (1000-based). Null when the word is only known at run time; NaN when it is not a
 * size at all (the program will refuse it).
 */
export function parseSize(w: Word | string | undefined, syntax: SizeSyntax = {}): Bytes {
  if (w === undefined) return NaN;
  const text = typeof w === 'string' ? w : w.value;
  if (text === null) return null;
  if (syntax.product && text.includes('x')) {
    let n = 1;
    for (const part of text.split('x')) {
      const p = parseSize(part, { ...syntax, product: false });
      if (p === null || Number.isNaN(p)) return p;
      n *= p;
    }
    return n;
  }
  const m = (syntax.decimals ? /^(\d+(?:\.\d+)?)([a-zA-Z]*)$/ : /^(\d+)([a-zA-Z]*)$/).exec(text.trim());
  if (!m) return NaN;
  const n = Number(m[1]);
  const unit = m[2];
  if (unit === '') return n;
  if (syntax.blocks && unit === 'b') return n * 512;
  if (syntax.blocks && unit === 'c') return n;
  if (syntax.blocks && unit === 'w') return n * 2;
  const u = /^([kKmMgGtTpPeEzZyYrRqQ])(iB|B)?$/.exec(unit);
  if (!u) return NaN;
  const power = POWERS[u[1].toUpperCase()];
  return n * (u[2] === 'B' ? 1000 : 1024) ** power;
}

/** The smaller of two sizes; a size only known at run time stays unknown unless the other is bounded. */
export function atMost(a: Bytes, b: Bytes): Bytes {
  if (a === null) return b === 0 ? 0 : null;
  if (b === null) return a === 0 ? 0 : null;
  return Math.min(a, b);
}

/** What a reader of these operands (or of stdin when there are none) takes in. */
export function inputOf(operands: readonly Word[], stdin: Bytes): Bytes {
  const files = operands.filter((w) => w.value !== '-');
  if (files.some(endless)) return Infinity;
  return files.length < operands.length || !operands.length ? stdin : 0;
}

/** A size that is given but cannot be read (NaN) counts as nothing: the program refuses it. */
export function sizeOr0(b: Bytes): Bytes {
  return b !== null && Number.isNaN(b) ? 0 : b;
}
