// Decisions are ordered values: allow < ask < deny, and the answer is the maximum.
import type { Action, Severity } from '../rules/actions.js';
import type { LossQuestion } from './loss.js';

export type { Action, Severity };

export interface RuleMatch {
  rule: string;
  action: Action;
  severity: Severity;
  message: string;
  /**
   * What made the rule match: the path, host, flag, word or variable (`~/.npmrc`,
   * `evil.example`, `--force`). Absent when the command itself is the reason. Shown
   * escaped; the log redacts it like the command.
   */
  subject?: string[];
  /** The rule does not count for a command that, by the repository's state, would lose nothing (rule files' `unless_nothing_lost`). */
  unlessNothingLost?: true;
}

/** The shape `agentguard check --json` prints and `Guard.check()` returns. */
export interface Decision {
  action: Action;
  matches: RuleMatch[];
  opaque: string[];
  commands: string[][];
  /**
   * The analysed commands that made the decision stricter than allow, each with the
   * directories it may run in and the rules it triggered. Approvals are keyed on these
   * (with the opaque reasons), not on the line's text: a wrapper around the same command
   * is the same question, the same command in another directory is another one.
   */
  triggers?: Trigger[];
  /**
   * Files the analysis read to reach this decision (scripts, Makefiles, package.json, git
   * config), each with a stamp of its state then: a reused decision is stale once one changed.
   */
  inputs?: { path: string; stamp: string }[];
  /** Rules that matched a command but did not count there: an exception rule (`overrides:`) surely matched it too. */
  exceptions?: Exception[];
  /** What each destructive command would destroy, for the git layer to judge against the repository (src/git/judge.ts). */
  losses?: LossQuestion[];
  /** Set once the repository's state was consulted (src/git/judge.ts). */
  git?: GitFacts;
}

/** What the repository's state said about a decision's losses. */
export interface GitFacts {
  /** Per repository, what would be lost (a line for the person, and the paths). */
  lost: { root: string; description: string; paths: string[] }[];
  /** Why part of the answer could not be worked out (the rules then count as written). */
  unknown: string[];
  /** Rules that did not count because the command would lose nothing. */
  lowered: string[];
  /** Repositories to snapshot before the command runs (approved or covered by an approval). */
  snapshot: string[];
}

export interface Exception {
  /** The rule that did not count. */
  rule: string;
  /** The exception rule, and its file. */
  by: string;
  file: string;
}

export interface Trigger {
  command: string[];
  cwds: string[] | null;
  rules: string[];
}

/**
 * What a person's approval of this decision covers: one key per triggering command (argv
 * and cwds) and per opaque reason. Another decision is covered when its keys are a subset.
 */
export function approvalKeys(d: Decision): string[] {
  const keys = new Set<string>();
  for (const t of d.triggers ?? []) keys.add(JSON.stringify([t.command, t.cwds]));
  for (const o of d.opaque) keys.add(JSON.stringify(['opaque', o]));
  // A stricter-than-allow decision with nothing to key on (an internal error, a gate-made
  // decision) is covered by nothing: its single key can never be granted by another answer.
  if (!keys.size && d.action !== 'allow') keys.add(JSON.stringify(['unkeyed', d.commands, d.matches.map((m) => m.rule)]));
  return [...keys].sort();
}

const ORDER: Record<Action, number> = { allow: 0, ask: 1, deny: 2 };

export function stricter(a: Action, b: Action): Action {
  return ORDER[a] >= ORDER[b] ? a : b;
}

export function atMost(a: Action, cap: Action): Action {
  return ORDER[a] <= ORDER[cap] ? a : cap;
}

export function exitCodeFor(action: Action): number {
  return ORDER[action];
}
