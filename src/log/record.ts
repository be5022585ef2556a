// What a decision record holds, built the same way for the session, `agentguard check`
// and the agent hooks; everything from the command line passes through the redactor.
import type { Decision } from '../policy/decision.js';
import type { Redactor } from './redact.js';
import { SessionLog, type AppendOptions } from './store.js';

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
    verdict: c.verdict,
    ...(c.kind ? { kind: c.kind } : {}),
    ...(c.answer ? { answer: c.answer, answeredFrom: c.answer === 'no-terminal' ? 'nobody' : 'terminal' } : {}),
    ...(c.shell ? { shell: c.shell, mode: c.mode } : {}),
  };
}

/** agentguard check and hooks outside a session: one shared log per day, appends serialised by a lock. */
export function dailyLog(prefix: string, opts: Pick<AppendOptions, 'anchor'> = {}): SessionLog {
  const day = new Date().toISOString().slice(0, 10);
  return new SessionLog(`${prefix}-${day}`, { lock: true, ...opts });
}
