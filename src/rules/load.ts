// Finds rule files and named lists in the built-in, user and project directories and
// layers them: a later layer may add rules or raise an action; a project may never lower
// one, change a list or make an exception (a repository must not switch its own guard off).
// Then the person's config.yaml sets actions by id. A user or project file that does not
// load is skipped with a warning, and what it could have matched asks until it is fixed;
// only a broken built-in rule set (an install problem) stops everything.
import { programLists } from '../programs/index.js';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ACTIONS, type Action } from './actions.js';
import type { RuleSpec } from './schema.js';
import type { BrokenFileFacts } from './parse.js';
import { expandPrograms, listReferences, pinnedPrograms } from './keywords.js';
import { ConfigError, loadUserConfig, projectSettings, userConfigPath, type UserConfig } from '../config/user.js';
import { builtinIndex, cached, listsKey, projectPathsFresh, ruleCacheDir } from './cache.js';

export type Layer = 'builtin' | 'user' | 'project';

export interface LoadedRule extends RuleSpec {
  /** Area folder (delete, git, credentials …). */
  family: string;
  file: string;
  line: number;
  actionLine: number;
  layer: Layer;
  /** Line of each example string, for error messages. */
  exampleLines: { match: number[]; no_match: number[] };
  /** Set when the person's config.yaml set this rule's action (`rules: {id: {action, reason}}`). */
  actionFrom?: { where: string; reason: string };
  /** A stand-in for a rule file that could not be loaded (SKIPPED_RULE): it asks for what that file could have matched. */
  skippedFile?: boolean;
}

/** A problem with a user or project file, or config.yaml, that the guard works around: one readable line. */
export interface RuleWarning {
  file: string;
  /** 0 when no line applies. */
  line: number;
  /** What is wrong. */
  problem: string;
  /** How to fix it, and what holds until then. */
  fix: string;
  /** Every problem as `file:line: what`, for --strict-rules (the message nothing-was-checked errors always had). */
  details?: string[];
}

/** A user or project rule or lists file that was not loaded, and the programs its rules could have matched (empty: any). */
export interface SkippedFile {
  file: string;
  layer: Layer;
  programs: string[];
}

/** The id of the stand-in rules for skipped files: every command such a file could have matched asks. */
export const SKIPPED_RULE = 'skipped-rule-file';

/** A warning as one line: `file:line: what is wrong; how to fix it`. */
export function warningText(w: RuleWarning): string {
  return `${w.file}${w.line ? `:${w.line}` : ''}: ${w.problem}${w.fix ? `; ${w.fix}` : ''}`;
}

/** One line on the first rule or config.yaml problem, for prompts and denials; empty when there is none. */
export function ruleProblemLine(warnings: readonly RuleWarning[]): string {
  if (!warnings.length) return '';
  const more = warnings.length > 1 ? ` (and ${warnings.length - 1} more: agentguard doctor lists them)` : '';
  return `rule file problem: ${warningText(warnings[0])}${more}`;
}

export interface RuleSources {
  builtin: string;
  user?: string | null;
  project?: string | null;
  /** The person's config.yaml (src/config/user.ts): rules switched off per project, limits. */
  config?: string | null;
  /** The workspace the rules are loaded for: which of the config's projects apply. */
  workspace?: string | null;
  /** For ~ in the config's project paths. */
  home?: string;
  /** Where parsed user and project rules and the config are cached (src/rules/cache.ts); none: no cache. */
  cache?: string | null;
}

/** A rule the person's config switched off for this project, with their reason. */
export interface SwitchedOff {
  id: string;
  family: string;
  reason: string;
  /** config.yaml:line of the project entry. */
  where: string;
}

export interface LoadedRules {
  rules: LoadedRule[];
  lists: Map<string, string[]>;
  /** Files read, for `doctor` and the log's rule-set digest. */
  files: string[];
  /** SHA-256 over every file's path and content. */
  digest: string;
  /** Rules switched off for this workspace by the person's config.yaml. */
  off?: SwitchedOff[];
  /** The person's config.yaml, when there is one. */
  config?: UserConfig | null;
  /** Problems worked around (skipped files, ignored project rules, unknown ids): shown by every front end. */
  warnings: RuleWarning[];
  /** Files not loaded; SKIPPED_RULE rules ask for what they could have matched. */
  skipped: SkippedFile[];
}

