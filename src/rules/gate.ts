// What a rule cannot apply to, worked out once from its match block. Rule gates: a cheap test
// that is false only for commands the rule cannot match (not even maybe): a path rule for a
// command that writes nothing, a pipeline rule in a line without the programs it is about.
// And the facts the rule index (ruleset.ts) files rules by beside their programs: the
// subcommands a rule can apply to for a program (subcommandsOf), and whether it needs a
// written or read path (needsOf). Neither ever decides a match: the rule's own matcher does.
import type { Command, Script } from '../shell/types.js';
import { hasVolume } from './conditions/command-view.js';
import { programDispatch, programFits } from './conditions/core.js';
import { wordGlob } from './conditions/glob.js';
import type { MatchExpr } from './schema.js';

/** What a gate may look at beyond the command: facts about the whole line, made once per evaluation. */
export interface LineFacts {
  script: Script;
  /** Every static program name in the line. */
  programs: Set<string>;
}

export type Gate = (cmd: Command, line: LineFacts) => boolean;

export function lineFacts(script: Script): LineFacts {
  const programs = new Set<string>();
  for (const c of script.commands) if (c.program !== null) programs.add(c.program);
  return { script, programs };
}

type Lists = ReadonlyMap<string, readonly string[]>;

/**
 * The gate of a match block, or null when it may apply to any command. Each key below only
 * gates where its condition (src/rules/conditions/) surely answers NO; a key not listed here (or a
 * `not`) gates nothing, which is always safe.
 */
