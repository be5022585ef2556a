// Drives `agentguard shell` in a real pty, the way a person at a terminal would.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import * as pty from 'node-pty';
import type { EgressRecord } from '../../src/egress/proxy.js';
import type { LogRecord } from '../../src/log/store.js';

export const ROOT = path.resolve(__dirname, '../..');
export const BIN = path.join(ROOT, 'bin/agentguard.js');
export const FAKE_AGENT = path.join(__dirname, 'fake-agent.mjs');

/** A scratch world outside /tmp (a write root): a home, and a git workspace with one commit. */
export function makeWorld(prefix: string) {
  const base = fs.mkdtempSync(path.join(fs.existsSync('/var/tmp') ? '/var/tmp' : os.homedir(), `agentguard-${prefix}-`));
  const home = path.join(base, 'home');
  const ws = path.join(base, 'project');
  fs.mkdirSync(home, { recursive: true });
  fs.mkdirSync(ws, { recursive: true });
  const git = (...args: string[]) => execFileSync('git', args, { cwd: ws, env: { ...process.env, HOME: home, GIT_CONFIG_NOSYSTEM: '1' }, stdio: 'pipe' });
  git('init', '-q');
  git('-c', 'user.email=t@example.com', '-c', 'user.name=t', 'commit', '-q', '--allow-empty', '-m', 'init');
  fs.writeFileSync(path.join(ws, 'tracked.txt'), 'original\n');
  git('add', 'tracked.txt');
  git('-c', 'user.email=t@example.com', '-c', 'user.name=t', 'commit', '-q', '-m', 'add tracked');
  return { base, home, ws, remove: () => fs.rmSync(base, { recursive: true, force: true }) };
}

/**
 * How the approval prompt looks on the screen (src/session/prompt.ts): its header, and the keys
 * line, which is drawn last. Kept here, in one place, so that a change of wording is one edit.
 */
export const PROMPT_HEADER = /needs your approval|approval needed|not on the egress allowlist/;
export const PROMPT_KEYS = /\[n\][^\r\n]*(?:deny|refuse)/;
/**
 * The prompt ignores keys typed this soon after it is drawn (its type-ahead guard,
 * `typeAheadMs` in src/session/prompt.ts). The harness waits this long after it has *seen*
 * the prompt, which is never earlier than the prompt was drawn, so the key cannot fall into
 * the guard however loaded the machine is; the margin covers a longer guard.
 */
export const TYPE_AHEAD_MS = 150 + 100;

export class Terminal {
  output = '';
  exitCode: number | null = null;
  /** Where the next answer() looks for a prompt: just after the last prompt it answered. */
  cursor = 0;
  private drained = false;
  private proc: pty.IPty;
  private exited: Promise<number>;

