// The gate: turns a shim or hook request into ALLOW or DENY. Every shell is checked, nested
// or not; a person's answer is keyed on the analysed commands and the directory they run
// in (not on the line's text), so the same question is never asked twice and an answer
// never covers a different command. Everything else is asked about.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Guard } from '../guard.js';
import { ruleProblemLine } from '../rules/load.js';
import { escapeForTerminal } from '../ui/display.js';
import { isInside, realPath } from '../policy/confine.js';
import { MAX_SOURCE_BYTES } from '../shell/analyse.js';
import { SHELLS, shellMode } from '../programs/index.js';
import type { Word } from '../shell/types.js';
import { codexStartupBody, isRcSourceReason, isSnapshotHelperReason, unwrapAgentCommand } from '../agents/wrappers.js';
import { approvalKeys, type Decision, type RuleMatch } from '../policy/decision.js';
import { allowReply, denyReply, type ExitReport, type ShimRequest } from './protocol.js';
import type { Escalation } from './escalate.js';

export type Answer = 'once' | 'session' | 'deny' | 'timeout' | 'abandoned';

export interface AskInfo {
  command: string;
  cwd: string;
  decision: Decision;
  /** Set when the egress proxy asks about a destination rather than the gate about a command. */
  network?: { host: string; port: number; method: string; url?: string; over?: { limit: string; text: string; more: string } };
  /** Aborted when whoever asked is gone (the shim or hook died): the prompt closes as abandoned. */
  signal?: AbortSignal;
  /** What an approval would run outside the sandbox ("writes /home/dev/old-checkout"): said before the key is pressed. */
  outside?: string[];
  /** "rule file problem: …" (ruleProblemLine) while a rule file or config.yaml is skipped: shown on every prompt. */
  ruleProblem?: string;
  /** Set when the runaway-loop breaker asks: its keys mean "another minute" and "stop asking for this session". */
  breaker?: boolean;
  /** Where the way back is if the person approves ("snapshot kept: agentguard undo …"), or that there is none. */
  snapshot?: string;
}

export interface GateEvent {
  request: ShimRequest;
  /**
   * checked: analysed and decided here. nested / unverified-nested: ran on a token without a
   * check (--trust-nested only). session-allowed: covered by an `a` answer. approved-above:
   * covered by what the person approved for the shell that started it. hook-approved: covered
   * by the answer the agent's hook just got. escalated: approved (now or with `a`), and run
   * outside the sandbox by the broker (escalate.ts).
   */
  kind: 'checked' | 'nested' | 'unverified-nested' | 'interactive' | 'installed-script' | 'session-allowed' | 'approved-above' | 'hook-approved' | 'escalated';
  decision: Decision | null;
  /** What happened: the final verdict. */
  verdict: 'allow' | 'deny';
  answer?: Answer | 'no-terminal';
  /** The decision came from the nested-shell cache (not analysed again). */
  cached?: boolean;
  /** For escalated commands: what only the outside could do. */
  outside?: string[];
  /**
   * The log seq of the record this one is part of: the root of the agent action (the hook's
   * record, else the first shell). Always the root itself, never a part, so parts fold flat.
   */
  parent?: number;
  /** The log seq of the prompt record this decision closes. */
  prompt?: number;
  /** For an installed script: its path and arguments (the content is the script's, not the agent's words). */
  scriptArgv?: string[];
}

/** What the gate tells the log when it opens a question. */
export interface PromptEvent {
  request: ShimRequest;
  decision: Decision;
  parent?: number;
}

