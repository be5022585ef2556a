// gio (GLib): `gio remove` and `gio trash` delete the files they are given.
import type { ProgramSpec } from './types.js';
import { pushAll } from './words.js';

export const gio: ProgramSpec = {
  names: ['gio'],
  lists: ['deleters'],
  effects(a, out) {
    const [sub, ...rest] = a.opts.positionals;
    if (sub?.value === 'remove' || sub?.value === 'rm' || sub?.value === 'trash') pushAll(out.writes, rest);
    else if (sub?.value === 'copy' || sub?.value === 'move' || sub?.value === 'save') { if (rest.length) out.writes.push(rest[rest.length - 1]); }
  },
};

export const programs = [gio];