export class RuleLoadError extends Error {
  constructor(public problems: string[]) {
    super(problems.join('\n'));
    this.name = 'RuleLoadError';
  }
}

const here = path.dirname(fileURLToPath(import.meta.url));
export const BUILTIN_RULES_DIR = path.resolve(here, '../../rules');
/** Validated built-in rules, written at build time (agentguard rules compile). */
export const BUILTIN_CACHE = path.resolve(here, '../builtin-rules.json');

export function defaultRuleSources(workspace: string | null, env: NodeJS.ProcessEnv = process.env): RuleSources {
  const home = env.HOME ?? '';
  const config = env.XDG_CONFIG_HOME || path.join(home, '.config');
  return {
    builtin: BUILTIN_RULES_DIR,
    user: path.join(config, 'agentguard', 'rules'),
    project: workspace ? path.join(workspace, '.agentguard', 'rules') : null,
    config: userConfigPath(env),
    workspace,
    home,
    cache: ruleCacheDir(env),
  };
}

interface LayerContent {
  rules: LoadedRule[];
  lists: { file: string; lists: Record<string, string[]>; lines: Record<string, number> }[];
  /** Files that did not parse or validate: their problems (file:line: what) and what is left of them. */
  broken?: { file: string; problems: string[]; facts: BrokenFileFacts }[];
}

interface BuiltinCache {
  hash: string;
  dir: string;
  content: LayerContent;
  /** Each rule's programs (cache.ts builtinIndex), worked out with these lists. */
  index?: { lists: string; programs: (string[] | null)[] };
}

export async function loadRules(sources: RuleSources): Promise<LoadedRules> {
  const problems: string[] = [];
  const warnings: RuleWarning[] = [];
  const byId = new Map<string, LoadedRule>();
  // Rules a project rule of the same id would replace: they stay in force beside it, since a
  // project's copy with a narrower match would otherwise switch the original off.
  const shadowed: LoadedRule[] = [];
  const broken: { file: string; layer: Layer; problems: string[]; facts: BrokenFileFacts }[] = [];
  // Lists of programs (@shells, @downloaders …) come from the program modules, where each
  // program is declared once; rule files may append to them.
  const lists = programLists();
  const files: string[] = [];
  const digest = createHash('sha256');
  digest.update(`programs\0${JSON.stringify([...lists])}\0`);
  const layers: [Layer, string | null | undefined][] = [
    ['builtin', sources.builtin],
    ['user', sources.user],
    ['project', sources.project],
  ];
  // The lists built-in and user rules refer to, worked out when a project defines a list.
  let refs: Set<string> | null = null;
  const referenced = () => (refs ??= [...byId.values()].reduce((out, r) => listReferences(r.match, out), new Set<string>()));
  for (const [layer, dir] of layers) {
    if (!dir || !fs.existsSync(dir)) {
      if (layer === 'builtin') problems.push(`${dir}: built-in rules directory not found (reinstall agentguard)`);
      continue;
    }
    const layerFiles = listYaml(dir);
    const hash = hashFiles(dir, layerFiles);
    digest.update(`${layer}\0${hash}\0`);
    files.push(...layerFiles);
    const content =
      (layer === 'builtin' && readCache(dir, hash)) ||
      (await cached({ dir: sources.cache, kind: 'layer', context: layer, target: dir, files: layerFiles }, [], () => parseLayer(dir, layer, layerFiles)));
    for (const b of content.broken ?? []) {
      // Broken built-in rules are an install problem: nothing is checked with half a rule set.
      if (layer === 'builtin') problems.push(...b.problems);
      else broken.push({ ...b, layer });
    }
    for (const l of content.lists) {
      for (const [name, items] of Object.entries(l.lists)) {
        const prev = lists.get(name);
        if (!prev && layer === 'project' && referenced().has(name)) {
          // A list a built-in or user rule names but nobody defined (a skipped lists file): a
          // repository must not be the one to fill it in.
          warnings.push({
            file: l.file,
            line: l.lines[name] ?? 1,
            problem: `lists.${name}: a project cannot define @${name}, which a built-in or user rule refers to (ignored)`,
            fix: 'define it in ~/.config/agentguard/rules/lists.yaml, or give the project list a name of its own',
          });
          continue;
        }
        if (prev && layer === 'project') {
          // Lists also appear under `not:`; letting a repository extend one could loosen a rule.
          warnings.push({
            file: l.file,
            line: l.lines[name] ?? 1,
            problem: `lists.${name}: a project cannot change the list @${name} (ignored: the list stays as it was)`,
            fix: 'add a list with a new name, or change it in ~/.config/agentguard/rules/lists.yaml',
          });
          continue;
        }
        lists.set(name, prev ? [...prev, ...items] : items);
      }
    }
    for (const rule of content.rules) {
      const prev = byId.get(rule.id);
      if (layer === 'project' && rule.overrides) {
        warnings.push({
          file: rule.file,
          line: rule.line,
          problem: `overrides: a project rule cannot make an exception to other rules (rule "${rule.id}" ignored: a repository must not switch its own guard off)`,
          fix: 'exceptions belong in ~/.config/agentguard/rules, or switch a rule off with `agentguard rules disable ID`',
        });
        continue;
      }
      if (prev && layer === 'project' && rank(rule.action) < rank(prev.action)) {
        warnings.push({
          file: rule.file,
          line: rule.actionLine,
          problem: `action: a project rule cannot lower ${prev.layer} rule "${rule.id}" from ${prev.action} to ${rule.action} (ignored: a repository must not switch its own guard off)`,
          fix: 'change it in ~/.config/agentguard/rules or with `agentguard rules disable ID` instead',
        });
        continue;
      }
      if (prev && layer === 'project') shadowed.push(prev);
      byId.set(rule.id, rule);
    }
  }
  if (problems.length) throw new RuleLoadError(problems);
  let rules = [...shadowed, ...byId.values()];
  const applied = await applyConfig(sources, rules, digest, warnings);
  rules = applied.rules;
  checkExceptions(rules, applied.off, warnings);
  const skipped: SkippedFile[] = [];
  for (const b of broken) {
    const g = guardBroken(b, byId, lists);
    warnings.push(g.warning);
    if (!g.rule) continue;
    skipped.push({ file: b.file, layer: b.layer, programs: g.programs });
    rules.push(g.rule);
  }
  const config = applied.config;
  return { rules, lists, files: config ? [...files, config.file] : files, digest: digest.digest('hex'), off: applied.off, config, warnings, skipped };
}