export interface GateOptions {
  guard: Guard;
  /**
   * Let shells started by an allowed command through on its token, unchecked (--trust-nested).
   * Off by default: every shell is checked, nested or not.
   */
  trustNested?: boolean;
  /** Asks the person; null when there is no terminal to ask. */
  ask: ((info: AskInfo) => Promise<Answer>) | null;
  /** Called for every decision; returns the log sequence number of its record. */
  onEvent?: (e: GateEvent) => number | void;
  /** Called when a question is put to the person; returns the log sequence number of its record. */
  onPrompt?: (e: PromptEvent) => number | void;
  /**
   * The exact command lines that start agentguard's own hook (hooks/command.ts): the shell the
   * agent starts for them is recorded as a part of the hook's record, after it, not as an action.
   */
  hookLaunchers?: ReadonlySet<string>;
  /** Called when a checked command ends, with the sequence number of its decision. */
  onExit?: (decisionSeq: number | undefined, status: number, ms: number, report?: ExitReport) => void;
  /** More checked commands than this in one minute pause the agent and ask the person (0: no limit). */
  maxCommandsPerMinute?: number;
  /**
   * Where token files go (the runtime's tokens/): with trustNested, a nested shell whose
   * ancestor holds the token runs without a round trip.
   */
  tokensDir?: string;
  /** Called when the person allows an asked command (the session shares its hosts with the egress proxy). */
  onApproved?: (req: ShimRequest, answer: 'once' | 'session') => void;
  /** Whether the files a cached decision was read from are unchanged (default: never reuse a decision that read files). */
  inputsUnchanged?: (d: Decision) => boolean;
  /**
   * The /proc that shows the requesters' pids: a sandbox with its own PID namespace numbers
   * its processes its own way, and its /proc is reachable as /proc/<a process inside>/root/proc.
   */
  procRoot?: () => string;
  /** Sandboxed sessions: approved commands the sandbox would refuse run outside it (escalate.ts). */
  escalation?: Escalation;
  /**
   * Judges a decision whose commands destroy something against the repositories' state
   * (src/git/judge.ts): asks when work would be lost, drops `unless_nothing_lost` rules when
   * none would. Never rejects.
   */
  judge?: (d: Decision) => Promise<Decision>;
  /**
   * Takes the snapshots the decision calls for (Decision.git.snapshot) before the command runs,
   * and logs them; returns the line for the person. Never rejects.
   */
  snapshot?: (d: Decision, req: ShimRequest, link: { parent?: number; prompt?: number }) => Promise<string>;
}

interface TokenEntry {
  pid: number;
  /** The record that allowed this shell (its exit report's decision). */
  seq?: number;
  /** The root of the agent action that record belongs to (nested shells' parent). */
  root?: number;
  start?: string;
  /** A hook launcher allowed but not yet recorded: it is written after the hook's record, as its part. */
  pending?: { req: ShimRequest; decision: Decision; cached: boolean };
  /** Approval keys the person granted to this shell: its descendants asking the same are not asked again. */
  keys: ReadonlySet<string>;
}

const NO_KEYS: ReadonlySet<string> = new Set();
const CACHE_MAX = 4096;
/** How long a hook's "allow once" waits for the agent's shell to run the command. */
const HOOK_ONCE_MS = 60_000;
/** How far up the process tree a shell is looked for to link it to the action it is part of. */
const LINK_DEPTH = 8;

export class Gate {
  private tokens = new Map<string, TokenEntry>();
  /** Approval keys answered with `a`: commands (argv and cwd) and opaque reasons. */
  private sessionKeys = new Set<string>();
  private lastSeq: number | undefined;
  /** The root of the action the last record belongs to (itself when it has no parent). */
  private lastRoot: number | undefined;
  /**
   * What an agent's hook let run (allowed or approved), for linking the agent's shell that runs
   * it right after to the hook's record: the same command (its wrapper taken off) in the same
   * cwd, from a shell whose parent is one of the hook's ancestors (the same agent).
   */
  private hookLinks: { exact: string; keys: string[]; cwd: string; commands: string[]; until: number; root: number; ancestors: ReadonlySet<string> }[] = [];
  /** Installed scripts by process (pid:start) → root seq: the scripts and shells they run are parts of one action. */
  private lineage = new Map<string, number>();
  private recent: number[] = [];
  /** The person answered the breaker with `a`: it asks no more in this session. */
  private breakerOff = false;
  /** The breaker's open question: commands arriving while it is up wait for the same answer. */
  private breakerAsk: Promise<Answer> | null = null;
  /** What an agent's hook got approved once, for the shell that runs it right after (one answer, not two). */
  private hookOnce: { keys: string[]; exact: string; until: number }[] = [];
  /** Exact commands (cwd, text without the agent's wrapper) the person allowed for the session after reading "runs outside the sandbox". */
  private sessionEscalations = new Set<string>();
  /** Decisions for nested shells by (cwd, mode, script): make and npm run the same lines again and again. */
  private cache = new Map<string, Decision>();
  constructor(private opts: GateOptions) {}

  /** While a rule file is skipped, every prompt and denial says so: the person may think a rule of theirs holds. */
  private problemInfo(): { ruleProblem?: string } {
    const line = ruleProblemLine(this.opts.guard.warnings ?? []);
    return line ? { ruleProblem: line } : {};
  }

  private problemNote(): string {
    const line = ruleProblemLine(this.opts.guard.warnings ?? []);
    // Escaped: a project's file name and what YAML quotes from it come from the repository.
    return line ? `. ${escapeForTerminal(line)}` : '';
  }

