// Word-level helpers: $'…' decoding and brace expansion, checked against what bash does.
import { describe, expect, it } from 'vitest';
import { decodeAnsiC, expandBraces } from '../../src/shell/words.js';

describe("decodeAnsiC: the body of $'…' as bash decodes it", () => {
  it.each<[string, string | null]>([
    ['plain', 'plain'],
    ['a\\nb', 'a\nb'],
    ['\\t\\r\\v\\f\\a\\b', '\t\r\v\f\x07\b'],
    ['\\e\\E', '\x1b\x1b'],
    ["\\'\\\"\\\\\\?", `'"\\?`],
    ['\\x41\\x4a', 'AJ'],
    ['\\x4g', '\x04g'],
    ['\\u00e9', 'é'],
    ['\\U0001F600', '\u{1F600}'],
    // bash ends the word at a NUL byte: nothing after it reaches the program.
    ['\\101\\0B', 'A'],
    ['a\\x00b', 'a'],
    ['\\1010', 'A0'],
    ['\\q', '\\q'],
    ['\\cA', null],
  ])('%j', (body, expected) => {
    expect(decodeAnsiC(body)).toBe(expected);
  });
});

describe('expandBraces: one word per alternative, in the order bash lists them', () => {
  it.each<[string, string[] | null]>([
    ['plain', ['plain']],
    ['{a,b}', ['a', 'b']],
    ['x{a,b}y', ['xay', 'xby']],
    ['{a,b}{1,2}', ['a1', 'a2', 'b1', 'b2']],
    ['pre{a,b{c,d}}', ['prea', 'prebc', 'prebd']],
    ['{1..3}', ['1', '2', '3']],
    ['{3..1}', ['3', '2', '1']],
    ['{c..a}', ['c', 'b', 'a']],
    ['{-1..1}', ['-1', '0', '1']],
    ['x{a,}', ['xa', 'x']],
    ['{a}', ['{a}']],
    ['{1..10..3}', ['1', '4', '7', '10']],
  ])('%j', (text, expected) => {
    expect(expandBraces(text)).toEqual(expected);
  });

  it('a list too long to enumerate gives null (the caller makes it opaque)', () => {
    expect(expandBraces('{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}')).toBeNull();
  });
});
