// `agentguard undo` and `agentguard snapshots`: the person's side of snapshots. Lists the
// snapshots of a repository (those a session log records: by their ref under
// refs/agentguard/snapshots, or by commit once the ref is gone), restores one into the working
// tree, records the restore in the `undo-<day>` log, and prunes old snapshots. The snapshot
// engine is src/git/snapshot.ts; this module chooses, prints and records.
import type { Command } from 'commander';
import fs from 'node:fs';
import path from 'node:path';
import { escapeForTerminal, paint as chalk } from '../ui/display.js';
import type { LogRecord } from '../log/store.js';

/** Exit statuses: as the project's other commands (3: usage, or nothing could be done). */
const EXIT_REFUSED = 1;
const EXIT_USAGE = 3;

class UndoUsage extends Error {}

/** One snapshot the person can restore. */
export interface Undoable {
  /** `<session>/<n>`: what `agentguard undo` takes. */
  name: string;
  session: string;
  n: number;
  commit: string;
  /** Its ref; null when the ref was deleted and the snapshot is known from the log. */
  ref: string | null;
  /** Unix ms. */
  time: number;
  command: string;
  /** From the log's snapshot record, when there is one. */
  stored?: number;
  skippedCount?: number;
  skipped?: string[];
}

/** The directory a log's `repo` names, resolved the way the repository's root is (symlinks). */
function sameDir(a: string, b: string): boolean {
  if (a === b) return true;
  try {
    return fs.realpathSync(a) === fs.realpathSync(b);
  } catch {
    return false;
  }
}

/**
 * Every `snapshot` record any log holds for this work tree, oldest first, and the commits
 * recorded for other work trees: linked worktrees share refs, and a snapshot of one is not
 * restored into another.
 */
