// The match language's conditions: each one's own example holds, the list in the index is
// complete, the README and the JSON Schema are generated from the current conditions, and
// the conditions no built-in rule exercises are tested here.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { evaluate } from '../../src/policy/evaluate.js';
import { CONDITIONS } from '../../src/rules/conditions/index.js';
import { conditionReference, REFERENCE_END, REFERENCE_START, withReference } from '../../src/rules/docs.js';
import { EXAMPLE_CONTEXT, runExamples } from '../../src/rules/examples.js';
import type { LoadedRule } from '../../src/rules/load.js';
import { compileRules } from '../../src/rules/ruleset.js';
import { ruleJsonSchema, type MatchExpr } from '../../src/rules/schema.js';
import { analyseExample, exampleGuard } from '../helpers.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const guard = await exampleGuard();

/** A rule set of rules made for a test, over the built-in named lists. */
function ruleSet(rules: { id: string; match: MatchExpr; examples?: LoadedRule['examples'] }[]) {
  const loaded: LoadedRule[] = rules.map((r) => ({
    id: r.id,
    action: 'ask',
    severity: 'medium',
    message: `test rule ${r.id}`,
    match: r.match,
    examples: r.examples ?? { match: ['true'], no_match: ['true'] },
    family: 'test',
    file: `conditions.test.ts#${r.id}`,
    line: 1,
    actionLine: 1,
    layer: 'builtin',
    exampleLines: { match: r.examples?.match.map(() => 1) ?? [1], no_match: r.examples?.no_match.map(() => 1) ?? [1] },
  }));
  return compileRules({ rules: loaded, lists: guard.rules.lists as Map<string, string[]>, files: [], digest: '', warnings: [], skipped: [] });
}

describe("each condition's own example holds (the README shows them)", () => {
  const rules = ruleSet(CONDITIONS.map((c) => ({ id: c.key.replace(/_/g, '-'), match: { [c.key]: c.example.value } as MatchExpr, examples: { match: c.example.match, no_match: c.example.no_match } })));
  for (const c of CONDITIONS) {
    it(c.key, () => {
      const example = c.example as { environments?: Parameters<typeof runExamples>[2] };
      const mine = runExamples(rules, [`conditions.test.ts#${c.key.replace(/_/g, '-')}`], example.environments);
      expect(mine.length).toBe(c.example.match.length + c.example.no_match.length);
      expect(mine.filter((r) => !r.ok).map((r) => `expected ${r.expected}: ${r.command}`)).toEqual([]);
    });
  }
});

describe('the MatchExpr type is derived from the conditions', () => {
  // Checked by the type checker (a no-op at run time): a value type follows its schema.
  it('each key has the type its schema gives, nested blocks included', () => {
    expectTypeOf<MatchExpr['program']>().toEqualTypeOf<string | string[] | undefined>();
    expectTypeOf<MatchExpr['flags']>().toEqualTypeOf<string[] | undefined>();
    expectTypeOf<MatchExpr['script_from_stdin']>().toEqualTypeOf<boolean | undefined>();
    expectTypeOf<MatchExpr['all_of']>().toEqualTypeOf<MatchExpr[] | undefined>();
    expectTypeOf<MatchExpr['not']>().toEqualTypeOf<MatchExpr | undefined>();
    expectTypeOf<keyof MatchExpr>().toEqualTypeOf<(typeof CONDITIONS)[number]['key']>();
  });
});

describe('the condition list is complete', () => {
  it('every condition exported from a module under src/rules/conditions is in the index, once', async () => {
    const dir = path.join(root, 'src/rules/conditions');
    const exported: string[] = [];
    for (const f of fs.readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
      const mod = (await import(path.join(dir, f))) as Record<string, unknown>;
      for (const v of Object.values(mod)) {
        if (v && typeof v === 'object' && 'key' in v && 'compile' in v && 'schema' in v) exported.push((v as { key: string }).key);
      }
    }
    const listed = CONDITIONS.map((c) => c.key);
    expect(new Set(listed).size).toBe(listed.length);
    expect(exported.sort()).toEqual([...listed].sort());
  });

  it('every condition has a description, and an example that matches and one that does not', async () => {
    const { z } = await import('zod');
    for (const c of CONDITIONS) {
      expect(c.schema(z, z.object({})).description ?? '', c.key).not.toBe('');
      expect(c.example.match.length, c.key).toBeGreaterThan(0);
      expect(c.example.no_match.length, c.key).toBeGreaterThan(0);
    }
  });
});

