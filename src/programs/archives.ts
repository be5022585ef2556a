// Archivers: where tar and unzip extract to, what tar creates, and the archive they read;
// and the commands they run for you (GNU tar's --to-command, --checkpoint-action=exec=,
// -I/--use-compress-program, --info-script/--new-volume-script, --rsh-command; zip's
// -TT/--unzip-command), which tar and zip hand to /bin/sh.
import type { Word } from '../shell/types.js';
import { hasFlag, optionValues, parseOptions } from './options.js';
import type { ProgramSpec, Run } from './types.js';
import { lit, pushAll } from './words.js';

/** A shell command given as an option's value: a script when static, else opaque. */
function shellCommands(values: readonly (string | null)[], program: string, option: string): Run[] {
  return values.map((v) => (v === null ? { kind: 'opaque' as const, reason: `${program} ${option} runs a command only known when it runs` } : { kind: 'script' as const, script: lit(v) }));
}

export const tar: ProgramSpec = {
  names: ['tar', 'gtar', 'bsdtar'],
  options: {
    takesValue: ['-C', '--directory', '-f', '--file', '-T', '--files-from', '-X', '--exclude-from', '--exclude', '-b', '--blocking-factor', '-H', '--format', '--transform', '--xform', '--strip-components', '--owner', '--group', '--mode', '--mtime', '-I', '--use-compress-program', '--to-command', '--checkpoint-action', '--info-script', '--new-volume-script', '-F', '--rsh-command', '-K', '--starting-file', '-N', '--newer', '--after-date', '-V', '--label', '-L', '--tape-length', '--index-file', '--level', '--listed-incremental', '-g', '--exclude-tag', '--exclude-tag-all', '--exclude-tag-under', '--suffix', '--occurrence', '--quoting-style', '--sort', '--record-size'],
    optionalValue: ['--checkpoint', '--backup', '--warning', '--hole-detection', '--totals', '--xattrs-include', '--xattrs-exclude'],
  },
  runs(args) {
    const o = parseOptions(args, tar.options);
    const out: Run[] = [];
    // "--to-command=$CMD" is one word only known at run time: the parser sees no option in it.
    for (const w of args) if (w.value === null && /^["']?(--(to-c|checkpoint-a|use-c|info-s|new-v|rsh-c)|-[IF])/.test(w.raw)) out.push({ kind: 'opaque', reason: `tar is given a command only known when it runs: ${w.raw}` });
    out.push(...shellCommands(optionValues(o, ['--to-command']), 'tar', '--to-command'));
    for (const v of optionValues(o, ['--checkpoint-action'])) {
      // exec=COMMAND runs it; bell, dot, echo, ttyout, sleep, totals, wait do not.
      if (v === null) out.push({ kind: 'opaque', reason: 'tar --checkpoint-action is only known when it runs' });
      else if (v.startsWith('exec=')) out.push({ kind: 'script', script: lit(v.slice(5)) });
    }
    out.push(...shellCommands(optionValues(o, ['-I', '--use-compress-program']), 'tar', '--use-compress-program'));
    out.push(...shellCommands(optionValues(o, ['-F', '--info-script', '--new-volume-script']), 'tar', '--info-script'));
    for (const v of optionValues(o, ['--rsh-command'])) out.push(v === null ? { kind: 'opaque', reason: 'tar --rsh-command is only known when it runs' } : { kind: 'argv', argv: [lit(v)] });
    return out;
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

/** zip's two-letter -TT (and -tt) take the next word; the option parser reads -TT as two -T. */
function zipArgs(args: readonly Word[]): { test: (string | null)[]; rest: Word[] } {
  const test: (string | null)[] = [];
  const rest: Word[] = [];
  for (let i = 0; i < args.length; i++) {
    const v = args[i].value;
    if (v === '--') {
      pushAll(rest, args.slice(i));
      break;
    }
    if (v === '-TT' || v === '--unzip-command' || v === '-tt') {
      if (v !== '-tt') test.push(args[i + 1]?.value ?? null);
      i++;
    } else if (v?.startsWith('-TT') || v?.startsWith('--unzip-command=')) test.push(v.slice(v.startsWith('-TT') ? 3 : 16).replace(/^=/, ''));
    else rest.push(args[i]);
  }
  return { test, rest };
}

export const zip: ProgramSpec = {
  names: ['zip'],
  options: { takesValue: ['-x', '-i', '-b', '-n', '-P', '-t', '-O', '--output-file', '-Z', '--compression-method', '-s', '--split-size'] },
  runs(args) {
    // -TT CMD replaces `unzip -tqq` when -T tests the new archive ({} is the archive's name).
    return shellCommands(zipArgs(args).test, 'zip', '-TT');
  },
  effects(a, out) {
    const pos = parseOptions(zipArgs(a.args).rest, zip.options).positionals;
    if (pos[0]) out.writes.push(pos[0]);
    pushAll(out.reads, pos.slice(1));
    pushAll(out.writes, a.values(['-O', '--output-file']));
  },
};

export const programs = [tar, unzip, zip];
