// Printing decisions for people: colour (chalk honours NO_COLOR and non-TTY output) and
// escaping of everything that came from the agent.
import type { Action, Decision } from '../policy/decision.js';
import { escapeForTerminal, paint as chalk } from '../ui/display.js';
import { warningText, type RuleWarning } from '../rules/load.js';

export function colorAction(a: Action): string {
  const label = a.toUpperCase();
  return a === 'deny' ? chalk.red.bold(label) : a === 'ask' ? chalk.yellow.bold(label) : chalk.green.bold(label);
}

export function formatDecision(command: string, d: Decision): string {
  const lines = [`${colorAction(d.action)}  ${escapeForTerminal(command)}`];
  for (const m of d.matches) {
    const subject = m.subject?.length ? `: ${escapeForTerminal(m.subject.join(', '))}` : '';
    lines.push(`  ${colorAction(m.action).padEnd(5)} ${chalk.bold(m.rule)}${subject} ${chalk.dim(`(${m.severity})`)}`);
    lines.push(`        ${escapeForTerminal(m.message)}`);
  }
  for (const x of d.exceptions ?? []) lines.push(`  ${chalk.dim('EXCEPT')} ${chalk.bold(x.rule)}: excepted by ${x.by} ${chalk.dim(`(${x.file})`)}`);
  for (const o of d.opaque) lines.push(`  ${chalk.yellow('opaque')} ${escapeForTerminal(o)}`);
  if (d.action === 'allow' && !d.matches.length) lines.push(chalk.dim('  no rule matched; every write stays inside the write roots'));
  return lines.join('\n');
}

/** Rule and config problems as printed on stderr and at the top of listings: one line each. */
export function formatWarnings(warnings: readonly RuleWarning[]): string {
  return warnings.map((w) => `${chalk.yellow('agentguard: warning:')} rule file problem: ${escapeForTerminal(warningText(w))}\n`).join('');
}

/** The decision as `--json` documents it: the policy's questions to the git layer (losses) stay inside. */
export function printable(d: Decision): Omit<Decision, 'losses'> {
  const { losses: _losses, ...rest } = d;
  return rest;
}
