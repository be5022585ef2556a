// `agentguard rules …`: commander wiring for listing, testing and describing rule files, and
// for switching a rule off or on again in the person's config.yaml (disable / enable).
import path from 'node:path';
import type { Command } from 'commander';
import { createGuard, type Guard } from '../guard.js';
import { closest, type LoadedRule } from '../rules/load.js';
import { userConfigPath } from '../config/user.js';
import { paint as chalk } from '../ui/display.js';
import { colorAction, formatWarnings } from './output.js';

export function registerRules(program: Command, strictRules: () => boolean): void {
  const rules = program.command('rules').description('List, test and describe rule files; switch a rule off or on again.');
  rules
    .command('list')
    .description('List the rules in effect, grouped by family, with action, severity and where the action comes from.')
    .option('--cwd <dir>', 'project whose .agentguard/rules to include')
    .option('--json', 'print as JSON')
    .action(async (flags: { cwd?: string; json?: boolean }) => {
      const guard = await createGuard({ cwd: flags.cwd, strictRules: strictRules() });
      listRules(guard, !!flags.json);
    });
  rules
    .command('test')
    .description('Run every example of every rule file (or of the files given); print failures as file:line and exit 1 on any. Any rule file problem is fatal here (exit 3).')
    .argument('[files...]', 'rule files to test (default: all rules in effect)')
    .option('--cwd <dir>', 'project whose .agentguard/rules to include')
    .action(async (files: string[], flags: { cwd?: string }) => {
      // Always strict: this is where a person goes to find out what is wrong with a file.
      const guard = await createGuard({ cwd: flags.cwd, strictRules: true });
      const { runExamples } = await import('../rules/examples.js');
      const wanted = files.length ? files.map((f) => path.resolve(f)) : undefined;
      if (wanted) {
        const known = new Set(guard.rules.rules.map((r) => r.rule.file));
        const missing = wanted.filter((f) => !known.has(f));
        if (missing.length) throw new Error(`not a loaded rule file: ${missing.join(', ')} (rules load from the built-in rules/, ~/.config/agentguard/rules and <project>/.agentguard/rules)`);
      }
      const results = runExamples(guard.rules, wanted);
      const failed = results.filter((r) => !r.ok);
      for (const f of failed) {
        process.stdout.write(`${f.file}:${f.line}: ${chalk.red('FAIL')} ${f.rule}: expected ${f.expected === 'match' ? 'to match' : 'not to match'}: ${f.command}\n`);
      }
      const ruleCount = new Set(results.map((r) => r.rule)).size;
      process.stdout.write(`${results.length - failed.length} passed, ${failed.length} failed (${ruleCount} rules)\n`);
      process.exitCode = failed.length ? 1 : 0;
    });
  rules
    .command('disable')
    .description(`Switch a rule off everywhere: writes rules.<ID>: {action: off, reason} to ${tildeConfig()} (comments and other settings are kept).`)
    .argument('<id>', 'the rule id (agentguard rules list)')
    .option('--reason <text>', 'why (shown where the rule would have applied)', 'switched off with agentguard rules disable')
    .action(async (id: string, flags: { reason: string }) => {
      const guard = await createGuard({ cwd: process.cwd() });
      const known = knownIds(guard);
      if (!known.has(id)) throw new Error(`no rule "${id}"${closest(id, known)}; nothing was changed (agentguard rules list shows the ids)`);
      const { setRuleAction } = await import('../config/edit.js');
      const file = userConfigPath();
      const had = setRuleAction(file, id, 'off', flags.reason);
      process.stdout.write(`${id}: switched off${had ? ' (replacing the entry that was there)' : ''} in ${file}; \`agentguard rules enable ${id}\` switches it on again\n`);
    });
  rules
    .command('enable')
    .description(`Undo \`rules disable\`: removes rules.<ID> from ${tildeConfig()}.`)
    .argument('<id>', 'the rule id')
    .action(async (id: string) => {
      const { removeRuleAction, ruleActionIds } = await import('../config/edit.js');
      const file = userConfigPath();
      if (removeRuleAction(file, id)) {
        process.stdout.write(`${id}: the entry in ${file} was removed; the rule's own action applies again\n`);
        const guard = await createGuard({ cwd: process.cwd() });
        const still = guard.rules.off.find((o) => o.id === id);
        if (still) process.stdout.write(`${id} is still switched off for this project by ${still.where} (projects: off)\n`);
        return;
      }
      const guard = await createGuard({ cwd: process.cwd() });
      const known = knownIds(guard);
      if (!known.has(id)) throw new Error(`no rule "${id}"${closest(id, [...known, ...ruleActionIds(file)])}; nothing was changed`);
      const off = guard.rules.off.find((o) => o.id === id);
      process.stdout.write(off ? `${id} has no entry under rules: in ${file}; it is switched off for this project by ${off.where} (projects: off): edit that entry\n` : `${id} is not switched off in ${file}; nothing to do\n`);
    });
  rules
    .command('schema')
    .description('Print the JSON Schema for rule files (for editor validation and completion).')
    .action(async () => {
      const { ruleJsonSchema } = await import('../rules/schema.js');
      process.stdout.write(JSON.stringify(ruleJsonSchema(), null, 2) + '\n');
    });
  rules
    .command('conditions')
    .description('Print the reference of every match condition (Markdown), generated from the rule schema.')
    .action(async () => {
      const { conditionReference } = await import('../rules/docs.js');
      process.stdout.write(conditionReference() + '\n');
    });
  rules
    .command('compile')
    .description('Validate the built-in rules and write the start-up cache next to the build (run by npm install).')
    .action(async () => {
      const { writeBuiltinCache } = await import('../rules/load.js');
      const n = await writeBuiltinCache();
      process.stdout.write(`compiled ${n} built-in rules\n`);
    });
}

