// The per-user cache of parsed user/project rules and config.yaml (src/rules/cache.ts): a hit
// gives the same rules as a parse; any change to the files, a corrupt, foreign or unwritable
// cache, or a moved symlink in the config means a fresh parse, never a stale answer.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { createGuard } from '../../src/guard.js';
import { ruleCacheDir } from '../../src/rules/cache.js';
import { BUILTIN_RULES_DIR, defaultRuleSources, loadRules, type RuleSources } from '../../src/rules/load.js';

const base = fs.mkdtempSync(path.join(fs.existsSync('/var/tmp') ? '/var/tmp' : os.tmpdir(), 'agentguard-rule-cache-'));
afterAll(() => fs.rmSync(base, { recursive: true, force: true }));

let n = 0;
let home: string;
let userDir: string;
let cacheDir: string;
let configFile: string;

const RULE = (message: string, action = 'ask') =>
  `id: make-release\naction: ${action}\nseverity: medium\nmessage: ${message}\nmatch:\n  program: make\n  args: [release]\nexamples:\n  match: [make release]\n  no_match: [make test]\n`;

beforeEach(() => {
  home = path.join(base, `home${n++}`);
  userDir = path.join(home, '.config', 'agentguard', 'rules');
  cacheDir = path.join(home, '.local', 'state', 'agentguard', 'cache');
  configFile = path.join(home, '.config', 'agentguard', 'config.yaml');
  fs.mkdirSync(userDir, { recursive: true });
  fs.writeFileSync(path.join(userDir, 'make-release.yaml'), RULE('Runs the release target.'));
});

const sources = (extra: Partial<RuleSources> = {}): RuleSources => ({ builtin: BUILTIN_RULES_DIR, user: userDir, config: configFile, home, cache: cacheDir, ...extra });
const userRule = async (s = sources()) => (await loadRules(s)).rules.find((r) => r.id === 'make-release');
/** The entries for the user's files (the built-in rules have one too where the build's own cache is missing, as under vitest). */
const entries = () => (fs.existsSync(cacheDir) ? fs.readdirSync(cacheDir).map((f) => path.join(cacheDir, f)) : []).filter((f) => (JSON.parse(fs.readFileSync(f, 'utf8')) as { target: string }).target !== BUILTIN_RULES_DIR);
const layerEntry = () => entries().find((f) => path.basename(f).startsWith('layer-'))!;

interface StoredLayer {
  value: { rules: { message: string; action: string }[] };
  problems: string[];
}
const readEntry = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8')) as StoredLayer;

/** Rewrites a cache entry's stored value, keeping its key: what a planted entry would be. */
function plant(file: string, change: (value: StoredLayer['value']) => void) {
  const entry = readEntry(file);
  change(entry.value);
  fs.writeFileSync(file, JSON.stringify(entry));
}

