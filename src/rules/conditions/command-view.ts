// How rule conditions see a command's options: its flags and positionals, and its
// subcommand. The one place conditions read program option knowledge from.
import { GLOBAL_OPTION_SPECS, parseOptions, PROGRAM_OPTIONS, type ParsedOptions } from '../../shell/options.js';
import type { Command } from '../../shell/types.js';

export { longFlagMatches } from '../../shell/options.js';

const optionCache = new WeakMap<Command, ParsedOptions>();
const SINGLE_DASH = new Set(['find', 'dd', 'terraform', 'tofu', 'java']);

export function optionsOf(c: Command): ParsedOptions {
  let o = optionCache.get(c);
  if (!o) {
    const p = c.program ?? '';
    o = parseOptions(c.argv.slice(1), { singleDashLong: SINGLE_DASH.has(p), takesValue: PROGRAM_OPTIONS[p] });
    optionCache.set(c, o);
  }
  return o;
}

export function subcommandOf(c: Command): (string | null)[] {
  const spec = (c.program && GLOBAL_OPTION_SPECS[c.program]) || { stopAtPositional: true };
  const first = parseOptions(c.argv.slice(1), { ...spec, stopAtPositional: true }).positionals[0];
  return first ? [first.value] : [];
}
