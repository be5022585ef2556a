// HTTP clients: the hosts they connect to, the files they write (-o, -O, wget's default
// file) and the files they upload or read (-d @file, -T, --post-file).
import { hasFlag } from './options.js';
import type { HostRef, ProgramSpec } from './types.js';
import { lit, pushAll } from './words.js';
import { literalUrlHost, urlHost } from '../net/hosts.js';
import type { Word } from '../shell/types.js';

const CLIENTS = ['curl', 'wget', 'wget2', 'http', 'https', 'xh', 'xhs', 'httpie', 'curlie', 'aria2c', 'fetch', 'lwp-request', 'lwp-download', 'GET', 'POST', 'HEAD', 'axel', 'lynx', 'w3m', 'links', 'elinks'];

/** The hosts of the URL operands (and --url values). */
function urlHosts(words: readonly Word[]): HostRef[] {
  const out: HostRef[] = [];
  for (const w of words) {
    if (w.value === null) out.push({ host: literalUrlHost(w.raw), raw: w.raw });
    else {
      const h = urlHost(w.value, true);
      if (h) out.push({ host: h, raw: w.raw });
    }
  }
  return out;
}

function urlBasename(url: string): string {
  const path = url.replace(/[?#].*$/, '').replace(/\/+$/, '');
  const base = path.split('/').pop() || 'index.html';
  return /^[a-z]+:$/i.test(base) || base.includes(':') ? 'index.html' : base;
}

export const curl: ProgramSpec = {
  names: ['curl', 'curlie'],
  lists: ['downloaders'],
  options: {
    takesValue: ['-o', '--output', '-d', '--data', '--data-binary', '--data-raw', '--data-urlencode', '--data-ascii', '-F', '--form', '--form-string', '-T', '--upload-file', '-H', '--header', '-X', '--request', '-u', '--user', '-A', '--user-agent', '-e', '--referer', '-b', '--cookie', '-c', '--cookie-jar', '-K', '--config', '-w', '--write-out', '--output-dir', '-m', '--max-time', '--connect-timeout', '-x', '--proxy', '-r', '--range', '-E', '--cert', '--key', '--cacert', '--retry', '-Y', '-y', '-z', '--resolve', '--json', '--url', '-D', '--dump-header', '--trace', '--trace-ascii', '--stderr', '--connect-to', '--interface', '--limit-rate', '-U', '--proxy-user', '--oauth2-bearer', '-Q', '--quote', '-t', '--telnet-option', '--netrc-file', '--unix-socket', '--abstract-unix-socket'],
  },
  effects(a, out) {
    out.hosts.push(...urlHosts([...a.opts.positionals, ...a.values(['--url'])]));
    pushAll(out.writes, a.values(['-o', '--output', '-c', '--cookie-jar', '-D', '--dump-header', '--trace', '--trace-ascii', '--stderr']).filter((w) => w.value !== '-'));
    if (a.opts.flags.includes('-O') || hasFlag(a.opts, ['--remote-name', '--remote-name-all'])) {
      const dir = a.values(['--output-dir'])[0]?.value;
      for (const p of a.opts.positionals) if (p.value) out.writes.push(lit((dir ? dir + '/' : '') + urlBasename(p.value)));
    }
    for (const v of a.values(['-d', '--data', '--data-binary', '--data-urlencode', '--data-ascii', '-F', '--form', '--json'])) {
      const m = v.value === null ? null : /(?:^|=)[@<]([^;]+)/.exec(v.value);
      if (m && m[1] !== '-') out.reads.push(lit(m[1]));
    }
    pushAll(out.reads, a.values(['-T', '--upload-file', '-K', '--config', '--netrc-file']));
  },
};

export const wget: ProgramSpec = {
  names: ['wget', 'wget2'],
  lists: ['downloaders'],
  options: {
    takesValue: ['-O', '--output-document', '-P', '--directory-prefix', '-o', '--output-file', '-a', '--append-output', '--post-file', '--post-data', '--body-file', '--body-data', '--header', '-U', '--user-agent', '-e', '--execute', '-T', '--timeout', '-t', '--tries', '-i', '--input-file', '--user', '--password', '--load-cookies', '--save-cookies', '--method', '-B', '--base', '--config', '-l', '--level', '-A', '--accept', '-R', '--reject', '-D', '--domains', '--exclude-domains', '-w', '--wait', '-Q', '--quota', '--limit-rate'],
  },
  effects(a, out) {
    out.hosts.push(...urlHosts(a.opts.positionals));
    const doc = a.values(['-O', '--output-document']);
    if (doc.length) pushAll(out.writes, doc.filter((x) => x.value !== '-'));
    else {
      const dir = a.values(['-P', '--directory-prefix'])[0]?.value;
      for (const p of a.opts.positionals) if (p.value) out.writes.push(lit((dir ? dir + '/' : '') + urlBasename(p.value)));
    }
    pushAll(out.writes, a.values(['-o', '--output-file', '-a', '--append-output', '--save-cookies']));
    pushAll(out.reads, a.values(['--post-file', '--body-file', '-i', '--input-file', '--load-cookies', '--config']));
  },
};

/** Other URL clients: only where they connect (and a dynamic URL is an unknown host). */
export const urlClients: ProgramSpec = {
  names: CLIENTS.filter((c) => c !== 'curl' && c !== 'curlie' && c !== 'wget' && c !== 'wget2'),
  lists: ['downloaders'],
  options: { takesValue: ['-o', '--output', '-d', '--dir', '-a', '--auth', '-A', '--auth-type'] },
  effects(a, out) {
    out.hosts.push(...urlHosts(a.opts.positionals));
    for (const w of a.opts.positionals) if (w.value !== null && !/^[a-z][a-z0-9+.-]*:\/\//i.test(w.value) && /^[@]/.test(w.value)) out.reads.push(lit(w.value.slice(1)));
    pushAll(out.writes, a.values(['-o', '--output']));
  },
};

export const URL_CLIENTS: ReadonlySet<string> = new Set(CLIENTS);

export const programs = [curl, wget, urlClients];
