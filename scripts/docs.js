// npm run docs: writes what is generated from the rule schema, the JSON Schema for editors
// (schema/rule.schema.json) and the condition reference in README.md's "Writing rules",
// from the built library. The test suite fails while either is out of date.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { withReference } from '../dist/rules/docs.js';
import { ruleJsonSchema } from '../dist/rules/schema.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const write = (rel, text) => {
  const file = path.join(root, rel);
  const before = fs.readFileSync(file, 'utf8');
  if (before === text) return console.log(`${rel}: up to date`);
  fs.writeFileSync(file, text);
  console.log(`${rel}: written`);
};
write('schema/rule.schema.json', JSON.stringify(ruleJsonSchema(), null, 2) + '\n');
write('README.md', withReference(fs.readFileSync(path.join(root, 'README.md'), 'utf8')));
