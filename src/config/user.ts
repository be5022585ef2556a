// The person's own settings file, ~/.config/agentguard/config.yaml (or $XDG_CONFIG_HOME/…):
// what only the person may decide, never a repository. Today: the size above which an
// allocation or write asks, any rule's action set by id (`rules:`, with a reason), and rule
// families or rules switched off for one project (a repository that is itself, say, a
// database tool's source). Loaded only when the file exists;
// YAML and zod are imported then, so a cold check without the file pays nothing.
import fs from 'node:fs';
import path from 'node:path';
import { parseSize as parseProgramSize } from '../programs/volume.js';

export interface ProjectSetting {
  /** The project directory (~ expanded, symlinks resolved); its workspace or anything under it. */
  path: string;
  /** The path as written, ~ expanded (what `path` was resolved from; the rule cache resolves it again). */
  written?: string;
  /** Rule families (rules/<family>/) or rule ids switched off there. */
  off: string[];
  reason: string;
  line: number;
}

/** `rules: {<id>: {action, reason}}`: one rule's action set everywhere, by the person. */
export interface RuleOverride {
  id: string;
  /** off removes the rule. */
  action: 'off' | 'ask' | 'deny';
  reason: string;
  line: number;
}

export interface UserConfig {
  file: string;
  /** limits.large_write in bytes, when set. */
  largeWriteBytes?: number;
  projects: ProjectSetting[];
  rules: RuleOverride[];
  /**
   * log.sinks (SPECs, as --log-sink takes them: src/sinks/spec.ts) and log.queue, applied by every
   * writer of a log; log.anchor and log.syslog: where the session log's heads are anchored (src/anchor).
   */
  log?: { sinks?: string[]; queue?: number; anchor?: 'auto' | 'journald' | 'syslog' | 'none'; syslog?: { socket?: string; files?: string[] } };
  /** budgets: the egress proxy's limits (src/egress/budget.ts), for every agent and per agent by profile name; 0 is off. */
  budgets?: { all: BudgetConfig; agents: Record<string, BudgetConfig> };
}

/** One level of `budgets:` in numbers (bytes for sizes); a field not set falls through to the next level. */
export interface BudgetConfig {
  ratePerMinute?: number;
  maxModelRequests?: number;
  maxSessionBytes?: number;
  maxDailyBytes?: number;
  maxDailyModelRequests?: number;
}

export class ConfigError extends Error {
  constructor(public problems: string[]) {
    super(problems.join('\n'));
    this.name = 'ConfigError';
  }
}

export function userConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  const config = env.XDG_CONFIG_HOME || path.join(env.HOME ?? '', '.config');
  return path.join(config, 'agentguard', 'config.yaml');
}

/** "10GiB", "500G", "1.5 TB", 1073741824 → bytes (as dd and fallocate spell sizes); null when it is not a size. */
export function parseSize(v: string | number): number | null {
  if (typeof v === 'number') return Number.isFinite(v) && v >= 0 ? v : null;
  const bytes = parseProgramSize(v.replace(/\s+/g, ''), { decimals: true });
  return bytes === null || Number.isNaN(bytes) ? null : Math.round(bytes);
}

/**
 * Reads the config file; null when there is none. A file that does not parse or validate
 * throws ConfigError with file:line: what is wrong (nothing is checked with half a config).
 */
