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

/** What the line feeds a command besides its arguments: its stdin and its own VAR=value assignments. */
export interface RunContext {
  /** Literal stdin (heredoc, here-string, echo pipe), or null when none or not static. */
  stdin: string | null;
  /** Its stdin is text only known at run time (a here-string of $X, a pipe from a program whose output is not literal). */
  stdinUnknown?: boolean;
  /** Leading VAR=value assignments (also through env); null values are only known at run time. */
  assignments: Readonly<Record<string, string | null>>;
}

/** What a program's effects function is given: its parsed options and raw arguments. */
export interface ProgramArgs extends RunContext {
  program: string;
  /** argv without argv[0]. */
  args: readonly Word[];
  opts: ParsedOptions;
  /** Values of the named options as words (null values become dynamic words). */
  values(names: readonly string[]): Word[];
}

/** A number of bytes: Infinity for output without end, 0 for "bounded, size not known", null when a size word is only known at run time. */
export type Bytes = number | null;

/** How much a command writes, as far as its arguments and its input say (read by the resource rules). */
export interface Volume {
  /** Files the program writes or allocates itself (dd of=, fallocate, truncate, tee), each with its final size. */
  files: { path: Word; bytes: Bytes }[];
  /** What it prints on stdout. */
  stdout: Bytes;
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
  runs?(args: readonly Word[], ctx: RunContext): Run[];
  /** Paths it writes and reads, hosts it connects to. Absent: a word that looks like a file may be read. */
  effects?(a: ProgramArgs, out: Effects): void;
  /**
   * How much it writes, given how much it reads on stdin (`stdin`: Infinity when an endless
   * stream is piped in). Absent: nothing is known about its size (it counts as bounded).
   */
  volume?(a: ProgramArgs, stdin: Bytes): Volume;
}
