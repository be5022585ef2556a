// A compiled rule set: every rule's matcher, indexed by the programs it can apply to,
// so that checking a command costs what that command could match, not the rule count.
import type { Command } from '../shell/types.js';
import type { UserConfig } from '../config/user.js';
import type { LoadedRule, LoadedRules, RuleWarning, SkippedFile, SwitchedOff } from './load.js';
import { gateOf, needsOf, subcommandsOf, type Gate, type SubcommandSet } from './gate.js';
import { subcommandOf } from './conditions/command-view.js';
import { compileMatch, UnknownListError, type CompiledMatch } from './match.js';
import { programFits } from './conditions/core.js';
import { RuleLoadError, skippedRuleFor } from './load.js';
import { builtinIndex, listsKey } from './cache.js';

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
  /** Problems worked around while loading (skipped files, ignored project rules …): every front end shows them. */
  warnings: RuleWarning[];
  /** Files (or rules) not loaded; SKIPPED_RULE rules ask for what they could have matched. */
  skipped: SkippedFile[];
  /** Rules that may apply to a command, by its program. */
  candidates(cmd: Command): CompiledRule[];
}

/**
 * A rule with its matcher; its gate is worked out the first time a command reaches the rule
 * (gateOf walks the whole match block, and a cold check reaches a handful of rules). A class,
 * so that every compiled rule has one shape (a getter per object literal gives each its own).
 */
class Compiled implements CompiledRule {
  private gateMemo: Gate | null | undefined;
  constructor(
    readonly rule: LoadedRule,
    readonly match: CompiledMatch,
    private readonly lists: LoadedRules['lists'],
  ) {}
  get gate(): Gate | null {
    if (this.gateMemo === undefined) this.gateMemo = gateOf(this.rule.match, this.lists);
    return this.gateMemo;
  }
}

export function compileRules(loaded: LoadedRules): RuleSet {
  const problems: string[] = [];
  const rules: CompiledRule[] = [];
  const warnings = [...(loaded.warnings ?? [])];
  const skipped = [...(loaded.skipped ?? [])];
  let key: string | undefined;
  for (const rule of loaded.rules) {
    try {
      const known = builtinIndex.get(rule);
      const valid = known && known.lists === (key ??= listsKey(loaded.lists));
      rules.push(new Compiled(rule, compileMatch(rule.match, loaded.lists, valid ? known : undefined), loaded.lists));
    } catch (e) {
      if (!(e instanceof UnknownListError)) throw e;
      const problem = `${rule.file}:${rule.line}: match: ${e.message}`;
      if (rule.layer === 'builtin') {
        problems.push(problem);
        continue;
      }
      // A user or project rule naming a list nobody defined is skipped like a broken file:
      // its own programs ask until it is fixed.
      const stand = skippedRuleFor(rule, loaded.lists, problem);
      warnings.push(stand.warning);
      skipped.push({ file: rule.file, layer: rule.layer, programs: stand.programs });
      rules.push(new Compiled(stand.rule, compileMatch(stand.rule.match, loaded.lists), loaded.lists));
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
  const bySubcommand = new Map<string, CompiledRule[]>();
  const subcommandSets = new Map<CompiledRule, Map<string, SubcommandSet | null>>();
  const subcommandsFor = (r: CompiledRule, program: string) => {
    let per = subcommandSets.get(r);
    if (!per) subcommandSets.set(r, (per = new Map<string, SubcommandSet | null>()));
    let s = per.get(program);
    if (s === undefined) per.set(program, (s = subcommandsOf(r.rule.match, loaded.lists, program)));
    return s;
  };
  const forProgram = (name: string) => {
    let list = merged.get(name);
    if (!list) {
      const specific = new Set(byProgram.get(name) ?? []);
      for (const g of globbed) if (g.globs.some((x) => programFits(x, name))) specific.add(g.rule);
      // In the rules' own order, as the file layers set it.
      list = specific.size ? [...specific, ...generic].sort((a, b) => order.get(a)! - order.get(b)!) : generic;
      merged.set(name, list);
    }
    return list;
  };
  // What a command must have for a rule to apply (paths written or read): a command that writes
  // and reads nothing (most) never meets the rules about paths, nor asks their gates.
  const needs = new Map(rules.map((r) => [r, needsOf(r.rule.match)]));
  const fits = (r: CompiledRule, w: boolean, rd: boolean) => {
    const n = needs.get(r);
    return n === null || (n === 'writes' && w) || (n === 'reads' && rd);
  };
  const genericFor = [false, true].map((w) => [false, true].map((rd) => generic.filter((r) => fits(r, w, rd))));
  return {
    rules,
    lists: loaded.lists,
    files: loaded.files,
    off: loaded.off ?? [],
    config: loaded.config ?? null,
    warnings,
    skipped,
    digest: loaded.digest,
    candidates(cmd) {
      const w = cmd.writes.length > 0;
      const rd = cmd.reads.length > 0;
      if (cmd.program === null) return genericFor[+w][+rd];
      const list = forProgram(cmd.program);
      if (list === generic) return genericFor[+w][+rd];
      // Then by subcommand: docker has dozens of rules, and `docker compose up` can only meet
      // those whose every branch for it allows `compose` (or names no subcommand).
      const sub = subcommandOf(cmd);
      const known = !(sub.length && sub[0] === null);
      const key = `${cmd.program}\0${known ? (sub[0] ?? '') : '\0'}\0${+w}${+rd}`;
      let narrowed = bySubcommand.get(key);
      if (!narrowed) {
        const program = cmd.program;
        narrowed = list.filter((r) => {
          if (!fits(r, w, rd) || !known) return fits(r, w, rd);
          const subs = subcommandsFor(r, program);
          return subs === null || (sub.length > 0 && subs.has(sub[0]!));
        });
        if (bySubcommand.size > 4096) bySubcommand.clear();
        bySubcommand.set(key, narrowed);
      }
      return narrowed;
    },
  };
}
