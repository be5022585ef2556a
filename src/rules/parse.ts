// Parses and validates one rule or lists file (YAML + zod). Loaded lazily: a warm
// cache of the built-in rules means a cold `agentguard check` never pays for these.
import fs from 'node:fs';
import path from 'node:path';
import { LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import type { Layer, LoadedRule } from './load.js';
import { ACTIONS } from './actions.js';
import { keywordsOfText, pinnedPrograms } from './keywords.js';
import { ListsSchema, RuleSchema } from './schema.js';

export interface ParsedLists {
  file: string;
  lists: Record<string, string[]>;
  lines: Record<string, number>;
}

export function parseRuleFile(file: string, dir: string, layer: Layer, problems: string[]): LoadedRule | null {
  const r = readDoc(file, problems);
  if (!r) return null;
  const parsed = RuleSchema.safeParse(r.doc.toJS());
  if (!parsed.success) {
    problems.push(...describeIssues(file, r.doc, r.lc, parsed.error.issues));
    return null;
  }
  const spec = parsed.data;
  const stem = path.basename(file).replace(/\.ya?ml$/, '');
  if (stem !== spec.id) {
    problems.push(`${file}:${lineOf(r.doc, r.lc, ['id'])}: id: "${spec.id}" must equal the file name "${stem}"`);
    return null;
  }
  if (spec.overrides && spec.action !== 'allow') {
    problems.push(`${file}:${lineOf(r.doc, r.lc, ['overrides'])}: overrides: only an exception can override other rules: give it action: allow, or remove overrides and let the strictest rule win`);
    return null;
  }
  const before = problems.length;
  checkRegexes(spec.match, file, problems);
  if (problems.length > before) return null;
  const rel = path.relative(dir, path.dirname(file));
  const family = rel && rel !== '.' ? rel.split(path.sep)[0] : 'custom';
  return {
    ...spec,
    family,
    file,
    line: lineOf(r.doc, r.lc, ['id']),
    actionLine: lineOf(r.doc, r.lc, ['action']),
    layer,
    exampleLines: {
      match: spec.examples.match.map((_, i) => lineOf(r.doc, r.lc, ['examples', 'match', i])),
      no_match: spec.examples.no_match.map((_, i) => lineOf(r.doc, r.lc, ['examples', 'no_match', i])),
    },
  };
}

export function parseListsFile(file: string, problems: string[]): ParsedLists | null {
  const r = readDoc(file, problems);
  if (!r) return null;
  const parsed = ListsSchema.safeParse(r.doc.toJS());
  if (!parsed.success) {
    problems.push(...describeIssues(file, r.doc, r.lc, parsed.error.issues));
    return null;
  }
  const lines: Record<string, number> = {};
  for (const name of Object.keys(parsed.data.lists)) lines[name] = lineOf(r.doc, r.lc, ['lists', name]);
  return { file, lists: parsed.data.lists, lines };
}

/** What is left of a rule or lists file that did not load, read leniently (load.ts decides what it guards). */
export interface BrokenFileFacts {
  /** Programs its rules could have matched ("@name" for lists, expanded by the caller); empty: none could be read. */
  programs: string[];
  /** The rule id it gives, when it gives one. */
  id?: string;
  hasMatch: boolean;
  /** A file of the person's settings (config.yaml keys only) put among the rules: it holds no rule. */
  looksLikeConfig: boolean;
}

export function describeBroken(file: string): BrokenFileFacts {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return { programs: [], hasMatch: false, looksLikeConfig: false };
  }
  const doc = parseDocument(text, { prettyErrors: false });
  if (doc.errors.length) return { programs: keywordsOfText(text), hasMatch: /^\s*match\s*:/m.test(text), looksLikeConfig: false };
  const value: unknown = doc.toJS();
  if (!value || typeof value !== 'object' || Array.isArray(value)) return { programs: keywordsOfText(text), hasMatch: false, looksLikeConfig: false };
  const v = value as Record<string, unknown>;
  const keys = Object.keys(v);
  const looksLikeConfig = keys.length > 0 && keys.every((k) => k === 'rules' || k === 'projects' || k === 'limits');
  // A lists file may have held paths, hosts or programs that any rule matches: it names no program.
  const programs = /^lists\.ya?ml$/.test(path.basename(file)) ? [] : (pinnedPrograms(v.match) ?? []);
  return { programs, id: typeof v.id === 'string' ? v.id : undefined, hasMatch: v.match !== undefined && v.match !== null, looksLikeConfig };
}

function readDoc(file: string, problems: string[]): { doc: Document; lc: LineCounter } | null {
  const lc = new LineCounter();
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    problems.push(`${file}: cannot read: ${(e as Error).message}`);
    return null;
  }
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false });
  if (doc.errors.length) {
    for (const err of doc.errors) problems.push(`${file}:${lc.linePos(err.pos[0]).line}: YAML: ${err.message.split('\n')[0]}`);
    return null;
  }
  return { doc, lc };
}

function lineOf(doc: Document, lc: LineCounter, p: (string | number)[]): number {
  for (let i = p.length; i >= 0; i--) {
    const node = doc.getIn(p.slice(0, i), true) as { range?: [number, number, number] } | undefined;
    if (node && typeof node === 'object' && node.range) return lc.linePos(node.range[0]).line;
  }
  return 1;
}

function describeIssues(file: string, doc: Document, lc: LineCounter, issues: z.core.$ZodIssue[]): string[] {
  return issues.map((i) => {
    const p = i.path.filter((x): x is string | number => typeof x !== 'symbol');
    const field = p.length ? p.join('.') : '(top level)';
    let msg = i.message;
    if (i.code === 'unrecognized_keys') msg = `unknown field${i.keys.length > 1 ? 's' : ''} ${i.keys.join(', ')}: check the spelling against the rule schema (agentguard rules schema)`;
    if (i.code === 'invalid_value' && p[p.length - 1] === 'action') msg = `must be one of ${ACTIONS.join(', ')}`;
    if (i.code === 'too_small' && p[0] === 'examples') msg = 'a rule needs at least one `match` and one `no_match` example';
    if (p.length && (i.code === 'invalid_type' || i.code === 'invalid_value') && !doc.hasIn(p)) msg = 'missing: every rule needs id, action, severity, message, match and examples (agentguard rules schema)';
    return `${file}:${lineOf(doc, lc, p)}: ${field}: ${msg}`;
  });
}

function checkRegexes(m: unknown, file: string, problems: string[]) {
  const visit = (x: unknown) => {
    if (!x || typeof x !== 'object') return;
    for (const [k, v] of Object.entries(x)) {
      if ((k === 'regex' || k === 'stdin_regex') && typeof v === 'string') {
        try {
          new RegExp(v.startsWith('(?i)') ? v.slice(4) : v);
        } catch (e) {
          problems.push(`${file}: ${k}: invalid regular expression ${JSON.stringify(v)}: ${(e as Error).message}`);
        }
      } else visit(v);
    }
  };
  visit(m);
}
