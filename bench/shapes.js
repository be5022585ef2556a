// Long command lines of the shapes that once made analysis, matching or redaction
// super-linear: shared by bench/linear.js (timing) and test/shell/long.test.ts (verdicts).
// Each builder returns a line of about `bytes` bytes (never more); `expect` is the verdict
// the default rules give in a workspace where nothing of the line exists.

/** @typedef {{ expect: 'allow' | 'ask' | 'deny', build: (bytes: number) => string }} Shape */

/**
 * Repeats `unit(i)` until the next one would pass `bytes`; joins with `sep`.
 * @param {number} bytes @param {string} head @param {(i: number) => string} unit @param {string} sep @param {string} [tail]
 */
function fill(bytes, head, unit, sep, tail = '') {
  const parts = [];
  let size = head.length + tail.length;
  for (let i = 0; ; i++) {
    const u = unit(i);
    const add = u.length + (parts.length ? sep.length : 0);
    if (size + add > bytes) break;
    parts.push(u);
    size += add;
  }
  return head + parts.join(sep) + tail;
}

/** @satisfies {Record<string, Shape>} */
export const SHAPES = {
  /** `true; true; …`: the DESIGN.md note's batch case. */
  statements: { expect: 'allow', build: (n) => fill(n, '', () => 'true', '; ') },
  /** One command with many arguments. */
  'echo words': { expect: 'allow', build: (n) => fill(n, 'echo', (i) => ` w${i}`, '') },
  /** `a && b && …`: tree-sitter nests lists to the right, one level per operator. */
  'and-list': { expect: 'allow', build: (n) => fill(n, '', (i) => (i % 2 ? 'ls' : 'true'), ' && ') },
  /** `a || b || …`, mixed with `&&`. */
  'or-list': { expect: 'allow', build: (n) => fill(n, 'true', (i) => (i % 2 ? ' || ls' : ' && true'), '') },
  /** One command with as many words as fit (rm -f a a a …): more than a call takes arguments. */
  'many files': { expect: 'allow', build: (n) => fill(n, 'rm -f', () => ' a', '') },
  /** `a > f && b > g && …`: a redirected list inside a list, one level per redirect. */
  'and-list redirects': { expect: 'allow', build: (n) => fill(n, '', (i) => `echo ${i} > f${i % 10}`, ' && ') },
  /** `a | b | c | …` */
  pipes: { expect: 'allow', build: (n) => fill(n, 'cat README.md', (i) => (i % 2 ? 'grep x' : 'sort'), ' | ') },
  /** `a 2>&1 | b 2>&1 | …`: tree-sitter nests the pipeline one level per redirect. */
  'pipes 2>&1': { expect: 'allow', build: (n) => fill(n, 'cat README.md', () => 'grep x 2>&1', ' | ') },
  /** One long test expression: `[[ … && … ]]` nests to the left like a list. */
  'test expression': { expect: 'allow', build: (n) => fill(n, '[[ ', (i) => `-n a${i}`, ' && ', ' ]]') },
  /** A large heredoc fed to cat, with variables in it. */
  heredoc: { expect: 'allow', build: (n) => fill(n, 'cat <<EOF\n', (i) => `line ${i} $HOME \${USER} text`, '\n', '\nEOF\n') },
  /** A large heredoc fed to bash: a nested script of the same size. */
  'heredoc script': { expect: 'allow', build: (n) => fill(n, "bash <<'EOF'\n", (i) => (i % 2 ? 'ls -la' : 'echo hi'), '\n', '\nEOF\n') },
  /** One long single-quoted string. */
  'quoted string': { expect: 'allow', build: (n) => `echo '${'x'.repeat(Math.max(0, n - 8))}'` },
  /** Many command substitutions in one command. */
  substitutions: { expect: 'allow', build: (n) => fill(n, 'echo', (i) => ` $(echo ${i})`, '') },
  /** Many assignments, then many uses. */
  variables: {
    expect: 'allow',
    build: (n) => {
      const half = Math.floor(n / 2);
      const count = Math.floor(half / 12);
      const defs = fill(half, '', (i) => (i < count ? `v${i}=x${i}` : 'v=x'), '; ');
      return fill(n, defs + '; echo', (i) => ` $v${i % count}`, '');
    },
  },
  /** A long case statement. */
  case: { expect: 'allow', build: (n) => fill(n, 'case "$1" in\n', (i) => `  p${i}) echo ${i} ;;`, '\n', '\nesac') },
  /** Many cd in a row (the cwd flow), into directories that may not exist. */
  'cd chain': { expect: 'allow', build: (n) => fill(n, '', (i) => (i % 3 === 2 ? 'ls' : `cd d${i % 5}`), '; ') },
  /** Many redirects on one command. */
  redirects: { expect: 'allow', build: (n) => fill(n, 'echo hi', () => ` 2>&1 >/dev/null <README.md`, '') },
  /** Secret-looking tokens everywhere (for redaction, and for rules that look at words). */
  secrets: { expect: 'allow', build: (n) => fill(n, 'echo', (i) => ` token=ghp_${String(i).padStart(36, 'a')} password=hunter${i}`, '') },
};
