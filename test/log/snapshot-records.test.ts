// The log records for snapshots and restores: what their builders keep (redacted, skipped files
// cut to ten and counted, no field that would overwrite the record's own `session`), that a
// snapshot folds under the agent action it was taken for and a restore is an entry of its own,
// how `agentguard log` shows them, and that the chain over them verifies.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { countEntries, entryRecords, foldRecords } from '../../src/log/actions.js';
import { readLog } from '../../src/log/read.js';
import { restoreRecord, snapshotFailedRecord, snapshotRecord } from '../../src/log/record.js';
import { Redactor } from '../../src/log/redact.js';
import { verifySession } from '../../src/log/verify.js';
import { formatEntry } from '../../src/ui/review.js';
import { makeHome, RULES, writerProcess } from './review.helpers.js';

const TOKEN = 'tok-9f8e7d6c5b4a3921';
const redactor = new Redactor({ MY_SERVICE_TOKEN: TOKEN });
const h = makeHome('snaprec');
const writers: ReturnType<typeof writerProcess>[] = [];
afterAll(async () => {
  await Promise.all(writers.map((w) => w.kill()));
  h.remove();
});

const skipped = Array.from({ length: 13 }, (_, i) => ({ path: `big${i}.bin`, size: 1e9 + i }));
const facts = { repo: '/work/repo', ref: 'refs/agentguard/snapshots/s-1/3', commit: 'a'.repeat(40), n: 3, command: `rm -rf src # ${TOKEN}`, stored: 12, skipped, ms: 41 };

describe('record builders', () => {
  it('snapshotRecord redacts the command, keeps ten skipped files and counts them all', () => {
    const r = snapshotRecord({ ...facts, parent: 7 }, redactor);
    expect(r).toMatchObject({ kind: 'snapshot', repo: '/work/repo', ref: facts.ref, commit: facts.commit, n: 3, stored: 12, skippedCount: 13, ms: 41, parent: 7 });
    expect(String(r.command)).not.toContain(TOKEN);
    expect(r.skipped).toHaveLength(10);
    expect((r.skipped as { path: string; size: number }[])[0]).toEqual({ path: 'big0.bin', size: 1e9 });
    expect('parent' in snapshotRecord(facts, redactor)).toBe(false);
  });

  it('snapshotFailedRecord redacts the command and the error', () => {
    const r = snapshotFailedRecord({ repo: '/work/repo', command: `git reset --hard ${TOKEN}`, error: `git failed near ${TOKEN}` }, redactor);
    expect(r.kind).toBe('snapshot-failed');
    expect(JSON.stringify(r)).not.toContain(TOKEN);
  });

  it('restoreRecord names the snapshot session without a `session` field (the store writes the log id there)', () => {
    const r = restoreRecord({ repo: '/work/repo', ref: facts.ref, commit: facts.commit, restored: 4, overwritten: 1, force: true, session: 's-1' });
    expect(r).toEqual({ kind: 'restore', repo: '/work/repo', ref: facts.ref, commit: facts.commit, restored: 4, overwritten: 1, force: true, snapshotSession: 's-1' });
  });
});

