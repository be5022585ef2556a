// The analysis result: what a bash command line would run. Knows nothing about rules.
import type { FileInput, FsView } from './fsview.js';

/** One argv word after quote removal and expansion of what is statically known. */
export interface Word {
  /** The value the shell would pass, or null when it depends on run time ($VAR, $(…), …). */
  value: string | null;
  /** The source text, for display. */
  raw: string;
  /** Unquoted glob characters (*, ?, [) remain in the value: the shell would expand it. */
  glob: boolean;
}

export type RedirectKind = 'write' | 'append' | 'read' | 'readwrite' | 'dup' | 'close';

export interface Redirect {
  kind: RedirectKind;
  fd: number | null;
  target: Word;
}

/** Where a command's input script or argv came from, relative to another command. */
export type Origin =
  | { kind: 'top' }
  /** inside $(…), `…` or <(…) >(…) that appears in the argv, redirects or assignments of `parent` */
  | { kind: 'substitution'; parent: number }
  /** a script run by `parent`: bash -c, eval, xargs, find -exec, a heredoc fed to a shell … */
  | {
      kind: 'nested';
      parent: number;
      /** Code `parent` read from a file and runs: "bash x.sh", "make target build", "npm script test (package.json)", "git alias x". */
      from?: string;
    };

export interface Command {
  /** Index in Script.commands. */
  index: number;
  /** argv after wrappers (sudo, env, nohup, …) are peeled off; argv[0] is the real program. */
  argv: Word[];
  /** basename of argv[0], or null when the program name is not static. */
  program: string | null;
  /** Wrapper programs peeled off, outermost first. */
  wrappers: string[];
  /** Leading VAR=value assignments (and env's), value null when dynamic. */
  assignments: Record<string, string | null>;
  redirects: Redirect[];
  /** Possible working directories (absolute). More than one when a `cd` may have failed. */
  cwds: string[] | null;
  /** Pipeline membership: commands sharing `id` are connected by pipes, in `index` order. */
  pipeline: { id: number; index: number } | null;
  /** Literal text fed to the command's stdin by a heredoc, here-string or echo pipe. */
  stdin: string | null;
  /** The command takes the program it runs from stdin (sh, bash -s, python -, node with no script). */
  scriptFromStdin: boolean;
  origin: Origin;
  /** Nesting depth of scripts (0 = the line itself). */
  depth: number;
  /** Paths the command writes (redirects, cp destinations, tee, dd of= …), resolved lexically. */
  writes: PathTarget[];
  /** Paths the command reads (input redirects, cat/grep files, cp sources …). */
  reads: PathTarget[];
  /** Network destinations (curl/wget URLs, ssh/nc hosts, scp host:path, git URLs); host null when dynamic. */
  hosts: { host: string | null; raw: string }[];
  /** Source text of the command. */
  text: string;
  /** The innermost loop around it whose condition never ends it (while true, until false, for ((;;))), by number; absent outside one. */
  loop?: number;
}

/** A path argument, made absolute against each possible cwd (no symlinks resolved here). */
export interface PathTarget {
  raw: string;
  /** One absolute path per possible cwd; null when the path is not statically known. */
  paths: string[] | null;
  /** The word still holds unquoted glob characters. */
  glob: boolean;
}

export interface Script {
  source: string;
  commands: Command[];
  /** Shell functions defined in the line, and whether each calls itself (a fork bomb's shape). */
  functions: Record<string, { recursive: boolean }>;
  /** Reasons why part of the line could not be analysed. Opaque means at least `ask`. */
  opaque: string[];
  /**
   * Files the analysis read or relied on (scripts, Makefiles, package.json, git config and
   * hooks, their absence included), with the stamp each had: a decision cached for this line
   * holds only while inputsUnchanged(inputs) does.
   */
  inputs: FileInput[];
}

/** Facts about the environment the line would run in: all analysis needs beyond the text. */
export interface ShellContext {
  cwd: string;
  home: string;
  /** Known environment variables ($HOME, $TMPDIR, $USER …); anything else is dynamic. */
  env: Record<string, string>;
  /** How the analysis sees files (scripts, Makefiles, package.json, git config); default: the real file system. */
  fs?: FsView;
  /**
   * Whether a script file (symlinks resolved) is the agent's to analyse. Files outside the
   * places an agent writes as routine are installed programs and run unread. Default: every file.
   */
  analysesFile?: (realPath: string) => boolean;
}
