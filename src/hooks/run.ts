// `agentguard hook <agent>`: read the agent's hook input on stdin, decide, answer in the
// agent's format. Inside a session (AGENTGUARD_SOCKET set) the session decides and the person
// answers there; outside one, createGuard decides alone. Nothing here may let a command
// through by accident: malformed input, an unreachable session, a rule file error or any
// other exception ends in the agent's "block".
//
// A command agentguard does not flag gets no opinion, so the agent's own permission system
// still decides (its prompts for `git push`, its deny rules); installed with --auto-approve the
// hook answers allow instead. An "ask" goes to the agent as a question only when the agent
// will show it to a person; when nobody will see it (the hook cannot ask, or the agent runs
// without asking anyone: Claude Code's bypassPermissions and dontAsk modes, `claude -p`,
// Codex's approval policy never) it is a block that says what to run instead.
import path from 'node:path';
import fs from 'node:fs';
import type { Action, Decision, RuleMatch } from '../policy/decision.js';
import type { Taken } from '../git/take.js';
import { HOOK_AGENT_NAMES, hookAgent, isAgent, type HookAgent } from '../agents/index.js';
import { MalformedInput } from '../agents/hook-input.js';
import type { HookAnswer, HookProbe, ShellCall } from '../agents/types.js';
import type { UserConfig } from '../config/user.js';
import { escapeForTerminal } from '../ui/display.js';
import type { HookOrigin } from '../session/protocol.js';
import type { Outcome } from '../log/record.js';

/** What agentguard decided, in agentguard's terms, with the text for the agent and the person. */
export interface Verdict {
  action: Action;
  /** For the agent (and, where the agent shows it, the person). */
  reason: string;
  /** The rules and findings behind it, without the opening sentence. */
  details: string;
}

export interface HookOptions {
  /** Answer allow for a command agentguard does not flag (`install --auto-approve`), instead of no opinion. */
  autoApprove?: boolean;
  /** A rule file or config.yaml problem blocks every command instead of skipping the file (`--strict-rules`). */
  strictRules?: boolean;
}

/** The hook is installed with a 600 s timeout; the session gets a little less, so the answer is ours, not a timeout's. */
export const SESSION_WAIT_MS = 570_000;
const STDIN_WAIT_MS = 30_000;
const STDIN_MAX = 16 * 1024 * 1024;

export interface HookIO {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Default: the real checks (src/agents/types.ts HookProbe). */
  probe?: HookProbe;
}

const defaultIO = (): HookIO => ({ stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() });

const realProbe: HookProbe = {
  terminal() {
    try {
      fs.closeSync(fs.openSync('/dev/tty', 'r'));
      return true;
    } catch {
      return false;
    }
  },
};

/** Runs one hook invocation; returns the exit status. Never throws. */
export async function runHook(agent: string, io: HookIO = defaultIO(), opts: HookOptions = {}): Promise<number> {
  if (!isAgent(agent)) {
    io.stderr.write(`agentguard: unknown agent "${agent}" (expected ${HOOK_AGENT_NAMES.join(', ')}); the command was blocked\n`);
    return 2;
  }
  const a = hookAgent(agent);
  let answer;
  try {
    answer = await decide(a, io, opts);
  } catch (e) {
    answer = a.hook.failure(failureReason(e));
  }
  io.stdout.write(answer.stdout);
  if (answer.stderr) io.stderr.write(answer.stderr);
  return answer.exitCode;
}

function failureReason(e: unknown): string {
  const err = e as Error & { problems?: string[] };
  if (e instanceof MalformedInput) return `agentguard: the hook input is malformed (${err.message}); the command was blocked`;
  if (Array.isArray(err?.problems)) return `agentguard: rule files have errors, so nothing could be checked and the command was blocked: ${err.problems.join('; ')}`;
  return `agentguard: ${err?.message ?? String(e)}; the command was blocked`;
}

/**
 * agentguard's ask when nobody will see a question: a refusal that says why nobody was asked
 * and how the person can let the command run. Never "asks for approval": nobody was asked.
 */
export function blockedAsk(a: Pick<HookAgent, 'title' | 'binary'>, details: string, nobodyToAsk: string): string {
  return (
    `agentguard blocked this command: it needs a person's approval, and nobody can be asked here (${nobodyToAsk}). ${details} ` +
    `To run it, the person can run the command themselves in a terminal, or start ${a.title} inside agentguard ` +
    `(\`agentguard shell -- ${a.binary}\`), where agentguard can ask them at its prompt. Tell the person what you wanted to run and why.`
  );
}

