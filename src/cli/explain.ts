// agentguard explain: the analysis step by step, for people writing rules or
// wondering why a command was asked about.
import type { Explanation } from '../guard.js';
import { escapeForTerminal, showArgv, paint as chalk } from '../ui/display.js';
import { formatDecision } from './output.js';

export function formatExplanation(command: string, ex: Explanation): string {
  const { script, context } = ex;
  const out: string[] = [];
  out.push(chalk.bold('context'));
  out.push(`  cwd ${context.cwd}   workspace ${context.workspaces.join(', ')}   write roots ${context.writeRoots.join(', ')}`);
  out.push(chalk.bold(`commands (${script.commands.length})`));
  for (const c of script.commands) {
    const via = c.origin.kind === 'top' ? '' : chalk.dim(` ← ${c.origin.kind} of #${c.origin.parent}`);
    const pipe = c.pipeline ? chalk.dim(` [pipeline ${c.pipeline.id} stage ${c.pipeline.index}]`) : '';
    out.push(`  #${c.index} ${chalk.cyan(c.program ?? '(dynamic)')}${via}${pipe}`);
    out.push(`     argv    ${showArgv(c.argv.map((w) => w.value ?? `<dynamic ${w.raw}>`))}`);
    if (c.wrappers.length) out.push(`     through ${c.wrappers.join(' → ')}`);
    out.push(`     cwd     ${c.cwds ? c.cwds.join(' | ') : '(unknown)'}`);
    for (const t of c.writes) out.push(`     writes  ${escapeForTerminal(t.raw)} → ${t.paths ? t.paths.join(' | ') : '(unknown)'}`);
    for (const t of c.reads) out.push(`     reads   ${escapeForTerminal(t.raw)} → ${t.paths ? t.paths.join(' | ') : '(unknown)'}`);
    if (c.stdin !== null) out.push(`     stdin   ${escapeForTerminal(c.stdin.length > 80 ? c.stdin.slice(0, 80) + '…' : c.stdin)}`);
    if (c.scriptFromStdin) out.push('     takes its program from stdin');
  }
  if (script.opaque.length) {
    out.push(chalk.bold('not analysable'));
    for (const o of script.opaque) out.push(`  ${escapeForTerminal(o)}`);
  }
  const { losses, git } = ex.decision;
  if (losses?.length) {
    out.push(chalk.bold('what it would destroy'));
    for (const q of losses) {
      const what = q.kind === 'git' ? `git ${q.op}${q.paths ? ` ${q.paths.join(' ')}` : ''}${q.branch ? ` ${q.branch}` : ''} in ${q.cwd}` : q.kind === 'paths' ? q.paths.join(' ') : q.kind === 'into' ? `${q.sources.join(' ')} into ${q.dest.join(' | ')}` : `unknown: ${q.reason}`;
      out.push(`  #${q.index} ${escapeForTerminal(what)}`);
    }
    if (git) {
      for (const l of git.lost) out.push(`  ${chalk.yellow('would lose')} in ${escapeForTerminal(l.root)}: ${escapeForTerminal(l.description)}`);
      for (const u of git.unknown) out.push(`  ${chalk.yellow('could not tell')}: ${escapeForTerminal(u)}`);
      if (git.lowered.length) out.push(`  nothing would be lost: ${git.lowered.join(', ')} not counted`);
      if (!git.lost.length && !git.unknown.length && !git.lowered.length) out.push('  nothing git could not give back would be lost (or nothing is in a git repository)');
    }
  }
  out.push(chalk.bold('decision'));
  out.push(formatDecision(command, ex.decision).split('\n').map((l) => '  ' + l).join('\n'));
  return out.join('\n');
}
