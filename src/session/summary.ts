// The end of a session as a person reads it: the agent actions by outcome (one per action,
// its parts never counted again, src/log/record.ts), and the list of every command that was
// denied, asked about or abandoned, escaped and cut to the terminal's width.
import { escapeForTerminal, paint as chalk } from '../ui/display.js';
import { strongerOutcome, type Outcome } from '../log/record.js';
import { unwrapAgentCommand } from '../agents/wrappers.js';
import { textWidth } from './prompt.js';

/** Agent actions by outcome, as session-end's `counts` holds them. */
export type ActionCounts = Record<Exclude<Outcome, 'asked'>, number>;

/**
 * The session's agent actions, by root record: each one's outcome is the strongest of its
 * root's and its parts' (src/log/record.ts), counted once. The list names every command of an
 * action, each under the strongest outcome it got: an action whose parts were escalated and
 * then refused shows both, so a part that ran outside cannot hide behind a refusal.
 */
export class Actions {
  private byRoot = new Map<number, { outcome: Outcome; commands: Map<string, { outcome: Outcome; seq: number; command: string }> }>();

  add(seq: number, parent: number | undefined, outcome: Outcome, command: string) {
    const root = parent ?? seq;
    let a = this.byRoot.get(root);
    // A part whose root was not an action (it had no outcome) stands for the action itself.
    if (!a) this.byRoot.set(root, (a = { outcome, commands: new Map() }));
    else a.outcome = strongerOutcome(a.outcome, outcome) ?? outcome;
    // A hook and the agent's shell that ran its command are one command (its wrapper taken off).
    const key = unwrapAgentCommand(command)?.inner ?? command;
    const was = a.commands.get(key);
    if (!was || strongerOutcome(was.outcome, outcome) !== was.outcome) a.commands.set(key, { outcome, seq, command });
  }

  counts(): ActionCounts {
    const c = { allowed: 0, approved: 0, escalated: 0, refused: 0, denied: 0, abandoned: 0 };
    for (const a of this.byRoot.values()) if (a.outcome !== 'asked') c[a.outcome]++;
    return c;
  }

  /** The commands with this outcome, oldest first: [seq of the record that decided it, its command]. */
  list(outcome: Outcome): { seq: number; command: string }[] {
    return [...this.byRoot.values()]
      .flatMap((a) => [...a.commands.values()])
      .filter((c) => c.outcome === outcome)
      .sort((x, y) => x.seq - y.seq)
      .map(({ seq, command }) => ({ seq, command }));
  }
}

const SUMMARY_GROUPS: { outcome: Outcome; label: string; colour: (s: string) => string }[] = [
  { outcome: 'refused', label: 'refused', colour: (s) => chalk.red(s) },
  // What an agent tried that the rules deny outright: probing the guard shows here first.
  { outcome: 'denied', label: 'denied by policy', colour: (s) => chalk.red(s) },
  { outcome: 'approved', label: 'approved', colour: (s) => chalk.green(s) },
  { outcome: 'escalated', label: 'approved, ran outside the sandbox', colour: (s) => chalk.yellow(s) },
  { outcome: 'abandoned', label: 'abandoned (whoever asked was gone)', colour: (s) => chalk.dim(s) },
];
/** At most this many commands per group; the rest are counted. */
const SUMMARY_MAX = 10;

/**
 * The end-of-session summary after the counts: every refused, denied, approved, escalated and
 * abandoned command, one line each, escaped and cut to the terminal's width, and the command
 * that shows the whole log.
 */
export function summaryLines(actions: Actions, sessionId: string, columns: number, snapshots: readonly { n: number; root: string }[] = [], limits: readonly string[] = []): string[] {
  const out: string[] = [];
  for (const g of SUMMARY_GROUPS) {
    const list = actions.list(g.outcome);
    if (!list.length) continue;
    out.push(`  ${g.colour(`${g.label}:`)}`);
    for (const a of list.slice(0, SUMMARY_MAX)) {
      const prefix = `    #${a.seq} `;
      out.push(chalk.dim(prefix) + cutToWidth(oneLine(a.command), Math.max(10, columns - textWidth(prefix) - 1)));
    }
    if (list.length > SUMMARY_MAX) out.push(chalk.dim(`    and ${list.length - SUMMARY_MAX} more`));
  }
  // The way back for what was approved: where the snapshots are and the command that restores one.
  if (snapshots.length) {
    const last = snapshots[snapshots.length - 1];
    const where = [...new Set(snapshots.map((x) => x.root))];
    out.push(`  ${chalk.green(`snapshots kept: ${snapshots.length}`)} ${chalk.dim(`(in ${cutToWidth(oneLine(where.join(', ')), Math.max(10, columns - 40))})`)}`);
    out.push(`    ${chalk.dim('undo the last:')} agentguard undo ${sessionId}/${last.n}   ${chalk.dim('list:')} agentguard undo`);
  }
  // The egress budgets reached (src/egress/budget.ts), each with the answers it got.
  if (limits.length) {
    out.push(`  ${chalk.yellow('limits reached:')}`);
    for (const l of limits.slice(0, SUMMARY_MAX)) out.push(`    ${cutToWidth(escapeForTerminal(l), Math.max(10, columns - 5))}`);
  }
  if (out.length) out.push(`  ${chalk.dim('see more:')} agentguard log ${sessionId}`);
  return out;
}

/** A command as one line for the summary: the command the agent meant (its wrapper taken off), escaped. */
function oneLine(command: string): string {
  const inner = unwrapAgentCommand(command)?.inner ?? command;
  return escapeForTerminal(inner.trim().replace(/\s*\n\s*/g, ' ⏎ '));
}

/** Cuts an escaped line to `width` columns, with … where it was cut. */
function cutToWidth(text: string, width: number): string {
  if (textWidth(text) <= width) return text;
  let out = '';
  // Never wider than two columns a character: the first 2*width characters are enough.
  for (const ch of [...text.slice(0, 2 * width + 2)]) {
    if (textWidth(out + ch) > width - 1) break;
    out += ch;
  }
  return out + '…';
}
