// The shape most service CLIs share: options that take a value, so that the value is not read
// as a subcommand or an operand. Used by the per-family modules (cloud, databases, kubernetes …).
import type { OptionSpec } from './options.js';
import type { ProgramSpec } from './types.js';

/** A CLI known by its value-taking options (and, where it has them, its global ones). */
export function cli(names: string[], takesValue: string[], global?: OptionSpec): ProgramSpec {
  return { names, options: { takesValue }, global };
}
