// Parsing `git status --porcelain=v2 -z --branch` exactly: NUL-terminated records, paths
// taken verbatim after a fixed number of space-separated fields (so spaces, newlines and
// any UTF-8 survive), a rename's original path in the record that follows.
// Pure: bytes in, entries out.

export interface Change {
  /** path relative to the work tree root, '/'-separated, as git prints it */
  path: string;
  /** the path it was renamed or copied from (staged renames) */
  origPath?: string;
  /** the index differs from HEAD (X of XY) */
  staged: boolean;
  /** the work tree differs from the index (Y of XY) */
  modified: boolean;
  /** git's two status letters (index, work tree): 'D' in either is a deletion, which loses nothing there */
  xy: string;
  /** a merge conflict: the resolution work is in the work tree */
  unmerged: boolean;
}

export interface Porcelain {
  /** HEAD's commit, null on an unborn branch */
  oid: string | null;
  /** the checked-out branch, null when HEAD is detached */
  branch: string | null;
  changes: Change[];
  untracked: string[];
  ignored: string[];
}

/** Fields before the path, per record type (git-status(1), "Porcelain Format Version 2"). */
const FIELDS: Record<string, number> = { '1': 7, '2': 8, u: 9 };

/** Splits off `n` space-separated fields; the rest (which may hold spaces) is the path. */
function afterFields(rec: string, n: number): [string[], string] {
  const fields: string[] = [];
  let i = 0;
  for (let k = 0; k < n; k++) {
    const j = rec.indexOf(' ', i);
    if (j < 0) throw new Error(`git status: a record has fewer than ${n + 1} fields: ${JSON.stringify(rec.slice(0, 80))}`);
    fields.push(rec.slice(i, j));
    i = j + 1;
  }
  return [fields, rec.slice(i)];
}

/** Throws on any record it does not understand: the caller reads that as unknown, never as clean. */
export function parsePorcelainV2(out: Buffer | string): Porcelain {
  const text = typeof out === 'string' ? out : out.toString('utf8');
  const recs = text.split('\0');
  if (recs[recs.length - 1] === '') recs.pop();
  const p: Porcelain = { oid: null, branch: null, changes: [], untracked: [], ignored: [] };
  for (let i = 0; i < recs.length; i++) {
    const rec = recs[i];
    const kind = rec.slice(0, 2);
    if (kind === '# ') {
      const [[key], value] = afterFields(rec.slice(2), 1);
      if (key === 'branch.oid') p.oid = value === '(initial)' ? null : value;
      else if (key === 'branch.head') p.branch = value === '(detached)' ? null : value;
    } else if (kind === '? ') p.untracked.push(rec.slice(2));
    else if (kind === '! ') p.ignored.push(rec.slice(2));
    else if (kind === '1 ' || kind === '2 ' || kind === 'u ') {
      const [fields, path] = afterFields(rec.slice(2), FIELDS[kind[0]]);
      const xy = fields[0];
      if (xy.length !== 2 || path === '') throw new Error(`git status: a malformed record: ${JSON.stringify(rec.slice(0, 80))}`);
      const c: Change = { path, xy, staged: xy[0] !== '.', modified: xy[1] !== '.', unmerged: kind === 'u ' };
      if (kind === '2 ') {
        if (i + 1 >= recs.length) throw new Error('git status: a rename without its original path');
        c.origPath = recs[++i];
      }
      if (c.unmerged) c.modified = true;
      p.changes.push(c);
    } else throw new Error(`git status: an unknown record: ${JSON.stringify(rec.slice(0, 80))}`);
  }
  return p;
}
