// Shared by the review tests: a scratch HOME whose log directory is filled through SessionLog
// (records as the session and the hooks write them), and the CLI run as a real process.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { processStart } from '../../src/log/store.js';
import { SessionLog } from '../../src/log/store.js';

export const BIN = path.resolve(__dirname, '../../bin/agentguard.js');

export function makeHome(prefix: string) {
  const base = fs.mkdtempSync(path.join(fs.existsSync('/var/tmp') ? '/var/tmp' : os.homedir(), `agentguard-${prefix}-`));
  const home = path.join(base, 'home');
  const dir = path.join(home, '.local', 'state', 'agentguard', 'sessions');
  fs.mkdirSync(dir, { recursive: true });
  const env = { PATH: process.env.PATH ?? '', HOME: home, NO_COLOR: '1' };
  return {
    home,
    dir,
    env,
    project(name: string) {
      const p = path.join(home, name);
      fs.mkdirSync(p, { recursive: true });
      return p;
    },
    /** Appends records to a log (creating it), returning their seq numbers. Timestamps are kept apart by a millisecond. */
    write(id: string, records: [string, Record<string, unknown>][]): number[] {
      const log = new SessionLog(id, { dir });
      try {
        return records.map(([type, fields]) => {
          Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2);
          return log.append(type, fields);
        });
      } finally {
        log.close();
      }
    },
    cli(...args: string[]) {
      return spawnSync(process.execPath, [BIN, ...args], { cwd: home, env, encoding: 'utf8' });
    },
    /** The CLI running in the background, its output collected. */
    start(...args: string[]) {
      const child = spawn(process.execPath, [BIN, ...args], { cwd: home, env, stdio: ['ignore', 'pipe', 'pipe'] });
      return new Running(child);
    },
    remove() {
      fs.rmSync(base, { recursive: true, force: true });
    },
  };
}

export class Running {
  out = '';
  err = '';
  readonly exited: Promise<number | null>;
  constructor(readonly child: ChildProcess) {
    child.stdout!.on('data', (d: Buffer) => (this.out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (this.err += d.toString()));
    this.exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  }
  /** Waits (generously) until the output matches. */
  async waitFor(re: RegExp, ms = 20_000): Promise<void> {
    const until = Date.now() + ms;
    while (!re.test(this.out)) {
      if (Date.now() > until) throw new Error(`no ${re} within ${ms} ms; output:\n${this.out}\n${this.err}`);
      if (this.child.exitCode !== null) throw new Error(`exited ${this.child.exitCode} before ${re}; output:\n${this.out}\n${this.err}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  /** The exit status, or an error after a generous wait. */
  async exit(ms = 20_000): Promise<number | null> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`still running after ${ms} ms; output:\n${this.out}\n${this.err}`)), ms)));
    try {
      return await Promise.race([this.exited, late]);
    } finally {
      clearTimeout(timer);
      if (this.child.exitCode === null) this.child.kill('SIGKILL');
    }
  }
}

/** A process standing in for a session's writer: its pid and start time go into session-start. */
export function writerProcess() {
  const child = spawn('sleep', ['600'], { stdio: 'ignore' });
  const pid = child.pid!;
  const pidStart = processStart(pid);
  if (!pidStart) throw new Error('cannot read /proc for the writer process');
  return {
    pid,
    pidStart,
    kill: () => new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    }),
  };
}

export const RULES = 'a'.repeat(64);
