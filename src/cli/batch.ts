// agentguard check --batch: JSON Lines in, one decision per line out, in order.
// A malformed line gets {"error": …} on its own line and the batch goes on.
import readline from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { Guard } from '../guard.js';
import type { Decision } from '../policy/decision.js';

export type BatchRecorder = (command: string, cwd: string | undefined, d: Decision) => void;

export async function runBatch(guard: Guard, input: Readable, output: Writable, record?: BatchRecorder): Promise<void> {
  const rl = readline.createInterface({ input, crlfDelay: Infinity });
  for await (const line of rl) {
    if (!line.trim()) continue;
    output.write(JSON.stringify(decideLine(guard, line, record)) + '\n');
  }
}

function decideLine(guard: Guard, line: string, record?: BatchRecorder): unknown {
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
  const d = guard.check({ command, cwd });
  record?.(command, cwd, d);
  return d;
}
