// Escalation: a "yes" at the prompt is honoured. What an approved command needs that the
// sandbox refuses (a write outside the writable roots, a read of a masked credential, a
// connection the namespace cannot make) is worked out here, shown in the prompt before the
// key is pressed, and the command then runs outside the sandbox through the broker
// (src/broker/broker.c) on a one-time ticket. This module owns the pure decision
// (`outsideNeeds`, `escalatedArgv`), the broker process and its ticket pipe, and the
// `Escalation` the gate calls; the gate only asks it two questions.
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { unwrapAgentCommand } from '../agents/wrappers.js';
import type { Guard } from '../guard.js';
import { isHarmlessDevice, isInside, realPath } from '../policy/confine.js';
import { URL_CLIENTS } from '../programs/index.js';
import type { Script, Word } from '../shell/types.js';
import { shellMode } from '../programs/index.js';
import { denyReply, escalateReply, type ShimRequest } from './protocol.js';
import { nativeBuildFix } from './runtime.js';

export const BROKER_BINARY = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../build/Release/agentguard-broker');

/** What the sandbox lets a command do: the parts of a SandboxPlan that matter here, and the network. */
export interface Wall {
  writable: readonly string[];
  /** Inside writable roots, but read-only (a project's .agentguard rules). */
  readOnly: readonly string[];
  maskDirs: readonly string[];
  maskFiles: readonly string[];
  /** agentguard's own logs and runtime: never reached, not even on a yes. */
  hidden: readonly string[];
  /** Config files replaced inside by copies without their secrets. */
  filtered?: readonly string[];
  /** proxy: HTTP(S) through the egress proxy only; none: no network; open: the host's. */
  network: 'proxy' | 'none' | 'open';
  /**
   * Paths that are the sandbox's own inside and something else outside (a private /tmp): a
   * command that uses them, or runs in them, means another file outside, so it stays inside.
   */
  privateDirs?: readonly string[];
  /** Paths under a private directory that are bound at the same place inside (read-only): the same file both ways. */
  keepUnderTmp?: readonly string[];
}

export interface OutsideNeeds {
  /** One line per thing only the outside can do ("writes /home/dev/old-checkout"); empty: it runs inside. */
  outside: string[];
  /** Set when the command touches agentguard's own hidden files or the sandbox's private directories: it stays inside whatever the answer. */
  keptInside?: string;
}

const LOOPBACK = /^(localhost|127(?:\.\d+){3}|::1|\[::1\])$/i;

/**
 * Pure: what `script` would need from outside the sandbox `wall`. Only what is known before
 * it runs counts: a path or host known only at run time stays inside (where the wall holds),
 * since running it outside would give more than the person could read in the prompt.
 */
