// Which paths a command writes and reads, from what each program does with its
// arguments (cp's destination, tee's files, dd of=, sed -i, tar -C …). Redirects are
// added by the analyser. Pure argv knowledge: resolution happens elsewhere.
import { hasFlag, optionValues, parseOptions, PROGRAM_OPTIONS, type ParsedOptions } from './options.js';
import type { Word } from './types.js';
import { hasFindFilter } from './wrappers.js';

export interface Effects {
  writes: Word[];
  reads: Word[];
  /** Network destinations: host names (lower case), or null when only known at run time. */
  hosts: HostRef[];
}

export interface HostRef {
  host: string | null;
  raw: string;
}

const lit = (value: string): Word => ({ value, raw: value, glob: false });

/** to.push(...lists), without spreading: a command may have more words than a call takes arguments. */
function pushAll(to: Word[], ...lists: readonly Word[][]): void {
  for (const l of lists) for (const x of l) to.push(x);
}

/** Programs whose arguments are data, never paths they open. */
const DATA_ONLY = new Set(['echo', 'printf', 'true', 'false', 'test', '[', 'expr', 'sleep', 'seq', 'basename', 'dirname', 'yes', 'export', 'alias', 'unset', 'set', 'shift', 'exit', 'return', 'read', 'local', 'declare', 'typeset', 'readonly', 'type', 'which', 'whereis', 'hash', 'kill', 'jobs', 'wait', 'bg', 'fg', 'disown', 'ulimit', 'umask', 'date', 'cd', 'pushd', 'popd', 'realpath', 'readlink']);

/** Programs whose positional words after the first (a pattern or script) are files read. */
const PATTERN_FIRST = new Set(['grep', 'egrep', 'fgrep', 'rg', 'ag', 'ack', 'awk', 'gawk', 'mawk', 'jq', 'yq']);


/** Effects of a command given its program and arguments (argv without argv[0]). */
export function commandEffects(program: string, args: readonly Word[]): Effects {
  const writes: Word[] = [];
  const reads: Word[] = [];
  if (DATA_ONLY.has(program)) return { writes, reads, hosts: [] };
  const opts = parseOptions(args, {
    takesValue: PROGRAM_OPTIONS[program],
    singleDashLong: program === 'find' || program === 'dd' || program === 'java',
  });
  const pos = opts.positionals;
  const values = (names: string[]) => optionValues(opts, names).map((v) => (v === null ? { value: null, raw: '…', glob: false } : lit(v)));
  const hosts = networkHosts(program, opts);
  // Formatting and wiping tools write the devices they are given.
  if (/^(mkfs(\..+)?|mke2fs|mkswap|mkdosfs|mkntfs|wipefs|blkdiscard|shred)$/.test(program)) {
    pushAll(writes, pos);
    return { writes, reads, hosts };
  }
  const special = SPECIAL[program];
  if (special) {
    special(opts, args, writes, reads, values);
    return { writes, reads, hosts };
  }
  if (PATTERN_FIRST.has(program)) {
    const patternGiven = values(['-e', '--regexp', '-f', '--file', '--from-file']).length > 0;
    pushAll(reads, pos.slice(patternGiven ? 0 : 1), values(['-f', '--file', '--from-file']));
    return { writes, reads, hosts };
  }
  if (FILE_READERS.has(program)) {
    for (const w of pos) if (w.value !== '-') reads.push(w);
    return { writes, reads, hosts };
  }
  // Unknown programs: a word that names a file (it has a / or a .) might be read, so
  // credential reads are asked about; none is assumed written (the sandbox is the wall
  // for that). Bare words (npm run build) are subcommands and names, not files.
  for (const w of pos) if (looksLikeFile(w)) reads.push(w);
  for (const vs of opts.values.values()) for (const v of vs) if (v !== null && looksLikeFile(lit(v))) reads.push(lit(v));
  return { writes, reads, hosts };
}