/** The part of a `file:line: what` problem after the file and line. */
function splitProblem(file: string, problem: string): { line: number; what: string } {
  const rest = problem.startsWith(file) ? problem.slice(file.length) : `: ${problem}`;
  const m = /^:(\d+): ([\s\S]*)$/.exec(rest);
  return m ? { line: Number(m[1]), what: m[2] } : { line: 0, what: rest.replace(/^:\s*/, '') };
}

const shown = (programs: string[]) => programs.slice(0, 6).join(', ') + (programs.length > 6 ? ` and ${programs.length - 6} more` : '');


/**
 * Fail closed for a file that was skipped: it may have held a `deny`, so a stand-in rule asks
 * for every command its rules could have matched (by their program keywords), or for every
 * command when none can be read. A file holding only settings holds no rule: nothing to guard.
 */
function guardBroken(
  b: { file: string; layer: Layer; problems: string[]; facts: BrokenFileFacts },
  byId: ReadonlyMap<string, LoadedRule>,
  lists: ReadonlyMap<string, readonly string[]>,
): { warning: RuleWarning; rule: LoadedRule | null; programs: string[] } {
  const first = splitProblem(b.file, b.problems[0] ?? `${b.file}: could not be loaded`);
  const more = b.problems.length > 1 ? ` (and ${b.problems.length - 1} more problem${b.problems.length > 2 ? 's' : ''}: \`agentguard rules test\` lists them)` : '';
  const existing = b.facts.id ? byId.get(b.facts.id) : undefined;
  if (b.facts.looksLikeConfig) {
    return {
      warning: {
        file: b.file,
        line: first.line,
        problem: `not a rule file (skipped): it holds settings (rules/projects/limits)`,
        fix: `settings are read only from the person's ${userConfigPath()}, never from a rules directory; move them there (a project cannot switch rules off)`,
        details: b.problems,
      },
      rule: null,
      programs: [],
    };
  }
  // The programs the file's own match block is pinned to (none: every command). A file without
  // a match block but with an existing rule's id was most likely meant to change that rule.
  const words = b.facts.hasMatch ? b.facts.programs : existing ? (pinnedPrograms(existing.match) ?? []) : [];
  const programs = expandPrograms(words, lists);
  const until = programs.length ? `until then \`${shown(programs)}\` commands ask` : 'no program could be read from it, so every command asks until it is fixed';
  let howTo = 'fix it or move it away';
  if (existing && !b.facts.hasMatch) {
    // The obvious way to loosen a built-in rule (a file with its id and a new action) is not one.
    howTo =
      `to change a built-in rule's action, use \`agentguard rules disable ${existing.id}\` or \`rules: {${existing.id}: {action: off, reason: …}}\` in config.yaml; ` +
      `to make an exception, write a rule with \`action: allow\` and \`overrides: [${existing.id}]\``;
  }
  const fix = `${howTo}; ${until}`;
  const warning: RuleWarning = { file: b.file, line: first.line, problem: `${first.what}${more} (file skipped)`, fix, details: b.problems };
  const rule: LoadedRule = {
    id: SKIPPED_RULE,
    action: 'ask',
    severity: 'medium',
    message: `${b.file} could not be loaded (${first.what}), and a rule in it may have flagged this command: ${programs.length ? `\`${shown(programs)}\` commands ask` : 'every command asks'} until the file is fixed. To fix: ${howTo}.`,
    match: programs.length ? { program: programs } : { program: '*' },
    examples: { match: [], no_match: [] },
    family: 'skipped',
    file: b.file,
    line: first.line || 1,
    actionLine: 0,
    layer: b.layer,
    exampleLines: { match: [], no_match: [] },
    skippedFile: true,
  };
  return { warning, rule, programs };
}

/** The stand-in for a loaded rule that cannot be compiled (it names an unknown @list). */
export function skippedRuleFor(rule: LoadedRule, lists: ReadonlyMap<string, readonly string[]>, problem: string): { warning: RuleWarning; rule: LoadedRule; programs: string[] } {
  const g = guardBroken({ file: rule.file, layer: rule.layer, problems: [problem], facts: { programs: pinnedPrograms(rule.match) ?? [], id: undefined, hasMatch: true, looksLikeConfig: false } }, new Map(), lists);
  return { warning: g.warning, rule: g.rule!, programs: g.programs };
}

/** An exception's overrides name rules that exist (or were switched off): a misspelt id excepts nothing, silently otherwise. */
function checkExceptions(rules: LoadedRule[], off: SwitchedOff[], warnings: RuleWarning[]) {
  const ids = new Set([...rules.map((r) => r.id), ...off.map((o) => o.id)]);
  for (const r of rules) {
    for (const id of r.overrides ?? []) {
      if (ids.has(id)) continue;
      warnings.push({ file: r.file, line: r.line, problem: `overrides: no rule "${id}" is loaded, so rule "${r.id}" excepts nothing from it`, fix: `check the id against \`agentguard rules list\`${closest(id, ids)}` });
    }
  }
}