/** The verdict in the agent's format. */
function answerFor(a: HookAgent, v: Verdict, call: ShellCall, opts: HookOptions & { fromSession?: boolean }): HookAnswer {
  const h = a.hook;
  // The session's allow stands: the person answered there, or the session's policy let it run.
  if (v.action === 'allow') return (opts.fromSession || opts.autoApprove ? h.allow(v.reason) : null) ?? h.noOpinion();
  if (v.action === 'ask') {
    const nobody = h.ask ? call.nobodyToAsk : (call.nobodyToAsk ?? `${a.title}'s hook cannot ask a person`);
    if (nobody === null) return h.ask!(v.reason);
    return h.deny(blockedAsk(a, v.details, nobody), `agentguard blocked this command: it needs your approval, and nobody can be asked here (${nobody}). ${v.details}`);
  }
  return h.deny(v.reason, v.reason);
}

async function decide(adapter: HookAgent, io: HookIO, opts: HookOptions) {
  const raw = await readAll(io.stdin);
  let input: unknown;
  try {
    input = JSON.parse(raw);
  } catch (e) {
    throw new MalformedInput(`not JSON: ${(e as Error).message}`);
  }
  const parsed = adapter.hook.parse(input, io.env, io.probe ?? realProbe);
  if (parsed.kind === 'pass') return adapter.hook.noOpinion();
  const call = parsed.call;
  const cwd = call.cwd ?? io.cwd;

  const socket = io.env.AGENTGUARD_SOCKET;
  if (socket !== undefined) {
    const { askSession } = await import('./session.js');
    const a = await askSession(socket, call.command, cwd, SESSION_WAIT_MS, origin(adapter, call, cwd));
    const verdict: Verdict = a.allow
      ? { action: 'allow', reason: 'agentguard: allowed by the agentguard session', details: '' }
      : { action: 'deny', reason: a.message, details: a.message };
    return answerFor(adapter, verdict, call, { ...opts, fromSession: true });
  }

  const [{ createGuard, ruleProblemLine }, { findWorkspace }] = await Promise.all([import('../guard.js'), import('../policy/confine.js')]);
  // The workspace is the project's, fixed for the whole agent session like `agentguard shell`'s,
  // not re-derived from wherever the command happens to run.
  const top = findWorkspace(call.project ?? cwd);
  const guard = await createGuard({ cwd, workspaces: call.workspaces ?? (top ? [top] : []), strictRules: opts.strictRules });
  let decision = guard.check({ command: call.command, cwd });
  // Whether the agent shows an ask to its person (else an ask is sent as a block).
  const personAsked = !!adapter.hook.ask && call.nobodyToAsk === null;
  let taken: Taken[] = [];
  let snapshotNote = '';
  if (decision.losses?.length) {
    // A command that destroys something: judged by what the repository would lose (src/git/judge.ts),
    // and when the person is asked, a snapshot first, since their yes is not seen here.
    const [{ judgeSafely }, { StateCache }, { Snapshotter, snapshotLine }, { hookLogId }] = await Promise.all([import('../git/judge.js'), import('../git/state.js'), import('../git/take.js'), import('../log/record.js')]);
    decision = await judgeSafely(decision, { cache: new StateCache() });
    if (decision.action === 'ask' && personAsked && decision.git?.snapshot.length) {
      const session = hookLogId(adapter.name, call.agentSession);
      taken = await new Snapshotter(session).take(decision.git.snapshot, call.command);
      snapshotNote = ` ${escapeForTerminal(snapshotLine(taken, session))}.`;
    }
  }
  const verdict = verdictFor(decision);
  verdict.reason += snapshotNote;
  verdict.details += snapshotNote;
  // A skipped rule file is said to the agent too, whose person may think their rule holds.
  const problem = ruleProblemLine(guard.warnings);
  // Escaped: a project's file name and what YAML quotes from it come from the repository.
  if (problem) {
    const note = ` agentguard: ${escapeForTerminal(problem)}`;
    verdict.reason += note;
    verdict.details += note;
  }
  const answer = answerFor(adapter, verdict, call, opts);
  await record(adapter, call, cwd, decision, answer.exitCode === 0 ? finalAction(adapter, verdict, call) : 'deny', io, guard.rules.config, taken);
  return answer;
}

/** Where the command comes from, as the agent's hook input says: for the log only. */
function origin(adapter: HookAgent, call: ShellCall, cwd: string): HookOrigin {
  return {
    agent: adapter.name,
    project: path.resolve(call.project ?? cwd),
    ...(call.agentSession ? { agentSession: call.agentSession } : {}),
    ...(call.tool ? { tool: call.tool } : {}),
  };
}

/** What the agent was told, in allow / ask / deny terms (an ask nobody would see was sent as deny). */
function finalAction(adapter: HookAgent, v: Verdict, call: ShellCall): 'allow' | 'ask' | 'deny' {
  if (v.action === 'ask' && (!adapter.hook.ask || call.nobodyToAsk !== null)) return 'deny';
  return v.action;
}

/**
 * The outcome outside a session (src/log/record.ts Outcome): an ask the agent shows its person
 * is `asked` (their answer is the agent's, unseen here); one nobody would see was a refusal.
 */
