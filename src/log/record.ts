// What a decision record holds, built the same way for the session, `agentguard check`
// and the agent hooks; everything from the command line passes through the redactor. Also
// the outcome of an agent action, which the session's summary and `agentguard log` both count.
import crypto from 'node:crypto';
import type { Decision } from '../policy/decision.js';
import type { Redactor } from './redact.js';
import { SessionLog, type AppendOptions } from './store.js';

/**
 * What became of an agent action, from the person's side:
 * allowed   ran without a question (the policy, or an earlier `a` answer)
 * approved  asked, and the person said y or a
 * escalated approved, and ran outside the sandbox
 * refused   asked, and the person said n, the prompt timed out, or nobody could be asked
 * denied    the policy denied it; nobody was asked
 * abandoned asked, and the prompt closed because whoever asked was gone
 * asked     (hooks outside a session) passed to the agent's own prompt, whose answer agentguard does not see
 */
export type Outcome = 'allowed' | 'approved' | 'escalated' | 'refused' | 'denied' | 'abandoned' | 'asked';

/**
 * An action's outcome is the strongest among its root record and its parts (records whose
 * `parent` is the root): a hook's approval whose wrapper ran outside is escalated; an allowed
 * command with a nested shell the person refused is refused. What a reviewer must see first ranks highest.
 */
export const OUTCOME_RANK: Record<Outcome, number> = { allowed: 0, asked: 1, approved: 2, escalated: 3, abandoned: 4, denied: 5, refused: 6 };

export function strongerOutcome(a: Outcome | undefined, b: Outcome | undefined): Outcome | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return OUTCOME_RANK[b] > OUTCOME_RANK[a] ? b : a;
}

/** A session record's own outcome, from what the gate did; undefined for records that are not actions (an interactive shell starting). */
export function outcomeOf(e: { kind?: string; verdict: 'allow' | 'ask' | 'deny'; answer?: string }): Outcome | undefined {
  if (e.kind === 'interactive') return undefined;
  if (e.kind === 'escalated') return 'escalated';
  if (e.answer === 'abandoned') return 'abandoned';
  if (e.answer === 'once' || e.answer === 'session') return e.verdict === 'allow' ? 'approved' : 'refused';
  if (e.answer) return 'refused';
  return e.verdict === 'allow' ? 'allowed' : 'denied';
}

export interface DecisionContext {
  source: string;
  command: string;
  cwd: string;
  decision: Decision | null;
  /** What happened in the end (for `agentguard check`, which runs nothing: the decision itself). */
  verdict: 'allow' | 'ask' | 'deny';
  kind?: string;
  answer?: string;
  shell?: string;
  mode?: string;
  /** The seq of the root record of the agent action this record is part of. */
  parent?: number;
  /** The seq of the prompt record this decision closes. */
  prompt?: number;
  outcome?: Outcome;
}

export function decisionFields(c: DecisionContext, redactor: Redactor): Record<string, unknown> {
  const d = c.decision;
  return {
    source: c.source,
    command: redactor.redact(c.command),
    cwd: c.cwd,
    action: d?.action ?? c.verdict,
    matches: d?.matches.map((m) => ({ rule: m.rule, action: m.action, severity: m.severity, ...(m.subject?.length ? { subject: redactor.deep(m.subject) } : {}) })) ?? [],
    opaque: d ? redactor.deep(d.opaque) : [],
    // What the repository's state said (src/git/judge.ts): what would be lost, rules not counted, what could not be told.
    ...(d?.git && (d.git.lost.length || d.git.lowered.length || d.git.unknown.length)
      ? { git: { lost: d.git.lost.map((l) => ({ repo: l.root, description: redactor.redact(l.description) })), lowered: d.git.lowered, unknown: redactor.deep(d.git.unknown) } }
      : {}),
    verdict: c.verdict,
    ...(c.kind ? { kind: c.kind } : {}),
    ...(c.answer ? { answer: c.answer, answeredFrom: c.answer === 'no-terminal' ? 'nobody' : 'terminal' } : {}),
    ...(c.shell ? { shell: c.shell, mode: c.mode } : {}),
    ...(c.parent !== undefined ? { parent: c.parent } : {}),
    ...(c.prompt !== undefined ? { prompt: c.prompt } : {}),
    ...(c.outcome ? { outcome: c.outcome } : {}),
  };
}

/** The rules a question names: the ids of the matches that made it stricter than allow, and not-analysable. */
export function promptRules(d: Decision): string[] {
  const ids = [...new Set(d.matches.filter((m) => m.action !== 'allow').map((m) => m.rule))];
  return d.opaque.length ? [...ids, 'not-analysable'] : ids;
}

/** agentguard check: one shared log per day, appends serialised by a lock. */
export function dailyLog(prefix: string, opts: Omit<AppendOptions, 'lock'> = {}): SessionLog {
  const day = new Date().toISOString().slice(0, 10);
  return new SessionLog(`${prefix}-${day}`, { ...opts, lock: true });
}

/**
 * The id of the log for an agent's hook outside a session: `hook-<agent>-<day>-<session>`,
 * one per agent session and day (`hook-<agent>-<day>` when the agent sends no session id).
 * The session part is the agent's id when it is a plain one, else a hash of it: the id ends
 * up in a file name.
 */
export function hookLogId(agent: string, agentSession: string | undefined, now = new Date()): string {
  const day = now.toISOString().slice(0, 10);
  const name = agent.replace(/[^a-z0-9]/g, '') || 'agent';
  if (!agentSession) return `hook-${name}-${day}`;
  const plain = /^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(agentSession) ? agentSession.slice(0, 8) : crypto.createHash('sha256').update(agentSession).digest('hex').slice(0, 8);
  return `hook-${name}-${day}-${plain}`;
}

/** The log an agent's hook writes outside a session; the agent may run several hooks at once, so appends take the lock. */
export function hookLog(agent: string, agentSession: string | undefined, opts: Omit<AppendOptions, 'lock'> = {}): SessionLog {
  return new SessionLog(hookLogId(agent, agentSession), { ...opts, lock: true });
}