export async function loadUserConfig(file: string, home: string): Promise<UserConfig | null> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new ConfigError([`${file}: cannot read: ${(e as Error).message}`]);
  }
  const [{ LineCounter, parseDocument }, { z }] = await Promise.all([import('yaml'), import('zod')]);
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false });
  if (doc.errors.length) throw new ConfigError(doc.errors.map((e) => `${file}:${lc.linePos(e.pos[0]).line}: YAML: ${e.message.split('\n')[0]}`));
  const lineOf = (p: (string | number)[]) => {
    for (let i = p.length; i >= 0; i--) {
      const node = doc.getIn(p.slice(0, i), true) as { range?: [number, number, number] } | undefined;
      if (node && typeof node === 'object' && node.range) return lc.linePos(node.range[0]).line;
    }
    return 1;
  };
  const count = z.union([z.number().int().min(0), z.literal('off')], { message: 'a whole number, or off (0 is off too)' });
  const sizeField = z.union([z.string(), z.number().min(0)], { message: 'a size (10GiB, 500M, a number of bytes), or off (0 is off too)' });
  const budgetFields = {
    rate_per_minute: count.optional().describe('requests and new tunnels to one host in any minute (default 120)'),
    model_requests: count.optional().describe("requests to the agent's own model API hosts in one session (default off)"),
    session_bytes: sizeField.optional().describe('bytes sent and received through the egress proxy in one session (default 5GiB)'),
    daily_bytes: sizeField.optional().describe('bytes sent and received by one agent in one day, over every session (default 20GiB)'),
    daily_model_requests: count.optional().describe("requests to the agent's own model API hosts in one day, over every session (default off)"),
  };
  const schema = z
    .object({
      budgets: z
        .object({
          ...budgetFields,
          agents: z.record(z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'an agent profile name (claude, codex, gemini …)'), z.object(budgetFields).strict()).optional().describe('the same limits for one agent, by its profile name; they win over the ones above'),
        })
        .strict()
        .optional(),
      limits: z.object({ large_write: z.union([z.string(), z.number()]).optional() }).strict().optional(),
      log: z
        .object({
          sinks: z.array(z.string().regex(/^(file:\/.*|syslog(:\/.*)?|((syslog\+)?(udp|tcp)|otlp-https?):\/\/.+)$/, 'a log sink: file:/PATH, syslog, syslog+udp://HOST[:PORT], syslog+tcp://HOST[:PORT] or otlp-http://HOST[:PORT]')).optional(),
          queue: z.number().int().min(1).max(1_000_000).optional(),
          anchor: z.enum(['auto', 'journald', 'syslog', 'none'], { message: 'must be auto, journald, syslog or none' }).optional(),
          syslog: z.object({ socket: z.string().min(1).optional(), files: z.array(z.string().min(1)).optional() }).strict().optional(),
        })
        .strict()
        .optional(),
      rules: z
        .record(
          z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'a rule id (agentguard rules list)'),
          z
            .object({
              action: z.enum(['off', 'ask', 'deny'], { message: 'must be off, ask or deny (to let a command through that a rule flags, write an exception rule with action: allow and overrides: [id])' }),
              reason: z.string().min(1, 'say why (it is shown where the rule would have applied)'),
            })
            .strict(),
        )
        .optional(),
      projects: z
        .array(
          z
            .object({
              path: z.string().min(1),
              off: z.array(z.string().min(1)).min(1),
              reason: z.string().min(1, 'say why (it is shown with every decision the switched-off rules would have made)'),
            })
            .strict(),
        )
        .optional(),
    })
    .strict();
  const parsed = schema.safeParse(doc.toJS() ?? {});
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => {
        const p = i.path.filter((x): x is string | number => typeof x !== 'symbol');
        const msg = i.code === 'unrecognized_keys' ? `unknown field${i.keys.length > 1 ? 's' : ''} ${i.keys.join(', ')} (known: limits.large_write, rules.<id>.action/reason, projects[].path/off/reason, log.sinks, log.queue, log.anchor, log.syslog.socket/files, budgets.rate_per_minute/model_requests/session_bytes/daily_bytes/daily_model_requests, budgets.agents.<agent>.…)` : i.message;
        return `${file}:${lineOf(p)}: ${p.join('.') || '(top level)'}: ${msg}`;
      }),
    );
  }
  const out: UserConfig = { file, projects: [], rules: [], ...(parsed.data.log ? { log: parsed.data.log } : {}) };
  for (const [id, o] of Object.entries(parsed.data.rules ?? {})) out.rules.push({ id, action: o.action, reason: o.reason, line: lineOf(['rules', id]) });
  const size = parsed.data.limits?.large_write;
  if (size !== undefined) {
    const bytes = parseSize(size);
    if (bytes === null) throw new ConfigError([`${file}:${lineOf(['limits', 'large_write'])}: limits.large_write: "${size}" is not a size (write e.g. 10GiB, 500G or a number of bytes)`]);
    out.largeWriteBytes = bytes;
  }
  if (parsed.data.budgets) {
    const { agents, ...all } = parsed.data.budgets;
    const level = (b: typeof all, at: string[]): BudgetConfig => {
      const out: BudgetConfig = {};
      const n = (v: number | 'off') => (v === 'off' ? 0 : v);
      const bytes = (v: string | number, key: string) => {
        const got = v === 'off' ? 0 : parseSize(v);
        if (got === null) throw new ConfigError([`${file}:${lineOf([...at, key])}: ${[...at, key].join('.')}: "${v}" is not a size (write e.g. 20GiB, 500M, a number of bytes, or off)`]);
        return got;
      };
      if (b.rate_per_minute !== undefined) out.ratePerMinute = n(b.rate_per_minute);
      if (b.model_requests !== undefined) out.maxModelRequests = n(b.model_requests);
      if (b.session_bytes !== undefined) out.maxSessionBytes = bytes(b.session_bytes, 'session_bytes');
      if (b.daily_bytes !== undefined) out.maxDailyBytes = bytes(b.daily_bytes, 'daily_bytes');
      if (b.daily_model_requests !== undefined) out.maxDailyModelRequests = n(b.daily_model_requests);
      return out;
    };
    out.budgets = { all: level(all, ['budgets']), agents: Object.fromEntries(Object.entries(agents ?? {}).map(([name, b]) => [name, level(b, ['budgets', 'agents', name])])) };
  }
  parsed.data.projects?.forEach((p, i) => {
    const expanded = p.path === '~' ? home : p.path.startsWith('~/') ? path.join(home, p.path.slice(2)) : p.path;
    if (!path.isAbsolute(expanded)) throw new ConfigError([`${file}:${lineOf(['projects', i, 'path'])}: projects.${i}.path: "${p.path}" must be absolute or start with ~/`]);
    out.projects.push({ path: realOrSelf(expanded), written: expanded, off: p.off, reason: p.reason, line: lineOf(['projects', i]) });
  });
  return out;
}

function realOrSelf(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    return path.resolve(p);
  }
}

/** The settings of the projects a workspace belongs to (it is the project's directory or inside it). */
export function projectSettings(config: UserConfig | null, workspace: string | null): ProjectSetting[] {
  if (!config || !workspace) return [];
  const ws = realOrSelf(workspace);
  return config.projects.filter((p) => ws === p.path || ws.startsWith(p.path.endsWith('/') ? p.path : p.path + '/'));
}
