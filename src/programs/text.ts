// Programs that read the files they are given (cat, less, grep's files after the pattern …)
// and builtins whose arguments are only data (echo, printf, test …).
import type { ProgramSpec } from './types.js';
import { atMost, inputOf, parseSize, sizeOr0 } from './volume.js';
import { pushAll } from './words.js';

const readOperands: ProgramSpec['effects'] = (a, out) => {
  for (const w of a.opts.positionals) if (w.value !== '-') out.reads.push(w);
};

export const data: ProgramSpec = {
  names: ['echo', 'printf', 'true', 'false', 'test', '[', 'expr', 'sleep', 'seq', 'basename', 'dirname', 'export', 'unset', 'set', 'shift', 'exit', 'return', 'read', 'local', 'declare', 'typeset', 'readonly', 'type', 'which', 'whereis', 'hash', 'jobs', 'wait', 'bg', 'fg', 'disown', 'ulimit', 'umask', 'date', 'cd', 'pushd', 'popd', 'realpath', 'readlink', 'alias'],
  dataOnly: true,
};

/** yes prints its line for ever. */
export const yes: ProgramSpec = { names: ['yes'], dataOnly: true, volume: () => ({ files: [], stdout: Infinity }) };

/** Readers that pass what they read on to stdout (transformed, never ending before their input does). */
const PASS_THROUGH = new Set(['cat', 'nl', 'base64', 'base32', 'xxd', 'od', 'hexdump', 'strings', 'cut', 'fold', 'tr', 'iconv', 'gzip']);

export const readers: ProgramSpec = {
  names: ['cat', 'tac', 'nl', 'base64', 'base32', 'xxd', 'od', 'hexdump', 'strings', 'file', 'stat', 'wc', 'md5sum', 'sha1sum', 'sha256sum', 'sha512sum', 'cksum', 'diff', 'cmp', 'bat', 'batcat', 'gpg', 'openssl', 'ssh-keygen', 'ssh-add', 'zcat', 'bzcat', 'xzcat', 'column', 'cut', 'paste', 'uniq', 'fold', 'fmt', 'tr', 'iconv', 'gzip', '7z', 'ls', 'tree', 'du'],
  effects: readOperands,
  volume(a, stdin) {
    if (!PASS_THROUGH.has(a.program)) return { files: [], stdout: 0 };
    // tr reads only stdin.
    return { files: [], stdout: inputOf(a.program === 'tr' ? [] : a.opts.positionals, stdin) };
  },
};

/** pv shows progress and passes its input (files or stdin) on unchanged. */
export const pv: ProgramSpec = {
  names: ['pv'],
  options: { takesValue: ['-s', '--size', '-L', '--rate-limit', '-B', '--buffer-size', '-N', '--name', '-i', '--interval', '-w', '--width', '-H', '--height', '-F', '--format', '-d', '--watchfd', '-R', '--remote', '-P', '--pidfile', '-A', '--last-written', '-D', '--delay-start', '-o', '--output', '-U', '--store-and-forward', '-m', '--average-rate-window'] },
  effects(a, out) {
    readOperands(a, out);
    pushAll(out.writes, a.values(['-o', '--output', '-U', '--store-and-forward']));
  },
  volume: (a, stdin) => {
    const bytes = inputOf(a.opts.positionals, stdin);
    const files = a.values(['-o', '--output']);
    return files.length ? { files: files.map((path) => ({ path, bytes })), stdout: 0 } : { files: [], stdout: bytes };
  },
};

export const headTail: ProgramSpec = {
  names: ['head', 'tail'],
  options: { takesValue: ['-n', '--lines', '-c', '--bytes', '-s', '--sleep-interval', '--pid'] },
  effects: readOperands,
  // head -c N prints at most N bytes of its input; -c -N all but the last N; tail of an endless input prints nothing.
  volume(a, stdin) {
    const input = inputOf(a.opts.positionals, stdin);
    const c = a.values(['-c', '--bytes']).pop();
    if (a.program !== 'head' || input === 0) return { files: [], stdout: 0 };
    // Lines (-n) are counted, not sized: bounded.
    if (!c) return { files: [], stdout: 0 };
    if (c.value?.startsWith('-')) return { files: [], stdout: input };
    return { files: [], stdout: atMost(sizeOr0(parseSize(c, { blocks: true })), input) };
  },
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

export const programs = [data, yes, readers, pv, headTail, grep, rg, jq];