export function gateOf(expr: MatchExpr, lists: Lists): Gate | null {
  const all: Gate[] = [];
  const names = (v: string | string[]): Set<string> | null => {
    const pats = expand(v, lists);
    return pats.every((p) => !/[*?[]/.test(p)) ? new Set(pats) : null;
  };
  const hasArgs: Gate = (c) => c.argv.length > 1;
  if (expr.program !== undefined) {
    const set = names(expr.program);
    if (set) all.push((c) => c.program !== null && set.has(c.program));
    else {
      // Globs (python3.*, or "*" for a list unknown here): each program name tried once.
      const pats = expand(expr.program, lists);
      const seen = new Map<string, boolean>();
      const fits = (name: string) => {
        let r = seen.get(name);
        if (r === undefined) seen.set(name, (r = pats.some((p) => programFits(p, name))));
        return r;
      };
      all.push((c) => c.program !== null && fits(c.program));
    }
  }
  // These look only at the words after the program: none, no match (and no maybe).
  if (expr.subcommand !== undefined || expr.flags || expr.args !== undefined || expr.words !== undefined || expr.regex !== undefined || expr.operands !== undefined) all.push(hasArgs);
  if (expr.writes !== undefined) all.push((c) => c.writes.length > 0);
  // Sizes come from programs that declare a volume; any other command only in an endless loop.
  if (expr.writes_more_than !== undefined) all.push((c) => c.loop !== undefined || hasVolume(c.program));
  if (expr.min_operands !== undefined) all.push(hasArgs);
  if (expr.reads !== undefined) all.push((c) => c.reads.length > 0);
  if (expr.hosts !== undefined || expr.host_not_in !== undefined) all.push((c) => c.hosts.length > 0);
  if (expr.stdin_regex !== undefined) all.push((c) => c.stdin !== null);
  if (expr.assigns !== undefined) all.push((c) => hasKeys(c.assignments));
  if (expr.wrapped_by !== undefined) all.push((c) => c.wrappers.length > 0);
  if (expr.script_from_stdin !== undefined) {
    const want = expr.script_from_stdin;
    all.push((c) => c.scriptFromStdin === want);
  }
  if (expr.recursive_function === true) all.push((c, l) => c.program !== null && !!l.script.functions[c.program]?.recursive);
  // Relations to another command in the line need that command's program in the line.
  for (const from of [expr.pipeline?.from, expr.substitution?.from, expr.runs_file_from]) {
    if (from === undefined) continue;
    const set = names(from);
    if (set) all.push((_, l) => intersects(set, l.programs));
  }
  if (expr.pipeline?.to !== undefined) {
    const set = names(expr.pipeline.to);
    all.push(set ? (c) => c.program !== null && set.has(c.program) : (c) => c.program !== null);
  }
  for (const m of expr.all_of ?? []) {
    const g = gateOf(m, lists);
    if (g) all.push(g);
  }
  if (expr.any_of) {
    const each = expr.any_of.map((m) => gateOf(m, lists));
    if (each.every((g): g is Gate => g !== null)) {
      // Only the branches of the command's own program can pass (their program gate is first).
      const branches = expr.any_of.map((m, i) => ({ gate: each[i], programs: m.program !== undefined ? new Set(expand(m.program, lists)) : null }));
      const of = programDispatch(branches, (b) => b.programs);
      all.push((c, l) => of(c.program).some((b) => b.gate(c, l)));
    }
  }
  if (!all.length) return null;
  if (all.length === 1) return all[0];
  return (c, l) => all.every((g) => g(c, l));
}

function hasKeys(o: object): boolean {
  for (const _ in o) return true;
  return false;
}

function intersects(a: Set<string>, b: Set<string>): boolean {
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  for (const x of small) if (large.has(x)) return true;
  return false;
}

function expand(v: string | string[], lists: Lists): string[] {
  const out: string[] = [];
  for (const item of Array.isArray(v) ? v : [v]) {
    const list = item.startsWith('@') ? lists.get(item.slice(1)) : undefined;
    // An unknown list is reported when the rule compiles; here it only gates nothing.
    if (item.startsWith('@')) out.push(...(list ? expand([...list], lists) : ['*']));
    else out.push(item);
  }
  return out;
}

/** Subcommands a rule can apply to: names, and globs (pub*) tried once per name. */
export class SubcommandSet {
  private seen = new Map<string, boolean>();
  constructor(
    private names: ReadonlySet<string>,
    private globs: readonly RegExp[],
  ) {}
  has(sub: string): boolean {
    if (this.names.has(sub)) return true;
    if (!this.globs.length) return false;
    let r = this.seen.get(sub);
    if (r === undefined) this.seen.set(sub, (r = this.globs.some((g) => g.test(sub))));
    return r;
  }
  /** For a block that cannot apply to the program at all. */
  static readonly NONE = new SubcommandSet(new Set(), []);
  static union(sets: SubcommandSet[]): SubcommandSet {
    const some = sets.filter((s) => s !== SubcommandSet.NONE);
    if (some.length <= 1) return some[0] ?? SubcommandSet.NONE;
    return new SubcommandSet(new Set(some.flatMap((s) => [...s.names])), some.flatMap((s) => s.globs));
  }
}

/**
 * The subcommands a match block can apply to when the command's program is `program`, or null
 * when it may apply to a command with any subcommand (or none). Like the programs of the rule
 * index, it may be larger than the truth, never smaller: a block whose `program:` rules the
 * program out applies to none; its own `subcommand:` narrows it, an all_of narrows it by any
 * part that narrows, an any_of by the union of the branches that can apply, and only when each
 * of those narrows; `not` never narrows. Used with subcommandOf(), the reading the subcommand
 * condition makes.
 */
export function subcommandsOf(expr: MatchExpr, lists: Lists, program: string): SubcommandSet | null {
  if (expr.program !== undefined && !expand(expr.program, lists).some((p) => programFits(p, program))) return SubcommandSet.NONE;
  const found: SubcommandSet[] = [];
  if (expr.subcommand !== undefined) {
    const pats = expand(expr.subcommand, lists);
    found.push(new SubcommandSet(new Set(pats.filter((p) => !/[*?[]/.test(p))), pats.filter((p) => /[*?[]/.test(p)).map(wordGlob)));
  }
  for (const m of expr.all_of ?? []) {
    const s = subcommandsOf(m, lists, program);
    if (s) found.push(s);
  }
  if (expr.any_of) {
    const each = expr.any_of.map((m) => subcommandsOf(m, lists, program));
    if (each.every((s): s is SubcommandSet => s !== null)) found.push(SubcommandSet.union(each));
  }
  // Several constraints all hold: each is a true (if larger) bound. NONE wins, else the first.
  return found.find((f) => f === SubcommandSet.NONE) ?? found[0] ?? null;
}

/** What a command must have for a rule to apply at all: paths it writes, or paths it reads. */
export type Needs = 'writes' | 'reads';

/**
 * Whether a match block can only match a command that writes (or reads) some path: its own
 * writes:/reads: condition, any part of an all_of, or every branch of an any_of. The rule index
 * keeps such rules away from commands with nothing of the kind, without asking their gates.
 */
export function needsOf(expr: MatchExpr): Needs | null {
  if (expr.writes !== undefined) return 'writes';
  if (expr.reads !== undefined) return 'reads';
  for (const m of expr.all_of ?? []) {
    const n = needsOf(m);
    if (n) return n;
  }
  if (expr.any_of?.length) {
    const each = expr.any_of.map(needsOf);
    if (each.every((n) => n === each[0])) return each[0];
  }
  return null;
}
