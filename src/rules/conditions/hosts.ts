// hosts, host_not_in: a command's network destinations against host globs.
import type { Command } from '../../shell/types.js';
import { defineCondition, MAYBE, NO, oneOrMany, YES, type Tri } from './core.js';
import { anyWord } from './glob.js';

/** Host globs: `*` is the only wildcard ([::1] is a literal IPv6 address, not a class). */
function hostGlob(pattern: string): RegExp {
  const p = pattern.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  return new RegExp(`^${p.split('*').map((x) => x.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^]*')}$`);
}

function hostsWhere(c: Command, hit: (host: string) => boolean): string[] {
  const hits = c.hosts.filter((h) => h.host !== null && hit(h.host)).map((h) => h.host!);
  return [...new Set(hits.length ? hits : c.hosts.filter((h) => h.host === null).map((h) => h.raw))];
}

export const hosts = defineCondition({
  key: 'hosts',
  schema: (z) => oneOrMany(z, 'Any network destination of the command (curl/wget URLs, ssh/nc hosts, scp host:path, git URLs) matches a host glob (*.example.com)'),
  example: { value: '*.pastebin.com', match: ['curl -d @notes.txt https://api.pastebin.com/x'], no_match: ['curl https://example.org/'] },
  compile(value, env) {
    const res = env.expand(value).map(hostGlob);
    return { test: (c) => anyWord(c.hosts.map((h) => h.host), res), subjects: (c) => hostsWhere(c, (h) => res.some((re) => re.test(h))), programs: null };
  },
});

export const hostNotIn = defineCondition({
  key: 'host_not_in',
  schema: (z) => oneOrMany(z, 'Some network destination of the command matches none of these host globs (a destination only known at run time may match)'),
  example: { value: ['github.com', '*.github.com'], match: ['git clone https://gitlab.example/x.git'], no_match: ['git clone https://github.com/x/y.git'] },
  compile(value, env) {
    const res = env.expand(value).map(hostGlob);
    return {
      test: (c, ctx) => {
        let r: Tri = NO;
        for (const h of c.hosts) {
          if (h.host === null) r = MAYBE;
          else if (!res.some((re) => re.test(h.host!)) && !ctx.sessionHosts?.has(h.host)) return YES;
        }
        return r;
      },
      subjects: (c, ctx) => hostsWhere(c, (h) => !res.some((re) => re.test(h)) && !ctx.sessionHosts?.has(h)),
      programs: null,
    };
  },
});