  /**
   * The runaway-loop circuit breaker: past the per-minute limit the command waits for the
   * person. Returns a refusal, or null to go on.
   */
  private async breaker(req: ShimRequest, signal: AbortSignal | undefined, emit: (e: Omit<GateEvent, 'request'>) => void, opened: (d: Decision) => { prompt?: number }): Promise<string | null> {
    const max = this.opts.maxCommandsPerMinute ?? 0;
    if (!max || this.breakerOff) return null;
    const now = Date.now();
    this.recent = this.recent.filter((t) => now - t < 60_000);
    this.recent.push(now);
    if (this.recent.length <= max) return null;
    const message = `The agent has started ${this.recent.length} commands in the last minute (limit ${max}): a runaway loop?`;
    const decision: Decision = { action: 'ask', matches: [{ rule: 'circuit-breaker', action: 'ask', severity: 'high', message }], opaque: [], commands: [req.argv] };
    const ask = this.opts.ask;
    // One question for every command waiting on it: the first opens its record.
    const prompt = ask && !this.breakerAsk ? opened(decision) : {};
    const answer = ask ? await (this.breakerAsk ??= ask({ command: req.script, cwd: req.cwd, decision, signal, breaker: true, ...this.problemInfo() }).finally(() => (this.breakerAsk = null))) : 'deny';
    if (answer === 'once' || answer === 'session') {
      this.recent = [];
      if (answer === 'session') this.breakerOff = true;
      return null;
    }
    emit({ kind: 'checked', decision, verdict: 'deny', answer: this.opts.ask ? answer : 'no-terminal', ...prompt });
    return denyReply(`agentguard: denied by circuit-breaker: ${message}${this.opts.ask ? refusalSuffix(answer) : ' (no terminal to ask a person)'}${this.problemNote()}`);
  }

