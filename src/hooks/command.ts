// The command line written into an agent's settings: absolute paths to this Node and this
// agentguard, so it works from any cwd and with any PATH, and a fallback that turns a hook
// that cannot even start (Node or agentguard moved, a crash before our code runs) into a
// block rather than the "non-blocking error" most agents treat it as.
//
//   '/usr/bin/node' '/opt/agentguard/bin/agentguard.js' hook claude || sh -c '… >&2; exit 2'
//
// Agents run it through a shell (Claude Code and Cursor: sh; Gemini CLI: bash; Codex: the
// user's $SHELL -lc, which may be zsh or fish), so it uses only single quotes and `||`, which
// all of them read the same way.
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

export function hookCommand(agent: AgentName, node = process.execPath, bin = agentguardBin()): string {
  return `${quoteWord(node)} ${quoteWord(bin)} hook ${agent} || ${FALLBACK.replace('AGENT', agent)}`;
}

export interface InstalledCommand {
  agent: AgentName;
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
  const w = leadingWords(cmd, 4);
  const isBin = (p: string | undefined) => !!p && /^agentguard(\.js)?$/.test(path.basename(p));
  const agentAt = (i: number): AgentName | null => (w[i] === 'hook' && isAgent(w[i + 1] ?? '') ? (w[i + 1] as AgentName) : null);
  if (isBin(w[0])) {
    const agent = agentAt(1);
    return agent ? { agent, node: null, bin: w[0] } : null;
  }
  if (isBin(w[1]) && /^node(js)?[0-9.]*$/.test(path.basename(w[0] ?? ''))) {
    const agent = agentAt(2);
    return agent ? { agent, node: w[0], bin: w[1] } : null;
  }
  return null;
}

/** Paths in an installed command that no longer exist (a wrong path silently disables a hook in some agents). */
export function missingPaths(c: InstalledCommand): string[] {
  const missing: string[] = [];
  for (const p of [c.node, c.bin]) {
    if (p === null) continue;
    if (!path.isAbsolute(p)) {
      missing.push(`${p} (not an absolute path: it depends on the agent's PATH and cwd)`);
      continue;
    }
    try {
      fs.accessSync(p, p === c.bin && c.node ? fs.constants.R_OK : fs.constants.X_OK);
    } catch {
      missing.push(p);
    }
  }
  return missing;
}