/** Programs whose every positional word is a file they read. */
const FILE_READERS = new Set(['cat', 'tac', 'less', 'more', 'most', 'head', 'tail', 'nl', 'base64', 'base32', 'xxd', 'od', 'hexdump', 'strings', 'file', 'stat', 'wc', 'md5sum', 'sha1sum', 'sha256sum', 'sha512sum', 'cksum', 'diff', 'cmp', 'source', '.', 'bat', 'batcat', 'view', 'gpg', 'openssl', 'ssh-keygen', 'ssh-add', 'zcat', 'bzcat', 'xzcat', 'zless', 'jq', 'yq', 'column', 'cut', 'paste', 'sort', 'uniq', 'fold', 'fmt', 'tr', 'iconv', 'gzip', 'zip', '7z', 'ls', 'tree', 'du']);

function looksLikeFile(w: Word): boolean {
  return looksLikePath(w) && /[/.~]/.test(w.value!);
}

export const URL_CLIENTS = new Set(['curl', 'wget', 'wget2', 'http', 'https', 'xh', 'httpie', 'curlie', 'aria2c', 'fetch', 'lwp-request', 'GET', 'POST', 'lynx', 'w3m', 'links']);
const HOST_FIRST = new Set(['ssh', 'mosh', 'telnet', 'ftp', 'sftp', 'nc', 'ncat', 'netcat', 'nc.traditional', 'nc.openbsd', 'socat']);

/** Where a network client connects: URL hosts, ssh/nc hosts, scp/rsync host:path, git clone URLs. */
function networkHosts(program: string, opts: ParsedOptions): HostRef[] {
  const out: HostRef[] = [];
  const pos = opts.positionals;
  if (URL_CLIENTS.has(program)) {
    for (const w of [...pos, ...optionValues(opts, ['--url']).map((v) => (v === null ? { value: null, raw: '…', glob: false } : lit(v)))]) {
      if (w.value === null) out.push({ host: literalUrlHost(w.raw), raw: w.raw });
      else {
        const h = urlHost(w.value, true);
        if (h) out.push({ host: h, raw: w.raw });
      }
    }
  } else if (HOST_FIRST.has(program)) {
    if (program === 'socat') {
      for (const w of pos) {
        const m = w.value === null ? null : /^(?:tcp[46]?|udp[46]?|openssl|ssl)(?:-connect)?:([^:,]+):/i.exec(w.value);
        if (w.value === null) out.push({ host: null, raw: w.raw });
        else if (m) out.push({ host: m[1].toLowerCase(), raw: w.raw });
      }
    } else if (pos[0]) {
      const v = pos[0].value;
      // user@host, host:port — but an IPv6 literal (::1) is all colons.
      const h = v === null ? null : v.replace(/^[^@]*@/, '').toLowerCase();
      out.push({ host: h === null ? null : (h.match(/:/g) ?? []).length > 1 ? h.replace(/^\[|\]$/g, '') : h.replace(/:.*$/, ''), raw: pos[0].raw });
    }
  } else if (program === 'scp' || program === 'rsync' || program === 'sftp') {
    for (const w of pos) {
      if (w.value === null) continue;
      const m = /^(?:[^@/:]+@)?([A-Za-z0-9.-]+|\[[0-9a-fA-F:]+\]):/.exec(w.value);
      if (m && !w.value.startsWith('/') && !w.value.startsWith('.')) out.push({ host: m[1].toLowerCase(), raw: w.raw });
      else if (/^rsync:\/\//.test(w.value)) out.push({ host: urlHost(w.value, false), raw: w.raw });
    }
  } else if (program === 'git') {
    const sub = pos[0]?.value;
    if (sub === 'clone' || sub === 'fetch' || sub === 'pull' || sub === 'push' || sub === 'ls-remote' || sub === 'remote' || sub === 'submodule') {
      for (const w of pos.slice(1)) {
        if (w.value === null) continue;
        const h = urlHost(w.value, false) ?? /^(?:[^@/:]+@)([A-Za-z0-9.-]+):/.exec(w.value)?.[1]?.toLowerCase() ?? null;
        if (h) out.push({ host: h, raw: w.raw });
      }
    }
  }
  return out;
}

/** The host of a URL whose scheme and host are literal and only the rest is dynamic ("https://x.example/?k=$KEY"). */
function literalUrlHost(raw: string): string | null {
  const m = /^["']?([a-z][a-z0-9+.-]*:\/\/(?:[^@/?#$"'`\\]*@)?(?:\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+))(?=[/?#:"']|$)/i.exec(raw);
  return m ? urlHost(m[1], false) : null;
}