  /** `signal` is aborted when the requester (shim or hook) disconnects before the answer. */
  async handle(req: ShimRequest | ExitReport, signal?: AbortSignal): Promise<string> {
    if ('report' in req) {
      const entry = this.tokens.get(req.token);
      // A hook launcher whose hook never asked (it failed to start): recorded now, on its own.
      if (entry?.pending) this.recordLauncher(entry, undefined);
      this.opts.onExit?.(entry?.seq, req.status, req.ms, req);
      return 'OK\n';
    }
    // Whether the token was granted to an ancestor of this shell: looked up in /proc, so only
    // where it matters (an allowed command is answered without it: it grants nothing new).
    let checkedParent: TokenEntry | null | undefined;
    const parentOf = () => (checkedParent !== undefined ? checkedParent : (checkedParent = req.token ? this.validToken(req.token, req.pid) : null));
    // The action this request is part of, worked out once, when its first record is written.
    let link: { parent?: number } | null = null;
    const linkOf = (keys: readonly string[] = [], decision: Decision | null = null) => (link ??= { parent: this.link(req, parentOf, keys, decision) });
    // agentguard's own hook started by the agent through a shell: the hook's record comes first.
    const launcher = req.shell === 'hook' ? this.takeLauncher(req) : null;
    let carried: { prompt?: number } = {};
    const emit = (e: Omit<GateEvent, 'request'>, keys: readonly string[] = []) => {
      const parent = e.kind === 'interactive' ? undefined : linkOf(keys, e.decision).parent;
      const seq = this.opts.onEvent?.({ request: req, ...carried, ...e, ...(parent !== undefined ? { parent } : {}) });
      this.lastSeq = typeof seq === 'number' ? seq : undefined;
      this.lastRoot = parent ?? this.lastSeq;
      const root = this.lastRoot;
      if (launcher) this.recordLauncher(launcher, root);
      if (req.shell === 'hook' && e.verdict === 'allow' && root !== undefined) {
        this.hookLinks.push({ exact: exactKey(req), keys: [...keys], cwd: req.cwd, commands: commandKeys(e.decision), until: Date.now() + HOOK_ONCE_MS, root, ancestors: this.ancestors(req.ppid) });
        // Hooks whose shell never came (the agent was stopped): the oldest go first.
        if (this.hookLinks.length > 256) this.hookLinks.shift();
      }
      if (e.kind === 'installed-script' && root !== undefined) {
        const start = procStat(req.pid, this.proc())?.start;
        if (start !== undefined) this.lineage.set(`${req.pid}:${start}`, root);
        if (this.lineage.size > CACHE_MAX) this.lineage.clear();
      }
    };
    // Opens a question: its record first, so that a reader sees a prompt that is still open.
    const opened = (decision: Decision, keys: readonly string[] = []): { prompt?: number } => {
      const parent = linkOf(keys, decision).parent;
      const seq = this.opts.onPrompt?.({ request: req, decision, ...(parent !== undefined ? { parent } : {}) });
      return typeof seq === 'number' ? { prompt: seq } : {};
    };
    // Neither an interactive shell nor an installed script gets a token: the shells they
    // start are checked like any other (a pyenv or nvm wrapper must not launder commands).
    if (req.mode === 'interactive') {
      // Each line typed into it is checked by the rc hook.
      emit({ kind: 'interactive', decision: null, verdict: 'allow' });
      return allowReply(req.token ?? '');
    }
    const installed = req.mode === 'file' ? this.installedScript(req) : null;
    if (installed) {
      // A script outside the write roots (a tool's #!/usr/bin/env bash, ~/.pyenv/…) was not
      // written by the agent: the sandbox keeps those paths read-only. It runs like a program.
      emit({ kind: 'installed-script', decision: null, verdict: 'allow', scriptArgv: installed });
      return allowReply(parentOf() ? req.token! : '');
    }
    if (req.local) {
      // --trust-nested: the shim found its token's file and an ancestor holding it, and
      // already ran the shell; this is the note for the log. A token this session did not
      // grant to an ancestor means a forged run directory: logged as such.
      emit(parentOf() ? { kind: 'nested', decision: null, verdict: 'allow' } : { kind: 'unverified-nested', decision: null, verdict: 'allow' });
      return allowReply('');
    }
    if (this.opts.trustNested && parentOf()) {
      linkOf();
      setImmediate(() => emit({ kind: 'nested', decision: null, verdict: 'allow' }));
      return allowReply(req.token!);
    }
    // The breaker's question, once answered yes, is closed by this command's own record
    // (unless the command asks a question of its own, whose prompt that record then names).
    const paused = await this.breaker(req, signal, emit, (d) => (carried = opened(d)));
    if (paused) return paused;
    const decided = this.decide(req, !!req.token);
    const cached = decided.cached;
    // The repository's state is read on every request, cached decision or not: it changes between them.
    const decision = this.opts.judge && decided.decision.losses?.length ? await this.opts.judge(decided.decision) : decided.decision;
    // Before a command that would lose work runs: a way back. Its record follows the record it
    // belongs to: the decision that lets the command run, or the prompt that asks about it.
    const snapshotFirst = async (link: { parent?: number; prompt?: number }): Promise<string | undefined> =>
      decision.git?.snapshot.length && this.opts.snapshot ? this.opts.snapshot(decision, req, link) : undefined;
    const lastRecord = () => (this.lastRoot !== undefined ? { parent: this.lastRoot } : {});
    if (decision.action === 'allow') {
      // A nested shell keeps the token it came with (a token this session never issued is
      // dropped); only a top-level command gets a new one, for its exit report.
      // An allowed command that deletes only what this session itself created is not asked
      // about, but still gets its way back (src/git/judge.ts sessionStart); the shell that runs
      // a hook's command takes it, not the hook.
      const silent = async () => (req.shell !== 'hook' ? void (await snapshotFirst(lastRecord())) : undefined);
      if (req.token !== undefined && req.mode !== 'line') {
        emit({ kind: 'checked', decision, verdict: 'allow', cached });
        await silent();
        return allowReply(this.tokens.has(req.token) ? req.token : '');
      }
      if (req.mode === 'c' && this.opts.hookLaunchers?.has(req.script)) return this.allowLauncher(req, decision, cached);
      emit({ kind: 'checked', decision, verdict: 'allow', cached });
      await silent();
      return this.allow(req, NO_KEYS);
    }
    if (decision.action === 'deny') {
      emit({ kind: 'checked', decision, verdict: 'deny', cached });
      return denyReply(refusal(decision, this.problemNote()));
    }
    const keys = approvalKeys(decision);
    const exact = exactKey(req);
    // Something not analysable is known only by its text: an answer to it covers that exact
    // command in that directory (the agent's wrapper taken off, so hook and shell agree), not
    // every line that happens to give the same reason.
    if (decision.opaque.length) keys.push(JSON.stringify(['exact', exact]));
    const parent = parentOf();
    const inherited = parent?.keys ?? NO_KEYS;
    // What runs outside the sandbox runs as a whole line, so an earlier answer escalates only
    // the exact command the person saw (the agent's wrapper taken off), in the same directory:
    // a covered command with an extra `; python3 x.py` or `PATH=… ` in front is asked again.
    const outside = req.shell !== 'hook' ? (this.opts.escalation?.outside(req) ?? []) : [];
    if (keys.every((k) => this.sessionKeys.has(k) || inherited.has(k))) {
      // The person already answered this question: with `a` for the session, or with `y` for
      // the shell that started this one (bash x.sh re-reading what was approved).
      if (!outside.length) {
        emit({ kind: keys.some((k) => !this.sessionKeys.has(k)) ? 'approved-above' : 'session-allowed', decision, verdict: 'allow', cached }, keys);
        await snapshotFirst(lastRecord());
        return this.allow(req, inherited, parent);
      }
      if (this.sessionEscalations.has(exact)) {
        emit({ kind: 'escalated', decision, verdict: 'allow', cached, outside }, keys);
        await snapshotFirst(lastRecord());
        return this.opts.escalation!.reply(req, this.lastSeq);
      }
    }
    if (req.shell !== 'hook') {
      const once = this.takeHookOnce(keys, outside.length ? exact : null);
      if (once && outside.length) {
        // The hook's prompt said "runs outside the sandbox": the agent's shell that runs it escalates.
        emit({ kind: 'escalated', decision, verdict: 'allow', cached, outside }, keys);
        return this.opts.escalation!.reply(req, this.lastSeq);
      }
      if (once) {
        emit({ kind: 'hook-approved', decision, verdict: 'allow', cached }, keys);
        return this.allow(req, union(inherited, keys), parent);
      }
    }
    if (!this.opts.ask) {
      emit({ kind: 'checked', decision, verdict: 'deny', answer: 'no-terminal', cached }, keys);
      return denyReply(refusal(decision, ' (no terminal to ask a person: run the agent inside `agentguard shell` from a terminal, or run the command yourself)' + this.problemNote()));
    }
    const shown = req.shell === 'hook' ? (this.opts.escalation?.outside(req) ?? []) : outside;
    const prompt = signal?.aborted ? {} : opened(decision, keys);
    // Taken before the question, so that the person knows whether there is a way back before answering.
    const snapshot = signal?.aborted ? undefined : await snapshotFirst({ ...linkOf(keys, decision), ...prompt });
    const answer = signal?.aborted
      ? 'abandoned'
      : await this.opts.ask({ command: req.script, cwd: req.cwd, decision, signal, ...(shown.length ? { outside: shown } : {}), ...(snapshot ? { snapshot } : {}), ...this.problemInfo() });
    if ((answer === 'once' || answer === 'session') && !signal?.aborted) {
      if (answer === 'session') {
        for (const k of keys) this.sessionKeys.add(k);
        if (shown.length) this.sessionEscalations.add(exact);
      }
      if (req.shell === 'hook') this.hookOnce.push({ keys, exact, until: Date.now() + HOOK_ONCE_MS });
      try {
        this.opts.onApproved?.(req, answer);
      } catch {
        // Sharing the command's hosts with the proxy is a convenience: the proxy still asks.
      }
      // A hook only asks: the agent's shell that runs the command is what escalates (above).
      if (outside.length && req.shell !== 'hook') {
        emit({ kind: 'escalated', decision, verdict: 'allow', answer, cached, outside, ...prompt }, keys);
        return this.opts.escalation!.reply(req, this.lastSeq);
      }
      emit({ kind: 'checked', decision, verdict: 'allow', answer, cached, ...prompt }, keys);
      return this.allow(req, union(inherited, keys), parent);
    }
    // Whoever asked is gone: the command never runs, whatever was pressed.
    const final = signal?.aborted ? 'abandoned' : answer;
    emit({ kind: 'checked', decision, verdict: 'deny', answer: final, cached, ...prompt }, keys);
    return denyReply(refusal(decision, refusalSuffix(final) + this.problemNote()));
  }

