// The gate: turns a shim request into ALLOW or DENY. It runs the policy on the script,
// lets shells started by an allowed command through on their token, remembers commands
// the person allowed for the session, and asks the person about everything else.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Guard } from '../guard.js';
import { isInside, realPath } from '../policy/confine.js';
import { MAX_SOURCE_BYTES } from '../shell/analyse.js';
import { shellMode } from '../shell/wrappers.js';
import type { Decision, RuleMatch } from '../policy/decision.js';
import { allowReply, denyReply, type ExitReport, type ShimRequest } from './protocol.js';

export type Answer = 'once' | 'session' | 'deny' | 'timeout';

export interface AskInfo {
  command: string;
  cwd: string;
  decision: Decision;
  /** Set when the egress proxy asks about a destination rather than the gate about a command. */
  network?: { host: string; port: number; method: string; url?: string };
}

export interface GateEvent {
  request: ShimRequest;
  /** unverified-nested: a shim ran a shell on a token this session did not grant to its ancestors (a forged run directory). */
  kind: 'checked' | 'nested' | 'unverified-nested' | 'interactive' | 'installed-script' | 'session-allowed' | 'hook-approved';
  decision: Decision | null;
  /** What happened: the final verdict. */
  verdict: 'allow' | 'deny';
  answer?: Answer | 'no-terminal';
}

export interface GateOptions {
  guard: Guard;
  /** Check shells started by allowed commands like top-level ones. */
  strictNested: boolean;
  /** Asks the person; null when there is no terminal to ask. */
  ask: ((info: AskInfo) => Promise<Answer>) | null;
  /** Called for every decision; returns the log sequence number of its record. */
  onEvent?: (e: GateEvent) => number | void;
  /** Called when a checked command ends, with the sequence number of its decision. */
  onExit?: (decisionSeq: number | undefined, status: number, ms: number) => void;
  /** More checked commands than this in one minute pause the agent and ask the person (0: no limit). */
  maxCommandsPerMinute?: number;
  /**
   * Where token files go (the runtime's tokens/): a nested shell whose ancestor holds the
   * token runs without a round trip. Not written with strictNested.
   */
  tokensDir?: string;
  /** Called when the person allows an asked command (the session shares its hosts with the egress proxy). */
  onApproved?: (req: ShimRequest, answer: 'once' | 'session') => void;
}

export class Gate {
  private tokens = new Map<string, { pid: number; seq?: number; start?: string }>();
  private allowedForSession = new Set<string>();
  private lastSeq: number | undefined;
  private recent: number[] = [];
  /** Commands an agent's hook got approved, for the shell that runs them right after (one answer, not two). */
  private approvedByHook: { text: string; until: number }[] = [];
  constructor(private opts: GateOptions) {}

  /**
   * An agent with a native hook asks first (shell "hook"), then its own shell runs the
   * same command, often wrapped (Claude Code: source … && eval '<cmd>' …). The wrapped
   * line passes if, with the approved command taken out, nothing in it needs asking.
   */
  private hookApproved(req: ShimRequest): boolean {
    const now = Date.now();
    this.approvedByHook = this.approvedByHook.filter((a) => a.until > now);
    for (const [i, a] of this.approvedByHook.entries()) {
      if (!req.script.includes(a.text)) continue;
      const rest = req.script.split(a.text).join('true');
      if (this.opts.guard.check({ command: rest, cwd: req.cwd || undefined }).action === 'allow') {
        this.approvedByHook.splice(i, 1);
        return true;
      }
    }
    return false;
  }

  /**
   * The runaway-loop circuit breaker: past the per-minute limit the command waits for the
   * person. Returns a refusal, or null to go on.
   */
  private async breaker(req: ShimRequest): Promise<string | null> {
    const max = this.opts.maxCommandsPerMinute ?? 0;
    if (!max) return null;
    const now = Date.now();
    this.recent = this.recent.filter((t) => now - t < 60_000);
    this.recent.push(now);
    if (this.recent.length <= max) return null;
    const message = `The agent has started ${this.recent.length} commands in the last minute (limit ${max}): a runaway loop? Allow to let it go on for another minute.`;
    const decision: Decision = { action: 'ask', matches: [{ rule: 'circuit-breaker', action: 'ask', severity: 'high', message }], opaque: [], commands: [req.argv] };
    const answer = this.opts.ask ? await this.opts.ask({ command: req.script, cwd: req.cwd, decision }) : 'deny';
    if (answer === 'once' || answer === 'session') {
      this.recent = [];
      return null;
    }
    this.opts.onEvent?.({ request: req, kind: 'checked', decision, verdict: 'deny', answer: this.opts.ask ? answer : 'no-terminal' });
    return denyReply(`agentguard: denied by circuit-breaker: ${message}${this.opts.ask ? ' (refused at the prompt)' : ' (no terminal to ask a person)'}`);
  }

