// xargs (GNU findutils) runs a command (an argv, no shell) with words read from its input
// appended, or substituted for a replace string (-I R, -i[R], --replace[=R]).
import type { OptionSpec } from './options.js';
import type { ProgramSpec, Run } from './types.js';
import { dyn, lit, runner } from './words.js';

const XARGS: OptionSpec = {
  takesValue: ['-a', '--arg-file', '-d', '--delimiter', '-E', '-I', '-L', '-n', '--max-args', '-P', '--max-procs', '-s', '--max-chars', '--process-slot-var'],
  optionalValue: ['-e', '--eof', '-i', '--replace', '-l', '--max-lines'],
  flags: ['-0', '--null', '-o', '--open-tty', '-p', '--interactive', '-r', '--no-run-if-empty', '--show-limits', '-t', '--verbose', '-x', '--exit', '--help', '--version'],
  complete: true,
  stopAtPositional: true,
};

export const xargs: ProgramSpec = runner({
  names: ['xargs'],
  options: XARGS,
  run(o): Run[] {
    const argv = o.positionals.length ? o.positionals : [lit('echo')];
    const replace: (string | null)[] = [...(o.values.get('-I') ?? [])];
    // -i and --replace without a value mean {}.
    for (const f of ['-i', '--replace']) if (o.flags.includes(f)) replace.push(...(o.values.get(f) ?? ['{}']));
    if (replace.length) {
      const token = replace[replace.length - 1];
      if (token === null) return [{ kind: 'opaque', reason: 'xargs replace string is only known at run time' }];
      return [{ kind: 'argv', argv: argv.map((w) => (w.value?.includes(token) ? dyn(w.raw) : w)) }];
    }
    return [{ kind: 'argv', argv, dynamicArgs: true }];
  },
  effects(a, out) {
    for (const v of a.values(['-a', '--arg-file'])) out.reads.push(v);
  },
});

export const programs = [xargs];
