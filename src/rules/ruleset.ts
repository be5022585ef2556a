// A compiled rule set: every rule's matcher, indexed by the programs it can apply to,
// so that checking a command costs what that command could match, not the rule count.
import type { Command } from '../shell/types.js';
import type { LoadedRule, LoadedRules } from './load.js';
import { gateOf, type Gate } from './gate.js';
import { compileMatch, UnknownListError, type CompiledMatch } from './match.js';
import { RuleLoadError } from './load.js';

export interface CompiledRule {
  rule: LoadedRule;
  match: CompiledMatch;
  /** False only for commands this rule cannot match (gate.ts); null: any command may match. */
  gate: Gate | null;
}

export interface RuleSet {
  rules: CompiledRule[];
  lists: ReadonlyMap<string, readonly string[]>;
  files: string[];
  /** SHA-256 over the rule files in effect (recorded at session start). */
  digest: string;
  /** Rules that may apply to a command, by its program. */
  candidates(cmd: Command): CompiledRule[];
}

export function compileRules(loaded: LoadedRules): RuleSet {
  const problems: string[] = [];
  const rules: CompiledRule[] = [];
  for (const rule of loaded.rules) {
    try {
      rules.push({ rule, match: compileMatch(rule.match, loaded.lists), gate: gateOf(rule.match, loaded.lists) });
    } catch (e) {
      if (e instanceof UnknownListError) problems.push(`${rule.file}:${rule.line}: match: ${e.message}`);
      else throw e;
    }
  }
  if (problems.length) throw new RuleLoadError(problems);
  const byProgram = new Map<string, CompiledRule[]>();
  const generic: CompiledRule[] = [];
  for (const r of rules) {
    if (!r.match.programs) generic.push(r);
    else for (const p of r.match.programs) byProgram.set(p, [...(byProgram.get(p) ?? []), r]);
  }
  const merged = new Map<string, CompiledRule[]>();
  return {
    rules,
    lists: loaded.lists,
    files: loaded.files,
    digest: loaded.digest,
    candidates(cmd) {
      if (cmd.program === null) return generic;
      let list = merged.get(cmd.program);
      if (!list) {
        const specific = byProgram.get(cmd.program);
        list = specific ? [...specific, ...generic] : generic;
        merged.set(cmd.program, list);
      }
      return list;
    },
  };
}
