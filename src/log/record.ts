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

/** How many skipped files a snapshot record names; the rest are counted. */
export const SKIPPED_SHOWN = 10;

export interface SnapshotFacts {
  /** The repository's top directory. */
  repo: string;
  /** refs/agentguard/snapshots/<session>/<n> */
  ref: string;
  commit: string;
  n: number;
  /** The command the snapshot was taken before. */
  command: string;
  /** Files whose working-tree content went into the snapshot. */
  stored: number;
  /** Files not stored (over the size bound, unreadable): listed so the person knows undo cannot bring them back. */
  skipped: { path: string; size: number; reason?: string }[];
  ms: number;
  /** The agent action the snapshot was taken for: its root record's seq. */
  parent?: number | string;
}

/**
 * The fields of a `snapshot` record (append with `log.append(r.kind, r)`). `agentguard undo`
 * finds snapshots by these records too, after their ref was deleted, while git still has the commit.
 */
export function snapshotRecord(s: SnapshotFacts, redactor: Redactor): Record<string, unknown> & { kind: 'snapshot' } {
  return {
    kind: 'snapshot',
    repo: s.repo,
    ref: s.ref,
    commit: s.commit,
    n: s.n,
    command: redactor.redact(s.command),
    stored: s.stored,
    // Paths are the agent's file names: they may carry a secret like any argument.
    skipped: s.skipped.slice(0, SKIPPED_SHOWN).map((x) => ({ path: redactor.redact(x.path), size: x.size, ...(x.reason ? { reason: x.reason } : {}) })),
    skippedCount: s.skipped.length,
    ms: s.ms,
    ...(s.parent !== undefined ? { parent: s.parent } : {}),
  };
}

/** A snapshot that could not be taken: the person is told there is no way back for the command it was for. */
export function snapshotFailedRecord(s: { repo: string; command: string; error: string; parent?: number | string }, redactor: Redactor): Record<string, unknown> & { kind: 'snapshot-failed' } {
  return {
    kind: 'snapshot-failed',
    repo: s.repo,
    command: redactor.redact(s.command),
    error: redactor.redact(s.error),
    ...(s.parent !== undefined ? { parent: s.parent } : {}),
  };
}

/**
 * A restore by `agentguard undo`. The snapshot's session is `snapshotSession`: a record's own
 * `session` field is the log's id (the store writes it, and a field would overwrite it).
 */
export function restoreRecord(r: { repo: string; ref: string; commit: string; restored: number; overwritten: number; force: boolean; session?: string; fromLog?: boolean }): Record<string, unknown> & { kind: 'restore' } {
  return {
    kind: 'restore',
    repo: r.repo,
    ref: r.ref,
    commit: r.commit,
    restored: r.restored,
    overwritten: r.overwritten,
    force: r.force,
    ...(r.session !== undefined ? { snapshotSession: r.session } : {}),
    ...(r.fromLog ? { fromLog: true } : {}),
  };
}

/** The kinds of record about snapshots (their `type`; `kind` says the same). */
export const SNAPSHOT_TYPES: ReadonlySet<string> = new Set(['snapshot', 'snapshot-failed', 'restore']);

/** A record's snapshot kind, whichever field its writer put it in (`type`, or `kind` of another type). */
export function snapshotKind(r: { type?: unknown; kind?: unknown }): 'snapshot' | 'snapshot-failed' | 'restore' | null {
  for (const k of [r.type, r.kind]) if (typeof k === 'string' && SNAPSHOT_TYPES.has(k)) return k as 'snapshot' | 'snapshot-failed' | 'restore';
  return null;
}
