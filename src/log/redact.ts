// Secrets never reach the log, and nothing else is changed: known token formats,
// literal values given to credential names (assignments, config lines, headers, flags,
// a few programs' password options), passwords in URLs, and the values of the session's
// secret-looking environment variables are replaced before a record is written. Shell
// operators, quotes and variable references are kept byte for byte: `$TOKEN` names a
// secret, it is not one, and `test "$PWD" == /tmp` holds none.
// Every pattern here runs in linear time on any input (test/log/redact-long.test.ts holds
// the shapes that once made one quadratic; `npm run bench` measures it).

const MASK = '[REDACTED]';

/** Known formats: each match is replaced whole. */
const PATTERNS: RegExp[] = [
  /-----BEGIN [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----[\s\S]*?(-----END [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----|$)/g,
  /\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[0-9A-Z]{16}\b/g, // AWS access key ids
  /\bgh[pousr]_[A-Za-z0-9]{36,255}\b/g, // GitHub tokens
  /\bgithub_pat_[A-Za-z0-9_]{22,255}\b/g,
  /\bglpat-[A-Za-z0-9_-]{20,}\b/g, // GitLab
  /\bgl(?:dt|rt|ptt|cbt|imt|agent|soat|ffct)-[A-Za-z0-9_-]{20,}\b/g,
  /\bxox[abposre]-[A-Za-z0-9-]{10,}\b/g, // Slack
  /\bxapp-\d-[A-Za-z0-9-]{10,}\b/g, // Slack app-level tokens
  /\bhttps:\/\/hooks\.slack\.com\/(?:services|workflows|triggers)\/[A-Za-z0-9/_-]+/g,
  /\bsk-ant-[A-Za-z0-9_-]{20,}\b/g, // Anthropic
  /\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}\b/g, // OpenAI and look-alikes
  /\bAIza[0-9A-Za-z_-]{35}\b/g, // Google API keys
  /\bya29\.[0-9A-Za-z_-]{20,}\b/g, // Google OAuth access tokens
  /(?<![\w/])1\/\/0[0-9A-Za-z_-]{30,}/g, // Google OAuth refresh tokens
  /\bGOCSPX-[0-9A-Za-z_-]{20,}\b/g, // Google OAuth client secrets
  /\b(?:sk|rk)_(?:live|test)_[0-9A-Za-z]{16,}\b/g, // Stripe secret and restricted keys
  /\bwhsec_[0-9A-Za-z]{24,}\b/g, // Stripe webhook signing secrets
  /\bnpm_[A-Za-z0-9]{36}\b/g, // npm
  /\bpypi-[A-Za-z0-9_-]{40,}\b/g, // PyPI
  /\bhf_[A-Za-z0-9]{30,}\b/g, // Hugging Face
  /\bdo[pro]_v1_[a-f0-9]{64}\b/g, // DigitalOcean
  /\bSG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}\b/g, // SendGrid
  /\bSK[0-9a-f]{32}\b/g, // Twilio API key secrets' ids (SK…) are the key's handle
  /\bHRKU-[A-Za-z0-9_-]{20,}\b/g, // Heroku
  /\bhv[sbr]\.[A-Za-z0-9_-]{24,}\b/g, // HashiCorp Vault
  /\bdapi[0-9a-f]{32}(?:-\d)?\b/g, // Databricks
  /\bshp(?:at|ss|ca|pa)_[0-9a-fA-F]{32}\b/g, // Shopify
  /\blin_api_[A-Za-z0-9]{40}\b/g, // Linear
  /\bgsk_[A-Za-z0-9]{48,}\b/g, // Groq
  /\bkey-[0-9a-f]{32}\b/g, // Mailgun
  /\b[0-9a-f]{32}-us\d{1,2}\b/g, // Mailchimp
  /\bhttps:\/\/(?:ptb\.|canary\.)?discord(?:app)?\.com\/api\/webhooks\/\d+\/[A-Za-z0-9_-]+/g, // Discord webhooks
  // JWTs: see redactJwts.
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

// ---- What a credential name is -------------------------------------------------------

/** Words that make a name a credential wherever they stand in it. */
const STRONG_WORDS = new Set(['password', 'passwd', 'passphrase', 'secret', 'secrets', 'token', 'credential', 'credentials', 'apikey', 'accesskey', 'secretkey', 'privatekey', 'accountkey', 'sharedkey', 'masterkey', 'authtoken', 'clientsecret']);
/** Endings of one-word names: PGPASSWORD, githubToken written as one word. Not `tokenizer`, not `keychain`. */
const STRONG_ENDINGS = ['password', 'passwd', 'passphrase', 'token', 'secret', 'apikey'];
/** Two words that together make a credential name (API_KEY, AccessKey, private-key). */
const STRONG_PAIRS = new Set(['api key', 'access key', 'secret key', 'private key', 'account key', 'shared key', 'master key', 'signing key', 'encryption key', 'client secret', 'auth token', 'access token', 'refresh token', 'session token', 'license key', 'app key', 'admin key', 'service key', 'storage key', 'shared secret']);
/** Words that are a credential only beside another word (DB_PWD, DB_PASS), or only with a secret-shaped value (KEY). */
const WEAK_WORDS = new Set(['key', 'pwd', 'pass', 'pw', 'auth', 'sig', 'signature']);
/**
 * A name ending in one of these says something about a credential, not the credential:
 * KEY_ID_FILE, TOKEN_TYPE, PASSWORD_LENGTH, --password-stdin, --token-file.
 */
const META_WORDS = new Set([
  'file', 'files', 'path', 'dir', 'directory', 'id', 'ids', 'name', 'names', 'type', 'url', 'uri', 'endpoint', 'host', 'port', 'len', 'length',
  'min', 'max', 'count', 'ttl', 'expiry', 'expires', 'expiration', 'env', 'var', 'format', 'header', 'prefix', 'size', 'field', 'kind', 'hint',
  'ref', 'arn', 'region', 'mode', 'store', 'helper', 'cmd', 'command', 'policy', 'limit', 'timeout', 'version', 'label', 'user', 'username',
  'usage', 'location', 'source', 'scope', 'scopes', 'audience', 'issuer', 'algorithm', 'alg', 'stdin', 'provider', 'method', 'encoding', 'required',
  'enabled', 'disabled', 'reset', 'rotation', 'manager', 'list', 'fingerprint', 'bits', 'index', 'column', 'table',
]);
/** The shell's own variables that happen to end like credentials. */
const SHELL_NAMES = new Set(['pwd', 'oldpwd']);
/** Words that make the name point at a stored secret rather than hold one (helm's auth.existingSecret=db-credentials). */
const REFERENCE_WORDS = new Set(['existing']);

type Strength = 'strong' | 'weak' | null;

/** Every credential name holds one of these; most names are ruled out by this one test. */
const CREDENTIAL_HINT = /pass|pwd|pw|token|secret|key|auth|cred|sig/i;

/** How much a name says that its value is a secret: strong (any literal is), weak (a secret-shaped literal is), or not at all. */
export function credentialName(name: string): Strength {
  if (!CREDENTIAL_HINT.test(name) || SHELL_NAMES.has(name.toLowerCase())) return null;
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[\s_.-]+/)
    .filter(Boolean);
  if (!words.length || META_WORDS.has(words[words.length - 1]) || words.some((w) => REFERENCE_WORDS.has(w))) return null;
  let weak = false;
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    if (STRONG_WORDS.has(w) || STRONG_ENDINGS.some((e) => w.length > e.length && w.endsWith(e))) return 'strong';
    if (i > 0 && STRONG_PAIRS.has(`${words[i - 1]} ${w}`)) return 'strong';
    if (WEAK_WORDS.has(w)) weak = true;
  }
  // DB_PWD, DB_PASS, MYSQL_PWD: the short words beside another word are passwords.
  if (words.length > 1 && ['pwd', 'pass', 'pw'].includes(words[words.length - 1])) return 'strong';
  return weak ? 'weak' : null;
}