export function outsideNeeds(script: Script, wall: Wall, realOf: (p: string) => string = (p) => realPath(p)): OutsideNeeds {
  const out = new Set<string>();
  let hidden: string | undefined;
  let own: string | undefined;
  const privateDirs = wall.privateDirs ?? [];
  const masked = (p: string) => isInside(p, wall.maskDirs) || wall.maskFiles.includes(p);
  for (const cmd of script.commands) {
    for (const p of [...(cmd.cwds ?? []), ...[...cmd.writes, ...cmd.reads].flatMap((t) => t.paths ?? [])]) {
      // A workspace under /tmp is bound at its own path: the same directory inside and out.
      const shared = [...wall.writable, ...wall.readOnly, ...(wall.keepUnderTmp ?? [])].filter((d) => !privateDirs.includes(d));
      const own_ = (q: string) => isInside(q, privateDirs) && !isInside(q, shared);
      if (own_(p) || own_(realOf(p))) own ??= p;
    }
    for (const t of cmd.writes) {
      for (const p of t.paths ?? []) {
        if (isHarmlessDevice(p)) continue;
        const r = realOf(p);
        if (isInside(r, wall.hidden) || isInside(p, wall.hidden)) hidden ??= r;
        else if (masked(r)) out.add(`writes ${r} (masked in the sandbox)`);
        else if (!isInside(r, wall.writable) || isInside(r, wall.readOnly)) out.add(`writes ${r}`);
      }
    }
    for (const t of cmd.reads) {
      for (const p of t.paths ?? []) {
        const r = realOf(p);
        if (isInside(r, wall.hidden) || isInside(p, wall.hidden)) hidden ??= r;
        else if (masked(r)) out.add(`reads ${r} (masked in the sandbox)`);
        else if (wall.filtered?.includes(r)) out.add(`reads ${r} (its secrets are filtered out in the sandbox)`);
      }
    }
    if (wall.network === 'open') continue;
    for (const h of cmd.hosts) {
      if (!h.host || LOOPBACK.test(h.host)) continue;
      if (wall.network === 'none') out.add(`connects to ${h.host} (no network in the sandbox)`);
      else if (!throughProxy(cmd.program, h.raw)) out.add(`connects to ${h.host} with ${cmd.program ?? 'a program'} (the sandbox lets only HTTP(S) out, through the proxy)`);
    }
  }
  if (hidden) return { outside: [], keptInside: `touches agentguard's own files (${hidden}): runs inside the sandbox` };
  if (own && out.size) return { outside: [], keptInside: `uses ${own}, which is the sandbox's own: runs inside the sandbox` };
  return { outside: [...out] };
}