function tildeConfig(): string {
  const home = process.env.HOME;
  const f = userConfigPath();
  return home && f.startsWith(home + '/') ? `~${f.slice(home.length)}` : f;
}

/** Rule ids a person can name: every rule loaded (not the stand-ins for skipped files) and every one switched off. */
function knownIds(guard: Guard): Set<string> {
  return new Set([...guard.rules.rules.filter((r) => !r.rule.skippedFile).map((r) => r.rule.id), ...guard.rules.off.map((o) => o.id)]);
}

/** Where a rule's action comes from: its file by layer, or the config.yaml line that set it. */
export function actionSource(r: LoadedRule): string {
  if (r.actionFrom) return `config.yaml override ${r.actionFrom.where} (${r.actionFrom.reason})`;
  if (r.skippedFile) return `stand-in for skipped ${r.file}`;
  if (r.layer === 'builtin') {
    const rel = r.file.split(`${path.sep}rules${path.sep}`).pop() ?? r.file;
    return `built-in ${rel}`;
  }
  return `${r.layer} ${r.file}`;
}

function listRules(guard: Guard, json: boolean) {
  const rules = guard.rules.rules.map((r) => r.rule);
  if (json) {
    const on = rules.map((r) => ({ id: r.id, family: r.family, action: r.action, severity: r.severity, layer: r.layer, file: r.file, source: actionSource(r), ...(r.overrides ? { overrides: r.overrides } : {}) }));
    const off = guard.rules.off.map((o) => ({ id: o.id, family: o.family, action: 'off', reason: o.reason, where: o.where, source: `config.yaml ${o.where}` }));
    // The array stays what it was; the problems go to stderr, as `check --json` prints them.
    process.stderr.write(formatWarnings(guard.warnings));
    process.stdout.write(JSON.stringify([...on, ...off]) + '\n');
    return;
  }
  // At the top: a skipped file is a rule the person thinks is in force and is not.
  if (guard.warnings.length) process.stdout.write(formatWarnings(guard.warnings) + '\n');
  const families = new Map<string, typeof rules>();
  for (const r of rules) families.set(r.family, [...(families.get(r.family) ?? []), r]);
  for (const [family, list] of [...families].sort(([a], [b]) => a.localeCompare(b))) {
    process.stdout.write(chalk.bold(`${family}`) + chalk.dim(` (${list.length})`) + '\n');
    for (const r of list.sort((a, b) => a.id.localeCompare(b.id))) {
      const layer = r.layer === 'builtin' ? '' : chalk.cyan(` [${r.layer}]`);
      const except = r.overrides ? chalk.dim(` excepts ${r.overrides.join(', ')}`) : '';
      process.stdout.write(`  ${colorAction(r.action).padEnd(14)} ${r.severity.padEnd(8)} ${r.id}${layer}${except}  ${chalk.dim(actionSource(r))}\n`);
    }
  }
  process.stdout.write(chalk.dim(`${rules.length} rules\n`));
  const off = guard.rules.off;
  if (off.length) {
    // Said plainly: a rule the person switched off is a hole they chose.
    process.stdout.write(chalk.bold(`\nswitched off`) + chalk.dim(` (${off.length}, by ${off[0].where.replace(/:\d+$/, '')})`) + '\n');
    for (const o of off) process.stdout.write(`  ${o.id.padEnd(36)} ${chalk.dim(`${o.family}: ${o.reason} (${o.where})`)}\n`);
  }
}
