// Reading an agent's hook JSON and writing the answers every agent shares: strict accessors
// that throw MalformedInput (which the hook runner turns into a block), and the exit-2 block
// all four agents document. Pure.
import path from 'node:path';
import type { HookAnswer } from './types.js';

export class MalformedInput extends Error {}

export type Json = Record<string, unknown>;

export function object(v: unknown, what: string): Json {
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new MalformedInput(`${what} is not a JSON object`);
  return v as Json;
}

export function str(o: Json, key: string, what: string): string {
  const v = o[key];
  if (typeof v !== 'string') throw new MalformedInput(`${what}.${key} is missing or not a string`);
  return v;
}

export function optionalStr(o: Json, key: string, what: string): string | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new MalformedInput(`${what}.${key} is not a string`);
  return v;
}

/** A field kept only for the log (the agent's session id): anything but a string is left out, never a reason to block. */
export function noteStr(o: Json, key: string): string | undefined {
  const v = o[key];
  return typeof v === 'string' && v ? v : undefined;
}

/** The event name, when present, must be the one the hook is installed for; another event is not ours to judge. */
export function otherEvent(o: Json, expected: string): boolean {
  const e = o.hook_event_name;
  if (e === undefined) return false;
  if (typeof e !== 'string') throw new MalformedInput('hook_event_name is not a string');
  return e !== expected;
}

export function absolute(dir: string | undefined, base?: string): string | undefined {
  if (!dir) return base;
  return path.isAbsolute(dir) ? path.normalize(dir) : base ? path.resolve(base, dir) : undefined;
}

export const json = (v: unknown) => JSON.stringify(v) + '\n';

export function oneLine(s: string): string {
  return s.replace(/[\r\n]+/g, ' ').trim();
}

/** Exit status 2 with the reason on stderr: "block" for every agent agentguard supports. */
export function blocked(reason: string): HookAnswer {
  return { stdout: '', stderr: oneLine(reason) + '\n', exitCode: 2 };
}

/** Seconds an agent lets the hook run. Inside a session the person may take a while to answer. */
export const HOOK_TIMEOUT_S = 600;

export const silent = (): HookAnswer => ({ stdout: '', stderr: '', exitCode: 0 });
