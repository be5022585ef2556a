// Rule gates only skip rules that could not match: over every command line the project
// knows (bench corpus, routine and evasion corpora, every rule's examples), the decision with
// gates is the decision without them, and the gates do skip most rule tests.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { realPath } from '../../src/policy/confine.js';
import { evaluate, type PolicyContext } from '../../src/policy/evaluate.js';
import type { Script } from '../../src/shell/types.js';
import { lineFacts } from '../../src/rules/gate.js';
import { NO, type MatchContext } from '../../src/rules/match.js';
import type { RuleSet } from '../../src/rules/ruleset.js';
import { evasionCommands, exampleGuard, routineCases } from '../helpers.js';

const guard = await exampleGuard();
const root = path.resolve(import.meta.dirname, '../..');

function lines(): string[] {
  const out = new Set<string>();
  for (const l of fs.readFileSync(path.join(root, 'bench/corpus.txt'), 'utf8').split('\n')) {
    if (l.trim() && !l.startsWith('#')) out.add(l.replace(/\\\\|\\n/g, (m) => (m === '\\n' ? '\n' : '\\')));
  }
  for (const c of routineCases()) out.add(c.command);
  for (const c of evasionCommands()) out.add(c);
  for (const r of guard.rules.rules) for (const c of [...r.rule.examples.match, ...r.rule.examples.no_match]) out.add(c);
  return [...out];
}

/** The same rules with every gate open. */
function ungated(rules: RuleSet): RuleSet {
  const open = new Map(rules.rules.map((r) => [r, { ...r, gate: null }]));
  return { ...rules, rules: [...open.values()], candidates: (c) => rules.candidates(c).map((r) => open.get(r)!) };
}

/** The matcher's context as evaluate() makes it. */
function matchContext(script: Script, context: PolicyContext): MatchContext {
  return {
    script,
    home: context.home,
    workspaces: context.workspaces,
    tmpdir: context.tmpdir,
    sessionHosts: context.sessionHosts,
    environment: context.environment,
    largeWriteBytes: context.largeWriteBytes,
    pathsOf: (t) => (t.paths === null ? null : [...new Set(t.paths.flatMap((p) => [p, realPath(p)]))]),
  };
}

describe('rule gates', () => {
  const all = lines();
  const open = ungated(guard.rules);

  it('never change a decision', () => {
    const differ: string[] = [];
    for (const command of all) {
      const { script, context } = guard.explain({ command });
      const gated = evaluate(script, guard.rules, context);
      const plain = evaluate(script, open, context);
      if (JSON.stringify(gated) !== JSON.stringify(plain)) differ.push(command);
    }
    expect(all.length).toBeGreaterThan(1000);
    expect(differ).toEqual([]);
  });

  it('never shut on a command its rule matches or maybe matches', () => {
    const wrong: string[] = [];
    for (const command of all) {
      const { script, context } = guard.explain({ command });
      const facts = lineFacts(script);
      const mctx = matchContext(script, context);
      for (const cmd of script.commands) {
        for (const r of guard.rules.candidates(cmd)) {
          if (!r.gate || r.gate(cmd, facts)) continue;
          if (r.match.test(cmd, mctx) !== NO) wrong.push(`${r.rule.id}: ${command}`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it('the rule index (by program, then subcommand) never leaves out a rule that matches or maybe matches', () => {
    const missed: string[] = [];
    let left = 0;
    for (const command of all) {
      const { script, context } = guard.explain({ command });
      const mctx = matchContext(script, context);
      for (const cmd of script.commands) {
        const cands = new Set(guard.rules.candidates(cmd));
        for (const r of guard.rules.rules) {
          if (cands.has(r)) continue;
          left++;
          if (r.match.test(cmd, mctx) !== NO) missed.push(`${r.rule.id}: ${command}`);
        }
      }
    }
    expect(missed).toEqual([]);
    // It does leave rules out: the test is not of an index that returns everything.
    expect(left).toBeGreaterThan(all.length * 50);
  });

  it('skip most rule tests on routine commands', () => {
    const routine = routineCases().map((c) => c.command);
    let candidates = 0;
    let passed = 0;
    for (const command of routine) {
      const { script } = guard.explain({ command });
      const facts = lineFacts(script);
      for (const cmd of script.commands) {
        for (const r of guard.rules.candidates(cmd)) {
          candidates++;
          if (!r.gate || r.gate(cmd, facts)) passed++;
        }
      }
    }
    expect(passed).toBeLessThan(candidates / 2);
  });
});
