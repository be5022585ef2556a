// Snapshots of a working tree as git commits, for `agentguard undo`: take (through a
// temporary index, so the user's index, HEAD, branches, stash and HEAD's reflog are never
// written), list, restore (with a check that refuses to overwrite work made after the
// snapshot) and prune. Each snapshot is a commit under refs/agentguard/snapshots/<session>/<n>
// whose parent is HEAD at the time; the ref keeps it from `git gc`.
//
// Contents are hashed with `hash-object --no-filters` and written back by this module, not
// by `git add`/checkout: the snapshot holds the working tree's bytes exactly, and no filter
// driver, eol conversion or hook of the repository runs (see run.ts).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { filterOverrides, GitError, gitOrThrow, withTimeLimit } from './run.js';

export const SNAPSHOT_PREFIX = 'refs/agentguard/snapshots/';

export interface SnapshotOptions {
  /** Session id; one ref component: letters, digits, `.`, `_`, `-`. */
  session: string;
  /** The snapshot's number within the session. */
  n: number;
  /** The command that follows the snapshot (shown by `undo`). */
  command: string;
  /** Files larger than this are listed in `skipped`, not stored. */
  maxFileBytes: number;
  /** Give up (reject, killing git) after this long; no ref is written then. */
  timeoutMs?: number;
}

export interface Skipped {
  path: string;
  bytes: number;
  reason: 'too-large' | 'nested-repository' | 'unreadable' | 'not-a-file';
}

export interface SnapshotResult {
  ref: string;
  commit: string;
  /** Paths whose working-tree content was hashed into the snapshot (changed or untracked). */
  stored: string[];
  skipped: Skipped[];
}

export interface SnapshotInfo {
  ref: string;
  commit: string;
  session: string;
  n: number;
  command: string;
  /** Unix time in ms the snapshot was taken. */
  time: number;
}

export interface RestoreResult {
  /** The snapshot's ref, or its commit id when restored by id. */
  ref: string;
  commit: string;
  /** Paths written (content, link or mode) to match the snapshot. */
  restored: string[];
  /** Files now in the work tree (not ignored) that the snapshot lacks: left alone. */
  leftAlone: string[];
  /** With force: paths whose changes made after the snapshot were overwritten. */
  overwritten: string[];
  /** Entries whose names are not UTF-8: not restored (shown with U+FFFD). */
  notRestored: string[];
}

export class SnapshotConflict extends Error {
  constructor(readonly paths: string[]) {
    const shown = paths.slice(0, 10).join(', ') + (paths.length > 10 ? `, … (${paths.length} in all)` : '');
    super(`restoring would overwrite changes made after the snapshot in ${paths.length} path${paths.length === 1 ? '' : 's'}: ${shown}; move them aside or restore with --force`);
  }
}

/** `-c` arguments blanking the repository's filter drivers (see run.ts); a snapshot cannot be taken safely without them. */
async function hardenedConfig(root: string): Promise<string[]> {
  const o = await filterOverrides(root);
  if (!Array.isArray(o)) throw new GitError(o.unknown, null, '');
  return o.flatMap((c) => ['-c', c]);
}

const COMPONENT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
function checkSession(session: string): void {
  if (!COMPONENT.test(session) || session.includes('..') || session.endsWith('.lock')) {
    throw new Error(`snapshot session id ${JSON.stringify(session)} is not usable in a ref name (letters, digits, '.', '_', '-')`);
  }
}

/** The repository's top level, which must be `root` itself (core.worktree could point elsewhere). */
async function topLevel(root: string, cfg: string[]): Promise<string> {
  const real = fs.realpathSync(root);
  let top: string;
  try {
    top = (await gitOrThrow(real, [...cfg, 'rev-parse', '--show-toplevel'])).stdout.toString('utf8').replace(/\n$/, '');
  } catch (e) {
    throw new Error(`${root} is not inside a git work tree: ${(e as Error).message}`, { cause: e });
  }
  if (fs.realpathSync(top) !== real) throw new Error(`${root} is not the top level of its git work tree (git says ${top})`);
  return real;
}