/** ", closest: a, b" for a misspelt id. */
export function closest(id: string, ids: Iterable<string>): string {
  const near = [...new Set(ids)]
    .map((x) => [x, editDistance(id, x)] as const)
    .filter(([, d]) => d <= Math.max(3, Math.floor(id.length / 3)))
    .sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, 3)
    .map(([x]) => x);
  return near.length ? ` (closest: ${near.join(', ')})` : '';
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length];
}

/**
 * Applies the person's config.yaml: `rules:` sets a rule's action by id everywhere (off removes
 * it), and a project entry whose directory holds the workspace switches off the families or
 * rule ids it names. Only this file can switch a rule off: it is the person's, never a
 * repository's. A config that does not load applies nothing (nothing it would have loosened is
 * loosened); a name it does not know is a warning, since a misspelt one leaves the rule on.
 */
async function applyConfig(
  sources: RuleSources,
  rules: LoadedRule[],
  digest: ReturnType<typeof createHash>,
  warnings: RuleWarning[],
): Promise<{ rules: LoadedRule[]; config: UserConfig | null; off: SwitchedOff[] }> {
  if (!sources.config || !fs.existsSync(sources.config)) return { rules, config: null, off: [] };
  const file = sources.config;
  const home = sources.home ?? '';
  const broken: string[] = [];
  const load = async (p: string[]) => {
    try {
      return await loadUserConfig(file, home);
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      p.push(...e.problems);
      return null;
    }
  };
  // Parsed once per content (src/rules/cache.ts); a cached broken config replays its problems.
  const config = await cached({ dir: sources.cache, kind: 'config', context: home, target: file, files: [file] }, broken, load, projectPathsFresh);
  if (broken.length) {
    digest.update(`config-broken\0${broken.join('\n')}\0`);
    for (const p of broken) {
      const { line, what } = splitProblem(file, p);
      warnings.push({ file, line, problem: `${what} (config.yaml not applied)`, fix: 'fix it; until then no rule is switched off or changed by it and the default limits hold', details: [p] });
    }
    return { rules, config: null, off: [] };
  }
  if (!config) return { rules, config: null, off: [] };
  digest.update(`config\0${fs.readFileSync(config.file, 'utf8')}\0`);
  const off: SwitchedOff[] = [];
  const ids = new Set(rules.map((r) => r.id));
  for (const o of config.rules) {
    if (!ids.has(o.id)) {
      warnings.push({ file: config.file, line: o.line, problem: `rules.${o.id}: no rule "${o.id}" is loaded (ignored)`, fix: `check the id against \`agentguard rules list\`${closest(o.id, ids)}` });
      continue;
    }
    const where = `${config.file}:${o.line}`;
    if (o.action === 'off') {
      for (const r of rules) if (r.id === o.id) off.push({ id: r.id, family: r.family, reason: o.reason, where });
      rules = rules.filter((r) => r.id !== o.id);
    } else {
      rules = rules.map((r) => (r.id === o.id ? { ...r, action: o.action as 'ask' | 'deny', actionFrom: { where, reason: o.reason } } : r));
    }
  }
  const families = new Set(rules.map((r) => r.family));
  for (const p of projectSettings(config, sources.workspace ?? null)) {
    for (const name of p.off) {
      if (!families.has(name) && !rules.some((r) => r.id === name) && !off.some((o) => o.id === name || o.family === name)) {
        warnings.push({
          file: config.file,
          line: p.line,
          problem: `projects: off: "${name}" is neither a rule family (${[...families].sort().join(', ')}) nor a rule id (ignored)`,
          fix: `check the name against \`agentguard rules list\`${closest(name, [...families, ...ids])}`,
        });
        continue;
      }
      for (const r of rules) {
        if (r.family !== name && r.id !== name) continue;
        off.push({ id: r.id, family: r.family, reason: p.reason, where: `${config.file}:${p.line}` });
      }
      rules = rules.filter((r) => r.family !== name && r.id !== name);
    }
  }
  return { rules, config, off };
}

