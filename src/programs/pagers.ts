// Pagers and man: the files they show, and the commands they run for you. less runs its
// input preprocessor LESSOPEN (`|cmd %s`, `||cmd %s`, or `cmd %s` writing a file) and
// LESSCLOSE through the shell, and `+cmd` initial commands; man runs its pager (-P/--pager,
// MANPAGER, PAGER) and browser (-H/--html, BROWSER) through the shell with the page on its
// stdin. `!` typed inside less is interactive: the person types it, not the agent.
import type { Word } from '../shell/types.js';
import { optionValues, parseOptions, type OptionSpec } from './options.js';
import type { ProgramSpec, Run, RunContext } from './types.js';
import { lit, pushAll } from './words.js';

/** A command fed the program's output: written as a pipe, so a shell on the other end is opaque. */
const piped = (cmd: string): Run => ({ kind: 'script', script: lit(`cat /dev/stdin | ${cmd}`) });

/** A shell command given in a variable the command's own assignment sets. */
function assigned(ctx: RunContext, name: string, run: (v: string) => Run | null): Run[] {
  if (!(name in ctx.assignments)) return [];
  const v = ctx.assignments[name];
  if (v === null) return [{ kind: 'opaque', reason: `${name} is only known when it runs, and names a command` }];
  if (!v.trim()) return [];
  const r = run(v);
  return r ? [r] : [];
}

const LESS: OptionSpec = {
  takesValue: ['-b', '--buffers', '-h', '--max-back-scroll', '-j', '--jump-target', '-k', '--lesskey-file', '-o', '--log-file', '-O', '--LOG-FILE', '-p', '--pattern', '-P', '--prompt', '-t', '--tag', '-T', '--tag-file', '-x', '--tabs', '-y', '--max-forw-scroll', '-z', '--window', '-#', '--shift', '--lesskey-src', '--lesskey-content'],
};