async function headCommit(root: string, cfg: string[]): Promise<string | null> {
  const r = await gitOrThrow(root, [...cfg, 'rev-parse', '--verify', '-q', 'HEAD^{commit}'], { okStatus: [1, 128] });
  const sha = r.stdout.toString('utf8').trim();
  return r.status === 0 && sha ? sha : null;
}

async function gitPath(root: string, cfg: string[], name: string): Promise<string> {
  const p = (await gitOrThrow(root, [...cfg, 'rev-parse', '--git-path', name])).stdout.toString('utf8').replace(/\n$/, '');
  return path.resolve(root, p);
}

function splitZ(b: Buffer): string[] {
  const parts = b.toString('utf8').split('\0');
  if (parts[parts.length - 1] === '') parts.pop();
  return parts;
}

/** Hashes files (as bytes, no filters); with `write`, stores them as blobs. */
async function hashFiles(root: string, cfg: string[], files: string[], write: boolean): Promise<string[]> {
  if (files.length === 0) return [];
  // --stdin-paths reads one path per line: a name with a newline goes through a temporary copy.
  const out = await gitOrThrow(root, [...cfg, 'hash-object', ...(write ? ['-w'] : []), '--no-filters', '--stdin-paths'], { input: files.join('\n') + '\n' });
  const shas = out.stdout.toString('utf8').trim().split('\n');
  if (shas.length !== files.length) throw new Error(`git hash-object returned ${shas.length} hashes for ${files.length} files`);
  return shas;
}

type Entry = { mode: string; sha: string };

/** Hashes what is at each path (regular file or symlink), by absolute path into tmp for links and awkward names. */
async function hashPaths(root: string, cfg: string[], tmp: string, paths: string[], write: boolean): Promise<Map<string, Entry>> {
  const feed: string[] = [];
  const modes: string[] = [];
  let k = 0;
  for (const p of paths) {
    const abs = path.join(root, p);
    const st = fs.lstatSync(abs);
    if (st.isSymbolicLink()) {
      const copy = path.join(tmp, `link-${k++}`);
      fs.writeFileSync(copy, fs.readlinkSync(abs, { encoding: 'buffer' }));
      feed.push(copy);
      modes.push('120000');
    } else {
      let name = abs;
      if (/[\n\r]/.test(abs)) {
        name = path.join(tmp, `file-${k++}`);
        fs.copyFileSync(abs, name);
      }
      feed.push(name);
      modes.push(st.mode & 0o111 ? '100755' : '100644');
    }
  }
  const shas = await hashFiles(root, cfg, feed, write);
  const m = new Map<string, Entry>();
  paths.forEach((p, i) => m.set(p, { mode: modes[i], sha: shas[i] }));
  return m;
}

function snapshotMessage(o: SnapshotOptions): string {
  return `agentguard snapshot ${o.session}/${o.n}\n\nSession: ${o.session}\nNumber: ${o.n}\nCommand: ${JSON.stringify(o.command)}\n`;
}

/**
 * Records the working tree (tracked content with uncommitted changes, untracked files that are
 * not ignored) as a commit under refs/agentguard/snapshots/<session>/<n>.
 */
export function takeSnapshot(root: string, opts: SnapshotOptions): Promise<SnapshotResult> {
  return withTimeLimit(opts.timeoutMs, () => take(root, opts));
}

