// Secrets inside a value that starts with another name: a URL's query string after `https:`,
// a Cookie header's pairs after `Cookie:`. The name=value scan used to consume `https:`'s whole
// value and never look inside it.
import { describe, expect, it } from 'vitest';
import { Redactor } from '../../src/log/redact.js';

const S = 'Zx9Qw3Er7Ty1Ui5Op2As8Df4Gh6Jk0Lm';
const r = new Redactor({});

describe('credential names inside another value', () => {
  it.each([
    [`curl https://api.example.com/v1?access_token=${S}`, `curl https://api.example.com/v1?access_token=[REDACTED]`],
    [`curl "https://api.example.com/v1?api_key=${S}&q=1"`, `curl "https://api.example.com/v1?api_key=[REDACTED]&q=1"`],
    [`curl -H "Cookie: token=${S}" https://x`, `curl -H "Cookie: token=[REDACTED]" https://x`],
    // Archive passwords.
    [`zip -P ${S} out.zip notes.txt`, `zip -P [REDACTED] out.zip notes.txt`],
    [`7z a -p${S} out.7z notes.txt`, `7z a -p[REDACTED] out.7z notes.txt`],
  ])('%s', (line, want) => {
    expect(r.redact(line)).toBe(want);
  });

  it('keeps what is not a credential: a query string and a header of ordinary names', () => {
    for (const line of ['curl "https://example.com/search?q=agentguard&page=2"', 'curl -H "Accept: application/json" https://x/?sort=desc', 'unzip -P', '7z a -p out.7z dir', 'cp -p a b']) expect(r.redact(line)).toBe(line);
  });
});
