// What a command runs inside itself: wrappers (sudo, env, nohup …) whose argv tail is
// another command, and runners whose argument is a script (bash -c, eval, watch, trap …).
import { parseOptions, type OptionSpec } from './options.js';
import type { Word } from './types.js';

export type Inner =
  /** argv of a command run by this one; `dynamicArgs`: more words are appended at run time (xargs). */
  | { kind: 'argv'; argv: Word[]; assignments?: Record<string, string | null>; chdir?: Word; dynamicArgs?: boolean }
  /** bash source run by this one. */
  | { kind: 'script'; script: Word };

const dyn = (raw: string): Word => ({ value: null, raw, glob: false });

/** Joins words with spaces, as eval/watch/sudo -s do; dynamic if any part is. */
export function joinWords(words: readonly Word[]): Word {
  const raw = words.map((w) => w.raw).join(' ');
  if (words.some((w) => w.value === null)) return dyn(raw);
  return { value: words.map((w) => w.value).join(' '), raw, glob: false };
}

/** Parses options up to the first positional, returning the tail (the inner command). */
function afterOptions(args: readonly Word[], spec: OptionSpec) {
  const opts = parseOptions(args, { ...spec, stopAtPositional: true });
  return { opts, rest: opts.positionals };
}

const SIMPLE_PREFIX = new Set(['nohup', 'builtin', 'unbuffer', 'caffeinate', 'busybox', 'setsid', 'catchsegv']);

type Handler = (args: readonly Word[]) => Inner[];