async function take(root: string, opts: SnapshotOptions): Promise<SnapshotResult> {
  checkSession(opts.session);
  if (!Number.isSafeInteger(opts.n) || opts.n < 0) throw new Error(`snapshot number ${opts.n} is not a whole number`);
  const cfg = await hardenedConfig(root);
  const top = await topLevel(root, cfg);
  const ref = `${SNAPSHOT_PREFIX}${opts.session}/${opts.n}`;
  const head = await headCommit(top, cfg);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'agentguard-snap-'));
  try {
    const index = path.join(tmp, 'index');
    const env = { GIT_INDEX_FILE: index };
    // Seed from the user's index (staged work, and its stat data so unchanged files are not
    // read); without one, from HEAD's tree; in an empty repository, from nothing.
    const real = await gitPath(top, cfg, 'index');
    if (fs.existsSync(real)) {
      // The copy keeps the index's mtime: git content-checks entries as new as the index
      // (racily clean ones), and a fresher mtime would hide a same-size edit made in that second.
      const st = fs.statSync(real);
      fs.copyFileSync(real, index);
      fs.utimesSync(index, st.atime, st.mtime);
    }
    else if (head) await gitOrThrow(top, [...cfg, 'read-tree', head], { env });

    // Tracked entries that differ from the index (C), were deleted (R), are unmerged (M),
    // and untracked files that are not ignored (?).
    const listed = splitZ((await gitOrThrow(top, [...cfg, 'ls-files', '-z', '-t', '-m', '-d', '-o', '--exclude-standard'], { env })).stdout);
    const removed = new Set<string>();
    const candidates = new Set<string>();
    const unmerged = new Set<string>();
    for (const line of listed) {
      const tag = line.slice(0, 1);
      const p = line.slice(2);
      if (tag === 'R') removed.add(p);
      else if (tag === 'M') unmerged.add(p);
      candidates.add(p);
    }
    for (const p of unmerged) candidates.add(p);
    const stored: string[] = [];
    const skipped: Skipped[] = [];
    const drop: string[] = [];
    for (const p of candidates) {
      if (p.includes('\uFFFD')) {
        // Names that are not UTF-8 are read here as text and cannot be addressed again.
        skipped.push({ path: p, bytes: 0, reason: 'unreadable' });
        continue;
      }
      if (p.endsWith('/')) {
        skipped.push({ path: p, bytes: 0, reason: 'nested-repository' });
        continue;
      }
      let st: fs.Stats;
      try {
        st = fs.lstatSync(path.join(top, p));
      } catch {
        drop.push(p); // deleted in the work tree: the snapshot lacks it too
        continue;
      }
      if (st.isDirectory()) {
        // A tracked submodule or a directory where a file was: its contents are not ours to store.
        if (!removed.has(p)) skipped.push({ path: p, bytes: 0, reason: 'not-a-file' });
        continue;
      }
      if (!st.isFile() && !st.isSymbolicLink()) {
        skipped.push({ path: p, bytes: st.size, reason: 'not-a-file' });
        drop.push(p);
        continue;
      }
      if (st.isFile() && st.size > opts.maxFileBytes) {
        // Dropped from the tree rather than kept at its index version, so restore leaves it alone.
        skipped.push({ path: p, bytes: st.size, reason: 'too-large' });
        drop.push(p);
        continue;
      }
      stored.push(p);
    }
    const hashed = await hashPaths(top, cfg, tmp, stored, true);
    const nullSha = '0'.repeat((head ?? (await gitOrThrow(top, [...cfg, 'hash-object', '--stdin'], { input: '' })).stdout.toString().trim()).length);
    const lines: string[] = [];
    // A mode-0 line removes every stage of a path, so unmerged paths become one stage-0 entry.
    for (const p of [...drop, ...stored]) lines.push(`0 ${nullSha}\t${p}`);
    for (const p of stored) {
      const e = hashed.get(p)!;
      lines.push(`${e.mode} ${e.sha}\t${p}`);
    }
    if (lines.length) await gitOrThrow(top, [...cfg, 'update-index', '-z', '--index-info'], { env, input: lines.join('\0') + '\0' });
    const tree = (await gitOrThrow(top, [...cfg, 'write-tree'], { env })).stdout.toString('utf8').trim();
    const ident = { GIT_AUTHOR_NAME: 'agentguard', GIT_AUTHOR_EMAIL: 'agentguard@localhost', GIT_COMMITTER_NAME: 'agentguard', GIT_COMMITTER_EMAIL: 'agentguard@localhost' };
    const commit = (
      await gitOrThrow(top, [...cfg, 'commit-tree', '--no-gpg-sign', ...(head ? ['-p', head] : []), '-F', '-', tree], { env: ident, input: snapshotMessage(opts) })
    ).stdout
      .toString('utf8')
      .trim();
    // The empty old value makes update-ref refuse to replace an existing snapshot.
    await gitOrThrow(top, [...cfg, 'update-ref', '-m', `agentguard snapshot ${opts.session}/${opts.n}`, ref, commit, ''], {});
    stored.sort();
    skipped.sort((a, b) => (a.path < b.path ? -1 : 1));
    return { ref, commit, stored, skipped };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

function parseMessage(body: string): { session?: string; n?: number; command: string } {
  const field = (name: string) => new RegExp(`^${name}: (.*)$`, 'm').exec(body)?.[1];
  let command: string;
  const raw = field('Command');
  try {
    command = raw ? (JSON.parse(raw) as string) : '';
  } catch {
    command = raw ?? '';
  }
  const n = field('Number');
  return { session: field('Session'), n: n === undefined ? undefined : Number(n), command };
}

/** The snapshots of one session (or all), oldest first. */
export async function listSnapshots(root: string, session?: string): Promise<SnapshotInfo[]> {
  if (session !== undefined) checkSession(session);
  const cfg = await hardenedConfig(root);
  const top = await topLevel(root, cfg);
  const under = session === undefined ? SNAPSHOT_PREFIX : `${SNAPSHOT_PREFIX}${session}/`;
  const out = await gitOrThrow(top, [...cfg, 'for-each-ref', '--format=%(refname)%00%(objectname)%00%(committerdate:unix)%00%(contents)%00', under]);
  const parts = out.stdout.toString('utf8').split('\0');
  const list: SnapshotInfo[] = [];
  for (let i = 0; i + 3 < parts.length; i += 4) {
    const ref = parts[i].replace(/^\n/, '');
    const rest = ref.slice(SNAPSHOT_PREFIX.length).split('/');
    const msg = parseMessage(parts[i + 3]);
    list.push({ ref, commit: parts[i + 1], session: rest[0], n: msg.n ?? Number(rest[1]), command: msg.command, time: Number(parts[i + 2]) * 1000 });
  }
  return list.sort((a, b) => (a.session === b.session ? a.n - b.n : a.session < b.session ? -1 : 1));
}

/** A full commit id (SHA-1 or SHA-256). */
const COMMIT_ID = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

/**
 * A snapshot named by its commit id, for one whose ref was deleted (`git update-ref -d`) while
 * the commit is still in the repository (found through the log). Null when git no longer has
 * the commit, or it is not an agentguard snapshot (its message says so).
 */
export async function snapshotAt(root: string, commit: string): Promise<SnapshotInfo | null> {
  if (!COMMIT_ID.test(commit)) throw new Error(`${commit} is not a full commit id`);
  const cfg = await hardenedConfig(root);
  const top = await topLevel(root, cfg);
  const r = await gitOrThrow(top, [...cfg, 'cat-file', 'commit', commit], { okStatus: [128] });
  if (r.status !== 0) return null;
  const text = r.stdout.toString('utf8');
  const blank = text.indexOf('\n\n');
  const body = blank < 0 ? '' : text.slice(blank + 2);
  if (!body.startsWith('agentguard snapshot ')) return null;
  const msg = parseMessage(body);
  const time = /^committer .* (\d+) [+-]\d{4}$/m.exec(text.slice(0, blank))?.[1];
  if (msg.session === undefined || msg.n === undefined || !Number.isSafeInteger(msg.n)) return null;
  return { ref: '', commit, session: msg.session, n: msg.n, command: msg.command, time: Number(time ?? 0) * 1000 };
}

/** `refs/agentguard/snapshots/s/3`, or `s/3` for short. */
function fullRef(ref: string): string {
  const full = ref.startsWith('refs/') ? ref : SNAPSHOT_PREFIX + ref;
  if (!full.startsWith(SNAPSHOT_PREFIX)) throw new Error(`${ref} is not an agentguard snapshot (refs under ${SNAPSHOT_PREFIX})`);
  return full;
}

interface TreeEntry {
  mode: string;
  sha: string;
}

async function treeEntries(root: string, cfg: string[], commit: string): Promise<Map<string, TreeEntry>> {
  const out = splitZ((await gitOrThrow(root, [...cfg, 'ls-tree', '-r', '-z', '--full-tree', commit])).stdout);
  const m = new Map<string, TreeEntry>();
  for (const line of out) {
    const tab = line.indexOf('\t');
    const [mode, , sha] = line.slice(0, tab).split(' ');
    const p = line.slice(tab + 1);
    // Snapshot refs live in a repository the agent can write: a hand-made tree could name
    // `..` or `.git` (git mktree accepts both) to send a restore outside the work tree.
    if (p.split('/').some((c) => c === '' || c === '.' || c === '..' || c.toLowerCase() === '.git') || !/^(100644|100755|120000|160000)$/.test(mode)) {
      throw new Error(`${commit} holds an entry git would never write (${mode} ${JSON.stringify(p)}): not restoring from it`);
    }
    m.set(p, { mode, sha });
  }
  return m;
}

/** Blob contents by id, through one `cat-file --batch`. */
async function readBlobs(root: string, cfg: string[], shas: string[]): Promise<Map<string, Buffer>> {
  const m = new Map<string, Buffer>();
  const uniq = [...new Set(shas)];
  if (uniq.length === 0) return m;
  const out = (await gitOrThrow(root, [...cfg, 'cat-file', '--batch'], { input: uniq.join('\n') + '\n' })).stdout;
  let at = 0;
  for (const sha of uniq) {
    const nl = out.indexOf(0x0a, at);
    const header = out.subarray(at, nl).toString('utf8').split(' ');
    if (header[0] !== sha || header[1] !== 'blob') throw new Error(`git cat-file: unexpected answer for ${sha}: ${header.join(' ')}`);
    const size = Number(header[2]);
    m.set(sha, out.subarray(nl + 1, nl + 1 + size));
    at = nl + 1 + size + 1;
  }
  return m;
}

/**
 * What is at `p` now. A parent directory replaced by a file or a symlink is `blocked`: writing
 * through a symlinked parent would land outside the work tree.
 */
function lookAt(root: string, p: string): { kind: 'missing' | 'dir' | 'other' | 'file' | 'link' | 'blocked'; at?: string; mode?: string } {
  const parts = p.split('/');
  let cur = root;
  for (let i = 0; i < parts.length - 1; i++) {
    cur = path.join(cur, parts[i]);
    let st: fs.Stats;
    try {
      st = fs.lstatSync(cur);
    } catch {
      return { kind: 'missing' };
    }
    if (!st.isDirectory()) return { kind: 'blocked', at: parts.slice(0, i + 1).join('/') };
  }
  let st: fs.Stats;
  try {
    st = fs.lstatSync(path.join(root, p));
  } catch {
    return { kind: 'missing' };
  }
  if (st.isSymbolicLink()) return { kind: 'link', mode: '120000' };
  if (st.isFile()) return { kind: 'file', mode: st.mode & 0o111 ? '100755' : '100644' };
  if (st.isDirectory()) return { kind: 'dir' };
  return { kind: 'other' };
}

/** Makes the directories above `p`, replacing a file or symlink in the way (force only). */
function makeParents(root: string, p: string): void {
  const parts = p.split('/');
  let cur = root;
  for (let i = 0; i < parts.length - 1; i++) {
    cur = path.join(cur, parts[i]);
    const st = fs.lstatSync(cur, { throwIfNoEntry: false });
    if (st && !st.isDirectory()) fs.rmSync(cur, { force: true });
    if (!st || !st.isDirectory()) fs.mkdirSync(cur);
  }
}

function writeEntry(root: string, p: string, mode: string, content: Buffer): void {
  makeParents(root, p);
  const abs = path.join(root, p);
  const tmp = path.join(path.dirname(abs), `.agentguard-restore-${process.pid}-${Math.random().toString(36).slice(2)}`);
  if (mode === '120000') fs.symlinkSync(content, tmp);
  else fs.writeFileSync(tmp, content, { mode: mode === '100755' ? 0o777 : 0o666 });
  try {
    const st = fs.lstatSync(abs, { throwIfNoEntry: false });
    if (st?.isDirectory()) fs.rmSync(abs, { recursive: true }); // only reached with force, or an empty-of-work dir
    fs.renameSync(tmp, abs);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}

/**
 * Brings the work tree back to the snapshot: every file the snapshot holds gets its content and
 * mode back; files made since that it lacks are left alone (and listed). Refuses, naming the
 * paths, when a file differs from the snapshot and holds content git has nowhere else (not the
 * snapshot's, not HEAD's, not the index's): that is work done after the snapshot. `force`
 * overwrites it. `ref` is the snapshot's ref (`s/3` for short) or its full commit id.
 */
export async function restoreSnapshot(root: string, ref: string, opts: { force?: boolean } = {}): Promise<RestoreResult> {
  const cfg = await hardenedConfig(root);
  const top = await topLevel(root, cfg);
  // A commit id names a snapshot whose ref is gone: it must still be one of ours.
  const byCommit = COMMIT_ID.test(ref);
  const full = byCommit ? ref : fullRef(ref);
  if (byCommit && !(await snapshotAt(top, ref))) throw new Error(`no snapshot ${ref}: git no longer has that commit, or it is not an agentguard snapshot`);
  const commit = (await gitOrThrow(top, [...cfg, 'rev-parse', '--verify', '-q', `${full}^{commit}`], { okStatus: [1] })).stdout.toString('utf8').trim();
  if (!commit) throw new Error(`no snapshot ${full}`);
  const want = await treeEntries(top, cfg, commit);

  // Where else current content may already be kept: HEAD now, HEAD then, and the user's index.
  const known = new Set<string>();
  // The trees are read only when some file differs from the snapshot.
  const addTrees = async () => {
    const head = await headCommit(top, cfg);
    const parent = (await gitOrThrow(top, [...cfg, 'rev-parse', '--verify', '-q', `${commit}^1`], { okStatus: [1, 128] })).stdout.toString('utf8').trim();
    for (const c of new Set([head, parent].filter((x): x is string => !!x))) for (const e of (await treeEntries(top, cfg, c)).values()) known.add(e.sha);
  };
  // The user's index, read only: a path whose index entry is the snapshot's and whose file
  // git's stat check finds unchanged needs no reading (most of a large tree).
  const indexed = new Map<string, TreeEntry>();
  for (const line of splitZ((await gitOrThrow(top, [...cfg, 'ls-files', '-z', '-s'])).stdout)) {
    const tab = line.indexOf('\t');
    const [mode, sha, stage] = line.slice(0, tab).split(' ');
    known.add(sha);
    if (stage === '0') indexed.set(line.slice(tab + 1), { mode, sha });
  }
  const dirty = new Set(splitZ((await gitOrThrow(top, [...cfg, 'ls-files', '-z', '-m', '-d'])).stdout));

  const toHash: string[] = [];
  const notRestored: string[] = [];
  const conflicts: string[] = [];
  const todo: string[] = [];
  const state = new Map<string, ReturnType<typeof lookAt>>();
  for (const p of want.keys()) {
    const w = want.get(p)!;
    if (w.mode === '160000') continue; // submodule: its own repository
    if (p.includes('\uFFFD')) {
      notRestored.push(p); // a name that is not UTF-8 (see take)
      continue;
    }
    const ix = indexed.get(p);
    if (ix && ix.sha === w.sha && ix.mode === w.mode && !dirty.has(p)) continue;
    const now = lookAt(top, p);
    state.set(p, now);
    if (now.kind === 'file' || now.kind === 'link') toHash.push(p);
    else if (now.kind === 'missing') todo.push(p);
    else if (now.kind === 'blocked') {
      conflicts.push(now.at!);
      todo.push(p);
    }
    else if (now.kind === 'dir') {
      const inside = fs.readdirSync(path.join(top, p)).length;
      if (inside > 0) conflicts.push(p);
      todo.push(p);
    } else {
      conflicts.push(p);
      todo.push(p);
    }
  }
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'agentguard-restore-'));
  let current: Map<string, Entry>;
  try {
    current = await hashPaths(top, cfg, tmp, toHash, false);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  const modeOnly: string[] = [];
  if ([...current].some(([p, e]) => e.sha !== want.get(p)!.sha)) await addTrees();
  for (const [p, e] of current) {
    const w = want.get(p)!;
    if (e.sha === w.sha && (e.mode === w.mode || (e.mode !== '120000' && w.mode !== '120000'))) {
      if (e.mode !== w.mode) modeOnly.push(p);
      continue;
    }
    if (!known.has(e.sha)) conflicts.push(p);
    todo.push(p);
  }
  const uniqConflicts = [...new Set(conflicts)].sort();
  if (uniqConflicts.length && !opts.force) throw new SnapshotConflict(uniqConflicts);

  const blobs = await readBlobs(
    top,
    cfg,
    todo.map((p) => want.get(p)!.sha),
  );
  for (const p of todo.sort()) {
    const w = want.get(p)!;
    writeEntry(top, p, w.mode, blobs.get(w.sha)!);
  }
  for (const p of modeOnly) fs.chmodSync(path.join(top, p), w755(want.get(p)!.mode, fs.statSync(path.join(top, p)).mode));

  // Files now present (tracked or untracked, not ignored) that the snapshot does not have.
  const present = splitZ((await gitOrThrow(top, [...cfg, 'ls-files', '-z', '-c', '-o', '--exclude-standard'])).stdout);
  const leftAlone = [...new Set(present)].filter((p) => !want.has(p) && fs.lstatSync(path.join(top, p), { throwIfNoEntry: false })).sort();
  return { ref: full, commit, restored: [...todo, ...modeOnly].sort(), leftAlone, overwritten: opts.force ? uniqConflicts : [], notRestored };
}

function w755(mode: string, now: number): number {
  const perm = now & 0o777;
  return mode === '100755' ? perm | ((perm & 0o444) >> 2) : perm & ~0o111;
}

/** Removes snapshots older than `olderThanMs`, or of one `session` (both: those of the session older than that). */
export async function pruneSnapshots(root: string, opts: { olderThanMs?: number; session?: string; now?: number }): Promise<string[]> {
  if (opts.olderThanMs === undefined && opts.session === undefined) throw new Error('pruneSnapshots needs olderThanMs or session');
  const list = await listSnapshots(root, opts.session);
  const cutoff = (opts.now ?? Date.now()) - (opts.olderThanMs ?? -Infinity);
  const gone = list.filter((s) => opts.olderThanMs === undefined || s.time < cutoff);
  if (gone.length === 0) return [];
  const cfg = await hardenedConfig(root);
  const top = await topLevel(root, cfg);
  // Deleting with the id we listed: a snapshot retaken in between is kept.
  await gitOrThrow(top, [...cfg, 'update-ref', '--stdin', '-z'], { input: gone.map((s) => `delete ${s.ref}\0${s.commit}\0`).join('') });
  return gone.map((s) => s.ref);
}

export { GitError };
