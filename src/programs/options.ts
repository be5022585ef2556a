// Option parsing with GNU semantics, driven by each program's declared options: short
// clusters (-rf), attached values (-ofile, --output=file), separate values (-o file),
// optional values (attached only: -i{} / --replace=R), unambiguous long-option prefixes
// (--repl), and `--`. Options a program does not declare are kept apart, so a program
// that runs commands can refuse to guess what an unknown option means.
import type { Word } from '../shell/types.js';

/** How an option takes its value: not at all, always (attached or the next word), or only attached. */
export type ValueKind = 'none' | 'required' | 'optional';

export interface OptionSpec {
  /** Options whose value is the next word (or attached: -ofile, --output=file). */
  takesValue?: readonly string[];
  /** Options whose value may only be attached (GNU optional arguments: -i{}, --replace=R). */
  optionalValue?: readonly string[];
  /** Options known to take no value. With `complete`, any other option is unknown. */
  flags?: readonly string[];
  /** The lists above name every option the program has. */
  complete?: boolean;
  /** Programs whose options are single-dash words (find -name, dd if=): no bundling. */
  singleDashLong?: boolean;
  /** Stop at the first positional (POSIX order: wrappers, git-style global options before the subcommand). */
  stopAtPositional?: boolean;
  /**
   * Long options not declared here take the next word as their value unless it is an option
   * or they are --no-* switches (the AWS CLI: `--instance-ids "$ID"`), so that a value is not
   * read as an operand. Declare the program's switches in `flags`.
   */
  longValues?: boolean;
}

export interface ParsedOptions {
  /** Normalised flags: '-r', '-f', '--recursive' (long flags without their =value, prefixes expanded). */
  flags: string[];
  /** Values of options, keyed by the flag ('-o', '--output'). */
  values: Map<string, (string | null)[]>;
  /** Non-option words, in order ("--" ends the options). */
  positionals: Word[];
  /** Index in the argument list of the first positional (or args.length). */
  firstPositional: number;
  /** Options the spec does not declare (only filled when the spec is `complete`). */
  unknown: string[];
  /** A dynamic word ($X) stood where an option could be: its meaning is unknown. */
  dynamicOption: boolean;
}

