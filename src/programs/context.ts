// What a program module is given and what it answers: the code a command will run for
// you (a script file, Makefile recipes, package.json scripts, git aliases and hooks), read
// through the analysis' file view. Pure: files only through ProgramContext.read.
import path from 'node:path';
import type { ReadResult } from '../shell/fsview.js';
import type { Command } from '../shell/types.js';

/** Shell source the command will run, and where. */
export interface ScriptToRun {
  source: string;
  /** Absolute directory it runs in. */
  cwd: string;
  /** Who runs it, for reasons ("make target build", "npm script test"). */
  by: string;
  /** The file it was read from, when it runs as that file (bash x.sh): used to spot self-modification. */
  file?: string;
  /** `source`: runs in the calling shell, so its cd moves the rest of the line. */
  inCallingShell?: boolean;
}

export interface CodeRuns {
  scripts: ScriptToRun[];
  /** Reasons why part of what it runs could not be read. Opaque means at least `ask`. */
  opaque: string[];
}

export type FileRead =
  | ReadResult
  /** An earlier command of this analysis writes it: what runs is not what is on disk now. */
  | { kind: 'written' }
  /** Outside the places the agent writes: an installed program, run unread. */
  | { kind: 'installed' }
  /** The analysis has read its byte budget. */
  | { kind: 'over-budget' };

export interface ProgramContext {
  /** The one absolute directory the command runs in. */
  cwd: string;
  home: string;
  /** Known environment, with the command's own assignments (VAR=x make) applied; dynamic ones are absent. */
  env: Record<string, string>;
  /** Names the command's assignments set to a value only known at run time. */
  dynamicEnv: Set<string>;
  /** Names the command's own assignments set (VAR=x cmd, env VAR=x cmd). */
  assigned: Set<string>;
  /** Literal stdin of the command (heredoc, here-string), when known. */
  stdin: string | null;
  /** Reads a file the command runs or configures itself from; records it as an input. `always`: read even when installed. */
  read(p: string, opts?: { always?: boolean }): FileRead;
  /** Commands analysed before this one in the line (what they write is not on disk yet). */
  earlier(): readonly Command[];
  exists(p: string): boolean;
  isDirectory(p: string): boolean;
  /** Names in a directory (recorded as an input: adding a file changes it), or null. */
  readdir(p: string): string[] | null;
}

export const MAX_FILE_BYTES = 1024 * 1024;

export function resolve(cwd: string, p: string, home?: string): string {
  if (home && (p === '~' || p.startsWith('~/'))) p = home + p.slice(1);
  return path.posix.resolve(cwd, p);
}

/** The path as a person would recognise it: relative to cwd when inside it. */
export function shown(p: string, cwd: string): string {
  return p.startsWith(cwd + '/') ? p.slice(cwd.length + 1) : p;
}

/** Why a file that runs as code could not be read, or null when it was read (or need not be). */
export function unreadable(r: FileRead, p: string, cwd: string): string | null {
  const s = shown(p, cwd);
  switch (r.kind) {
    case 'written':
      return `runs a file written in this command: ${s}`;
    case 'missing':
      return `runs a file that does not exist yet: ${s}`;
    case 'unreadable':
      return `runs a file that cannot be read (${r.reason}): ${s}`;
    case 'too-large':
      return `runs a file larger than ${MAX_FILE_BYTES / 1024 / 1024} MiB: ${s}`;
    case 'over-budget':
      return `runs more files than the analysis reads at once (over its byte budget): ${s}`;
    default:
      return null;
  }
}

export { lit } from './words.js';

/** Quotes a word for a shell script built from argv. */
export function shq(s: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