/** LESSOPEN: `|cmd %s` and `||cmd %s` pipe cmd's output to less; `cmd %s` names a file it wrote. */
function lessOpen(v: string, files: readonly Word[]): Run {
  const cmd = v.replace(/^\|?\|?-?/, '');
  const name = files.find((f) => f.value !== null)?.value ?? 'FILE';
  return { kind: 'script', script: lit(cmd.replace(/%s/g, name.replace(/'/g, ''))) };
}

export const less: ProgramSpec = {
  names: ['less', 'more', 'most', 'zless', 'zmore', 'pg'],
  options: LESS,
  runs(args, ctx) {
    const o = parseOptions(args, LESS);
    const files = o.positionals.filter((w) => !w.value?.startsWith('+'));
    const out: Run[] = [...assigned(ctx, 'LESSOPEN', (v) => lessOpen(v, files)), ...assigned(ctx, 'LESSCLOSE', (v) => lessOpen(v, files))];
    // +cmd: less commands run at start; `!` and `|` among them run shell commands.
    for (const w of o.positionals) if ((w.value ?? w.raw).startsWith('+') && /[!|]/.test(w.value ?? w.raw)) out.push({ kind: 'opaque', reason: `less runs the initial command ${w.raw}, which may start a shell` });
    if ('LESSKEYIN' in ctx.assignments || 'LESSKEY' in ctx.assignments) out.push({ kind: 'opaque', reason: 'less reads key bindings from a file the command names' });
    if ('LESS' in ctx.assignments && /[!|+]/.test(ctx.assignments.LESS ?? '!')) out.push({ kind: 'opaque', reason: 'the LESS variable gives less commands to run' });
    return out;
  },
  effects(a, out) {
    const o = parseOptions(a.args, LESS);
    pushAll(out.reads, o.positionals.filter((w) => w.value !== '-' && !w.value?.startsWith('+')));
    pushAll(out.writes, a.values(['-o', '--log-file', '-O', '--LOG-FILE']));
  },
};

const MAN: OptionSpec = {
  takesValue: ['-C', '--config-file', '-P', '--pager', '-r', '--prompt', '-L', '--locale', '-m', '--systems', '-M', '--manpath', '-S', '-s', '--sections', '-e', '--extension', '-p', '--preprocessor', '-R', '--recode', '-T', '--troff-device', '-E', '--encoding', '-X', '--gxditview'],
  optionalValue: ['-H', '--html'],
};

export const man: ProgramSpec = {
  names: ['man'],
  options: MAN,
  runs(args, ctx) {
    const o = parseOptions(args, MAN);
    const out: Run[] = [];
    const pager = optionValues(o, ['-P', '--pager']);
    for (const v of pager) out.push(v === null ? { kind: 'opaque', reason: 'man -P names a pager only known when it runs' } : piped(v));
    // Without -P: MANPAGER, else PAGER.
    if (!pager.length) {
      const m = assigned(ctx, 'MANPAGER', piped);
      out.push(...(m.length ? m : assigned(ctx, 'PAGER', piped)));
    }
    for (const v of optionValues(o, ['-H', '--html'])) if (v !== null && v !== '') out.push({ kind: 'script', script: lit(`${v} /tmp/man.html`) });
    if (o.flags.includes('-H') || o.flags.some((f) => f.startsWith('--html'))) out.push(...assigned(ctx, 'BROWSER', (v) => ({ kind: 'script', script: lit(v.includes('%s') ? v.replace(/%s/g, '/tmp/man.html') : `${v} /tmp/man.html`) })));
    if ('MANOPT' in ctx.assignments) out.push({ kind: 'opaque', reason: 'MANOPT gives man options (a pager or browser) agentguard does not read' });
    if ('MANROFFSEQ' in ctx.assignments || 'MANPL' in ctx.assignments || 'GROFF_COMMAND' in ctx.assignments) out.push({ kind: 'opaque', reason: 'man is given its formatting programs by a variable' });
    return out;
  },
  effects(a, out) {
    // man -l FILE shows a local page.
    if (a.opts.flags.includes('-l') || a.opts.flags.includes('--local-file')) pushAll(out.reads, a.opts.positionals);
  },
};

/**
 * Variables whose value programs run as a command: pagers (PAGER, MANPAGER, GIT_PAGER,
 * SYSTEMD_PAGER, PSQL_PAGER, GH_PAGER, AWS_PAGER …), LESSOPEN/LESSCLOSE, editors (EDITOR,
 * VISUAL, GIT_EDITOR …), BROWSER, askpass helpers and git's ssh and diff programs. Setting one
 * anywhere in a line (a prefix, export, a plain assignment) is read as the command it holds,
 * whichever program later runs it.
 */
const COMMAND_VARIABLES = /^(?:PAGER|MANPAGER|[A-Z][A-Z0-9_]*_PAGER|LESSOPEN|LESSCLOSE|EDITOR|VISUAL|[A-Z][A-Z0-9_]*_EDITOR|BROWSER|FCEDIT|GIT_SSH|GIT_SSH_COMMAND|GIT_EXTERNAL_DIFF|[A-Z][A-Z0-9_]*_ASKPASS)$/;

export function isCommandVariable(name: string): boolean {
  return COMMAND_VARIABLES.test(name);
}

export function commandOfVariable(name: string, value: string | null): Run | null {
  if (!COMMAND_VARIABLES.test(name)) return null;
  if (value === null) return { kind: 'opaque', reason: `sets ${name}, which programs run as a command, to a value only known at run time` };
  // LESSOPEN='|cmd %s' / '||cmd %s' / 'cmd %s': the command, with the file it is given.
  const text = name.startsWith('LESS') ? value.replace(/^\|\|?-?/, '').replace(/%s/g, 'less-input-file') : value;
  return text.trim() ? { kind: 'script', script: lit(text) } : null;
}

export const programs = [less, man];