// ---- What a secret value is ----------------------------------------------------------

/**
 * A literal the name gives its value to, not a reference to one: `$TOKEN`, `${X:-d}`,
 * `$(cat f)`, backquotes and `\${X}` (written for a later expansion) stand for a value
 * the log need not hold; `==` and `=` are the operators of `test`; `<…>`, `{{…}}` and
 * `%…%` are placeholders and templates.
 */
function isLiteral(v: string): boolean {
  return v.length > 0 && !/^(?:\\?\$(?!')|`|=|<|\{\{|%)/.test(v) && v !== MASK && !v.startsWith(MASK);
}

/** Has a secret's shape even without a credential name beside it: long, and letters mixed with digits. */
function secretShaped(v: string): boolean {
  if (/^(?:\.{0,2}\/|~)/.test(v) || v.includes('://')) return false; // a path or a URL
  if (!/[A-Za-z]/.test(v) || !/\d/.test(v)) return v.length >= 24 && /^[A-Za-z0-9+/=_-]+$/.test(v) && !/^[a-z-]+$/.test(v);
  return v.length >= 12;
}

/** A value a strong name gives in prose (`echo "token: refreshed"`): a secret only with a digit in it. */
function proseSecret(v: string): boolean {
  return !/^(?:\.{0,2}\/|~)/.test(v) && !v.includes('://') && /\d/.test(v) && /[A-Za-z]/.test(v) && v.length >= 6;
}

// ---- Finding and masking -------------------------------------------------------------

type Range = [start: number, end: number];
/** credentialName, remembered for the names of one text (a long text repeats its names). */
type Names = (name: string) => Strength;

function rememberedNames(): Names {
  const known = new Map<string, Strength>();
  return (name) => {
    let strength = known.get(name);
    if (strength === undefined) known.set(name, (strength = credentialName(name)));
    return strength;
  };
}

/** Replaces each range (sorted by start) with one mask; overlapping ranges become one. */
function maskRanges(s: string, ranges: Range[]): string {
  let out = '';
  let done = 0;
  for (const [a, b] of ranges) {
    if (b <= done) continue;
    if (a < done) {
      done = b; // overlaps the range just masked: mask its tail too
      continue;
    }
    out += s.slice(done, a) + MASK;
    done = b;
  }
  return out + s.slice(done);
}

/**
 * A value right after a name and separator: a double- or single-quoted string on one line
 * (the secret is inside the quotes; the quotes stay), or a bare word that ends at a quote,
 * blank or shell operator, after a quote that is never closed (a line cut short still
 * hides its password). Each quoted alternative stops at the next quote, so the scans of
 * all candidates together cover the text once.
 */
const VALUE = String.raw`(?:"([^"\n]*)"|'([^'\n]*)'|["']?([^\s'"&;|<>()\x60]*))`;

/** The secret part of a VALUE match (groups g, g+1, g+2) that starts at `at`, and where it starts. */
function valueRange(m: RegExpExecArray, at: number, g: number): [string, number] | null {
  if (m[g] !== undefined) return [m[g], at + 1];
  if (m[g + 1] !== undefined) return [m[g + 1], at + 1];
  if (m[g + 2] !== undefined) return [m[g + 2], m.input[at] === '"' || m.input[at] === "'" ? at + 1 : at];
  return null;
}

/**
 * NAME=value, NAME: value, "name": "value", a.b.password=value, ?token=value, NAME := value.
 * The lookbehind lets a match start only at the start of a run of name characters (and
 * never after `$`, `{`, `.`, `/`, `^` or `-`: `$PWD ==` is a reference, `--password=` a
 * flag, `s/^API_KEY=.*` a pattern), which keeps the search linear. The match is the name and
 * its separator: the value (VALUE_AT) is read for a credential name alone, and consumed; any
 * other name's match ends at its separator, so that a name inside its value is still tried
 * (`https://host/api?access_token=…`, `Cookie: token=…`).
 */
const ASSIGN = new RegExp(String.raw`(?<![\w$.{/\\^-])([A-Za-z_][\w.-]*)(["']?)([ \t]*)(:=|\?=|=|:)([ \t]*)`, 'g');
const VALUE_AT = new RegExp(VALUE, 'y');

function assignments(s: string, out: Range[], names: Names): void {
  ASSIGN.lastIndex = 0;
  for (let m: RegExpExecArray | null; (m = ASSIGN.exec(s)); ) {
    const [, name, nameQuote, before, sep, after] = m;
    const strength = names(name);
    if (!strength) continue;
    const at = m.index + m[0].length;
    VALUE_AT.lastIndex = at;
    const vm = VALUE_AT.exec(s);
    if (!vm) continue;
    ASSIGN.lastIndex = at + vm[0].length;
    const v = valueRange(vm, at, 1);
    if (!v || !isLiteral(v[0])) continue;
    const [value, start] = v;
    // `name=` (and make's `:=`, `?=`) is an assignment; `name:` is one in JSON ("name": …),
    // a YAML line or a header (X-Api-Key: …), and prose elsewhere.
    const assignment = sep !== ':' || (nameQuote !== '' && s[m.index - 1] === nameQuote) || name.includes('-') || atLineStart(s, m.index);
    const spaced = sep !== ':' && (before !== '' || after !== '');
    if (spaced && !atLineStart(s, m.index) && !nameQuote) continue; // `[ x = y ]`, not an assignment
    if (vm[3] !== undefined && isCode(value, s[start + value.length], spaced)) continue;
    const secret = strength === 'weak' ? secretShaped(value) : assignment ? true : proseSecret(value);
    if (secret) out.push([start, start + value.length]);
  }
}

/**
 * A bare value that is an expression of the code around it, not a literal: a call
 * (`getToken()`), an index (`os.environ["X"]`), or in `name = value` code a dotted name
 * (`settings.DB_PASSWORD`).
 */
function isCode(value: string, next: string | undefined, spaced: boolean): boolean {
  return next === '(' || value.endsWith('[') || (spaced && /^[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+$/.test(value));
}

/** Only blanks (or a YAML list's `- `) before position i on its line. Scans back over blanks only. */
function atLineStart(s: string, i: number): boolean {
  let j = i - 1;
  while (j >= 0 && (s[j] === ' ' || s[j] === '\t' || s[j] === '-')) j--;
  return j < 0 || s[j] === '\n';
}

/** Authorization: Bearer value (and Basic, Token, Digest, Bot), Proxy-Authorization. */
const AUTHORIZATION = /\b((?:proxy-)?authorization["']?[ \t]*[:=][ \t]*["']?)((?:bearer|basic|token|digest|bot|negotiate)[ \t]+)?([^\s'"]*)/gi;

function authorization(s: string, out: Range[]): void {
  for (const m of s.matchAll(AUTHORIZATION)) {
    const value = m[3];
    if (!isLiteral(value) || /^(?:bearer|basic|token|digest|bot|negotiate)$/i.test(value)) continue;
    const start = m.index + m[1].length + (m[2]?.length ?? 0);
    out.push([start, start + value.length]);
  }
}

/**
 * --password value, --password=value, --api-key "value": a long option whose name is a
 * credential. The value is looked at, not consumed, so `--foo --token x` still finds `--token`.
 */
const LONG_OPTION = new RegExp(String.raw`(?<![\w-])(--[A-Za-z][\w-]*)(=|[ \t]+)(?=` + VALUE + ')', 'g');

function longOptions(s: string, out: Range[], programs: Programs, names: Names): void {
  for (const m of s.matchAll(LONG_OPTION)) {
    const [, option, sep] = m;
    const at = m.index + option.length + sep.length;
    const v = valueRange(m, at, 3);
    if (!v || !isLiteral(v[0]) || (sep !== '=' && v[0].startsWith('-'))) continue;
    const [value, start] = v;
    if ((option === '--user' || option === '--proxy-user') && programs.at(m.index) === 'curl') {
      userPassword(value, start, out);
      continue;
    }
    const strength = names(option.slice(2));
    if (!strength) continue;
    if (strength === 'weak' ? secretShaped(value) : !/^(?:\.{0,2}\/|~|@)/.test(value)) out.push([start, start + value.length]);
  }
}

/** user:password (curl -u): the part after the first colon, when it is a literal. */
function userPassword(value: string, start: number, out: Range[]): void {
  const colon = value.indexOf(':');
  if (colon < 0) return;
  const pw = value.slice(colon + 1);
  if (isLiteral(pw)) out.push([start + colon + 1, start + value.length]);
}

/**
 * The short options that carry a password for the programs agents run most: mysql's
 * -pSECRET (only attached: `-p name` is a prompt and a database), `docker login -p`,
 * sshpass and mongo -p, redis-cli -a, ldapsearch -w, curl -u user:password, zip -P and
 * 7z -pSECRET (archive passwords). Elsewhere -p is a port or a path.
 */
const SHORT_OPTION = new RegExp(String.raw`(?<![\w-])-([apPuUw])([ \t]*)(?=` + VALUE + ')', 'g');
const MYSQL = new Set(['mysql', 'mysqldump', 'mysqladmin', 'mysqlimport', 'mysqlshow', 'mysqlcheck', 'mysqlsh', 'mariadb', 'mariadb-dump', 'mariadb-admin']);
/** Their -p is a password, given apart or attached. */
const P_IS_PASSWORD = new Set(['mongo', 'mongosh', 'mongodump', 'mongorestore', 'mongoexport', 'mongoimport', 'sshpass']);
/** Their -p is a password in their `login` command only. */
const LOGIN = new Set(['docker', 'podman', 'nerdctl', 'buildah', 'skopeo', 'helm', 'oras', 'crane', 'regctl', 'az', 'oc', 'cf']);
/** Their -w is the bind password. */
const LDAP = new Set(['ldapsearch', 'ldapadd', 'ldapmodify', 'ldapdelete', 'ldapwhoami', 'ldappasswd']);
/** Their -pSECRET (attached only) is the archive's password. */
const SEVEN_ZIP = new Set(['7z', '7za', '7zr', '7zz']);

function shortOptions(s: string, out: Range[], programs: Programs): void {
  for (const m of s.matchAll(SHORT_OPTION)) {
    const [, letter, gap] = m;
    const at = m.index + 2 + gap.length;
    const v = valueRange(m, at, 3);
    if (!v || !isLiteral(v[0]) || v[0].startsWith('-')) continue;
    const [value, start] = v;
    const program = programs.at(m.index);
    if (!program) continue;
    let secret = false;
    if (letter === 'p' && MYSQL.has(program)) secret = gap === '';
    else if (letter === 'p' && LOGIN.has(program)) secret = programs.isLogin(m.index);
    else if (letter === 'p' && P_IS_PASSWORD.has(program)) secret = true;
    else if (letter === 'a' && program === 'redis-cli') secret = true;
    else if (letter === 'w' && LDAP.has(program)) secret = true;
    else if (letter === 'P' && (program === 'zip' || program === 'zipcloak')) secret = true;
    else if (letter === 'p' && SEVEN_ZIP.has(program)) secret = gap === '';
    else if ((letter === 'u' || letter === 'U') && program === 'curl') {
      userPassword(value, start, out);
      continue;
    }
    if (secret) out.push([start, start + value.length]);
  }
}

/**
 * openssl's -passin/-passout/-pass pass:SECRET (env:, file: and stdin name a place, not a
 * value) and keytool's -storepass/-keypass SECRET.
 */
const PASS_OPTION = /(?<![\w-])-(pass(?:in|out)?|(?:src|dest)?(?:store|key)pass)[ \t]+(?=(["']?)(pass:)?([^\s'"]*))/g;

function passOptions(s: string, out: Range[]): void {
  for (const m of s.matchAll(PASS_OPTION)) {
    const [, option, quote, prefix = '', value] = m;
    if (option.startsWith('pass') ? !prefix : !!prefix) continue;
    if (!isLiteral(value) || value.startsWith('-')) continue;
    // The value is looked at, not consumed: `-passout -passout pass:x` still finds the second.
    const start = m.index + m[0].length + quote.length + prefix.length;
    out.push([start, start + value.length]);
  }
}

/**
 * `set NAME VALUE`, as config commands take it: aws configure set aws_secret_access_key …,
 * npm config set //registry…/:_authToken …, dotnet user-secrets set Api:Key ….
 */
const SET = new RegExp(String.raw`(?<![\w-])set[ \t]+(?=(["']?)([^\s'"]+)(["']?[ \t]+)` + VALUE + ')', 'g');

function setCommands(s: string, out: Range[], names: Names): void {
  for (const m of s.matchAll(SET)) {
    const strength = names(m[2]);
    if (!strength) continue;
    // The name is looked at, not consumed: in `set set token x` the second `set` is tried too.
    const v = valueRange(m, m.index + m[0].length + m[1].length + m[2].length + m[3].length, 4);
    if (!v || !isLiteral(v[0]) || v[0].startsWith('-')) continue;
    const [value, start] = v;
    if (strength === 'strong' || secretShaped(value)) out.push([start, start + value.length]);
  }
}

/** scheme://user:password@host (and redis://:password@host): the password, when it is a literal. */
const URL_CREDENTIAL = /(?<![a-z0-9+.-])([0-9+.-]*[a-z][a-z0-9+.-]*:\/\/[^\s:/@'"]*:)([^\s@/'"]+)(?=@)/gi;

function urlCredentials(s: string, out: Range[]): void {
  for (const m of s.matchAll(URL_CREDENTIAL)) {
    if (!isLiteral(m[2])) continue;
    const start = m.index + m[1].length;
    out.push([start, start + m[2].length]);
  }
}

// A word ends where its command does, so reading one command never runs into the next.
const COMMAND_WORD = /[ \t]*([^\s;&|(\x60]+)/y;
const ASSIGNMENT_WORD = /^[A-Za-z_]\w*=/;
const WRAPPERS = new Set(['sudo', 'env', 'time', 'exec', 'command', 'nohup', 'nice', 'doas', '!', '{', 'then', 'do', 'else']);

/**
 * The program each simple command of a line runs, by the position of a word in it: the
 * first word after assignments and wrappers (sudo, env, time…), without its directory.
 * Commands are split at operators and newlines without regard to quotes: enough to tell
 * mysql's -p from docker run's, which is all it is for. Each command's program is found
 * once, so the cost stays linear.
 */
class Programs {
  private starts: number[] | undefined;
  private found: ({ program: string; login: boolean } | undefined)[] = [];
  constructor(private s: string) {}

  /** Where each command starts: after an operator character or a newline. Found on first use. */
  private commandStarts(): number[] {
    if (!this.starts) {
      this.starts = [0];
      const BOUNDARY = /[\n;&|(`]/g;
      while (BOUNDARY.exec(this.s)) this.starts.push(BOUNDARY.lastIndex);
    }
    return this.starts;
  }

  private command(i: number): { program: string; login: boolean } {
    const starts = this.commandStarts();
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= i) lo = mid;
      else hi = mid - 1;
    }
    return (this.found[lo] ??= this.read(starts[lo], lo + 1 < starts.length ? starts[lo + 1] : this.s.length));
  }

  private read(start: number, end: number): { program: string; login: boolean } {
    COMMAND_WORD.lastIndex = start;
    let program = '';
    let after = 0;
    let login = false;
    // Enough words to pass a few assignments and wrappers and, only for the programs with a
    // login command, to see `docker login` or `helm registry login`.
    for (let n = 0; n < 12 && after < 3 && COMMAND_WORD.lastIndex < end; n++) {
      const m = COMMAND_WORD.exec(this.s);
      if (!m || m.index >= end) break;
      const w = m[1];
      if (!program) {
        if (ASSIGNMENT_WORD.test(w) || WRAPPERS.has(w) || w.startsWith('-')) continue;
        program = w.slice(w.lastIndexOf('/') + 1);
        if (!LOGIN.has(program)) break;
      } else if (!w.startsWith('-')) {
        after++;
        if (w === 'login') login = true;
      }
    }
    return { program, login };
  }

  at(i: number): string {
    return this.command(i).program;
  }

  isLogin(i: number): boolean {
    return this.command(i).login;
  }
}

// ---- The redactor ---------------------------------------------------------------------

/** A session variable whose value is masked wherever it appears: a credential name, and for a weak one (SSH_KEY, AUTH), a secret-shaped value. */
function secretVariable(name: string, value: string | undefined): value is string {
  if (typeof value !== 'string' || value.length < 8) return false;
  const strength = credentialName(name);
  return strength === 'strong' || (strength === 'weak' && secretShaped(value));
}

export class Redactor {
  private values: string[];

  /** `env`: the session's environment; values of secret-looking variables are masked wherever they appear. */
  constructor(env: Record<string, string | undefined> = {}) {
    this.values = Object.entries(env)
      .filter(([k, v]) => secretVariable(k, v))
      .map(([, v]) => v as string)
      .sort((a, b) => b.length - a.length);
  }

  redact(text: string): string {
    let s = text;
    for (const v of this.values) if (s.includes(v)) s = s.split(v).join(MASK);
    for (const re of PATTERNS) s = s.replace(re, MASK);
    s = redactJwts(s);
    // The keyed finds look at one text and mask at once, so one find never reads another's mask.
    const ranges: Range[] = [];
    const programs = new Programs(s);
    const names = rememberedNames();
    authorization(s, ranges);
    // Most lines name no credential at all: one test spares them the search for assignments.
    if (CREDENTIAL_HINT.test(s)) {
      assignments(s, ranges, names);
      setCommands(s, ranges, names);
    }
    longOptions(s, ranges, programs, names);
    shortOptions(s, ranges, programs);
    if (s.includes('pass')) passOptions(s, ranges);
    if (s.includes('://')) urlCredentials(s, ranges);
    ranges.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
    return maskRanges(s, ranges);
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
