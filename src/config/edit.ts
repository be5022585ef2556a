// Edits the person's config.yaml for `agentguard rules disable/enable`: one entry under
// `rules:` set or removed through yaml's Document API, so the person's comments, key order
// and other settings survive. Loaded only by those commands.
import fs from 'node:fs';
import path from 'node:path';
import { isMap, parseDocument, type Document } from 'yaml';

function readDoc(file: string): Document {
  let text = '';
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  const doc = parseDocument(text, { prettyErrors: false });
  // Rewriting a file YAML cannot read would lose what the person wrote: they fix it first.
  if (doc.errors.length) throw new Error(`${file}: YAML: ${doc.errors[0].message.split('\n')[0]}; fix it first (nothing was changed)`);
  if (doc.contents !== null && !isMap(doc.contents)) throw new Error(`${file}: the top level must be a map of settings; fix it first (nothing was changed)`);
  return doc;
}

function writeDoc(file: string, doc: Document): void {
  // The person's settings decide what is checked: theirs alone to read and change.
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  // A file left with nothing in it is written empty, not as `{}`.
  const text = isMap(doc.contents) && doc.contents.items.length === 0 && !doc.commentBefore && !doc.comment ? '' : doc.toString();
  fs.writeFileSync(tmp, text, { mode: 0o600 });
  fs.renameSync(tmp, file);
}

/** Sets `rules.<id>: {action, reason}`; returns whether an entry was there before. */
export function setRuleAction(file: string, id: string, action: 'off' | 'ask' | 'deny', reason: string): boolean {
  const doc = readDoc(file);
  const had = doc.hasIn(['rules', id]);
  if (!doc.has('rules') || !isMap(doc.get('rules', true))) doc.set('rules', doc.createNode({}));
  doc.setIn(['rules', id], doc.createNode({ action, reason }));
  writeDoc(file, doc);
  return had;
}

/** Removes `rules.<id>` (and an empty `rules:`); returns whether there was an entry. */
export function removeRuleAction(file: string, id: string): boolean {
  if (!fs.existsSync(file)) return false;
  const doc = readDoc(file);
  if (!doc.hasIn(['rules', id])) return false;
  doc.deleteIn(['rules', id]);
  const rules = doc.get('rules', true);
  if (isMap(rules) && rules.items.length === 0) doc.delete('rules');
  writeDoc(file, doc);
  return true;
}

/** The ids under `rules:` (for enable's "closest" hint); empty when the file is missing or unreadable. */
export function ruleActionIds(file: string): string[] {
  try {
    const rules = readDoc(file).get('rules', true);
    return isMap(rules) ? rules.items.map((p) => String((p.key as { value?: unknown })?.value ?? p.key)) : [];
  } catch {
    return [];
  }
}
