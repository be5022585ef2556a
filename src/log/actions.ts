// A log's records grouped the way a person thinks of them: one entry per agent action (a
// decision record without `parent`: the hook's, or the first shell's), with the records
// that are part of it (wrapper and nested shells, installed scripts, its prompt, its exit)
// folded under it, and the outcome of the action. Counts are of entries, never of records,
// so that a hook approval and the wrapper shell it lets through are one approval.
// Pure: records in, entries out.
import { outcomeOf as recordedOutcome, snapshotKind, strongerOutcome, type Outcome } from './record.js';
import type { LogRecord } from './store.js';

export type { Outcome };
export const OUTCOMES: readonly Outcome[] = ['allowed', 'approved', 'refused', 'denied', 'abandoned', 'escalated', 'asked'];

/** Blocked: the command did not run because of agentguard. */
export const BLOCKED: ReadonlySet<Outcome> = new Set(['refused', 'denied']);

export interface Entry {
  /** A decision, a network request, an open prompt, or any other record shown on its own line. */
  root: LogRecord;
  /** The decisions folded under the root, in the order written, each with its depth (1: directly under the root). */
  parts: { record: LogRecord; depth: number }[];
  /** Prompt records of the root or its parts (closed or still open). */
  prompts: LogRecord[];
  /** command-end records of the root or its parts. */
  ends: LogRecord[];
  /** Snapshots taken for the action (or failed: the action was then refused), shown under it. */
  snapshots?: LogRecord[];
  /** The strongest outcome of the root and its parts; null for lines that are not an action (session start and end, an open prompt, a stray command-end). */
  outcome: Outcome | null;
}

/** The stronger of two outcomes (src/log/record.ts OUTCOME_RANK: what a reviewer must see first ranks highest). */
function stronger(a: Outcome | null, b: Outcome | null): Outcome | null {
  return strongerOutcome(a ?? undefined, b ?? undefined) ?? null;
}

/**
 * The outcome of one decision or network record: the `outcome` its writer recorded, or for
 * older logs, worked out as the session works it out (src/log/record.ts outcomeOf), with the
 * two cases only a hook outside a session writes: a verdict still `ask` went to the agent's own
 * prompt, whose answer agentguard never learns; a deny with no answer after an ask is an ask
 * nobody could see, refused.
 */
export function outcomeOf(r: LogRecord): Outcome | null {
  if (r.type !== 'decision' && r.type !== 'network') return null;
  if (typeof r.outcome === 'string' && (OUTCOMES as readonly string[]).includes(r.outcome)) return r.outcome as Outcome;
  const answer = typeof r.answer === 'string' ? r.answer : undefined;
  const verdict = (r.verdict ?? r.action) as 'allow' | 'ask' | 'deny';
  const kind = typeof r.kind === 'string' ? r.kind : undefined;
  if (!answer && kind !== 'interactive' && kind !== 'escalated') {
    if (verdict === 'ask') return 'asked';
    if (verdict !== 'allow' && r.action === 'ask') return 'refused';
  }
  return recordedOutcome({ kind, verdict, answer }) ?? null;
}

/** Records written before `parent` links existed: these kinds were always part of the agent action before them. */
const PART_KINDS = new Set(['hook-approved', 'approved-above', 'nested', 'unverified-nested', 'installed-script']);

/** Whether a log was written with `parent` links (the session start says so even when every action is one record). */
function linked(records: readonly LogRecord[]): boolean {
  return records.some((r) => typeof r.parent === 'number' || (r.type === 'session-start' && r.launched !== undefined));
}

