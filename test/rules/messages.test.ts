// A rule's message tells the agent what to do instead; a suggested alternative (a
// command in backquotes) must itself pass the policy, or the advice is a trap.
import { describe, expect, it } from 'vitest';
import { exampleGuard } from '../helpers.js';

const guard = await exampleGuard();

/** Backquoted spans that read as a command line: a program name, a space, arguments. <placeholders> become plain words. */
function suggestedCommands(message: string): string[] {
  return [...message.matchAll(/`([^`]+)`/g)].map((m) => m[1]).filter((c) => /^[a-z][\w.-]* /.test(c)).map((c) => c.replace(/<([^>]+)>/g, '$1'));
}

describe('safer alternatives suggested in rule messages are themselves allowed', () => {
  const rules = guard.rules.rules.filter((r) => suggestedCommands(r.rule.message).length);
  it('rules do suggest alternatives', () => {
    expect(rules.length).toBeGreaterThanOrEqual(8);
  });
  it.each(rules.map((r) => [r.rule.id, suggestedCommands(r.rule.message)] as const))('%s', (_id, commands) => {
    for (const command of commands) expect({ command, action: guard.check({ command }).action }).toEqual({ command, action: 'allow' });
  });
});
