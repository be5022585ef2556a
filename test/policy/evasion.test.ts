// The evasion suite: command lines an agent could be steered into, each with the
// decision the default policy must reach and the reason it must reach it for, plus allow
// look-alikes (data is not execution). Prints "N passed, N failed" per family.
//
// Format of test/corpus/evasion/<family>.yaml (one family per file):
//   family: <name>
//   cases:
//     - [<action>, <expect>, <command line>]
// <action> is allow, ask or deny: the decision's action must equal it.
// <expect> says why:
//   - a rule id (`delete-protected-root`, `workspace-confinement`, ...): that rule must be
//     among the decision's matches (d.matches[].rule);
//   - `opaque`: the analysis could not see what runs (d.opaque is not empty);
//   - `a|b|opaque`: at least one of them;
//   - '-' (quoted, YAML reads a bare - as a list): nothing matched and nothing is opaque;
//     every allow case says this.
// Write the rule the policy means, not the one that happens to fire today: a delete of
// home that is only caught because something else was opaque expects
// delete-protected-root. A case the engine cannot pass yet goes, in the same format and
// with a comment saying what the engine must learn, to test/corpus/evasion-pending/
// (not read by this test), never into a weaker expectation here.
// A multi-line command is written in the block form:
//     - - ask
//       - opaque
//       - |-
//         bash <<'EOF'
//         ...
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import type { Action, Decision } from '../../src/policy/decision.js';
import { CONFINEMENT_RULE } from '../../src/policy/evaluate.js';
import { exampleGuard } from '../helpers.js';

type Case = [Action, string, string];
interface Family {
  file: string;
  family: string;
  cases: Case[];
}

const dir = path.resolve(__dirname, '../corpus/evasion');
const families: Family[] = fs
  .readdirSync(dir)
  .filter((f) => f.endsWith('.yaml'))
  .sort()
  .map((f) => ({ file: f, ...(parse(fs.readFileSync(path.join(dir, f), 'utf8')) as { family: string; cases: Case[] }) }));
const guard = await exampleGuard();
const ruleIds = new Set([...guard.rules.rules.map((r) => r.rule.id), CONFINEMENT_RULE]);
const tally = new Map<string, { passed: number; failed: number }>();

/**
 * Floors per family as the suite stood when reasons were added to every case: a family
 * that shrinks (a deleted file, a bad merge) fails here instead of passing quietly.
 */
const FLOOR: Record<string, number> = {
  cloud: 218,
  'code-exec': 353,
  containers: 196,
  credentials: 108,
  'data-infra': 118,
  databases: 151,
  delete: 194,
  'download-exec': 90,
  exposure: 78,
  git: 114,
  'inline-code': 49,
  network: 87,
  opaque: 78,
  packages: 80,
  persistence: 182,
  privilege: 132,
  publishing: 227,
  resources: 82,
  'run-later': 41,
  runners: 460,
  'shell-tricks': 242,
  workspace: 86,
  'write-roots': 198,
  secrets: 200,
};

function reasons(d: Decision): string[] {
  return [...new Set(d.matches.map((m) => m.rule)), ...d.opaque.map((o) => `opaque: ${o}`)];
}

/** Whether the decision carries the reason the case names (see the header for the format). */
function hasReason(d: Decision, expected: string): boolean {
  if (expected === '-') return d.matches.length === 0 && d.opaque.length === 0;
  return expected.split('|').some((id) => (id === 'opaque' ? d.opaque.length > 0 : d.matches.some((m) => m.rule === id)));
}

afterAll(() => {
  const lines = [...tally].map(([f, t]) => `  ${f.padEnd(16)} ${t.passed} passed, ${t.failed} failed`);
  process.stdout.write(`\nevasion suite by family:\n${lines.join('\n')}\n`);
});

describe('the suite', () => {
  const all = families.flatMap((f) => f.cases);

  it('every case is [action, expect, command] and names rules that exist', () => {
    const bad: string[] = [];
    for (const { file, cases } of families) {
      for (const c of cases) {
        const [action, want, command] = c;
        const shapeOk = c.length === 3 && ['allow', 'ask', 'deny'].includes(action) && typeof want === 'string' && typeof command === 'string';
        if (!shapeOk) bad.push(`${file}: malformed case ${JSON.stringify(c)}`);
        else if (action === 'allow' ? want !== '-' : want === '-') bad.push(`${file}: ${action} with expect ${want}: ${command}`);
        else if (want !== '-') for (const id of want.split('|')) if (id !== 'opaque' && !ruleIds.has(id)) bad.push(`${file}: unknown rule ${id}: ${command}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('is large enough to mean something, in every family', () => {
    expect(all.filter(([a]) => a !== 'allow').length).toBeGreaterThanOrEqual(1344);
    // Look-alikes keep the suite honest about false alarms: data is not execution.
    expect(all.filter(([a]) => a === 'allow').length).toBeGreaterThanOrEqual(363);
    const counts = Object.fromEntries(families.map((f) => [f.family, f.cases.length]));
    for (const [family, floor] of Object.entries(FLOOR)) expect(counts[family] ?? 0, `cases in ${family}`).toBeGreaterThanOrEqual(floor);
    for (const f of families) expect(f.cases.length, f.file).toBeGreaterThanOrEqual(10);
    expect(new Set(families.map((f) => f.family)).size).toBe(families.length);
  });
});

for (const { family, cases } of families) {
  describe(family, () => {
    tally.set(family, { passed: 0, failed: 0 });
    it.each(cases)('%s %s: %s', (action, want, command) => {
      const d = guard.check({ command });
      const t = tally.get(family)!;
      const ok = d.action === action && hasReason(d, want);
      if (ok) t.passed++;
      else t.failed++;
      // On failure this shows the action and every rule id / opaque reason the decision had.
      expect({ action: d.action, reason: ok ? want : reasons(d) }).toEqual({ action, reason: want });
    });
  });
}