export function foldRecords(records: readonly LogRecord[]): Entry[] {
  const entries: Entry[] = [];
  const entryOf = new Map<number, Entry>();
  const depthOf = new Map<number, number>();
  const closer = new Map<number, number>();
  // A decision or the proxy's network record closes a prompt by naming it.
  for (const r of records) if (r.type !== 'prompt' && typeof r.prompt === 'number') closer.set(r.prompt, r.seq);
  const decisions = new Set(records.filter((r) => r.type === 'decision').map((r) => r.seq));
  const promptRecord = new Map<number, LogRecord>();
  const newFormat = linked(records);
  let lastAction: Entry | null = null;
  const own = (r: LogRecord): Entry => {
    const e: Entry = { root: r, parts: [], prompts: [], ends: [], outcome: outcomeOf(r) };
    entries.push(e);
    entryOf.set(r.seq, e);
    depthOf.set(r.seq, 0);
    return e;
  };
  /** The prompt a record closes goes with the entry the record is in. */
  const closes = (e: Entry, r: LogRecord) => {
    const p = typeof r.prompt === 'number' ? promptRecord.get(r.prompt) : undefined;
    if (p && !e.prompts.includes(p)) e.prompts.push(p);
  };
  /** Snapshots waiting for the decision (by seq) that closes the prompt they name as parent. */
  const waiting = new Map<number, LogRecord[]>();
  for (const r of records) {
    if (r.type === 'decision') {
      const parent = typeof r.parent === 'number' && entryOf.has(r.parent) ? r.parent : null;
      let e: Entry;
      if (parent !== null || (!newFormat && PART_KINDS.has(String(r.kind)) && lastAction)) {
        e = parent !== null ? entryOf.get(parent)! : lastAction!;
        const depth = parent !== null ? (depthOf.get(parent) ?? 0) + 1 : 1;
        e.parts.push({ record: r, depth });
        entryOf.set(r.seq, e);
        depthOf.set(r.seq, depth);
        e.outcome = stronger(e.outcome, outcomeOf(r));
      } else {
        e = own(r);
        lastAction = e;
      }
      closes(e, r);
      if (waiting.has(r.seq)) (e.snapshots ??= []).push(...waiting.get(r.seq)!);
    } else if (r.type === 'prompt') {
      promptRecord.set(r.seq, r);
      // A closed prompt goes with the decision that closed it, which comes later.
      if (closer.has(r.seq)) continue;
      const parent = typeof r.parent === 'number' ? entryOf.get(r.parent) : undefined;
      if (parent) parent.prompts.push(r);
      else own(r);
    } else if (isSnapshot(r) && typeof r.parent === 'number' && entryOf.has(r.parent)) {
      // A snapshot is part of the action it was taken for; a restore (by `agentguard undo`) is its own entry.
      const e = entryOf.get(r.parent)!;
      (e.snapshots ??= []).push(r);
    } else if (isSnapshot(r) && typeof r.parent === 'number' && decisions.has(closer.get(r.parent) ?? -1) && closer.get(r.parent)! > r.seq) {
      // Taken after the person approved and before the decision closing the prompt was written:
      // it goes with that decision.
      const at = closer.get(r.parent)!;
      waiting.set(at, [...(waiting.get(at) ?? []), r]);
    } else if (r.type === 'command-end' && typeof r.decision === 'number' && entryOf.has(r.decision)) {
      entryOf.get(r.decision)!.ends.push(r);
    } else {
      closes(own(r), r);
    }
  }
  return entries;
}

const isSnapshot = (r: LogRecord) => r.type !== 'decision' && (snapshotKind(r) === 'snapshot' || snapshotKind(r) === 'snapshot-failed');

/** Prompts still waiting for the person's answer: prompt records no decision has closed. */
export function openPrompts(e: Entry): LogRecord[] {
  return [...(e.root.type === 'prompt' ? [e.root] : []), ...e.prompts.filter((p) => !entryRecords(e).some((x) => x.type !== 'prompt' && x.prompt === p.seq))];
}

export interface Counts {
  /** Agent actions by outcome. */
  actions: Record<Outcome, number>;
  /** Network requests, and how many of them were refused or denied. */
  network: number;
  networkBlocked: number;
}

export function countEntries(entries: readonly Entry[]): Counts {
  const actions = Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as Record<Outcome, number>;
  const c: Counts = { actions, network: 0, networkBlocked: 0 };
  for (const e of entries) {
    if (!e.outcome) continue;
    if (e.root.type === 'network') {
      c.network++;
      if (BLOCKED.has(e.outcome)) c.networkBlocked++;
    } else actions[e.outcome]++;
  }
  return c;
}

/** Every record of an entry, in the order written. */
export function entryRecords(e: Entry): LogRecord[] {
  return [e.root, ...e.parts.map((p) => p.record), ...e.prompts, ...e.ends, ...(e.snapshots ?? [])].sort((a, b) => a.seq - b.seq);
}

/** The rule ids any record of the entry matched (decisions' matches, prompts' rules). */
export function entryRules(e: Entry): string[] {
  const ids = new Set<string>();
  for (const r of entryRecords(e)) {
    for (const m of (Array.isArray(r.matches) ? r.matches : []) as unknown[]) if (m && typeof (m as { rule?: unknown }).rule === 'string') ids.add((m as { rule: string }).rule);
    for (const m of (Array.isArray(r.rules) ? r.rules : []) as unknown[]) {
      if (typeof m === 'string') ids.add(m);
      else if (m && typeof (m as { rule?: unknown }).rule === 'string') ids.add((m as { rule: string }).rule);
    }
  }
  return [...ids];
}