async function parseLayer(dir: string, layer: Layer, layerFiles: string[]): Promise<LayerContent> {
  const { parseRuleFile, parseListsFile, describeBroken } = await import('./parse.js');
  const content: LayerContent = { rules: [], lists: [], broken: [] };
  for (const file of layerFiles) {
    // Each file on its own: one broken file is skipped, the others load.
    const own: string[] = [];
    if (/^lists\.ya?ml$/.test(path.basename(file))) {
      const l = parseListsFile(file, own);
      if (l && !own.length) content.lists.push(l);
    } else {
      const r = parseRuleFile(file, dir, layer, own);
      if (r && !own.length) content.rules.push(r);
    }
    if (own.length) content.broken!.push({ file, problems: own, facts: describeBroken(file) });
  }
  return content;
}

/** Writes the validated built-in rules next to the build, so cold starts skip YAML and zod. */
export async function writeBuiltinCache(dir = BUILTIN_RULES_DIR, target = BUILTIN_CACHE): Promise<number> {
  const problems: string[] = [];
  const layerFiles = listYaml(dir);
  const content = await parseLayer(dir, 'builtin', layerFiles);
  for (const b of content.broken ?? []) problems.push(...b.problems);
  if (problems.length) throw new RuleLoadError(problems);
  const rel = (f: string) => path.relative(dir, f);
  const hash = hashFiles(dir, layerFiles);
  const cache: BuiltinCache = {
    hash,
    dir,
    content: {
      rules: content.rules.map(({ examples: _e, exampleLines: _l, ...r }) => ({ ...r, file: rel(r.file) }) as LoadedRule),
      lists: content.lists.map((l) => ({ ...l, file: rel(l.file) })),
    },
  };
  // Each rule's programs for the rule index, with the lists a check without list files of its own has.
  const { compileMatch } = await import('./match.js');
  const lists = programLists();
  for (const l of content.lists) for (const [name, items] of Object.entries(l.lists)) lists.set(name, [...(lists.get(name) ?? []), ...items]);
  const programs = content.rules.map((r) => compileMatch(r.match, lists).programs);
  cache.index = { lists: listsKey(lists), programs: programs.map((p) => p && [...p]) };
  // The examples (a third of the rules' text) only serve `rules test` and the docs: a file of
  // their own, read when first asked for.
  const examples: BuiltinExamples = { hash, rules: Object.fromEntries(content.rules.map((r) => [r.id, { examples: r.examples, exampleLines: r.exampleLines }])) };
  fs.writeFileSync(examplesFile(target), JSON.stringify(examples));
  fs.writeFileSync(target, JSON.stringify(cache));
  return content.rules.length;
}

