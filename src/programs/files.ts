// File utilities (coreutils and friends): what they delete, create, copy, move, link,
// change the mode or owner of, and read.
import type { Word } from '../shell/types.js';
import { hasFlag, type OptionSpec } from './options.js';
import type { Bytes, Effects, ProgramArgs, ProgramSpec, Volume } from './types.js';
import { endless, parseSize, sizeOr0 } from './volume.js';
import { lit, pushAll } from './words.js';

type EffectsFn = (a: ProgramArgs, out: Effects) => void;

const writesOperands: EffectsFn = (a, out) => pushAll(out.writes, a.opts.positionals);

const copyLike: EffectsFn = (a, out) => {
  const pos = a.opts.positionals;
  const target = a.values(['-t', '--target-directory']);
  if (target.length) {
    pushAll(out.writes, target);
    pushAll(out.reads, pos);
    return;
  }
  if (pos.length >= 2) {
    out.writes.push(pos[pos.length - 1]);
    pushAll(out.reads, pos.slice(0, -1));
  }
};

const COPY: OptionSpec = { takesValue: ['-t', '--target-directory', '-S', '--suffix'], optionalValue: ['--backup', '--preserve', '--no-preserve', '--reflink', '--sparse', '--context'] };

function spec(names: string[], effects: EffectsFn, options?: OptionSpec, lists?: string[]): ProgramSpec {
  return { names, effects, options, lists };
}

export const deleters = spec(['rm', 'rmdir', 'unlink', 'srm', 'trash', 'trash-put'], writesOperands, undefined, ['deleters']);
export const shred = spec(['shred'], writesOperands, { takesValue: ['-n', '--iterations', '-s', '--size'], optionalValue: ['--remove', '--random-source'] }, ['deleters']);
export const creators = spec(['mkdir', 'touch', 'sudoedit', 'mkfifo', 'mknod'], writesOperands, { takesValue: ['-m', '--mode', '-d', '--date', '-r', '--reference', '-t'] });
// tee copies its stdin to every file and to stdout.
export const tee: ProgramSpec = {
  ...spec(['tee'], writesOperands, { optionalValue: ['--output-error'] }),
  volume: (a, stdin) => ({ files: a.opts.positionals.map((path) => ({ path, bytes: stdin })), stdout: stdin }),
};

/**
 * truncate -s SIZE sets each file to SIZE (sparse, but the space is promised); +SIZE and
 * >SIZE grow by or to it, %SIZE rounds up to a multiple; <, - and / only shrink.
 */
export const truncate: ProgramSpec = {
  ...spec(['truncate'], writesOperands, { takesValue: ['-s', '--size', '-r', '--reference'] }),
  volume(a) {
    const size = a.values(['-s', '--size']).pop();
    let bytes: Bytes = 0;
    if (size?.value === null) bytes = null;
    else if (size?.value && !/^[<\-/]/.test(size.value)) bytes = sizeOr0(parseSize(size.value.replace(/^[+>%]/, '')));
    return { files: a.opts.positionals.map((path) => ({ path, bytes })), stdout: 0 };
  },
};

/** fallocate -l LEN [-o OFFSET] FILE allocates real blocks; punching, collapsing or digging holes frees them. */
export const fallocate: ProgramSpec = {
  ...spec(['fallocate'], writesOperands, { takesValue: ['-l', '--length', '-o', '--offset'] }),
  volume(a) {
    const frees = a.opts.flags.some((f) => ['-p', '--punch-hole', '-c', '--collapse-range', '-d', '--dig-holes'].includes(f));
    const len = sizeOr0(parseSize(a.values(['-l', '--length']).pop(), { decimals: true }));
    const offset = sizeOr0(parseSize(a.values(['-o', '--offset']).pop() ?? '0', { decimals: true }));
    const bytes: Bytes = frees ? 0 : len === null || offset === null ? null : len + offset;
    return { files: a.opts.positionals.slice(0, 1).map((path) => ({ path, bytes })), stdout: 0 };
  },
};

/** mkfile (macOS, Solaris): mkfile [-nv] SIZE[b|k|m|g] FILE… */
export const mkfile: ProgramSpec = {
  ...spec(['mkfile', 'xfs_mkfile'], (a, out) => pushAll(out.writes, a.opts.positionals.slice(1))),
  volume(a) {
    const bytes = sizeOr0(parseSize(a.opts.positionals[0]?.value?.replace(/^(\d+)([kmgt])$/i, (_, n: string, u: string) => n + u.toUpperCase()) ?? undefined, { blocks: true }));
    return { files: a.opts.positionals.slice(1).map((path) => ({ path, bytes })), stdout: 0 };
  },
};
export const cp = spec(['cp'], copyLike, COPY);
export const mv = spec(
  ['mv'],
  (a, out) => {
    copyLike(a, out);
    // A move also removes its sources.
    pushAll(out.writes, out.reads.splice(0));
  },
  COPY,
);
export const install = spec(
  ['install'],
  (a, out) => {
    if (hasFlag(a.opts, ['-d', '--directory'])) pushAll(out.writes, a.opts.positionals);
    else copyLike(a, out);
  },
  { takesValue: ['-t', '--target-directory', '-m', '--mode', '-o', '--owner', '-g', '--group', '-S', '--suffix'], optionalValue: ['--backup', '--context'] },
);
export const ln = spec(
  ['ln', 'link'],
  (a, out) => {
    const pos = a.opts.positionals;
    const target = a.values(['-t', '--target-directory']);
    if (target.length) pushAll(out.writes, target);
    else if (pos.length >= 2) out.writes.push(pos[pos.length - 1]);
    else if (pos.length === 1 && pos[0].value !== null) out.writes.push(lit(pos[0].value.split('/').pop() || '.'));
  },
  COPY,
);
/** chmod/chown/chgrp: the first operand is the mode or owner unless --reference gives it. */
const modeThenFiles: EffectsFn = (a, out) => pushAll(out.writes, a.opts.positionals.slice(a.opts.values.has('--reference') ? 0 : 1));
export const chmod = spec(['chmod'], modeThenFiles, { takesValue: ['--reference'] });
export const chown = spec(['chown', 'chgrp'], modeThenFiles, { takesValue: ['--reference', '--from'] });
export const dd: ProgramSpec = {
  ...spec(
    ['dd'],
    (a, out) => {
      for (const w of a.args) {
        if (w.value?.startsWith('of=')) out.writes.push(lit(w.value.slice(3)));
        else if (w.value?.startsWith('if=')) out.reads.push(lit(w.value.slice(3)));
        else if (w.value === null) {
          // bs=$BS is a size, if=$IMG a read; only of= or a word whose key is unknown may name the output.
          const key = /^([a-z]+)=/.exec(w.raw)?.[1];
          if (key === 'if') out.reads.push(w);
          else if (key === undefined || key === 'of') out.writes.push(w);
        }
      }
    },
    { singleDashLong: true },
  ),
  volume: ddVolume,
};

