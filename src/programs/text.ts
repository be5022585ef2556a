// Programs that read the files they are given (cat, less, grep's files after the pattern …)
// and builtins whose arguments are only data (echo, printf, test …).
import type { ProgramSpec } from './types.js';
import { pushAll } from './words.js';

const readOperands: ProgramSpec['effects'] = (a, out) => {
  for (const w of a.opts.positionals) if (w.value !== '-') out.reads.push(w);
};

export const data: ProgramSpec = {
  names: ['echo', 'printf', 'true', 'false', 'test', '[', 'expr', 'sleep', 'seq', 'basename', 'dirname', 'yes', 'export', 'unset', 'set', 'shift', 'exit', 'return', 'read', 'local', 'declare', 'typeset', 'readonly', 'type', 'which', 'whereis', 'hash', 'jobs', 'wait', 'bg', 'fg', 'disown', 'ulimit', 'umask', 'date', 'cd', 'pushd', 'popd', 'realpath', 'readlink', 'alias'],
  dataOnly: true,
};

export const readers: ProgramSpec = {
  names: ['cat', 'tac', 'less', 'more', 'most', 'nl', 'base64', 'base32', 'xxd', 'od', 'hexdump', 'strings', 'file', 'stat', 'wc', 'md5sum', 'sha1sum', 'sha256sum', 'sha512sum', 'cksum', 'diff', 'cmp', 'bat', 'batcat', 'view', 'gpg', 'openssl', 'ssh-keygen', 'ssh-add', 'zcat', 'bzcat', 'xzcat', 'zless', 'column', 'cut', 'paste', 'uniq', 'fold', 'fmt', 'tr', 'iconv', 'gzip', '7z', 'ls', 'tree', 'du'],
  effects: readOperands,
};

export const headTail: ProgramSpec = {
  names: ['head', 'tail'],
  options: { takesValue: ['-n', '--lines', '-c', '--bytes', '-s', '--sleep-interval', '--pid'] },
  effects: readOperands,
};

/** The first positional is a pattern or program; the files come after it (or all are files with -e/-f). */
const patternFirst = (names: string[], takesValue: string[]): ProgramSpec => ({
  names,
  options: { takesValue },
  effects(a, out) {
    const patternGiven = a.values(['-e', '--regexp', '-f', '--file', '--from-file', '--source', '-E', '--exec']).length > 0;
    pushAll(out.reads, a.opts.positionals.slice(patternGiven ? 0 : 1), a.values(['-f', '--file', '--from-file']));
  },
});

export const grep = patternFirst(['grep', 'egrep', 'fgrep', 'ag', 'ack'], ['-e', '--regexp', '-f', '--file', '-m', '--max-count', '-A', '-B', '-C', '--include', '--exclude', '--exclude-dir', '--color', '--colour', '-d', '-D', '--label']);
export const rg = patternFirst(['rg'], ['-e', '--regexp', '-f', '--file', '-g', '--glob', '-t', '--type', '-T', '--type-not', '-m', '--max-count', '-A', '-B', '-C', '--color', '-j', '--threads', '-M', '--max-columns', '--max-depth', '--iglob', '-r', '--replace', '--sort', '--sortr']);
export const jq = patternFirst(['jq', 'yq', 'gojq', 'jaq'], ['--arg', '--argjson', '--slurpfile', '--rawfile', '--indent', '-f', '--from-file']);

export const awk: ProgramSpec = { ...patternFirst(['awk', 'gawk', 'mawk', 'nawk'], ['-F', '--field-separator', '-v', '--assign', '-f', '--file', '-e', '--source', '-i', '--include', '-l', '--load', '-E', '--exec']), lists: ['interpreters'] };

export const programs = [data, readers, headTail, grep, rg, jq, awk];
