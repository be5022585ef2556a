// evaluate(script, rules, context) → Decision: every rule over every command, workspace
// confinement of every write, and anything opaque; the strictest action wins, except where
// an exception (an allow rule with `overrides:`) surely matches a command: there the rules
// it names do not count, for that command only.
import type { Environment, HostSet, MatchContext } from '../rules/match.js';
import { MAYBE, NO, YES, tildify, type Tri } from '../rules/match.js';
import { lineFacts, type LineFacts } from '../rules/gate.js';
import type { CompiledRule, RuleSet } from '../rules/ruleset.js';
import type { Command, PathTarget, Script } from '../shell/types.js';
import { isHarmlessDevice, isInside, realPath } from './confine.js';
import { lineLossQuestions } from './loss.js';
import { atMost, stricter, type Action, type Decision, type Exception, type RuleMatch, type Trigger } from './decision.js';

export interface PolicyContext {
  home: string;
  /** Workspace roots: {workspace} in rules. */
  workspaces: string[];
  /** Where writes may land without asking: the workspaces, $TMPDIR, /tmp (symlinks resolved). */
  writeRoots: string[];
  /** Hosts the person allowed for this session (shared with the egress proxy). */
  sessionHosts?: HostSet;
  /** $TMPDIR, for {tmpdir} in rules (default /tmp). */
  tmpdir?: string;
  /**
   * The write roots that are only temporary directories ($TMPDIR, /tmp). They never open
   * $HOME: a HOME that lives under /tmp (common in containers) keeps its protection, and
   * only a workspace or another real root opens part of it.
   */
  tempRoots?: string[];
  /** `home` with symlinks resolved, once per context as the write roots are (else per evaluation). */
  homeReal?: string;
  /** Whether the environment may hold secrets (default: it may); decides environment dumps. */
  environment?: Environment;
  /** Bytes above which an allocation or write is large (default 10 GiB). */
  largeWriteBytes?: number;
}

export const CONFINEMENT_RULE = 'workspace-confinement';
export const OPAQUE_RULE = 'not-analysable';

export function evaluate(script: Script, rules: RuleSet, ctx: PolicyContext, only?: readonly CompiledRule[]): Decision {
  const memo = new Map<string, string>();
  const realOf = (p: string) => realPath(p, memo);
  const targets = new WeakMap<PathTarget, string[]>();
  const mctx: MatchContext = {
    script,
    home: ctx.home,
    workspaces: ctx.workspaces,
    tmpdir: ctx.tmpdir,
    sessionHosts: ctx.sessionHosts,
    environment: ctx.environment,
    largeWriteBytes: ctx.largeWriteBytes,
    pathsOf(t: PathTarget) {
      if (t.paths === null) return null;
      // Every path rule that reaches a target asks again: worked out once per evaluation.
      let known = targets.get(t);
      if (!known) {
        const out = new Set<string>();
        for (const p of t.paths) {
          out.add(p);
          out.add(realOf(p));
        }
        targets.set(t, (known = [...out]));
      }
      return known;
    },
  };
  const matches = new Map<string, RuleMatch>();
  const add = (m: RuleMatch) => {
    const prev = matches.get(m.rule);
    // One line per rule: the strictest match, with what every command it matched showed.
    const subject = mergeSubjects(prev?.subject, m.subject);
    const kept = !prev || stricter(prev.action, m.action) !== prev.action ? m : prev;
    matches.set(m.rule, subject ? { ...kept, subject } : kept);
  };
  let action: Action = 'allow';
  const triggers: Trigger[] = [];
  let line: LineFacts | null = null;
  const exceptions = new Map<string, Exception>();
  for (const cmd of script.commands) {
    const fired: string[] = [];
    const hits: { r: CompiledRule; t: Tri }[] = [];
    let excepted: Map<string, CompiledRule> | null = null;
    for (const r of only ?? rules.candidates(cmd)) {
      // A rule whose gate is shut cannot match this command (not even maybe): skip its matcher.
      if (r.gate && !r.gate(cmd, (line ??= lineFacts(script)))) continue;
      const t = r.match.test(cmd, mctx);
      if (t === NO) continue;
      hits.push({ r, t });
      // Only a sure match excepts: a command that maybe is the exception may as well be what
      // the named rule is about (fail closed).
      if (t === YES && r.rule.action === 'allow' && r.rule.overrides) for (const id of r.rule.overrides) (excepted ??= new Map()).set(id, r);
    }
    for (const { r, t } of hits) {
      const by = excepted?.get(r.rule.id);
      if (by && by !== r) {
        exceptions.set(`${r.rule.id}\0${by.rule.id}`, { rule: r.rule.id, by: by.rule.id, file: by.rule.file });
        continue;
      }
      // A rule that only maybe matches (a word is not known before run time) asks.
      const a = t === MAYBE ? atMost(r.rule.action, 'ask') : r.rule.action;
      const message = t === MAYBE ? `${r.rule.message} (could not rule this out: part of the command is only known when it runs)` : r.rule.message;
      // Worked out only now that the rule matched: matching stays as fast as before.
      const subject = r.match.subjects?.(cmd, mctx);
      add({ rule: r.rule.id, action: a, severity: r.rule.severity, message, ...(subject?.length ? { subject } : {}), ...(r.rule.unless_nothing_lost ? { unlessNothingLost: true as const } : {}) });
      action = stricter(action, a);
      if (a !== 'allow') fired.push(r.rule.id);
    }
    if (!only) {
      const outside = confinement(cmd, ctx, realOf);
      if (outside) {
        add(outside);
        action = stricter(action, outside.action);
        fired.push(outside.rule);
      }
    }
    if (fired.length) triggers.push({ command: cmd.argv.map((w) => w.value ?? w.raw), cwds: cmd.cwds, rules: fired });
  }
  const opaque = only ? [] : script.opaque;
  if (opaque.length) action = stricter(action, 'ask');
  const losses = only ? [] : lineLossQuestions(script.commands);
  return {
    action,
    matches: [...matches.values()].map(shortSubjects),
    opaque,
    commands: script.commands.map((c) => c.argv.map((w) => w.value ?? w.raw)),
    triggers,
    ...(exceptions.size ? { exceptions: [...exceptions.values()] } : {}),
    ...(losses.length ? { losses } : {}),
    // The files the analysis read: a decision reused later holds only while they are unchanged.
    ...(script.inputs?.length ? { inputs: script.inputs } : {}),
  };
}