describe('generated documentation is up to date (run `npm run docs` after changing a condition)', () => {
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');

  it("README's \"Writing rules\" holds the reference generated from the conditions", () => {
    expect(readme.indexOf(REFERENCE_START)).toBeGreaterThan(readme.indexOf('## Writing rules'));
    expect(readme).toBe(withReference(readme));
  });

  it('the reference documents every condition', () => {
    const ref = conditionReference();
    for (const c of CONDITIONS) expect(ref).toContain(`- **\`${c.key}\`**`);
  });

  it('a README whose reference is stale is detected', () => {
    const stale = readme.replace(/(- \*\*`wrapped_by`\*\*[^\n]*)/, '');
    expect(stale).not.toBe(readme);
    expect(withReference(stale)).toBe(readme);
    expect(() => withReference(readme.replace(REFERENCE_END, ''))).toThrow(/markers/);
  });

  it('schema/rule.schema.json is the JSON Schema of the current rule format', () => {
    const shipped = JSON.parse(fs.readFileSync(path.join(root, 'schema/rule.schema.json'), 'utf8')) as unknown;
    expect(shipped).toEqual(ruleJsonSchema());
  });
});

// Conditions and values no built-in rule uses: asserted by rule id and action.
describe('conditions no built-in rule exercises', () => {
  const rules = ruleSet([
    { id: 'under-sudo', match: { wrapped_by: 'sudo' } },
    { id: 'under-a-wrapper', match: { program: 'rm', wrapped_by: ['nohup', 'timeout'] } },
    { id: 'shell-with-script-file', match: { program: 'bash', script_from_stdin: false } },
    { id: 'non-recursive-function', match: { program: 'f', recursive_function: false } },
  ]);
  const matched = async (command: string) => {
    const d = evaluate(await analyseExample(command), rules, EXAMPLE_CONTEXT.policy);
    return d.matches.map((m) => `${m.rule}:${m.action}`).sort();
  };
  it.each([
    // command, rule ids (with action) that must match, and nothing else
    ['sudo ls /root', ['under-sudo:ask']],
    ['sudo -u dev ls', ['under-sudo:ask']],
    ['ls /root', []],
    ['env sudo ls', ['under-sudo:ask']],
    ['nohup rm -f notes.txt', ['under-a-wrapper:ask']],
    ['timeout 5 rm -f notes.txt', ['under-a-wrapper:ask']],
    ['rm -f notes.txt', []],
    ['nohup ls', []],
    ['bash setup.sh', ['shell-with-script-file:ask']],
    ['cat setup.sh | bash -s', []],
    ['f() { echo hi; }; f', ['non-recursive-function:ask']],
    ['f() { f | f & }; f', []],
  ])('%s → %j', async (command, rules) => {
    expect(await matched(command)).toEqual(rules);
  });

  it('wrapped_by names the wrapper as what made it match', async () => {
    const d = evaluate(await analyseExample('sudo ls /root'), rules, EXAMPLE_CONTEXT.policy);
    expect(d.matches.find((m) => m.rule === 'under-sudo')?.subject).toEqual(['sudo']);
  });
});

describe('a word only known at run time is a maybe for a glob only if its literal start could begin a match', () => {
  const rules = ruleSet([{ id: 'release-arg', match: { program: 'rake', args: ['release', 'publish:*'] } }]);
  const decide = async (command: string) => {
    const d = evaluate(await analyseExample(command), rules, EXAMPLE_CONTEXT.policy);
    return d.matches.find((m) => m.rule === 'release-arg')?.action ?? 'none';
  };
  it.each([
    ['rake release', 'ask'],
    ['rake "$TASK"', 'ask'],
    ['rake rel"$X"', 'ask'],
    ['rake publish:"$X"', 'ask'],
    ['rake test TEST="$F"', 'none'],
    ['rake spec"$X"', 'none'],
  ])('%s → %s', async (command, action) => {
    expect(await decide(command)).toBe(action);
  });
});
