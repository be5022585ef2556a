// Which anchor the session log's heads go to, from config.yaml's `log:` key and what this
// machine has: the systemd journal, else a local syslog socket, else none. The anchor is a
// place the user's own processes can add lines to but not rewrite.
import fs from 'node:fs';
import os from 'node:os';
import { loadUserConfig, userConfigPath, type UserConfig } from '../config/user.js';

export type AnchorKind = 'journald' | 'syslog' | 'none';

export interface AnchorSettings {
  /** What config.yaml asks for (default auto). */
  wanted: AnchorKind | 'auto';
  /** The syslog daemon's socket (default /dev/log). */
  socket: string;
  /** The files the syslog daemon writes, read back by verify. */
  files: string[];
  /** A config.yaml that did not load: anchoring falls back to auto. */
  problem?: string;
}

export const JOURNAL_SOCKET = '/run/systemd/journal/socket';
/** journald's syslog-protocol socket (what /dev/log points at under systemd): logger writes there. */
export const JOURNAL_DEV_LOG = '/run/systemd/journal/dev-log';
export const ANCHOR_TAG = 'agentguard-anchor';
const DEFAULTS = { socket: '/dev/log', files: ['/var/log/syslog', '/var/log/syslog.1', '/var/log/messages', '/var/log/messages.1'] };

/** From an already loaded config.yaml (the guard's `rules.config`), for callers that have one. */
export function settingsFrom(log: UserConfig['log'] | undefined): AnchorSettings {
  return { wanted: log?.anchor ?? 'auto', socket: log?.syslog?.socket ?? DEFAULTS.socket, files: log?.syslog?.files ?? DEFAULTS.files };
}

export async function anchorSettings(env: NodeJS.ProcessEnv = process.env): Promise<AnchorSettings> {
  try {
    return settingsFrom((await loadUserConfig(userConfigPath(env), env.HOME || os.homedir()))?.log);
  } catch (e) {
    return { wanted: 'auto', ...DEFAULTS, problem: (e as Error).message };
  }
}

const isSocket = (p: string) => {
  try {
    return fs.statSync(p).isSocket();
  } catch {
    return false;
  }
};

/** The anchor that will be used, and why not another one. */
export function chooseAnchor(s: AnchorSettings): { kind: AnchorKind; socket: string | null; note?: string } {
  const journal = isSocket(JOURNAL_SOCKET) && isSocket(JOURNAL_DEV_LOG);
  const syslog = isSocket(s.socket);
  if (s.wanted === 'none') return { kind: 'none', socket: null, note: 'switched off in config.yaml (log.anchor: none)' };
  if ((s.wanted === 'auto' || s.wanted === 'journald') && journal) return { kind: 'journald', socket: JOURNAL_DEV_LOG };
  if ((s.wanted === 'auto' || s.wanted === 'syslog') && syslog) return { kind: 'syslog', socket: s.socket };
  const note = s.wanted === 'journald' ? `no systemd journal (${JOURNAL_SOCKET})` : s.wanted === 'syslog' ? `no syslog socket at ${s.socket}` : `no systemd journal (${JOURNAL_SOCKET}) and no syslog socket (${s.socket})`;
  return { kind: 'none', socket: null, note };
}

export function anchorLine(h: { session: string; seq: number; hash: string; mac?: string }): string {
  return `${ANCHOR_TAG} session=${h.session} seq=${h.seq} hash=${h.hash}${h.mac ? ` mac=${h.mac}` : ''}`;
}

const LINE = /agentguard-anchor session=(\S+) seq=(\d+) hash=([0-9a-f]{64})(?: mac=([0-9a-f]{64}))?/;

export function parseAnchorLine(text: string): { session: string; seq: number; hash: string; mac?: string } | null {
  const m = LINE.exec(text);
  return m ? { session: m[1], seq: Number(m[2]), hash: m[3], ...(m[4] ? { mac: m[4] } : {}) } : null;
}

/**
 * util-linux `logger` by its installed path: a hook runs with the agent's PATH, where a
 * program called logger could swallow the heads. PATH only where neither path exists.
 */
export const LOGGER = ['/usr/bin/logger', '/bin/logger'].find((p) => fs.existsSync(p)) ?? 'logger';