/** Subjects are for a person to read: a few, short, no repeats. */
const MAX_SUBJECTS = 8;
const MAX_SUBJECT_CHARS = 160;

function mergeSubjects(a: string[] | undefined, b: string[] | undefined): string[] | undefined {
  if (!a?.length) return b?.length ? b : undefined;
  if (!b?.length || a.length >= 1024) return a;
  return [...new Set([...a, ...b])];
}

/** The subjects as shown: the first few, each cut short, and how many more there were. */
function shortSubjects(m: RuleMatch): RuleMatch {
  if (!m.subject) return m;
  const all = [...new Set(m.subject.map((s) => (s.length > MAX_SUBJECT_CHARS ? s.slice(0, MAX_SUBJECT_CHARS - 1) + '…' : s)))];
  return { ...m, subject: all.length > MAX_SUBJECTS ? [...all.slice(0, MAX_SUBJECTS), `… ${all.length - MAX_SUBJECTS} more`] : all };
}

/** Whether a resolved path lies in a write root; a temporary root that holds HOME does not open HOME. */
function writable(p: string, ctx: PolicyContext, realOf: (p: string) => string): boolean {
  if (!ctx.tempRoots?.length) return isInside(p, ctx.writeRoots);
  const home = ctx.homeReal ?? realOf(ctx.home);
  return ctx.writeRoots.some((root) => isInside(p, [root]) && !(ctx.tempRoots!.includes(root) && isInside(home, [root]) && isInside(p, [home])));
}

function homeUnderTemp(ctx: PolicyContext, realOf: (p: string) => string): boolean {
  const home = ctx.homeReal ?? realOf(ctx.home);
  return !!ctx.tempRoots?.some((r) => isInside(home, [r]));
}

function confinement(cmd: Command, ctx: PolicyContext, realOf: (p: string) => string): RuleMatch | null {
  const unknown: string[] = [];
  const outside: string[] = [];
  for (const t of cmd.writes) {
    if (t.paths === null) {
      unknown.push(t.raw);
      continue;
    }
    for (const p of t.paths) {
      if (isHarmlessDevice(p)) continue;
      const r = realOf(p);
      if (!writable(r, ctx, realOf)) outside.push(r === p ? p : `${p} (→ ${r})`);
    }
  }
  if (outside.length) {
    return {
      rule: CONFINEMENT_RULE,
      action: 'ask',
      severity: 'medium',
      message: `writes outside the workspace: ${[...new Set(outside)].join(', ')} (write roots: ${ctx.writeRoots.join(', ')}${homeUnderTemp(ctx, realOf) ? `; your home ${ctx.home} is not opened by the temporary roots` : ''})`,
      subject: [...new Set(outside.map((p) => tildify(p, ctx.home)))],
    };
  }
  if (unknown.length) {
    return {
      rule: CONFINEMENT_RULE,
      action: 'ask',
      severity: 'medium',
      message: `cannot tell where this writes before it runs: ${[...new Set(unknown)].join(', ')}; use a literal path inside the workspace`,
      subject: [...new Set(unknown)],
    };
  }
  return null;
}
