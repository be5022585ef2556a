// GNU parallel runs a command line (through a shell) once per input: the template with the
// input substituted for {} (and {.} {/} {1} …) or appended, quoted. Inputs come after
// `:::` (literal), `::::` (files) or from stdin. Without a template the inputs themselves
// are the command lines.
import type { OptionSpec } from './options.js';
import type { ProgramSpec, Run } from './types.js';
import { lit, runner } from './words.js';

const PARALLEL: OptionSpec = {
  takesValue: [
    '-a', '--arg-file', '--arg-file-sep', '--arg-sep', '--basefile', '--bf', '-B', '--block', '--block-size', '--colsep', '-C', '-d', '--delimiter', '--delay', '-E', '--eof', '--env', '--filter', '--halt', '--halt-on-error', '--header', '-I', '--replace', '-j', '--jobs', '-P', '--max-procs', '--joblog', '-L', '--max-lines', '-n', '--max-args', '-N', '--memfree', '--memsuspend', '--load', '--results', '--res', '--retries', '--return', '-s', '--max-chars', '-S', '--sshlogin', '--slf', '--sshloginfile', '--nice', '--ssh', '--tagstring', '--termseq', '--timeout', '--tmpdir', '--transfer-file', '--tf', '--wd', '--workdir', '--limit', '--sqlandworker', '--sql', '--sqlmaster', '--sqlworker', '--shebang-wrap', '--match', '--ctag', '--ctagstring', '--seqreplace', '--extensionreplace', '--er', '--basenamereplace', '--bnr', '--dirnamereplace', '--dnr', '--basenameextensionreplace', '--bner', '--posreplace', '--ssh-delay', '--sshdelay', '--template', '--tmpl',
  ],
  optionalValue: ['-i', '-e', '-l'],
  flags: [
    '-0', '--null', '--bar', '--cat', '--cleanup', '--compress', '--dry-run', '--dryrun', '--eta', '--fg', '--bg', '--fifo', '--group', '--group-by', '--keep-order', '-k', '--line-buffer', '--lb', '--linebuffer', '--no-notice', '--nonall', '--onall', '--pipe', '--pipepart', '--plus', '--progress', '--quote', '-q', '--no-run-if-empty', '-r', '--round-robin', '--round', '--shellquote', '--shuf', '--tag', '--trim', '--ungroup', '-u', '--verbose', '-v', '-t', '--will-cite', '--xargs', '-X', '-m', '--citation', '--version', '-V', '--help', '-h', '--number-of-cpus', '--number-of-cores', '--number-of-threads', '--number-of-sockets', '--files', '--files0', '--latest-line', '--ll', '--interactive', '-p', '--transfer', '--trc', '--tty', '--embed', '--record-env', '--semaphore', '--silent', '--unsafe', '--exit', '-x', '--tmux', '--tmuxpane', '--resume', '--resume-failed', '--retry-failed', '--csv', '--use-cpus-instead-of-cores', '--use-cores-instead-of-threads', '--use-sockets-instead-of-threads',
  ],
  complete: true,
  stopAtPositional: true,
};

const SEPARATOR = /^::::?\+?$/;
const REPLACEMENT = /\{(?:\d*[./]*\.?|#|%|\/\/?\.?|\+[./]*|=[^}]*=)\}/g;
const MAX_INPUTS = 16;

function quote(v: string): string {
  return `'${v.replace(/'/g, `'\\''`)}'`;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export const parallel: ProgramSpec = runner({
  names: ['parallel', 'sem'],
  options: PARALLEL,
  run(o, args): Run[] {
    // --ssh CMD runs CMD to reach hosts; --filter and {= … =} hold Perl code; --sql* read jobs from a database.
    for (const f of ['--ssh', '--filter', '--shebang-wrap', '--sqlworker', '--sqlmaster', '--sqlandworker', '--sql']) {
      if (o.values.has(f) || o.flags.includes(f)) return [{ kind: 'opaque', reason: `parallel ${f} runs code agentguard does not analyse` }];
    }
    if (args.some((w) => w.value === null ? /\{=/.test(w.raw) : w.value.includes('{='))) return [{ kind: 'opaque', reason: 'parallel replacement {= … =} runs Perl code' }];
    const rest = o.positionals;
    const sep = rest.findIndex((w) => w.value !== null && SEPARATOR.test(w.value));
    const template = sep >= 0 ? rest.slice(0, sep) : rest;
    // The inputs: literal when there is one `:::` source of static words, else unknown.
    let inputs: string[] | null = null;
    if (sep >= 0 && !o.values.has('-a') && !o.values.has('--arg-file')) {
      const literal: string[] = [];
      let known = true;
      let groups = 0;
      for (const w of rest.slice(sep)) {
        if (w.value !== null && SEPARATOR.test(w.value)) {
          groups++;
          if (w.value.startsWith('::::')) known = false;
        } else if (w.value === null) known = false;
        else literal.push(w.value);
      }
      inputs = known && groups === 1 && literal.length <= MAX_INPUTS ? literal : null;
    }
    if (!template.length) {
      // The inputs are the command lines.
      if (inputs) return inputs.map((c) => ({ kind: 'script', script: lit(c) }));
      return [{ kind: 'opaque', reason: 'parallel runs command lines read from its input' }];
    }
    if (template.some((w) => w.value === null)) return [{ kind: 'opaque', reason: `parallel's command is not static: ${template.map((w) => w.raw).join(' ')}` }];
    const text = template.map((w) => w.value!).join(' ');
    const custom = [...(o.values.get('-I') ?? []), ...(o.values.get('--replace') ?? [])].pop();
    if (custom === null) return [{ kind: 'opaque', reason: 'parallel replace string is only known at run time' }];
    const pattern = custom !== undefined ? new RegExp(escapeRegExp(custom), 'g') : REPLACEMENT;
    pattern.lastIndex = 0;
    const substitutes = pattern.test(text);
    const fill = (value: string) => (substitutes ? text.replace(pattern, () => value) : `${text} ${value}`);
    if (inputs) return inputs.map((v) => ({ kind: 'script', script: lit(fill(quote(v))) }));
    // An input only known at run time, quoted as parallel quotes it.
    return [{ kind: 'script', script: lit(fill('"$PARALLEL_INPUT"')) }];
  },
  effects(a, out) {
    for (const v of a.values(['-a', '--arg-file'])) out.reads.push(v);
  },
});

export const programs = [parallel];
