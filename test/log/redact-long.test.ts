// Redaction of long text: the shapes that made it quadratic still mask exactly what they did.
// (How long it takes is measured by `npm run bench`.)
import { describe, expect, it } from 'vitest';
import { Redactor } from '../../src/log/redact.js';

describe('redaction of long text keeps its output', () => {
  const r = new Redactor({});
  it.each<[string, string, string]>([
    ['a URL credential after a long run of scheme characters', '1'.repeat(100_000) + 'abc://user:hunter2@host', '1'.repeat(100_000) + 'abc://user:[REDACTED]@host'],
    ['a JWT after many eyJ…- pieces', 'eyJabcdefgh-'.repeat(10_000) + ' eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N', 'eyJabcdefgh-'.repeat(10_000) + ' [REDACTED]'],
    ['a JWT whose first part holds eyJ after a dash', 'x-eyJabcdefgh-eyJabcdefgh.eyJabcdefgh.abcdefghij', 'x-[REDACTED]'],
  ])('%s', (_name, text, expected) => {
    expect(r.redact(text)).toBe(expected);
  });
});