interface BuiltinExamples {
  hash: string;
  rules: Record<string, Pick<LoadedRule, 'examples' | 'exampleLines'>>;
}

const examplesFile = (cacheFile: string) => cacheFile.replace(/\.json$/, '') + '-examples.json';

/**
 * A cached built-in rule's examples or their lines, read from the examples file on first use.
 * An object of one class held in a plain data property: accessors defined on each rule would
 * give every rule object a shape of its own, which slows every check that reads rules.
 */
class LazyExamples {
  constructor(
    private readonly source: () => BuiltinExamples['rules'],
    private readonly id: string,
    private readonly key: 'examples' | 'exampleLines',
  ) {}
  get match() {
    return this.source()[this.id][this.key].match as never;
  }
  get no_match() {
    return this.source()[this.id][this.key].no_match as never;
  }
  toJSON() {
    return { match: this.match as unknown, no_match: this.no_match as unknown };
  }
}

function examplesOf(hash: string): () => BuiltinExamples['rules'] {
  let all: BuiltinExamples['rules'] | null = null;
  return () => {
    if (!all) {
      const read = JSON.parse(fs.readFileSync(examplesFile(BUILTIN_CACHE), 'utf8')) as BuiltinExamples;
      if (read.hash !== hash) throw new Error(`${examplesFile(BUILTIN_CACHE)} does not belong to the compiled built-in rules: run \`agentguard rules compile\` (or npm run build)`);
      all = read.rules;
    }
    return all;
  };
}

function readCache(dir: string, hash: string): LayerContent | null {
  try {
    const cache = JSON.parse(fs.readFileSync(BUILTIN_CACHE, 'utf8')) as BuiltinCache;
    if (cache.hash !== hash) return null;
    const abs = (f: string) => path.join(dir, f);
    const source = examplesOf(hash);
    const rules: LoadedRule[] = cache.content.rules.map((r) => ({
      ...r,
      file: abs(r.file),
      examples: new LazyExamples(source, r.id, 'examples') as unknown as LoadedRule['examples'],
      exampleLines: new LazyExamples(source, r.id, 'exampleLines') as unknown as LoadedRule['exampleLines'],
    }));
    const index = cache.index;
    if (index) rules.forEach((r, i) => builtinIndex.set(r, { programs: index.programs[i], lists: index.lists }));
    return { rules, lists: cache.content.lists.map((l) => ({ ...l, file: abs(l.file) })) };
  } catch {
    return null;
  }
}

/**
 * A fingerprint of a rule directory: every file's path, size and modification time.
 * Reading and hashing every file on each cold start cost more than the check itself;
 * the rule files are as protected as the cache (read-only inside the sandbox).
 */
function hashFiles(dir: string, files: string[]): string {
  // One string hashed once, and the names cut rather than path.relative'd: this runs over every
  // built-in rule file on each cold start. The same bytes as one update per part.
  let text = '';
  for (const f of files) {
    const st = fs.statSync(f);
    const rel = f.startsWith(dir + path.sep) ? f.slice(dir.length + 1) : path.relative(dir, f);
    text += `${rel}\0${st.size}:${st.mtimeMs}:${st.ino}\0`;
  }
  return createHash('sha256').update(text).digest('hex');
}

function listYaml(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    // Code-unit order, not localeCompare: its first call loads ICU collation, which cost a
    // cold `agentguard check` ~10 ms; the built-in file names sort the same either way.
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.ya?ml$/.test(e.name)) out.push(p);
    }
  };
  walk(dir);
  return out;
}

export function rank(a: Action): number {
  return ACTIONS.indexOf(a);
}
