// Where a command stands in the line: its pipeline stage, and the earliest stage of each
// pipeline that holds some kind of command. The relations between commands (pipeline,
// variables, runs_file_from) are built on these, worked out once per evaluation (`once`)
// so that checking every command of a long line stays linear.
import type { Command, Script } from '../../shell/types.js';

/** The pipeline stage a command runs in: its own, or that of the command it runs inside. */
export function stageOf(c: Command, script: Script): { id: number; index: number } | null {
  let cur: Command | undefined = c;
  while (cur) {
    if (cur.pipeline) return cur.pipeline;
    cur = cur.origin.kind === 'top' ? undefined : script.commands[cur.origin.parent];
  }
  return null;
}

/** For each pipeline, the earliest stage holding a command that `pred` accepts. */
export function firstStages(script: Script, pred: (o: Command) => boolean): Map<number, number> {
  const first = new Map<number, number>();
  for (const o of script.commands) {
    const s = stageOf(o, script);
    if (!s || !pred(o)) continue;
    const prev = first.get(s.id);
    if (prev === undefined || s.index < prev) first.set(s.id, s.index);
  }
  return first;
}

export const programIn = (o: Command, from: RegExp[]) => o.program !== null && from.some((r) => r.test(o.program!));
