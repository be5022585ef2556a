// Rule gates: a cheap test, worked out once from a rule's match block, that is false only
// for commands the rule cannot match (not even maybe). The rule index (ruleset.ts) narrows
// rules by program; a gate skips the rest that cannot apply: a path rule for a command that
// writes nothing, a pipeline rule in a line without the programs it is about. A gate never
// decides a match: when it passes, the rule's own matcher does.
import type { Command, Script } from '../shell/types.js';
import { hasVolume } from './conditions/command-view.js';
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
    all.push(set ? (c) => c.program !== null && set.has(c.program) : (c) => c.program !== null);
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
    if (each.every((g): g is Gate => g !== null)) all.push((c, l) => each.some((g) => g(c, l)));
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
