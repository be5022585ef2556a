// The person's config.yaml: rule families or rules switched off for one project (and only
// there), the large-write threshold, and errors that say file:line what is wrong.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadUserConfig, parseSize } from '../../src/config/user.js';
import { createGuard } from '../../src/guard.js';
import { BUILTIN_RULES_DIR, RuleLoadError } from '../../src/rules/load.js';

const base = fs.mkdtempSync(path.join(fs.existsSync('/var/tmp') ? '/var/tmp' : os.tmpdir(), 'agentguard-config-'));
afterAll(() => fs.rmSync(base, { recursive: true, force: true }));
const home = path.join(base, 'home');
const dbTool = path.join(home, 'src', 'dbtool');
const other = path.join(home, 'src', 'app');
for (const d of [dbTool, other, path.join(home, '.config', 'agentguard')]) fs.mkdirSync(d, { recursive: true });
const configFile = path.join(home, '.config', 'agentguard', 'config.yaml');

function write(text: string) {
  fs.writeFileSync(configFile, text);
}

const guardIn = (workspace: string) =>
  createGuard({ cwd: workspace, home, env: { HOME: home }, workspaces: [workspace], ruleSources: { builtin: BUILTIN_RULES_DIR, config: configFile, workspace, home } });

describe('sizes', () => {
  it.each([
    ['10GiB', 10 * 1024 ** 3],
    ['500G', 500 * 1024 ** 3],
    ['1.5 TB', 1.5e12],
    ['4096', 4096],
    [1024, 1024],
    ['12 parsecs', null],
    ['-1G', null],
  ])('%s → %s', (v, bytes) => expect(parseSize(v)).toBe(bytes));
});

describe('projects: switching a family off for one repository', () => {
  it('switches the family off in that project and under it, nowhere else, and says why', async () => {
    write(`projects:\n  - path: ~/src/dbtool\n    off: [databases]\n    reason: the database tool's own source; its tests drop databases\n`);
    const here = await guardIn(dbTool);
    expect(here.rules.rules.some((r) => r.rule.family === 'databases')).toBe(false);
    expect(here.check({ command: "psql -c 'DROP TABLE users'" }).action).toBe('allow');
    const off = here.rules.off.find((o) => o.id === 'sql-destructive');
    expect(off).toMatchObject({ family: 'databases', where: `${configFile}:2` });
    expect(off?.reason).toContain('its tests drop databases');
    // Other families stay on there.
    expect(here.check({ command: 'git push --force origin main' }).action).toBe('ask');
    const sub = path.join(dbTool, 'packages', 'core');
    fs.mkdirSync(sub, { recursive: true });
    expect((await guardIn(sub)).check({ command: "psql -c 'DROP TABLE users'" }).action).toBe('allow');
    const elsewhere = await guardIn(other);
    expect(elsewhere.check({ command: "psql -c 'DROP TABLE users'" }).action).toBe('ask');
    expect(elsewhere.rules.off).toEqual([]);
  });

  it('takes rule ids too', async () => {
    write(`projects:\n  - path: ${dbTool}\n    off: [sql-destructive]\n    reason: fixtures\n`);
    const g = await guardIn(dbTool);
    expect(g.check({ command: "psql -c 'DROP TABLE users'" }).action).toBe('allow');
    expect(g.rules.rules.some((r) => r.rule.id === 'redis-flush')).toBe(true);
  });

  it('a name that is neither a family nor a rule is a warning, not a rule left on in silence', async () => {
    write(`projects:\n  - path: ${dbTool}\n    off: [database]\n    reason: typo\n`);
    const g = await guardIn(dbTool);
    expect(g.warnings.map((w) => `${w.file}:${w.line}: ${w.problem}; ${w.fix}`).join('\n')).toMatch(/config\.yaml:2: projects: off: "database" is neither a rule family.*closest: databases/);
    // The rules stay on.
    expect(g.check({ command: "psql -c 'DROP TABLE users'" }).action).toBe('ask');
    await expect(createGuard({ cwd: dbTool, home, env: { HOME: home }, workspaces: [dbTool], strictRules: true, ruleSources: { builtin: BUILTIN_RULES_DIR, config: configFile, workspace: dbTool, home } })).rejects.toThrow(RuleLoadError);
  });
});

describe('errors and limits', () => {
  it('an unknown field, a missing reason or a bad size says file:line what is wrong', async () => {
    write(`projects:\n  - path: ${dbTool}\n    off: [databases]\n`);
    await expect(loadUserConfig(configFile, home)).rejects.toThrow(/config\.yaml:2: projects\.0\.reason/);
    write(`limits:\n  large_write: lots\n`);
    await expect(loadUserConfig(configFile, home)).rejects.toThrow(/config\.yaml:2: limits\.large_write: "lots" is not a size/);
    write(`limit:\n  large_write: 1G\n`);
    await expect(loadUserConfig(configFile, home)).rejects.toThrow(ConfigError);
    write(`projects:\n  - path: src/dbtool\n    off: [databases]\n    reason: x\n`);
    await expect(loadUserConfig(configFile, home)).rejects.toThrow(/must be absolute or start with ~\//);
  });

  it('no file is no config', async () => {
    expect(await loadUserConfig(path.join(base, 'none.yaml'), home)).toBeNull();
  });

  it('limits.large_write reaches the policy', async () => {
    write(`limits:\n  large_write: 2GiB\n`);
    const g = await guardIn(other);
    expect(g.explain({ command: 'true' }).context.largeWriteBytes).toBe(2 * 1024 ** 3);
    // …and decides: 5 GiB is under the default 10 GiB but over this person's 2 GiB.
    expect(g.check({ command: 'fallocate -l 5G disk.img' }).matches.map((m) => m.rule)).toEqual(['large-write']);
    write('');
    expect((await guardIn(other)).check({ command: 'fallocate -l 5G disk.img' }).action).toBe('allow');
  });
});