describe('in a log', () => {
  const [dec, snap, other, restore, failed, orphan] = h.write('snaps', [
    ['decision', { source: 'session', command: 'rm -rf src', cwd: '/work/repo', action: 'ask', matches: [], opaque: [], verdict: 'allow', answer: 'once', outcome: 'approved' }],
    ['snapshot', snapshotRecord({ ...facts, parent: 0 }, redactor)],
    ['decision', { source: 'session', command: 'ls', cwd: '/work/repo', action: 'allow', matches: [], opaque: [], verdict: 'allow', outcome: 'allowed' }],
    ['restore', restoreRecord({ repo: '/work/repo', ref: facts.ref, commit: facts.commit, restored: 4, overwritten: 0, force: false, session: 's-1' })],
    ['snapshot-failed', snapshotFailedRecord({ repo: '/work/repo', command: 'git clean -fdx', error: 'git timed out', parent: 2 }, redactor)],
    ['snapshot', snapshotRecord({ ...facts, n: 4, ref: 'refs/agentguard/snapshots/s-1/4', skipped: [] }, redactor)],
  ]);
  const records = readLog(path.join(h.dir, 'snaps.jsonl')).records;

  it('keeps the log id in `session` and the kind in `type`', () => {
    expect(records.map((r) => r.session)).toEqual(Array(6).fill('snaps'));
    expect(records.map((r) => r.type)).toEqual(['decision', 'snapshot', 'decision', 'restore', 'snapshot-failed', 'snapshot']);
  });

  it('folds a snapshot (and a failed one) under its action; a restore and a snapshot without parent are entries of their own; counts are unchanged', () => {
    const entries = foldRecords(records);
    expect(entries.map((e) => e.root.seq)).toEqual([dec, other, restore, orphan]);
    expect(entries[0].snapshots?.map((r) => r.seq)).toEqual([snap]);
    expect(entries[1].snapshots?.map((r) => r.seq)).toEqual([failed]);
    expect(entryRecords(entries[0]).map((r) => r.seq)).toEqual([dec, snap]);
    expect(entries[2].outcome).toBeNull();
    expect(countEntries(entries).actions).toMatchObject({ approved: 1, allowed: 1 });
  });

  it('shows the snapshot as one line under its action, with the undo command; the restore on its own line', () => {
    const lines = foldRecords(records).flatMap((e) => formatEntry(e, {}));
    expect(lines[1]).toBe('    snapshot #3 of /work/repo (12 files; 13 not stored: big0.bin, big1.bin, big2.bin, …) → agentguard undo s-1/3');
    expect(lines[3]).toBe('    snapshot failed in /work/repo: git timed out (no way back through agentguard undo)');
    expect(lines[4]).toMatch(/^\d\d:\d\d:\d\d #3 +restore s-1\/3 into \/work\/repo: 4 files written$/);
    expect(lines[5]).toMatch(/#5 +snapshot #4 of \/work\/repo \(12 files\) → agentguard undo s-1\/4$/);
    expect(lines).toHaveLength(6);
  });

  it('with --parts, the snapshot is listed among the parts with its time', () => {
    const lines = formatEntry(foldRecords(records)[0], { parts: true });
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/^ {4}\d\d:\d\d:\d\d #1 +snapshot #3 of/);
  });

  it('escapes what an agent could have put in a path', () => {
    h.write('snaps-esc', [['snapshot', snapshotRecord({ ...facts, repo: '/work/\u001b[2Jrepo', skipped: [{ path: 'x\u001b]0;t\u0007', size: 1 }] }, redactor)]]);
    const line = foldRecords(readLog(path.join(h.dir, 'snaps-esc.jsonl')).records).flatMap((e) => formatEntry(e))[0];
    expect(line).not.toMatch(/\u001b|\u0007/);
    expect(line).toContain('\\e[2J');
  });

  it('a snapshot taken after the approval and before the decision was written (its parent the prompt) goes with that decision', () => {
    const [prompt, snap2, dec2] = h.write('snaps-prompt', [
      ['prompt', { command: 'git reset --hard', cwd: '/work/repo', rules: ['git-discard'] }],
      ['snapshot', snapshotRecord({ ...facts, parent: 0 }, redactor)],
      ['decision', { source: 'session', command: 'git reset --hard', cwd: '/work/repo', action: 'ask', matches: [], opaque: [], verdict: 'allow', answer: 'once', outcome: 'approved', prompt: 0 }],
    ]);
    const entries = foldRecords(readLog(path.join(h.dir, 'snaps-prompt.jsonl')).records);
    expect(entries).toHaveLength(1);
    expect(entries[0].root.seq).toBe(dec2);
    expect(entries[0].prompts.map((r) => r.seq)).toEqual([prompt]);
    expect(entries[0].snapshots?.map((r) => r.seq)).toEqual([snap2]);
    expect(formatEntry(entries[0])[1]).toContain('snapshot #3 of /work/repo');
  });

  it("reads the hook's records as src/hooks/run.ts writes them (type snapshot, no kind)", () => {
    const [d] = h.write('hook-claude-2026-12-02-abc', [
      ['decision', { source: 'hook:claude', command: 'rm -rf src', cwd: '/work/repo', action: 'ask', matches: [], opaque: [], verdict: 'ask', outcome: 'asked' }],
      ['snapshot', { repo: '/work/repo', ref: 'refs/agentguard/snapshots/hook-claude-2026-12-02-abc/1', commit: 'b'.repeat(40), n: 1, command: 'rm -rf src', stored: 2, skipped: [], skippedCount: 0, ms: 30, parent: 0 }],
    ]);
    const entries = foldRecords(readLog(path.join(h.dir, 'hook-claude-2026-12-02-abc.jsonl')).records);
    expect(entries).toHaveLength(1);
    expect(entries[0].root.seq).toBe(d);
    expect(formatEntry(entries[0])[1]).toBe('    snapshot #1 of /work/repo (2 files) → agentguard undo hook-claude-2026-12-02-abc/1');
  });

  it('agentguard log --project finds a restore by its repository', () => {
    const r = h.cli('log', 'snaps', '--project', '/work/repo');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/#3 +restore s-1\/3/);
    expect(h.cli('log', 'snaps', '--project', '/elsewhere').stdout).not.toContain('restore');
  });

  it('verifies: the chain over snapshot and restore records is whole', () => {
    const v = verifySession('snaps', { dir: h.dir });
    expect(v.records).toBe(6);
    expect(['edited', 'truncated', 'missing']).not.toContain(v.verdict);
    // and an edit of a snapshot record is caught
    const file = path.join(h.dir, 'snaps.jsonl');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('"stored":12', '"stored":13'));
    expect(verifySession('snaps', { dir: h.dir }).verdict).toBe('edited');
  });
});

describe('log --follow', () => {
  it('prints a snapshot as it is taken, under its action, though parts are folded', async () => {
    const w = writerProcess();
    writers.push(w);
    const id = '20261202-050000-snap';
    const ws = h.project('followproj');
    h.write(id, [['session-start', { agent: ['claude'], launched: ['claude'], pid: w.pid, pidStart: w.pidStart, cwd: ws, workspaces: [ws], enforcement: 'sandbox', rules: RULES }]]);
    const f = h.start('log', id, '--follow');
    const [dec] = h.write(id, [['decision', { source: 'session', command: 'rm -rf src', cwd: ws, action: 'ask', matches: [], opaque: [], verdict: 'allow', answer: 'once', outcome: 'approved', shell: 'bash' }]]);
    // The snapshot is written once the follower has shown its action: it arrives while following.
    await f.waitFor(/rm -rf src/);
    expect(f.out).not.toContain('snapshot');
    h.write(id, [['snapshot', snapshotRecord({ ...facts, repo: ws, parent: dec }, redactor)]]);
    await f.waitFor(/snapshot #3 of .*followproj \(12 files; 13 not stored: big0\.bin, big1\.bin, big2\.bin, …\) → agentguard undo s-1\/3/);
    h.write(id, [['session-end', { exit: 0 }]]);
    expect(await f.exit()).toBe(0);
  });
});