  /** Every record not yet written (hook launchers whose hook never asked): the session is ending. */
  flush(): void {
    for (const entry of this.tokens.values()) if (entry.pending) this.recordLauncher(entry, undefined);
  }

  /**
   * The root of the action a request is part of: the record that allowed the ancestor whose
   * token it carries; else the hook that just let this very command run (the agent's wrapper
   * shell); else an installed script it runs under. Undefined: it is a root itself.
   */
  private link(req: ShimRequest, parentOf: () => TokenEntry | null, keys: readonly string[], decision: Decision | null): number | undefined {
    if (req.shell === 'hook') return undefined;
    // An allowed command's record is placed by the token it carries, unproven: proving the
    // ancestry in /proc cost every allowed nested shell about 0.1 ms, and decides nothing here
    // (it only places the record; an agent's own descendants carry its tokens anyway, and a
    // refused or approved part is listed and counted whatever its place). Questions and
    // denials prove it, as they must for what an approval above covers.
    const p = decision?.action === 'allow' && req.token ? (this.tokens.get(req.token) ?? null) : parentOf();
    if (p) return p.root;
    const now = Date.now();
    this.hookLinks = this.hookLinks.filter((h) => h.until > now);
    if (this.hookLinks.length) {
      const exact = exactKey(req);
      const from = this.ancestors(req.ppid, 1);
      // The same question (exact text without the wrapper, or the same approval keys), or
      // else every command the hook's line runs is among this shell's (a wrapper not recognised).
      const commands = new Set(commandKeys(decision));
      const same = (h: (typeof this.hookLinks)[number]) =>
        h.exact === exact || (keys.length > 0 && keys.every((k) => h.keys.includes(k))) || (h.cwd === req.cwd && h.commands.length > 0 && h.commands.every((c) => commands.has(c)));
      const i = this.hookLinks.findIndex((h) => same(h) && (h.ancestors.size === 0 || [...from].some((a) => h.ancestors.has(a))));
      if (i >= 0) return this.hookLinks.splice(i, 1)[0].root;
    }
    return this.lineageOf(req);
  }

