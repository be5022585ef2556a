// The command line written into an agent's settings, and reading it back. Two forms:
//
// In a person's own settings (install --user): absolute paths to this Node and this
// agentguard, so it works from any cwd and with any PATH.
//
//   '/usr/bin/node' '/opt/agentguard/bin/agentguard.js' hook claude || sh -c '… >&2; exit 2'
//
// In a project's settings, which a team commits (install --project): `agentguard` from PATH,
// since this machine's paths mean nothing on a teammate's; when it is not installed there,
// the fallback says so and how to install it.
//
//   agentguard hook claude || sh -c 'if command -v agentguard …; then …; else …; fi; exit 2'
//
// Either way the fallback turns a hook that cannot even start (Node or agentguard moved or
// missing, a crash before our code runs) into a block rather than the "non-blocking error"
// most agents treat it as. `--auto-approve` after the agent name makes the hook answer allow
// for commands it does not flag. Agents run the command through a shell (Claude Code and
// Cursor: sh; Gemini CLI: bash; Codex: the user's $SHELL -lc, which may be zsh or fish), so it
// uses only single quotes and `||`, which all of them read the same way.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isAgent, type AgentName } from '../agents/index.js';

// It also runs after the hook's own deliberate block (exit 2), so its words fit both cases;
// Codex needs the non-empty stderr, or it treats exit 2 as a failed hook and runs the command.
export const FALLBACK = `sh -c 'echo "agentguard: command blocked (the agentguard hook failed or could not run; check it with: agentguard install AGENT)" >&2; exit 2'`;

/** bin/agentguard.js of this installation. */
export function agentguardBin(): string {
  const bin = fileURLToPath(new URL('../../bin/agentguard.js', import.meta.url));
  try {
    return fs.realpathSync(bin);
  } catch {
    return bin;
  }
}

/** Quotes a word for sh, bash, zsh and fish alike. */
export function quoteWord(w: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(w)) return w;
  return `'${w.replace(/'/g, `'\\''`)}'`;
}

// On a machine without agentguard on PATH, say so and how to get it; with it, the hook itself failed.
export const PORTABLE_FALLBACK =
  `sh -c 'if command -v agentguard >/dev/null 2>&1; then echo "agentguard: command blocked (the agentguard hook failed or could not run; check it with: agentguard doctor)" >&2; ` +
  `else echo "agentguard: command blocked: this project checks shell commands with agentguard (its hook is in the project settings for AGENT), and agentguard is not on PATH here. Install agentguard so that the agentguard command is on PATH (see agentguard README: Install), then run the agent again." >&2; fi; exit 2'`;

export interface CommandOptions {
  autoApprove?: boolean;
}

const hookArgs = (agent: AgentName, o: CommandOptions) => `hook ${agent}${o.autoApprove ? ' --auto-approve' : ''}`;

/** For a person's own settings: this Node and this agentguard by absolute path. */
export function hookCommand(agent: AgentName, node = process.execPath, bin = agentguardBin(), o: CommandOptions = {}): string {
  return `${quoteWord(node)} ${quoteWord(bin)} ${hookArgs(agent, o)} || ${FALLBACK.replace('AGENT', agent)}`;
}

/** For a project's settings, committed and shared: `agentguard` from PATH, on whatever machine runs it. */
export function portableHookCommand(agent: AgentName, o: CommandOptions = {}): string {
  return `agentguard ${hookArgs(agent, o)} || ${PORTABLE_FALLBACK.replace('AGENT', agent)}`;
}

export interface InstalledCommand {
  agent: AgentName;
  /** Installed with --auto-approve. */
  autoApprove: boolean;
  /** The interpreter, when the command starts with one (node …/agentguard.js). */
  node: string | null;
  /** bin/agentguard.js or an `agentguard` executable. */
  bin: string;
}

/** Reads the leading words of a shell command: bare words and single- or double-quoted strings. */
function leadingWords(cmd: string, max: number): string[] {
  const words: string[] = [];
  let i = 0;
  while (words.length < max) {
    while (i < cmd.length && /\s/.test(cmd[i])) i++;
    if (i >= cmd.length) break;
    let w = '';
    let any = false;
    while (i < cmd.length && !/\s/.test(cmd[i])) {
      const c = cmd[i];
      if (c === "'") {
        const end = cmd.indexOf("'", i + 1);
        if (end < 0) return words;
        w += cmd.slice(i + 1, end);
        i = end + 1;
      } else if (c === '"') {
        const end = cmd.indexOf('"', i + 1);
        if (end < 0) return words;
        w += cmd.slice(i + 1, end).replace(/\\(["\\$`])/g, '$1');
        i = end + 1;
      } else if (c === '\\' && i + 1 < cmd.length) {
        w += cmd[i + 1];
        i += 2;
      } else if (';|&<>()'.includes(c)) {
        if (!any) return words;
        break;
      } else {
        w += c;
        i++;
      }
      any = true;
    }
    words.push(w);
  }
  return words;
}

/** Recognises a command agentguard installed (any version, any path); null for anything else. */
export function parseInstalledCommand(cmd: unknown): InstalledCommand | null {
  if (typeof cmd !== 'string') return null;
  const w = leadingWords(cmd, 5);
  const isBin = (p: string | undefined) => !!p && /^agentguard(\.js)?$/.test(path.basename(p));
  const agentAt = (i: number): AgentName | null => (w[i] === 'hook' && isAgent(w[i + 1] ?? '') ? (w[i + 1] as AgentName) : null);
  if (isBin(w[0])) {
    const agent = agentAt(1);
    return agent ? { agent, autoApprove: w[3] === '--auto-approve', node: null, bin: w[0] } : null;
  }
  if (isBin(w[1]) && /^node(js)?[0-9.]*$/.test(path.basename(w[0] ?? ''))) {
    const agent = agentAt(2);
    return agent ? { agent, autoApprove: w[4] === '--auto-approve', node: w[0], bin: w[1] } : null;
  }
  return null;
}

/** A bare command name as the agent's shell would find it on PATH, or null. */
function onPath(name: string, env: NodeJS.ProcessEnv): string | null {
  for (const dir of (env.PATH ?? '').split(':')) {
    if (!dir || !path.isAbsolute(dir)) continue;
    const p = path.join(dir, name);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      if (fs.statSync(p).isFile()) return p;
    } catch {
      // not here
    }
  }
  return null;
}

/**
 * What in an installed command would keep it from starting (a wrong path silently disables a
 * hook in some agents): paths that no longer exist, a relative path, `agentguard` not on PATH.
 */
export function commandProblems(c: InstalledCommand, env: NodeJS.ProcessEnv, reinstall: string): string[] {
  const missing: string[] = [];
  for (const p of [c.node, c.bin]) {
    if (p === null) continue;
    if (!p.includes('/') && p === c.bin && c.node === null) {
      if (!onPath(p, env)) missing.push(`the hook runs \`${p}\` from PATH, and it is not on PATH here: every shell command the agent runs is blocked until agentguard is installed and on PATH`);
      continue;
    }
    if (!path.isAbsolute(p)) {
      missing.push(`the hook runs ${p}, which is not an absolute path: it depends on the agent's PATH and cwd`);
      continue;
    }
    try {
      fs.accessSync(p, p === c.bin && c.node ? fs.constants.R_OK : fs.constants.X_OK);
    } catch {
      missing.push(`the hook runs ${p}, which does not exist: every shell command the agent runs is blocked until you run \`${reinstall}\` again`);
    }
  }
  return missing;
}
