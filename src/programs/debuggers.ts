// Tracers and debuggers that start a program: strace, ltrace, valgrind (the command after
// their options) and gdb (--args, or the program its `run` starts, plus the gdb commands
// given by -ex/-iex: `shell`/`!` run a shell string; python, pipe, source, call … run code
// agentguard does not read, so they are opaque).
import type { Word } from '../shell/types.js';
import { parseOptions, type OptionSpec } from './options.js';
import type { ProgramSpec, Run } from './types.js';
import { lit, mayReadFiles, runner, unknownOptions } from './words.js';

/** strace(1), strace 6.x: getopt "+…" (options stop at the command). */
const STRACE: OptionSpec = {
  takesValue: [
    '-a', '--columns', '-b', '--detach-on', '-e', '-E', '--env', '-I', '--interruptible', '-o', '--output', '-O', '--summary-syscall-overhead', '-p', '--attach', '-P', '--trace-path', '-s', '--string-limit', '-S', '--summary-sort-by', '-u', '--user', '-U', '--summary-columns', '-X', '--const-print-style',
    '--trace', '--signal', '--signals', '--status', '--abbrev', '--verbose', '--raw', '--read', '--write', '--inject', '--fault', '--kvm', '--argv0', '--decode-pids', '--silence', '--quiet', '--trace-fds', '--tips',
  ],
  optionalValue: ['--absolute-timestamps', '--timestamps', '--relative-timestamps', '--syscall-times', '--decode-fds', '--stack-trace', '--secontext', '--daemonize', '--seccomp-bpf'],
  flags: [
    '-A', '--output-append-mode', '-c', '--summary-only', '-C', '--summary', '-d', '--debug', '-D', '-f', '--follow-forks', '-F', '--output-separately', '-h', '--help', '-i', '--instruction-pointer', '-k', '-n', '--syscall-number', '-N', '--arg-names', '-q', '-r', '-t', '-T', '-v', '--no-abbrev', '-V', '--version', '-w', '--summary-wall-clock', '-x', '-y', '-Y', '--decode-pids', '-z', '--successful-only', '-Z', '--failed-only', '--kill-on-exit', '--always-show-pid', '--quiet', '--pidns-translation',
  ],
  complete: true,
  stopAtPositional: true,
};

/** ltrace(1). */
const LTRACE: OptionSpec = {
  takesValue: ['-a', '--align', '-A', '-D', '--debug', '-e', '-F', '--config', '-l', '--library', '-n', '--indent', '-o', '--output', '-p', '-s', '-u', '-w', '--where', '-x'],
  flags: ['-b', '--no-signals', '-c', '-C', '--demangle', '-f', '-h', '--help', '-i', '-L', '-r', '-S', '-t', '-T', '-V', '--version'],
  complete: true,
  stopAtPositional: true,
};

/**
 * valgrind(1) core options and those of its standard tools. Its options are `--name=value`
 * words, so the table names them all as flags (their values are attached). --db-command and
 * --vgdb-prefix run or connect a debugger command: not analysed.
 */
const VALGRIND_NAMES = [
  '--tool', '-h', '--help', '--help-debug', '--help-dyn-options', '--version', '-q', '--quiet', '-v', '--verbose', '--trace-children', '--trace-children-skip', '--trace-children-skip-by-arg', '--child-silent-after-fork', '--vgdb', '--vgdb-error', '--vgdb-stop-at', '--track-fds', '--time-stamp', '--log-fd', '--log-file', '--log-socket', '--enable-debuginfod', '--xml', '--xml-fd', '--xml-file', '--xml-socket', '--xml-user-comment', '--demangle', '--num-callers', '--error-limit', '--exit-on-first-error', '--error-exitcode', '--error-markers', '--show-error-list', '-s', '--show-below-main', '--fullpath-after', '--extra-debuginfo-path', '--debuginfo-server', '--allow-mismatched-debuginfo', '--suppressions', '--gen-suppressions', '--input-fd', '--dsymutil', '--max-stackframe', '--main-stacksize', '--max-threads', '--sim-hints', '--fair-sched', '--kernel-variant', '--merge-recursive-frames', '--num-transtab-sectors', '--avg-transtab-entry-size', '--aspace-minaddr', '--valgrind-stacksize', '--show-emwarns', '--require-text-symbol', '--soname-synonyms', '--progress-interval', '--smc-check', '--read-inline-info', '--read-var-info', '--vex-iropt-register-updates', '--px-default', '--px-file-backed', '--alignment', '--redzone-size', '--xtree-memory', '--xtree-memory-file', '--run-libc-freeres', '--run-cxx-freeres', '--keep-debuginfo', '--trace-malloc', '--malloc-fill', '--free-fill', '--realloc-zero-bytes-frees', '--default-suppressions', '--stats',
  // memcheck
  '--leak-check', '--leak-resolution', '--show-leak-kinds', '--errors-for-leak-kinds', '--leak-check-heuristics', '--show-reachable', '--show-possibly-lost', '--xtree-leak', '--xtree-leak-file', '--undef-value-errors', '--track-origins', '--partial-loads-ok', '--expensive-definedness-checks', '--keep-stacktraces', '--freelist-vol', '--freelist-big-blocks', '--workaround-gcc296-bugs', '--ignore-ranges', '--ignore-range-below-sp', '--show-mismatched-frees', '--show-realloc-size-zero', '--ignore-fn',
  // cachegrind, callgrind
  '--cache-sim', '--branch-sim', '--instr-at-start', '--cachegrind-out-file', '--callgrind-out-file', '--dump-instr', '--dump-line', '--collect-jumps', '--collect-systime', '--collect-bus', '--collect-atstart', '--toggle-collect', '--separate-threads', '--separate-callers', '--separate-recs', '--skip-plt', '--zero-before', '--dump-before', '--dump-after', '--dump-every-bb', '--combine-dumps', '--compress-strings', '--compress-pos', '--I1', '--D1', '--LL', '--simulate-cache', '--simulate-hwpref', '--simulate-wb', '--cacheuse',
  // helgrind, drd
  '--history-level', '--conflict-cache-size', '--check-stack-refs', '--track-lockorders', '--free-is-write', '--delta-stacktrace', '--check-stack-var', '--exclusive-threshold', '--join-list-vol', '--report-signal-unlocked', '--segment-merging', '--shared-threshold', '--show-confl-seg', '--show-stack-usage', '--ignore-thread-creation',
  // massif, dhat
  '--heap', '--heap-admin', '--stacks', '--pages-as-heap', '--depth', '--alloc-fn', '--threshold', '--peak-inaccuracy', '--time-unit', '--detailed-freq', '--max-snapshots', '--massif-out-file', '--dhat-out-file', '--mode',
];
const VALGRIND: OptionSpec = { flags: VALGRIND_NAMES, complete: true, stopAtPositional: true };

