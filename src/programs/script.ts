// script (util-linux) records a terminal session; -c runs a shell string instead of a shell.
import { parseOptions, type OptionSpec } from './options.js';
import type { ProgramSpec } from './types.js';
import { scriptRuns, unknownOptions } from './words.js';

const SCRIPT: OptionSpec = {
  takesValue: ['-c', '--command', '-E', '--echo', '-I', '--log-in', '-O', '--log-out', '-B', '--log-io', '-T', '--log-timing', '-m', '--logging-format', '-o', '--output-limit'],
  optionalValue: ['-t', '--timing'],
  flags: ['-a', '--append', '-e', '--return', '-f', '--flush', '--force', '-q', '--quiet', '-h', '--help', '-V', '--version'],
  complete: true,
};

export const script: ProgramSpec = {
  names: ['script'],
  options: SCRIPT,
  runs(args) {
    const o = parseOptions(args, SCRIPT);
    if (o.unknown.length) return unknownOptions('script', o.unknown);
    return scriptRuns([...(o.values.get('-c') ?? []), ...(o.values.get('--command') ?? [])], 'script -c');
  },
  effects(a, out) {
    // The typescript file it writes.
    for (const p of a.opts.positionals) out.writes.push(p);
    for (const v of a.values(['-I', '--log-in', '-O', '--log-out', '-B', '--log-io', '-T', '--log-timing'])) out.writes.push(v);
  },
};

export const programs = [script];
