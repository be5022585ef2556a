// The registry of program modules: the one door through which the analysis and the rule
// matcher learn what a program does. Each module under src/programs/ declares its programs
// (src/programs/types.ts); this file only collects them and answers questions by name.
import type { Command, Word } from '../shell/types.js';
import { parseOptions, optionValues, type OptionSpec, type ParsedOptions } from './options.js';
import type { Bytes, Effects, ProgramArgs, ProgramSpec, Run, RunContext, Volume } from './types.js';
import { lit, mayReadFiles } from './words.js';
import * as archives from './archives.js';
import * as awk from './awk.js';
import * as builtins from './builtins.js';
import * as cloud from './cloud.js';
import * as containers from './containers.js';
import * as curl from './curl.js';
import * as databases from './databases.js';
import * as debuggers from './debuggers.js';
import * as devenvs from './devenvs.js';
import * as editors from './editors.js';
import * as env from './env.js';
import * as exposure from './exposure.js';
import * as files from './files.js';
import * as find from './find.js';
import * as gio from './gio.js';
import * as forges from './forges.js';
import * as git from './git.js';
import * as interpreters from './interpreters.js';
import * as kubernetes from './kubernetes.js';
import * as multicall from './multicall.js';
import * as multiplexers from './multiplexers.js';
import * as namespaces from './namespaces.js';
import * as npm from './npm.js';
import * as npx from './npx.js';
import * as packages from './packages.js';
import * as pagers from './pagers.js';
import * as parallel from './parallel.js';
import * as processes from './process.js';
import * as publishing from './publishing.js';
import * as remote from './remote.js';
import * as script from './script.js';
import * as secrets from './secrets.js';
import * as sed from './sed.js';
import * as services from './services.js';
import * as shells from './shells.js';
import * as sudo from './sudo.js';
import * as systemd from './systemd.js';
import * as tcl from './tcl.js';
import * as text from './text.js';
import * as watch from './watch.js';
import * as xargs from './xargs.js';

export type { Bytes, Effects, HostRef, ProgramSpec, Run, RunContext, Volume } from './types.js';
export { endless } from './volume.js';
export type { OptionSpec, ParsedOptions } from './options.js';
export { SHELLS, shellMode, type ShellMode } from './shells.js';
export { STDIN_INTERPRETERS, interpreterReadsStdin } from './interpreters.js';
export { URL_CLIENTS } from './curl.js';
export { commandOfVariable, isCommandVariable } from './pagers.js';
export { joinWords } from './words.js';
export { codeItRuns, mayRunCode } from './code.js';
export type { CodeRuns, FileRead, ProgramContext, ScriptToRun } from './context.js';
export { MAX_FILE_BYTES } from './context.js';

/** Every module's declarations, in one list. */
export const ALL_PROGRAMS: readonly ProgramSpec[] = [
  archives, awk, builtins, cloud, containers, curl, databases, debuggers, devenvs, editors, env, exposure, files, find, forges, gio, { programs: [git.gitSpec] }, interpreters, kubernetes, multicall, multiplexers, namespaces, { programs: npm.packageManagers }, npx, packages, pagers, parallel, processes, publishing, remote, script, secrets, sed, services, shells, sudo, systemd, tcl, text, watch, xargs,
].flatMap((m) => m.programs);

const BY_NAME = new Map<string, ProgramSpec>();
/** Names declared by more than one module: a mistake the registry test reports. */
export const DUPLICATE_NAMES: string[] = [];
for (const p of ALL_PROGRAMS) {
  for (const n of p.names) {
    if (BY_NAME.has(n)) DUPLICATE_NAMES.push(n);
    else BY_NAME.set(n, p);
  }
}

/** The declaration for a program name (argv[0]'s basename), if any module has one. */
export function programSpec(name: string): ProgramSpec | undefined {
  const p = BY_NAME.get(name);
  if (p) return p;
  // Versioned names: python3.12, pip3.12, mkfs.ext4.
  const base = /^(python\d?|pip\d?|mkfs|ruby|perl|php|lua|node)[.\d-].*$/.exec(name)?.[1];
  return base ? BY_NAME.get(base) : undefined;
}

/** Named lists the programs belong to ("shells", "downloaders" …), for rules' "@name". */
export function programLists(): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const p of ALL_PROGRAMS) for (const l of p.lists ?? []) {
    const list = out.get(l) ?? [];
    for (const n of p.names) if (!list.includes(n)) list.push(n);
    out.set(l, list);
  }
  // Versioned interpreters by pattern.
  out.get('interpreters')?.push('python3.*');
  return out;
}