function hookOutcome(d: Decision, told: 'allow' | 'ask' | 'deny'): Outcome {
  if (told === 'allow') return 'allowed';
  if (told === 'ask') return 'asked';
  return d.action === 'deny' ? 'denied' : 'refused';
}

function readAll(stdin: HookIO['stdin']): Promise<string> {
  if (stdin.isTTY) return Promise.reject(new MalformedInput('stdin is a terminal: the hook reads the agent\'s hook JSON on stdin'));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const timer = setTimeout(() => done(new MalformedInput(`no hook input on stdin within ${STDIN_WAIT_MS / 1000} s`)), STDIN_WAIT_MS);
    timer.unref();
    let finished = false;
    const done = (err: Error | null) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      stdin.removeListener('data', onData);
      if (err) reject(err);
      else resolve(Buffer.concat(chunks).toString('utf8'));
    };
    const onData = (c: Buffer | string) => {
      const b = typeof c === 'string' ? Buffer.from(c) : c;
      size += b.length;
      if (size > STDIN_MAX) return done(new MalformedInput('hook input larger than 16 MiB'));
      chunks.push(b);
    };
    stdin.on('data', onData);
    stdin.once('end', () => done(null));
    stdin.once('error', (e: Error) => done(e));
  });
}

const ORDER = { deny: 2, ask: 1, allow: 0 } as const;
const SEVERITY = { critical: 3, high: 2, medium: 1, low: 0 } as const;

/** The decision as one readable line: the strictest rule first, then anything not analysable. */
export function verdictFor(d: Decision): Verdict {
  if (d.action === 'allow') return { action: 'allow', reason: 'agentguard: allowed', details: '' };
  const matches = d.matches
    .filter((m) => m.action !== 'allow')
    .sort((a: RuleMatch, b: RuleMatch) => ORDER[b.action] - ORDER[a.action] || SEVERITY[b.severity] - SEVERITY[a.severity]);
  const parts: string[] = [];
  const seen = new Set<string>();
  for (const m of matches) {
    if (seen.has(m.rule)) continue;
    seen.add(m.rule);
    // What matched (`credential-read (~/.npmrc)`), escaped: agents show this reason to the person.
    // The message too: a project's rule message is the repository's text.
    parts.push(`${m.rule}${m.subject?.length ? ` (${escapeForTerminal(m.subject.join(', '))})` : ''}: ${oneLine(m.message)}`);
    if (parts.length === 3) break;
  }
  for (const o of d.opaque.slice(0, 2)) parts.push(`Not analysable: ${oneLine(o)}`);
  if (!parts.length) parts.push('Not analysable: the command could not be analysed');
  // "asks for approval" is true only where the agent shows the ask to a person; answerFor words it otherwise.
  const head = d.action === 'deny' ? 'agentguard denied this command.' : 'agentguard asks for approval.';
  const details = parts.map(sentence).join(' ');
  return { action: d.action, reason: `${head} ${details}`, details };
}

/** One line, escaped for the terminal the agent shows it on. */
const oneLine = (s: string) => escapeForTerminal(s.replace(/\s*\n\s*/g, ' '));
const sentence = (s: string) => (/[.!?]$/.test(s.trim()) ? s.trim() : `${s.trim()}.`);

/**
 * Outside a session each agent session's hook decisions go to a log of their own (one per agent
 * session and day, src/log/record.ts hookLog), each record saying which agent, project and
 * agent session it comes from.
 */
async function record(adapter: HookAgent, call: ShellCall, cwd: string, decision: Decision, verdict: 'allow' | 'ask' | 'deny', io: HookIO, config?: UserConfig | null, taken: Taken[] = []) {
  try {
    const [{ hookLog, decisionFields }, { Redactor }, { settingsFrom }, { detachedAnchor }] = await Promise.all([import('../log/record.js'), import('../log/redact.js'), import('../anchor/settings.js'), import('../anchor/writer.js')]);
    const sinks = config?.log?.sinks?.length ? await (await import('../sinks/daily.js')).dailySinks(config, (m) => io.stderr.write(`agentguard: ${m}\n`)) : null;
    const from = origin(adapter, call, cwd);
    const log = hookLog(adapter.name, call.agentSession, { onAppend: sinks?.onAppend, anchor: detachedAnchor(settingsFrom(config?.log)) });
    try {
      const redactor = new Redactor(io.env);
      const seq = log.append('decision', {
        ...decisionFields({ source: `hook:${adapter.name}`, command: call.command, cwd: path.resolve(cwd), decision, verdict, outcome: hookOutcome(decision, verdict) }, redactor),
        ...from,
      });
      if (taken.length) {
        const { snapshotRecords } = await import('../git/take.js');
        for (const r of snapshotRecords(taken, call.command, redactor, seq)) log.append(r.kind, r);
      }
    } finally {
      log.close();
    }
    await sinks?.finish();
  } catch (e) {
    // The decision stands (it was not made an allow by this); the person can see the log failed.
    io.stderr.write(`agentguard: could not write the log: ${(e as Error).message}\n`);
  }
}
