// Taking the snapshots a decision calls for (GitFacts.snapshot) before its command runs, for a
// session or a hook: numbering within the session, a time bound, and one line to show the
// person. A snapshot that cannot be taken never changes the decision: the person is told
// there is no way back, and the log says why.
import { snapshotFailedRecord, snapshotRecord } from '../log/record.js';
import type { Redactor } from '../log/redact.js';
import { listSnapshots, takeSnapshot, type Skipped } from './snapshot.js';

/** Files above this are listed in the snapshot, not stored. */
export const SNAPSHOT_MAX_FILE_BYTES = 16 * 1024 * 1024;
/** How long one snapshot may take before the command goes ahead without it. */
export const SNAPSHOT_TIMEOUT_MS = 5000;

export type Taken = { root: string; ms: number } & ({ ok: true; ref: string; commit: string; n: number; stored: number; skipped: Skipped[] } | { ok: false; error: string });

export class Snapshotter {
  private next: number | null;

  /** `session`: the ref component (the session's log id); `fresh`: no snapshot of this session exists yet (numbering starts at 1 without a look). */
  constructor(
    readonly session: string,
    private readonly opts: { fresh?: boolean; maxFileBytes?: number; timeoutMs?: number } = {},
  ) {
    this.next = opts.fresh ? 1 : null;
  }

  /** Snapshots each repository before `command` runs; never rejects. */
  async take(roots: readonly string[], command: string): Promise<Taken[]> {
    const out: Taken[] = [];
    for (const root of roots) out.push(await this.one(root, command));
    return out;
  }

  private async one(root: string, command: string): Promise<Taken> {
    const started = Date.now();
    const ms = () => Date.now() - started;
    try {
      // A hook is a new process each time: its numbers continue the session's refs in that repository.
      // Numbers are handed out before any await: snapshots taken at once get different ones.
      let n = this.next !== null ? this.next++ : 1 + Math.max(0, ...(await listSnapshots(root, this.session)).map((s) => s.n));
      for (let attempt = 0; ; attempt++) {
        try {
          const r = await takeSnapshot(root, { session: this.session, n, command, maxFileBytes: this.opts.maxFileBytes ?? SNAPSHOT_MAX_FILE_BYTES, timeoutMs: this.opts.timeoutMs ?? SNAPSHOT_TIMEOUT_MS });
          if (this.next !== null && n >= this.next) this.next = n + 1;
          return { root, ms: ms(), ok: true, ref: r.ref, commit: r.commit, n, stored: r.stored.length, skipped: r.skipped };
        } catch (e) {
          // Another hook of the same session took this number first: the next one.
          if (attempt < 3 && /exists|cannot lock|reference already/i.test((e as Error).message)) {
            n++;
            continue;
          }
          throw e;
        }
      }
    } catch (e) {
      return { root, ms: ms(), ok: false, error: (e as Error).message.split('\n')[0] };
    }
  }
}

/** One line for the person: where the way back is, or that there is none. */
export function snapshotLine(taken: readonly Taken[], session: string): string {
  const parts = taken.map((t) => {
    if (!t.ok) return `no snapshot of ${t.root} could be taken (${t.error}): this cannot be undone with agentguard undo`;
    // A nested repository is not this one's work (the snapshot leaves it out; the log lists it): only files it could not keep are said.
    const lost = t.skipped.filter((x) => x.reason !== 'nested-repository');
    const skipped = lost.length ? `; ${lost.length} file${lost.length === 1 ? '' : 's'} not kept (${lost[0].reason === 'too-large' ? 'too large' : 'unreadable'}: ${lost[0].path}${lost.length > 1 ? ', …' : ''})` : '';
    return `snapshot kept: \`agentguard undo ${session}/${t.n}\` in ${t.root} brings back ${t.stored} file${t.stored === 1 ? '' : 's'}${skipped}`;
  });
  return parts.join('; ');
}

/** The log records for what was taken (src/log/record.ts), each to be appended under its `kind`. */
export function snapshotRecords(taken: readonly Taken[], command: string, redactor: Redactor, parent?: number): (Record<string, unknown> & { kind: string })[] {
  return taken.map((t) =>
    t.ok
      ? snapshotRecord({ repo: t.root, ref: t.ref, commit: t.commit, n: t.n, command, stored: t.stored, skipped: t.skipped.map((x) => ({ path: x.path, size: x.bytes, reason: x.reason })), ms: t.ms, parent }, redactor)
      : snapshotFailedRecord({ repo: t.root, command, error: t.error, parent }, redactor),
  );
}
