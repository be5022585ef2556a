// Drives `agentguard shell` in a real pty, the way a person at a terminal would.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import * as pty from 'node-pty';

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

export class Terminal {
  output = '';
  exitCode: number | null = null;
  private drained = false;
  private proc: pty.IPty;
  private exited: Promise<number>;

  constructor(args: string[], opts: { cwd: string; home: string; env?: Record<string, string> }) {
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: opts.home,
      TERM: 'xterm-256color',
      LANG: 'C.UTF-8',
      NO_COLOR: '1',
      ...opts.env,
    };
    this.proc = pty.spawn(process.execPath, [BIN, ...args], { name: 'xterm-256color', cols: 120, rows: 40, cwd: opts.cwd, env });
    this.proc.onData((d) => (this.output += d));
    this.exited = new Promise((resolve) => this.proc.onExit(({ exitCode }) => resolve((this.exitCode = exitCode))));
  }

  type(keys: string) {
    this.proc.write(keys);
  }

  /** The person resizes the terminal window. */
  resize(cols: number, rows: number) {
    this.proc.resize(cols, rows);
  }

  async waitFor(pattern: RegExp | string, timeoutMs = 20_000, from = 0): Promise<string> {
    const start = Date.now();
    for (;;) {
      const out = this.output.slice(from);
      const hit = typeof pattern === 'string' ? out.includes(pattern) : pattern.test(out);
      if (hit) return out;
      if (this.exitCode !== null) {
        // node-pty can report the exit before the last output: give it a moment.
        if (!this.drained) {
          this.drained = true;
          await new Promise((r) => setTimeout(r, 300));
          continue;
        }
        throw new Error(`agentguard exited (${this.exitCode}) before ${pattern} appeared:\n${out}`);
      }
      if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${pattern}; output so far:\n${out}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  /** Waits for the approval prompt, then answers with one key (after the type-ahead guard). */
  async answer(key: string, from = 0, prompt: string | RegExp = 'needs your approval'): Promise<string> {
    const screen = await this.waitFor(prompt, 20_000, from);
    await new Promise((r) => setTimeout(r, 300));
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

export function sandboxWorks(): boolean {
  try {
    execFileSync('bwrap', ['--ro-bind', '/', '/', '--dev', '/dev', '--', 'true'], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}
