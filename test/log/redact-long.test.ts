// Redaction of long text: the shapes that made it quadratic, or could make the keyed finds
// quadratic, mask exactly what they should.
// (How long it takes is measured by `npm run bench`.)
import { describe, expect, it } from 'vitest';
import { Redactor } from '../../src/log/redact.js';

describe('redaction of long text keeps its output', () => {
  const r = new Redactor({});
  it.each<[string, string, string]>([
    ['a URL credential after a long run of scheme characters', '1'.repeat(100_000) + 'abc://user:hunter2@host', '1'.repeat(100_000) + 'abc://user:[REDACTED]@host'],
    ['a JWT after many eyJ…- pieces', 'eyJabcdefgh-'.repeat(10_000) + ' eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N', 'eyJabcdefgh-'.repeat(10_000) + ' [REDACTED]'],
    ['a JWT whose first part holds eyJ after a dash', 'x-eyJabcdefgh-eyJabcdefgh.eyJabcdefgh.abcdefghij', 'x-[REDACTED]'],
    // Credential names, options and values: a start only at the start of a run, a quoted
    // value read only to the next quote, each command's program read once.
    ['a credential assignment after a long run of name characters', 'a-'.repeat(50_000) + ' token=abc123', 'a-'.repeat(50_000) + ' token=[REDACTED]'],
    ['many assignments with quotes that pair across them', 'token="a '.repeat(20_000), 'token="[REDACTED]"a '.repeat(10_000)],
    ['a YAML line after a long run of blanks', ' '.repeat(100_000) + 'password: hunter2', ' '.repeat(100_000) + 'password: [REDACTED]'],
    ['many YAML lines', '\n  password: hunter2'.repeat(10_000), '\n  password: [REDACTED]'.repeat(10_000)],
    ['an option and its value after a long run of blanks', '--token' + ' '.repeat(100_000) + 'abc123', '--token' + ' '.repeat(100_000) + '[REDACTED]'],
    ['many options whose quoted values hold options', '--a "--token "'.repeat(20_000), '--a "--token "'.repeat(20_000)],
    ['many commands of one short option with a value', '-pX;'.repeat(40_000), '-pX;'.repeat(40_000)],
    ['many mysql commands', 'mysql -pX;'.repeat(20_000), 'mysql -p[REDACTED];'.repeat(20_000)],
    ['one mysql with many assignments and -p options', 'mysql ' + 'A=1 '.repeat(20_000) + ' -pX'.repeat(20_000), 'mysql ' + 'A=1 '.repeat(20_000) + ' -p[REDACTED]'.repeat(20_000)],
    ['one curl with many -u user:password', 'curl' + ' -u a:b'.repeat(20_000), 'curl' + ' -u a:[REDACTED]'.repeat(20_000)],
    ['many set commands in a row', 'set '.repeat(40_000) + 'token abc123', 'set '.repeat(40_000) + 'token [REDACTED]'],
    ['a set command with long blanks', 'set' + ' '.repeat(50_000) + 'token' + ' '.repeat(50_000) + 'abc123', 'set' + ' '.repeat(50_000) + 'token' + ' '.repeat(50_000) + '[REDACTED]'],
    ['many -passout options with long blanks', ('-passout' + ' '.repeat(1_000)).repeat(100) + 'pass:abc123', ('-passout' + ' '.repeat(1_000)).repeat(100) + 'pass:[REDACTED]'],
    ['a make assignment after long blanks', 'TOKEN' + ' '.repeat(100_000) + ':= abc123', 'TOKEN' + ' '.repeat(100_000) + ':= [REDACTED]'],
    ['a Heroku prefix repeated in one word', 'HRKU-'.repeat(20_000), '[REDACTED]-'],
    ['Google refresh-token prefixes in a row', '1//0'.repeat(40_000), '1//0'.repeat(40_000)],
  ])('%s', (_name, text, expected) => {
    expect(r.redact(text)).toBe(expected);
  });
});
