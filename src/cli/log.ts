// `agentguard sessions` and `agentguard log`: reviewing what an agent did, one agent action
// per line, across sessions (`--blocked`) and live (`--follow`).
import type { Command } from 'commander';
import fs from 'node:fs';
import path from 'node:path';
import { escapeForTerminal } from '../ui/display.js';
import type { LogHead } from '../log/read.js';
import type { LogRecord } from '../log/store.js';
import type { LogFilter } from '../ui/review.js';

export function registerLog(program: Command): void {
  program
    .command('sessions')
    .description('List recorded logs: agent sessions, agents\' hooks outside a session, agentguard check. Per log: start, length, agent actions by outcome (allowed, approved, refused, denied; abandoned, escalated, asked and network requests when there are any), and who acted.')
    .option('--json', 'print as JSON')
    .action(async (flags: { json?: boolean }) => {
      const { listSessions } = await import('../log/read.js');
      const { formatSessions } = await import('../ui/review.js');
      const list = listSessions();
      process.stdout.write((flags.json ? JSON.stringify(list) : formatSessions(list, process.env.HOME)) + '\n');
      // Today's egress figures over every session (src/egress/budget.ts): what a daily cap counts.
      const { todayLines } = await import('../egress/budget.js');
      const today = flags.json ? [] : todayLines();
      if (today.length) process.stdout.write(`today through the egress proxy:\n${today.map((l) => `  ${escapeForTerminal(l)}\n`).join('')}`);
    });

  const log = program
    .command('log')
    .description('Review a session log (default: the latest session), verify it, or prune old sessions.')
    .addHelpText('after', '\n"agentguard log [SESSION] [options]" is "agentguard log show": its options (--blocked, --parts, --follow, filters) are in "agentguard log show --help".');
  log
    .command('show [session]', { isDefault: true })
    .description('Show a session: one line per agent action, with the records that are part of it folded under it. SESSION is an id (or its start) or "latest".')
    .option('--action <action>', 'only agent actions with this decision (allow, deny; ask: a person was asked) or this outcome (allowed, approved, refused, denied, abandoned, escalated, asked)')
    .option('--since <duration>', 'only actions newer than this (30m, 2h, 7d)')
    .option('--grep <text>', 'only actions any of whose records contains this text')
    .option('--agent <name>', "only actions of this agent: the agent program's name (claude, codex) or a hook's agent")
    .option('--project <dir>', "only actions in this directory or below it (a session's workspace, a hook's project)")
    .option('--rule <id>', 'only actions any of whose records matched this rule')
    .option('--blocked', 'every refused or denied command and network request, across all sessions and hook and check logs (or in SESSION), oldest first, with its session and time')
    .option('-p, --parts', 'show the records folded under each action, indented: wrapper and nested shells, installed scripts, prompts, exit statuses')
    .option('--all-sessions', 'every session, oldest first')
    .option('--json', 'print the records of the actions shown as JSON Lines (for jq)')
    .option('--follow', 'keep printing records as a running session writes them, prompts waiting for the person among them; ends when the session ends (with "latest": the latest running session)')
    .addHelpText(
      'after',
      `
Each line is one agent action: a hook's decision or a shell the agent started, numbered #SEQ as
in "agentguard log verify". The wrapper and nested shells, installed scripts (pyenv, nvm, asdf),
the prompt and the exit status that belong to it are folded under it ("+2 shells"; --parts shows
them). "→ approved", "→ refused" … say what became of an action a person was asked about.
Allowed network requests to one host in a row are one line ("×5"); a long or multi-line command
shows its beginning (--json has every record whole).

Examples:
  agentguard log                          the latest session
  agentguard log --blocked --since 7d     what agentguard stopped this week, everywhere
  agentguard log --all-sessions --agent claude --rule git-force-push
  agentguard log latest --follow          watch the running session; ends with it`,
    )
    .action(async (session: string | undefined, flags: ShowFlags) => {
      const [{ listLogs, readLog }, { foldRecords, entryRecords }, review, { parseDuration }] = await Promise.all([import('../log/read.js'), import('../log/actions.js'), import('../ui/review.js'), import('./duration.js')]);
      if (flags.action) review.checkAction(flags.action);
      const filter: LogFilter = {
        action: flags.action,
        sinceMs: flags.since ? parseDuration(flags.since) : undefined,
        grep: flags.grep,
        agent: flags.agent,
        projects: flags.project ? review.projectSpellings(flags.project, (p) => fs.realpathSync(p)) : undefined,
        rule: flags.rule,
        blocked: flags.blocked,
      };
      const home = process.env.HOME;
      const out = (s: string) => process.stdout.write(s + '\n');
      // Chosen from each log's ends; only the logs shown are read whole.
      const all = listLogs();
      const many = flags.allSessions || (flags.blocked && !session);
      const chosen = many ? all : [flags.follow && (session ?? 'latest') === 'latest' ? (all.filter((s) => s.running).at(-1) ?? pick(all, 'latest')) : pick(all, session ?? 'latest')];
      const now = Date.now();
      const shown = chosen.map((s) => {
        const read = readLog(s.file);
        if (read.unreadable) process.stderr.write(`agentguard: ${read.unreadable} line${read.unreadable === 1 ? '' : 's'} of ${escapeForTerminal(s.id)} ${read.unreadable === 1 ? 'is' : 'are'} not a record (skipped): see agentguard log verify ${escapeForTerminal(s.id)}\n`);
        return { s, read, entries: foldRecords(read.records).filter((e) => review.matchesEntry(e, s, filter, now)) };
      });
      if (flags.blocked) {
        // One list across logs, oldest first: what was stopped, wherever it was.
        const rows = shown.flatMap(({ s, entries }) => entries.map((e) => ({ s, e }))).sort((a, b) => String(a.e.root.time).localeCompare(String(b.e.root.time)));
        for (const { s, e } of rows) {
          if (flags.json) for (const r of entryRecords(e)) out(JSON.stringify(r));
          else for (const l of review.formatEntry(e, { session: true, home, parts: flags.parts, workspaces: sessionWorkspaces(s) })) out(l);
        }
      } else {
        for (const { s, entries } of shown) {
          if (!entries.length && chosen.length > 1) continue;
          if (!flags.json && chosen.length > 1) out(`── ${escapeForTerminal(s.id)}`);
          const lineOptions = { home, parts: flags.parts, workspaces: sessionWorkspaces(s) };
          // Allowed requests to one host in a row are one line, except with --parts.
          let run: typeof entries = [];
          const flush = () => {
            if (run.length) out(review.formatNetworkRun(run, lineOptions));
            run = [];
          };
          for (const e of entries) {
            if (flags.json) {
              for (const r of entryRecords(e)) out(JSON.stringify(r));
              continue;
            }
            const key = flags.parts ? null : review.networkRunKey(e);
            if (key && run.length && review.networkRunKey(run[0]) === key) {
              run.push(e);
              continue;
            }
            flush();
            if (key) run.push(e);
            else for (const l of review.formatEntry(e, lineOptions)) out(l);
          }
          flush();
        }
      }
      if (flags.follow && chosen.length === 1) await follow(chosen[0], shown[0].read, filter, { json: !!flags.json, parts: !!flags.parts, home });
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
      const { parseDuration } = await import('./duration.js');
      const removed = pruneSessions(parseDuration(flags.olderThan));
      process.stdout.write(`removed ${removed.length} session${removed.length === 1 ? '' : 's'}${removed.length ? `: ${removed.join(', ')}` : ''}\n`);
    });
}

