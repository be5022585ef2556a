// The rule index: rules are narrowed by program, including program globs (python3.*), and
// the narrowing never drops a program a rule can apply to.
import { describe, expect, it } from 'vitest';
import { intersectPrograms, programFits } from '../../src/rules/conditions/core.js';
import { BUILTIN_RULES_DIR, loadRules } from '../../src/rules/load.js';
import { compileRules } from '../../src/rules/ruleset.js';
import type { Command } from '../../src/shell/types.js';

// A command that writes and reads a path, so that only the program narrows its candidates.
const shape = (program: string | null) => ({ program, argv: [{ value: program, raw: program ?? '$X' }], writes: [{ paths: ['/x'] }], reads: [{ paths: ['/y'] }] }) as unknown as Command;
const cmd = (program: string) => shape(program);

describe('program sets with globs', () => {
  it('a name fits an equal name or a glob', () => {
    expect(programFits('python3.*', 'python3.15')).toBe(true);
    expect(programFits('python3.*', 'python3')).toBe(false);
    expect(programFits('rm', 'rm')).toBe(true);
  });
  it('the intersection keeps every name the other side allows, by name or glob', () => {
    expect([...intersectPrograms(new Set(['python3.*', 'node']), new Set(['python3.12', 'node', 'perl']))].sort()).toEqual(['node', 'python3.12']);
    expect([...intersectPrograms(new Set(['python3.*']), new Set(['py*']))].sort()).toEqual(['py*', 'python3.*']);
    expect([...intersectPrograms(new Set(['rm']), new Set(['git']))]).toEqual([]);
  });
});

describe('the built-in rule index', async () => {
  const set = compileRules(await loadRules({ builtin: BUILTIN_RULES_DIR }));
  const ids = (program: string) => set.candidates(cmd(program)).map((r) => r.rule.id);
  it('an interpreter version no module names still reaches the interpreter rules (by the python3.* glob)', () => {
    expect(ids('python3.15')).toEqual(expect.arrayContaining(['inline-code-runs-commands', 'inline-code-credential-path']));
    expect(ids('python3')).toEqual(expect.arrayContaining(['inline-code-runs-commands']));
  });
  it('a program no rule names gets only the rules that apply to any program', () => {
    const generic = set.candidates(shape(null)).map((r) => r.rule.id);
    expect(ids('no-such-program-xyz')).toEqual(generic);
    expect(generic).not.toContain('inline-code-runs-commands');
  });
  it('a command that writes and reads nothing does not meet the rules about written or read paths', () => {
    const none = set.candidates({ ...shape('no-such-program-xyz'), writes: [], reads: [] }).map((r) => r.rule.id);
    expect(ids('no-such-program-xyz')).toEqual(expect.arrayContaining(['credential-read', 'credential-write']));
    expect(none).not.toContain('credential-read');
    expect(none).not.toContain('credential-write');
  });
  it('candidates keep the rules in their order', () => {
    const all = set.rules.map((r) => r.rule.id);
    const c = ids('python3.15');
    expect(c).toEqual([...c].sort((a, b) => all.indexOf(a) - all.indexOf(b)));
  });
});
