// File utilities (coreutils and friends): what they delete, create, copy, move, link,
// change the mode or owner of, and read.
import type { Word } from '../shell/types.js';
import { hasFlag, type OptionSpec } from './options.js';
import type { Effects, ProgramArgs, ProgramSpec } from './types.js';
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
export const tee = spec(['tee'], writesOperands, { optionalValue: ['--output-error'] });
export const truncate = spec(['truncate'], writesOperands, { takesValue: ['-s', '--size', '-r', '--reference'] });
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
export const dd = spec(
  ['dd'],
  (a, out) => {
    for (const w of a.args) {
      if (w.value?.startsWith('of=')) out.writes.push(lit(w.value.slice(3)));
      else if (w.value?.startsWith('if=')) out.reads.push(lit(w.value.slice(3)));
      else if (w.value === null) out.writes.push(w);
    }
  },
  { singleDashLong: true },
);
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

export const programs = [deleters, shred, creators, tee, truncate, cp, mv, install, ln, chmod, chown, dd, sort, split, patch, mktemp, disks];
