// The evasion suite: command lines an agent could be steered into, each with the
// decision the default policy must reach, plus allow look-alikes (data is not execution).
// Prints "N passed, N failed" per family.
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import type { Action } from '../../src/policy/decision.js';
import { exampleGuard } from '../helpers.js';

const dir = path.resolve(__dirname, '../corpus/evasion');
const families = fs
  .readdirSync(dir)
  .filter((f) => f.endsWith('.yaml'))
  .sort()
  .map((f) => parse(fs.readFileSync(path.join(dir, f), 'utf8')) as { family: string; cases: [Action, string][] });
const guard = await exampleGuard();
const tally = new Map<string, { passed: number; failed: number }>();

afterAll(() => {
  const lines = [...tally].map(([f, t]) => `  ${f.padEnd(16)} ${t.passed} passed, ${t.failed} failed`);
  process.stdout.write(`\nevasion suite by family:\n${lines.join('\n')}\n`);
});

it('the suite is large enough to mean something', () => {
  const all = families.flatMap((f) => f.cases);
  expect(all.filter(([a]) => a !== 'allow').length).toBeGreaterThanOrEqual(300);
  expect(all.filter(([a]) => a === 'allow').length + 150).toBeGreaterThanOrEqual(150);
});

for (const { family, cases } of families) {
  describe(family, () => {
    tally.set(family, { passed: 0, failed: 0 });
    it.each(cases)('%s: %s', (expected, command) => {
      const d = guard.check({ command });
      const t = tally.get(family)!;
      if (d.action === expected) t.passed++;
      else t.failed++;
      expect({ action: d.action, why: [...d.matches.map((m) => m.rule), ...d.opaque] }).toMatchObject({ action: expected });
    });
  });
}
