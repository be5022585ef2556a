// The match language's reference, generated from the conditions' own schemas and examples:
// printed by `agentguard rules conditions`, written into README.md between markers by
// `npm run docs`, and compared with the README by the test suite, so that a condition
// cannot be added or changed without its documentation following.
import { stringify } from 'yaml';
import { CONDITIONS } from './conditions/index.js';
import { ruleJsonSchema } from './schema.js';

export const REFERENCE_START = '<!-- conditions:start: generated from src/rules/conditions by `npm run docs`; edit the condition modules, not this text -->';
export const REFERENCE_END = '<!-- conditions:end -->';

const LIST_NOTE = /: one value or a list; "@name" refers to a named list in lists\.yaml$/;

interface JsonSchema {
  $ref?: string;
  anyOf?: JsonSchema[];
  type?: string;
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  description?: string;
}

/** The condition reference as Markdown: one entry per condition, in evaluation order. */
export function conditionReference(): string {
  const schema = ruleJsonSchema() as JsonSchema & { $defs: Record<string, JsonSchema> };
  const defs = schema.$defs;
  const block = schema.properties!.match.$ref!;
  // zod moves the recursive parts (the match block, all_of, not) into $defs.
  const deref = (s: JsonSchema): JsonSchema => (s.$ref && s.$ref !== block ? defs[s.$ref.replace('#/$defs/', '')] : s);
  const props = defs[block.replace('#/$defs/', '')].properties!;
  const entries = CONDITIONS.map((c) => {
    const resolved = deref(props[c.key]);
    const description = (resolved.description ?? '').replace(LIST_NOTE, '');
    const fields = resolved.type === 'object' ? Object.entries(resolved.properties ?? {}).map(([k, f]) => `\`${k}\`${resolved.required?.includes(k) ? '' : ' (optional)'}: ${(f.description ?? '').replace(LIST_NOTE, '')}`) : [];
    const ex = c.example;
    const envs = (ex as { environments?: { match?: string; no_match?: string } }).environments;
    const inEnv = (kind: 'match' | 'no_match') => (envs?.[kind] ? ` (in a ${envs[kind]} environment)` : '');
    const shown = `\`${c.key}: ${flow(ex.value)}\` matches ${ex.match.map(code).join(', ')}${inEnv('match')}; not ${ex.no_match.map(code).join(', ')}${inEnv('no_match')}`;
    return [`- **\`${c.key}\`** (${valueType(resolved, block)}): ${sentence(description)}`, ...fields.map((f) => `  - ${sentence(f)}`), `  - Example: ${shown}`].join('\n');
  });
  return [
    'Values shown as "one or a list" take a single value or a YAML list; `"@name"` in them stands for the named list of that name (in `rules/lists.yaml`).',
    '',
    ...entries,
  ].join('\n');
}

/** README text with the reference between the markers replaced by the current one. */
export function withReference(readme: string): string {
  const start = readme.indexOf(REFERENCE_START);
  const end = readme.indexOf(REFERENCE_END);
  if (start < 0 || end < start) throw new Error(`README.md has no condition reference markers: put ${REFERENCE_START} and ${REFERENCE_END} in "Writing rules"`);
  return readme.slice(0, start + REFERENCE_START.length) + '\n' + conditionReference() + '\n' + readme.slice(end);
}

function valueType(s: JsonSchema, block: string | undefined): string {
  if (s.$ref === block) return 'a match block';
  if (s.anyOf?.length === 2 && s.anyOf[0].type === 'string' && s.anyOf[1].type === 'array') return 'one or a list';
  if (s.type === 'boolean') return 'true or false';
  if (s.type === 'string') return 'a string';
  if (s.type === 'array') return s.items?.$ref === block ? 'a list of match blocks' : 'a list';
  if (s.type === 'object') return `{${Object.keys(s.properties ?? {}).join(', ')}}`;
  return 'a value';
}

/** A description as Markdown text: a full stop at the end, and globs (*.example.com, <operand>) shown as written. */
function sentence(s: string): string {
  const text = s.replace(/[*<>]/g, (ch) => ({ '*': '\\*', '<': '&lt;', '>': '&gt;' })[ch]!);
  return text.endsWith('.') ? text : `${text}.`;
}

function code(s: string): string {
  return s.includes('`') ? `\`\` ${s} \`\`` : `\`${s}\``;
}

/** A YAML value on one line, as it would be written in a rule: {from: curl, to: sh}. */
function flow(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(flow).join(', ')}]`;
  if (v && typeof v === 'object') return `{${Object.entries(v).map(([k, x]) => `${k}: ${flow(x)}`).join(', ')}}`;
  return stringify(v, { lineWidth: 0 }).trim();
}
