// `agentguard sessions` and `agentguard log`: reviewing what an agent did.
import type { Command } from 'commander';
import fs from 'node:fs';
import path from 'node:path';

export function registerLog(program: Command): void {
  program
    .command('sessions')
    .description('List recorded sessions: start, length, decisions per action, agent command, workspace.')
    .option('--json', 'print as JSON')
    .action(async (flags: { json?: boolean }) => {
      const { listSessions } = await import('../log/read.js');
      const { formatSessions } = await import('../ui/review.js');
      const list = listSessions();
      process.stdout.write((flags.json ? JSON.stringify(list) : formatSessions(list)) + '\n');
    });

  const log = program.command('log').description('Review a session log (default: the latest session), verify it, or prune old sessions.');
  log
    .command('show [session]', { isDefault: true })
    .description('Show a session as a timeline: time, action, command, rules. SESSION is an id or "latest".')
    .option('--action <action>', 'only decisions with this action: allow, ask or deny')
    .option('--since <duration>', 'only records newer than this (30m, 2h, 7d)')
    .option('--grep <text>', 'only records containing this text')
    .option('--all-sessions', 'every session, oldest first')
    .option('--json', 'print the records as JSON Lines (for jq)')
    .option('--follow', 'keep printing new records as a running session writes them')
    .action(async (session: string | undefined, flags: { action?: string; since?: string; grep?: string; allSessions?: boolean; json?: boolean; follow?: boolean }) => {
      const { listSessions, readRecords } = await import('../log/read.js');
      const { formatRecord, matchesFilter, parseDuration } = await import('../ui/review.js');
      if (flags.action && !['allow', 'ask', 'deny'].includes(flags.action)) throw new Error(`--action must be allow, ask or deny, not ${flags.action}`);
      const filter = { action: flags.action as 'allow' | 'ask' | 'deny' | undefined, sinceMs: flags.since ? parseDuration(flags.since) : undefined, grep: flags.grep };
      const all = listSessions();
      const chosen = flags.allSessions ? all : [pick(all, session ?? 'latest')];
      const print = (r: import('../log/store.js').LogRecord) => {
        if (matchesFilter(r, filter)) process.stdout.write((flags.json ? JSON.stringify(r) : formatRecord(r)) + '\n');
      };
      for (const s of chosen) {
        if (!flags.json && chosen.length > 1) process.stdout.write(`── ${s.id}\n`);
        for (const r of readRecords(s.file)) print(r);
      }
      if (flags.follow && chosen.length === 1) await follow(chosen[0].file, print);
    });
  log
    .command('verify [session]')
    .description('Check a session (or --all) against its hash chain, MACs, the index and the anchor; one verdict per session.')
    .option('--all', 'every session, and every session the anchor knows but the disk lacks')
    .option('--json', 'print the verdicts as JSON Lines')
    .addHelpText(
      'after',
      `
Verdicts: intact; running (intact so far, its writer is alive); edited (the first bad record, #seq as
\`agentguard log\` numbers them); truncated (the index or the anchor knows more records); missing (the
anchor or the index knows the session, the disk lacks it); wrong-key (sealed with another key than
yours); unterminated (no session-end and its writer is dead: crashed or killed); unanchored (no journal
or syslog was available, or it has no record of the session: nothing outside your account confirms it).

Exit status: 0 every session intact or running; 1 any edited, truncated or missing; 2 otherwise
(only wrong-key, unterminated or unanchored: not proven either way).`,
    )
    .action(async (session: string | undefined, flags: { all?: boolean; json?: boolean }) => {
      const [{ listSessions }, { verifyAll, verifySession, VERDICT_EXIT }, { anchorSettings, chooseAnchor }, { readAnchor }] = await Promise.all([
        import('../log/read.js'),
        import('../log/verify.js'),
        import('../anchor/settings.js'),
        import('../anchor/read.js'),
      ]);
      const settings = await anchorSettings();
      const opts = { readAnchor: (kind: string) => readAnchor(kind, settings), defaultAnchor: chooseAnchor(settings).kind };
      const results = flags.all ? verifyAll(opts) : [verifySession(session && session !== 'latest' ? session : pick(listSessions(), 'latest').id, opts)];
      for (const r of results) {
        if (flags.json) process.stdout.write(JSON.stringify(r) + '\n');
        else process.stdout.write(`${r.verdict.padEnd(12)} ${r.session}: ${r.reason}${r.notes.length ? ` (${r.notes.join('; ')})` : ''}\n`);
      }
      const codes = new Set(results.map((r) => VERDICT_EXIT[r.verdict]));
      process.exitCode = codes.has(1) ? 1 : codes.has(2) ? 2 : 0;
    });
  log
    .command('prune')
    .description('Delete sessions whose last record is older than a duration, and their index entries.')
    .requiredOption('--older-than <duration>', 'age, e.g. 30d')
    .action(async (flags: { olderThan: string }) => {
      const { pruneSessions } = await import('../log/read.js');
      const { parseDuration } = await import('../ui/review.js');
      const removed = pruneSessions(parseDuration(flags.olderThan));
      process.stdout.write(`removed ${removed.length} session${removed.length === 1 ? '' : 's'}${removed.length ? `: ${removed.join(', ')}` : ''}\n`);
    });
}

function pick<T extends { id: string }>(all: T[], which: string): T {
  if (!all.length) throw new Error('no sessions recorded yet (logs are written by agentguard shell and agentguard check)');
  // "latest" is the latest agent session; the daily `agentguard check` logs only when there is none.
  if (which === 'latest') return all.filter((x) => !/^(check|hook-[a-z]+)-\d{4}-/.test(x.id)).at(-1) ?? all[all.length - 1];
  const s = all.find((x) => x.id === which) ?? all.filter((x) => x.id.startsWith(which)).at(-1);
  if (!s) throw new Error(`no session ${which}: see agentguard sessions`);
  return s;
}

/** Prints records appended after the current end, until interrupted. */
async function follow(file: string, print: (r: import('../log/store.js').LogRecord) => void): Promise<never> {
  let offset = fs.statSync(file).size;
  let partial = '';
  for (;;) {
    await new Promise((r) => setTimeout(r, 250));
    let size: number;
    try {
      size = fs.statSync(file).size;
    } catch {
      throw new Error(`${path.basename(file)} was removed`);
    }
    if (size <= offset) continue;
    const fd = fs.openSync(file, 'r');
    const buf = Buffer.alloc(size - offset);
    fs.readSync(fd, buf, 0, buf.length, offset);
    fs.closeSync(fd);
    offset = size;
    const lines = (partial + buf.toString('utf8')).split('\n');
    partial = lines.pop() ?? '';
    for (const l of lines) if (l) print(JSON.parse(l) as import('../log/store.js').LogRecord);
  }
}