/** Host of a URL ("https://u@Host:443/x" → "host"); with `bare`, also "host.tld/path" as curl accepts. */
export function urlHost(value: string, bare: boolean): string | null {
  const m = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/?#]*@)?(\[[^\]]+\]|[^:/?#]*)/i.exec(value);
  if (m) return m[1].toLowerCase() || null;
  if (!bare) return null;
  const b = /^(?:[^@/?#\s]*@)?(localhost|\[[0-9a-f:]+\]|[a-z0-9-]+(?:\.[a-z0-9-]+)+)(?::\d+)?(?:[/?#]|$)/i.exec(value);
  return b ? b[1].toLowerCase() : null;
}

/** host:path or user@host:path (scp/rsync), not a local path. */
function isRemoteSpec(w: Word): boolean {
  return w.value !== null && !w.value.startsWith('/') && !w.value.startsWith('.') && /^(?:[^@/:]+@)?[A-Za-z0-9.-]+:/.test(w.value);
}

function looksLikePath(w: Word): boolean {
  if (w.value === null) return false;
  return w.value.length > 0 && w.value !== '-' && !/[\s\n]/.test(w.value) && !/^[a-z][a-z0-9+.-]*:\/\//i.test(w.value);
}

type Special = (
  opts: ParsedOptions,
  args: readonly Word[],
  writes: Word[],
  reads: Word[],
  values: (names: string[]) => Word[],
) => void;

const deleteAll: Special = (o, _a, w) => pushAll(w, o.positionals);

const copyLike: Special = (o, _a, w, r, values) => {
  const target = values(['-t', '--target-directory']);
  if (target.length) {
    pushAll(w, target);
    pushAll(r, o.positionals);
    return;
  }
  if (o.positionals.length >= 2) {
    w.push(o.positionals[o.positionals.length - 1]);
    pushAll(r, o.positionals.slice(0, -1));
  }
};

/** Editors write the files they are given (an agent driving vim can change ~/.bashrc). */
const EDITORS = ['vi', 'vim', 'nvim', 'nano', 'pico', 'emacs', 'emacsclient', 'ed', 'ex', 'micro', 'joe', 'mcedit', 'code', 'subl', 'gedit', 'kate', 'hx'];

const SPECIAL: Record<string, Special> = {
  ...Object.fromEntries(EDITORS.map((e) => [e, (o: ParsedOptions, _a: readonly Word[], w: Word[]) => pushAll(w, o.positionals.filter((p) => !p.value?.startsWith('+')))])),
  rm: deleteAll,
  rmdir: deleteAll,
  unlink: deleteAll,
  shred: deleteAll,
  mkdir: deleteAll,
  touch: deleteAll,
  tee: deleteAll,
  sudoedit: deleteAll,
  truncate: deleteAll,
  cp: copyLike,
  mv: (o, a, w, r, values) => {
    copyLike(o, a, w, r, values);
    // A move also removes its sources.
    pushAll(w, r.splice(0));
  },
  install: (o, a, w, r, values) => {
    if (hasFlag(o, ['-d', '--directory'])) pushAll(w, o.positionals);
    else copyLike(o, a, w, r, values);
  },
  rsync: (o, a, w, r, values) => {
    copyLike({ ...o, positionals: o.positionals.filter((p) => !isRemoteSpec(p)) }, a, w, r, values);
    if (o.positionals.length >= 2 && isRemoteSpec(o.positionals[o.positionals.length - 1])) pushAll(r, o.positionals.slice(0, -1).filter((p) => !isRemoteSpec(p)));
    if (hasFlag(o, ['--remove-source-files'])) pushAll(w, r);
  },
  scp: (o, _a, w, r) => {
    const local = o.positionals.filter((p) => !isRemoteSpec(p));
    const dest = o.positionals[o.positionals.length - 1];
    if (dest && !isRemoteSpec(dest) && o.positionals.length >= 2) {
      w.push(dest);
      pushAll(r, local.slice(0, -1));
    } else pushAll(r, local);
  },
  ln: (o, _a, w, _r, values) => {
    const target = values(['-t', '--target-directory']);
    if (target.length) pushAll(w, target);
    else if (o.positionals.length >= 2) w.push(o.positionals[o.positionals.length - 1]);
    else if (o.positionals.length === 1 && o.positionals[0].value !== null) w.push(lit(o.positionals[0].value.split('/').pop() || '.'));
  },
  chmod: (o, _a, w) => pushAll(w, o.positionals.slice(values0(o) ? 0 : 1)),
  chown: (o, _a, w) => pushAll(w, o.positionals.slice(values0(o) ? 0 : 1)),
  chgrp: (o, _a, w) => pushAll(w, o.positionals.slice(values0(o) ? 0 : 1)),
  dd: (_o, args, w, r) => {
    for (const a of args) {
      if (a.value?.startsWith('of=')) w.push(lit(a.value.slice(3)));
      else if (a.value?.startsWith('if=')) r.push(lit(a.value.slice(3)));
      else if (a.value === null) w.push(a);
    }
  },
  sed: (o, _a, w, r, values) => {
    const inPlace = o.flags.some((f) => f === '-i' || f.startsWith('--in-place') || f === '-I');
    const script = values(['-e', '--expression', '-f', '--file']).length > 0;
    const files = o.positionals.slice(script ? 0 : 1);
    pushAll(inPlace ? w : r, files);
  },
  perl: (o, _a, w) => {
    if (o.flags.includes('-i') && o.values.size + o.flags.filter((f) => f === '-e' || f === '-E').length > 0) {
      pushAll(w, o.positionals);
    }
  },
  sort: (_o, _a, w, r, values) => {
    pushAll(w, values(['-o', '--output']));
    pushAll(r, _o.positionals);
  },
  tar: (o, args, w, r, values) => {
    // Old-style bundles without a dash: tar xzf a.tar -C dir.
    const first = args[0]?.value ?? '';
    const oldStyle = /^[A-Za-z]+$/.test(first) ? first : '';
    const has = (short: string, long: string) => o.flags.includes('-' + short) || hasFlag(o, [long]) || oldStyle.includes(short);
    const dir = values(['-C', '--directory']);
    const file = values(['-f', '--file']);
    if (oldStyle.includes('f') && !file.length) {
      const p = o.positionals.slice(1);
      if (p.length) file.push(p[0]);
    }
    if (has('x', '--extract') || has('x', '--get')) {
      pushAll(w, dir.length ? dir : [lit('.')]);
      pushAll(r, file);
    } else if (has('c', '--create') || has('r', '--append') || has('u', '--update')) {
      pushAll(w, file);
      pushAll(r, o.positionals.filter((p) => p !== o.positionals[0] || !oldStyle));
    } else pushAll(r, file);
  },
  unzip: (o, _a, w, r, values) => {
    const d = values(['-d']);
    if (o.flags.includes('-l') || o.flags.includes('-t') || o.flags.includes('-v')) {
      pushAll(r, o.positionals.slice(0, 1));
      return;
    }
    pushAll(w, d.length ? d : [lit('.')]);
    pushAll(r, o.positionals.slice(0, 1));
  },
  find: (o, args, w, r) => {
    const starts: Word[] = [];
    for (const a of args) {
      if (a.value === null || a.value.startsWith('-') || a.value === '(' || a.value === '!') break;
      starts.push(a);
    }
    if (!starts.length) starts.push(lit('.'));
    pushAll(r, starts);
    if (!o.flags.includes('-delete')) return;
    // With a test (-name, -type …) only matches below the start are removed; without one, everything is.
    const filtered = hasFindFilter(args);
    for (const s of starts) w.push(filtered && s.value !== null ? lit((s.value.endsWith('/') ? s.value : s.value + '/') + '{}') : s);
  },
  git: (o, _a, w) => {
    const sub = o.positionals[0]?.value;
    if (sub === 'clone') {
      const rest = o.positionals.slice(1);
      if (rest.length >= 2) w.push(rest[1]);
      else if (rest[0]?.value) w.push(lit(rest[0].value.replace(/\/+$/, '').replace(/\.git$/, '').split(/[/:]/).pop() || '.'));
      else if (rest[0]) w.push(rest[0]);
    } else if (sub === 'init' && o.positionals[1]) w.push(o.positionals[1]);
    else if (sub === 'worktree' && o.positionals[1]?.value === 'add' && o.positionals[2]) w.push(o.positionals[2]);
  },
  curl: (o, _a, w, r, values) => {
    pushAll(w, values(['-o', '--output', '-c', '--cookie-jar']));
    if (o.flags.includes('-O') || hasFlag(o, ['--remote-name'])) {
      const dir = values(['--output-dir'])[0]?.value;
      for (const p of o.positionals) if (p.value) w.push(lit((dir ? dir + '/' : '') + urlBasename(p.value)));
    }
    for (const v of values(['-d', '--data', '--data-binary', '--data-urlencode', '--data-ascii', '-F', '--form', '--json'])) {
      const m = v.value === null ? null : /(?:^|=)[@<]([^;]+)/.exec(v.value);
      if (m && m[1] !== '-') r.push(lit(m[1]));
    }
    pushAll(r, values(['-T', '--upload-file', '-K', '--config']));
  },
  wget: (o, _a, w, r, values) => {
    const out = values(['-O', '--output-document']);
    if (out.length) pushAll(w, out.filter((x) => x.value !== '-'));
    else {
      const dir = values(['-P', '--directory-prefix'])[0]?.value;
      for (const p of o.positionals) if (p.value) w.push(lit((dir ? dir + '/' : '') + urlBasename(p.value)));
    }
    pushAll(w, values(['-o', '--output-file', '-a', '--append-output']));
    pushAll(r, values(['--post-file', '--body-file', '-i', '--input-file']));
  },
  npm: (o, _a, w, _r, values) => {
    if (hasFlag(o, ['--global']) || o.flags.includes('-g')) {
      const prefix = values(['--prefix'])[0];
      w.push(prefix ?? lit('/usr/local/lib/node_modules'));
    }
  },
  pip: pipEffects,
  pip3: pipEffects,
  split: (o, _a, w) => {
    if (o.positionals.length >= 2) w.push(o.positionals[1]);
  },
  patch: (o, _a, w, r, values) => {
    pushAll(w, values(['-o', '--output']), o.positionals.slice(0, 1));
    pushAll(r, values(['-i', '--input']));
  },
  mktemp: () => {},
};

function pipEffects(o: ParsedOptions, _a: readonly Word[], w: Word[], r: Word[], values: (n: string[]) => Word[]) {
  if (o.positionals[0]?.value !== 'install') return;
  if (hasFlag(o, ['--user'])) w.push(lit('~/.local/lib/python'));
  pushAll(w, values(['-t', '--target', '--prefix', '--root']));
  pushAll(r, values(['-r', '--requirement', '-c', '--constraint']));
}

/** chmod/chown with --reference take no mode/owner positional. */
function values0(o: ParsedOptions): boolean {
  return o.values.has('--reference');
}

function urlBasename(url: string): string {
  const path = url.replace(/[?#].*$/, '').replace(/\/+$/, '');
  const base = path.split('/').pop() || 'index.html';
  return /^[a-z]+:$/i.test(base) || base.includes(':') ? 'index.html' : base;
}
