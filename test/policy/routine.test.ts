// Routine work never prompts: every everyday agent command in the corpus comes back allow.
// A guard that asks too often gets approved without reading.
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { exampleGuard } from '../helpers.js';

const { cases } = parse(fs.readFileSync(path.resolve(__dirname, '../corpus/routine.yaml'), 'utf8')) as { cases: string[] };
const guard = await exampleGuard();

describe(`routine commands are allowed (${cases.length})`, () => {
  it('the corpus is large enough to mean something', () => {
    expect(cases.length).toBeGreaterThanOrEqual(150);
  });
  it.each(cases.map((c) => [c]))('%s', (command) => {
    const d = guard.check({ command });
    expect({ action: d.action, why: [...d.matches.map((m) => `${m.rule}: ${m.message}`), ...d.opaque] }).toEqual({ action: 'allow', why: [] });
  });
});
