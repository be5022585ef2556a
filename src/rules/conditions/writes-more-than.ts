// writes_more_than: how many bytes a command puts in files, compared with a size. The sizes
// are program knowledge (src/programs/: each program's `volume`, dd bs×count, fallocate -l,
// truncate -s, head -c, yes and /dev/zero without end); this module follows the bytes
// through pipes and redirects to the file they land in, and counts a write repeated by a
// loop that never ends nor pauses as without end. The threshold is the caller's
// (MatchContext.largeWriteBytes, from the user config).
import type { Command, Script, Word } from '../../shell/types.js';
import { endless, hasVolume, parseSize, programVolume, type Bytes, type Volume } from './command-view.js';
import { defineCondition, LARGE_WRITE_BYTES, MAYBE, NO, YES, type MatchContext } from './core.js';

/** Commands that wait or leave a loop: with one, an endless loop is a poller, not a flood. */
const PAUSES = new Set(['sleep', 'read', 'wait', 'break', 'exit', 'return', 'inotifywait', 'fswatch', 'entr', 'timeout', 'usleep']);

const volumes = new WeakMap<Command, Volume | null>();

/** Whether writing to this word fills a disk (or memory, /dev/shm): a file, not a device or a kernel interface. */
function isFile(w: Word): boolean {
  if (w.value === null) return true;
  return !/^\/(dev|proc|sys)\//.test(w.value) || w.value.startsWith('/dev/shm/');
}

/** Per line: the last command of each pipeline stage ("id:index"), and which endless loops pause. */
interface LineIndex {
  stages: Map<string, Command>;
  pausing: Set<number>;
}
const lineIndexes = new WeakMap<Script, LineIndex>();

// Built once per line, so that a long line of pipelines or a large loop stays linear.
function lineIndex(script: Script): LineIndex {
  let ix = lineIndexes.get(script);
  if (!ix) {
    ix = { stages: new Map(), pausing: new Set() };
    for (const c of script.commands) {
      if (c.pipeline) ix.stages.set(`${c.pipeline.id}:${c.pipeline.index}`, c);
      if (c.loop !== undefined && c.program !== null && PAUSES.has(c.program)) ix.pausing.add(c.loop);
    }
    lineIndexes.set(script, ix);
  }
  return ix;
}

/** The stage that feeds this one through a pipe, and the one it feeds. */
function stage(c: Command, ctx: MatchContext, offset: number): Command | undefined {
  if (!c.pipeline) return undefined;
  return lineIndex(ctx.script).stages.get(`${c.pipeline.id}:${c.pipeline.index + offset}`);
}

function stdinOf(c: Command, ctx: MatchContext, depth: number): Bytes {
  for (const r of c.redirects) if (r.kind === 'read' && (r.fd === null || r.fd === 0)) return endless(r.target) ? Infinity : 0;
  if (c.stdin !== null) return 0;
  const prev = c.pipeline && c.pipeline.index > 0 ? stage(c, ctx, -1) : undefined;
  return prev && depth < 32 ? (volumeOf(prev, ctx, depth + 1)?.stdout ?? 0) : 0;
}

function volumeOf(c: Command, ctx: MatchContext, depth = 0): Volume | null {
  if (volumes.has(c)) return volumes.get(c)!;
  const v = c.program === null || !hasVolume(c.program) ? null : programVolume(c.program, c.argv.slice(1), stdinOf(c, ctx, depth), { stdin: c.stdin, assignments: c.assignments });
  volumes.set(c, v);
  return v;
}

/**
 * The file stdout lands in: the command's own redirect (the last one wins, as in bash), or,
 * when it is not redirected nor piped, that of the command that started it (nohup yes > f,
 * bash -c 'yes' > f). Null for a pipe, a device or the terminal.
 */
function stdoutFile(c: Command, ctx: MatchContext, depth = 0): Word | null {
  let target: Word | null = null;
  for (const r of c.redirects) if ((r.fd === null || r.fd === 1) && (r.kind === 'write' || r.kind === 'append')) target = r.target;
  if (target) return isFile(target) ? target : null;
  if (stage(c, ctx, 1)) return null;
  if (c.origin.kind === 'nested' && depth < 32) return stdoutFile(ctx.script.commands[c.origin.parent], ctx, depth + 1);
  return null;
}

/** Inside a loop that never ends and has nothing that waits or leaves it. */
function floods(c: Command, ctx: MatchContext): boolean {
  if (c.loop === undefined) return false;
  return !lineIndex(ctx.script).pausing.has(c.loop);
}

interface Written {
  bytes: Bytes;
  where: string[];
}

function add(a: Bytes, b: Bytes): Bytes {
  if (a === Infinity || b === Infinity) return Infinity;
  return a === null || b === null ? null : a + b;
}

/** Bytes the command puts in files, and where. */
function written(c: Command, ctx: MatchContext): Written {
  const v = volumeOf(c, ctx);
  let bytes: Bytes = 0;
  const where: string[] = [];
  for (const f of v?.files ?? []) {
    if (!isFile(f.path) || f.bytes === 0) continue;
    bytes = add(bytes, f.bytes);
    where.push(f.path.raw);
  }
  const out = stdoutFile(c, ctx);
  if (out && v && v.stdout !== 0) {
    bytes = add(bytes, v.stdout);
    where.push(out.raw);
  }
  if (floods(c, ctx)) {
    const target = c.redirects.find((r) => (r.kind === 'write' || r.kind === 'append') && isFile(r.target))?.target ?? v?.files.find((f) => isFile(f.path))?.path;
    if (target) return { bytes: Infinity, where: [`${target.raw} (in a loop that never ends)`] };
  }
  return { bytes, where };
}

function human(b: Bytes): string {
  if (b === null) return 'a size only known when it runs';
  if (b === Infinity) return 'without end';
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];
  let i = 0;
  while (b >= 1024 && i < units.length - 1) {
    b /= 1024;
    i++;
  }
  return `${Number.isInteger(b) ? b : b.toFixed(1)} ${units[i]}`;
}

export const writesMoreThan = defineCondition({
  key: 'writes_more_than',
  schema: (z) =>
    z
      .union([z.literal('threshold'), z.string().regex(/^\d+([KMGTPE](iB|B)?)?$/, 'a size such as 500M, 10G or 1TiB, or the word threshold')])
      .describe(
        'The command writes or allocates more than this many bytes in files: sizes it is given (dd bs×count, fallocate -l, truncate -s, head -c), output without end (yes, cat /dev/zero) sent to a file, a write repeated by a loop that never ends nor pauses. "threshold" is the configured large-write size (default 10 GiB); a size such as 500M or 1T is fixed',
      ),
  example: { value: '1G', match: ['fallocate -l 2G swap.img', 'yes > out.txt'], no_match: ['fallocate -l 100M swap.img', 'yes | head -n 5'] },
  compile(value) {
    const fixed = value === 'threshold' ? null : parseSize(value);
    const limit = (ctx: MatchContext) => fixed ?? ctx.largeWriteBytes ?? LARGE_WRITE_BYTES;
    return {
      test: (c, ctx) => {
        const { bytes } = written(c, ctx);
        if (bytes === null) return MAYBE;
        return bytes > limit(ctx) ? YES : NO;
      },
      subjects: (c, ctx) => {
        const w = written(c, ctx);
        return w.where.map((p) => (p.includes('(in a loop') ? p : `${p} (${human(w.bytes)})`));
      },
      programs: null,
    };
  },
});
