// Finds rule files and named lists in the built-in, user and project directories and
// layers them: a later layer may add rules or raise an action; a project may never
// lower one nor change a built-in list (a repository must not switch its own guard off).
import { programLists } from '../programs/index.js';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ACTIONS, type Action } from './actions.js';
import type { RuleSpec } from './schema.js';
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
  const byId = new Map<string, LoadedRule>();
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
      (await cached({ dir: sources.cache, kind: 'layer', context: layer, target: dir, files: layerFiles }, problems, (p) => parseLayer(dir, layer, layerFiles, p)));
    for (const l of content.lists) {
      for (const [name, items] of Object.entries(l.lists)) {
        const prev = lists.get(name);
        if (prev && layer === 'project') {
          // Lists also appear under `not:`; letting a repository extend one could loosen a rule.
          problems.push(`${l.file}:${l.lines[name] ?? 1}: lists.${name}: a project cannot change the list @${name}; add a list with a new name, or change it in ~/.config/agentguard/rules/lists.yaml`);
          continue;
        }
        lists.set(name, prev ? [...prev, ...items] : items);
      }
    }
    for (const rule of content.rules) {
      const prev = byId.get(rule.id);
      if (prev && layer === 'project' && rank(rule.action) < rank(prev.action)) {
        problems.push(`${rule.file}:${rule.actionLine}: action: a project rule cannot lower ${prev.layer} rule "${rule.id}" from ${prev.action} to ${rule.action} (a repository must not switch its own guard off); change it in ~/.config/agentguard/rules instead`);
        continue;
      }
      byId.set(rule.id, rule);
    }
  }
  if (problems.length) throw new RuleLoadError(problems);
  const { config, off } = await switchOff(sources, byId, digest);
  return { rules: [...byId.values()], lists, files: config ? [...files, config.file] : files, digest: digest.digest('hex'), off, config };
}

/**
 * Applies the person's config.yaml: a project entry whose directory holds the workspace
 * switches off the families or rule ids it names. Only this file can switch a rule off:
 * it is the person's, never a repository's. A name that is neither a family nor a rule id
 * is an error, since a misspelt one would leave the rule on without a word.
 */
async function switchOff(sources: RuleSources, byId: Map<string, LoadedRule>, digest: ReturnType<typeof createHash>): Promise<{ config: UserConfig | null; off: SwitchedOff[] }> {
  if (!sources.config || !fs.existsSync(sources.config)) return { config: null, off: [] };
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
  const config = await cached({ dir: sources.cache, kind: 'config', context: home, target: file, files: [file] }, broken, load, projectPathsFresh);
  // Reported like a broken rule file: file:line, and nothing is checked with half a config.
  if (broken.length) throw new RuleLoadError(broken);
  if (!config) return { config: null, off: [] };
  digest.update(`config\0${fs.readFileSync(config.file, 'utf8')}\0`);
  const off: SwitchedOff[] = [];
  const problems: string[] = [];
  const families = new Set([...byId.values()].map((r) => r.family));
  for (const p of projectSettings(config, sources.workspace ?? null)) {
    for (const name of p.off) {
      if (!families.has(name) && !byId.has(name) && !off.some((o) => o.id === name || o.family === name)) {
        problems.push(`${config.file}:${p.line}: projects: off: "${name}" is neither a rule family (${[...families].sort().join(', ')}) nor a rule id (agentguard rules list)`);
        continue;
      }
      for (const r of [...byId.values()]) {
        if (r.family !== name && r.id !== name) continue;
        byId.delete(r.id);
        off.push({ id: r.id, family: r.family, reason: p.reason, where: `${config.file}:${p.line}` });
      }
    }
  }
  if (problems.length) throw new RuleLoadError(problems);
  return { config, off };
}

async function parseLayer(dir: string, layer: Layer, layerFiles: string[], problems: string[]): Promise<LayerContent> {
  const { parseRuleFile, parseListsFile } = await import('./parse.js');
  const content: LayerContent = { rules: [], lists: [] };
  for (const file of layerFiles) {
    if (/^lists\.ya?ml$/.test(path.basename(file))) {
      const l = parseListsFile(file, problems);
      if (l) content.lists.push(l);
    } else {
      const r = parseRuleFile(file, dir, layer, problems);
      if (r) content.rules.push(r);
    }
  }
  return content;
}

/** Writes the validated built-in rules next to the build, so cold starts skip YAML and zod. */
export async function writeBuiltinCache(dir = BUILTIN_RULES_DIR, target = BUILTIN_CACHE): Promise<number> {
  const problems: string[] = [];
  const layerFiles = listYaml(dir);
  const content = await parseLayer(dir, 'builtin', layerFiles, problems);
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
