// Runs every rule's own examples: each `match` line must be matched by that rule,
// each `no_match` line must not be. Used by `agentguard rules test` and the test suite.
import { evaluate, type PolicyContext } from '../policy/evaluate.js';
import { analyse } from '../shell/analyse.js';
import type { Environment } from './match.js';
import type { RuleSet } from './ruleset.js';

/** The fixed world examples are read in: a developer's home and a project inside it. */
export const EXAMPLE_CONTEXT = {
  home: '/home/dev',
  cwd: '/home/dev/project',
  env: { HOME: '/home/dev', USER: 'dev', TMPDIR: '/tmp' } as Record<string, string>,
  policy: { home: '/home/dev', workspaces: ['/home/dev/project'], writeRoots: ['/home/dev/project', '/tmp'] } satisfies PolicyContext,
};

export interface ExampleResult {
  rule: string;
  file: string;
  line: number;
  command: string;
  expected: 'match' | 'no_match';
  ok: boolean;
}

/**
 * Runs the examples of `rules` (or of those in `files`). Examples are read in an environment
 * that may hold secrets unless `environments` names another for one kind of example.
 */
export function runExamples(rules: RuleSet, files?: readonly string[], environments?: { match?: Environment; no_match?: Environment }): ExampleResult[] {
  const results: ExampleResult[] = [];
  for (const r of rules.rules) {
    if (files && !files.includes(r.rule.file)) continue;
    for (const expected of ['match', 'no_match'] as const) {
      r.rule.examples[expected].forEach((command, i) => {
        const script = analyse(command, { cwd: EXAMPLE_CONTEXT.cwd, home: EXAMPLE_CONTEXT.home, env: EXAMPLE_CONTEXT.env });
        const env = environments?.[expected];
        const d = evaluate(script, rules, env ? { ...EXAMPLE_CONTEXT.policy, environment: env } : EXAMPLE_CONTEXT.policy, [r]);
        const matched = d.matches.some((m) => m.rule === r.rule.id);
        results.push({ rule: r.rule.id, file: r.rule.file, line: r.rule.exampleLines[expected][i], command, expected, ok: matched === (expected === 'match') });
      });
    }
  }
  return results;
}
