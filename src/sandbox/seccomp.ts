// The sandbox's seccomp filter, as the classic-BPF bytes bubblewrap loads (`--seccomp FD`).
// It refuses exactly two terminal ioctls, TIOCSTI (push a byte into a terminal's input
// queue, as if typed) and TIOCLINUX (the Linux console's selection and paste), with EPERM:
// on a kernel with dev.tty.legacy_tiocsti = 1 they let any process that holds a terminal
// descriptor type into it, the way an agent approved its own prompt. Everything else is
// allowed: the sandbox's other walls are namespaces and mounts, not seccomp, and a filter
// that refuses more needs a measured reason. Pure: no I/O.

/** struct sock_filter: u16 code, u8 jt, u8 jf, u32 k (host byte order; both arches below are little-endian). */
interface Insn {
  code: number;
  jt: number;
  jf: number;
  k: number;
}

// BPF opcodes (linux/bpf_common.h).
const LD_W_ABS = 0x20; // BPF_LD | BPF_W | BPF_ABS
const JEQ_K = 0x15; // BPF_JMP | BPF_JEQ | BPF_K
const RET_K = 0x06; // BPF_RET | BPF_K

const SECCOMP_RET_ALLOW = 0x7fff0000;
const SECCOMP_RET_ERRNO = 0x00050000;
const EPERM = 1;

// struct seccomp_data: int nr; __u32 arch; __u64 instruction_pointer; __u64 args[6].
const OFF_NR = 0;
const OFF_ARCH = 4;
/** The low 32 bits of args[1] on a little-endian machine: the ioctl request (the kernel reads it as an unsigned int, so the high half is ignored there too). */
const OFF_ARG1_LO = 24;

export const TIOCSTI = 0x5412;
export const TIOCLINUX = 0x541c;

/**
 * Each ABI a process on an x86_64 or aarch64 kernel can make system calls through, with
 * its ioctl number. The compat ABIs matter: a 32-bit binary (int 0x80, AArch32) or an x32
 * one reaches the same tty code with another number, and would walk round a filter that
 * only knew the native one.
 */
const ABIS: { arch: number; name: string; ioctl: number[] }[] = [
  // x86_64, and x32, which shares its audit arch with bit 30 set in nr (x32's ioctl is 514).
  { arch: 0xc000003e, name: 'x86_64', ioctl: [16, 0x40000000 | 514] },
  { arch: 0x40000003, name: 'i386', ioctl: [54] },
  { arch: 0xc00000b7, name: 'aarch64', ioctl: [29] },
  { arch: 0x40000028, name: 'arm', ioctl: [54] },
];

/** Node's process.arch values this filter is written for (little-endian, ABIs above). */
export const SECCOMP_ARCHES = ['x64', 'arm64'];

/**
 * The filter program. Shape:
 *   load arch; for each known ABI jump to its block; unknown arch → EPERM
 *   block: load nr; ioctl? → check; else ALLOW
 *   check: load low(args[1]); TIOCSTI or TIOCLINUX → EPERM; else ALLOW
 * An arch we do not know gets EPERM for every call rather than SECCOMP_RET_KILL: on these
 * kernels every ABI is listed, so this never fires in practice, and if it did a clean
 * error is easier to diagnose than a dead process; allowing would leave a way round.
 */
export function ttyInjectionFilter(): Buffer {
  const prog: (Insn | { label: string } | { jeq: number; to: string })[] = [];
  const allowRet = { code: RET_K, jt: 0, jf: 0, k: SECCOMP_RET_ALLOW };
  const epermRet = { code: RET_K, jt: 0, jf: 0, k: SECCOMP_RET_ERRNO | EPERM };
  prog.push({ code: LD_W_ABS, jt: 0, jf: 0, k: OFF_ARCH });
  for (const a of ABIS) prog.push({ jeq: a.arch, to: `abi-${a.name}` });
  prog.push(epermRet);
  for (const a of ABIS) {
    prog.push({ label: `abi-${a.name}` });
    prog.push({ code: LD_W_ABS, jt: 0, jf: 0, k: OFF_NR });
    for (const nr of a.ioctl) prog.push({ jeq: nr, to: 'check-request' });
    prog.push(allowRet);
  }
  prog.push({ label: 'check-request' });
  prog.push({ code: LD_W_ABS, jt: 0, jf: 0, k: OFF_ARG1_LO });
  prog.push({ jeq: TIOCSTI, to: 'refuse' });
  prog.push({ jeq: TIOCLINUX, to: 'refuse' });
  prog.push(allowRet);
  prog.push({ label: 'refuse' });
  prog.push(epermRet);

  // Resolve labels to instruction indexes; a JEQ jumps forward by jt when equal, falls through otherwise.
  const labels = new Map<string, number>();
  let n = 0;
  for (const p of prog) {
    if ('label' in p) labels.set(p.label, n);
    else n++;
  }
  const insns: Insn[] = [];
  for (const p of prog) {
    if ('label' in p) continue;
    if ('jeq' in p) {
      const target = labels.get(p.to)!;
      const offset = target - (insns.length + 1);
      if (offset < 0 || offset > 255) throw new Error(`seccomp filter: jump to ${p.to} out of range`);
      insns.push({ code: JEQ_K, jt: offset, jf: 0, k: p.jeq >>> 0 });
    } else insns.push(p);
  }
  const buf = Buffer.alloc(insns.length * 8);
  insns.forEach((ins, i) => {
    buf.writeUInt16LE(ins.code, i * 8);
    buf.writeUInt8(ins.jt, i * 8 + 2);
    buf.writeUInt8(ins.jf, i * 8 + 3);
    buf.writeUInt32LE(ins.k >>> 0, i * 8 + 4);
  });
  return buf;
}
