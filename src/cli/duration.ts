// Durations as people type them on the command line: 90s, 15m, 2h, 1h30m, 7d, 2w, 500ms.
// One grammar for every flag that takes one (log --since, log/snapshots prune --older-than,
// shell --max-session-time and --max-command-cpu).

const UNIT_MS = { ms: 1, s: 1e3, m: 6e4, h: 3.6e6, d: 8.64e7, w: 6.048e8 } as const;

/**
 * Milliseconds. A number with a unit, or several run together (1h30m); with `bareSeconds`, a
 * plain number counts as seconds (as `timeout` reads it). Anything else throws "not a duration".
 */
export function parseDuration(s: string, opts: { bareSeconds?: boolean } = {}): number {
  const t = s.trim();
  if (opts.bareSeconds && /^\d+(?:\.\d+)?$/.test(t)) return Number(t) * 1e3;
  const parts = [...t.matchAll(/(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)/g)];
  if (!parts.length || parts.map((p) => p[0]).join('') !== t) throw new Error(`not a duration: ${s} (use a number and s, m, h, d or w: 90s, 30m, 1h30m, 7d)`);
  return parts.reduce((sum, p) => sum + Number(p[1]) * UNIT_MS[p[2] as keyof typeof UNIT_MS], 0);
}
