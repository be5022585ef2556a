// script (util-linux) records a terminal session; -c runs a shell string instead of a shell.
// The BSD/macOS form takes the command after the file instead.
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
    // BSD and macOS script: `script [-q] FILE COMMAND ARGS…` runs the command after the file
    // (options end at FILE); util-linux takes options anywhere and one FILE.
    const bsd = parseOptions(args, { ...SCRIPT, stopAtPositional: true });
    const command = bsd.positionals[1]?.value;
    const o = command != null && !command.startsWith('-') ? bsd : parseOptions(args, SCRIPT);
    if (o.unknown.length) return unknownOptions('script', o.unknown);
    const runs = scriptRuns([...(o.values.get('-c') ?? []), ...(o.values.get('--command') ?? [])], 'script -c');
    const rest = o.positionals.slice(1);
    return rest.length ? [...runs, { kind: 'argv', argv: rest }] : runs;
  },
  effects(a, out) {
    // The typescript file it writes.
    if (a.opts.positionals[0]) out.writes.push(a.opts.positionals[0]);
    for (const v of a.values(['-I', '--log-in', '-O', '--log-out', '-B', '--log-io', '-T', '--log-timing'])) out.writes.push(v);
  },
};

export const programs = [script];