/** The literal start of a dynamic word that is surely an option: `--name=…`, or `-X…` up to the first expansion or quote. */
const DYNAMIC_OPTION = /^(--[A-Za-z0-9][\w.-]*(?==)|-[A-Za-z0-9][\w=.,:/@+-]*?(?=[$"'`\\]))=?/;

interface Compiled {
  required: Set<string>;
  optional: Set<string>;
  known: Set<string>;
  longs: string[];
}

const compiled = new WeakMap<OptionSpec, Compiled>();

function compile(spec: OptionSpec): Compiled {
  let c = compiled.get(spec);
  if (!c) {
    const required = new Set(spec.takesValue ?? []);
    const optional = new Set(spec.optionalValue ?? []);
    const known = new Set([...required, ...optional, ...(spec.flags ?? [])]);
    c = { required, optional, known, longs: [...known].filter((k) => k.startsWith('--')) };
    compiled.set(spec, c);
  }
  return c;
}

/** The declared long option a written one stands for: itself, or the one option it is a prefix of. */
function expandLong(name: string, c: Compiled): string {
  if (c.known.has(name)) return name;
  let hit: string | null = null;
  for (const l of c.longs) {
    if (!l.startsWith(name)) continue;
    if (hit !== null) return name;
    hit = l;
  }
  return hit ?? name;
}

export function parseOptions(args: readonly Word[], spec: OptionSpec = {}): ParsedOptions {
  const c = compile(spec);
  const flags: string[] = [];
  const values = new Map<string, (string | null)[]>();
  const positionals: Word[] = [];
  const unknown: string[] = [];
  let dynamicOption = false;
  let firstPositional = args.length;
  const addValue = (flag: string, v: string | null) => {
    const list = values.get(flag);
    if (list) list.push(v);
    else values.set(flag, [v]);
  };
  const note = (flag: string) => {
    if (spec.complete && !c.known.has(flag)) unknown.push(flag);
  };
  for (let i = 0; i < args.length; i++) {
    const w = args[i];
    const v = w.value;
    // -Dtest="$T", --context="$C": an option whose value is only known at run time. It can
    // never become a positional word, so it must not make every operand a "maybe".
    const lead = v === null && !spec.singleDashLong ? DYNAMIC_OPTION.exec(w.raw) : null;
    if (lead) {
      if (lead[1].startsWith('--')) {
        const name = expandLong(lead[1], c);
        flags.push(name);
        note(name);
        addValue(name, null);
        continue;
      }
      let valued = false;
      for (let j = 1; j < lead[1].length; j++) {
        const f = '-' + lead[1][j];
        flags.push(f);
        note(f);
        if (c.required.has(f) || c.optional.has(f)) {
          addValue(f, null);
          valued = true;
          break;
        }
      }
      // The letters after the literal ones are unknown options.
      if (!valued) dynamicOption = true;
      continue;
    }
    if (v === null || v === '-' || !v.startsWith('-') || v.length < 2) {
      if (v === null && /^["']?[$`]/.test(w.raw)) dynamicOption = true;
      if (firstPositional === args.length) firstPositional = i;
      positionals.push(w);
      if (spec.stopAtPositional) {
        // A loop, not push(...): a command may have more words than a call takes arguments.
        for (let j = i + 1; j < args.length; j++) positionals.push(args[j]);
        break;
      }
      continue;
    }
    if (v === '--') {
      if (firstPositional === args.length) firstPositional = i + 1;
      for (let j = i + 1; j < args.length; j++) positionals.push(args[j]);
      break;
    }
    if (v.startsWith('--') || spec.singleDashLong) {
      const eq = v.indexOf('=');
      const written = eq >= 0 ? v.slice(0, eq) : v;
      const name = v.startsWith('--') ? expandLong(written, c) : written;
      flags.push(name);
      note(name);
      if (eq >= 0) addValue(name, v.slice(eq + 1));
      else if (c.required.has(name)) addValue(name, args[++i]?.value ?? null);
      else if (spec.longValues && v.startsWith('--') && !c.known.has(name) && !name.startsWith('--no-') && i + 1 < args.length && !args[i + 1].value?.startsWith('-')) addValue(name, args[++i].value);
      continue;
    }
    // Short cluster: -rf, -ofile, -C dir, -i{} (optional value, attached only).
    for (let j = 1; j < v.length; j++) {
      const f = '-' + v[j];
      flags.push(f);
      note(f);
      if (c.required.has(f)) {
        if (j + 1 < v.length) addValue(f, v.slice(j + 1));
        else addValue(f, args[++i]?.value ?? null);
        break;
      }
      if (c.optional.has(f)) {
        if (j + 1 < v.length) addValue(f, v.slice(j + 1));
        break;
      }
    }
  }
  return { flags, values, positionals, firstPositional, unknown, dynamicOption };
}

/** True if a written long flag is the rule's flag or an unambiguous-looking prefix of it (GNU getopt, git parse-options). */
export function longFlagMatches(written: string, wanted: string): boolean {
  if (written === wanted) return true;
  return written.length >= 3 && wanted.startsWith(written);
}

/** All values given to any of the named options (last one wins for most tools, so keep all). */
export function optionValues(opts: ParsedOptions, names: readonly string[]): (string | null)[] {
  const out: (string | null)[] = [];
  for (const n of names) {
    for (const [k, vs] of opts.values) if (k === n || (n.startsWith('--') && longFlagMatches(k, n))) for (const v of vs) out.push(v);
  }
  return out;
}

export function hasFlag(opts: ParsedOptions, names: readonly string[]): boolean {
  return opts.flags.some((f) => names.some((n) => (n.startsWith('--') ? longFlagMatches(f, n) : f === n)));
}
