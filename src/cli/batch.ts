// agentguard check --batch: JSON Lines in, one decision per line out, in order.
// A malformed line gets {"error": …} on its own line and the batch goes on.
import readline from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { Guard } from '../guard.js';
import type { Decision } from '../policy/decision.js';
import { printable } from './output.js';

export type BatchRecorder = (command: string, cwd: string | undefined, d: Decision) => void;

/** Adjusts a decision with what the policy cannot see (the repository's state, src/git/judge.ts). */
export type Adjust = (d: Decision) => Promise<Decision>;

export async function runBatch(guard: Guard, input: Readable, output: Writable, record?: BatchRecorder, adjust?: Adjust): Promise<void> {
  const rl = readline.createInterface({ input, crlfDelay: Infinity });
  for await (const line of rl) {
    if (!line.trim()) continue;
    const r = await decideLine(guard, line, record, adjust);
    output.write(JSON.stringify('action' in r ? printable(r) : r) + '\n');
  }
}

async function decideLine(guard: Guard, line: string, record?: BatchRecorder, adjust?: Adjust): Promise<Decision | { error: string }> {
  let req: unknown;
  try {
    req = JSON.parse(line);
  } catch (e) {
    return { error: `not valid JSON: ${(e as Error).message}` };
  }
  if (!req || typeof req !== 'object' || typeof (req as { command?: unknown }).command !== 'string') {
    return { error: 'each line must be an object with a string "command" (and optionally a string "cwd")' };
  }
  const { command, cwd } = req as { command: string; cwd?: unknown };
  if (cwd !== undefined && typeof cwd !== 'string') return { error: '"cwd" must be a string' };
  const checked = guard.check({ command, cwd });
  const d = adjust && checked.losses?.length ? await adjust(checked) : checked;
  record?.(command, cwd, d);
  return d;
}
