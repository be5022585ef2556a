// What a program module declares: everything the engine knows about one program family.
// Analysis (src/shell/analyse.ts) and rule matching (src/rules) both read these
// declarations through src/programs/index.ts; nothing about a program lives anywhere else.
import type { Word } from '../shell/types.js';
import type { OptionSpec, ParsedOptions } from './options.js';

/** What a program runs inside itself. */
export type Run =
  /** argv of a command run by this one; `dynamicArgs`: more words are appended at run time (xargs). */
  | { kind: 'argv'; argv: Word[]; assignments?: Record<string, string | null>; chdir?: Word; dynamicArgs?: boolean }
  /** bash source run by this one. */
  | { kind: 'script'; script: Word }
  /** It runs something the analysis cannot see (an unknown option of a runner, a command on stdin …). */
  | { kind: 'opaque'; reason: string };

/** A network destination: host name (lower case), or null when only known at run time. */
export interface HostRef {
  host: string | null;
  raw: string;
}

/** Which paths a command writes and reads, and where it connects. */
export interface Effects {
  writes: Word[];
  reads: Word[];
  hosts: HostRef[];
}

/** What a program's effects function is given: its parsed options and raw arguments. */
export interface ProgramArgs {
  program: string;
  /** argv without argv[0]. */
  args: readonly Word[];
  opts: ParsedOptions;
  /** Values of the named options as words (null values become dynamic words). */
  values(names: readonly string[]): Word[];
}

export interface ProgramSpec {
  /** argv[0] basenames this declaration covers. */
  names: readonly string[];
  /** Its options (global and subcommand options together, for positional words and rule flags). */
  options?: OptionSpec;
  /** Options before the subcommand (git -C DIR push …), when the program has subcommands. */
  global?: OptionSpec;
  /** Named lists (rules' "@shells", "@downloaders" …) this program belongs to. */
  lists?: readonly string[];
  /** Its arguments are data, never paths it opens (echo, printf, test …). */
  dataOnly?: boolean;
  /** Commands or scripts it runs (wrappers, runners). A runner's own arguments are not files it opens. */
  runs?(args: readonly Word[]): Run[];
  /** Paths it writes and reads, hosts it connects to. Absent: a word that looks like a file may be read. */
  effects?(a: ProgramArgs, out: Effects): void;
}