interface ShowFlags {
  action?: string;
  since?: string;
  grep?: string;
  agent?: string;
  project?: string;
  rule?: string;
  blocked?: boolean;
  parts?: boolean;
  allSessions?: boolean;
  json?: boolean;
  follow?: boolean;
}

/** A session's workspaces, where a hook record's project goes without saying; none for hook and check logs. */
const sessionWorkspaces = (s: LogHead) => (s.kind === 'session' ? s.workspaces : []);

function pick<T extends { id: string; kind?: string }>(all: T[], which: string): T {
  if (!all.length) throw new Error('no sessions recorded yet (logs are written by agentguard shell, the agents\' hooks and agentguard check)');
  // "latest" is the latest agent session; the hook and check logs only when there is none.
  if (which === 'latest') return all.filter((x) => x.kind === 'session').at(-1) ?? all[all.length - 1];
  const s = all.find((x) => x.id === which) ?? all.filter((x) => x.id.startsWith(which)).at(-1);
  if (!s) throw new Error(`no session ${which}: see agentguard sessions`);
  return s;
}

/**
 * Prints records as the session writes them: each new action, each prompt as it opens
 * ("waiting for the person") and the decision that closes it. Returns when the session ends:
 * its end record, or its writer process gone (killed: no end record will come). Logs with no
 * writer to watch (hook and check logs) are followed until interrupted.
 */
