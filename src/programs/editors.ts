// Editors write the files they are given (an agent driving vim can change ~/.bashrc).
import type { ProgramSpec } from './types.js';
import { pushAll } from './words.js';

export const editors: ProgramSpec = {
  names: ['vi', 'vim', 'nvim', 'nano', 'pico', 'emacs', 'emacsclient', 'ed', 'ex', 'micro', 'joe', 'mcedit', 'code', 'subl', 'gedit', 'kate', 'hx'],
  effects(a, out) {
    pushAll(out.writes, a.opts.positionals.filter((p) => !p.value?.startsWith('+')));
  },
};

export const programs = [editors];
