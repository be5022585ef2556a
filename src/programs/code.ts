// The one place the analysis asks "what code does this command run for you?": script files
// run by a shell, Makefile recipes, package.json scripts, git aliases, configured programs
// and hooks, the program files of awk, sed, Tcl and interpreters (src/programs/codefiles.ts), and
// the SQL database clients run (their arguments and files: src/programs/databases.ts).
// Each program family keeps its knowledge in its own module.
import type { Word } from '../shell/types.js';
import { SHELLS, shellMode } from './shells.js';
import type { CodeRuns, ProgramContext } from './context.js';
import * as databases from './databases.js';
import * as git from './git.js';
import * as make from './make.js';
import * as npm from './npm.js';
import * as scripts from './scripts.js';
import { mayRunProgramFiles, programFiles } from './codefiles.js';

export type { CodeRuns, FileRead, ProgramContext, ScriptToRun } from './context.js';
export { MAX_FILE_BYTES } from './context.js';

/**
 * The code `argv` runs besides its own program, or null when it runs none the analysis knows
 * of. `stdinFile`: the file its stdin is redirected from (sh < x.sh).
 */
export function codeItRuns(program: string, argv: readonly Word[], ctx: ProgramContext, stdinFile: Word | null): CodeRuns | null {
  const args = argv.slice(1);
  if (SHELLS.has(program)) {
    const mode = shellMode(args);
    if (mode.mode === 'file') return scripts.shellFile(program, mode.file, ctx);
    if (mode.mode === 'stdin' && stdinFile) return scripts.shellStdinFile(program, stdinFile, ctx);
    return null;
  }
  if (program === 'source' || program === '.') return scripts.sourced(program, args, ctx);
  if (make.MAKES.has(program)) return make.codeItRuns(program, args, ctx);
  if (npm.PACKAGE_MANAGERS.has(program)) return npm.codeItRuns(program, args, ctx);
  if (program === 'git') return git.codeItRuns(args, ctx);
  if (mayRunProgramFiles(program)) return programFiles(program, args, ctx, stdinFile);
  if (databases.SQL_FILE_CLIENTS.has(program)) return databases.sqlItRuns(program, args, ctx, stdinFile);
  const name = argv[0]?.value;
  if (name && name.includes('/')) return scripts.pathCommand(name, ctx);
  return null;
}

/** Whether `codeItRuns` may have something to say: keeps routine commands on the fast path. */
export function mayRunCode(program: string, argv0: string): boolean {
  return SHELLS.has(program) || program === 'source' || program === '.' || make.MAKES.has(program) || npm.PACKAGE_MANAGERS.has(program) || program === 'git' || argv0.includes('/') || mayRunProgramFiles(program) || databases.SQL_FILE_CLIENTS.has(program);
}