const HANDLERS: Record<string, Handler> = {
  sudo(args) {
    const { opts, rest } = afterOptions(args, {
      takesValue: ['-u', '-g', '-C', '-D', '-h', '-p', '-r', '-t', '-T', '-U', '--user', '--group', '--chdir', '--prompt', '--role', '--type', '--close-from', '--host', '--other-user', '--command-timeout'],
    });
    if (!rest.length) return [];
    if (opts.flags.some((f) => f === '-e' || f === '--edit')) return [{ kind: 'argv', argv: [lit('sudoedit'), ...rest] }];
    if (opts.flags.some((f) => f === '-s' || f === '-i' || f === '--shell' || f === '--login')) return [{ kind: 'script', script: joinWords(rest) }];
    if (opts.flags.some((f) => f === '-l' || f === '--list')) return [];
    return [{ kind: 'argv', argv: rest }];
  },
  doas(args) {
    const { opts, rest } = afterOptions(args, { takesValue: ['-u', '-C'] });
    if (opts.flags.includes('-s') || !rest.length) return [];
    return [{ kind: 'argv', argv: rest }];
  },
  su(args) {
    const opts = parseOptions(args, { takesValue: ['-c', '--command', '-s', '--shell', '-g', '--group', '-G', '--supp-group', '-w', '--whitelist-environment', '--session-command'] });
    const cmds = [...(opts.values.get('-c') ?? []), ...(opts.values.get('--command') ?? []), ...(opts.values.get('--session-command') ?? [])];
    return cmds.map((c) => ({ kind: 'script' as const, script: c === null ? dyn('su -c …') : lit(c) }));
  },
  runuser(args) {
    const opts = parseOptions(args, { takesValue: ['-u', '--user', '-g', '--group', '-G', '-c', '--command', '-s', '--shell', '-w'] });
    const c = opts.values.get('-c') ?? opts.values.get('--command');
    if (c) return c.map((s) => ({ kind: 'script' as const, script: s === null ? dyn('runuser -c …') : lit(s) }));
    const i = args.findIndex((w) => w.value === '--');
    return i >= 0 && i + 1 < args.length ? [{ kind: 'argv', argv: args.slice(i + 1) }] : [];
  },
  env(args) {
    const assignments: Record<string, string | null> = {};
    let chdir: Word | undefined;
    let i = 0;
    for (; i < args.length; i++) {
      const v = args[i].value;
      if (v === null) return [{ kind: 'argv', argv: args.slice(i) }];
      if (v === '--') {
        i++;
        break;
      }
      if (v === '-S' || v.startsWith('--split-string') || (v.startsWith('-S') && v.length > 2)) {
        // env -S 'cmd args' splits one string into argv: analyse it as a script.
        const s = v === '-S' || v === '--split-string' ? args[i + 1] : lit(v.slice(v.indexOf('=') >= 0 ? v.indexOf('=') + 1 : 2));
        const tail = args.slice(v === '-S' || v === '--split-string' ? i + 2 : i + 1);
        return [{ kind: 'script', script: joinWords([s ?? dyn(''), ...tail]) }];
      }
      if (v === '-u' || v === '--unset' || v === '-C' || v === '--chdir') {
        if (v === '-C' || v === '--chdir') chdir = args[i + 1];
        i++;
        continue;
      }
      if (v.startsWith('--chdir=')) {
        chdir = lit(v.slice(8));
        continue;
      }
      if (v.startsWith('-')) continue;
      const eq = v.indexOf('=');
      if (eq > 0) {
        assignments[v.slice(0, eq)] = v.slice(eq + 1);
        continue;
      }
      break;
    }
    const rest = args.slice(i);
    return rest.length ? [{ kind: 'argv', argv: rest, assignments, chdir }] : [];
  },
  command(args) {
    const { opts, rest } = afterOptions(args, {});
    if (opts.flags.includes('-v') || opts.flags.includes('-V')) return [];
    return rest.length ? [{ kind: 'argv', argv: rest }] : [];
  },
  exec: (args) => tail(args, { takesValue: ['-a'] }),
  nice: (args) => tail(args, { takesValue: ['-n', '--adjustment'] }),
  ionice(args) {
    const { opts, rest } = afterOptions(args, { takesValue: ['-c', '--class', '-n', '--classdata', '-p', '--pid', '-P', '--pgid', '-u', '--uid'] });
    return opts.flags.some((f) => ['-p', '--pid', '-P', '--pgid', '-u', '--uid'].includes(f)) || !rest.length ? [] : [{ kind: 'argv', argv: rest }];
  },
  timeout(args) {
    const { rest } = afterOptions(args, { takesValue: ['-s', '--signal', '-k', '--kill-after'] });
    return rest.length > 1 ? [{ kind: 'argv', argv: rest.slice(1) }] : [];
  },
  stdbuf: (args) => tail(args, { takesValue: ['-i', '-o', '-e', '--input', '--output', '--error'] }),
  time: (args) => tail(args, { takesValue: ['-f', '-o', '--format', '--output'] }),
  taskset(args) {
    const { opts, rest } = afterOptions(args, {});
    if (opts.flags.includes('-p') || opts.flags.includes('--pid')) return [];
    return rest.length > 1 ? [{ kind: 'argv', argv: rest.slice(1) }] : [];
  },
  chroot(args) {
    // Inside, relative paths start at the new root.
    const { rest } = afterOptions(args, { takesValue: ['--userspec', '--groups'] });
    return rest.length > 1 ? [{ kind: 'argv', argv: rest.slice(1), chdir: rest[0] }] : [];
  },
  flock(args) {
    // flock [options] FILE -c COMMAND | flock [options] FILE COMMAND [ARGS…]: options may follow FILE.
    const opts = parseOptions(args, { takesValue: ['-w', '--timeout', '-E', '--conflict-exit-code', '-c', '--command'] });
    const c = [...(opts.values.get('-c') ?? []), ...(opts.values.get('--command') ?? [])];
    if (c.length) return c.map((s) => ({ kind: 'script' as const, script: s === null ? dyn('flock -c …') : lit(s) }));
    const first = args.findIndex((w) => w.value === null || !w.value.startsWith('-'));
    return first >= 0 && first + 1 < args.length ? [{ kind: 'argv', argv: args.slice(first + 1) }] : [];
  },
  eval: (args) => (args.length ? [{ kind: 'script', script: joinWords(args) }] : []),
  trap(args) {
    const { rest } = afterOptions(args, {});
    if (!rest.length || rest[0].value === '-' || rest.length === 1) return [];
    return [{ kind: 'script', script: rest[0] }];
  },
  watch(args) {
    const { opts, rest } = afterOptions(args, { takesValue: ['-n', '--interval', '-d', '-q', '--equexit', '--differences'] });
    if (!rest.length) return [];
    if (opts.flags.includes('-x') || opts.flags.includes('--exec')) return [{ kind: 'argv', argv: rest }];
    return [{ kind: 'script', script: joinWords(rest) }];
  },
  script(args) {
    const opts = parseOptions(args, { takesValue: ['-c', '--command', '-E', '--echo', '-I', '-O', '-B', '-T', '-m'] });
    const c = [...(opts.values.get('-c') ?? []), ...(opts.values.get('--command') ?? [])];
    return c.map((s) => ({ kind: 'script' as const, script: s === null ? dyn('script -c …') : lit(s) }));
  },
  xargs(args) {
    const { opts, rest } = afterOptions(args, {
      takesValue: ['-I', '-i', '-n', '-L', '-l', '-P', '-s', '-d', '-E', '-e', '-a', '--arg-file', '--delimiter', '--max-args', '--max-procs', '--replace', '--max-lines', '--eof', '--max-chars', '--process-slot-var'],
    });
    const argv = rest.length ? rest : [lit('echo')];
    const replace = [...(opts.values.get('-I') ?? []), ...(opts.values.get('-i') ?? []), ...(opts.values.get('--replace') ?? [])];
    if (replace.length) {
      const token = replace[0] ?? '{}';
      return [{ kind: 'argv', argv: argv.map((w) => (w.value?.includes(token) ? dyn(w.raw) : w)) }];
    }
    return [{ kind: 'argv', argv, dynamicArgs: true }];
  },
  parallel(args) {
    const { rest } = afterOptions(args, { takesValue: ['-j', '--jobs', '-S', '--sshlogin', '--joblog', '--results', '-a', '--arg-file', '--delay', '--timeout', '-d', '--delimiter', '-I'] });
    const end = rest.findIndex((w) => w.value === ':::' || w.value === '::::' || w.value === ':::+');
    const template = end >= 0 ? rest.slice(0, end) : rest;
    if (!template.length) return [];
    // One word with spaces is a command line for a shell; one plain word is a program given the inputs.
    if (template.length === 1 && /\s/.test(template[0].value ?? ' ')) return [{ kind: 'script', script: template[0].value?.includes('{') ? dyn(template[0].raw) : template[0] }];
    return [{ kind: 'argv', argv: template.map((w) => (w.value?.includes('{') ? dyn(w.raw) : w)), dynamicArgs: true }];
  },
  find(args) {
    // -exec/-execdir/-ok/-okdir COMMAND … ; | + — {} stands for a found path below a start point.
    const starts: string[] = [];
    for (const w of args) {
      if (w.value === null || w.value.startsWith('-') || w.value === '(' || w.value === '!') break;
      starts.push(w.value);
    }
    if (!starts.length) starts.push('.');
    const filtered = hasFindFilter(args);
    const out: Inner[] = [];
    for (let i = 0; i < args.length; i++) {
      const v = args[i].value;
      if (v !== '-exec' && v !== '-execdir' && v !== '-ok' && v !== '-okdir') continue;
      const argv: Word[] = [];
      let j = i + 1;
      for (; j < args.length; j++) {
        const a = args[j].value;
        if (a === ';' || (a === '+' && argv.length && argv[argv.length - 1].value === '{}')) break;
        argv.push(args[j]);
      }
      i = j;
      if (!argv.length) continue;
      // One inner command per start point. With a test (-name, -type …) {} is a path
      // strictly below it; without one, every path is visited, the start point included.
      for (const s of starts) {
        const below = filtered ? (s.endsWith('/') ? s : s + '/') + '{}' : s;
        out.push({ kind: 'argv', argv: argv.map((w) => (w.value?.includes('{}') ? { value: w.value.split('{}').join(below), raw: w.raw, glob: false } : w)) });
      }
    }
    return out;
  },
};

