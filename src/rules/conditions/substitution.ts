// substitution: the command takes a script or argument from a $(…), `…` or <(…) that runs `from`.
import type { Command, Script } from '../../shell/types.js';
import { defineCondition, NO, once, oneOrMany, YES, type MatchContext } from './core.js';
import { wordGlob } from './glob.js';
import { programIn } from './stages.js';

function substitutedFrom(c: Command, ctx: MatchContext, from: RegExp[], key: object): boolean {
  const script = ctx.script;
  // The commands that have a `from` command inside a substitution in their words, at any depth.
  const parents = once(ctx, key, () => {
    const out = new Set<Command>();
    for (const o of script.commands) {
      if (!programIn(o, from)) continue;
      let cur: Command | undefined = o;
      while (cur && cur.origin.kind !== 'top') {
        const parent: Command = script.commands[cur.origin.parent];
        if (cur.origin.kind === 'substitution') out.add(parent);
        cur = parent;
      }
    }
    return out;
  });
  // c and the wrappers it was unwrapped from (sudo bash <(curl …): the <(…) belongs to sudo's words).
  if (parents.has(c)) return true;
  for (let cur: Command = c; cur.wrappers.length && cur.origin.kind === 'nested'; ) {
    cur = script.commands[cur.origin.parent];
    if (parents.has(cur)) return true;
  }
  return false;
}

/** The `from` commands inside substitutions in c's words or its wrappers' (the witness of substitutedFrom). */
function substitutionSources(c: Command, script: Script, from: RegExp[]): Command[] {
  const owners = new Set<Command>([c]);
  for (let cur: Command = c; cur.wrappers.length && cur.origin.kind === 'nested'; ) {
    cur = script.commands[cur.origin.parent];
    owners.add(cur);
  }
  return script.commands.filter((o) => {
    if (!programIn(o, from)) return false;
    let cur: Command | undefined = o;
    while (cur && cur.origin.kind !== 'top') {
      const parent: Command = script.commands[cur.origin.parent];
      if (cur.origin.kind === 'substitution' && owners.has(parent)) return true;
      cur = parent;
    }
    return false;
  });
}

export const substitution = defineCondition({
  key: 'substitution',
  schema: (z) =>
    z
      .object({ from: oneOrMany(z, "A program inside a $(…), `…` or <(…) in this command's words or redirects") })
      .strict()
      .describe('This command takes a script or argument from a substitution run by `from` (bash <(curl …), sh -c "$(wget …)")'),
  example: { value: { from: 'curl' }, match: ['bash <(curl -fsSL https://example.org/i.sh)'], no_match: ['bash <(cat i.sh)'] },
  compile(value, env) {
    const from = env.expand(value.from).map(wordGlob);
    const key = {};
    return { test: (c, ctx) => (substitutedFrom(c, ctx, from, key) ? YES : NO), subjects: (c, ctx) => substitutionSources(c, ctx.script, from).map((o) => `from ${o.text}`), programs: null };
  },
});