/** A prefix tracer: the command after its options runs. -p/--attach alone traces a running process. */
function tracer(name: string, spec: OptionSpec): ProgramSpec {
  return runner({
    names: [name],
    options: spec,
    run(o): Run[] {
      const out: Run[] = [];
      // strace -o '|CMD' (or '!CMD') pipes the trace into a shell command.
      for (const v of [...(o.values.get('-o') ?? []), ...(o.values.get('--output') ?? [])]) {
        if (v === null) out.push({ kind: 'opaque', reason: `${name} writes its trace to a place only known at run time` });
        else if (name === 'strace' && /^[|!]/.test(v)) {
          // The trace is the piped command's input: text the traced program controls.
          out.push({ kind: 'script', script: lit(v.slice(1)) }, { kind: 'opaque', reason: 'strace pipes its trace into a command, which reads text the traced program writes' });
        }
      }
      if (o.positionals.length) out.push({ kind: 'argv', argv: o.positionals });
      return out;
    },
    effects(a, out) {
      // The trace file it writes.
      for (const v of a.values(['-o', '--output'])) if (!/^[|!]/.test(v.value ?? '')) out.writes.push(v);
    },
  });
}

export const strace = tracer('strace', STRACE);
export const ltrace = tracer('ltrace', LTRACE);

export const valgrind: ProgramSpec = runner({
  names: ['valgrind'],
  options: VALGRIND,
  run(o): Run[] {
    return o.positionals.length ? [{ kind: 'argv', argv: o.positionals }] : [];
  },
  effects(a, out) {
    // Its logs and output files (--log-file=FILE …); %p and %q{VAR} make them per process.
    for (const v of a.values(['--log-file', '--xml-file', '--massif-out-file', '--callgrind-out-file', '--cachegrind-out-file', '--dhat-out-file', '--xtree-memory-file', '--xtree-leak-file'])) out.writes.push(v);
    for (const v of a.values(['--suppressions'])) out.reads.push(v);
  },
});

// ---- gdb ---------------------------------------------------------------------------------

/** gdb(1) options; gdb accepts each with one dash or two. */
const GDB_VALUES = ['ex', 'eval-command', 'iex', 'init-eval-command', 'eiex', 'early-init-eval-command', 'x', 'command', 'ix', 'init-command', 'eix', 'early-init-command', 'p', 'pid', 'c', 'core', 's', 'symbols', 'e', 'exec', 'se', 'd', 'directory', 'cd', 'tty', 't', 'b', 'l', 'D', 'data-directory', 'interpreter', 'i'];
const GDB_FLAGS = ['batch', 'batch-silent', 'n', 'nx', 'nh', 'q', 'quiet', 'silent', 'args', 'readnow', 'readnever', 'w', 'write', 'tui', 'dbx', 'statistics', 'configuration', 'version', 'help', 'h', 'return-child-result', 'f', 'fullname'];
const dashes = (names: string[]) => names.flatMap((n) => [`-${n}`, `--${n}`]);
const GDB: OptionSpec = { takesValue: dashes(GDB_VALUES), flags: dashes(GDB_FLAGS), complete: true, singleDashLong: true };