async function follow(s: LogHead, known: { records: LogRecord[]; bytes: number }, filter: LogFilter, o: { json: boolean; parts: boolean; home?: string }): Promise<void> {
  const [{ readLog }, { writerAlive }, { foldRecords, outcomeOf }, review, { snapshotKind }] = await Promise.all([import('../log/read.js'), import('../log/store.js'), import('../log/actions.js'), import('../ui/review.js'), import('../log/record.js')]);
  const out = (line: string) => process.stdout.write(line + '\n');
  if (known.records.some((r) => r.type === 'session-end')) return;
  // Which action each record so far belongs to, so that a new part is known as one.
  const rootOf = new Map<number, number>();
  for (const e of foldRecords(known.records)) {
    for (const r of [e.root, ...e.parts.map((p) => p.record), ...e.prompts]) rootOf.set(r.seq, e.root.seq);
  }
  let offset = known.bytes;
  const show = (r: LogRecord) => {
    const parent = typeof r.parent === 'number' ? rootOf.get(r.parent) : undefined;
    const closes = r.type === 'decision' && typeof r.prompt === 'number';
    rootOf.set(r.seq, parent ?? r.seq);
    const part = parent !== undefined || r.type === 'command-end';
    // A part is folded away unless --parts, except the decision that closes a prompt the person
    // saw open, and a snapshot: the way back is shown as it is taken.
    if (part && !o.parts && !closes && !snapshotKind(r)) return;
    const entry = { root: r, parts: [], prompts: [], ends: [], outcome: outcomeOf(r) };
    if (r.type !== 'session-end' && !review.matchesEntry(entry, s, filter)) return;
    out(o.json ? JSON.stringify(r) : `${part ? '    ' : ''}${review.formatRecord(r, { home: o.home, workspaces: sessionWorkspaces(s) })}`);
  };
  /** Shows what was appended since the last read; true once the session's end record is among it. */
  const readMore = (): boolean => {
    let next;
    try {
      next = readLog(s.file, offset);
    } catch {
      throw new Error(`${path.basename(s.file)} was removed`);
    }
    offset += next.bytes;
    if (next.unreadable) process.stderr.write(`agentguard: ${next.unreadable} line${next.unreadable === 1 ? '' : 's'} not a record (skipped)\n`);
    for (const r of next.records) show(r);
    return next.records.some((r) => r.type === 'session-end');
  };
  for (;;) {
    await new Promise((r) => setTimeout(r, 200));
    if (readMore()) return;
    // Checked after reading, and read once more: records written just before the writer died are shown first.
    if (s.pid !== undefined && !writerAlive(s.pid, s.pidStart)) {
      if (readMore()) return;
      if (!o.json) out(`agentguard: the session's process (pid ${s.pid}) is gone and the log has no end record: it was killed or crashed`);
      return;
    }
  }
}
