// Archivers: where tar and unzip extract to, what tar creates, and the archive they read.
import { hasFlag } from './options.js';
import type { ProgramSpec } from './types.js';
import { lit, pushAll } from './words.js';

export const tar: ProgramSpec = {
  names: ['tar', 'gtar', 'bsdtar'],
  options: {
    takesValue: ['-C', '--directory', '-f', '--file', '-T', '--files-from', '-X', '--exclude-from', '--exclude', '-b', '--blocking-factor', '-H', '--format', '--transform', '--xform', '--strip-components', '--owner', '--group', '--mode', '--mtime', '-I', '--use-compress-program', '--to-command', '--checkpoint-action', '--info-script', '--new-volume-script', '-F', '--rsh-command', '-K', '--starting-file', '-N', '--newer', '--after-date', '-V', '--label', '-L', '--tape-length', '--index-file', '--level', '--listed-incremental', '-g', '--exclude-tag', '--exclude-tag-all', '--exclude-tag-under', '--suffix', '--occurrence', '--quoting-style', '--sort', '--record-size'],
    optionalValue: ['--checkpoint', '--backup', '--warning', '--hole-detection', '--totals', '--xattrs-include', '--xattrs-exclude'],
  },
  effects(a, out) {
    const o = a.opts;
    // Old-style bundles without a dash: tar xzf a.tar -C dir.
    const first = a.args[0]?.value ?? '';
    const oldStyle = /^[A-Za-z]+$/.test(first) ? first : '';
    const has = (short: string, long: string) => o.flags.includes('-' + short) || hasFlag(o, [long]) || oldStyle.includes(short);
    const dir = a.values(['-C', '--directory']);
    const file = a.values(['-f', '--file']);
    if (oldStyle.includes('f') && !file.length) {
      const p = o.positionals.slice(1);
      if (p.length) file.push(p[0]);
    }
    if (has('x', '--extract') || has('x', '--get')) {
      pushAll(out.writes, dir.length ? dir : [lit('.')]);
      pushAll(out.reads, file);
    } else if (has('c', '--create') || has('r', '--append') || has('u', '--update')) {
      pushAll(out.writes, file);
      pushAll(out.reads, o.positionals.filter((p) => p !== o.positionals[0] || !oldStyle));
    } else pushAll(out.reads, file);
    pushAll(out.reads, a.values(['-T', '--files-from', '-X', '--exclude-from']));
  },
};

export const unzip: ProgramSpec = {
  names: ['unzip'],
  options: { takesValue: ['-d', '-x', '-P'] },
  effects(a, out) {
    const o = a.opts;
    if (o.flags.includes('-l') || o.flags.includes('-t') || o.flags.includes('-v') || o.flags.includes('-Z')) {
      pushAll(out.reads, o.positionals.slice(0, 1));
      return;
    }
    const d = a.values(['-d']);
    pushAll(out.writes, d.length ? d : [lit('.')]);
    pushAll(out.reads, o.positionals.slice(0, 1));
  },
};

export const zip: ProgramSpec = {
  names: ['zip'],
  options: { takesValue: ['-x', '-i', '-b', '-n', '-P', '-t', '-tt', '-TT', '--unzip-command', '-O', '--output-file', '-Z', '--compression-method', '-s', '--split-size'] },
  effects(a, out) {
    const pos = a.opts.positionals;
    if (pos[0]) out.writes.push(pos[0]);
    pushAll(out.reads, pos.slice(1));
    pushAll(out.writes, a.values(['-O', '--output-file']));
  },
};

export const programs = [tar, unzip, zip];