const NO_OPTIONS: OptionSpec = {};
const NO_CONTEXT: RunContext = { stdin: null, assignments: {} };
const SUBCOMMAND: OptionSpec = { stopAtPositional: true };

/** The option spec a program's words are read with. */
export function optionSpecOf(program: string | null): OptionSpec {
  return (program !== null && programSpec(program)?.options) || NO_OPTIONS;
}

/** Whether the program declares that an option takes a value (so `--opt=0` is data, not a switch turned off). */
export function optionTakesValue(program: string | null, flag: string): boolean {
  const spec = optionSpecOf(program);
  return !!(spec.takesValue?.includes(flag) || spec.optionalValue?.includes(flag));
}

/** Commands or scripts that `program` runs, given its arguments (argv without argv[0]); null when it runs none. */
export function innerCommands(program: string, args: readonly Word[], ctx: RunContext = NO_CONTEXT): Run[] | null {
  const spec = programSpec(program);
  return spec?.runs ? spec.runs(args, ctx) : null;
}

/** Whether a program's own arguments may name files it opens (runners' arguments belong to what they run). */
export function hasOwnEffects(program: string): boolean {
  const spec = programSpec(program);
  return !spec?.runs || !!spec.effects;
}

/** Whether the program declares how much it writes (src/programs/types.ts: volume). */
export function hasVolume(program: string | null): boolean {
  return program !== null && !!programSpec(program)?.volume;
}

/** How much a command writes (its own files and its stdout), given how much it reads on stdin; null when its program declares nothing. */
export function programVolume(program: string, args: readonly Word[], stdin: Bytes, ctx: RunContext = NO_CONTEXT): Volume | null {
  const spec = programSpec(program);
  if (!spec?.volume) return null;
  return spec.volume(programArgs(program, args, spec, ctx), stdin);
}

/** What a program module's effects() and volume() read: the arguments with their options parsed. */
function programArgs(program: string, args: readonly Word[], spec: ProgramSpec | undefined, ctx: RunContext): ProgramArgs {
  const opts = parseOptions(args, spec?.options ?? NO_OPTIONS);
  // Properties named one by one: an object spread here cost microseconds per call (V8's
  // generic clone path), on every command of every check.
  return {
    stdin: ctx.stdin,
    stdinUnknown: ctx.stdinUnknown,
    assignments: ctx.assignments,
    program,
    args,
    opts,
    values: (names) => optionValues(opts, names).map((v) => (v === null ? { value: null, raw: '…', glob: false } : lit(v))),
  };
}

/** Effects of a command given its program and arguments (argv without argv[0]). */
export function programEffects(program: string, args: readonly Word[], ctx: RunContext = NO_CONTEXT): Effects {
  const out: Effects = { writes: [], reads: [], hosts: [] };
  const spec = programSpec(program);
  if (spec?.dataOnly) return out;
  const a = programArgs(program, args, spec, ctx);
  if (spec?.effects) {
    spec.effects(a, out);
    return out;
  }
  if (spec?.runs) return out;
  mayReadFiles(a, out);
  return out;
}

const optionCache = new WeakMap<Command, ParsedOptions>();

/** A command's options and positional words, read with its program's declared options (cached per command). */
export function optionsOf(c: Command): ParsedOptions {
  let o = optionCache.get(c);
  if (!o) {
    o = parseOptions(c.argv.slice(1), optionSpecOf(c.program));
    optionCache.set(c, o);
  }
  return o;
}

/** The subcommand: the first word after the program's global options (git -C dir push → push). */
const subcommandCache = new WeakMap<Command, (string | null)[]>();
const subcommandSpecs = new WeakMap<OptionSpec, OptionSpec>();

export function subcommandOf(c: Command): (string | null)[] {
  let sub = subcommandCache.get(c);
  if (!sub) {
    const g = (c.program !== null && programSpec(c.program)?.global) || SUBCOMMAND;
    // One derived spec per program, so options.ts's compiled tables are reused.
    let spec = g.stopAtPositional ? g : subcommandSpecs.get(g);
    if (!spec) subcommandSpecs.set(g, (spec = { ...g, stopAtPositional: true }));
    const first = parseOptions(c.argv.slice(1), spec).positionals[0];
    sub = first ? [first.value] : [];
    subcommandCache.set(c, sub);
  }
  return sub;
}
