// The shells: how each is invoked (-c SCRIPT, a script file, stdin, or nothing run at all).
// Scripts they read from files are src/programs/scripts.ts.
import type { Word } from '../shell/types.js';
import type { ProgramSpec } from './types.js';

/** Shells whose scripts the bash analysis reads correctly. */
export const BASH_LIKE: ReadonlySet<string> = new Set(['sh', 'bash', 'dash', 'zsh', 'ksh', 'ksh93', 'mksh', 'lksh', 'pdksh', 'oksh', 'ash', 'rbash', 'yash', 'posh']);
/** Shells with another grammar: their script files cannot be analysed (their -c strings are read as bash, close enough to see a command). */
export const OTHER_SHELLS: ReadonlySet<string> = new Set(['fish', 'csh', 'tcsh']);
export const SHELL_NAMES = [...BASH_LIKE, ...OTHER_SHELLS];
/** Shells whose language is not bash's: what they run cannot be analysed here. */
const FOREIGN_SHELLS = ['pwsh', 'powershell', 'elvish', 'nu', 'xonsh'] as const;
export const SHELLS: ReadonlySet<string> = new Set(SHELL_NAMES);

export type ShellMode =
  | { mode: 'command'; script: Word }
  | { mode: 'file'; file: Word }
  | { mode: 'stdin' }
  | { mode: 'info' };

/** How a shell is invoked: -c SCRIPT (any cluster: -lc, -ec, --login -c), a script file, stdin, or --version / -n (read, never run). */
export function shellMode(args: readonly Word[]): ShellMode {
  let command = false;
  let stdin = false;
  // -n (noexec) reads without running; +n and +o noexec turn it off again, and an interactive
  // shell (-i) ignores it, so it only counts as the last word on it and without -i.
  let noexec = false;
  let interactive = false;
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
    const on = v[0] === '-';
    const letters = v.slice(1);
    if (on && letters.includes('c')) command = true;
    if (on && letters.includes('s')) stdin = true;
    if (on && letters.includes('i')) interactive = true;
    if (letters.includes('n')) noexec = on;
    // -o OPTION / -O SHOPT take the next word.
    for (const l of letters) if (l === 'o' || l === 'O') {
      const opt = args[i + 1]?.value;
      if (l === 'o' && opt === 'noexec') noexec = on;
      if (l === 'o' && opt === null) noexec = false;
      i++;
    }
  }
  const rest = args.slice(i);
  // A shell that reads its commands from a terminal is interactive too: only -c or a file counts.
  if (noexec && !interactive && (command || (!stdin && rest.length))) return { mode: 'info' };
  if (command) return rest.length ? { mode: 'command', script: rest[0] } : { mode: 'info' };
  if (stdin || !rest.length) return { mode: 'stdin' };
  return { mode: 'file', file: rest[0] };
}

export const shells: ProgramSpec = {
  names: SHELL_NAMES,
  // What a shell runs is the analysis's own business (src/shell/analyse.ts reads its -c script,
  // src/programs/scripts.ts its script file); its words may name files it reads.
  lists: ['shells'],
};

export const foreignShells: ProgramSpec = {
  names: FOREIGN_SHELLS,
  lists: ['shells'],
  runs: (args) => (args.length === 1 && /^--?(version|help)$/.test(args[0].value ?? '') ? [] : [{ kind: 'opaque', reason: 'runs a shell whose language agentguard does not analyse' }]),
};

export const programs = [shells, foreignShells];
