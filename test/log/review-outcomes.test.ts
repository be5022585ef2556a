// What became of an agent action, from its root record: the outcome table behind the counts of
// `agentguard sessions` and `log --action`, and the folding of parts under their action.
import { describe, expect, it } from 'vitest';
import { countEntries, foldRecords, openPrompts, outcomeOf } from '../../src/log/actions.js';
import type { LogRecord } from '../../src/log/store.js';

let n = 0;
const rec = (type: string, fields: Record<string, unknown> = {}): LogRecord => ({ v: 1, session: 's', seq: n++, time: '2026-12-02T00:00:00.000Z', type, prev: '', hash: '', ...fields });

describe('outcomes', () => {
  it.each([
    ['allowed: allow, nobody asked', { action: 'allow', verdict: 'allow' }, 'allowed'],
    ['approved: asked, y', { action: 'ask', verdict: 'allow', answer: 'once' }, 'approved'],
    ['approved: asked, a (the session)', { action: 'ask', verdict: 'allow', answer: 'session' }, 'approved'],
    ['refused: asked, n', { action: 'ask', verdict: 'deny', answer: 'deny' }, 'refused'],
    ['refused: asked, no answer in time', { action: 'ask', verdict: 'deny', answer: 'timeout' }, 'refused'],
    ['refused: asked, no terminal', { action: 'ask', verdict: 'deny', answer: 'no-terminal' }, 'refused'],
    ['refused: a hook ask nobody could see, sent as a block', { action: 'ask', verdict: 'deny' }, 'refused'],
    ['denied: a deny rule', { action: 'deny', verdict: 'deny' }, 'denied'],
    ['abandoned: the agent went away', { action: 'ask', verdict: 'deny', answer: 'abandoned' }, 'abandoned'],
    ['escalated: ran outside the sandbox', { action: 'ask', verdict: 'allow', answer: 'once', kind: 'escalated' }, 'escalated'],
    ["asked: handed to the agent's own prompt", { action: 'ask', verdict: 'ask' }, 'asked'],
    ['allowed: approved for the session before', { action: 'ask', verdict: 'allow', kind: 'session-allowed' }, 'allowed'],
  ])('%s', (_name, fields, outcome) => {
    expect(outcomeOf(rec('decision', fields))).toBe(outcome);
  });

  it("the outcome a record's writer recorded wins over the one worked out from it", () => {
    expect(outcomeOf(rec('decision', { action: 'ask', verdict: 'deny', outcome: 'denied' }))).toBe('denied');
    expect(outcomeOf(rec('decision', { action: 'ask', verdict: 'deny', outcome: 'no-such-outcome' }))).toBe('refused');
  });

  it("an action's outcome is the strongest of its root's and its parts'", () => {
    n = 0;
    const refusedBelow = foldRecords([rec('decision', { action: 'allow', verdict: 'allow' }), rec('decision', { parent: 0, action: 'ask', verdict: 'deny', answer: 'deny' })]);
    expect(refusedBelow[0].outcome).toBe('refused');
    n = 0;
    const outside = foldRecords([rec('decision', { action: 'ask', verdict: 'allow', answer: 'once' }), rec('decision', { parent: 0, action: 'ask', verdict: 'allow', kind: 'escalated' })]);
    expect(outside[0].outcome).toBe('escalated');
    expect(countEntries(outside).actions).toMatchObject({ approved: 0, escalated: 1 });
  });

  it('network requests have outcomes too, and are counted apart', () => {
    const c = countEntries(foldRecords([rec('network', { action: 'allow' }), rec('network', { action: 'deny', answer: 'deny' }), rec('network', { action: 'deny' }), rec('decision', { action: 'allow', verdict: 'allow' })]));
    expect(c.network).toBe(3);
    expect(c.networkBlocked).toBe(2);
    expect(c.actions.allowed).toBe(1);
  });

  it('the interactive shell, session start and end are not actions', () => {
    const c = countEntries(foldRecords([rec('session-start', { agent: ['bash'], launched: ['bash'] }), rec('decision', { action: 'allow', verdict: 'allow', kind: 'interactive' }), rec('session-end', { exit: 0 })]));
    expect(Object.values(c.actions).reduce((a, b) => a + b, 0)).toBe(0);
  });
});

describe('folding', () => {
  it('parts follow parent links at any depth; a parent link to a record not in the log makes a root', () => {
    n = 0;
    const recs = [rec('decision', { action: 'ask', verdict: 'allow', answer: 'once' }), rec('decision', { parent: 0, action: 'ask', verdict: 'allow' }), rec('decision', { parent: 1, action: 'allow', verdict: 'allow' }), rec('decision', { parent: 99, action: 'deny', verdict: 'deny' })];
    const entries = foldRecords(recs);
    expect(entries.map((e) => [e.root.seq, e.parts.map((p) => [p.record.seq, p.depth])])).toEqual([
      [0, [[1, 1], [2, 2]]],
      [3, []],
    ]);
    expect(countEntries(entries).actions).toMatchObject({ approved: 1, denied: 1, allowed: 0 });
  });

  it('a prompt goes with the decision that closes it; an open one is its own entry until then', () => {
    n = 0;
    const open = [rec('session-start', { agent: ['claude'], launched: ['claude'] }), rec('prompt', { command: 'npm publish', rules: ['npm-publish'] })];
    const before = foldRecords(open);
    expect(before.map((e) => e.root.type)).toEqual(['session-start', 'prompt']);
    expect(openPrompts(before[1]).map((p) => p.seq)).toEqual([1]);
    const after = foldRecords([...open, rec('decision', { action: 'ask', verdict: 'deny', answer: 'deny', prompt: 1 })]);
    expect(after.map((e) => e.root.type)).toEqual(['session-start', 'decision']);
    expect(after[1].prompts.map((p) => p.seq)).toEqual([1]);
    expect(openPrompts(after[1])).toEqual([]);
  });

  it("the proxy's network record closes the prompt it names", () => {
    n = 0;
    const e = foldRecords([rec('prompt', { command: 'CONNECT evil.example:443', rules: ['egress-allowlist'] }), rec('network', { action: 'deny', answer: 'deny', prompt: 0 })]);
    expect(e.map((x) => x.root.type)).toEqual(['network']);
    expect(e[0].prompts.map((p) => p.seq)).toEqual([0]);
    expect(openPrompts(e[0])).toEqual([]);
  });

  it('in a new-format log an unlinked nested shell is an action of its own; in an old one it folds under the action before it', () => {
    n = 0;
    const nested = () => rec('decision', { action: 'allow', verdict: 'allow', kind: 'nested' });
    const newer = foldRecords([rec('session-start', { agent: ['claude'], launched: ['claude'] }), rec('decision', { action: 'allow', verdict: 'allow' }), nested()]);
    expect(newer.length).toBe(3);
    n = 0;
    const older = foldRecords([rec('session-start', { agent: ['claude'] }), rec('decision', { action: 'allow', verdict: 'allow' }), nested()]);
    expect(older.length).toBe(2);
    expect(older[1].parts.length).toBe(1);
  });
});