  /**
   * An installed script's action: the request itself (a script that execs the next one) or a
   * nearest ancestor that is an installed script still running as a shell. A program the
   * script finally execs (pyenv's python, which may be the agent itself) ends the chain: the
   * commands that program runs are actions of their own.
   */
  private lineageOf(req: ShimRequest): number | undefined {
    if (!this.lineage.size) return undefined;
    const proc = this.proc();
    for (let pid = req.pid, depth = 0; pid > 1 && depth < LINK_DEPTH; depth++) {
      const s = procStat(pid, proc);
      if (!s) return undefined;
      if (pid !== req.pid && !SHELLS.has(s.comm)) return undefined;
      const root = this.lineage.get(`${pid}:${s.start}`);
      if (root !== undefined) return root;
      pid = s.ppid;
    }
    return undefined;
  }

  /** pid:start of a process and its ancestors, `depth` of them (the hook's agent, seen from the hook). */
  private ancestors(pid: number, depth = LINK_DEPTH): Set<string> {
    const out = new Set<string>();
    const proc = this.proc();
    for (let p = pid, i = 0; p > 1 && i < depth; i++) {
      const s = procStat(p, proc);
      if (!s) break;
      out.add(`${p}:${s.start}`);
      p = s.ppid;
    }
    return out;
  }

  /** The agent's shell that starts agentguard's hook: allowed now, recorded once its hook has asked. */
  private allowLauncher(req: ShimRequest, decision: Decision, cached: boolean): string {
    const reply = this.allow(req, NO_KEYS, null, { seq: undefined, root: undefined });
    const token = reply.slice('ALLOW '.length).trim();
    const entry = this.tokens.get(token);
    if (entry) entry.pending = { req, decision, cached };
    return reply;
  }

  /**
   * The launcher the hook runs under: the shim that forked the shell that started the hook
   * (the hook's grandparent), its parent, or the hook itself after an exec.
   */
  private takeLauncher(req: ShimRequest): TokenEntry | null {
    let pending = 0;
    for (const entry of this.tokens.values()) if (entry.pending) pending++;
    if (!pending) return null;
    const up = new Set([`${req.pid}`, ...[...this.ancestors(req.ppid, 3)].map((a) => a.split(':')[0])]);
    for (const entry of this.tokens.values()) if (entry.pending && up.has(`${entry.pid}`)) return entry;
    return null;
  }

  private recordLauncher(entry: TokenEntry, root: number | undefined) {
    const p = entry.pending;
    if (!p) return;
    entry.pending = undefined;
    const seq = this.opts.onEvent?.({ request: p.req, kind: 'checked', decision: p.decision, verdict: 'allow', cached: p.cached, ...(root !== undefined ? { parent: root } : {}) });
    entry.seq = typeof seq === 'number' ? seq : undefined;
    entry.root = root ?? entry.seq;
  }

