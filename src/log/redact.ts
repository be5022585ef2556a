// Secrets never reach the log: known token formats, credential-looking assignments and
// headers, credentials in URLs, and the values of the session's secret-looking
// environment variables are replaced before a record is written.

const MASK = '[REDACTED]';

/** Known formats: each match is replaced whole (or its secret group, where the pattern has one). */
const PATTERNS: RegExp[] = [
  /-----BEGIN [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----[\s\S]*?(-----END [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----|$)/g,
  /\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[0-9A-Z]{16}\b/g, // AWS access key ids
  /\bgh[pousr]_[A-Za-z0-9]{36,255}\b/g, // GitHub tokens
  /\bgithub_pat_[A-Za-z0-9_]{22,255}\b/g,
  /\bglpat-[A-Za-z0-9_-]{20,}\b/g, // GitLab
  /\bgl(?:dt|rt|ptt|cbt|imt|agent|soat|ffct)-[A-Za-z0-9_-]{20,}\b/g,
  /\bxox[abposr]-[A-Za-z0-9-]{10,}\b/g, // Slack
  /\bhttps:\/\/hooks\.slack\.com\/services\/[A-Za-z0-9/_-]+/g,
  /\bsk-ant-[A-Za-z0-9_-]{20,}\b/g, // Anthropic
  /\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}\b/g, // OpenAI and look-alikes
  /\bAIza[0-9A-Za-z_-]{35}\b/g, // Google API keys
  /\bya29\.[0-9A-Za-z_-]{20,}\b/g, // Google OAuth access tokens
  /\b(?:sk|rk|pk)_(?:live|test)_[0-9A-Za-z]{16,}\b/g, // Stripe
  /\bnpm_[A-Za-z0-9]{36}\b/g, // npm
  /\bpypi-[A-Za-z0-9_-]{40,}\b/g, // PyPI
  /\bhf_[A-Za-z0-9]{30,}\b/g, // Hugging Face
  /\bdop_v1_[a-f0-9]{64}\b/g, // DigitalOcean
  /\bSG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}\b/g, // SendGrid
  // JWTs: see redactJwts.
];

/** Patterns whose group 1 is kept (the name) and group 2 is the secret. */
const KEYED: RegExp[] = [
  // Authorization: Bearer …, Proxy-Authorization, X-Api-Key: …
  /\b((?:proxy-)?authorization\s*:\s*(?:bearer|basic|token|digest)?\s*)([^\s'"]+)/gi,
  /\b((?:x-)?(?:api|auth)[-_]?(?:key|token)\s*:\s*)([^\s'"]+)/gi,
  // password=…, --password …, token: …, secret=…, aws_secret_access_key = …
  /\b((?:[A-Za-z0-9_]*(?:password|passwd|pwd|secret|token|api[-_]?key|access[-_]?key|private[-_]?key|client[-_]?secret))["']?\s*[=:]\s*["']?)([^\s'"&;,]+)/gi,
  /(--(?:password|passwd|token|secret|api-key|access-key|client-secret)(?:=|\s+))([^\s'"]+)/gi,
  // scheme://user:password@host. The match starts where a run of scheme characters does (a
  // leading [0-9+.-] kept with the name): a start at every letter of a long run was quadratic.
  /(?<![a-z0-9+.-])([0-9+.-]*[a-z][a-z0-9+.-]*:\/\/[^\s:/@'"]+:)([^\s@/'"]+)(?=@)/gi,
];

const JWT = /eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\b/y;
const JWT_CHAR = /[A-Za-z0-9_-]/;
const WORD_CHAR = /\w/;

/**
 * Masks what /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\b/g would match,
 * in linear time. That regex tries every `eyJ` after a `-` and runs each to the end of its
 * run of token characters, quadratic in a run like eyJaaaaaaaa-eyJaaaaaaaa-…. Its first
 * part always ends where the run does, at a `.eyJ`; so only the earliest `eyJ` of the run
 * before each `.eyJ` can start a match, and only there is the regex tried.
 */
function redactJwts(s: string): string {
  let out = '';
  let done = 0;
  for (let k = s.indexOf('.eyJ'); k >= 0; k = s.indexOf('.eyJ', k + 1)) {
    if (k < done) continue;
    let start = k;
    while (start > done && JWT_CHAR.test(s[start - 1])) start--;
    // The earliest `eyJ` of the run that a word boundary precedes.
    let p = start;
    while (p + 3 <= k && !(s.startsWith('eyJ', p) && (p === 0 || !WORD_CHAR.test(s[p - 1])))) p++;
    if (k - p < 11) continue;
    JWT.lastIndex = p;
    const m = JWT.exec(s);
    if (!m) continue;
    out += s.slice(done, p) + MASK;
    done = p + m[0].length;
  }
  return done ? out + s.slice(done) : s;
}

export const SECRET_ENV_NAME = /(TOKEN|SECRET|PASSWORD|PASSWD|PASSPHRASE|API_?KEY|ACCESS_KEY|PRIVATE_KEY|_KEY$|CREDENTIAL|^AWS_|AUTH)/i;

export class Redactor {
  private values: string[];

  /** `env`: the session's environment; values of secret-looking variables are masked wherever they appear. */
  constructor(env: Record<string, string | undefined> = {}) {
    this.values = Object.entries(env)
      .filter(([k, v]) => SECRET_ENV_NAME.test(k) && typeof v === 'string' && v.length >= 8)
      .map(([, v]) => v as string)
      .sort((a, b) => b.length - a.length);
  }

  redact(text: string): string {
    let s = text;
    for (const v of this.values) if (s.includes(v)) s = s.split(v).join(MASK);
    for (const re of PATTERNS) s = s.replace(re, MASK);
    s = redactJwts(s);
    for (const re of KEYED) s = s.replace(re, (m, keep: string, secret: string) => (secret === MASK ? m : keep + MASK));
    return s;
  }

  /** Redacts every string inside a JSON-like value. */
  deep<T>(value: T): T {
    if (typeof value === 'string') return this.redact(value) as T;
    if (Array.isArray(value)) return value.map((v: unknown) => this.deep(v)) as T;
    if (value && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = this.deep(v);
      return out as T;
    }
    return value;
  }
}