/** find with a test (-name, -type, -mtime …) visits only some paths below its start points. */
export function hasFindFilter(args: readonly Word[]): boolean {
  return args.some((w) => w.value !== null && /^-(i?name|i?path|i?wholename|i?regex|type|mtime|mmin|atime|amin|ctime|cmin|newer|size|empty|user|group|perm|links|inum|maxdepth|mindepth)$/.test(w.value));
}

function tail(args: readonly Word[], spec: OptionSpec): Inner[] {
  const { rest } = afterOptions(args, spec);
  return rest.length ? [{ kind: 'argv', argv: rest }] : [];
}

function lit(value: string): Word {
  return { value, raw: value, glob: false };
}

/** Commands or scripts that `program` runs, given its arguments (argv without argv[0]). */
export function innerCommands(program: string, args: readonly Word[]): Inner[] | null {
  if (SIMPLE_PREFIX.has(program)) return args.length ? [{ kind: 'argv', argv: [...args] }] : [];
  const h = HANDLERS[program];
  return h ? h(args) : null;
}

export const SHELLS = new Set(['sh', 'bash', 'zsh', 'dash', 'ksh', 'mksh', 'ash', 'fish', 'rbash', 'yash', 'posh', 'tcsh', 'csh']);

export type ShellMode =
  | { mode: 'command'; script: Word }
  | { mode: 'file'; file: Word }
  | { mode: 'stdin' }
  | { mode: 'info' };

/** How a shell is invoked: -c SCRIPT (any cluster: -lc, -ec, --login -c), a script file, stdin, or --version. */
export function shellMode(args: readonly Word[]): ShellMode {
  let command = false;
  let stdin = false;
  let i = 0;
  for (; i < args.length; i++) {
    const v = args[i].value;
    if (v === null) break;
    if (v === '--' || v === '-') {
      i++;
      break;
    }
    if (v.startsWith('--')) {
      if (v === '--version' || v === '--help') return { mode: 'info' };
      if (v === '--rcfile' || v === '--init-file') i++;
      continue;
    }
    if (!/^[-+][A-Za-z]+$/.test(v)) break;
    const letters = v.slice(1);
    if (v[0] === '-' && letters.includes('c')) command = true;
    if (v[0] === '-' && letters.includes('s')) stdin = true;
    // -o OPTION / -O SHOPT take the next word.
    for (const l of letters) if (l === 'o' || l === 'O') i++;
  }
  const rest = args.slice(i);
  if (command) return rest.length ? { mode: 'command', script: rest[0] } : { mode: 'info' };
  if (stdin || !rest.length) return { mode: 'stdin' };
  return { mode: 'file', file: rest[0] };
}
