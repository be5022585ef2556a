// Routine work never prompts: every everyday agent command in the corpus comes back allow.
// A guard that asks too often gets approved without reading.
import { describe, expect, it } from 'vitest';
import { exampleGuard, routineCases } from '../helpers.js';

// One file per area under test/corpus/routine/; the name is shown with each case.
const cases = routineCases();
const guard = await exampleGuard();

describe(`routine commands are allowed (${cases.length})`, () => {
  it('the corpus is large enough to mean something', () => {
    expect(cases.length).toBeGreaterThanOrEqual(150);
  });
  it.each(cases.map((c) => [c.file, c.command]))('%s: %s', (_file, command) => {
    const d = guard.check({ command });
    expect({ action: d.action, why: [...d.matches.map((m) => `${m.rule}: ${m.message}`), ...d.opaque] }).toEqual({ action: 'allow', why: [] });
  });
});
