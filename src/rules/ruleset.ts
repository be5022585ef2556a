// A compiled rule set: every rule's matcher, indexed by the programs it can apply to,
// so that checking a command costs what that command could match, not the rule count.
import type { Command } from '../shell/types.js';
import type { UserConfig } from '../config/user.js';
import type { LoadedRule, LoadedRules, SwitchedOff } from './load.js';
import { gateOf, type Gate } from './gate.js';
import { compileMatch, UnknownListError, type CompiledMatch } from './match.js';
import { programFits } from './conditions/core.js';
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
  /** Rules the person's config.yaml switched off for this workspace, with the reason. */
  off: SwitchedOff[];
  /** The person's config.yaml, when there is one (limits). */
  config: UserConfig | null;
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
  // Rules whose programs include a glob (python3.*): tried against each program name once.
  const globbed: { globs: string[]; rule: CompiledRule }[] = [];
  for (const r of rules) {
    if (!r.match.programs) {
      generic.push(r);
      continue;
    }
    const globs: string[] = [];
    for (const p of r.match.programs) {
      if (/[*?[]/.test(p)) globs.push(p);
      else byProgram.set(p, [...(byProgram.get(p) ?? []), r]);
    }
    if (globs.length) globbed.push({ globs, rule: r });
  }
  const order = new Map(rules.map((r, i) => [r, i]));
  const merged = new Map<string, CompiledRule[]>();
  return {
    rules,
    lists: loaded.lists,
    files: loaded.files,
    off: loaded.off ?? [],
    config: loaded.config ?? null,
    digest: loaded.digest,
    candidates(cmd) {
      if (cmd.program === null) return generic;
      let list = merged.get(cmd.program);
      if (!list) {
        const name = cmd.program;
        const specific = new Set(byProgram.get(name) ?? []);
        for (const g of globbed) if (g.globs.some((x) => programFits(x, name))) specific.add(g.rule);
        // In the rules' own order, as the file layers set it.
        list = specific.size ? [...specific, ...generic].sort((a, b) => order.get(a)! - order.get(b)!) : generic;
        merged.set(cmd.program, list);
      }
      return list;
    },
  };
}
