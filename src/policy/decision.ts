// Decisions are ordered values: allow < ask < deny, and the answer is the maximum.
import type { Action, Severity } from '../rules/actions.js';

export type { Action, Severity };

export interface RuleMatch {
  rule: string;
  action: Action;
  severity: Severity;
  message: string;
}

/** The shape `agentguard check --json` prints and `Guard.check()` returns. */
export interface Decision {
  action: Action;
  matches: RuleMatch[];
  opaque: string[];
  commands: string[][];
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