  /**
   * A hook's "allow once" covers the agent's next shell that asks for nothing more; one that
   * would escalate must also be the exact command the hook showed.
   */
  private takeHookOnce(keys: string[], exact: string | null): boolean {
    const now = Date.now();
    this.hookOnce = this.hookOnce.filter((a) => a.until > now);
    const i = this.hookOnce.findIndex((a) => keys.every((k) => a.keys.includes(k)) && (exact === null || a.exact === exact));
    if (i < 0) return false;
    this.hookOnce.splice(i, 1);
    return true;
  }

  /** An installed script's path and arguments, or null when the request is not one. */
  private installedScript(req: ShimRequest): string[] | null {
    const words: Word[] = req.argv.slice(1).map((v) => ({ value: v, raw: v, glob: false }));
    const mode = shellMode(words);
    if (mode.mode !== 'file' || mode.file.value === null) return null;
    const file = realPath(path.resolve(req.cwd || '/', mode.file.value));
    // /dev/stdin, /dev/fd/N, /proc/self/fd/N and /dev/shm are whatever the agent feeds them:
    // only a regular file outside the write roots is an installed program.
    if (isInside(file, ['/dev', '/proc', '/sys'])) return null;
    try {
      if (!fs.statSync(file).isFile()) return null;
    } catch {
      return null;
    }
    if (isInside(file, this.opts.guard.writeRoots(req.cwd || '/'))) return null;
    return [mode.file.value, ...req.argv.slice(2 + words.indexOf(mode.file))];
  }

  /**
   * The policy's answer for a request. A nested shell may reuse the decision for the same
   * (cwd, script) while the files it was read from are unchanged; top-level commands are
   * always analysed afresh.
   */
  private decide(req: ShimRequest, nested: boolean): { decision: Decision; cached: boolean } {
    if (req.mode === 'unreadable' || req.mode === 'too-large') {
      // The shim reads at most 1 MiB of a script file; past that it sends no text at all.
      const what = req.mode === 'too-large' ? `too long to analyse (over 1048576 bytes, limit ${MAX_SOURCE_BYTES})` : 'not readable';
      return { decision: { action: 'ask', matches: [], opaque: [`the script given to ${req.shell} is ${what}: its content could not be checked`], commands: [req.argv] }, cached: false };
    }
    const key = nested ? `${req.cwd}\0${req.mode}\0${req.script}` : null;
    if (key !== null) {
      const hit = this.cache.get(key);
      if (hit && (this.opts.inputsUnchanged?.(hit) ?? !hit.inputs?.length)) return { decision: hit, cached: true };
    }
    let decision = this.opts.guard.check({ command: req.script, cwd: req.cwd || undefined });
    // Codex's once-per-session snapshot of the person's login shell: the only thing the policy
    // cannot see in it is the person's own rc file, which their login shell reads anyway. Only
    // for a shell (Codex runs it itself, never through its Bash tool's hook), and only when
    // nothing in it matched a rule: the same script sent by an agent would print what it reads
    // into the model's context, so its copy of the exported variables (declare -xp) is let
    // through only where the environment was scrubbed and that rule does not match at all
    // (a sandboxed session without --pass-env); elsewhere the person is asked.
    const unmatched = (d: Decision) => d.matches.length === 0;
    // Its helper that runs "$@" is read as `command` when the script is checked alone.
    if (req.shell !== 'hook' && decision.action === 'ask' && unmatched(decision) && decision.opaque.every((r) => isRcSourceReason(r) || isSnapshotHelperReason(r))) {
      const body = codexStartupBody(req.script);
      const alone = body === null ? null : this.opts.guard.check({ command: body, cwd: req.cwd || undefined });
      if (alone && alone.action === 'allow' && unmatched(alone) && !alone.opaque.length) decision = { ...decision, action: 'allow' };
    }
    if (key !== null && !decision.opaque.some((o) => o.startsWith('internal error'))) {
      if (this.cache.size >= CACHE_MAX) this.cache.clear();
      this.cache.set(key, decision);
    }
    return { decision, cached: false };
  }

