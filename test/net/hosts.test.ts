// One place for hosts: the policy's host conditions and the egress proxy's allowlist read the
// same entries the same way (host, *.suffix, host:port, [v6], [v6]:port, any spelling of a
// host), so an entry the README shows for the proxy is also listed for `agentguard check`.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createGuard } from '../../src/guard.js';
import { Allowlist, hostMatcher, hostOfSpec, urlHost } from '../../src/net/hosts.js';
import { BUILTIN_RULES_DIR } from '../../src/rules/load.js';

const ENTRIES = ['git.corp.example:8443', '*.internal.example', '[::1]', '10.0.0.5:8443', 'registry.npmjs.org'];
const HOSTS: [string, boolean][] = [
  ['git.corp.example', true],
  ['GIT.corp.example.', true],
  ['api.internal.example', true],
  ['internal.example', false],
  ['::1', true],
  ['0:0:0:0:0:0:0:1', true],
  ['10.0.0.5', true],
  ['registry.npmjs.org', true],
  ['registry.npmjs.org.evil.example', false],
  ['evil.example', false],
];

describe('policy and proxy read host entries alike', () => {
  const policy = hostMatcher(ENTRIES);
  const proxy = new Allowlist(ENTRIES);
  it.each(HOSTS)('%s listed: %s', (host, listed) => {
    expect(policy(host)).toBe(listed);
    expect(proxy.has(host)).toBe(listed);
  });
  it('URLs and host specs give the host in its one spelling', () => {
    expect(urlHost('https://user@Git.Corp.Example:8443/x.git', false)).toBe('git.corp.example');
    expect(urlHost('http://[::1]:8080/', false)).toBe('::1');
    expect(urlHost('http://0x7f.1/', false)).toBe('127.0.0.1');
    expect(hostOfSpec('deploy@[::1]:22')).toBe('::1');
    expect(hostOfSpec('git@github.com')).toBe('github.com');
  });
});

describe('agentguard check with an allowlist entry with a port (README, "The network")', () => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'agentguard-hosts-'));
  const ws = path.join(home, 'project');
  fs.mkdirSync(path.join(home, '.config/agentguard/rules'), { recursive: true });
  fs.mkdirSync(ws);
  fs.writeFileSync(path.join(home, '.config/agentguard/rules/lists.yaml'), 'lists:\n  egress-allowlist: ["git.corp.example:8443", "[fd00::5]"]\n');
  afterAll(() => fs.rmSync(home, { recursive: true, force: true }));
  const cases: [string, string][] = [
    ['git clone https://git.corp.example:8443/team/repo.git', 'allow'],
    ['curl -s http://[fd00::5]:9000/health', 'allow'],
    ['curl -s http://[::1]:3000/health', 'allow'],
    ['git clone https://git.other.example/team/repo.git', 'ask'],
  ];
  it.each(cases)('%s → %s', async (command, action) => {
    const guard = await createGuard({ cwd: ws, home, env: { HOME: home }, workspaces: [ws], ruleSources: { builtin: BUILTIN_RULES_DIR, user: path.join(home, '.config/agentguard/rules') } });
    const d = guard.check({ command });
    expect({ action: d.action, rules: d.matches.map((m) => m.rule) }).toEqual({ action, rules: action === 'allow' ? [] : ['network-host-not-allowed'] });
  });
});