async function loggedSnapshots(root: string): Promise<{ mine: LogRecord[]; elsewhere: Set<string> }> {
  const [{ listLogs, readLog }, { snapshotKind }] = await Promise.all([import('../log/read.js'), import('../log/record.js')]);
  const out: LogRecord[] = [];
  const elsewhere = new Set<string>();
  for (const head of listLogs()) {
    let records: LogRecord[];
    try {
      // Most logs hold no snapshot: only those that name one are parsed.
      if (!fs.readFileSync(head.file, 'utf8').includes('"snapshot"')) continue;
      records = readLog(head.file).records;
    } catch {
      continue; // a log that cannot be read has no snapshot to offer; `agentguard log verify` says why
    }
    for (const r of records) {
      if (r.type === 'decision' || snapshotKind(r) !== 'snapshot') continue;
      if (typeof r.commit !== 'string' || typeof r.repo !== 'string') continue;
      if (sameDir(r.repo, root)) out.push(r);
      else elsewhere.add(r.commit);
    }
  }
  return { mine: out.sort((a, b) => String(a.time).localeCompare(String(b.time))), elsewhere };
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/**
 * The repository's snapshots, newest session first and newest first within a session: the
 * refs, and the log's snapshots whose ref is gone but whose commit git still has.
 */
export async function gatherSnapshots(root: string): Promise<Undoable[]> {
  const { listSnapshots, snapshotAt, SNAPSHOT_PREFIX } = await import('../git/snapshot.js');
  const [all, logged] = await Promise.all([listSnapshots(root), loggedSnapshots(root)]);
  const fromLog = new Map<string, LogRecord>();
  for (const r of logged.mine) fromLog.set(r.commit as string, r);
  // Only a ref whose commit a log records for this work tree: the refs live in a repository the
  // agent can write, and a ref made or moved there (git update-ref, a file under .git/refs)
  // would have undo write the agent's chosen files. The logs are out of the agent's reach.
  const refs = all.filter((s) => fromLog.has(s.commit));
  // The log's time is to the millisecond (a commit's to the second): it orders snapshots taken in one second.
  const facts = (r: LogRecord | undefined) =>
    r
      ? {
          ...(typeof r.time === 'string' && Number.isFinite(Date.parse(r.time)) ? { time: Date.parse(r.time) } : {}),
          stored: num(r.stored),
          skippedCount: num(r.skippedCount) ?? (Array.isArray(r.skipped) ? r.skipped.length : undefined),
          skipped: Array.isArray(r.skipped) ? (r.skipped as { path?: unknown }[]).map((x) => String(x?.path)) : undefined,
        }
      : {};
  const items: Undoable[] = refs.map((s) => ({ name: `${s.session}/${s.n}`, session: s.session, n: s.n, commit: s.commit, ref: s.ref, time: s.time, command: s.command, ...facts(fromLog.get(s.commit)) }));
  const have = new Set(items.map((i) => i.commit));
  const names = new Set(items.map((i) => i.name));
  for (const r of [...fromLog.values()].reverse()) {
    const commit = r.commit as string;
    if (have.has(commit) || !/^[0-9a-f]{40,64}$/.test(commit)) continue;
    have.add(commit);
    const info = await snapshotAt(root, commit).catch(() => null);
    if (!info) continue; // git no longer has it (gc'd after the ref went): nothing to restore
    const fromRef = typeof r.ref === 'string' && r.ref.startsWith(SNAPSHOT_PREFIX) ? r.ref.slice(SNAPSHOT_PREFIX.length) : `${info.session}/${info.n}`;
    // A snapshot retaken under the same name has the ref: this one goes by its commit id.
    const name = names.has(fromRef) ? commit.slice(0, 12) : fromRef;
    names.add(name);
    items.push({ name, session: info.session, n: info.n, commit, ref: null, time: info.time, command: info.command, ...facts(r) });
  }
  const newest = new Map<string, number>();
  for (const i of items) newest.set(i.session, Math.max(newest.get(i.session) ?? 0, i.time));
  return items.sort((a, b) => (a.session === b.session ? b.n - a.n : newest.get(b.session)! - newest.get(a.session)! || (a.session < b.session ? 1 : -1)));
}

/** `<session>/<n>`, `<n>` (the newest session that has one), `latest`, or a commit id (or its first 7+ digits). */
export function resolveSnapshot(which: string, items: readonly Undoable[]): Undoable {
  const known = () => (items.length ? ` (known: ${items.slice(0, 5).map((i) => i.name).join(', ')}${items.length > 5 ? ', …' : ''}; see agentguard undo)` : ': this repository has no snapshots');
  if (which === 'latest') {
    if (!items.length) throw new UndoUsage('no snapshot to restore: this repository has no snapshots');
    return items[0];
  }
  if (/^\d+$/.test(which)) {
    const hit = items.find((i) => i.n === Number(which));
    if (!hit) throw new UndoUsage(`no snapshot number ${which} in any session${known()}`);
    return hit;
  }
  const name = which.replace(/^refs\/agentguard\/snapshots\//, '');
  const hit = items.find((i) => i.name === name) ?? (/^[0-9a-f]{7,64}$/.test(which) ? items.find((i) => i.commit.startsWith(which)) : undefined);
  if (!hit) throw new UndoUsage(`no snapshot ${which}${known()}`);
  return hit;
}

function age(ms: number, now: number): string {
  const s = Math.max(0, Math.round((now - ms) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ago`;
  return `${Math.floor(s / 86400)}d ago`;
}

/** The command as one short line (a long or multi-line one shows its beginning). */
function shortCommand(c: string): string {
  const first = c.split('\n')[0];
  const cut = first.length > 80 ? first.slice(0, 79) + '…' : first;
  return escapeForTerminal(cut + (first !== c && cut === first ? ' …' : ''));
}

export function formatList(root: string, items: readonly Undoable[], now = Date.now()): string {
  if (!items.length) return `No snapshots in ${escapeForTerminal(root)}.\nagentguard takes one before a command that would lose work in a git repository (when the person approves it, or the policy flags it as destructive).`;
  const lines = [`Snapshots in ${escapeForTerminal(root)} (newest session first):`];
  let session = '';
  for (const i of items) {
    if (i.session !== session) {
      session = i.session;
      lines.push(chalk.bold(`  session ${escapeForTerminal(session)}`));
    }
    const files =
      i.stored === undefined
        ? ''
        : `  ${i.stored} file${i.stored === 1 ? '' : 's'} stored${i.skippedCount ? `, ${i.skippedCount} not stored (${(i.skipped ?? []).slice(0, 3).map((p) => escapeForTerminal(p)).join(', ')}${i.skippedCount > 3 ? ', …' : ''})` : ''}`;
    const gone = i.ref === null ? chalk.yellow('  (ref deleted, from the log)') : '';
    lines.push(`    ${chalk.cyan(escapeForTerminal(i.name).padEnd(12))} ${chalk.dim(age(i.time, now).padEnd(8))} before: ${shortCommand(i.command)}${chalk.dim(files)}${gone}`);
  }
  lines.push('', `Restore one with: agentguard undo ${escapeForTerminal(items[0].name)}   (or a number: the newest session's; "latest": the newest snapshot)`);
  lines.push(chalk.dim('It writes the snapshot\'s files back; files made since are left alone; later changes to its files are not overwritten without --force.'));
  return lines.join('\n');
}

/** The repository of --repo or the cwd: its top directory. */
async function repoRoot(dir: string | undefined): Promise<string> {
  const { repoOf } = await import('../git/repo.js');
  const where = path.resolve(dir ?? process.cwd());
  if (dir !== undefined && !fs.existsSync(where)) throw new UndoUsage(`--repo ${dir}: no such directory`);
  const repo = repoOf(where);
  if (!repo) throw new UndoUsage(`${where} is not inside a git repository (snapshots live in a repository's refs; use --repo DIR)`);
  return repo.root;
}

const out = (s: string) => process.stdout.write(s + '\n');
const warn = (s: string) => process.stderr.write(`agentguard: ${s}\n`);

/** Runs an action, turning usage problems into exit 3 with the message (not commander's generic one). */
function guarded<A extends unknown[]>(fn: (...a: A) => Promise<void>): (...a: A) => Promise<void> {
  return async (...a: A) => {
    try {
      await fn(...a);
    } catch (e) {
      if (!(e instanceof UndoUsage)) throw e;
      warn(e.message);
      process.exitCode = EXIT_USAGE;
    }
  };
}

async function list(flags: { repo?: string; json?: boolean }): Promise<void> {
  const root = await repoRoot(flags.repo);
  const items = await gatherSnapshots(root);
  out(flags.json ? JSON.stringify(items) : formatList(root, items));
  process.exitCode = 0;
}

/** Appends the restore to today's `undo` log; a log that cannot be written is said, and the restore stands. */
async function recordRestore(fields: Record<string, unknown>): Promise<void> {
  try {
    const [{ dailyLog }, { anchorSettings }, { detachedAnchor }] = await Promise.all([import('../log/record.js'), import('../anchor/settings.js'), import('../anchor/writer.js')]);
    const log = dailyLog('undo', { anchor: detachedAnchor(await anchorSettings()) });
    log.append(String(fields.kind), fields);
    await log.end();
  } catch (e) {
    warn(`the files were restored, but the log could not be written: ${(e as Error).message}`);
  }
}

async function undo(which: string, flags: { force?: boolean; repo?: string; json?: boolean }): Promise<void> {
  const root = await repoRoot(flags.repo);
  const items = await gatherSnapshots(root);
  const s = resolveSnapshot(which, items);
  const [{ restoreSnapshot, SnapshotConflict }, { restoreRecord }] = await Promise.all([import('../git/snapshot.js'), import('../log/record.js')]);
  let r;
  try {
    // By the commit listed (the one the log records), not the ref: it may have moved since.
    r = await restoreSnapshot(root, s.commit, { force: flags.force });
  } catch (e) {
    if (!(e instanceof SnapshotConflict)) throw e;
    if (flags.json) out(JSON.stringify({ snapshot: s.name, commit: s.commit, restored: false, conflicts: e.paths }));
    else {
      const shown = e.paths.slice(0, 10).map((p) => `  ${escapeForTerminal(p)}`);
      out(`${chalk.yellow('Not restored:')} ${escapeForTerminal(s.name)} would overwrite changes made after the snapshot in ${e.paths.length} path${e.paths.length === 1 ? '' : 's'}:`);
      out([...shown, ...(e.paths.length > 10 ? [`  … (${e.paths.length} in all)`] : [])].join('\n'));
      out(`Move them aside (or commit them) and run agentguard undo ${escapeForTerminal(s.name)} again, or add --force to overwrite them.`);
    }
    process.exitCode = EXIT_REFUSED;
    return;
  }
  await recordRestore(restoreRecord({ repo: root, ref: s.ref ?? `refs/agentguard/snapshots/${s.session}/${s.n}`, commit: s.commit, restored: r.restored.length, overwritten: r.overwritten.length, force: !!flags.force, session: s.session, fromLog: s.ref === null }));
  if (flags.json) {
    out(JSON.stringify({ snapshot: s.name, commit: s.commit, restored: r.restored, overwritten: r.overwritten, leftAlone: r.leftAlone, notRestored: r.notRestored }));
  } else {
    const few = (ps: string[]) => ps.slice(0, 5).map((p) => escapeForTerminal(p)).join(', ') + (ps.length > 5 ? `, … (${ps.length} in all)` : '');
    out(`${chalk.green('Restored')} ${escapeForTerminal(s.name)} (taken ${age(s.time, Date.now())}, before: ${shortCommand(s.command)}) into ${escapeForTerminal(root)}`);
    out(r.restored.length ? `  ${r.restored.length} file${r.restored.length === 1 ? '' : 's'} written: ${few(r.restored)}` : '  nothing to write: the working tree already matches the snapshot');
    if (r.overwritten.length) out(chalk.yellow(`  ${r.overwritten.length} later change${r.overwritten.length === 1 ? '' : 's'} overwritten (--force): ${few(r.overwritten)}`));
    if (r.leftAlone.length) out(chalk.dim(`  ${r.leftAlone.length} file${r.leftAlone.length === 1 ? '' : 's'} the snapshot does not have, left alone: ${few(r.leftAlone)}`));
    if (r.notRestored.length) out(chalk.yellow(`  ${r.notRestored.length} file${r.notRestored.length === 1 ? '' : 's'} whose names are not UTF-8, not restored: ${few(r.notRestored)}`));
    if (s.skippedCount) out(chalk.yellow(`  ${s.skippedCount} file${s.skippedCount === 1 ? ' was' : 's were'} too large or unreadable and never stored: ${few(s.skipped ?? [])}`));
    out(chalk.dim('  Your index, branches and stash are unchanged: review with git status / git diff.'));
  }
  process.exitCode = 0;
}

async function prune(flags: { olderThan?: string; session?: string; repo?: string; dryRun?: boolean; json?: boolean }): Promise<void> {
  const { parseDuration } = await import('./duration.js');
  let olderThanMs: number | undefined;
  try {
    olderThanMs = flags.olderThan === undefined ? undefined : parseDuration(flags.olderThan);
  } catch (e) {
    throw new UndoUsage(`--older-than: ${(e as Error).message}`);
  }
  if (flags.session !== undefined && !/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(flags.session)) throw new UndoUsage(`--session ${flags.session}: not a session id`);
  // Without either, the default age: prune never removes every snapshot by accident.
  if (olderThanMs === undefined && flags.session === undefined) olderThanMs = parseDuration('14d');
  const root = await repoRoot(flags.repo);
  const { listSnapshots, pruneSnapshots, SNAPSHOT_PREFIX } = await import('../git/snapshot.js');
  let removed: string[];
  if (flags.dryRun) {
    const cutoff = Date.now() - (olderThanMs ?? -Infinity);
    removed = (await listSnapshots(root, flags.session)).filter((s) => olderThanMs === undefined || s.time < cutoff).map((s) => s.ref);
  } else removed = await pruneSnapshots(root, { olderThanMs, session: flags.session });
  const names = removed.map((r) => r.slice(SNAPSHOT_PREFIX.length));
  if (flags.json) out(JSON.stringify({ removed: names, dryRun: !!flags.dryRun }));
  else {
    const verb = flags.dryRun ? 'would remove' : 'removed';
    out(`${verb} ${names.length} snapshot${names.length === 1 ? '' : 's'}${names.length ? `: ${names.map((n) => escapeForTerminal(n)).join(', ')}` : ''}`);
    if (names.length && !flags.dryRun) out(chalk.dim('git drops their files at its next gc once nothing else refers to them.'));
  }
  process.exitCode = 0;
}

const LIST_HELP = `
Each snapshot is shown as SESSION/N with its age, the command it was taken before, and how many
files it stored (files over the size bound are listed, not stored: undo cannot bring those back).
Snapshots whose ref was deleted (git update-ref -d) are still listed, marked "(ref deleted, from the
log)", while the session logs record them and git still has their commit. A ref no log records
(made or moved by something other than agentguard) is not offered.`;

export function registerUndo(program: Command): void {
  program
    .command('undo [snapshot]')
    .description("Restore the working tree from a snapshot agentguard took before a command that would lose work; without SNAPSHOT, list the repository's snapshots.")
    .option('--force', 'overwrite files changed after the snapshot (otherwise undo refuses and names them)')
    .option('--repo <dir>', 'the git repository (default: the one the current directory is in)')
    .option('--json', 'print the list, or what was restored, as JSON')
    .addHelpText(
      'after',
      `
SNAPSHOT is SESSION/N as listed, N alone (snapshot N of the newest session that has one), "latest"
(the newest snapshot), or a commit id. A restore writes back every file the snapshot holds (content
and mode), including untracked files; files made since that it lacks are left alone. It never
touches your index, HEAD, branches or stash: review with git status and git diff. Each restore is
recorded in the log (agentguard log undo-<day>).
${LIST_HELP}

Exit status: 0 listed (also when there are none) or restored; 1 not restored because it would
overwrite later changes (they are named; --force overwrites them); 3 usage error (no such snapshot,
not in a git repository) or failure.

Examples:
  agentguard undo                 list the snapshots of this repository
  agentguard undo latest          restore the newest snapshot
  agentguard undo 3               snapshot 3 of the newest session that has one
  agentguard undo s-1a2b/3 --force`,
    )
    .action(guarded((which: string | undefined, flags: { force?: boolean; repo?: string; json?: boolean }) => (which === undefined ? list(flags) : undo(which, flags))));

  const snapshots = program
    .command('snapshots')
    .description('List or prune the snapshots agentguard keeps in a repository (under refs/agentguard/snapshots).')
    .addHelpText('after', '\n"agentguard snapshots" is "agentguard snapshots list"; see also "agentguard snapshots prune --help".');
  snapshots
    .command('list', { isDefault: true })
    .description('List the snapshots of the repository, newest session first (as agentguard undo without an argument).')
    .option('--repo <dir>', 'the git repository (default: the one the current directory is in)')
    .option('--json', 'print as JSON')
    .addHelpText('after', `${LIST_HELP}\n\nExit status: 0 (also when there are none: --json prints []); 3 not in a git repository.`)
    .action(guarded(list));
  snapshots
    .command('prune')
    .description('Remove snapshots: those older than a duration (default 14d), or those of one session.')
    .option('--older-than <duration>', 'remove snapshots taken longer ago than this (30m, 2h, 14d, 2w); default 14d when --session is not given')
    .option('--session <id>', "remove this session's snapshots (with --older-than: only its older ones)")
    .option('--repo <dir>', 'the git repository (default: the one the current directory is in)')
    .option('--dry-run', 'print what would be removed, remove nothing')
    .option('--json', 'print {removed, dryRun} as JSON')
    .addHelpText(
      'after',
      `
Removing a snapshot deletes its ref; git frees its files at a later gc. Snapshots whose ref was
already deleted are not pruned here (git's own gc drops them).

Exit status: 0 (also when nothing was old enough); 3 usage error or not in a git repository.`,
    )
    .action(guarded(prune));
}
