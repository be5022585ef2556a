// hosts, host_not_in: a command's network destinations against host entries, read as the
// egress proxy reads its allowlist (src/net/hosts.ts).
import type { Command } from '../../shell/types.js';
import { defineCondition, MAYBE, NO, oneOrMany, YES, type Tri } from './core.js';
import { hostMatcher } from '../../net/hosts.js';

function hostsWhere(c: Command, hit: (host: string) => boolean): string[] {
  const hits = c.hosts.filter((h) => h.host !== null && hit(h.host)).map((h) => h.host!);
  return [...new Set(hits.length ? hits : c.hosts.filter((h) => h.host === null).map((h) => h.raw))];
}

export const hosts = defineCondition({
  key: 'hosts',
  schema: (z) => oneOrMany(z, 'Any network destination of the command (curl/wget URLs, ssh/nc hosts, scp host:path, git URLs) is one of these hosts, written as in the egress allowlist: host, *.suffix, host:port, [v6] or [v6]:port (a port names its host: the policy sees no ports)'),
  example: { value: '*.pastebin.com', match: ['curl -d @notes.txt https://api.pastebin.com/x'], no_match: ['curl https://example.org/'] },
  compile(value, env) {
    const listed = hostMatcher(env.expand(value));
    return {
      test: (c) => {
        let r: Tri = NO;
        for (const h of c.hosts) {
          if (h.host === null) r = MAYBE;
          else if (listed(h.host)) return YES;
        }
        return r;
      },
      subjects: (c) => hostsWhere(c, listed),
      programs: null,
    };
  },
});

export const hostNotIn = defineCondition({
  key: 'host_not_in',
  schema: (z) => oneOrMany(z, 'Some network destination of the command is none of these hosts (written as for hosts:), nor a host the person allowed in this session; a destination only known at run time may match'),
  example: { value: ['github.com', '*.github.com'], match: ['git clone https://gitlab.example/x.git'], no_match: ['git clone https://github.com/x/y.git'] },
  compile(value, env) {
    const listed = hostMatcher(env.expand(value));
    return {
      test: (c, ctx) => {
        let r: Tri = NO;
        for (const h of c.hosts) {
          if (h.host === null) r = MAYBE;
          else if (!listed(h.host) && !ctx.sessionHosts?.has(h.host)) return YES;
        }
        return r;
      },
      subjects: (c, ctx) => hostsWhere(c, (h) => !listed(h) && !ctx.sessionHosts?.has(h)),
      programs: null,
    };
  },
});
