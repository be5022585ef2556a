// Secrets never reach the log: a table of real-format (fake) secrets.
import { describe, expect, it } from 'vitest';
import { credentialName, Redactor } from '../../src/log/redact.js';

const r = new Redactor({ MY_SERVICE_TOKEN: 'tok-9f8e7d6c5b4a', HOME: '/home/dev', SHORT_KEY: 'abc' });

describe('known secret formats are masked', () => {
  it.each([
    ['AWS access key id', 'aws configure set aws_access_key_id AKIAIOSFODNN7EXAMPLE', 'AKIAIOSFODNN7EXAMPLE'],
    ['AWS secret in an assignment', 'export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'],
    ['GitHub classic token', 'git clone https://ghp_1234567890abcdefghijklmnopqrstuvwxyzAB@github.com/a/b', 'ghp_1234567890abcdefghijklmnopqrstuvwxyzAB'],
    ['GitHub fine-grained token', 'GH_TOKEN=github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz gh pr list', 'github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz'],
    ['GitLab token', 'curl -H "PRIVATE-TOKEN: glpat-AbCdEfGhIjKlMnOpQrSt" https://gitlab.com/api/v4/user', 'glpat-AbCdEfGhIjKlMnOpQrSt'],
    ['Slack bot token', 'curl -d token=xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOp https://slack.com/api/x', 'xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOp'],
    ['Anthropic key', 'ANTHROPIC_API_KEY=sk-ant-api03-AbCdEfGhIjKlMnOpQrStUvWxYz012345 claude', 'sk-ant-api03-AbCdEfGhIjKlMnOpQrStUvWxYz012345'],
    ['OpenAI key', 'curl -H "Authorization: Bearer sk-proj-AbCdEfGhIjKlMnOpQrStUvWxYz0123" https://api.openai.com', 'sk-proj-AbCdEfGhIjKlMnOpQrStUvWxYz0123'],
    ['Google API key', 'curl "https://maps.googleapis.com/x?key=AIzaSyA1234567890abcdefghijklmnopqrstuv"', 'AIzaSyA1234567890abcdefghijklmnopqrstuv'],
    ['Stripe live key', 'stripe --api-key sk_live_51H8abcdefghijklmnopqrstu charges list', 'sk_live_51H8abcdefghijklmnopqrstu'],
    ['npm token', 'echo //registry.npmjs.org/:_authToken=npm_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789 > .npmrc', 'npm_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789'],
    ['JWT', 'curl -H "X-Session: eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U" localhost', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U'],
    ['private key block', "cat > k <<'EOF'\n-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmU=\n-----END OPENSSH PRIVATE KEY-----\nEOF", 'b3BlbnNzaC1rZXktdjEAAAAABG5vbmU='],
    ['Authorization header', 'curl -H "Authorization: Basic dXNlcjpwYXNzd29yZA==" https://x.example', 'dXNlcjpwYXNzd29yZA=='],
    ['password= value', 'mysql --host db -e "select 1" password=hunter2secret', 'hunter2secret'],
    ['--password flag', 'docker login --password s3cr3tP4ss -u me', 's3cr3tP4ss'],
    ['credentials in a URL', 'psql postgres://admin:Sup3rS3cret@db.internal:5432/app', 'Sup3rS3cret'],
    ['secret env value of the session', 'echo tok-9f8e7d6c5b4a | base64', 'tok-9f8e7d6c5b4a'],
    ['Stripe webhook secret', 'stripe listen --forward-to localhost:4242 --skip-verify whsec_0123456789abcdefABCDEFghij', 'whsec_0123456789abcdefABCDEFghij'],
    ['Slack app-level token', 'SLACK_APP=xapp-1-A0123456789-1234567890123-abcdef0123456789 node bot.js', 'xapp-1-A0123456789-1234567890123-abcdef0123456789'],
    ['DigitalOcean refresh token', 'echo dor_v1_' + '0123456789abcdef'.repeat(4) + ' > /dev/null', 'dor_v1_' + '0123456789abcdef'.repeat(4)],
    ['Shopify access token', 'echo shpat_0123456789abcdef0123456789ABCDEF > /dev/null', 'shpat_0123456789abcdef0123456789ABCDEF'],
    ['Linear API key', 'echo lin_api_0123456789abcdefghijABCDEFGHIJ0123456789 | pbcopy', 'lin_api_0123456789abcdefghijABCDEFGHIJ0123456789'],
    ['Groq API key', 'echo gsk_0123456789abcdefghijABCDEFGHIJ0123456789abcdefgh > /dev/null', 'gsk_0123456789abcdefghijABCDEFGHIJ0123456789abcdefgh'],
    ['Mailgun key', 'printf %s key-0123456789abcdef0123456789abcdef | wc -c', 'key-0123456789abcdef0123456789abcdef'],
    ['Mailchimp key', 'echo 0123456789abcdef0123456789abcdef-us21 > /dev/null', '0123456789abcdef0123456789abcdef-us21'],
  ])('%s', (_name, line, secret) => {
    const out = r.redact(line);
    expect(out).not.toContain(secret);
    expect(out).toContain('[REDACTED]');
  });
});

describe('ordinary text is left alone', () => {
  it.each([
    'git push origin feature/add-token-refresh',
    'npm test -- --grep "password reset"',
    'ls -la /home/dev/project',
    'echo abc',
    'curl -s http://localhost:3000/health',
  ])('%s', (line) => {
    expect(r.redact(line)).toBe(line);
  });
});

it('masks strings inside records', () => {
  expect(r.deep({ opaque: ['token=abcdef123456'], n: 1 })).toEqual({ opaque: ['token=[REDACTED]'], n: 1 });
});

describe('which names hold a credential', () => {
  it.each([
    ['GITHUB_TOKEN', 'strong'],
    ['AWS_SECRET_ACCESS_KEY', 'strong'],
    ['PGPASSWORD', 'strong'],
    ['DB_PWD', 'strong'],
    ['_authToken', 'strong'],
    ['X-Api-Key', 'strong'],
    ['AccountKey', 'strong'],
    ['client_secret', 'strong'],
    ['KEY', 'weak'],
    ['SSH_KEY', 'weak'],
    ['PWD', null],
    ['OLDPWD', null],
    ['tokenizer', null],
    ['keychain', null],
    ['KEY_ID_FILE', null],
    ['TOKEN_TYPE', null],
    ['password-stdin', null],
    ['auth.existingSecret', null],
    ['NODE_ENV', null],
  ] as const)('%s: %s', (name, strength) => {
    expect(credentialName(name)).toBe(strength);
  });
});

describe("the session's variables", () => {
  const session = new Redactor({
    DEPLOY_TOKEN: 'plainwordsecret',
    SIGNING_KEY: 'k3y-9f8e7d6c5b4a3928',
    SSH_KEY: '/home/dev/.ssh/id_ed25519',
    AWS_REGION: 'eu-central-1',
    SSH_AUTH_SOCK: '/tmp/ssh-abcdef/agent.42',
  });

  it.each([
    ['a credential name: its value is masked anywhere', 'echo plainwordsecret | wc -c', 'echo [REDACTED] | wc -c'],
    ['a weak name with a secret-shaped value: masked anywhere', 'echo k3y-9f8e7d6c5b4a3928 > /dev/null', 'echo [REDACTED] > /dev/null'],
    ['a weak name with a path: the path stays', 'ls -l /home/dev/.ssh/id_ed25519', 'ls -l /home/dev/.ssh/id_ed25519'],
    ['not a credential name: its value stays', 'aws s3 ls --region eu-central-1', 'aws s3 ls --region eu-central-1'],
    ['SSH_AUTH_SOCK: the socket path stays', 'ls /tmp/ssh-abcdef/agent.42', 'ls /tmp/ssh-abcdef/agent.42'],
  ])('%s', (_name, line, expected) => {
    expect(session.redact(line)).toBe(expected);
  });
});
