// The seccomp program, run through a small classic-BPF interpreter over the cases that
// matter: each ABI's ioctl with TIOCSTI/TIOCLINUX is refused, everything else passes.
// (The hostile-agent test shows the kernel agrees on this machine's architecture.)
import { describe, expect, it } from 'vitest';
import { TIOCLINUX, TIOCSTI, ttyInjectionFilter } from '../../src/sandbox/seccomp.js';

const ALLOW = 0x7fff0000;
const EPERM = 0x00050001;

/** Runs the filter over struct seccomp_data {nr, arch, ip, args[6]} (little-endian). */
function run(prog: Buffer, nr: number, arch: number, arg1 = 0n): number {
  const data = Buffer.alloc(64);
  data.writeInt32LE(nr | 0, 0);
  data.writeUInt32LE(arch >>> 0, 4);
  data.writeBigUInt64LE(arg1, 24);
  let acc = 0;
  for (let pc = 0; pc < prog.length / 8; ) {
    const code = prog.readUInt16LE(pc * 8);
    const jt = prog.readUInt8(pc * 8 + 2);
    const jf = prog.readUInt8(pc * 8 + 3);
    const k = prog.readUInt32LE(pc * 8 + 4);
    if (code === 0x20) {
      acc = data.readUInt32LE(k);
      pc++;
    } else if (code === 0x15) pc += 1 + (acc === k ? jt : jf);
    else if (code === 0x06) return k;
    else throw new Error(`unexpected opcode ${code}`);
  }
  throw new Error('fell off the end of the program');
}

const X86_64 = 0xc000003e;
const I386 = 0x40000003;
const AARCH64 = 0xc00000b7;
const ARM = 0x40000028;
const prog = ttyInjectionFilter();

describe('the TIOCSTI/TIOCLINUX filter', () => {
  it.each([
    ['x86_64 ioctl TIOCSTI', 16, X86_64, BigInt(TIOCSTI), EPERM],
    ['x86_64 ioctl TIOCLINUX', 16, X86_64, BigInt(TIOCLINUX), EPERM],
    ['x86_64 ioctl TIOCSTI with high bits set (the kernel ignores them)', 16, X86_64, 0xffffffff00000000n | BigInt(TIOCSTI), EPERM],
    ['x32 ioctl TIOCSTI', 0x40000000 | 514, X86_64, BigInt(TIOCSTI), EPERM],
    ['i386 ioctl TIOCSTI', 54, I386, BigInt(TIOCSTI), EPERM],
    ['aarch64 ioctl TIOCSTI', 29, AARCH64, BigInt(TIOCSTI), EPERM],
    ['arm ioctl TIOCSTI', 54, ARM, BigInt(TIOCSTI), EPERM],
    ['an architecture the filter does not know', 16, 0x12345678, 0n, EPERM],
    ['x86_64 ioctl TCGETS', 16, X86_64, 0x5401n, ALLOW],
    ['x86_64 ioctl TIOCSPGRP (job control)', 16, X86_64, 0x5410n, ALLOW],
    ['x86_64 read', 0, X86_64, BigInt(TIOCSTI), ALLOW],
    ['aarch64 openat (56) with a TIOCSTI-looking argument', 56, AARCH64, BigInt(TIOCSTI), ALLOW],
    ['i386 ioctl TIOCGWINSZ', 54, I386, 0x5413n, ALLOW],
  ])('%s', (_name, nr, arch, arg, expected) => {
    expect(run(prog, nr, arch, arg)).toBe(expected);
  });
});
