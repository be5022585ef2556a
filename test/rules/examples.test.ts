import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runExamples } from '../../src/rules/examples.js';
import { BUILTIN_RULES_DIR } from '../../src/rules/load.js';
import { exampleGuard } from '../helpers.js';

const guard = await exampleGuard();

describe('every built-in rule passes its own examples', () => {
  const results = runExamples(guard.rules);
  for (const r of guard.rules.rules) {
    it(`${r.rule.family}/${r.rule.id}`, () => {
      const failures = results.filter((x) => x.rule === r.rule.id && !x.ok).map((x) => `${path.relative(BUILTIN_RULES_DIR, x.file)}:${x.line}: expected ${x.expected}: ${x.command}`);
      expect(failures).toEqual([]);
    });
  }
});

describe('rule files are complete', () => {
  const files: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(path.join(d, e.name));
      else if (e.name.endsWith('.yaml') && e.name !== 'lists.yaml') files.push(path.join(d, e.name));
    }
  };
  walk(BUILTIN_RULES_DIR);

  it('every rule file on disk is loaded', () => {
    expect(guard.rules.rules.map((r) => r.rule.file).sort()).toEqual(files.sort());
  });

  it('each rule lives in a family folder, its id equals its file name, and it has both kinds of example', () => {
    for (const { rule } of guard.rules.rules) {
      expect(path.basename(rule.file, '.yaml')).toBe(rule.id);
      expect(path.dirname(path.relative(BUILTIN_RULES_DIR, rule.file))).toBe(rule.family);
      expect(rule.examples.match.length).toBeGreaterThan(0);
      expect(rule.examples.no_match.length).toBeGreaterThan(0);
      expect(rule.message.length).toBeGreaterThan(20);
    }
  });
});