/** gdb commands that only inspect or steer the debugged program (and their usual abbreviations). */
const GDB_QUIET = new Set([
  'backtrace', 'bt', 'where', 'info', 'i', 'print', 'p', 'printf', 'output', 'echo', 'break', 'b', 'br', 'tbreak', 'hbreak', 'rbreak', 'watch', 'rwatch', 'awatch', 'delete', 'd', 'disable', 'enable', 'condition', 'ignore', 'quit', 'q', 'next', 'n', 'step', 's', 'nexti', 'ni', 'stepi', 'si', 'finish', 'fin', 'continue', 'c', 'cont', 'frame', 'f', 'list', 'l', 'x', 'display', 'undisplay', 'thread', 'up', 'down', 'kill', 'k', 'detach', 'attach', 'disassemble', 'ptype', 'whatis', 'until', 'u', 'advance', 'handle', 'catch', 'show', 'help', 'h', 'bt full', 'core-file', 'core', 'file', 'symbol-file', 'exec-file', 'directory', 'dir', 'sharedlibrary', 'generate-core-file', 'gcore', 'tui', 'layout', 'focus', 'refresh', 'checkpoint',
]);
/** Commands that start the program: with arguments, gdb passes them through a shell. */
const GDB_RUN = new Set(['run', 'r', 'start', 'starti']);

function gdbCommand(text: string | null, program: Word[], out: Run[]): void {
  if (text === null) {
    out.push({ kind: 'opaque', reason: 'gdb is given a command only known at run time' });
    return;
  }
  const t = text.trim();
  if (!t || t.startsWith('#')) return;
  if (t.startsWith('!')) {
    out.push({ kind: 'script', script: lit(t.slice(1)) });
    return;
  }
  const m = /^([A-Za-z][\w-]*)\s*([^]*)$/.exec(t);
  const word = m?.[1] ?? '';
  const rest = m?.[2] ?? '';
  // `shell CMD` (abbreviated down to `she`).
  if (word.length >= 3 && 'shell'.startsWith(word)) {
    if (rest) out.push({ kind: 'script', script: lit(rest) });
    return;
  }
  if (GDB_RUN.has(word)) {
    // run ARGS: gdb starts the program with `exec PROGRAM ARGS` through /bin/sh.
    if (rest && program.length) {
      if (program.some((w) => w.value === null)) out.push({ kind: 'opaque', reason: 'gdb runs a program only known at run time' });
      else out.push({ kind: 'script', script: lit(`${program.map((w) => w.value).join(' ')} ${rest}`) });
    } else if (rest) out.push({ kind: 'opaque', reason: 'gdb runs a program it is not given on its command line' });
    return;
  }
  // `set var x = 1`, `set pagination off`: settings, except the ones that pick a program to run.
  if (word === 'set' && !/\b(exec-wrapper|startup-with-shell|shell|debuginfod|auto-load|extension-language|logging|history|trace-commands|python|guile)\b/.test(rest)) return;
  if (GDB_QUIET.has(word)) return;
  out.push({ kind: 'opaque', reason: `gdb command agentguard does not analyse (it may run code): ${t.length > 60 ? t.slice(0, 60) + '…' : t}` });
}

export const gdb: ProgramSpec = {
  names: ['gdb', 'gdb-multiarch', 'cgdb'],
  options: GDB,
  runs(args): Run[] {
    // --args ends gdb's options: the program and its arguments follow.
    const at = args.findIndex((w) => w.value === '--args' || w.value === '-args');
    const own = at >= 0 ? args.slice(0, at + 1) : args;
    const o = parseOptions(own, GDB);
    if (o.unknown.length) return unknownOptions('gdb', o.unknown);
    if (o.flags.some((f) => /^--?(version|help|h|configuration)$/.test(f))) return [];
    const out: Run[] = [];
    const program: Word[] = at >= 0 ? args.slice(at + 1) : o.positionals.slice(0, 1);
    for (const f of ['x', 'command', 'ix', 'init-command', 'eix', 'early-init-command']) {
      for (const v of [...(o.values.get(`-${f}`) ?? []), ...(o.values.get(`--${f}`) ?? [])]) if (v !== '/dev/null') out.push({ kind: 'opaque', reason: `gdb runs the commands of a file agentguard does not read: ${v ?? '…'}` });
    }
    let runs = false;
    // -ex and its kin, in order.
    for (let i = 0; i < own.length; i++) {
      const v = own[i].value;
      if (v === null) continue;
      const eq = v.indexOf('=');
      const name = (eq > 0 ? v.slice(0, eq) : v).replace(/^--?/, '');
      if (!/^(ex|eval-command|iex|init-eval-command|eiex|early-init-eval-command)$/.test(name) || !v.startsWith('-')) continue;
      const cmd = eq > 0 ? v.slice(eq + 1) : (own[++i]?.value ?? null);
      if (cmd !== null && GDB_RUN.has(cmd.trim().split(/\s+/)[0])) runs = true;
      gdbCommand(cmd, program, out);
    }
    // The debugged program runs under `run` (-ex run), or interactively; with --args its argv is known.
    if (at >= 0 && program.length) out.push({ kind: 'argv', argv: program });
    else if (runs && program.length) out.push({ kind: 'argv', argv: program });
    return out;
  },
  // The program, core file and symbol files it opens.
  effects: mayReadFiles,
};

export const programs = [strace, ltrace, valgrind, gdb];
