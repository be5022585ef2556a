// Long and deeply nested lines: every shape that once made analysis, matching or
// redaction super-linear, or overflowed the stack, is analysed whole at the size limit
// with the verdict it should have; deeper nesting than the walk follows is opaque (ask),
// never an internal error; past the limit the answer is an ask without parsing; NUL
// bytes are dropped as bash and dash drop them. How long each takes is measured by
// `npm run bench` (bench/linear.js), not asserted here.
import { describe, expect, it } from 'vitest';
import { SHAPES } from '../../bench/shapes.js';
import { MAX_NESTING, MAX_SOURCE_BYTES, MAX_WRAPPERS, tooLongReason } from '../../src/shell/analyse.js';
import { analyseExample, argvs, exampleGuard } from '../helpers.js';

// The analysis of a 256 KiB line takes seconds on a loaded machine: room for that, not a timing.
const SLOW = 300_000;

describe('a line of 256 KiB is analysed whole, whatever its shape', () => {
  it.each(Object.keys(SHAPES))(
    '%s',
    async (name) => {
      const shape = SHAPES[name as keyof typeof SHAPES];
      const command = shape.build(MAX_SOURCE_BYTES);
      expect(Buffer.byteLength(command)).toBeGreaterThan(MAX_SOURCE_BYTES - 64);
      const d = (await exampleGuard()).check({ command });
      // An internal error (a stack overflow) would show here as an opaque reason.
      expect({ action: d.action, opaque: d.opaque }).toEqual({ action: shape.expect, opaque: [] });
    },
    SLOW,
  );

  it(
    'the last command of a long chain is still seen (and a rule fires on it)',
    async () => {
      const command = SHAPES['and-list'].build(MAX_SOURCE_BYTES - 100) + ' && git push --force origin main';
      const d = (await exampleGuard()).check({ command });
      expect({ action: d.action, rules: d.matches.map((m) => m.rule), last: d.commands[d.commands.length - 1] }).toEqual({
        action: 'ask',
        rules: ['git-force-push'],
        last: ['git', 'push', '--force', 'origin', 'main'],
      });
    },
    SLOW,
  );
});

describe('over the limit: ask at once, without parsing', () => {
  it.each<[string, string]>([
    ['300 KiB of one word', 'echo ' + 'x'.repeat(300 * 1024)],
    ['one byte over', 'echo ' + 'a'.repeat(MAX_SOURCE_BYTES - 4)],
    ['over in bytes, not in characters', 'echo ' + 'é'.repeat(MAX_SOURCE_BYTES / 2)],
    ['a dangerous command that is too long', 'rm -rf / ' + '#'.repeat(300 * 1024)],
  ])('%s', async (_name, command) => {
    const d = (await exampleGuard()).check({ command });
    expect(d).toEqual({ action: 'ask', matches: [], opaque: [tooLongReason(Buffer.byteLength(command))], commands: [], triggers: [] });
    expect(d.opaque[0]).toMatch(/^too long to analyse \(\d+ bytes, limit 262144\)$/);
  });
});

describe('nesting deeper than the walk follows is opaque, not a crash', () => {
  const deep = MAX_NESTING * 5;
  it.each<[string, string, RegExp]>([
    ['{ { { … } } }', '{ '.repeat(deep) + 'true' + '; }'.repeat(deep), /statements nested more than \d+ deep/],
    ['( ( ( … ) ) )', '( '.repeat(deep) + 'true' + ' )'.repeat(deep), /statements nested more than \d+ deep/],
    ['if inside if', 'if true; then '.repeat(deep) + 'true' + '; fi'.repeat(deep), /statements nested more than \d+ deep/],
    ['wrappers inside wrappers', 'nice '.repeat(MAX_WRAPPERS * 4) + 'rm -rf /', /wrappers nested more than \d+ deep/],
  ])('%s', async (_name, command, reason) => {
    const d = (await exampleGuard()).check({ command });
    expect(d.action).not.toBe('allow');
    expect(d.opaque.some((o) => reason.test(o))).toBe(true);
    expect(d.opaque.some((o) => /internal error/.test(o))).toBe(false);
  });

  it.each<[string, string]>([
    ['${a:-${a:-…}} nested 5000 deep', 'echo ' + '${a:-'.repeat(5000) + 'x' + '}'.repeat(5000)],
    ['[[ … && … ]] of 20000 tests', '[[ ' + Array.from({ length: 20000 }, (_, i) => `-n a${i}`).join(' && ') + ' ]]'],
    ['a word of 50000 braces', 'echo ' + '{'.repeat(50000) + 'a,b}'],
    ["$'\\n…' of 120000 escapes", "echo $'" + '\\n'.repeat(120000) + "'"],
    ['MAX_NESTING - 10 braces deep is still analysed', '{ '.repeat(MAX_NESTING - 10) + 'git push --force origin main' + '; }'.repeat(MAX_NESTING - 10)],
  ])('%s', async (_name, command) => {
    const d = (await exampleGuard()).check({ command });
    expect(d.opaque.filter((o) => /internal error|nested more than/.test(o))).toEqual([]);
  });

  it('a word of 50000 brace groups is too complex to expand, found without expanding it', async () => {
    const d = (await exampleGuard()).check({ command: 'echo ' + '{a,b}'.repeat(50000) });
    expect(d.action).toBe('ask');
    expect(d.opaque).toHaveLength(1);
    expect(d.opaque[0]).toMatch(/^brace expansion too complex to analyse: /);
  });

  it('the statement at MAX_NESTING - 10 levels is checked by its rule', async () => {
    const n = MAX_NESTING - 10;
    const d = (await exampleGuard()).check({ command: '{ '.repeat(n) + 'git push --force origin main' + '; }'.repeat(n) });
    expect({ action: d.action, rules: d.matches.map((m) => m.rule), opaque: d.opaque }).toEqual({ action: 'ask', rules: ['git-force-push'], opaque: [] });
  });
});

describe('NUL bytes are dropped, as bash and dash drop them from a script', () => {
  it.each<[string, string]>([
    ['inside a word', 'rm -rf .g\0it'],
    ['inside the program name', 'r\0m -rf .git'],
    ['several', '\0rm\0 -rf .\0g\0i\0t\0'],
    ['in a heredoc fed to bash', "bash <<'EOF'\nrm -rf .g\0it\nEOF"],
  ])('%s: caught like rm -rf .git', async (_name, command) => {
    const g = await exampleGuard();
    const plain = g.check({ command: 'rm -rf .git' });
    const d = g.check({ command });
    expect(plain.matches.map((m) => m.rule)).toEqual(['delete-workspace-root']);
    expect({ action: d.action, rules: d.matches.map((m) => m.rule), opaque: d.opaque }).toEqual({ action: plain.action, rules: ['delete-workspace-root'], opaque: [] });
  });

  it('a NUL is not a word break', async () => {
    expect(argvs(await analyseExample('echo a\0b'))).toEqual([['echo', 'ab']]);
  });
});