  /** `prefix` runs agentguard through another program (setpriv to drop to another user). */
  constructor(args: string[], opts: { cwd: string; home: string; env?: Record<string, string>; prefix?: string[] }) {
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: opts.home,
      TERM: 'xterm-256color',
      LANG: 'C.UTF-8',
      NO_COLOR: '1',
      ...opts.env,
    };
    const argv = [...(opts.prefix ?? []), process.execPath, BIN, ...args];
    this.proc = pty.spawn(argv[0], argv.slice(1), { name: 'xterm-256color', cols: 120, rows: 40, cwd: opts.cwd, env });
    this.proc.onData((d) => (this.output += d));
    this.exited = new Promise((resolve) => this.proc.onExit(({ exitCode }) => resolve((this.exitCode = exitCode))));
  }

  /** agentguard's pid (the same process after a setpriv prefix execs it). */
  get pid(): number {
    return this.proc.pid;
  }

  type(keys: string) {
    this.proc.write(keys);
  }

  /** The person resizes the terminal window. */
  resize(cols: number, rows: number) {
    this.proc.resize(cols, rows);
  }

  async waitFor(pattern: RegExp | string, timeoutMs = 20_000, from = 0): Promise<string> {
    return (await this.waitForAny([pattern], timeoutMs, from)).out;
  }

  /** Waits until one of the patterns is on the screen after `from`; says which, and where it ends. */
  async waitForAny(patterns: (RegExp | string)[], timeoutMs = 20_000, from = 0): Promise<{ index: number; out: string; start: number; end: number }> {
    const start = Date.now();
    for (;;) {
      const out = this.output.slice(from);
      for (const [index, pattern] of patterns.entries()) {
        const at = typeof pattern === 'string' ? (out.includes(pattern) ? { i: out.indexOf(pattern), n: pattern.length } : null) : locate(pattern, out);
        if (at) return { index, out, start: from + at.i, end: from + at.i + at.n };
      }
      if (this.exitCode !== null) {
        // node-pty can report the exit before the last output: give it a moment.
        if (!this.drained) {
          this.drained = true;
          await new Promise((r) => setTimeout(r, 300));
          continue;
        }
        throw new Error(`agentguard exited (${this.exitCode}) before ${patterns.join(' or ')} appeared:\n${out}`);
      }
      if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${patterns.join(' or ')}; output so far:\n${out}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  /**
   * Waits for the next approval prompt (after the last one answered, or after `from`) to be
   * drawn whole, lets its type-ahead guard pass, and types one key, once. It never types
   * again: a second key could answer a second prompt nobody looked at. Returns the prompt's
   * text; a prompt that never comes is a timeout.
   */
  async answer(key: string, from?: number, prompt: string | RegExp = PROMPT_HEADER, timeoutMs = 20_000): Promise<string> {
    const start = from ?? this.cursor;
    await this.waitForAny([prompt], timeoutMs, start);
    return this.answerAt(key, start);
  }

  /**
   * Answers every prompt with `key` until `done` is on the screen, and returns the prompts'
   * texts (none if the command was never asked about).
   */
  async answerUntil(key: string, done: RegExp | string, timeoutMs = 30_000): Promise<string[]> {
    const prompts: string[] = [];
    for (;;) {
      const at = await this.waitForAny([PROMPT_HEADER, done], timeoutMs, this.cursor);
      if (at.index === 1) return prompts;
      prompts.push(await this.answerAt(key, at.start));
    }
  }

  /** Returns the screen from `from` up to the key: the whole prompt, however it is laid out. */
  private async answerAt(key: string, from: number): Promise<string> {
    // The keys line is drawn after what the prompt asks: once it is there, the prompt takes keys.
    await this.waitForAny([PROMPT_KEYS], 20_000, from);
    await new Promise((r) => setTimeout(r, TYPE_AHEAD_MS));
    // Prompts are shown one at a time, and the next only after this one is answered: anything
    // on the screen by now belongs to this prompt, and the next answer looks after it.
    const screen = this.output.slice(from);
    this.cursor = this.output.length;
    this.type(key);
    return screen;
  }

  exit(): Promise<number> {
    return this.exited;
  }

  kill() {
    try {
      this.proc.kill();
    } catch {
      // already gone
    }
  }
}

/** What fake-agent.mjs's `js` way printed: the value its code returned, or the error it threw. */
export interface AgentResult {
  ok: boolean;
  value?: unknown;
  error?: string;
}

/** The first AGENT-RESULT line in a session's output. */
export function agentResult(out: string): AgentResult {
  return JSON.parse(/AGENT-RESULT ([^\r\n]*)/.exec(out)![1]) as AgentResult;
}

/** The records of the session log named in a session's output (its first line says where the log is). */
export function sessionLog(out: string): LogRecord[] {
  const file = /log (\S+\.jsonl)/.exec(out)![1];
  return fs
    .readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as LogRecord);
}

/** A network record of the session log: the egress proxy's record, its decision written as `action`. */
export type NetworkRecord = LogRecord & Omit<EgressRecord, 'decision'> & { action: EgressRecord['decision'] };

export function networkRecords(out: string): NetworkRecord[] {
  // The session writes these from EgressRecords (session.ts networkFields); the type says so.
  return sessionLog(out).filter((r) => r.type === 'network') as NetworkRecord[];
}

/** The text of a screen without terminal control sequences (colours, underlines, cursor moves). */
export function plain(screen: string): string {
  return screen.replace(/\x1b\[[0-9;?<>=]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[()][0-9A-Za-z]|\x1b[=>\\]|[\x0e\x0f\x18]/g, '');
}

function locate(pattern: RegExp, text: string): { i: number; n: number } | null {
  const m = new RegExp(pattern.source, pattern.flags.replace('g', '')).exec(text);
  return m ? { i: m.index, n: m[0].length } : null;
}

export function sandboxWorks(): boolean {
  try {
    execFileSync('bwrap', ['--ro-bind', '/', '/', '--dev', '/dev', '--', 'true'], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}
