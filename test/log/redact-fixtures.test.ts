// Redaction against two fixtures: command lines agents run every day, which must come
// out unchanged (no false redactions: operators, quotes and variable references kept byte
// for byte), and real secret shapes in realistic lines, which must come out exactly as the
// fixture writes them (every secret replaced, nothing else touched).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { Redactor } from '../../src/log/redact.js';

const fixture = (name: string): unknown => parse(readFileSync(new URL(`fixtures/${name}`, import.meta.url), 'utf8'));
const LINES = fixture('shell-lines.yaml') as string[];
const SECRETS = fixture('secrets.yaml') as { name: string; line: string; redacted: string }[];
const MASK = '[REDACTED]';

// A session whose environment holds ordinary variables (some with credential-like
// words in their names) and one real secret that none of the lines contain.
const r = new Redactor({
  HOME: '/home/dev',
  PWD: '/home/dev/project',
  OLDPWD: '/home/dev',
  AWS_REGION: 'us-east-1',
  AWS_PROFILE: 'production',
  SSH_AUTH_SOCK: '/tmp/ssh-XXXXabcd/agent.1234',
  GIT_AUTHOR_NAME: 'Dev Person',
  TOKEN_FILE: '/run/secrets/token',
  KEY_ID_FILE: './x',
  NODE_ENV: 'production',
  GITHUB_TOKEN: 'ghp_Sess10nT0kenThatN0LineH0lds0123456',
});

/** The secrets a fixture case holds: what the line has where its redacted form has a mask. */
function secretsOf(c: { line: string; redacted: string }): string[] {
  const esc = (x: string) => x.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const m = new RegExp('^' + c.redacted.split(MASK).map(esc).join('([\\s\\S]+?)') + '$').exec(c.line);
  if (!m) throw new Error(`fixture "${(c as { name?: string }).name}": its redacted line does not fit its line`);
  return m.slice(1);
}

describe('the fixtures are what they say', () => {
  it('hold at least 200 lines and 50 secret shapes, none repeated', () => {
    expect(LINES.length).toBeGreaterThanOrEqual(200);
    expect(new Set(LINES).size).toBe(LINES.length);
    expect(SECRETS.length).toBeGreaterThanOrEqual(50);
    expect(new Set(SECRETS.map((c) => c.name)).size).toBe(SECRETS.length);
  });

  it.each(SECRETS.map((c) => [c.name, c] as const))('%s: the redacted line masks something the line holds', (_name, c) => {
    const secrets = secretsOf(c);
    expect(secrets.length).toBeGreaterThan(0);
    for (const s of secrets) expect(s).not.toContain(MASK);
  });
});

describe('common shell lines come out unchanged', () => {
  it.each(LINES)('%s', (line) => {
    expect(r.redact(line)).toBe(line);
  });
});

describe('secrets in command lines are replaced, and nothing else', () => {
  it.each(SECRETS.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const out = r.redact(c.line);
    for (const s of secretsOf(c)) expect(out).not.toContain(s);
    expect(out).toBe(c.redacted);
  });
});

describe('records are redacted the same way', () => {
  it('deep() keeps every ordinary line and masks every secret inside a record', () => {
    const record = { command: LINES, opaque: SECRETS.map((c) => ({ text: c.line })), n: 3 };
    expect(r.deep(record)).toEqual({ command: LINES, opaque: SECRETS.map((c) => ({ text: c.redacted })), n: 3 });
  });
});