/** Whether a connection goes out through the egress proxy: an HTTP(S) URL, or a URL client's bare host. */
function throughProxy(program: string | null, raw: string): boolean {
  const value = raw.replace(/^["']/, '');
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(value)?.[1]?.toLowerCase();
  if (scheme) return scheme === 'http' || scheme === 'https';
  return program !== null && URL_CLIENTS.has(program);
}

/** Option letters that only change how a script runs (errexit, nounset, xtrace, -o/-O settings). */
const SAFE_LETTERS = new Set('aefhkmnptuvxBCEHPT');
const SAFE_LONG = new Set(['--norc', '--noprofile', '--posix', '--noediting']);

/**
 * The options before the script, minus those that would run code the check never saw:
 * -i, -l/--login, --rcfile/--init-file (start-up files), -s, -r, -D and unknown long options.
 */
function safeOptions(words: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    if (w.startsWith('--')) {
      if (w === '--rcfile' || w === '--init-file') i++;
      else if (SAFE_LONG.has(w)) out.push(w);
      continue;
    }
    if (!/^[-+][A-Za-z]+$/.test(w)) continue;
    const kept = [...w.slice(1)].filter((l) => SAFE_LETTERS.has(l) || l === 'o' || l === 'O');
    const takesArg = [...w.slice(1)].filter((l) => l === 'o' || l === 'O').length;
    if (kept.length) out.push(w[0] + kept.join(''));
    for (let k = 0; k < takesArg && i + 1 < words.length; k++) out.push(words[++i]);
  }
  return out;
}

/**
 * Pure: the argv the broker runs for a request: the shell with only harmless options,
 * `-c` with exactly the checked script bytes, then the positional arguments. A script file
 * or stdin runs as `-c <checked content>`, since the file could change after the check
 * ($0 stays the script's name). null when the request cannot be run that way (a -c string
 * that is not the checked script, a typed line, an interactive shell).
 */
export function escalatedArgv(req: ShimRequest): string[] | null {
  const words: Word[] = req.argv.slice(1).map((v) => ({ value: v, raw: v, glob: false }));
  const mode = shellMode(words);
  const arg0 = req.argv[0] ?? req.shell;
  const args = req.argv.slice(1);
  if (req.mode === 'c') {
    if (mode.mode !== 'command') return null;
    const i = words.indexOf(mode.script);
    if (args[i] !== req.script) return null;
    return [arg0, ...safeOptions(args.slice(0, i)), '-c', req.script, ...args.slice(i + 1)];
  }
  if (req.mode === 'file') {
    if (mode.mode !== 'file') return null;
    const i = words.indexOf(mode.file);
    return [arg0, ...safeOptions(args.slice(0, i)), '-c', req.script, ...args.slice(i)];
  }
  if (req.mode === 'stdin') return [arg0, '-c', req.script, arg0];
  return null;
}

export interface Broker {
  /** Registers a one-time ticket for this command; resolves when the broker holds it. */
  register(shell: string, cwd: string, argv: readonly string[]): Promise<string>;
  close(): void;
  pid: number | undefined;
}

const hex = (s: string) => '=' + Buffer.from(s, 'utf8').toString('hex');

/**
 * Starts the broker outside the sandbox, listening on <runtimeDir>/broker.sock. `env` holds
 * the session's values for what the requester does not choose: PATH (the shim directory
 * first, so the shells an escalated command starts are still checked), HOME and TMPDIR (what
 * the policy resolved ~ and $TMPDIR to), agentguard's own variables. `onEnd` hears how each
 * escalated command ended, for the log.
 */
export async function startBroker(opts: {
  runtimeDir: string;
  env: Record<string, string>;
  realShells: ReadonlyMap<string, string>;
  onEnd: (ticket: string, status: number, ms: number) => void;
}): Promise<Broker> {
  if (!fs.existsSync(BROKER_BINARY)) throw new Error(`the escalation broker is not built (${BROKER_BINARY}): ${nativeBuildFix()}`);
  // Shells started by an escalated command find the real shells here (real/ holds the sandbox's mount points).
  const hostDir = path.join(opts.runtimeDir, 'host');
  fs.mkdirSync(hostDir, { recursive: true, mode: 0o700 });
  for (const [name, real] of opts.realShells) {
    const link = path.join(hostDir, name);
    if (!fs.existsSync(link)) fs.symlinkSync(real, link);
  }
  const fixed = {
    ...opts.env,
    AGENTGUARD_RUN_DIR: opts.runtimeDir,
    AGENTGUARD_SOCKET: path.join(opts.runtimeDir, 'session.sock'),
    // Out here real/ holds the sandbox's empty mount points; host/ links the real shells.
    AGENTGUARD_REAL_DIR: hostDir,
  };
  const args = [opts.runtimeDir, ...Object.entries(fixed).map(([k, v]) => `${k}=${v}`)];
  const child: ChildProcess = spawn(BROKER_BINARY, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  /** Ticket → called when the broker acknowledges it (or exits before it does). */
  const pending = new Map<string, () => void>();
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  child.stdin!.on('error', () => {
    // the broker is gone: registrations time out and the command is refused
  });
  let buffered = '';
  let ready: () => void;
  const isReady = new Promise<void>((resolve) => (ready = resolve));
  child.stdout!.on('data', (d: Buffer) => {
    buffered += d.toString('utf8');
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const [what, ticket, a, b] = buffered.slice(0, nl).split(' ');
      buffered = buffered.slice(nl + 1);
      if (what === 'READY') ready();
      else if (what === 'TICKET') pending.get(ticket)?.();
      else if (what === 'END') opts.onEnd(ticket, Number(a), Number(b));
    }
  });
  let gone: string | null = null;
  child.once('exit', (code, signal) => {
    // Nothing escalates any more: pending and later registrations fail at once (the command is refused).
    gone = `the escalation broker exited (${signal ?? code})${stderr.trim() ? `: ${stderr.trim()}` : ''}`;
    for (const fail of pending.values()) fail();
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the escalation broker did not start within 5 s')), 5000);
    child.once('exit', (code) => reject(new Error(`the escalation broker exited (${code}): ${stderr.trim()}`)));
    child.once('error', reject);
    void isReady.then(() => {
      clearTimeout(timer);
      resolve();
    });
  });
  return {
    pid: child.pid,
    register(shell, cwd, argv) {
      const ticket = crypto.randomBytes(16).toString('hex');
      return new Promise((resolve, reject) => {
        if (gone) return reject(new Error(gone));
        const timer = setTimeout(() => {
          pending.delete(ticket);
          reject(new Error('the escalation broker did not take the ticket'));
        }, 5000);
        pending.set(ticket, () => {
          clearTimeout(timer);
          pending.delete(ticket);
          if (gone) reject(new Error(gone));
          else resolve(ticket);
        });
        child.stdin!.write(`${ticket} ${hex(shell)} ${hex(cwd)} ${argv.map(hex).join(' ')}\n`);
      });
    },
    close() {
      // EOF on its pipe ends the broker; its runners kill the commands still running. Their
      // ends are not reported: the log is closing.
      child.stdout!.removeAllListeners('data');
      child.stdin!.end();
      setTimeout(() => child.kill('SIGTERM'), 1000).unref();
    },
  };
}

/** What the gate asks, for a sandboxed session (policy-only sessions have no wall to go around). */
export interface Escalation {
  /** What the command needs from outside the sandbox; empty when it runs inside. Shown before the answer. */
  outside(req: ShimRequest): string[];
  /** After a yes: a ticket for the broker, as the reply for the shim ("ESCALATE <ticket>"). */
  reply(req: ShimRequest, decisionSeq?: number): Promise<string>;
}

export class Escalator implements Escalation {
  /** Set once the sandbox plan is known; until then nothing escalates. */
  wall: Wall | null = null;
  /** Ticket → the decision's log sequence number, for the command's end. */
  private seqs = new Map<string, number | undefined>();

  constructor(
    private guard: Guard,
    private broker: Broker,
    private realShells: ReadonlyMap<string, string>,
  ) {}

  outside(req: ShimRequest): string[] {
    // An agent's hook asks before its shell runs the command: the question says what that shell will need.
    const runnable = req.shell === 'hook' || (this.realShells.has(req.shell) && escalatedArgv(req) !== null);
    if (!this.wall || !runnable) return [];
    const analyse = (command: string) => this.guard.explain({ command, cwd: req.cwd || undefined }).script;
    const wrapped = this.wall.privateDirs?.length ? unwrapAgentCommand(req.script) : null;
    if (!wrapped) return outsideNeeds(analyse(req.script), this.wall).outside;
    // An agent's own wrapper keeps its bookkeeping in /tmp (Claude Code writes its cwd there):
    // whether a private directory keeps the command inside is decided on what the agent meant.
    // What the agent meant decides: nothing outside needed (or kept inside by a private
    // directory) means the wrapper runs inside too, its cwd file in the private /tmp.
    const inner = outsideNeeds(analyse(wrapped.inner), this.wall);
    if (inner.keptInside || !inner.outside.length) return [];
    return outsideNeeds(analyse(req.script), { ...this.wall, privateDirs: [] }).outside;
  }

  async reply(req: ShimRequest, decisionSeq?: number): Promise<string> {
    const argv = escalatedArgv(req);
    const shell = this.realShells.get(req.shell);
    if (!argv || !shell) return denyReply(`agentguard: ${req.shell} cannot be run outside the sandbox; the command was not run`);
    try {
      const ticket = await this.broker.register(shell, req.cwd || '/', argv);
      this.seqs.set(ticket, decisionSeq);
      if (this.seqs.size > 4096) this.seqs.delete(this.seqs.keys().next().value!);
      return escalateReply(ticket);
    } catch (e) {
      return denyReply(`agentguard: approved, but it cannot run outside the sandbox: ${(e as Error).message}; the command was not run`);
    }
  }

  /** The decision an escalated command's end belongs to (once). */
  takeSeq(ticket: string): number | undefined {
    const seq = this.seqs.get(ticket);
    this.seqs.delete(ticket);
    return seq;
  }
}