  async handle(req: ShimRequest | ExitReport): Promise<string> {
    if ('report' in req) {
      this.opts.onExit?.(this.tokens.get(req.token)?.seq, req.status, req.ms);
      return 'OK\n';
    }
    const emit = (e: Omit<GateEvent, 'request'>) => {
      const seq = this.opts.onEvent?.({ request: req, ...e });
      this.lastSeq = typeof seq === 'number' ? seq : undefined;
    };
    // Neither an interactive shell nor an installed script gets a token: the shells they
    // start are checked like any other (a pyenv or nvm wrapper must not launder commands).
    if (req.mode === 'interactive') {
      // Each line typed into it is checked by the rc hook.
      emit({ kind: 'interactive', decision: null, verdict: 'allow' });
      return allowReply(req.token ?? '');
    }
    if (req.mode === 'file' && this.isInstalledScript(req)) {
      // A script outside the write roots (a tool's #!/usr/bin/env bash, ~/.pyenv/…) was not
      // written by the agent: the sandbox keeps those paths read-only. It runs like a program.
      emit({ kind: 'installed-script', decision: null, verdict: 'allow' });
      return allowReply(req.token && this.tokenValid(req.token, req.pid) ? req.token : '');
    }
    if (req.local) {
      // The shim found its token's file and an ancestor holding it, and already ran the
      // shell: this is the note for the log (nobody reads the reply). A note whose token this
      // session did not grant to an ancestor means a forged run directory: logged as such.
      const granted = !!req.token && this.tokenValid(req.token, req.pid);
      emit(granted ? { kind: 'nested', decision: null, verdict: 'allow' } : { kind: 'unverified-nested', decision: null, verdict: 'allow' });
      return allowReply('');
    }
    if (req.token && !this.opts.strictNested && this.tokenValid(req.token, req.pid)) {
      // The fast path for make/npm test running sh -c many times: answer first, log right after.
      setImmediate(() => emit({ kind: 'nested', decision: null, verdict: 'allow' }));
      return allowReply(req.token);
    }
    const command = req.script;
    const paused = await this.breaker(req);
    if (paused) return paused;
    if (this.allowedForSession.has(command)) {
      emit({ kind: 'session-allowed', decision: null, verdict: 'allow' });
      return this.allow(req);
    }
    const decision = this.decide(req);
    if (decision.action === 'ask' && req.shell !== 'hook' && this.hookApproved(req)) {
      emit({ kind: 'hook-approved', decision, verdict: 'allow' });
      return this.allow(req);
    }
    if (decision.action === 'allow') {
      emit({ kind: 'checked', decision, verdict: 'allow' });
      return this.allow(req);
    }
    if (decision.action === 'deny') {
      emit({ kind: 'checked', decision, verdict: 'deny' });
      return denyReply(refusal(decision, ''));
    }
    if (!this.opts.ask) {
      emit({ kind: 'checked', decision, verdict: 'deny', answer: 'no-terminal' });
      return denyReply(refusal(decision, ' (no terminal to ask a person: run the agent inside `agentguard shell` from a terminal, or run the command yourself)'));
    }
    const answer = await this.opts.ask({ command, cwd: req.cwd, decision });
    if (answer === 'once' || answer === 'session') {
      if (answer === 'session') this.allowedForSession.add(command);
      if (req.shell === 'hook') this.approvedByHook.push({ text: command, until: Date.now() + 60_000 });
      try {
        this.opts.onApproved?.(req, answer);
      } catch {
        // Sharing the command's hosts with the proxy is a convenience: the proxy still asks.
      }
      emit({ kind: 'checked', decision, verdict: 'allow', answer });
      return this.allow(req);
    }
    emit({ kind: 'checked', decision, verdict: 'deny', answer });
    return denyReply(refusal(decision, answer === 'timeout' ? ' (no answer at the prompt in time)' : ' (refused at the prompt)'));
  }

  private isInstalledScript(req: ShimRequest): boolean {
    const mode = shellMode(req.argv.slice(1).map((v) => ({ value: v, raw: v, glob: false })));
    if (mode.mode !== 'file' || mode.file.value === null) return false;
    const file = realPath(path.resolve(req.cwd || '/', mode.file.value));
    return !isInside(file, this.opts.guard.writeRoots(req.cwd || '/'));
  }

  private decide(req: ShimRequest): Decision {
    if (req.mode === 'unreadable' || req.mode === 'too-large') {
      // The shim reads at most 1 MiB of a script file; past that it sends no text at all.
      const what = req.mode === 'too-large' ? `too long to analyse (over 1048576 bytes, limit ${MAX_SOURCE_BYTES})` : 'not readable';
      return { action: 'ask', matches: [], opaque: [`the script given to ${req.shell} is ${what}: its content could not be checked`], commands: [req.argv] };
    }
    return this.opts.guard.check({ command: req.script, cwd: req.cwd || undefined });
  }

  private allow(req: ShimRequest): string {
    if (req.mode === 'line') return allowReply('');
    const token = crypto.randomBytes(16).toString('hex');
    const start = procStat(req.pid)?.start;
    this.tokens.set(token, { pid: req.pid, seq: this.lastSeq, start });
    if (this.opts.tokensDir && !this.opts.strictNested && start !== undefined) {
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
  private tokenValid(token: string, requester?: number): boolean {
    const entry = this.tokens.get(token);
    if (entry === undefined) return false;
    const now = procStat(entry.pid);
    if (!now || (entry.start !== undefined && now.start !== entry.start)) {
      this.forget(token);
      return false;
    }
    return requester === undefined || descendsFrom(requester, entry.pid);
  }

  private forget(token: string) {
    this.tokens.delete(token);
    if (this.opts.tokensDir) fs.rmSync(path.join(this.opts.tokensDir, token), { force: true });
  }

  private pruneTokens() {
    for (const t of [...this.tokens.keys()]) this.tokenValid(t);
  }
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
  return `agentguard: denied by ${r.rule}: ${r.message}${suffix}`;
}

/** Parent pid and start time of a process (/proc/<pid>/stat), or null when it is gone. */
function procStat(pid: number): { ppid: number; start: string } | null {
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // The command name may hold spaces and parentheses: fields start after the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { ppid: Number(fields[1]), start: fields[19] };
}

/** Whether `pid` is `ancestor` or runs under it. */
function descendsFrom(pid: number, ancestor: number): boolean {
  for (let p = pid, depth = 0; p > 1 && depth < 128; depth++) {
    if (p === ancestor) return true;
    const s = procStat(p);
    if (!s) return false;
    p = s.ppid;
  }
  return false;
}
