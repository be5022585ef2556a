// sed: the files it edits in place (-i), else reads.
import type { ProgramSpec } from './types.js';
import { pushAll } from './words.js';

export const sed: ProgramSpec = {
  names: ['sed', 'gsed'],
  options: {
    takesValue: ['-e', '--expression', '-f', '--file', '-l', '--line-length'],
    optionalValue: ['-i', '--in-place'],
  },
  effects(a, out) {
    const o = a.opts;
    const inPlace = o.flags.some((f) => f === '-i' || f === '--in-place' || f === '-I');
    const script = a.values(['-e', '--expression', '-f', '--file']).length > 0;
    const files = o.positionals.slice(script ? 0 : 1);
    pushAll(inPlace ? out.writes : out.reads, files);
    pushAll(out.reads, a.values(['-f', '--file']));
  },
};

export const programs = [sed];