describe('the rule cache', () => {
  it('gives on a hit exactly the rules a parse gives, and serves the hit', async () => {
    const parsed = await loadRules(sources({ cache: null }));
    const first = await loadRules(sources());
    expect(entries()).toHaveLength(1);
    const second = await loadRules(sources());
    for (const loaded of [first, second]) {
      expect(loaded.rules).toEqual(parsed.rules);
      expect([...loaded.lists]).toEqual([...parsed.lists]);
      expect(loaded.digest).toBe(parsed.digest);
    }
    // The second load read the entry, not the file: a value changed under the same key shows.
    plant(layerEntry(), (v) => (v.rules[0].message = 'from the cache'));
    expect((await userRule())?.message).toBe('from the cache');
  });

  it('is invalidated by an edit of the same size with the same modification time', async () => {
    const file = path.join(userDir, 'make-release.yaml');
    expect((await userRule())?.message).toBe('Runs the release target.');
    const { atime, mtime } = fs.statSync(file);
    fs.writeFileSync(file, RULE('Runs the RELEASE target.'));
    fs.utimesSync(file, atime, mtime);
    expect(fs.statSync(file).size).toBe(Buffer.byteLength(RULE('Runs the release target.')));
    expect((await userRule())?.message).toBe('Runs the RELEASE target.');
  });

  it('sees a rule file added or removed', async () => {
    await loadRules(sources());
    fs.writeFileSync(path.join(userDir, 'lists.yaml'), 'lists:\n  release-targets: [release, publish]\n');
    expect((await loadRules(sources())).lists.get('release-targets')).toEqual(['release', 'publish']);
    fs.rmSync(path.join(userDir, 'make-release.yaml'));
    expect(await userRule()).toBeUndefined();
  });

  it('ignores a corrupt entry and writes a good one', async () => {
    await loadRules(sources());
    const entry = layerEntry();
    fs.writeFileSync(entry, '{"format":1,"key":');
    expect((await userRule())?.action).toBe('ask');
    expect(readEntry(entry).value.rules[0].action).toBe('ask');
  });

  it('ignores an entry that others may write', async () => {
    await loadRules(sources());
    plant(layerEntry(), (v) => (v.rules[0].action = 'allow'));
    fs.chmodSync(layerEntry(), 0o666);
    expect((await userRule())?.action).toBe('ask');
  });

  it('loads correctly, without a cache, when the cache directory cannot be made', async () => {
    const blocker = path.join(home, 'not-a-directory');
    fs.writeFileSync(blocker, '');
    const s = sources({ cache: path.join(blocker, 'cache') });
    expect((await userRule(s))?.action).toBe('ask');
    expect((await userRule(s))?.action).toBe('ask');
  });

  it('keeps entries private: a 0700 directory of 0600 files of this user', async () => {
    fs.writeFileSync(configFile, 'limits:\n  large_write: 20GiB\n');
    await loadRules(sources());
    expect(entries()).toHaveLength(2);
    expect(fs.statSync(cacheDir).mode & 0o777).toBe(0o700);
    for (const f of entries()) {
      const st = fs.statSync(f);
      expect(st.mode & 0o777).toBe(0o600);
      if (process.getuid) expect(st.uid).toBe(process.getuid());
    }
  });

  it('replays the problems of a broken file from the cache', async () => {
    fs.writeFileSync(path.join(userDir, 'make-release.yaml'), RULE('Runs the release target.', 'alow'));
    // A broken file is skipped with a warning (src/rules/load.ts); the cached layer keeps it broken.
    const problems = async () => (await loadRules(sources())).warnings?.flatMap((w) => w.details ?? []) ?? [];
    const first = await problems();
    expect(first.join('\n')).toMatch(/make-release\.yaml:2: action: must be one of/);
    const entry = readEntry(layerEntry()) as { value: { broken?: { problems: string[] }[] } };
    expect(entry.value.broken?.flatMap((b) => b.problems)).toEqual(first);
    expect(await problems()).toEqual(first);
  });

  it('caches config.yaml, its errors too, and sees an edit', async () => {
    fs.writeFileSync(configFile, 'limits:\n  large_write: 20GiB\n');
    expect((await loadRules(sources())).config?.largeWriteBytes).toBe(20 * 1024 ** 3);
    expect((await loadRules(sources())).config?.largeWriteBytes).toBe(20 * 1024 ** 3);
    fs.writeFileSync(configFile, 'limits:\n  large_write: 30GiB\n');
    expect((await loadRules(sources())).config?.largeWriteBytes).toBe(30 * 1024 ** 3);
    fs.writeFileSync(configFile, 'limits:\n  large_writ: 30GiB\n');
    // A broken config.yaml applies nothing and says why, from the cache as from a parse.
    for (let i = 0; i < 2; i++) {
      const loaded = await loadRules(sources());
      expect(loaded.config ?? null).toBeNull();
      expect(loaded.warnings?.flatMap((w) => w.details ?? []).join('\n')).toMatch(/config\.yaml:2: limits: unknown field large_writ/);
    }
  });

  it('resolves the config’s project symlinks again: a moved link does not keep a rule off', async () => {
    const a = path.join(home, 'src', 'dbtool');
    const b = path.join(home, 'src', 'app');
    fs.mkdirSync(a, { recursive: true });
    fs.mkdirSync(b, { recursive: true });
    const link = path.join(home, 'work');
    fs.symlinkSync(a, link);
    fs.writeFileSync(configFile, `projects:\n  - path: ~/work\n    off: [databases]\n    reason: the database tool's own source\n`);
    const off = async (workspace: string) => (await loadRules(sources({ workspace }))).off?.some((o) => o.id === 'sql-destructive');
    expect(await off(a)).toBe(true);
    expect(await off(a)).toBe(true);
    fs.rmSync(link);
    fs.symlinkSync(b, link);
    expect(await off(a)).toBe(false);
    expect(await off(b)).toBe(true);
  });

  it('is where the defaults say, and a guard built with them uses it', async () => {
    expect(ruleCacheDir({ HOME: home })).toBe(cacheDir);
    expect(ruleCacheDir({ HOME: home, XDG_STATE_HOME: path.join(home, 'state') })).toBe(path.join(home, 'state', 'agentguard', 'cache'));
    expect(ruleCacheDir({})).toBeNull();
    const env = { HOME: home };
    const guard = await createGuard({ cwd: home, home, env, workspaces: [home], ruleSources: defaultRuleSources(home, env) });
    expect(guard.check({ command: 'make release' }).matches.map((m) => m.rule)).toContain('make-release');
    expect(entries().some((f) => path.basename(f).startsWith('layer-'))).toBe(true);
  });
});

describe('the built-in rule index worked out at build time', () => {
  // The build's own cache (dist/builtin-rules.json) is read by the built modules only.
  const dist = '../../dist/rules/';
  it('gives every built-in rule the programs its match block gives, and is dropped when list files change them', async () => {
    const { loadRules: load } = (await import(`${dist}load.js`)) as typeof import('../../src/rules/load.js');
    const { compileRules } = (await import(`${dist}ruleset.js`)) as typeof import('../../src/rules/ruleset.js');
    const { compileMatch } = (await import(`${dist}match.js`)) as typeof import('../../src/rules/match.js');
    const { builtinIndex } = (await import(`${dist}cache.js`)) as typeof import('../../src/rules/cache.js');
    const builtin = path.resolve(__dirname, '../../rules');
    const plain = await load({ builtin });
    expect(plain.rules.every((r) => builtinIndex.has(r))).toBe(true);
    const fresh = (loaded: typeof plain) => loaded.rules.map((r) => [r.id, compileMatch(r.match, loaded.lists).programs]);
    const indexed = (loaded: typeof plain) => compileRules(loaded).rules.map((r) => [r.rule.id, r.match.programs]);
    expect(indexed(plain)).toEqual(fresh(plain));
    // A user list file extends @shells: the index was worked out without it.
    fs.writeFileSync(path.join(userDir, 'lists.yaml'), 'lists:\n  shells: [myshell]\n');
    const extended = await load({ builtin, user: userDir });
    expect(indexed(extended)).toEqual(fresh(extended));
    expect(indexed(extended)).not.toEqual(indexed(plain));
    const reach = (loaded: typeof plain) => compileRules(loaded).rules.filter((r) => r.match.programs?.has('myshell')).length;
    expect(reach(plain)).toBe(0);
    expect(reach(extended)).toBeGreaterThan(0);
  });
});