  /**
   * `parent`: the valid token this shell came with, if any; granted nothing new, it keeps that
   * token (no exit report). `record`: the record it answers to, when not the last one written.
   */
  private allow(req: ShimRequest, keys: ReadonlySet<string>, parent?: TokenEntry | null, record: { seq?: number; root?: number } = { seq: this.lastSeq, root: this.lastRoot }): string {
    if (req.mode === 'line') return allowReply('');
    if (parent && parent.keys === keys) return allowReply(req.token!);
    const token = crypto.randomBytes(16).toString('hex');
    const start = procStat(req.pid, this.proc())?.start;
    this.tokens.set(token, { pid: req.pid, seq: record.seq, root: record.root, start, keys });
    if (this.opts.tokensDir && this.opts.trustNested && start !== undefined) {
      try {
        fs.writeFileSync(path.join(this.opts.tokensDir, token), `${req.pid} ${start}\n`, { mode: 0o600 });
      } catch {
        // no file: the nested shells of this command ask the whole way round
      }
    }
    if (this.tokens.size > 4096) this.pruneTokens();
    return allowReply(token);
  }

  /**
   * A token is good while the shell it was given to (same pid and start time after exec) is
   * alive, and only for that shell and its descendants: a token read from another
   * process's environment does not let a sibling through.
   */
  private validToken(token: string, requester?: number): TokenEntry | null {
    const entry = this.tokens.get(token);
    if (entry === undefined) return null;
    const proc = this.proc();
    const now = procStat(entry.pid, proc);
    if (!now || (entry.start !== undefined && now.start !== entry.start)) {
      this.forget(token);
      return null;
    }
    return requester === undefined || descendsFrom(requester, entry.pid, proc) ? entry : null;
  }

  private proc(): string {
    return this.opts.procRoot?.() ?? '/proc';
  }

  private forget(token: string) {
    // A hook launcher that died before its hook asked still ran: its record is written now.
    const entry = this.tokens.get(token);
    if (entry?.pending) this.recordLauncher(entry, undefined);
    this.tokens.delete(token);
    if (this.opts.tokensDir) fs.rmSync(path.join(this.opts.tokensDir, token), { force: true });
  }

  private pruneTokens() {
    for (const t of [...this.tokens.keys()]) this.validToken(t);
  }
}

/** A request as the person saw it: its directory and its command, the agent's wrapper taken off. */
function exactKey(req: ShimRequest): string {
  return JSON.stringify([req.cwd, unwrapAgentCommand(req.script)?.inner ?? req.script]);
}

/** The analysed commands of a decision with their directories, as comparable keys. */
function commandKeys(d: Decision | null): string[] {
  return d ? d.commands.map((c) => JSON.stringify(c)) : [];
}

function union(a: ReadonlySet<string>, b: readonly string[]): ReadonlySet<string> {
  if (b.every((k) => a.has(k))) return a;
  return new Set([...a, ...b]);
}

function refusalSuffix(answer: Answer | 'no-terminal'): string {
  if (answer === 'timeout') return ' (no answer at the prompt in time)';
  if (answer === 'abandoned') return ' (the request was abandoned: its process ended before the answer)';
  return ' (refused at the prompt)';
}

/** The strictest match, or the first opaque reason, as the line the agent reads. */
export function primaryReason(d: Decision): RuleMatch {
  const order = { deny: 2, ask: 1, allow: 0 };
  const sev = { critical: 3, high: 2, medium: 1, low: 0 };
  const best = [...d.matches].sort((a, b) => order[b.action] - order[a.action] || sev[b.severity] - sev[a.severity])[0];
  return best ?? { rule: 'not-analysable', action: 'ask', severity: 'medium', message: d.opaque[0] ?? 'the command could not be analysed' };
}

function refusal(d: Decision, suffix: string): string {
  const r = primaryReason(d);
  // Escaped: a project's rule message and an opaque reason (which quotes the command) come from the repository or the agent.
  return `agentguard: denied by ${r.rule}: ${escapeForTerminal(r.message.replace(/\s*\n\s*/g, ' '))}${suffix}`;
}

/** Parent pid, start time and command name of a process (/proc/<pid>/stat), or null when it is gone. */
function procStat(pid: number, proc = '/proc'): { ppid: number; start: string; comm: string } | null {
  let text: string;
  try {
    text = fs.readFileSync(`${proc}/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // The command name may hold spaces and parentheses: fields start after the last ')'.
  const close = text.lastIndexOf(')');
  const fields = text.slice(close + 2).split(' ');
  return { ppid: Number(fields[1]), start: fields[19], comm: text.slice(text.indexOf('(') + 1, close) };
}

/** Whether `pid` is `ancestor` or runs under it. */
function descendsFrom(pid: number, ancestor: number, proc = '/proc'): boolean {
  for (let p = pid, depth = 0; p > 1 && depth < 128; depth++) {
    if (p === ancestor) return true;
    const s = procStat(p, proc);
    if (!s) return false;
    p = s.ppid;
  }
  return false;
}