/**
 * dd copies count blocks of ibs (bs sets both; iflag=count_bytes makes count bytes), or its
 * whole input without count (endless from /dev/zero), to of= after seek blocks of obs (or
 * bytes with oflag=seek_bytes), or to stdout. A count is an upper bound whatever the input.
 */
function ddVolume(a: ProgramArgs, stdin: Bytes): Volume {
  const op = new Map<string, Word>();
  let dynamic = false;
  for (const w of a.args) {
    // A word only known at run time still names its operand when written key=$X.
    const key = /^([a-z]+)=/.exec(w.value ?? w.raw)?.[1];
    if (!key) dynamic ||= w.value === null;
    else op.set(key, { value: w.value === null ? null : w.value.slice(key.length + 1), raw: w.raw.slice(key.length + 1), glob: w.glob });
  }
  const size = (key: string): Bytes | undefined => (op.has(key) ? sizeOr0(parseSize(op.get(key), { blocks: true, product: true })) : undefined);
  const flag = (key: string, f: string) => !!op.get(key)?.value?.split(',').includes(f);
  const bs = size('bs');
  const ibs = bs !== undefined ? bs : (size('ibs') ?? 512);
  const obs = bs !== undefined ? bs : (size('obs') ?? 512);
  const input = op.has('if') ? (endless(op.get('if')!) ? Infinity : 0) : stdin;
  let copied: Bytes = input;
  const count = size('count');
  if (count !== undefined) copied = flag('iflag', 'count_bytes') ? count : count === null || ibs === null ? null : count * ibs;
  // A word only known at run time may be any operand, count and bs included.
  if (dynamic && copied !== Infinity) copied = null;
  if (!op.has('of')) return { files: [], stdout: copied };
  const seek = size('seek') ?? size('oseek') ?? 0;
  const offset = flag('oflag', 'seek_bytes') || seek === 0 ? seek : seek === null || obs === null ? null : seek * obs;
  const bytes = copied === null || offset === null ? null : copied + offset;
  return { files: [{ path: op.get('of')!, bytes }], stdout: 0 };
}
export const sort = spec(
  ['sort'],
  (a, out) => {
    pushAll(out.writes, a.values(['-o', '--output']));
    pushAll(out.reads, a.opts.positionals);
  },
  { takesValue: ['-o', '--output', '-k', '--key', '-t', '--field-separator', '-T', '--temporary-directory', '-S', '--buffer-size', '--files0-from', '--batch-size', '--parallel', '--compress-program'], optionalValue: ['--check', '--sort', '--random-source'] },
);
export const split = spec(
  ['split', 'csplit'],
  (a, out) => {
    if (a.opts.positionals.length >= 2) out.writes.push(a.opts.positionals[1]);
  },
  { takesValue: ['-b', '--bytes', '-l', '--lines', '-n', '--number', '-a', '--suffix-length', '-C', '--line-bytes', '-t', '--separator', '--additional-suffix', '--filter', '-f', '--prefix'] },
);
export const patch = spec(
  ['patch'],
  (a, out) => {
    pushAll(out.writes, a.values(['-o', '--output']), a.opts.positionals.slice(0, 1));
    pushAll(out.reads, a.values(['-i', '--input']));
  },
  { takesValue: ['-p', '--strip', '-i', '--input', '-o', '--output', '-d', '--directory', '-r', '--reject-file', '-B', '--prefix', '-D', '--ifdef', '-F', '--fuzz', '-z', '--suffix', '-V', '--version-control', '-Y', '--basename-prefix'] },
);
export const mktemp = spec(['mktemp'], () => {}, { takesValue: ['-p', '--tmpdir', '--suffix'] });
/** Formatting and wiping tools write the devices they are given. */
export const disks = spec(['mkfs', 'mke2fs', 'mkswap', 'mkdosfs', 'mkntfs', 'wipefs', 'blkdiscard', 'mkfs.ext2', 'mkfs.ext3', 'mkfs.ext4', 'mkfs.xfs', 'mkfs.btrfs', 'mkfs.vfat', 'mkfs.fat', 'mkfs.msdos', 'mkfs.ntfs', 'mkfs.exfat', 'mkfs.f2fs'], writesOperands);

/** The words a command writes, for callers outside this module that only need rm's reading of operands. */
export function operands(a: ProgramArgs): Word[] {
  return a.opts.positionals;
}

export const programs = [deleters, shred, creators, tee, truncate, fallocate, mkfile, cp, mv, install, ln, chmod, chown, dd, sort, split, patch, mktemp, disks];
